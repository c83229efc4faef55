"""Evaluation errors inside the AMPL Solver Library never end the process.

ASL's ``jacval`` at a point it has not evaluated yet calls ``exit(1)`` on a deferred derivative
error (``pow(0, 1.5)``: a variable at its bound 0 under a fractional power) instead of returning
it; a Gomory main job on a valid random instance died that way with no output.  The layer
evaluates the rows first, so the error comes back as a failed evaluation.  Run in a subprocess:
a regression would otherwise end the test session itself.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, math
import pyomo.environ as pyo
from pyomo.mpec import Complementarity, complements
from trade_opt import mcp
m = pyo.ConcreteModel()
m.x = pyo.Var(bounds=(0, None), initialize=0.0)   # x**1.5 has no ASL derivative at x = 0
m.y = pyo.Var(initialize=0.0)
m.c = Complementarity(expr=complements(m.x >= 0, m.x ** 1.5 + m.y - 1.0 >= 0))
m.e = Complementarity(expr=complements(m.y - 0.5 == 0, m.y))
r = mcp.solve(m, tol=1e-12)
print(json.dumps({"status": r.status, "x": pyo.value(m.x), "y": pyo.value(m.y), "residual": r.residual}))
"""


def test_derivative_error_at_start_is_a_failed_evaluation_not_an_exit():
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["status"] == "solved"
    assert result["residual"] <= 1e-12
    # the solution: y = 1/2 and x^1.5 = 1/2
    assert abs(result["y"] - 0.5) <= 1e-12
    assert abs(result["x"] - 0.5 ** (2.0 / 3.0)) <= 1e-10


def test_gomory_job_on_instance_that_ended_the_process(tmp_path):
    """The random n = 6 instance whose Pyomo cross-check used to end the run (no folder, 380
    LAPACK DLASCL lines on stderr) completes, with every stage ok and a quiet stderr."""
    rng = np.random.default_rng(3)
    d = rng.uniform(0.1, 1.0, (2, 6))
    doc = {"model": "gomory", "name": "asl_exit", "labor": [3.0, 2.0],
           "demand": (d / d.sum(axis=1, keepdims=True)).tolist(),
           "efficiency": rng.uniform(0.5, 1.5, (2, 6)).tolist(), "exponent": rng.uniform(1.1, 2.0, (2, 6)).tolist()}
    file = tmp_path / "g6.json"
    file.write_text(json.dumps(doc))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "trade_opt.cli.main", "run", str(file), "--out", str(out), "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "can't evaluate" not in run.stderr and "DLASCL" not in run.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "ok"
