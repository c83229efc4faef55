"""The status rule of trade_opt.mcp.solve cannot be gamed by point-dependent row scaling.

Regression for the Krugman report: with row divisors taken from the Jacobian *at the candidate*,
a point on the no-income ray of the North-South model (theta = 0.15; p, w_S -> inf, Y -> 0) had a
scaled residual 9.2e-11 <= 1e-10 and was reported "solved" although its unscaled natural residual
is 4.9e-3 and Walras' law fails by 2.2%.  The rule now (models/mcp.md, "statuses"): divisors
``min(s_i, sigma_i(x))`` with ``s_i`` fixed per call at the start points and ``sigma_i(x)`` the
magnitude of the row's additive terms.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import trade_opt  # noqa: F401  (sets PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo

from trade_opt.instances import load_instance
from trade_opt.krugman import mcp_model as mm
from trade_opt.krugman import outsourcing as ns
from trade_opt.mcp import solve
from trade_opt.mcp.residual import Acceptance, reference_scales, residual_at
from trade_opt.mcp.system import build_system

TOL = 1e-10
ROOT = Path(__file__).resolve().parents[1]
KEYS = ("Y", "n", "p", "c", "c_star", "w_S")
# the point the layer reported "solved" before the fix (full precision, from the report's reproduction)
RAY = {"Y": 2.0056431570568e-06, "n": 102.20013570164706, "p": 586580.2122324527, "c": 1.6680641448873838e-08,
       "c_star": 2.925317719464392e-10, "w_S": 351947.1273394716}


def _theta015():
    return load_instance(ROOT / "instances" / "krugman_default.toml").with_values(theta=0.15).data()


def _closed_economy_start(d):
    """The closed economy's equilibrium at equal wages (w_S = 1): the start that drifted to the ray."""
    th, b = d.theta, d.b_A
    Y = d.alpha * th / ((1 - th) * b)
    return {"Y": Y, "n": (1 - th) * d.L / d.alpha, "p": b / th, "c": (1 - d.mu) * Y / d.L,
            "c_star": d.mu * Y / d.L_star, "w_S": 1.0}


def _values(model):
    return {k: float(pyo.value(getattr(model, k))) for k in KEYS}


def test_krugman_ray_point_is_not_solved_even_as_its_own_reference():
    d = _theta015()
    assert mm.relative_pair_residual(d, RAY) > 0.1 and ns.walras_residual(d, RAY) > 0.02
    system = build_system(mm.build_north_south_model(d, RAY))
    x = system.x_from_model()
    # the old point-local scaling is fooled there ...
    assert residual_at(system, x) <= TOL
    # ... the acceptance rule is not, even with the ray point itself as the reference (worst case)
    parts = Acceptance(system, reference_scales(system, [x])).parts(x)
    assert parts["residual_unscaled"] > 4e-3
    assert parts["residual"] > 1e-3
    # and trade_opt.mcp.solve started exactly there does not report it as a solution
    result = solve(mm.build_north_south_model(d, RAY), starts=[RAY], tol=TOL)
    for sol in result.solutions:
        if sol.status == "solved":
            assert sol.values["p"] < 1e3 and mm.relative_pair_residual(d, sol.values) <= 1e-9
            assert sol.residual_unscaled <= TOL


def test_krugman_closed_economy_start_no_longer_reports_the_ray():
    """Called directly (no krugman acceptance guard): from the closed-economy start the layer must
    not call a ray point solved; it now reaches the true equilibrium (omega = 1/w_S = 0.5)."""
    d = _theta015()
    start = _closed_economy_start(d)
    model = mm.build_north_south_model(d, start)
    result = solve(model, starts=[start], tol=TOL)
    values = _values(model)
    if result.status == "solved":
        assert values["p"] < 1e3
        assert result.residual <= TOL and result.residual_unscaled <= TOL
        assert mm.relative_pair_residual(d, values) <= 1e-9 and ns.walras_residual(d, values) <= 1e-10
    assert all(s.values["p"] < 1e3 for s in result.solutions if s.status == "solved")
    assert result.status == "solved"  # observed: the true equilibrium, unscaled residual ~1e-14


def test_krugman_good_start_still_solves_to_tol():
    d = _theta015()
    start = mm.north_south_start(d, 0.3)
    model = mm.build_north_south_model(d, start)
    result = solve(model, starts=[start], tol=TOL)
    assert result.status == "solved"
    assert result.residual <= TOL and result.residual_unscaled <= TOL
    values = _values(model)
    assert mm.relative_pair_residual(d, values) <= 1e-9 and ns.walras_residual(d, values) <= 1e-10
    eq = ns.equilibrium_from_values(d, values)
    cf = ns.closed_form(d)
    assert eq.omega == pytest.approx(cf.omega, rel=1e-9) and eq.p == pytest.approx(cf.p, rel=1e-9)


def _no_root_model(u0: float):
    """u v = 1 and 1e-3 + u^2 v - u = 0: no root (on the first curve the second row is 1e-3), but
    along u -> inf the second row's Jacobian (2uv - 1, u^2) grows like u^2, so a residual scaled
    by the Jacobian at the candidate tends to 0: a spurious "solution at infinity"."""
    from pyomo.mpec import Complementarity, complements

    m = pyo.ConcreteModel()
    m.u = pyo.Var(initialize=u0)
    m.v = pyo.Var(initialize=1.0 / u0)
    # free variables matched with equations (a model without any Complementarity is refused)
    m.h1 = Complementarity(expr=complements(m.u, m.u * m.v - 1 == 0))
    m.h2 = Complementarity(expr=complements(m.v, 1e-3 + m.u ** 2 * m.v - m.u == 0))
    return m


def test_spurious_solution_at_infinity_is_not_solved():
    m = _no_root_model(1e5)
    system = build_system(m)
    x0 = system.x_from_model()
    assert residual_at(system, x0) <= TOL  # point-local scaling: 1e-13 at the start
    result = solve(m, tol=TOL)
    assert result.status != "solved"
    assert result.residual > TOL and result.residual_unscaled > 1e-4
    # the fixed reference alone (a good start) rejects every point of the curve u v = 1
    good = Acceptance(system, reference_scales(system, [np.array([1.0, 1.0])]))
    for t in (1e3, 1e6, 1e9):
        x = np.array([t, 1.0 / t]) if system.names[0] == "u" else np.array([1.0 / t, t])
        assert residual_at(system, x) < 1e-8
        assert good(x) >= 1e-3 * (1 - 1e-9)


def test_badly_scaled_rows_still_reach_tol():
    """Rows of magnitude 1e3..1e6 (prices in thousands): the acceptance residual still reaches 1e-10."""
    from pyomo.mpec import Complementarity, complements

    m = pyo.ConcreteModel()
    m.p = pyo.Var([1, 2], initialize=1.0)
    m.y = pyo.Var(initialize=1.0)
    m.a = Complementarity(expr=complements(m.p[1] >= 0, 3e3 * m.y - 2e3 * m.p[1] >= 0))
    m.b = Complementarity(expr=complements(m.p[2] >= 0, 1e6 - 1e3 * m.p[2] * m.y >= 0))
    m.c = Complementarity(expr=complements(m.y >= 0, 1e3 * m.p[2] - 5e3 * m.p[1] >= 0))
    result = solve(m, tol=TOL)
    assert result.status == "solved" and result.residual <= TOL
    assert np.isfinite(result.residual_unscaled)
