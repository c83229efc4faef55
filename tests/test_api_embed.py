"""Embedding API: the example's side-constrained B1(Y) equals brute force over all patterns, for
every solver; a complementarity model built through the API solves to the closed form."""
from __future__ import annotations

import importlib.util
import itertools

import numpy as np
import pyomo.environ as pyo
import pytest
from conftest import INSTANCES, ROOT

from trade_opt.api import build_problem
from trade_opt.gomory.boundary import knapsack_data
from trade_opt.instances import load_instance
from trade_opt.solvers import SOLVERS

TABLE1 = INSTANCES / "gomory_table1.toml"


def _example():
    spec = importlib.util.spec_from_file_location("embed_example", ROOT / "examples" / "embed_gomory_constraints.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def brute_constrained_b1(data, Y, keep_good, k):
    """min over both directions of max C + c.x over x in {0,1}^n with x[keep-1] = 0, sum x <= k."""
    kd = knapsack_data(data, Y)
    c, V, cap, C = kd.c[0], kd.V[0], float(kd.capacity[0]), float(kd.constant[0])
    X = np.array(list(itertools.product((0.0, 1.0), repeat=len(c))))
    side = (X[:, keep_good - 1] == 0) & (X.sum(axis=1) <= k)
    load, value = X @ V, C + X @ c
    best = []
    for ok in (load <= cap + 1e-12, load >= cap - 1e-12):
        feasible = side & ok
        best.append(value[feasible].max() if feasible.any() else -np.inf)
    return min(best)


@pytest.mark.parametrize("solver", SOLVERS)
def test_example_constrained_b1_equals_brute_force(solver):
    example = _example()
    inst = load_instance(TABLE1)
    data = inst.data()
    cases = [(0.6, 3, 3), (0.6, 3, 2), (0.45, 1, 4), (0.3, 9, 9), (0.75, 5, 1)]
    for Y, keep, k in cases:
        expected = brute_constrained_b1(data, Y, keep, k)
        res = example.constrained_b1(inst, Y, keep, k, solver)
        if np.isfinite(expected):
            assert res.status == "optimal"
            assert res.value == pytest.approx(expected, abs=1e-9), (solver, Y, keep, k)
            assert res.x[keep - 1] == 0 and res.x.sum() <= k
        else:
            assert res.status == "infeasible" and res.value == -np.inf, (solver, Y, keep, k)
    # the side constraints bind in the first case: the unconstrained B1 is larger
    free = build_problem(inst, Y=0.6).solve(solver)
    assert free.value > brute_constrained_b1(data, 0.6, 3, 3) + 1e-3


def test_side_constraint_name_clash_and_relaxation():
    inst = load_instance(TABLE1)
    problem = build_problem(inst, Y=0.6, relaxation=True)
    assert all(m.x[0].domain is pyo.UnitInterval for m in problem.models.values())
    problem.add_constraint("keep", lambda m: m.x[2] == 0)
    with pytest.raises(Exception, match="already has a component named 'keep'"):
        problem.add_constraint("keep", lambda m: m.x[2] == 0)


def test_mcp_problem_through_api_matches_closed_form():
    from trade_opt.krugman.closed import closed_form

    inst = load_instance(INSTANCES / "krugman_closed.toml")
    problem = build_problem(inst)
    assert problem.kind == "mcp"
    res = problem.solve(tol=1e-10)
    assert res.status == "solved" and res.results["mcp"].residual <= 1e-9
    eq = closed_form(inst.data())
    m = problem.models["mcp"]
    for name in ("p", "Y", "n", "c"):
        assert pyo.value(getattr(m, name)) == pytest.approx(getattr(eq, name), rel=1e-8), name
