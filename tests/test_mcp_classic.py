"""Classic small MCPs with known solutions, solved by trade_opt.mcp.solve to a 1e-10 residual.

Each model is written from its published definition:

* Kojima & Shindo (1986) NCP, 4 variables, two solutions (MCPLIB ``kojshin``; Kanzow 1994):
  (1, 0, 3, 0) nondegenerate and (sqrt(6)/2, 0, 0, 1/2) degenerate (x3 = 0 and F3 = 0).
* Josephy (1979) NCP (MCPLIB ``josephy``): unique solution (sqrt(6)/2, 0, 0, 1/2).
* Mathiesen (1987) Walrasian model (Math. Programming 37: technology (1, -1, -1), budget shares
  (0.9, 0.1, 0), endowments (b1, 5, 3), good 2 the numeraire) with the endowment b1 as parameter;
  closed forms derived by hand (see ``mathiesen_solution``).  b1 = 0 is the paper's case y = 3,
  p = (6, 1, 5); for b1 > 45 the activity is inactive (y = 0); b1 = 15 and 45 are degenerate.
* Murphy, Sherali & Soyster (1982) Nash-Cournot oligopoly with 5 firms: known outputs
  (36.93, 41.82, 43.70, 42.66, 39.18) (Harker 1984 reports them to 2 decimals).
* A doubly degenerate LCP with a positive definite matrix (unique solution (1, 0, 0) with
  x2 = F2 = 0 and x3 = F3 = 0).
"""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

import trade_opt  # noqa: F401  (sets PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo
from pyomo.common.collections import ComponentMap
from pyomo.mpec import Complementarity, complements

from trade_opt.mcp import natural_residual, solve

TOL = 1e-10
SQ6_2 = math.sqrt(6.0) / 2.0


def _ncp(funcs, x0):
    m = pyo.ConcreteModel()
    n = len(x0)
    m.I = pyo.RangeSet(n)
    m.x = pyo.Var(m.I, initialize=dict(zip(range(1, n + 1), x0)))
    m.cc = Complementarity(m.I, rule=lambda m, i: complements(m.x[i] >= 0, funcs(m.x)[i - 1] >= 0))
    return m


def kojima_shindo(x0=(1.0, 1.0, 1.0, 1.0)):
    def F(x):
        return [3 * x[1] ** 2 + 2 * x[1] * x[2] + 2 * x[2] ** 2 + x[3] + 3 * x[4] - 6,
                2 * x[1] ** 2 + x[1] + x[2] ** 2 + 10 * x[3] + 2 * x[4] - 2,
                3 * x[1] ** 2 + x[1] * x[2] + 2 * x[2] ** 2 + 2 * x[3] + 9 * x[4] - 9,
                x[1] ** 2 + 3 * x[2] ** 2 + 2 * x[3] + 3 * x[4] - 3]
    return _ncp(F, x0)


def josephy(x0=(1.0, 1.0, 1.0, 1.0)):
    def F(x):
        return [3 * x[1] ** 2 + 2 * x[1] * x[2] + 2 * x[2] ** 2 + x[3] + 3 * x[4] - 6,
                2 * x[1] ** 2 + x[1] + x[2] ** 2 + 3 * x[3] + 2 * x[4] - 2,
                3 * x[1] ** 2 + x[1] * x[2] + 2 * x[2] ** 2 + 2 * x[3] + 3 * x[4] - 1,
                x[1] ** 2 + 3 * x[2] ** 2 + 2 * x[3] + 3 * x[4] - 3]
    return _ncp(F, x0)


def degenerate_lcp():
    M = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
    q = np.array([-2.0, -1.0, 0.0])
    return _ncp(lambda x: [sum(M[i, j] * x[j + 1] for j in range(3)) + q[i] for i in range(3)], (0.5, 0.5, 0.5))


def mathiesen(b1: float):
    """Mathiesen (1987): activity y >= 0 perp profit; prices p >= 0 perp excess supply; p2 = 1 fixed."""
    A = {1: 1.0, 2: -1.0, 3: -1.0}
    share = {1: 0.9, 2: 0.1, 3: 0.0}
    endow = {1: b1, 2: 5.0, 3: 3.0}
    m = pyo.ConcreteModel()
    m.G = pyo.RangeSet(3)
    m.y = pyo.Var(initialize=1.0)
    m.p = pyo.Var(m.G, initialize=1.0)
    m.p[2].fix(1.0)  # numeraire: fixing drops good 2's market (Walras' law)
    income = sum(endow[g] * m.p[g] for g in m.G)

    def excess_supply(m, g):
        demand = share[g] * income / m.p[g] if share[g] else 0.0
        return complements(m.p[g] >= 0, endow[g] + A[g] * m.y - demand >= 0)

    m.profit = Complementarity(expr=complements(m.y >= 0, -sum(A[g] * m.p[g] for g in m.G) >= 0))
    m.market = Complementarity(m.G, rule=excess_supply)
    return m


def mathiesen_solution(b1: float) -> tuple[float, float, float]:
    """(y, p1, p3) by hand: y = 3 for b1 <= 15; y = 4.5 - b1/10, p = (1, 1, 0) on [15, 45]; y = 0 beyond."""
    if b1 <= 15:
        p1 = 18.0 / (b1 + 3.0)
        return 3.0, p1, p1 - 1.0
    if b1 <= 45:
        return 4.5 - 0.1 * b1, 1.0, 0.0
    return 0.0, 45.0 / b1, 0.0


MSS_OUTPUTS = (36.93, 41.82, 43.70, 42.66, 39.18)


def nash_cournot(q0=10.0):
    """Murphy-Sherali-Soyster: q_i >= 0 perp c_i + (q_i/L_i)^(1/b_i) - p(Q) - q_i p'(Q) >= 0."""
    c, L, beta, gamma = (10, 8, 6, 4, 2), (5, 5, 5, 5, 5), (1.2, 1.1, 1.0, 0.9, 0.8), 1.1
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(5)
    m.q = pyo.Var(m.I, initialize=q0)
    total = sum(m.q[j] for j in m.I)
    price = 5000 ** (1 / gamma) * total ** (-1 / gamma)

    def marginal(m, i):
        mc = c[i - 1] + (m.q[i] / L[i - 1]) ** (1 / beta[i - 1])
        return complements(m.q[i] >= 0, mc - price + m.q[i] * price / (gamma * total) >= 0)

    m.cc = Complementarity(m.I, rule=marginal)
    return m


def cournot_interior_reference():
    """Independent check: all five firms produce, so F(q) = 0; solve it with scipy's hybrd."""
    import scipy.optimize

    c, L, beta, gamma = np.array((10, 8, 6, 4, 2.0)), 5.0, np.array((1.2, 1.1, 1.0, 0.9, 0.8)), 1.1

    def F(q):
        total = q.sum()
        price = 5000 ** (1 / gamma) * total ** (-1 / gamma)
        return c + (q / L) ** (1 / beta) - price + q * price / (gamma * total)

    return scipy.optimize.fsolve(F, np.full(5, 40.0), xtol=1e-14)


def _values(m, var):
    return np.array([pyo.value(var[i]) for i in sorted(var.index_set())])


def _check(result, model, tol=TOL):
    assert result.status == "solved", result.message
    assert result.ok
    assert result.residual <= tol
    assert natural_residual(model) <= tol  # independent re-evaluation at the loaded values


def test_kojima_shindo_two_solutions_from_two_starts():
    m = kojima_shindo()
    starts = [{"x[1]": 1.1, "x[2]": 0.1, "x[3]": 2.5, "x[4]": 0.1},
              ComponentMap([(m.x[1], 1.2), (m.x[2], 0.1), (m.x[3], 0.1), (m.x[4], 0.6)])]
    result = solve(m, starts=starts, warm_polish=False)
    _check(result, m)
    found = sorted(tuple(round(s.values[f"x[{i}]"], 6) for i in range(1, 5)) for s in result.solutions)
    assert len(found) == 2
    np.testing.assert_allclose(found[0], (1.0, 0.0, 3.0, 0.0), atol=1e-8)
    np.testing.assert_allclose(found[1], (SQ6_2, 0.0, 0.0, 0.5), atol=1e-8)
    for s in result.solutions:
        assert s.residual <= TOL
    exact = {tuple(np.round(v, 6)): v for v in [(1.0, 0.0, 3.0, 0.0), (SQ6_2, 0.0, 0.0, 0.5)]}
    for s in result.solutions:
        x = np.array([s.values[f"x[{i}]"] for i in range(1, 5)])
        assert np.max(np.abs(x - exact[tuple(np.round(x, 6))])) <= 1e-8
    # the first start's solution is reported and loaded
    np.testing.assert_allclose(_values(m, m.x), (1.0, 0.0, 3.0, 0.0), atol=1e-8)


def test_kojima_shindo_degenerate_solution_from_ipopt():
    m = kojima_shindo(x0=(0.0, 0.0, 0.0, 0.0))
    result = solve(m, warm_polish=False)
    _check(result, m)
    np.testing.assert_allclose(_values(m, m.x), (SQ6_2, 0.0, 0.0, 0.5), atol=1e-8)
    assert set(result.active_set) == {"x[2]", "x[3]"}
    assert result.iterations["ipopt"] > 0


def test_josephy():
    m = josephy()
    result = solve(m, warm_polish=False)
    _check(result, m)
    np.testing.assert_allclose(_values(m, m.x), (SQ6_2, 0.0, 0.0, 0.5), atol=1e-8)


def test_degenerate_lcp():
    m = degenerate_lcp()
    result = solve(m, warm_polish=False)
    _check(result, m)
    np.testing.assert_allclose(_values(m, m.x), (1.0, 0.0, 0.0), atol=1e-8)
    assert set(result.active_set) == {"x[2]", "x[3]"}


@pytest.mark.parametrize("b1", [0.0, 10.0, 15.0, 30.0, 45.0, 60.0])
def test_mathiesen_walras(b1):
    m = mathiesen(b1)
    result = solve(m, warm_polish=False)
    _check(result, m)
    y, p1, p3 = mathiesen_solution(b1)
    np.testing.assert_allclose([m.y.value, m.p[1].value, m.p[2].value, m.p[3].value], [y, p1, 1.0, p3], atol=1e-8)
    if b1 > 45:
        assert "y" in result.active_set  # the activity is inactive at 0
    if b1 == 0.0:
        np.testing.assert_allclose([m.p[1].value, m.p[3].value], [6.0, 5.0], atol=1e-8)  # the paper's case


def test_nash_cournot_mss():
    m = nash_cournot()
    result = solve(m, warm_polish=False)
    _check(result, m)
    q = _values(m, m.q)
    np.testing.assert_allclose(q, MSS_OUTPUTS, atol=1e-2)  # published to 2 decimals
    np.testing.assert_allclose(q, cournot_interior_reference(), rtol=1e-9)
    assert result.active_set == []


def test_constructed_lcp_150_variables():
    """LCP with a positive definite M and a planted solution x* (half of it at 0, two degenerate pairs)."""
    rng = np.random.default_rng(7)
    n = 150
    A = rng.normal(size=(n, n)) / np.sqrt(n)
    M = A @ A.T + np.eye(n)
    x_star = np.where(np.arange(n) % 2 == 0, rng.uniform(0.5, 2.0, n), 0.0)
    s_star = np.where(np.arange(n) % 2 == 1, rng.uniform(0.5, 2.0, n), 0.0)
    s_star[[1, 3]] = 0.0  # degenerate: x_i = 0 and F_i = 0
    q = s_star - M @ x_star
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, initialize=1.0)
    m.cc = Complementarity(m.I, rule=lambda m, i: complements(
        m.x[i] >= 0, sum(M[i, j] * m.x[j] for j in range(n)) + q[i] >= 0))
    start = time.perf_counter()
    result = solve(m, warm_polish=False)
    assert time.perf_counter() - start < 20.0
    _check(result, m)
    np.testing.assert_allclose(_values(m, m.x), x_star, atol=1e-8)
