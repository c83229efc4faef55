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
