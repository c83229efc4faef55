"""Solver choice by name: one result type, exact optima that agree across solvers and the DP, and
errors that name the package providing a missing solver."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import INSTANCES

from trade_opt.bench.families import FAMILIES, make_instance
from trade_opt.cli.main import main
from trade_opt.errors import SolverUnavailableError
from trade_opt.knapsack import KnapsackMIP, knapsack_brute_force, knapsack_dp, knapsack_dp_ge
from trade_opt.solvers import SOLVERS, MipResult, get_solver, relative_gap, solver_available

TABLE1 = INSTANCES / "gomory_table1.toml"
INSTALLED = [s for s in SOLVERS if solver_available(s)[0]]


def test_all_four_solvers_installed_here():
    # the machine has all four; a missing one is a set-up failure, not a skip
    assert INSTALLED == list(SOLVERS)


@pytest.mark.parametrize("family", FAMILIES)
def test_objective_agreement_dp_mips_brute_force(family):
    """DP = HiGHS = CBC = GLPK = SCIP = brute force on n = 14 instances, each sense of the family."""
    for seed in (0, 1):
        inst = make_instance(family, 14, seed)
        for sense in inst.senses:
            brute = knapsack_brute_force(inst.values, inst.weights, inst.capacity, sense)
            dp = (knapsack_dp if sense == "<=" else knapsack_dp_ge)(inst.values, inst.weights, inst.capacity)
            scale = max(1.0, abs(brute.value))
            assert dp.value == pytest.approx(brute.value, rel=0, abs=1e-12 * scale)
            for name in INSTALLED:
                sol = KnapsackMIP(inst.n, sense, solver=name).solve(inst.values, inst.weights, inst.capacity)
                assert sol.mip.solver == name and sol.mip.status == "optimal", (family, seed, sense, name, sol.mip)
                assert sol.value == pytest.approx(brute.value, rel=0, abs=1e-9 * scale), (family, seed, sense, name)
                # the returned x is feasible and attains the value
                load = float(inst.weights @ sol.x)
                assert (load <= inst.capacity + 1e-9 * max(1, inst.capacity)) if sense == "<=" else (load >= inst.capacity - 1e-9)
                assert float(inst.values @ sol.x) == pytest.approx(sol.value, abs=1e-9 * scale)
                # bound: a proven bound no better than the optimum by more than the solver's tolerance
                assert sol.mip.bound is not None and sol.mip.bound >= sol.value - 1e-8 * scale
                assert sol.mip.gap is not None and sol.mip.gap <= 1e-8


def test_lp_relaxation_agrees_with_greedy_for_every_solver():
    from trade_opt.knapsack import continuous_greedy

    inst = make_instance("real", 40, 3)
    greedy, _ = continuous_greedy(inst.values[None], inst.weights[None], np.array([inst.capacity]))
    for name in INSTALLED:
        sol = KnapsackMIP(inst.n, "<=", integer=False, solver=name).solve(inst.values, inst.weights, inst.capacity)
        assert sol.mip.status == "optimal"
        # every item has c > 0 here, so the <= LP fills the capacity and equals the greedy optimum
        assert sol.value == pytest.approx(float(greedy[0]), rel=1e-9), name


def test_infeasible_ge_knapsack_same_status_everywhere():
    values, weights = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0])
    for name in INSTALLED:
        sol = KnapsackMIP(3, ">=", solver=name).solve(values, weights, 3.5)
        assert sol.mip.status == "infeasible", (name, sol.mip)
        assert sol.mip.objective is None and sol.value == -np.inf


def test_persistent_highs_resolves_after_param_change():
    mip = KnapsackMIP(16, solver="highs")
    for seed in range(3):
        inst = make_instance("weakly_correlated", 16, seed)
        got = mip.solve(inst.values, inst.weights, inst.capacity).value
        assert got == knapsack_dp(inst.values, inst.weights, inst.capacity).value


def test_result_type_and_gap():
    r = MipResult("x", "optimal", "optimal", 10.0, 10.5, 0.1)
    assert r.gap == pytest.approx(0.05) and r.ok
    assert MipResult("x", "time_limit", "maxTimeLimit", None, 3.0, 0.1).gap is None
    assert relative_gap(0.0, 0.0) == 0.0


def test_unknown_and_missing_solvers_name_the_package(monkeypatch):
    with pytest.raises(SolverUnavailableError, match="choose from highs, cbc, glpk, scip"):
        get_solver("gurobi")
    import trade_opt.solvers as solvers

    class Missing:
        def available(self, exception_flag=False):
            return False

    monkeypatch.setattr(solvers.executables.pyo, "SolverFactory", lambda name: Missing())
    with pytest.raises(SolverUnavailableError, match=r"apt-get install coinor-cbc"):
        get_solver("cbc")
    with pytest.raises(SolverUnavailableError, match=r"apt-get install glpk-utils"):
        get_solver("glpk")
    import pyomo.contrib.solver.common.factory as factory

    monkeypatch.setattr(factory, "SolverFactory", lambda name: Missing())
    with pytest.raises(SolverUnavailableError, match=r"pip install 'trade_opt\[scip\]'"):
        get_solver("scip")
    assert solver_available("scip")[0] is False


def test_cli_boundary_solver_option(capsys):
    code = main(["gomory", "boundary", str(TABLE1), "--y", "0.3,0.6", "--method", "dp,mip", "--solver", "glpk", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    for row in rows:
        assert row["B1_mip"] == pytest.approx(row["B1_dp"], abs=1e-12) and row["status_mip"] == "optimal/optimal"
    code = main(["gomory", "boundary", str(TABLE1), "--y", "0.6", "--method", "mip", "--solver", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "unknown solver 'nope'" in err


def test_highs_mip_after_foreign_highs_run_in_same_thread():
    """HiGHS >= 1.16 refuses a run whose ``threads`` differs from the thread's scheduler; a user
    who ran highspy first (default threads) must still get the exact B1 from the MIP."""
    import highspy

    from trade_opt.gomory.boundary import BoundarySolver
    from trade_opt.instances import load_instance
    from conftest import INSTANCES

    highspy.Highs.resetThreadScheduler(True)  # whatever earlier tests started in this thread
    foreign = highspy.Highs()
    foreign.setOptionValue("output_flag", False)
    foreign.setOptionValue("threads", 2)
    foreign.run()  # starts this thread's scheduler with 2 threads
    point = BoundarySolver(load_instance(INSTANCES / "gomory_table1.toml").data(), ("dp", "mip")).at(0.3)
    assert point.status_mip == "optimal/optimal"
    assert point.B1_mip == pytest.approx(point.B1_dp, abs=1e-12)


def test_highs_retries_only_a_refused_run(monkeypatch):
    """The scheduler-clash retry fires only when HiGHS refused to start (model status not set);
    a run that started and failed is reported once, not solved a second time."""
    import highspy
    import pyomo.environ as pyo

    from trade_opt import solvers

    highspy.Highs.resetThreadScheduler(True)
    model = pyo.ConcreteModel()
    model.x = pyo.Var(bounds=(0, 1))
    model.c = pyo.Constraint(expr=model.x >= 2)
    model.o = pyo.Objective(expr=model.x)
    solver = get_solver("highs")
    assert solver.solve(model).status == "infeasible"
    assert solvers._highs_refused_to_run(solver._opt) is False

    highspy.Highs.resetThreadScheduler(True)
    foreign = highspy.Highs()
    foreign.setOptionValue("output_flag", False)
    foreign.setOptionValue("threads", 2)
    foreign.run()  # this thread's scheduler now has 2 threads: the next 1-thread run is refused
    refused = get_solver("highs")
    model.c.deactivate()
    refused._opt.set_instance(model)
    refused._model = model
    assert refused._opt.solve(model).termination_condition.name == "unknown"
    assert solvers._highs_refused_to_run(refused._opt) is True

    resets = []
    monkeypatch.setattr(solvers.highs, "_reset_highs_thread_scheduler",
                        lambda: (resets.append(1), highspy.Highs.resetThreadScheduler(True)))
    assert refused.solve(model).status == "optimal" and len(resets) == 1   # refused, reset, solved
    assert refused.solve(model).status == "optimal" and len(resets) == 1   # no clash: no second run
