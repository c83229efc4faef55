"""B(Y) and B1(Y): greedy = LP (HiGHS), DP = MIP (HiGHS) = brute force, Theorem 3."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import random_gomory

from trade_opt.gomory.boundary import (
    BoundarySolver,
    boundary_B1_brute_force,
    boundary_B1_dp,
    boundary_B_greedy,
    knapsack_data,
)
from trade_opt.gomory.equilibria import all_specialized
from trade_opt.gomory.theorems import theorem3_check
from trade_opt.knapsack import KnapsackMIP, continuous_greedy, knapsack_brute_force, knapsack_dp, knapsack_dp_ge

GRID = np.linspace(0.03, 0.97, 25)


def test_greedy_equals_lp_and_dp_equals_mip_on_table1(table1):
    solver = BoundarySolver(table1)
    for Y in GRID:
        p = solver.at(float(Y))
        assert p.status_lp == "optimal/optimal" and p.status_mip == "optimal/optimal"
        assert p.B_greedy == pytest.approx(p.B_lp, abs=1e-9)
        assert p.B1_dp == pytest.approx(p.B1_mip, abs=1e-9)
        assert p.B1_dp <= p.B_greedy + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_dp_equals_mip_on_random_instances(seed):
    data = random_gomory(25, 10 + seed, by_country=seed == 2)
    solver = BoundarySolver(data, ("greedy", "dp", "mip"))
    for Y in np.linspace(0.05, 0.95, 15):
        p = solver.at(float(Y))
        assert p.B1_dp == pytest.approx(p.B1_mip, abs=1e-9)
        kd = knapsack_data(data, Y)
        # the reported x attains the value and is feasible in the direction it came from
        x = np.array(p.x_B1_dp)
        assert kd.constant[0] + kd.c[0] @ x == pytest.approx(p.B1_dp, abs=1e-12)
        load = kd.V[0] @ x
        assert (load <= kd.capacity[0] + 1e-12) if p.direction_dp == "<=" else (load >= kd.capacity[0] - 1e-12)


@pytest.mark.parametrize("n", [3, 6, 10, 14])
def test_dp_equals_brute_force_small_n(n):
    data = random_gomory(n, 1000 + n)
    for Y in np.linspace(0.04, 0.96, 12):
        assert boundary_B1_dp(data, Y)[0] == pytest.approx(boundary_B1_brute_force(data, float(Y)), abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_knapsack_dp_exact_both_directions(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 15))
    c, w = rng.normal(size=n), rng.uniform(0.01, 1.0, size=n)
    W = float(rng.uniform(0, w.sum()))
    assert knapsack_dp(c, w, W).value == pytest.approx(knapsack_brute_force(c, w, W).value, abs=1e-12)
    assert knapsack_dp_ge(c, w, W).value == pytest.approx(knapsack_brute_force(c, w, W, ">=").value, abs=1e-12)


def test_persistent_mip_tracks_parameter_changes():
    rng = np.random.default_rng(3)
    mip = KnapsackMIP(30)
    for _ in range(10):
        c, w = rng.normal(size=30), rng.uniform(0.1, 1.0, size=30)
        W = float(rng.uniform(1, 10))
        assert mip.solve(c, w, W).value == pytest.approx(knapsack_dp(c, w, W).value, abs=1e-9)


def test_greedy_fills_capacity_exactly(table1):
    kd = knapsack_data(table1, GRID)
    value, x = continuous_greedy(kd.c, kd.V, kd.capacity)
    assert np.abs((x * kd.V).sum(axis=1) - kd.capacity).max() <= 1e-14
    assert ((x > 1e-12) & (x < 1 - 1e-12)).sum(axis=1).max() <= 1
    B, _ = boundary_B_greedy(table1, GRID)
    assert B == pytest.approx(kd.constant + value)


@pytest.mark.parametrize("seed", range(4))
def test_theorem3_every_specialized_equilibrium_lies_under_B1_under_B(seed):
    data = random_gomory(9, 200 + seed, by_country=seed % 2 == 0)
    report = theorem3_check(data, all_specialized(data))
    assert report.checked == 2**9 - 2
    assert report.violations == 0


def test_theorem3_table1_and_equilibria_touch_B1(table1):
    batch = all_specialized(table1)
    report = theorem3_check(table1, batch)
    assert report.violations == 0
    # the maximizer at Y(x) is often x itself: the bound is tight somewhere
    assert report.max_u_minus_B1 > -1e-12


def test_B1_direction_switches_at_ricardo_level(table1):
    from trade_opt.gomory.ricardo import ricardo

    Y_R = ricardo(table1).ricardo_level
    solver = BoundarySolver(table1, ("dp",))
    assert solver.at(Y_R + 0.1).direction_dp == "<="   # above Y_R the paper's "<=" is the binding one
    assert solver.at(Y_R - 0.1).direction_dp == ">="   # below, reversed


def test_knapsack_data_rejects_open_ends(table1):
    for Y in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(ValueError):
            knapsack_data(table1, Y)


@pytest.mark.parametrize("seed", range(3))
def test_complement_formulation_equals_direct_at_moderate_Y(seed):
    """For Y < 1/2 B1 is solved in y = 1 - x (rows V.y >= Y and V.y <= Y); at moderate Y, where
    1 - Y loses nothing that matters, it equals the direct x formulation (rows V.x <= / >= 1 - Y)."""
    from trade_opt.gomory.boundary import trade_knapsacks
    from trade_opt.knapsack import knapsack_cover_dp

    data = random_gomory(12, 300 + seed)
    Y = np.linspace(0.05, 0.45, 9)
    kd = knapsack_data(data, Y)
    B1 = boundary_B1_dp(data, Y)
    for k in range(len(Y)):
        le, ge = trade_knapsacks(kd, k)
        assert (le.sense, ge.sense, le.complemented, le.rhs) == (">=", "<=", True, Y[k])
        direct = min(knapsack_dp(kd.c[k], kd.V[k], kd.capacity[k]).value,
                     knapsack_cover_dp(kd.c[k], kd.V[k], kd.capacity[k]).value)
        assert B1[k] == pytest.approx(kd.constant[k] + direct, abs=1e-12)


def test_cover_dp_equals_brute_force_with_ties_integers_and_vanishing_costs():
    """The covering DP (max c.x s.t. w.x >= W, no complement) against enumeration: integer weights
    (many ties), costs that vanish next to the values they are added to, W anywhere in [0, sum w]."""
    from trade_opt.knapsack import knapsack_cover_dp

    for seed in range(300):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 12))
        w = rng.integers(1, 6, n).astype(float) if seed % 2 else rng.uniform(0.01, 1.0, n)
        c = rng.normal(size=n)
        if seed % 3 == 0:
            c[rng.random(n) < 0.4] = -1e-20 * rng.random()
        W = float(rng.integers(0, int(w.sum()) + 1)) if seed % 2 else float(rng.uniform(0, w.sum()))
        dp, brute = knapsack_cover_dp(c, w, W), knapsack_brute_force(c, w, W, ">=")
        assert dp.value == pytest.approx(brute.value, abs=1e-12), seed
        assert w @ dp.x >= W * (1 - 1e-12) and c @ dp.x == pytest.approx(dp.value, abs=1e-12)
