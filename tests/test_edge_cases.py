"""Numerical edge cases: Y -> 0 and Y -> 1, exponents up to 10 with labor up to 1e6, demand shares of
1e-12, and solver failures (MIP time limit, infeasible, a failing sweep point) reported as statuses.

Every numerical check runs with numpy warnings raised as errors (no overflow, no log(0))."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from conftest import INSTANCES, random_gomory
from trade_opt.errors import SolveError
from trade_opt.gomory.boundary import BoundarySolver, boundary_B1_brute_force, boundary_B1_dp, boundary_B_greedy
from trade_opt.gomory.equilibria import all_specialized, autarky_log_utilities, equilibrium_detail
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.theorems import theorem3_check

#: Y grids hugging 0 and 1 (1 - Y is exact for these; below ~1e-13, 1 - Y itself rounds: see the report).
Y_EDGES = np.concatenate([np.geomspace(1e-12, 1e-2, 6), 1.0 - np.geomspace(1e-2, 1e-12, 6)])


@pytest.fixture(autouse=True)
def numpy_warnings_are_errors():
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        yield


def extreme_instance(n: int = 8, seed: int = 3) -> GomoryData:
    """Exponents 10 (both countries), labor 1e6 and 1, efficiencies over six decades."""
    rng = np.random.default_rng(seed)
    return GomoryData.from_arrays(rng.uniform(0.1, 1.0, (2, n)), np.exp(rng.uniform(-7, 7, (2, n))),
                                  np.full(n, 10.0), [1e6, 1.0])


def tiny_share_instance(n: int = 8, seed: int = 4) -> GomoryData:
    """Demand shares of 1e-12 for two goods (one per country), exponents up to 3."""
    rng = np.random.default_rng(seed)
    d = rng.uniform(0.1, 1.0, (2, n))
    d[0, 2] = 1e-12
    d[1, 5] = 1e-12
    return GomoryData.from_arrays(d, rng.uniform(0.5, 2.0, (2, n)), rng.uniform(1.1, 3.0, n), [3.0, 5.0])


CASES = {"random": lambda: random_gomory(8, 0), "extreme": extreme_instance, "tiny_share": tiny_share_instance}


@pytest.mark.parametrize("case", sorted(CASES))
def test_boundary_near_Y_0_and_1_agrees_across_methods(case):
    """B (greedy) = B (LP), B1 (DP) = B1 (MIP) = B1 (brute force), B1 <= B, all finite, at Y -> 0, 1."""
    data = CASES[case]()
    B, _ = boundary_B_greedy(data, Y_EDGES)
    B1 = boundary_B1_dp(data, Y_EDGES)
    assert np.all(np.isfinite(B)) and np.all(np.isfinite(B1))
    scale = np.maximum(1.0, np.abs(B))
    assert np.all(B1 <= B + 1e-9 * scale)
    solver = BoundarySolver(data, ("greedy", "lp", "dp", "mip"))
    for k, Y in enumerate(Y_EDGES):
        point = solver.at(float(Y))
        assert point.status_lp == "optimal/optimal" and point.status_mip == "optimal/optimal"
        assert point.B_lp == pytest.approx(point.B_greedy, rel=1e-9, abs=1e-9)
        assert point.B1_mip == pytest.approx(point.B1_dp, rel=1e-9, abs=1e-9)
        assert boundary_B1_brute_force(data, float(Y)) == pytest.approx(B1[k], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_equilibria_finite_and_consistent_at_extremes(case):
    """All 2^n - 2 equilibria: finite log-utilities, the trade equation and labor markets clear, the
    batch kernel agrees with the one-pattern formula, and Theorem 3 holds."""
    data = CASES[case]()
    batch = all_specialized(data)
    assert len(batch) == 2 ** data.n - 2
    assert np.all(np.isfinite(batch.u1)) and np.all(np.isfinite(batch.u2)) and np.all(np.isfinite(batch.w_ratio))
    assert np.all((batch.Y > 0) & (batch.Y < 1))
    assert np.abs(batch.trade_residual).max() <= 1e-15
    assert np.abs(batch.labor_residual / data.L).max() <= 1e-12
    assert np.all(np.isfinite(autarky_log_utilities(data)))
    for k in np.linspace(0, len(batch) - 1, 17).astype(int):
        detail = equilibrium_detail(data, batch.X[k])
        u1 = float(np.sum(np.where(data.d[0] > 0, data.d[0] * (np.log(detail.share1) + detail.log_quantity), 0.0)))
        assert u1 == pytest.approx(batch.u1[k], rel=1e-12, abs=1e-9)
        assert detail.labor[0].sum() == pytest.approx(data.L[0], rel=1e-12)
        assert detail.labor[1].sum() == pytest.approx(data.L[1], rel=1e-12)
    report = theorem3_check(data, batch, tol=1e-9)
    assert report.violations == 0


def test_equilibria_with_Y_within_1e_12_of_the_ends():
    """A good with share 1e-12 for one country gives equilibria with Y or 1 - Y of order 1e-12: 1 - Y
    is formed from the pattern's shares (not as 1 - Y), so the labor markets clear to 1e-12 there."""
    d = np.array([[1e-12, 0.5, 0.5], [0.5, 0.5, 1e-12]])
    data = GomoryData.from_arrays(d, np.ones((2, 3)), [10.0, 10.0, 10.0], [1e6, 1e6])
    batch = all_specialized(data)
    ends = np.minimum(batch.Y, 1 - batch.Y)
    assert ends.min() < 1e-11
    assert np.abs(batch.labor_residual / data.L).max() <= 1e-12
    assert np.all(np.isfinite(batch.u1)) and np.all(np.isfinite(batch.w_ratio))


def test_mip_time_limit_and_infeasible_are_statuses_not_numbers():
    from trade_opt.knapsack import KnapsackMIP
    from trade_opt.solvers import HighsPersistent

    infeasible = KnapsackMIP(4, ">=").solve(np.ones(4), np.ones(4), 10.0)
    assert infeasible.status == "infeasible" and infeasible.value == -np.inf
    solver = BoundarySolver(random_gomory(30, 1), ("dp", "mip"))
    for model in solver._mip:
        model.solver = HighsPersistent(time_limit=1e-9)   # stops before any incumbent
    point = solver.at(0.5)
    assert point.status_mip == "time_limit/time_limit"
    assert not np.isfinite(point.B1_mip)                  # no number pretends to be B1
    assert np.isfinite(point.B1_dp)


def test_failing_sweep_point_is_a_status_row(monkeypatch):
    """A point whose solver fails becomes status "failed" with the message and no values."""
    from trade_opt.sweep.run import BatchTask, evaluate_batch
    from trade_opt.instances import read_document
    import trade_opt.krugman.economy as ks

    calls = []

    def failing(data, start=None, tol=1e-10):
        calls.append(data.z)
        if len(calls) == 2:
            raise SolveError("MCP found no equilibrium from 3 starts (test)")
        return real(data, start=start, tol=tol)

    real = ks.solve_economy
    monkeypatch.setattr(ks, "solve_economy", failing)
    base = read_document(INSTANCES / "krugman_default.toml")
    task = BatchTask(0, 1, "krugman", "equilibrium", "krugman_default.toml", {},
                     [(0, {"z": 0.3}), (1, {"z": 0.4}), (2, {"z": 0.5}), (3, {"z": 0.95})])
    rows = evaluate_batch(task, base)
    assert [r["status"] for r in rows] == ["solved", "failed", "solved", "invalid"]
    assert "no equilibrium" in rows[1]["error"] and "p" not in rows[1]
    assert "L_star" in rows[3]["error"] or "mu" in rows[3]["error"]
    assert rows[2]["warm_started"] and rows[2]["p"] == pytest.approx(2.5, rel=1e-10)


#: Y down to 1e-15 and up to 1 - 1e-15 (both representable; the trade equation's slack is then of
#: order Y or 1 - Y, far below the absolute 1e-12 / 1e-9 tolerances of the DP and HiGHS).
Y_EXTREME = np.concatenate([np.geomspace(1e-15, 1e-2, 7), 1.0 - np.geomspace(1e-2, 1e-15, 7)])


@pytest.mark.parametrize("case", sorted(CASES))
def test_boundary_at_Y_within_1e_15_of_the_ends(case):
    """At Y in [1e-15, 1e-2] and [1 - 1e-2, 1 - 1e-15]: B (greedy) = B (LP), B1 (DP) = B1 (MIP) =
    B1 (brute force) to 1e-9 relative, B1 <= B (Theorem 3), HiGHS statuses optimal."""
    data = CASES[case]()
    solver = BoundarySolver(data, ("greedy", "lp", "dp", "mip"))
    B1_grid = boundary_B1_dp(data, Y_EXTREME)
    for k, Y in enumerate(Y_EXTREME):
        p = solver.at(float(Y))
        assert p.status_lp.startswith("optimal") and p.status_mip.startswith("optimal"), (Y, p.status_lp, p.status_mip)
        scale = max(1.0, abs(p.B_greedy))
        assert abs(p.B_lp - p.B_greedy) <= 1e-9 * scale, (Y, p.B_lp, p.B_greedy)
        brute = boundary_B1_brute_force(data, float(Y))
        assert abs(p.B1_dp - brute) <= 1e-9 * scale, (Y, p.B1_dp, brute)
        assert abs(p.B1_mip - brute) <= 1e-9 * scale, (Y, p.B1_mip, brute)
        assert B1_grid[k] == p.B1_dp
        assert p.B1_dp <= p.B_greedy + 1e-9 * scale, (Y, p.B1_dp, p.B_greedy)


@pytest.mark.parametrize("share", [1e-12, 1e-14])
def test_theorem3_with_equilibria_within_1e_14_of_the_ends(share):
    """Specialized equilibria at Y or 1 - Y of order ``share``: each lies under B1 at its own Y."""
    d = np.array([[share, 0.5, 0.3, 0.5], [0.5, 0.4, 0.5, share]])
    data = GomoryData.from_arrays(d, np.array([[1.0, 2.0, 0.7, 1.0], [1.5, 1.0, 1.0, 0.8]]),
                                  [3.0, 1.5, 2.0, 3.0], [2.0, 5.0])
    batch = all_specialized(data)
    assert np.minimum(batch.Y, 1 - batch.Y).min() < 10 * share
    report = theorem3_check(data, batch, tol=1e-9)
    assert report.violations == 0, report


@pytest.mark.parametrize("seed", range(6))
def test_knapsack_rows_with_rhs_far_below_the_weights(seed):
    """max c.x s.t. w.x (<= or >=) W with W ~ 1e-15 .. 1e-9 and weights of order 1 next to weights of
    order W: DP = brute force, and the reported x meets the row relative to W (an absolute 1e-12 slack
    or a complement sum(w) - W would accept loads off by 1e3 W)."""
    from trade_opt.knapsack import capacity_slack, knapsack_brute_force, knapsack_cover_dp, knapsack_dp, knapsack_dp_ge

    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-15, -9)
    w = np.concatenate([rng.uniform(0.2, 1.0, 5), scale * rng.uniform(0.1, 1.0, 7)])
    c = rng.normal(size=len(w))
    W = float(scale * rng.uniform(0.5, 2.0))
    slack = capacity_slack(W, len(w))
    assert slack <= 1.1e-12 * W
    le, le_bf = knapsack_dp(c, w, W), knapsack_brute_force(c, w, W, "<=")
    assert le.value == pytest.approx(le_bf.value, rel=1e-12, abs=1e-12)
    assert w @ le.x <= W + slack and c @ le.x == pytest.approx(le.value, abs=1e-12)
    for ge in (knapsack_cover_dp(c, w, W), knapsack_dp_ge(c, w, W)):
        ge_bf = knapsack_brute_force(c, w, W, ">=")
        assert ge.value == pytest.approx(ge_bf.value, rel=1e-12, abs=1e-12)
        assert w @ ge.x >= W - slack and c @ ge.x == pytest.approx(ge.value, abs=1e-12)


def test_mip_row_scaled_by_rhs_and_dropped_coefficients_are_a_status():
    """The MIP row is scaled by its rhs (HiGHS's absolute 1e-9 tolerance becomes relative): a row
    with rhs 1e-13 is solved exactly; a weight 1e-12 times the rhs (HiGHS zeroes |a| <= 1e-9) is
    reported in the status, not silently dropped."""
    from trade_opt.knapsack import KnapsackMIP, knapsack_dp, knapsack_dp_ge

    c, w = np.array([1.0, 1.0, 3.0]), np.array([0.6e-13, 0.5e-13, 1.0])
    for sense, dp in (("<=", knapsack_dp), (">=", knapsack_dp_ge)):
        sol = KnapsackMIP(3, sense).solve(c, w, 1e-13)
        assert sol.status == "optimal" and sol.value == dp(c, w, 1e-13).value
    assert KnapsackMIP(3, "<=").solve(c, w, 1e-13).value == 1.0          # not both small items
    dropped = KnapsackMIP(3, "<=", integer=False).solve(c, np.array([1e-12, 0.5, 2.0]), 1.0)
    assert dropped.status == "optimal (coefficients dropped)"
