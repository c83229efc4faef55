"""The complementarity layer works whatever was imported first, and says what is missing if not.

Each case runs in a fresh interpreter: Pyomo reads ``PYOMO_CONFIG_DIR`` once, at its first import,
so only a new process shows what a user who writes ``import pyomo.environ`` first gets.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MODEL = """
import pyomo.environ as pyo
from pyomo.mpec import Complementarity, complements
m = pyo.ConcreteModel()
m.x = pyo.Var(range(2), initialize=5.0)
# x0 >= 0 perp x0 + x1 - 1 >= 0 ; x1 >= 0 perp x1 - x0 + 0.5 >= 0  -> x = (0.75, 0.25)
m.c0 = Complementarity(expr=complements(m.x[0] >= 0, m.x[0] + m.x[1] - 1 >= 0))
m.c1 = Complementarity(expr=complements(m.x[1] >= 0, m.x[1] - m.x[0] + 0.5 >= 0))
"""


def _run(code: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYOMO_CONFIG_DIR"}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_pyomo_first_then_mcp_solve_through_ipopt():
    # warm_polish=False forces the Ipopt relaxation phase, the one that needed PYOMO_CONFIG_DIR
    proc = _run("import pyomo.environ\n" + MODEL + """
import trade_opt.mcp as mcp
r = mcp.solve(m, warm_polish=False)
print(r.status, r.iterations["ipopt_solves"], round(m.x[0].value, 12), round(m.x[1].value, 12))
""")
    assert proc.returncode == 0, proc.stderr
    status, ipopt_solves, x0, x1 = proc.stdout.split()
    assert status == "solved" and int(ipopt_solves) >= 1
    assert abs(float(x0) - 0.75) <= 1e-10 and abs(float(x1) - 0.25) <= 1e-10


def test_pyomo_first_then_trade_opt_makes_cyipopt_usable():
    proc = _run("""
import pyomo.environ as pyo
import trade_opt
m = pyo.ConcreteModel()
m.x = pyo.Var(initialize=0.0)
m.o = pyo.Objective(expr=(m.x - 2.0) ** 2)
res = pyo.SolverFactory("cyipopt").solve(m)
print(pyo.check_optimal_termination(res), m.x.value)
""")
    assert proc.returncode == 0, proc.stderr
    ok, x = proc.stdout.split()
    assert ok == "True" and abs(float(x) - 2.0) <= 1e-7


def test_without_the_library_one_line_naming_it_and_the_command():
    # no library anywhere: Pyomo's search path and <sys.prefix>/pyomo_config both point elsewhere
    proc = _run("""
import pyomo.environ
from pathlib import Path
import trade_opt._config as cfg
cfg.default_config_dir = lambda: Path("/nonexistent/pyomo_config")
from pyomo.contrib.pynumero.asl import AmplInterface
AmplInterface.libname = None
import trade_opt.mcp as mcp
from trade_opt.errors import SolverUnavailableError
""" + MODEL + """
try:
    mcp.solve(m)
except SolverUnavailableError as exc:
    print("ERROR", str(exc))
""", {"PYOMO_CONFIG_DIR": "/nonexistent/pyomo_config"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR")
    assert "libpynumero_ASL" in lines[0] and lines[0].count("bash scripts/setup.sh") == 1


def test_newton_alone_needs_no_ipopt(monkeypatch):
    # a warm start the support Newton finishes: Ipopt is never asked for
    import pyomo.environ as pyo
    from pyomo.mpec import Complementarity, complements

    from trade_opt.mcp import reformulate, solve

    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(2), initialize=0.7)
    m.c0 = Complementarity(expr=complements(m.x[0] >= 0, m.x[0] + m.x[1] - 1 >= 0))
    m.c1 = Complementarity(expr=complements(m.x[1] >= 0, m.x[1] - m.x[0] + 0.5 >= 0))
    monkeypatch.setattr(reformulate, "ipopt_available", lambda: (False, "no cyipopt"))
    result = solve(m)
    assert result.status == "solved" and result.iterations["ipopt_solves"] == 0
    assert abs(m.x[0].value - 0.75) <= 1e-12
