"""CBC and GLPK through Pyomo's executable interface (LP file out, solution file back)."""
from __future__ import annotations

import math
import time
from typing import Any

import pyomo.environ as pyo

from trade_opt.errors import SolverUnavailableError
from trade_opt.solvers.common import _LEGACY_STATUS, PROVIDERS, MipResult


def _active_objective(model: pyo.ConcreteModel) -> Any:
    return next(model.component_data_objects(pyo.Objective, active=True))


class _ShellSolver:
    """CBC or GLPK through Pyomo's executable interface (LP file out, solution file back)."""

    def __init__(self, name: str, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9,
                 time_limit: float | None = None, threads: int = 1):
        self.name = name
        self._opt = pyo.SolverFactory(name)
        if not self._opt.available(exception_flag=False):
            raise SolverUnavailableError(f"solver {name!r} is not available: install the {PROVIDERS[name]}")
        if name == "cbc":
            options: dict[str, Any] = {"ratioGap": mip_rel_gap, "threads": threads, "primalT": feasibility_tol}
            if mip_rel_gap == 0.0:
                # allowableGap 0 and a cutoff increment of ~0: CBC's automatic increment pruned
                # a node 4.8e-6 better than its incumbent on a real-weight knapsack (n = 10^4)
                options["allowableGap"] = 0.0
                options["increment"] = 1e-12
            if time_limit is not None:
                options["sec"] = float(time_limit)
        else:
            options = {"mipgap": mip_rel_gap}
            if time_limit is not None:
                options["tmlim"] = max(1, math.ceil(time_limit))
        self._options = options
        self._time_limit = time_limit

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` with CBC/GLPK (LP file out, solution file back) and load the solution, if any.

        The objective is recomputed from the loaded x; a printed bound within 1e-6 relative of an optimal
        objective is replaced by it (:class:`MipResult`).

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        start = time.perf_counter()
        results = self._opt.solve(model, load_solutions=False, options=self._options)
        seconds = time.perf_counter() - start
        tc = results.solver.termination_condition
        status = _LEGACY_STATUS.get(tc, "error")
        if status == "error" and self._time_limit is not None and seconds >= 0.95 * self._time_limit:
            # glpsol stopped by --tmlim is reported by Pyomo as 'feasible' (incumbent) or 'other'
            status = "time_limit"
        has_solution = len(results.solution) > 0 and status not in ("infeasible", "unbounded", "infeasible_or_unbounded")
        objective = bound = None
        objective_data = _active_objective(model)
        maximize = objective_data.sense == pyo.maximize
        if has_solution:
            model.solutions.load_from(results)
            # recompute from the loaded x: the solvers print the objective with ~12 digits only
            objective = float(pyo.value(objective_data))
        raw_bound = results.problem.upper_bound if maximize else results.problem.lower_bound
        if raw_bound is not None and math.isfinite(float(raw_bound)):
            bound = float(raw_bound)
            if status == "optimal" and objective is not None and abs(bound - objective) <= 1e-6 * max(1.0, abs(objective)):
                # proven at gap 0; the solution file prints it with ~7 significant digits (CBC)
                bound = objective
        return MipResult(self.name, status, str(tc), objective, bound, seconds)
