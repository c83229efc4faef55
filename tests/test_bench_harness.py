"""Benchmark harness and knapsack families: Pisinger's definitions, process-isolated pairs with a
timeout row, resume skipping recorded pairs, Dolan-More profile values, absent solvers skipped."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from trade_opt.bench import harness
from trade_opt.bench.families import FAMILIES, SUITES, make_instance, pisinger
from trade_opt.cli.main import main


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "gomory"])
def test_pisinger_definitions(family):
    R = 1000
    inst = pisinger(family, 500, seed=7, R=R)
    p, w = inst.values, inst.weights
    again = pisinger(family, 500, seed=7, R=R)
    assert np.array_equal(p, again.values) and np.array_equal(w, again.weights)        # seeded
    assert not np.array_equal(p, pisinger(family, 500, seed=8, R=R).values)
    if family == "real":
        assert np.all((w >= 1) & (w < R)) and np.any(w != np.round(w))
        assert inst.capacity == pytest.approx(50 / 101 * w.sum(), rel=1e-15)
        return
    assert np.all(w == np.round(w)) and np.all(p == np.round(p))
    assert inst.capacity == math.floor(50 / 101 * w.sum())
    if family == "uncorrelated":
        assert np.all((1 <= p) & (p <= R)) and np.all((1 <= w) & (w <= R))
        assert abs(np.corrcoef(p, w)[0, 1]) < 0.15
    elif family == "weakly_correlated":
        assert np.all(np.abs(p - w) <= R / 10) and np.all(p >= 1)
    elif family == "strongly_correlated":
        assert np.all(p == w + R / 10)
    elif family == "inverse_strongly_correlated":
        assert np.all(w == p + R / 10) and np.all((1 <= p) & (p <= R))
    elif family == "subset_sum":
        assert np.array_equal(p, w)


def test_gomory_family_is_the_b1_knapsack():
    from trade_opt.gomory.boundary import boundary_B1_dp
    from trade_opt.bench.families import random_gomory_data
    from trade_opt.knapsack import knapsack_dp, knapsack_dp_ge

    inst = make_instance("gomory", 12, 3)
    value = inst.constant + min(knapsack_dp(inst.values, inst.weights, inst.capacity).value,
                                knapsack_dp_ge(inst.values, inst.weights, inst.capacity).value)
    assert value == pytest.approx(float(boundary_B1_dp(random_gomory_data(12, 3), 0.6)[0]), abs=1e-14)
    assert inst.senses == ("<=", ">=") and inst.capacity == pytest.approx(0.4)


def test_harness_tiny_suite_timeout_row_and_resume(tmp_path):
    pairs = [("uncorrelated", 10, 0), ("subset_sum", 1000, 0)]
    lines = []
    report = harness.run_benchmark(pairs, ["dp", "highs"], tmp_path, timeout=0.5, repeat=1, log=lines.append)
    assert report.ran == 4 and report.skipped_done == 0
    df = pd.read_csv(tmp_path / "results.csv")
    assert list(df.columns) == list(harness.COLUMNS) and len(df) == 4
    small = df[df["family"] == "uncorrelated"]
    assert set(small["status"]) == {"optimal"}
    assert small["objective"].nunique() == 1 and small["gap"].max() == 0.0
    assert (small["peak_rss_mb"] >= small["base_rss_mb"]).all() and (small["base_rss_mb"] > 10).all()
    # the DP on a 1000-item subset-sum instance keeps ~2.4e5 states for ~15 s: killed at 0.5*1.1+1 s
    dp_hard = df[(df["family"] == "subset_sum") & (df["method"] == "dp")].iloc[0]
    assert dp_hard["status"] == "timeout" and "killed" in dp_hard["note"] and dp_hard["seconds"] >= 1.55
    hard_highs = df[(df["family"] == "subset_sum") & (df["method"] == "highs")].iloc[0]
    assert hard_highs["status"] in ("optimal", "time_limit")
    assert (tmp_path / "results.md").exists() and (tmp_path / "profile.png").stat().st_size > 1000
    assert "| uncorrelated | 10 |" in (tmp_path / "results.md").read_text()
    # resume: nothing reruns, nothing is lost
    again = harness.run_benchmark(pairs, ["dp", "highs"], tmp_path, timeout=0.5, repeat=1, log=lines.append)
    assert again.ran == 0 and again.skipped_done == 4
    assert len(pd.read_csv(tmp_path / "results.csv")) == 4
    assert any("already in" in line for line in lines)


def test_performance_profile_values():
    df = pd.DataFrame({
        "instance": ["a", "a", "b", "b", "c", "c"],
        "method": ["dp", "highs"] * 3,
        "status": ["optimal", "optimal", "optimal", "timeout", "optimal", "optimal"],
        "seconds": [1.0, 2.0, 4.0, 1.0, 3.0, 3.0],
    })
    methods, rho = harness.performance_profile(df, [1.0, 2.0, 100.0])
    got = dict(zip(methods, rho.tolist()))
    # ratios: dp (1, 1, 1); highs (2, inf, 1)
    assert got["dp"] == [1.0, 1.0, 1.0]
    assert got["highs"] == pytest.approx([1 / 3, 2 / 3, 2 / 3])


def test_absent_solver_is_skipped_with_install_hint(monkeypatch):
    import trade_opt.solvers as solvers

    real = solvers.solver_available
    monkeypatch.setattr(solvers, "solver_available",
                        lambda name: (False, f"solver {name!r} is not available: install the {solvers.PROVIDERS[name]}")
                        if name == "cbc" else real(name))
    ok, skipped = harness.available_methods(["dp", "cbc", "highs"])
    assert ok == ["dp", "highs"] and "apt-get install coinor-cbc" in skipped["cbc"]


def test_bench_cli_bad_input(tmp_path, capsys):
    assert main(["bench", "--suite", "nope", "--out", str(tmp_path)]) == 2
    assert "unknown suite" in capsys.readouterr().err
    assert main(["bench", "--suite", "tiny", "--solvers", "dp,gurobi", "--out", str(tmp_path)]) == 2
    assert "unknown method 'gurobi'" in capsys.readouterr().err
    assert "tiny" in SUITES




@pytest.mark.parametrize("family,n,seed", [("gomory", 14, 1), ("gomory", 60, 2), ("real", 14, 3),
                                           ("strongly_correlated", 40, 0)])
def test_ortools_equals_dp_and_brute_force(family, n, seed):
    pytest.importorskip("ortools")
    from trade_opt.knapsack import knapsack_brute_force, knapsack_dp, knapsack_dp_ge, knapsack_ortools

    inst = make_instance(family, n, seed)
    for sense in ("<=", ">="):
        got = knapsack_ortools(inst.values, inst.weights, inst.capacity, sense)
        ref = (knapsack_dp if sense == "<=" else knapsack_dp_ge)(inst.values, inst.weights, inst.capacity)
        assert got.value == pytest.approx(ref.value, rel=1e-12, abs=1e-12)
        load = float(inst.weights @ got.x)
        assert (load <= inst.capacity * (1 + 1e-12)) if sense == "<=" else (load >= inst.capacity * (1 - 1e-12))
        assert float(inst.values @ got.x) == got.value
        if n <= 14:
            bf = knapsack_brute_force(inst.values, inst.weights, inst.capacity, sense)
            assert got.value == pytest.approx(bf.value, rel=1e-12, abs=1e-12)


def test_harness_runs_ortools_beside_dp(tmp_path):
    pytest.importorskip("ortools")
    report = harness.run_benchmark([("gomory", 10, 0)], ["dp", "ortools"], tmp_path, timeout=30, repeat=1, log=lambda _: None)
    df = pd.read_csv(tmp_path / "results.csv")
    assert report.ran == 2 and set(df["status"]) == {"optimal"}
    assert abs(df["objective"].iloc[0] - df["objective"].iloc[1]) <= 1e-12


# --- trade-opt bench --family mcp (issue 17 item 5) ------------------------------------------------------------
def test_bench_mcp_cli_tiny_table_and_profile(tmp_path, capsys):
    """All three MCP solvers on the tiny suite through the CLI (in process): one row per (case,
    solver), the layer solves every case (independent residual <= 1e-8), profile consistent."""
    from trade_opt.bench.mcp import MCP_SOLVERS, SOLVED

    assert main(["bench", "--family", "mcp", "--suite", "tiny", "--timeout", "20", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    df = pd.read_csv(tmp_path / "results.csv")
    cases = df.groupby(["problem", "start"])
    assert len(cases) == 3 and all(sorted(g.solver) == sorted(MCP_SOLVERS) for _, g in cases)
    mine = df[df.solver == "trade_opt_mcp"]
    assert mine.solved.all() and (mine.residual <= SOLVED).all() and set(mine.status) == {"optimal"}
    assert (df.solved == ((df.residual <= SOLVED) & ~df.status.str.startswith(("error", "skipped")))).all()
    text = (tmp_path / "results.md").read_text()
    assert "Dolan-More" in text and "| tau=100 | 1.00 |" in text and "| tau=100 | 1.00 |" in printed
    assert (tmp_path / "profile.png").stat().st_size > 1000


def test_dolan_more_values():
    from trade_opt.bench.mcp import dolan_more

    table = pd.DataFrame({"problem": ["a", "a", "b", "b"], "start": [1, 1, 1, 1], "solver": ["s", "t", "s", "t"],
                          "solved": [True, True, True, False], "seconds": [1.0, 3.0, 2.0, 0.5]})
    profile = dolan_more(table, ["s", "t"], taus=(1, 2, 4))
    assert profile["s"].tolist() == [1.0, 1.0, 1.0]  # fastest solved on both
    assert profile["t"].tolist() == [0.0, 0.0, 0.5]  # 3x on a, unsolved on b


def test_bench_mcp_cli_bad_input(tmp_path, capsys):
    assert main(["bench", "--family", "mcp", "--solvers", "path", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "unknown MCP solver 'path'" in err and len(err.splitlines()) == 1
    assert main(["bench", "--family", "lp", "--out", str(tmp_path)]) == 2
    assert "unknown family 'lp'" in capsys.readouterr().err
    assert main(["bench", "--family", "mcp", "--memory-mb", "100", "--out", str(tmp_path)]) == 2
    assert "--memory-mb" in capsys.readouterr().err
    assert not (tmp_path / "results.csv").exists()


def test_headline_table_gives_every_method_that_ran_a_column():
    """OR-Tools rows reach results.md like the other methods (they had no column before)."""
    rows = [{"family": "uncorrelated", "n": 10, "method": m, "status": "optimal", "seconds": s, "objective": 7.0}
            for m, s in (("dp", 0.02), ("ortools", 0.01), ("highs", 0.04))]
    rows.append({"family": "uncorrelated", "n": 10, "method": "glpk", "status": "timeout", "seconds": 9.0,
                 "objective": float("nan")})
    table = harness.headline_table(pd.DataFrame(rows))
    assert list(table.columns) == ["family", "n", "dp", "ortools", "highs", "glpk", "max rel. obj. diff"]
    row = table.iloc[0]
    assert row["ortools"] == "0.01 s (1x)" and row["dp"] == "0.02 s (2x)" and row["glpk"] == "timeout"
    assert row["max rel. obj. diff"] == "0.0e+00"
