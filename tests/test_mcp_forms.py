"""Every Complementarity form the layer accepts (pyomo.mpec's own plus the AMPL/GAMS-style forms
of MCPLIB), each on a tiny MCP whose solution is worked out by hand in the comment, and the
one-line errors for forms and inputs it refuses."""
from __future__ import annotations

import math

import pyomo.environ as pyo
import pytest
from pyomo.mpec import Complementarity, complements

from trade_opt.errors import TradeOptError
from trade_opt.mcp import complementarity_pairs, solve
from trade_opt.mcp.system import build_system

INF = float("inf")


def _solve(m, **kw):
    result = solve(m, tol=1e-12, **kw)
    assert result.status == "solved", result.message
    return result


def test_bare_var_bounds_from_domain_and_declared_upper_bound():
    m = pyo.ConcreteModel()
    m.q = pyo.Var(within=pyo.NonNegativeReals, initialize=5.0)
    m.y = pyo.Var(bounds=(None, 3.0), initialize=0.0)
    # nash-style: q >= 0 (domain) perp q - 2 >= 0 -> q = 2
    m.a = Complementarity(expr=complements(m.q, 0 <= m.q - 2))
    # y <= 3 (declared) perp y - 5 <= 0: interior needs y = 5 > 3, so y = 3 with F = y - 5 = -2 <= 0
    m.b = Complementarity(expr=complements(m.y, m.y - 5 <= 0))
    kinds = {p.name: (p.kind, p.lb, p.ub) for p in complementarity_pairs(m)}
    assert kinds == {"a": ("lower", 0.0, INF), "b": ("upper", -INF, 3.0)}
    _solve(m)
    assert abs(m.q.value - 2.0) <= 1e-12 and abs(m.y.value - 3.0) <= 1e-12


def test_inequality_with_infinite_ends_against_a_bare_expression():
    m = pyo.ConcreteModel()
    m.p = pyo.Var(initialize=4.0)
    m.r = pyo.Var(initialize=0.0)
    # choi-style: 1 <= p <= inf perp p - 0.5: F(1) = 0.5 > 0, so p = 1
    m.a = Complementarity(expr=complements(pyo.inequality(1.0, m.p, INF), m.p - 0.5))
    # -inf <= r <= 2 perp r - 3: F(2) = -1 <= 0 at the upper bound, so r = 2
    m.b = Complementarity(expr=complements(pyo.inequality(-INF, m.r, 2.0), m.r - 3))
    kinds = {p.name: (p.kind, p.lb, p.ub) for p in complementarity_pairs(m)}
    assert kinds == {"a": ("lower", 1.0, INF), "b": ("upper", -INF, 2.0)}
    _solve(m)
    assert abs(m.p.value - 1.0) <= 1e-12 and abs(m.r.value - 2.0) <= 1e-12


def test_expression_against_expression_via_slack_and_equality_with_free_var():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.0)
    m.y = pyo.Var(initialize=1.0)
    # s = x + y - 1 >= 0 perp x - y >= 0, and y = 0.2 (equation matched with the free y):
    # s = 0 gives x = 0.8, F = 0.6 >= 0; F = 0 would need x = 0.2, s = -0.6 < 0
    m.a = Complementarity(expr=complements(m.x + m.y >= 1, m.x - m.y >= 0))
    m.b = Complementarity(expr=complements(m.y, m.y - 0.2 == 0))
    _solve(m)
    assert abs(m.x.value - 0.8) <= 1e-12 and abs(m.y.value - 0.2) <= 1e-12


def test_equality_side_in_either_order_and_without_a_variable():
    m = pyo.ConcreteModel()
    m.z = pyo.Var(initialize=1.0)
    m.u = pyo.Var(initialize=1.0)
    m.a = Complementarity(expr=complements(m.z ** 3 == 8, m.z))  # z = 2
    m.b = Complementarity(expr=complements(m.z + m.u == 5, m.z + 1))  # Pyomo ignores the other side
    entries = complementarity_pairs(m, include_equations=True)
    assert [(p.name, p.kind) for p in entries] == [("a", "free"), ("b", "equation")]
    _solve(m)
    assert abs(m.z.value - 2.0) <= 1e-12 and abs(m.u.value - 3.0) <= 1e-12


def test_ranged_expression_with_free_variable():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.0)
    m.w = pyo.Var(initialize=0.0)
    # 0 <= x + 1 <= 4 perp w (free), x - 2 w = 5: w = 0 needs x = 5 (x + 1 = 6 > 4);
    # at the upper end x = 3, w = -1 <= 0 as required
    m.a = Complementarity(expr=complements(pyo.inequality(0, m.x + 1, 4), m.w))
    m.b = Complementarity(expr=complements(m.x, m.x - 2 * m.w == 5))
    (pair,) = [p for p in complementarity_pairs(m) if p.name == "a"]
    assert (pair.kind, pair.lb, pair.ub) == ("slack", 0.0, 4.0)
    _solve(m)
    assert abs(m.x.value - 3.0) <= 1e-12 and abs(m.w.value + 1.0) <= 1e-12


def test_fixed_and_degenerate_bound_vars_are_data_and_unset_vars_start_projected():
    m = pyo.ConcreteModel()
    m.a = pyo.Var(initialize=2.0)
    m.a.fix()
    m.b = pyo.Var(bounds=(1.5, 1.5))  # lb == ub, outside every pair: data (fixed at 1.5)
    m.x = pyo.Var(range(2), bounds=(1.0, None))  # no initial value: starts at proj(0) = 1
    m.c0 = Complementarity(expr=complements(m.x[0] >= 1, m.x[0] - m.a >= 0))  # x0 = 2
    m.c1 = Complementarity(expr=complements(m.x[1] >= 1, m.x[1] - m.b >= 0))  # x1 = 1.5
    system = build_system(m)
    assert system.names == ["x[0]", "x[1]"]
    assert list(system.x_from_model()) == [1.0, 1.0]
    _solve(m)
    assert abs(m.x[0].value - 2.0) <= 1e-12 and abs(m.x[1].value - 1.5) <= 1e-12


@pytest.mark.parametrize("make, message", [
    (lambda m: complements(m.x >= 0, pyo.inequality(0, m.x - 1, 1)), r"c: unsupported complementarity form: variable x with 1 finite bound against an expression with 2 finite bounds"),
    (lambda m: complements(m.x - 1 == 0, m.x + 1 == 0), r"c: unsupported complementarity form: both sides are equalities"),
    (lambda m: complements(m.x, m.x - 1 >= 0), r"c: a free variable paired with an inequality"),
    (lambda m: complements(m.x ** 2, m.x + 1), r"c: unsupported complementarity form: an expression with 0 finite bounds against an expression"),
    (lambda m: complements(m.x >= 0, m.x == 1), r"c: unsupported complementarity form: an equality paired with variable x with 1 finite bound"),
])
def test_unsupported_forms_name_component_and_form(make, message):
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = Complementarity(expr=make(m))
    with pytest.raises(TradeOptError, match=message):
        solve(m)


def _ok_model():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = Complementarity(expr=complements(m.x >= 0, m.x - 1 >= 0))
    return m


def test_bad_inputs_one_line_each():
    plain = pyo.ConcreteModel()
    plain.x = pyo.Var(initialize=1.0)
    plain.e = pyo.Constraint(expr=plain.x == 1)
    with pytest.raises(TradeOptError, match="no active Complementarity"):
        solve(plain)
    m = _ok_model()
    m.y = pyo.Var(initialize=0.0)
    m.e = pyo.Constraint(expr=m.x + m.y == 1)
    m.e2 = pyo.Constraint(expr=m.x - m.y == 1)
    with pytest.raises(TradeOptError, match="not square"):
        solve(m)
    for bad in (0.0, -1e-8, math.nan, math.inf):
        with pytest.raises(TradeOptError, match="tol must be a positive finite number"):
            solve(_ok_model(), tol=bad)
    nan_start = _ok_model()
    nan_start.x.set_value(math.nan, skip_validation=True)
    with pytest.raises(TradeOptError, match=r"start 0: x = nan is not a finite number"):
        solve(nan_start)
    with pytest.raises(TradeOptError, match=r"start 1: x = inf"):
        solve(_ok_model(), starts=[{"x": 2.0}, {"x": math.inf}])
    for err in (TradeOptError,):
        try:
            solve(_ok_model(), tol=math.nan)
        except err as exc:
            assert "\n" not in str(exc)


def test_every_form_through_the_plugin():
    m = pyo.ConcreteModel()
    m.q = pyo.Var(within=pyo.NonNegativeReals)
    m.p = pyo.Var()
    m.a = Complementarity(expr=complements(m.q, 0 <= m.q + m.p - 2))
    m.b = Complementarity(expr=complements(pyo.inequality(0.5, m.p, INF), m.p - m.q))
    # q >= 0 perp q + p - 2 >= 0; p >= 0.5 perp p - q: interior p = q = 1
    res = pyo.SolverFactory("trade_opt_mcp").solve(m, options={"tol": 1e-12})
    assert pyo.check_optimal_termination(res) and res.solver.residual <= 1e-12
    assert abs(m.q.value - 1.0) <= 1e-12 and abs(m.p.value - 1.0) <= 1e-12
