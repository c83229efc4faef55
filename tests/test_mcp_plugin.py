"""``pyo.SolverFactory("trade_opt_mcp")``: registered in any import order, Pyomo results, options."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyomo.environ as pyo
import pytest
from pyomo.mpec import Complementarity, complements
from pyomo.opt import TerminationCondition

import trade_opt.mcp  # noqa: F401  (registers the plugin)
from trade_opt.errors import TradeOptError

ROOT = Path(__file__).resolve().parents[1]


def _two_pairs(start: float = 5.0) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(2), initialize=start)
    m.c0 = Complementarity(expr=complements(m.x[0] >= 0, m.x[0] + m.x[1] - 1 >= 0))
    m.c1 = Complementarity(expr=complements(m.x[1] >= 0, m.x[1] - m.x[0] + 0.5 >= 0))
    return m


@pytest.mark.parametrize("imports", ["import trade_opt\nimport pyomo.environ as pyo",
                                     "import pyomo.environ as pyo\nimport trade_opt",
                                     "import pyomo.environ as pyo\nimport trade_opt.mcp"])
def test_registered_in_every_import_order(imports):
    code = imports + """
from pyomo.mpec import Complementarity, complements
m = pyo.ConcreteModel(); m.x = pyo.Var(initialize=3.0)
m.c = Complementarity(expr=complements(m.x >= 0, m.x - 1 >= 0))
opt = pyo.SolverFactory("trade_opt_mcp")
res = opt.solve(m)
print(opt.available(), pyo.check_optimal_termination(res), m.x.value)
"""
    env = {k: v for k, v in os.environ.items() if k != "PYOMO_CONFIG_DIR"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True", "1.0"]


def test_results_carry_residual_iterations_and_load_solution(capsys):
    m = _two_pairs()
    opt = pyo.SolverFactory("trade_opt_mcp")
    res = opt.solve(m, tee=True, options={"tol": 1e-12})
    assert res.solver.termination_condition == TerminationCondition.optimal
    assert res.solver.residual <= 1e-12 and res.solver.newton_iterations >= 1
    assert res.solver.starts == 1 and res.solver.mcp_status == "solved"
    assert abs(m.x[0].value - 0.75) <= 1e-12 and abs(m.x[1].value - 0.25) <= 1e-12
    assert "trade_opt_mcp: solved" in capsys.readouterr().out
    assert opt.last_result.status == "solved"


def test_load_solutions_false_keeps_the_model_values():
    m = _two_pairs()
    res = pyo.SolverFactory("trade_opt_mcp").solve(m, load_solutions=False)
    assert pyo.check_optimal_termination(res)
    assert m.x[0].value == 5.0 and m.x[1].value == 5.0


def test_no_solution_is_not_optimal():
    # x >= 0 perp F = -1 - x: F < 0 needs x = +inf, so there is no solution
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = Complementarity(expr=complements(m.x >= 0, -1 - m.x >= 0))
    res = pyo.SolverFactory("trade_opt_mcp").solve(m, options={"max_starts": 1})
    assert res.solver.termination_condition in (TerminationCondition.maxIterations, TerminationCondition.error)
    assert not pyo.check_optimal_termination(res)
    assert res.solver.residual > 1e-6


def test_unknown_option_is_one_error_line():
    with pytest.raises(TradeOptError, match="unknown option.*bogus"):
        pyo.SolverFactory("trade_opt_mcp").solve(_two_pairs(), options={"bogus": 1})


def test_the_three_trade_models_solve_through_the_plugin():
    """Kim, Melitz and Krugman MCPs through SolverFactory, each checked by its own independent code:
    Kim's numpy chain, Melitz's 1-D reduction, Krugman's scale-free pair residual."""
    from trade_opt.instances import load_instance
    from trade_opt.kim.equilibrium import default_starts, verify
    from trade_opt.kim.mcp_model import build_mcp_model
    from trade_opt.krugman.mcp_model import build_north_south_model, north_south_start, relative_pair_residual
    from trade_opt.melitz.equilibrium import max_rel_diff
    from trade_opt.melitz.mcp_model import autarky_start, build_model, read_state, starting_points
    from trade_opt.melitz.reduction import solve_reduction

    opt = pyo.SolverFactory("trade_opt_mcp")
    kim = load_instance(ROOT / "instances" / "kim_nafta3.toml").data()
    mcp = build_mcp_model(kim)
    res = opt.solve(mcp.model, options={"starts": [mcp.start(default_starts(kim)[0])]})
    assert pyo.check_optimal_termination(res)
    assert verify(kim, mcp.read_xt()).residual <= 1e-10

    melitz = load_instance(ROOT / "instances" / "melitz_default.toml").data()
    model = build_model(melitz)
    res = opt.solve(model, options={"starts": starting_points(model, [autarky_start(melitz)])})
    assert pyo.check_optimal_termination(res)
    assert max_rel_diff(read_state(model), solve_reduction(melitz)) <= 1e-9

    krugman = load_instance(ROOT / "instances" / "krugman_default.toml").data()
    model = build_north_south_model(krugman, north_south_start(krugman))
    res = opt.solve(model)
    assert pyo.check_optimal_termination(res)
    values = {v.local_name: v.value for v in model.component_data_objects(pyo.Var)}
    assert relative_pair_residual(krugman, values) <= 1e-10
