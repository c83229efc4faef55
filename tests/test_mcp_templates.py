"""The expression-template evaluator (trade_opt.mcp.templates) against PyNumero/ASL and the theory.

* On MCPLIB problems, the classic MCPs and the Kim MCP, the rows, the sparse Jacobian and the term
  magnitudes evaluated by templates equal PyNumero/ASL's (two independent evaluators of the same
  Pyomo expressions) at perturbed points, and the Jacobian equals central differences.
* Solving with the templates forced on gives the published solutions; an expression with a node
  type the templates lack (``Expr_if``) falls back to PyNumero and still solves.
* A sum is commutative: rows whose summands come in different orders share one template, and the
  summands of one shape become one reduce node (the Kim rows compress to a handful of groups).
* Evaluation failures (``log`` of a negative number) are ``inf`` rows and a failed start, as on
  the ASL path.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import trade_opt  # noqa: F401  (PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo
from pyomo.mpec import Complementarity, complements

import mcplib_cases
from test_mcp_classic import SQ6_2, _check, _values, josephy, kojima_shindo, mathiesen, mathiesen_solution
from test_mcp_large import _log_model
from trade_opt.mcp import solve
from trade_opt.mcp import system as system_module
from trade_opt.mcp.system import build_system


def _pair_of_systems(model, monkeypatch):
    """(ASL system, template system, permutation of the template columns into ASL order)."""
    monkeypatch.setattr(system_module, "TEMPLATE_MIN_ROWS", 10**9)
    monkeypatch.setattr(system_module, "TEMPLATE_MIN_NODES", 10**12)
    asl = build_system(model)
    asl.restore()
    monkeypatch.setattr(system_module, "TEMPLATE_MIN_ROWS", 0)
    tpl = build_system(model)
    tpl.restore()
    assert asl.templates is None and tpl.templates is not None and tpl.nlp is None
    assert asl.row_names == tpl.row_names and sorted(asl.names) == sorted(tpl.names)
    position = {name: k for k, name in enumerate(tpl.names)}
    return asl, tpl, np.array([position[name] for name in asl.names])


def _agree(model, monkeypatch, seed=0, trials=3):
    asl, tpl, perm = _pair_of_systems(model, monkeypatch)
    rng = np.random.default_rng(seed)
    x0 = asl.x_from_model()
    for trial in range(trials):
        x = x0 if trial == 0 else np.clip(x0 * (1 + 0.01 * rng.standard_normal(asl.n)) + 0.01 * rng.random(asl.n),
                                          asl.lb, asl.ub)
        xt = np.empty(tpl.n)
        xt[perm] = x
        terms = asl.term_sums(x)
        np.testing.assert_allclose(tpl.term_sums(xt), terms, rtol=1e-12, atol=0)
        scale = np.maximum(1.0, terms)  # rows are sums of terms: agree to round-off of their magnitude
        assert np.all(np.abs(tpl.F(xt) - asl.F(x)) <= 1e-13 * scale)
        ja, jt = asl.J_sparse(x).toarray(), tpl.J_sparse(xt).toarray()[:, perm]
        np.testing.assert_allclose(jt, ja, rtol=1e-10, atol=1e-12 * np.max(np.abs(ja)))
    return tpl, xt, perm


@pytest.mark.parametrize("name", ["josephy", "kojshin", "nash", "pies", "munson1", "billups"])
def test_templates_equal_asl_on_mcplib(name, monkeypatch):
    model = mcplib_cases.load(name)
    for var_name, value in mcplib_cases.starts(name, model)[0].items():
        model.find_component(var_name).set_value(value)
    _agree(model, monkeypatch)


def test_templates_equal_asl_and_differences_on_kim(monkeypatch):
    from trade_opt.kim.equilibrium import default_starts
    from trade_opt.kim.instance import KimData
    from trade_opt.kim.mcp_model import build_mcp_model

    data = KimData.symmetric(4).replace(W=np.array([0.9, 1.0, 1.1, 1.2]), I=np.array([1.0, 3.0, 5.0, 2.0]))
    mcp = build_mcp_model(data)
    for name, value in mcp.start(default_starts(data)[0]).items():
        mcp.model.find_component(name).set_value(value)
    tpl, x, _ = _agree(mcp.model, monkeypatch)
    h = 1e-6
    fd = np.column_stack([(tpl.F(x + h * e) - tpl.F(x - h * e)) / (2 * h) for e in np.eye(tpl.n)])
    np.testing.assert_allclose(tpl.J(x), fd, rtol=1e-5, atol=1e-6)
    # 4 tiers x J regions: the rows of each kind share one template (summands in canonical order)
    assert len(tpl.templates.groups) <= 12 < tpl.n


def test_permuted_summands_share_a_template_and_reduce(monkeypatch):
    """300 rows x_i - (sum of 9 squares of other variables + log(2 + x_i) at position i % 10) / 100:
    one template (the log term sorted into place), the 9 squares one reduce node."""
    monkeypatch.setattr(system_module, "TEMPLATE_MIN_ROWS", 0)
    n = 300
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(n), initialize=0.5)

    def row(mm, i):
        squares = [mm.x[(i + j) % n] ** 2 for j in range(1, 10)]
        squares.insert(i % 10, pyo.log(2 + mm.x[i]))
        return complements(mm.x[i] >= 0, mm.x[i] - sum(squares) / 100 >= 0)

    m.cc = Complementarity(range(n), rule=row)
    system = build_system(m)
    system.restore()
    assert len(system.templates.groups) == 1
    assert system.templates.template_nodes < 40
    x = np.linspace(0.1, 1.0, n)
    expected = x - np.array([sum(x[(i + j) % n] ** 2 for j in range(1, 10)) + math.log(2 + x[i]) for i in range(n)]) / 100
    np.testing.assert_allclose(system.F(x), expected, rtol=1e-14, atol=1e-15)
    jac = system.J(x)
    assert jac[5, 5] == pytest.approx(1 - 1 / (100 * (2 + x[5])), rel=1e-14)
    assert jac[5, 7] == pytest.approx(-2 * x[7] / 100, rel=1e-14)
    assert jac[5, 20] == 0.0


@pytest.fixture
def templates_everywhere(monkeypatch):
    monkeypatch.setattr(system_module, "TEMPLATE_MIN_ROWS", 0)


def test_solves_with_templates(templates_everywhere):
    m = josephy()
    assert build_system(m).templates is not None
    _check(solve(m, warm_polish=False), m)
    np.testing.assert_allclose(_values(m, m.x), (SQ6_2, 0.0, 0.0, 0.5), atol=1e-8)
    m = kojima_shindo()
    result = solve(m, starts=[{"x[1]": 1.0, "x[2]": 0.0, "x[3]": 3.0, "x[4]": 0.0}])
    _check(result, m)
    for b1 in (10.0, 60.0):
        m = mathiesen(b1)
        _check(solve(m, warm_polish=False), m)
        y, p1, p3 = mathiesen_solution(b1)
        np.testing.assert_allclose([m.y.value, m.p[1].value, m.p[3].value], [y, p1, p3], atol=1e-8)


def test_unsupported_node_falls_back_to_asl(templates_everywhere):
    """x >= 0 perp Expr_if(x > 1, x - 2, x - 2) >= 0: no template for Expr_if; PyNumero solves (x = 2)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0, bounds=(0, None))
    m.c = Complementarity(expr=complements(m.x >= 0, pyo.Expr_if(IF=m.x >= 1, THEN=m.x - 2, ELSE=m.x - 2) >= 0))
    system = build_system(m)
    system.restore()
    assert system.templates is None and system.nlp is not None
    result = solve(m)
    assert result.status == "solved" and abs(m.x.value - 2.0) <= 1e-10


def test_evaluation_failure_is_inf_rows_and_a_failed_start(templates_everywhere):
    m = _log_model()
    system = build_system(m)
    system.restore()
    x = np.array([1.0, -1.0]) if system.names[1] == "x" else np.array([-1.0, 1.0])
    assert np.isinf(system.F(x)).any()
    assert not np.all(np.isfinite(system.J_sparse(x).data))
    m = _log_model()
    result = solve(m, starts=[{"x": -1.0}, {"x": 2.0}])
    _check(result, m)
    assert abs(m.x.value - math.e) <= 1e-12 and abs(m.y.value - (math.e - 2)) <= 1e-12


def test_bad_input_on_the_template_path_is_one_error_line(templates_everywhere):
    """The issue's bad inputs still raise one TradeOptError line when the templates evaluate the rows."""
    from trade_opt.errors import TradeOptError

    def errors(call):
        with pytest.raises(TradeOptError) as info:
            call()
        assert len(str(info.value).splitlines()) == 1
        return str(info.value)

    empty = pyo.ConcreteModel()
    empty.x = pyo.Var()
    empty.c = pyo.Constraint(expr=empty.x == 1)
    assert "no active Complementarity" in errors(lambda: solve(empty))
    m = josephy()
    m.extra = pyo.Var(initialize=1.0)
    m.eq = pyo.Constraint(expr=m.extra + m.x[1] == 1)
    m.eq2 = pyo.Constraint(expr=m.extra - m.x[2] == 3)
    assert "not square" in errors(lambda: solve(m))
    assert "not a finite number" in errors(lambda: solve(josephy(), starts=[{"x[1]": math.nan}]))
    for tol in (0.0, -1e-9, math.nan):
        assert "tol must be a positive finite number" in errors(lambda: solve(josephy(), tol=tol))


def test_few_rows_with_large_expressions_use_templates():
    """10 rows of 2500 terms each (75 000 nodes): templates from TEMPLATE_MIN_NODES, whatever the rows."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(10), initialize=1.0, bounds=(0, None))
    m.cc = Complementarity(range(10), rule=lambda mm, i: complements(
        mm.x[i] >= 0, sum((k % 7 + 1) * 1e-4 * mm.x[(i + k) % 10] for k in range(2500)) + mm.x[i] - 1 >= 0))
    system = build_system(m)
    system.restore()
    assert system.templates is not None and system.templates.expression_nodes >= system_module.TEMPLATE_MIN_NODES
    assert len(system.templates.groups) == 1
    result = solve(m)
    _check(result, m)


def test_rows_without_common_shape_fall_back_to_asl(templates_everywhere, monkeypatch):
    """30 rows of distinct shapes (square roots nested 1..30 deep) exceed MAX_EVALUATION_NODES (set to 50): ASL."""
    from trade_opt.mcp import templates as templates_module

    monkeypatch.setattr(templates_module, "MAX_EVALUATION_NODES", 50)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(30), initialize=0.5, bounds=(0, None))

    def row(mm, i):
        g = mm.x[i]
        for _ in range(i + 1):  # depth i + 1: every row its own shape
            g = pyo.sqrt(g + 1)
        return complements(mm.x[i] >= 0, mm.x[i] - g >= 0)

    m.cc = Complementarity(range(30), rule=row)
    system = build_system(m)
    system.restore()
    assert system.templates is None and system.nlp is not None
