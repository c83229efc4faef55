"""The O(1)-per-pattern enumeration kernel agrees with the previous O(n) kernel and with direct sums."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import random_gomory

from trade_opt.gomory import GomoryData
from trade_opt.gomory.equilibria import _previous_kernel, all_specialized, concat_batches, specialized_equilibria
from trade_opt.gomory.kernel import (H_TABLE_TOL, build_h_table, exact_h, pattern_values, reachable_logit_range,
                                     reachable_Y_range)


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


def test_demand_share_within_rounding_of_one(table1):
    """Found by fuzzing: a demand share of 1 - 1e-16 puts the largest Y within rounding of 1, where
    the table's range used ln(1 - Y) of a Y that is 1.0 in floating point (math domain error).
    The range is taken in logit(Y) directly; the kernel agrees with the previous kernel."""
    d = table1.d.copy()
    d[0, 0] = 7.2e14                    # renormalized: d_11 = 1 - 1.5e-15, the others ~1e-16
    data = GomoryData.from_arrays(d, table1.e, table1.alpha[0], table1.L)
    lo, hi = reachable_logit_range(data)
    assert np.isfinite(lo) and np.isfinite(hi) and hi > 36   # logit(Y_max) > 36: Y_max rounds to 1
    batch = all_specialized(data)
    _assert_agree(batch, _previous(data))
    assert np.all(np.isfinite(batch.w_ratio) & np.isfinite(batch.u1) & np.isfinite(batch.u2))


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


# --- the array-API code path (trade_opt.gomory.array_backend): array_api_strict proves no NumPy-only call


def _strict_backend():
    xps = pytest.importorskip("array_api_strict")
    from trade_opt.gomory.array_backend import namespace_backend

    return namespace_backend(xps)


def _assert_backends_agree(data, backend, chunk, **kw):
    ref = list(pattern_values(data, chunk=chunk, **kw))
    got = list(pattern_values(data, chunk=chunk, device=backend, **kw))
    assert len(got) == len(ref) and type(got[0].u1).__module__.startswith("array_api_strict")
    for r, g in zip(ref, got, strict=True):
        assert np.array_equal(backend.to_numpy(g.codes), r.codes)
        for field in ("Y", "one_minus_Y", "log_Y", "log_1mY", "a", "b", "one_minus_a", "one_minus_b"):
            assert np.abs(backend.to_numpy(getattr(g, field)) - getattr(r, field)).max() <= 1e-15, field
        assert np.abs(backend.to_numpy(g.u1) - r.u1).max() <= 1e-13
        assert np.abs(backend.to_numpy(g.u2) - r.u2).max() <= 1e-13


@pytest.mark.parametrize(("n", "seed", "chunk"), [(6, 1, 8), (11, 2, 256), (13, 3, 1024)])
def test_array_api_strict_kernel_equals_numpy_kernel(n, seed, chunk):
    data = random_gomory(n, 600 + seed)
    assert build_h_table(data) is not None                    # the O(1) path: table on the device
    _assert_backends_agree(data, _strict_backend(), chunk)
    _assert_backends_agree(data, _strict_backend(), chunk, table=False)   # the exact O(n) sum


@pytest.mark.parametrize("seed", range(2))
def test_array_api_strict_per_country_exponents(seed):
    data = random_gomory(10, 700 + seed, by_country=True)
    _assert_backends_agree(data, _strict_backend(), 128)


def test_array_api_strict_zero_demand_shares_drop_degenerate_codes():
    data = GomoryData.from_arrays([[0.0, 0.5, 0.3, 0.2], [0.4, 0.3, 0.3, 0.0]], [[1, 2, 1, 1], [1, 1, 3, 1]],
                                  [1.5, 1.3, 2.0, 1.7])
    _assert_backends_agree(data, _strict_backend(), 4)


def test_array_api_strict_range_and_reductions(tmp_path):
    from trade_opt.gomory.enumerate_ranges import enumerate_range

    data = random_gomory(10, 17)
    ref = enumerate_range(data, 3, 900, tmp_path / "cpu.parquet", grid=40, top=5, chunk=64)
    got = enumerate_range(data, 3, 900, tmp_path / "xp.parquet", grid=40, top=5, chunk=64, device=_strict_backend())
    assert np.array_equal(got.top_code, ref.top_code) and np.array_equal(got.env_code, ref.env_code)
    assert np.abs(got.top_u - ref.top_u).max() <= 1e-13 and got.count == ref.count == 897


def _no_cuda(monkeypatch):
    from trade_opt.gomory import array_backend

    monkeypatch.setattr(array_backend, "CUDA_PROBES", {"cupy": lambda: (None, "CuPy is not installed"),
                                                       "torch": lambda: (None, "PyTorch 2.0 sees no CUDA GPU")})


def test_cuda_refused_without_gpu_or_extra(monkeypatch):
    from trade_opt.errors import ArgumentError
    from trade_opt.gomory.array_backend import DeviceError, get_backend

    _no_cuda(monkeypatch)
    with pytest.raises(DeviceError, match=r"CuPy is not installed; PyTorch 2\.0 sees no CUDA GPU; .*trade_opt\[gpu\]"):
        list(pattern_values(random_gomory(5, 1), device="cuda"))
    with pytest.raises(ArgumentError, match="unknown device 'tpu'"):
        get_backend("tpu")
    assert get_backend("cpu").is_numpy


def test_cli_device_cuda_refused_in_one_line(monkeypatch, tmp_path, capsys):
    from trade_opt.cli.main import main

    _no_cuda(monkeypatch)
    inst = tmp_path / "g.toml"
    inst.write_text('model = "gomory"\nlabor = [1.0, 2.0]\ndemand = [[0.2, 0.3, 0.5], [0.4, 0.4, 0.2]]\n'
                    'efficiency = [[1.0, 1.2, 0.8], [0.9, 1.0, 1.3]]\nexponent = [1.5, 1.6, 1.4]\n')
    out = tmp_path / "o"
    assert main(["gomory", "equilibria", str(inst), "--out", str(out), "--device", "cuda"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--device" in err and "CuPy is not installed" in err and "trade_opt[gpu]" in err
    assert "Traceback" not in err and not out.exists()
    assert main(["gomory", "equilibria", str(inst), "--device", "gpu0"]) == 2
    assert "unknown device 'gpu0'" in capsys.readouterr().err
    assert main(["gomory", "equilibria", str(inst), "--out", str(out), "--workers", "0", "--device", "cpu"]) == 0
