"""Productivity distributions: J = 1 - G and V = int_t x^s dG against numerical quadrature, and the
Pyomo forms used by the MCP against the numpy forms."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from trade_opt.melitz.distributions import Lognormal, Pareto, TruncatedPareto

S = 2.0  # sigma - 1 at the note's DEFAULT
DISTS = [
    Pareto(b=1.0, k=4.0),
    Pareto(b=0.7, k=2.3),
    TruncatedPareto(b=1.0, k=4.0, theta_max=4.0),
    TruncatedPareto(b=0.5, k=1.2, theta_max=9.0),  # k < s: allowed once truncated
    TruncatedPareto(b=1.0, k=2.0, theta_max=5.0),  # k = s: the log branch of V
    Lognormal(loc=0.0, scale=0.5),
    Lognormal(loc=0.3, scale=0.9),
]


def _points(dist):
    lo = dist.lower if dist.lower > 0 else 0.2
    hi = dist.upper if math.isfinite(dist.upper) else 6.0 * max(lo, 1.0)
    return np.linspace(lo, hi, 7)


def _integrate(f, t, dist):
    upper = dist.upper
    if math.isfinite(upper):
        return quad(f, t, upper, epsabs=0, epsrel=1e-13, limit=200)[0]
    return quad(f, t, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]


@pytest.mark.parametrize("dist", DISTS, ids=repr)
def test_J_and_V_match_quadrature(dist):
    for t in _points(dist):
        J_num = _integrate(lambda x: float(dist.pdf(x)), t, dist)
        V_num = _integrate(lambda x: x**S * float(dist.pdf(x)), t, dist)
        assert float(dist.J(t)) == pytest.approx(J_num, rel=1e-9, abs=1e-13)
        assert float(dist.V(t, S)) == pytest.approx(V_num, rel=1e-9, abs=1e-13)


@pytest.mark.parametrize("dist", DISTS, ids=repr)
def test_density_integrates_to_one_and_J_is_one_below_support(dist):
    lo = dist.lower
    total = _integrate(lambda x: float(dist.pdf(x)), lo, dist)
    assert total == pytest.approx(1.0, rel=1e-10)
    assert float(dist.J(lo)) == pytest.approx(1.0, abs=1e-15)
    if lo > 0:
        assert float(dist.J(0.5 * lo)) == 1.0 and float(dist.V(0.5 * lo, S)) == pytest.approx(float(dist.V(lo, S)))


def test_upper_end_and_overflow_safety():
    tp = TruncatedPareto(b=1.0, k=4.0, theta_max=4.0)
    assert float(tp.J(4.0)) == 0.0 and float(tp.V(4.0, S)) == 0.0
    assert float(tp.J(100.0)) == 0.0
    p = Pareto(b=1.0, k=4.0)
    # huge productivities: no overflow, J and V go to 0 (powers via logs)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert float(p.J(1e300)) == 0.0 and float(p.V(1e300, S)) == 0.0
    assert float(p.J(np.inf)) == 0.0 and float(p.V(np.inf, S)) == 0.0
    assert float(Lognormal(0.0, 0.5).J(np.inf)) == 0.0


@pytest.mark.parametrize("dist", [d for d in DISTS if d.has_pyomo_form], ids=repr)
def test_pyomo_forms_equal_numpy_forms(dist):
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.t = pyo.Var(initialize=1.0)
    m.u = pyo.Var(initialize=1.0)
    Jt, Vt = dist.pyomo_JV_t(m.t, S)
    Ju, Vu = dist.pyomo_JV_u(m.u, S)
    for t in _points(dist)[:-1]:
        m.t.value, m.u.value = float(t), float(t) ** (-S)
        for expr, ref in ((Jt, dist.J(t)), (Vt, dist.V(t, S)), (Ju, dist.J(t)), (Vu, dist.V(t, S))):
            assert pyo.value(expr) == pytest.approx(float(ref), rel=1e-12, abs=1e-14)
    # u = u_min is theta_o = upper end: nobody above, J_o = V_o = 0
    m.u.value = dist.u_min(S)
    if m.u.value > 0:
        assert abs(pyo.value(Ju)) < 1e-14 and abs(pyo.value(Vu)) < 1e-14


def test_lognormal_has_no_pyomo_form():
    assert not Lognormal(0.0, 0.5).has_pyomo_form
