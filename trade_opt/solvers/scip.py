"""SCIP through Pyomo's direct PySCIPOpt interface (``pyomo.contrib.solver`` ``scip_direct``, no files)."""
from __future__ import annotations

import math
import time
from typing import Any

import pyomo.environ as pyo

from trade_opt.errors import SolverUnavailableError
from trade_opt.solvers.common import PROVIDERS, MipResult


class _ScipSolver:
    """SCIP through Pyomo's direct PySCIPOpt interface (``pyomo.contrib.solver`` ``scip_direct``)."""

    name = "scip"

    def __init__(self, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9,
                 time_limit: float | None = None, threads: int = 1):
        try:
            from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory

            opt = ContribFactory("scip_direct")
            ok = bool(opt.available())
        except Exception:  # Pyomo < 6.10 has no scip_direct; pyscipopt missing
            ok = False
        if not ok:
            raise SolverUnavailableError(f"solver 'scip' is not available: install the {PROVIDERS['scip']}")
        self._opt = opt
        self._time_limit = time_limit
        self._options: dict[str, Any] = {"limits/gap": mip_rel_gap}
        if mip_rel_gap == 0.0:
            self._options["limits/absgap"] = 0.0

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` with SCIP (Pyomo ``scip_direct``) and load the solution, if any.

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition as TC

        status_map = {
            TC.convergenceCriteriaSatisfied: "optimal",
            TC.provenInfeasible: "infeasible",
            TC.locallyInfeasible: "infeasible",
            TC.unbounded: "unbounded",
            TC.infeasibleOrUnbounded: "infeasible_or_unbounded",
            TC.maxTimeLimit: "time_limit",
            TC.iterationLimit: "iteration_limit",
        }
        start = time.perf_counter()
        results = self._opt.solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                                  time_limit=self._time_limit, solver_options=dict(self._options))
        seconds = time.perf_counter() - start
        objective = None
        if results.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal):
            results.solution_loader.load_vars()
            objective = results.incumbent_objective
        bound = results.objective_bound
        bound = float(bound) if bound is not None and math.isfinite(bound) else None
        tc = results.termination_condition
        return MipResult(self.name, status_map.get(tc, "error"), tc.name, objective, bound, seconds)
