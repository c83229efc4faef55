"""The exact parametric B1 trace equals the per-point DP and brute force; pieces tile the range; breakpoints certified."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import random_gomory

from trade_opt.gomory.b1_trace import BREAK_TOL, B1Trace, _expit, b1_at_many_Y
from trade_opt.gomory.boundary import b1_directions_dp, boundary_B1_brute_force, boundary_B1_dp


@pytest.fixture(scope="module", params=[(9, 1), (12, 5), (14, 6)], ids=["n9", "n12", "n14"])
def traced(request):
    n, seed = request.param
    data = random_gomory(n, seed)
    return data, B1Trace(data, 0.05, 0.95, grid=9)


def test_trace_equals_dp_at_random_Y(traced):
    data, trace = traced
    Y = np.random.default_rng(0).uniform(0.05, 0.95, 60)
    got, X = trace.evaluate(Y)
    ref = boundary_B1_dp(data, Y)
    assert np.abs(got - ref).max() <= 1e-12
    assert X.shape == (60, data.n)


def test_trace_equals_brute_force(traced):
    data, trace = traced
    Y = np.random.default_rng(1).uniform(0.05, 0.95, 8)
    got = trace.evaluate(Y)[0]
    ref = np.array([boundary_B1_brute_force(data, y) for y in Y])
    assert np.abs(got - ref).max() <= 1e-12


def test_pieces_tile_the_range(traced):
    _, trace = traced
    for direction in ("<=", ">="):
        pieces = trace.pieces(direction)
        assert pieces[0][0] == pytest.approx(0.05, rel=1e-14) and pieces[-1][1] == pytest.approx(0.95, rel=1e-14)
        for (a0, b0, _), (a1, _, _) in zip(pieces[:-1], pieces[1:]):
            assert b0 == a1 and a0 <= b0


def test_breakpoints_certified_by_dp_on_both_sides(traced):
    data, trace = traced
    for k, tr in enumerate(trace.directions):
        assert len(tr.breakpoints) == len(tr.X) - 1
        for bp, x_left, x_right in zip(tr.breakpoints, tr.X[:-1], tr.X[1:]):
            assert bp.left_t <= bp.t <= bp.right_t and bp.right_t - bp.left_t <= BREAK_TOL * max(1.0, abs(bp.t)) * 1.01
            for t, x in ((bp.left_t, x_left), (bp.right_t, x_right)):
                sol = b1_directions_dp(data, _expit(t))[k]
                # the piece's x is optimal there: its value equals the DP optimum
                from trade_opt.gomory.boundary import knapsack_data
                c = knapsack_data(data, _expit(t)).c[0]
                assert float(c @ x) == pytest.approx(sol.value, abs=1e-12)


def test_b1_at_many_Y_equals_dp():
    data = random_gomory(10, 8)
    Y = np.random.default_rng(2).uniform(0.2, 0.8, 30)
    assert np.abs(b1_at_many_Y(data, Y) - boundary_B1_dp(data, Y)).max() <= 1e-12


def test_out_of_range_Y_is_an_error(traced):
    _, trace = traced
    with pytest.raises(ValueError):
        trace.evaluate(np.array([0.01]))


def test_per_country_exponents_are_refused():
    with pytest.raises(ValueError, match="one exponent per good"):
        B1Trace(random_gomory(6, 1, by_country=True))


@pytest.mark.parametrize("kind", ["uncorrelated", "correlated", "gomory"])
def test_dp_with_reduced_cost_fixing_equals_brute_force(kind, monkeypatch):
    """Both exact DPs fix items by LP bounds before the DP; the optimum is unchanged (= brute force)."""
    from trade_opt.gomory.boundary import knapsack_data, trade_knapsacks
    from trade_opt.knapsack import exact as K
    from trade_opt.knapsack import reduce

    fixed = []
    real = K._fix_by_lp_bounds

    def spy(*args):
        one, zero = real(*args)
        fixed.append(int(one.sum() + zero.sum()))
        return one, zero

    for module in (K, reduce):                         # the DPs call it directly and through _fix_packing
        monkeypatch.setattr(module, "_fix_by_lp_bounds", spy)
    rng = np.random.default_rng(11)
    for trial in range(25):
        n = 16
        if kind == "gomory":
            kd = knapsack_data(random_gomory(n, 900 + trial), rng.uniform(0.1, 0.9))
            problems = [(p.values, p.weights, p.rhs, p.sense) for p in trade_knapsacks(kd)]
        else:
            w = rng.uniform(0.1, 1.0, n)
            v = w + rng.uniform(-0.05, 0.05, n) if kind == "correlated" else rng.uniform(-0.5, 1.0, n)
            problems = [(v, w, 0.4 * w.sum(), "<="), (v - 0.6, w, 0.4 * w.sum(), ">=")]
        for values, weights, rhs, sense in problems:
            dp = (K.knapsack_dp if sense == "<=" else K.knapsack_cover_dp)(values, weights, rhs)
            brute = K.knapsack_brute_force(values, weights, rhs, sense)
            assert dp.value == pytest.approx(brute.value, abs=1e-12)
            if np.isfinite(dp.value):
                assert float(values @ dp.x) == pytest.approx(dp.value, abs=1e-12)
                load = float(weights @ dp.x)
                assert load <= rhs * (1 + 1e-11) if sense == "<=" else load >= rhs * (1 - 1e-11)
    assert sum(f > 0 for f in fixed) >= 5                                       # the fixing did fix items


def test_ortools_bounded_within_its_proven_bound_of_brute_force():
    pytest.importorskip("ortools")
    from trade_opt import knapsack as K

    rng = np.random.default_rng(5)
    by_ortools = 0
    for trial in range(40):
        w = rng.uniform(0.1, 1.0, 14)
        v = w + rng.uniform(-0.05, 0.05, 14) if trial % 2 else rng.uniform(-0.5, 1.0, 14)
        for sense, values in (("<=", v), (">=", v - 0.6)):
            got = K.knapsack_ortools_bounded(values, w, 0.4 * w.sum(), sense)
            brute = K.knapsack_brute_force(values, w, 0.4 * w.sum(), sense)
            assert got is not None
            sol, delta = got
            assert 0 <= delta <= 1e-13                  # 0: the fixing decided every item (exact)
            by_ortools += delta > 0
            assert brute.value - delta - 1e-15 <= sol.value <= brute.value + 1e-15
            assert float(values @ sol.x) == sol.value
    assert by_ortools >= 20                            # the branch and bound ran on most of them


def test_trace_with_ortools_equals_the_dp_trace():
    pytest.importorskip("ortools")
    data = random_gomory(14, 6)
    exact = B1Trace(data, 0.05, 0.95, grid=9)
    fast = B1Trace(data, 0.05, 0.95, grid=9, solver="ortools")
    assert fast.ortools_calls > 0 and 0 < fast.value_error_bound <= 1e-13
    Y = np.random.default_rng(4).uniform(0.05, 0.95, 60)
    assert np.abs(fast.evaluate(Y)[0] - boundary_B1_dp(data, Y)).max() <= 1e-12
    for a, b in zip(fast.directions, exact.directions):
        assert np.array_equal(a.X, b.X) and np.abs(a.edges - b.edges).max() <= BREAK_TOL
    with pytest.raises(ValueError, match="solver"):
        B1Trace(data, 0.1, 0.9, solver="cplex")


def test_trace_refuses_a_production_kind_it_does_not_model():
    """The trace's lines K_x + S_x logit(Y) are the power law's: a set-up interval is refused in one
    line naming the argument, never traced wrongly."""
    from trade_opt.errors import ArgumentError
    from trade_opt.instances import load_instance
    from conftest import INSTANCES

    data = load_instance(INSTANCES / "gomory_table1_setup.toml").data()
    with pytest.raises(ArgumentError, match="^data: .*power_with_setup"):
        B1Trace(data)
    barrier = load_instance(INSTANCES / "gomory_table1_barrier.toml").data()
    power = load_instance(INSTANCES / "gomory_table1.toml").data()
    Y = np.linspace(0.3, 0.4, 7)   # barrier = power for B1 (the paper's Observation)
    (b_barrier, x_barrier), (b_power, x_power) = (B1Trace(d, 0.3, 0.4, grid=5).evaluate(Y) for d in (barrier, power))
    assert np.array_equal(b_barrier, b_power) and np.array_equal(x_barrier, x_power)


@pytest.mark.parametrize("kind", ["uncorrelated", "correlated", "gomory"])
def test_dp_with_an_incumbent_equals_brute_force(kind):
    """A known x (the optimum itself, a random one, all ones, all zeros: feasible or not) only sets the
    fixing's lower bound: the DP's optimum is brute force's, and it fixes more items with the optimum."""
    from trade_opt import knapsack as K
    from trade_opt.gomory.boundary import knapsack_data, trade_knapsacks

    rng = np.random.default_rng(12)
    for trial in range(15):
        n = 16
        if kind == "gomory":
            kd = knapsack_data(random_gomory(n, 700 + trial), rng.uniform(0.1, 0.9))
            problems = [(p.values, p.weights, p.rhs, p.sense) for p in trade_knapsacks(kd)]
        else:
            w = rng.uniform(0.1, 1.0, n)
            v = w + rng.uniform(-0.05, 0.05, n) if kind == "correlated" else rng.uniform(-0.5, 1.0, n)
            problems = [(v, w, 0.4 * w.sum(), "<="), (v - 0.6, w, 0.4 * w.sum(), ">=")]
        for values, weights, rhs, sense in problems:
            dp = K.knapsack_dp if sense == "<=" else K.knapsack_cover_dp
            brute = K.knapsack_brute_force(values, weights, rhs, sense)
            for incumbent in (brute.x, rng.integers(0, 2, n).astype(float), np.ones(n), np.zeros(n)):
                got = dp(values, weights, rhs, incumbent)
                assert got.value == pytest.approx(brute.value, abs=1e-12)
                if np.isfinite(got.value):
                    assert float(values @ got.x) == pytest.approx(got.value, abs=1e-12)
                    load = float(weights @ got.x)
                    assert load <= rhs * (1 + 1e-11) if sense == "<=" else load >= rhs * (1 - 1e-11)


@pytest.mark.parametrize("sense", ["<=", ">="])
def test_meet_in_the_middle_equals_the_list_dp_and_brute_force(sense, monkeypatch):
    """Small cores are solved by meet in the middle over non-dominated half lists; larger ones by the
    list DP: both equal brute force (the list DP forced by MITM_MAX_ITEMS = 0), also on a large core."""
    from trade_opt.knapsack import exact as K

    rng = np.random.default_rng(21)
    dp = K.knapsack_dp if sense == "<=" else K.knapsack_cover_dp
    for trial in range(12):
        n = 15
        w = rng.uniform(0.1, 1.0, n)
        v = (w + rng.uniform(-0.02, 0.02, n)) if trial % 2 else rng.uniform(-0.5, 1.0, n)
        values = v if sense == "<=" else v - 0.8
        rhs = rng.uniform(0.2, 0.6) * w.sum()
        brute = K.knapsack_brute_force(values, w, rhs, sense)
        mitm = dp(values, w, rhs)
        monkeypatch.setattr(K, "MITM_MAX_ITEMS", 0)
        listed = dp(values, w, rhs)
        monkeypatch.setattr(K, "MITM_MAX_ITEMS", 64)
        for got in (mitm, listed):
            assert got.value == pytest.approx(brute.value, abs=1e-12)
            assert float(values @ got.x) == pytest.approx(got.value, abs=1e-12)
    w = rng.uniform(0.1, 1.0, 60)                      # a core of ~60 items: the list DP
    v = w + rng.uniform(-1e-3, 1e-3, 60)
    values = v if sense == "<=" else v - 1.0
    big = dp(values, w, 0.5 * w.sum())
    monkeypatch.setattr(K, "MITM_MAX_ITEMS", 0)
    small = dp(values, w, 0.5 * w.sum())
    assert big.value == pytest.approx(small.value, abs=1e-12)


def test_meet_in_the_middle_gives_up_to_the_list_dp(monkeypatch):
    """A half list longer than MITM_MAX_STATES sends the core to the list DP: same optimum as brute force."""
    from trade_opt.knapsack import exact as K
    from trade_opt.knapsack import mitm

    rng = np.random.default_rng(22)
    w = rng.uniform(0.1, 1.0, 15)
    v = w + 0.1
    monkeypatch.setattr(mitm, "MITM_MAX_STATES", 1)
    assert mitm._meet_in_the_middle(w, v, 0.0, "<=", 0.5 * w.sum()) is None
    for values, sense in ((v, "<="), (v - 1.0, ">=")):
        got = (K.knapsack_dp if sense == "<=" else K.knapsack_cover_dp)(values, w, 0.5 * w.sum())
        assert got.value == pytest.approx(K.knapsack_brute_force(values, w, 0.5 * w.sum(), sense).value, abs=1e-12)
