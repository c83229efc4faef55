"""The MCP layer on large systems (issue 5 scaling) and evaluation failures at trial points.

* The sparse Newton path (CSR Jacobian from PyNumero, ``splu``; used from ``polish.SPARSE_MIN_N``
  unknowns) and the compiled term magnitudes (``system.COMPILE_TERMS_MIN_N``) give the same answers as
  the dense/Python paths: forced on for classic MCPs with published solutions.
* ``MCPSystem.J_sparse`` equals the dense Jacobian, and both equal central differences of ``F``.
* A start where the model cannot be evaluated (``log`` of a negative number) is a failed start, not a
  traceback (``PyNumeroEvaluationError`` used to escape ``solve`` from the Jacobian at the start).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import trade_opt  # noqa: F401  (PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo
from pyomo.mpec import Complementarity, complements

from test_mcp_classic import SQ6_2, _check, _values, degenerate_lcp, josephy, mathiesen, mathiesen_solution
from trade_opt.mcp import solve
from trade_opt.mcp import polish as polish_module
from trade_opt.mcp import system as system_module  # noqa: F401
from trade_opt.mcp import terms as terms_module
from trade_opt.mcp.system import build_system


@pytest.fixture
def large_paths(monkeypatch):
    """Force the large-system code paths on small models."""
    monkeypatch.setattr(polish_module, "SPARSE_MIN_N", 0)
    monkeypatch.setattr(terms_module, "ROWWISE_TERMS_MIN_N", 0)


def test_sparse_paths_josephy_and_degenerate_lcp(large_paths):
    m = josephy()
    assert build_system(m).term_nlp is not None
    result = solve(m, warm_polish=False)
    _check(result, m)
    np.testing.assert_allclose(_values(m, m.x), (SQ6_2, 0.0, 0.0, 0.5), atol=1e-8)
    m = degenerate_lcp()
    result = solve(m, warm_polish=False)
    _check(result, m)
    np.testing.assert_allclose(_values(m, m.x), (1.0, 0.0, 0.0), atol=1e-8)


@pytest.mark.parametrize("b1", [10.0, 60.0])
def test_sparse_paths_mathiesen(large_paths, b1):
    m = mathiesen(b1)
    result = solve(m, warm_polish=False)
    _check(result, m)
    y, p1, p3 = mathiesen_solution(b1)
    np.testing.assert_allclose([m.y.value, m.p[1].value, m.p[3].value], [y, p1, p3], atol=1e-8)


def test_compiled_term_sums_and_sparse_jacobian_agree_with_python_and_differences(large_paths):
    m = mathiesen(30.0)
    system = build_system(m)
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = system.x_from_model() + rng.uniform(0.1, 2.0, system.n)
        compiled = system.term_sums(x)
        nlp, system.term_nlp = system.term_nlp, None
        python = system.term_sums(x)
        system.term_nlp = nlp
        np.testing.assert_allclose(compiled, python, rtol=1e-13)
        dense = system.J(x)
        np.testing.assert_array_equal(system.J_sparse(x).toarray(), dense)
        h = 1e-6
        fd = np.column_stack([(system.F(x + h * e) - system.F(x - h * e)) / (2 * h) for e in np.eye(system.n)])
        np.testing.assert_allclose(dense, fd, rtol=1e-6, atol=1e-6)


def _log_model():
    """x free with log(x) = 1 (x = e); y >= 0 perp y - x + 2 >= 0 (y = e - 2 > 0)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=2.0)
    m.y = pyo.Var(initialize=1.0, bounds=(0, None))
    m.h = pyo.Constraint(expr=pyo.log(m.x) == 1.0)
    m.c = Complementarity(expr=complements(m.y >= 0, m.y - m.x + 2 >= 0))
    return m


def test_evaluation_failure_at_a_start_is_a_failed_start_not_a_traceback():
    m = _log_model()
    result = solve(m, starts=[{"x": -1.0}])  # log(-1): neither F nor J can be evaluated there
    assert result.status in ("solved", "failed")
    if result.status == "solved":  # Ipopt may still find its way from the clipped start
        assert abs(m.x.value - math.e) <= 1e-12
    m = _log_model()
    result = solve(m, starts=[{"x": -1.0}, {"x": 2.0}])
    _check(result, m)
    assert abs(m.x.value - math.e) <= 1e-12 and abs(m.y.value - (math.e - 2)) <= 1e-12
