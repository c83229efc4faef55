"""The shared natural residual and the one multi-start driver of trade_opt.mcp."""
from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.mpec import Complementarity, complements

from trade_opt.errors import TradeOptError
from trade_opt.mcp import multistart, natural_residual_array
from trade_opt.mcp.residual import natural_residual_components


def _by_definition(x, F, lb, ub):
    """max_i |x_i - mid(lb_i, ub_i, x_i - F_i)|, mid by sorting the three numbers."""
    mids = [sorted((a, b, c))[1] for a, b, c in zip(lb, ub, x - F)]
    return max(abs(xi - m) for xi, m in zip(x, mids))


@pytest.mark.parametrize("kind", ["lower", "upper", "box", "mixed"])
def test_natural_residual_array_is_the_mid_definition(kind):
    rng = np.random.default_rng({"lower": 1, "upper": 2, "box": 3, "mixed": 4}[kind])
    n = 200
    x, F = rng.normal(size=n) * 3, rng.normal(size=n) * 3
    lb, ub = -rng.random(n), 1.0 + rng.random(n)
    if kind == "lower":
        ub = np.full(n, np.inf)
    elif kind == "upper":
        lb = np.full(n, -np.inf)
    elif kind == "mixed":
        lb[::3], ub[1::3] = -np.inf, np.inf
    got = natural_residual_array(x, F, lb, ub)
    assert got == pytest.approx(_by_definition(x, F, lb, ub), rel=1e-15, abs=1e-15)
    # exact min(x - lb, F) for lower bounds only: no cancellation in x - (x - F)
    if kind == "lower":
        assert np.array_equal(natural_residual_components(x, F, lb, ub), np.minimum(x - lb, F))


def test_natural_residual_array_zero_at_a_solution_and_defaults():
    # x >= 0 perp F: x = (0, 2, 0) with F = (3, 0, 0); box [0, 1] with x at ub and F < 0
    assert natural_residual_array([0.0, 2.0, 0.0], [3.0, 0.0, 0.0]) == 0.0
    assert natural_residual_array([1.0, 0.0, 0.5], [-2.0, 4.0, 0.0], lb=0.0, ub=1.0) == 0.0
    assert natural_residual_array([2.0, 0.0], [1e-9, 3.0]) == 1e-9  # max |min(x, F)|, exact
    assert natural_residual_array([], []) == 0.0
    assert natural_residual_array([1.0, 5.0], [0.0, -1.0], ub=[np.inf, 4.0]) == 1.0  # x above its ub


def _two_root_model() -> pyo.ConcreteModel:
    """x >= 0 perp F(x) = -(x - 1)(x - 2): solutions x = 1 and x = 2 only (F(0) = -2 < 0)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(domain=pyo.NonNegativeReals, initialize=0.5)
    m.pair = Complementarity(expr=complements(m.x >= 0, -(m.x - 1) * (m.x - 2) >= 0))
    return m


def test_multistart_returns_the_distinct_solutions():
    m = _two_root_model()
    res = multistart(m, [{"x": 0.9}, {"x": 1.1}, {"x": 1.9}, {"x": 2.2}], tol=1e-10)
    roots = sorted(s.values["x"] for s in res.solutions if s.status == "solved")
    assert res.ok and roots == pytest.approx([1.0, 2.0], abs=1e-12)
    assert res.iterations["starts"] == 4
    # accept keeps only the larger root; the reported (loaded) solution is accepted
    big = multistart(m, [{"x": 0.9}, {"x": 2.2}], tol=1e-10, accept=lambda s: s.values["x"] > 1.5)
    assert big.ok and [s.values["x"] for s in big.solutions] == pytest.approx([2.0], abs=1e-12)
    assert pyo.value(m.x) == pytest.approx(2.0, abs=1e-12)


def test_multistart_stop_on_first_with_a_builder():
    built = []

    def build(start):
        built.append(_two_root_model())
        built[-1].x.set_value(start["x"])
        return built[-1]

    res = multistart(build, [{"x": 0.9}, {"x": 2.2}, {"x": 1.9}], accept=lambda s: s.values["x"] > 1.5,
                     stop_on_first=True)
    assert res.ok and res.values["x"] == pytest.approx(2.0, abs=1e-12)
    assert res.iterations["starts"] == 2 and len(built) == 2  # the first start (root 1) rejected, third untried
    with pytest.raises(TradeOptError, match="builder needs at least one start"):
        multistart(build, [])


def test_multistart_without_starts_is_one_warm_start():
    m = _two_root_model()
    m.x.set_value(2.1)
    res = multistart(m, None)
    assert res.ok and res.iterations["starts"] == 1 and pyo.value(m.x) == pytest.approx(2.0, abs=1e-12)
