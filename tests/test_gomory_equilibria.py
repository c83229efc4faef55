"""Specialized equilibria: counts, the trade equation, labor used = L, and an independent scalar path."""
from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import random_gomory

from trade_opt.gomory.equilibria import (
    all_specialized,
    autarky_log_utilities,
    equilibrium_detail,
    evaluate_patterns,
    pattern_bits,
    pattern_codes,
    pattern_count,
    specialized_equilibria,
)


def scalar_equilibrium(data, x):
    """Equilibrium of pattern x via prices and zero profits (Eqs. 1, 1.1), one good at a time, no logs."""
    d1, d2 = data.d
    a = sum(d1[i] for i in range(data.n) if x[i])
    b = sum(d2[i] for i in range(data.n) if x[i])
    Y = (1 - b) / (1 - b + a)
    N = (Y, 1 - Y)
    w = (N[0] / data.L[0], N[1] / data.L[1])
    u = [0.0, 0.0]
    labor = [0.0, 0.0]
    for i in range(data.n):
        j = 1 if x[i] else 0
        demand_value = d1[i] * N[0] + d2[i] * N[1]          # Eq. 1
        l = demand_value / w[j]                              # zero profit: pi Q = w l
        labor[j] += l
        Q = data.e[j, i] * l ** data.alpha[j, i]
        price = demand_value / Q
        u[0] += d1[i] * math.log(d1[i] * N[0] / price)       # Cobb-Douglas spending d_ij N_j
        u[1] += d2[i] * math.log(d2[i] * N[1] / price)
    return Y, w[0] / w[1], u[0], u[1], labor


def test_count_is_2n_minus_2(table1):
    batch = all_specialized(table1)
    assert len(batch) == pattern_count(9) == 2**9 - 2
    assert len(np.unique(batch.codes)) == len(batch)
    assert not (batch.X.all(axis=1) | (~batch.X).all(axis=1)).any()


@pytest.mark.parametrize("seed", range(4))
def test_trade_equation_and_labor_identities(seed):
    data = random_gomory(12, seed, by_country=seed % 2 == 1)
    batch = all_specialized(data)
    assert len(batch) == 2**12 - 2
    assert np.abs(batch.trade_residual).max() <= 1e-12
    assert np.abs(batch.labor_residual / data.L).max() <= 1e-12
    assert ((batch.Y > 0) & (batch.Y < 1)).all()


@pytest.mark.parametrize("seed", range(3))
def test_vectorized_equals_scalar_path(seed):
    data = random_gomory(7, 100 + seed, by_country=True)
    batch = all_specialized(data)
    for k in range(0, len(batch), 7):
        Y, ratio, u1, u2, labor = scalar_equilibrium(data, batch.X[k])
        assert batch.Y[k] == pytest.approx(Y, rel=1e-13)
        assert batch.w_ratio[k] == pytest.approx(ratio, rel=1e-12)
        assert batch.u1[k] == pytest.approx(u1, rel=1e-11, abs=1e-12)
        assert batch.u2[k] == pytest.approx(u2, rel=1e-11, abs=1e-12)
        assert labor == pytest.approx(list(data.L), rel=1e-12)


def test_chunking_does_not_change_results(table1):
    whole = all_specialized(table1, chunk=1 << 15)
    pieces = list(specialized_equilibria(table1, chunk=37))
    assert sum(len(p) for p in pieces) == len(whole)
    assert np.array_equal(np.concatenate([p.codes for p in pieces]), whole.codes)
    # the same patterns; values equal up to the rounding of BLAS blocking (matrix products differ in the last bits)
    np.testing.assert_allclose(np.concatenate([p.u1 for p in pieces]), whole.u1, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np.concatenate([p.Y for p in pieces]), whole.Y, rtol=1e-15, atol=0)


def test_pattern_codes_roundtrip():
    codes = np.arange(1, 2**10 - 1)
    assert np.array_equal(pattern_codes(pattern_bits(codes, 10)), codes)


def test_detail_prices_clear_markets(table1):
    x = np.array([0, 1, 0, 1, 1, 0, 0, 1, 0], bool)
    det = equilibrium_detail(table1, x)
    V = table1.d[0] * det.Y + table1.d[1] * (1 - det.Y)
    assert det.price * np.exp(det.log_quantity) == pytest.approx(V, rel=1e-13)           # value of supply = demand
    wage_bill = det.wages[0] * det.labor[0] + det.wages[1] * det.labor[1]
    assert wage_bill == pytest.approx(V, rel=1e-13)                                        # zero profit
    assert det.labor.sum(axis=1) == pytest.approx(table1.L, rel=1e-13)


def test_autarky_matches_formula(table1):
    u = autarky_log_utilities(table1)
    for j in range(2):
        d = table1.d[j]
        expected = sum(d[i] * math.log(table1.e[j, i] * (d[i] * table1.L[j]) ** table1.alpha[j, i]) for i in range(9))
        assert u[j] == pytest.approx(expected, rel=1e-13)


def test_large_exponents_do_not_overflow():
    data = random_gomory(10, 7, alpha_low=50.0, alpha_high=400.0)
    batch = all_specialized(data)
    assert np.isfinite(batch.u1).all() and np.isfinite(batch.u2).all()


def test_zero_demand_patterns_without_income_are_skipped():
    from trade_opt.gomory import GomoryData

    # good 1 is demanded only by country 2: giving country 2 only good 1 leaves country 1 no income from trade
    data = GomoryData.from_arrays([[0.0, 0.5, 0.5], [0.4, 0.3, 0.3]], [[1, 1, 1], [1, 1, 1]], [1.5, 1.5, 1.5])
    batch = all_specialized(data)
    assert len(batch) < pattern_count(3)
    assert ((batch.Y > 0) & (batch.Y < 1)).all()
    assert np.isfinite(batch.u1).all()
    assert 1 not in batch.codes.tolist()  # x = (1, 0, 0): a = 0, so Y = 1


def test_evaluate_patterns_is_order_free(table1):
    X = pattern_bits(np.array([5, 100, 3]), 9)
    a = evaluate_patterns(table1, X)
    b = evaluate_patterns(table1, X[::-1])
    assert np.array_equal(a.u1, b.u1[::-1])
