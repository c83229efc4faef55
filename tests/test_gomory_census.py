"""The mixed census of the main Gomory job (issues 16 and 18): the windowed root finder against the
dense one it replaced, the census counts on Table 1, Theorems 4-5 from the census against the
independent z path, B1 at many Y against the exact DP, lossless shares, and numerical failures as
stage statuses."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from conftest import INSTANCES, random_gomory
from gomory_census_oracle import dense_pattern_roots

from trade_opt.gomory import GomoryData
from trade_opt.gomory import b1_lookup
from trade_opt.gomory.b1_lookup import b1_at, theorem3_all
from trade_opt.gomory.boundary import boundary_B1_dp
from trade_opt.gomory.equilibria import all_specialized
from trade_opt.gomory.job_checks import OneSharedCensus, one_shared_summary
from trade_opt.gomory.job_tables import mixed_to_csv, subsample
from trade_opt.gomory.mixed import concat_mixed, mixed_equilibria, mixed_patterns, pattern_roots, theorem1_count


def _assert_same_roots(data: GomoryData, owner: np.ndarray) -> int:
    new, old = pattern_roots(data, owner), dense_pattern_roots(data, owner)
    assert np.array_equal(new.roots_per_pattern, old.roots_per_pattern)      # counts, pattern by pattern
    assert np.array_equal(new.pattern_index, old.pattern_index) and np.array_equal(new.root, old.root)
    np.testing.assert_allclose(new.Y, old.Y, rtol=0, atol=1e-12)
    np.testing.assert_allclose(new.x, old.x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(new.u1, old.u1, rtol=0, atol=1e-12)
    assert np.array_equal(new.stable, old.stable)
    return len(new)


def test_windowed_roots_equal_dense_table1(table1):
    """Every 4th chunk of Table 1's full census (the same chunks, so the same grid as the job)."""
    roots = 0
    for k, owner in enumerate(mixed_patterns(table1.n, table1.n - 2, 1 << 11)):
        if k % 4 == 0:
            roots += _assert_same_roots(table1, owner)
    assert roots > 5000


@pytest.mark.parametrize("n,seed,lo,hi,by_country", [(6, 1, 1.1, 2.2, False), (7, 2, 1.01, 1.1, False),
                                                     (6, 3, 1.001, 1.05, False), (6, 4, 1.1, 2.5, True)])
def test_windowed_roots_equal_dense_random(n, seed, lo, hi, by_country):
    data = random_gomory(n, seed, lo, hi, by_country)
    for owner in mixed_patterns(n, n - 2, 1 << 11):
        _assert_same_roots(data, owner)


@pytest.fixture(scope="module")
def table1_job(tmp_path_factory):
    from trade_opt.gomory.job import run_job
    from trade_opt.instances import load_instance

    out = tmp_path_factory.mktemp("t1job")
    return run_job(load_instance(INSTANCES / "gomory_table1.toml"), out, source="t1", grid_points=21), out


def test_table1_job_reports_the_full_census(table1_job, table1):
    s, out = table1_job
    mx = s["mixed"]
    assert mx["complete"] and mx["max_shared"] == 7
    assert mx["patterns"] == mx["patterns_searched"] == 18150 and mx["equilibria"] == 19154
    assert mx["theorem1_bound"] == theorem1_count(9) == 18660
    assert mx["equilibria_with_specialized"] == 19154 + 510
    triple = {k: v["patterns_by_root_count"].get("3", 0) for k, v in mx["by_shared_goods"].items()}
    assert triple == {"1": 0, "2": 0, "3": 22, "4": 151, "5": 217, "6": 94, "7": 18}
    assert sum(v["equilibria"] for v in mx["by_shared_goods"].values()) == 19154
    assert mx["stable"] == 0 and mx["stability_undetermined"] == 0
    assert s["theorem3_mixed"]["checked"] == 19154 and s["theorem3_mixed"]["violations"] == 0
    assert s["theorem3"]["checked"] == 510 and s["theorem3"]["violations"] == 0
    assert s["status"] == "ok" and all(v["status"] == "ok" for v in s["stages"].values())
    # Theorems 4-5 from the census = the independent root search along z = logit x
    census45 = dict(s["theorems_4_5_one_shared_good"])
    assert census45.pop("pairs") == 2286
    assert census45 == one_shared_summary(table1)
    assert not (out / "summary.json").exists()  # the runner writes it, last (trade_opt.runner)


def test_table1_census_shares_are_lossless(table1_job):
    _, out = table1_job
    from trade_opt.outputs import read_table

    m = read_table(out / "mixed_equilibria.csv")  # text columns come back as text (the CSV's ' marker stripped)
    assert len(m) == 19154
    x = np.array([float(v) for row in m["x_shared"] for v in row.split()])
    y = np.array([float(v) for row in m["one_minus_x_shared"] for v in row.split()])
    assert len(x) == len(y) == int(m["n_shared"].sum())
    np.testing.assert_allclose(x + y, 1.0, rtol=0, atol=np.finfo(float).eps)   # each correctly rounded: 1 ulp
    assert np.all((x > 0) & (y > 0))
    # 17 significant digits: the written complement keeps digits that 1 - x (written x) has lost
    small = y < 1e-3
    assert small.any() and np.all(np.abs((1.0 - x[small]) - y[small]) <= 2 * np.finfo(float).eps)


def test_one_shared_census_counts_random_instances():
    """Theorems 4-5 from the census equal the z path on instances with several roots (exponents near 1)."""
    for seed in range(3):
        data = random_gomory(7, 900 + seed, *[(1.01, 1.1), (1.1, 2.2), (1.001, 1.05)][seed % 3])
        census = OneSharedCensus(data)
        for owner in mixed_patterns(7, 1, 1 << 11):
            census.add(owner, pattern_roots(data, owner))
        got = census.summary()
        assert got.pop("pairs") == 7 * (2 ** 6 - 2)
        assert got == one_shared_summary(data)


@pytest.mark.parametrize("n,seed", [(9, None), (10, 11)])
def test_b1_at_equals_the_dp(n, seed, table1, monkeypatch):
    data = table1 if seed is None else random_gomory(n, seed)
    spec = all_specialized(data)
    Y = np.concatenate([spec.Y[::3], np.random.default_rng(1).uniform(0.01, 0.99, 150), spec.Y[:5]])
    dp = boundary_B1_dp(data, Y)
    assert b1_lookup.b1_method(data.n, len(np.unique(Y))) == "enumeration"
    np.testing.assert_allclose(b1_at(data, Y), dp, rtol=0, atol=1e-12)
    monkeypatch.setattr(b1_lookup, "ENUMERATION_BUDGET", 0)                 # the DP path, each distinct Y once
    assert b1_lookup.b1_method(data.n, 3) == "dp"
    np.testing.assert_allclose(b1_at(data, Y[:40]), dp[:40], rtol=0, atol=0)
    rep = theorem3_all(data, spec.Y, spec.u1)
    assert rep.checked == len(spec) and rep.violations == 0 and rep.max_u_minus_B1 <= 1e-12


def test_exponents_near_one_leave_stability_undetermined_not_an_error(tmp_path):
    """x_i = sigma(z) rounds to 0 or 1 for exponents within 1e-4 of 1: J is infinite; no LinAlgError."""
    data = random_gomory(6, 1, 1.00001, 1.0001)
    me = concat_mixed(list(mixed_equilibria(data, 4)), 6)
    assert len(me) > 0 and np.isnan(me.stability).any()
    _, stats = mixed_to_csv(data, tmp_path / "m.csv", 4)
    assert stats["stability_undetermined"] == int(np.isnan(me.stability).sum()) > 0


def test_numerical_failure_in_a_stage_is_a_status(tmp_path, monkeypatch):
    from trade_opt.gomory import job, job_tables

    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("Array must not contain infs or NaNs")

    monkeypatch.setattr(job_tables, "pattern_roots", broken)
    inst = _Inst(random_gomory(5, 2))
    s = job.run_job(inst, tmp_path, grid_points=9)
    assert s["stages"]["mixed_census"]["status"].startswith("error: LinAlgError")
    assert s["status"] == "warning" and s["stages"]["boundary"]["status"] == "ok"
    assert not (tmp_path / "summary.json").exists()  # the runner writes it, last


class _Inst:
    def __init__(self, data: GomoryData, name: str = "random"):
        self._data, self.name = data, name

    def data(self) -> GomoryData:
        return self._data


def test_n100_job_skips_what_cannot_fit_without_overflow(tmp_path, capsys):
    from trade_opt.gomory.job import run_job

    batch = all_specialized(random_gomory(6, 0))
    assert len(subsample(batch, 2 ** 99)) == 0                   # a stride beyond int64 keeps nothing, no OverflowError
    s = run_job(_Inst(random_gomory(100, 0)), tmp_path, grid_points=5)
    assert s["stages"]["enumeration"]["status"].startswith("skipped")
    assert s["stages"]["mixed_census"]["status"].startswith("skipped")
    assert s["status"] == "ok" and s["boundary"]["max_abs_B1_dp_minus_B1_mip"] < 1e-9
    assert "stage enumeration: skipped" in capsys.readouterr().out


@pytest.mark.parametrize("n,seed", [(9, None), (10, 5)])
def test_theorem3_certified_equals_b1_everywhere(n, seed, table1):
    """Lower bounds (LB <= B1) plus exact B1 where they do not decide = B1 at every equilibrium."""
    from trade_opt.gomory.b1_lookup import b1_lower_bounds, theorem3_certified, theorem3_reports

    data = table1 if seed is None else random_gomory(n, seed)
    spec = all_specialized(data)
    me = concat_mixed(list(mixed_equilibria(data, 2 if n == 9 else 1)), n)
    groups = [(spec.Y, spec.u1), (me.Y, me.u1)]
    certified, exact = theorem3_certified(data, groups)
    assert exact < len(spec) + len(me)
    for got, want in zip(certified, theorem3_reports(data, groups)):
        assert got.checked == want.checked and got.violations == want.violations
        assert got.max_u_minus_B1 == want.max_u_minus_B1
    Y = np.concatenate([spec.Y, me.Y])
    assert np.all(b1_lower_bounds(data, Y) <= b1_at(data, Y) + 1e-13)
