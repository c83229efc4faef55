"""The O(1)-per-pattern enumeration kernel agrees with the previous O(n) kernel and with direct sums."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import random_gomory

from trade_opt.gomory import GomoryData
from trade_opt.gomory.equilibria import _previous_kernel, all_specialized, concat_batches, specialized_equilibria
from trade_opt.gomory.kernel import H_TABLE_TOL, build_h_table, exact_h, pattern_values, reachable_Y_range


def _previous(data):
    return concat_batches(list(_previous_kernel(data)), data.n)


def _assert_agree(new, old):
    assert np.array_equal(new.codes, old.codes)
    assert np.array_equal(new.X, old.X)
    assert np.abs(new.Y - old.Y).max() <= 1e-15
    assert np.abs(new.w_ratio / old.w_ratio - 1).max() <= 1e-13
    assert np.abs(new.u1 - old.u1).max() <= 1e-12
    assert np.abs(new.u2 - old.u2).max() <= 1e-12
    assert np.abs(new.trade_residual).max() <= 1e-12
    assert np.abs(new.labor_residual).max() <= 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_kernel_equals_previous_kernel_one_exponent_per_good(seed):
    data = random_gomory(11, 300 + seed)
    assert build_h_table(data) is not None
    _assert_agree(all_specialized(data, chunk=256), _previous(data))


@pytest.mark.parametrize("seed", range(3))
def test_kernel_equals_previous_kernel_per_country_exponents(seed):
    data = random_gomory(10, 400 + seed, by_country=True)
    assert build_h_table(data) is None               # H depends on x: the exact O(n) path
    _assert_agree(all_specialized(data, chunk=128), _previous(data))


def test_kernel_large_exponents_and_table1(table1):
    _assert_agree(all_specialized(table1), _previous(table1))
    data = random_gomory(10, 7, alpha_low=50.0, alpha_high=400.0)
    _assert_agree(all_specialized(data), _previous(data))


def test_kernel_zero_demand_shares_match_previous():
    data = GomoryData.from_arrays([[0.0, 0.5, 0.3, 0.2], [0.4, 0.3, 0.3, 0.0]], [[1, 2, 1, 1], [1, 1, 3, 1]],
                                  [1.5, 1.3, 2.0, 1.7])
    assert build_h_table(data) is None
    _assert_agree(all_specialized(data, chunk=4), _previous(data))


@pytest.mark.parametrize("seed", range(3))
def test_h_table_error_bound_holds_at_random_Y(seed):
    data = random_gomory(30, 500 + seed)
    table = build_h_table(data)
    assert table is not None and table.error_bound <= H_TABLE_TOL
    lo, hi = reachable_Y_range(data)
    Y = np.concatenate([np.random.default_rng(seed).uniform(lo, hi, 100_000), [lo, hi]])
    got = table.evaluate(Y)
    exact = exact_h(data, Y)
    assert np.abs(got[0] - exact[0]).max() <= 1e-13
    assert np.abs(got[1] - exact[1]).max() <= 1e-13


def test_h_table_tiny_demand_share():
    """A good with a tiny share in one country puts ln V's singularity just outside (0, 1)."""
    data = random_gomory(12, 9)
    d = data.d.copy()
    d[1, 0] = 1e-6
    data = GomoryData.from_arrays(d, data.e, data.alpha[0], data.L)
    table = build_h_table(data)
    if table is not None:
        Y = np.random.default_rng(1).uniform(*reachable_Y_range(data), 50_000)
        assert np.abs(np.array(table.evaluate(Y)) - exact_h(data, Y)).max() <= 1e-13
    _assert_agree(all_specialized(data), _previous(data))


def test_reachable_Y_range_is_the_min_and_max_over_patterns():
    data = random_gomory(9, 3)
    batch = all_specialized(data)
    lo, hi = reachable_Y_range(data)
    assert lo == pytest.approx(batch.Y.min(), rel=1e-14)
    assert hi == pytest.approx(batch.Y.max(), rel=1e-14)


def test_code_ranges_partition_the_enumeration():
    data = random_gomory(10, 11)
    whole = all_specialized(data, chunk=64)
    cuts = [1, 5, 64, 65, 700, 1023]
    parts = [b for lo, hi in zip(cuts[:-1], cuts[1:]) for b in specialized_equilibria(data, 64, lo, hi)]
    got = concat_batches(parts, data.n)
    assert np.array_equal(got.codes, whole.codes)
    np.testing.assert_array_equal(got.u1, whole.u1)
    assert list(pattern_values(data, 10, 10)) == []


def test_table_and_exact_H_paths_agree():
    data = random_gomory(12, 21)
    fast = list(pattern_values(data, chunk=512, table=True))
    exact = list(pattern_values(data, chunk=512, table=False))
    for f, e in zip(fast, exact, strict=True):
        assert np.abs(f.u1 - e.u1).max() <= 1e-13 and np.abs(f.u2 - e.u2).max() <= 1e-13
