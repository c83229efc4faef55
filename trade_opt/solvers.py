"""Solver choice and solver results: the one module that knows solver-specific details.

* :class:`MipResult`: status, termination condition, objective, bound and time of one MIP/LP solve,
  the same fields whatever the solver.
* :class:`HighsPersistent`: HiGHS through Pyomo's persistent APPSI interface.  Build a Pyomo model
  once with mutable ``Param`` s, then change the params and call :meth:`~HighsPersistent.solve`
  again: only the changed coefficients are sent to HiGHS.
* :func:`solver_report`: which solvers are installed (``trade-opt doctor``).
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from trade_opt.errors import SolverUnavailableError

#: Solver name -> the package that provides it (for error messages).
PROVIDERS = {
    "highs": "pip package highspy (a trade_opt dependency)",
    "ipopt": "pip package cyipopt-wheels plus PyNumero's ASL library (bash scripts/setup.sh builds it)",
    "cbc": "Debian package coinor-cbc (apt-get install coinor-cbc)",
    "glpk": "Debian package glpk-utils (apt-get install glpk-utils)",
    "scip": "pip package pyscipopt",
}

_STATUS = {
    TerminationCondition.optimal: "optimal",
    TerminationCondition.infeasible: "infeasible",
    TerminationCondition.unbounded: "unbounded",
    TerminationCondition.infeasibleOrUnbounded: "infeasible_or_unbounded",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.maxIterations: "iteration_limit",
}


@dataclass(frozen=True)
class MipResult:
    """Outcome of one MIP/LP solve (maximization or minimization as the model says).

    ``status`` is one of ``optimal``, ``infeasible``, ``unbounded``, ``infeasible_or_unbounded``,
    ``time_limit``, ``iteration_limit``, ``error``; ``termination`` is the solver's own word;
    ``objective`` the best feasible objective (None if none), ``bound`` the best proven bound,
    ``seconds`` the wall time of the solve call."""

    solver: str
    status: str
    termination: str
    objective: float | None
    bound: float | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status == "optimal"


class HighsPersistent:
    """HiGHS attached to one Pyomo model; re-solves after mutable-parameter changes.

    ``mip_rel_gap=0`` by default: B1(Y) must be exact.  ``feasibility_tol`` tightens HiGHS's
    primal and MIP feasibility tolerances (default 1e-7) so that knapsack rows hold to ~1e-9.
    """

    name = "highs"

    def __init__(self, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9, time_limit: float | None = None):
        opt = Highs()
        if not opt.available():
            raise SolverUnavailableError(f"HiGHS is not available: install the {PROVIDERS['highs']}")
        opt.config.stream_solver = False
        opt.config.load_solution = False
        opt.config.mip_gap = mip_rel_gap
        if time_limit is not None:
            opt.config.time_limit = time_limit
        opt.highs_options = {
            "mip_rel_gap": mip_rel_gap,
            "mip_abs_gap": 0.0 if mip_rel_gap == 0.0 else 1e-6,
            "mip_feasibility_tolerance": feasibility_tol,
            "primal_feasibility_tolerance": feasibility_tol,
            "output_flag": False,
            "threads": 1,
        }
        self._opt = opt
        self._model: Any = None

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` (set on first call; later calls push only what changed) and load the solution."""
        if self._model is not model:
            self._opt.set_instance(model)
            self._model = model
        start = time.perf_counter()
        results = self._opt.solve(model)
        seconds = time.perf_counter() - start
        status = _STATUS.get(results.termination_condition, "error")
        if results.best_feasible_objective is not None:
            results.solution_loader.load_vars()
        return MipResult(
            solver=self.name,
            status=status,
            termination=str(results.termination_condition.name),
            objective=results.best_feasible_objective,
            bound=results.best_objective_bound,
            seconds=seconds,
        )


def ipopt_available() -> tuple[bool, str]:
    """Whether Ipopt is usable through Pyomo's cyipopt interface (needs PyNumero's ASL library)."""
    try:
        from pyomo.contrib.pynumero.asl import AmplInterface

        if not AmplInterface.available():
            return False, f"PyNumero ASL library not found; install the {PROVIDERS['ipopt']}"
        if not pyo.SolverFactory("cyipopt").available(exception_flag=False):
            return False, f"cyipopt not importable; install the {PROVIDERS['ipopt']}"
    except Exception as exc:  # pragma: no cover - depends on the machine
        return False, f"{type(exc).__name__}: {exc}"
    import cyipopt

    return True, f"Ipopt via cyipopt {getattr(cyipopt, '__version__', '?')} (PyNumero ASL)"


def solver_report() -> dict[str, tuple[bool, str]]:
    """Name -> (available, detail) for every solver trade_opt can use."""
    report: dict[str, tuple[bool, str]] = {}
    highs = Highs()
    report["highs"] = (True, f"HiGHS {'.'.join(map(str, highs.version()))} (appsi, persistent)") if highs.available() else (False, PROVIDERS["highs"])
    report["ipopt"] = ipopt_available()
    for name, exe in (("cbc", "cbc"), ("glpk", "glpsol")):
        path = shutil.which(exe)
        report[name] = (True, path) if path else (False, f"optional: {PROVIDERS[name]}")
    try:
        import pyscipopt  # noqa: F401

        report["scip"] = (True, "PySCIPOpt")
    except ImportError:
        report["scip"] = (False, f"optional: {PROVIDERS['scip']}")
    return report
