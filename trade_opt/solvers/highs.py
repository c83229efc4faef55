"""HiGHS through Pyomo's persistent APPSI interface (:class:`HighsPersistent`), in memory.

Only changed parameters are pushed on a re-solve.  A run that HiGHS refuses to start (the
per-thread task-scheduler clash of HiGHS >= 1.16) is retried once after resetting the scheduler.
"""
from __future__ import annotations

import time
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.appsi.solvers import Highs

from trade_opt.errors import SolverUnavailableError
from trade_opt.solvers.common import _STATUS, PROVIDERS, MipResult


class HighsPersistent:
    """HiGHS attached to one Pyomo model; re-solves after mutable-parameter changes.

    ``mip_rel_gap=0`` by default: B1(Y) must be exact.  ``feasibility_tol`` tightens HiGHS's
    primal and MIP feasibility tolerances (default 1e-7) so that knapsack rows hold to ~1e-9.

    Parameters
    ----------
    mip_rel_gap : float, optional
        HiGHS ``mip_rel_gap`` (0: prove optimality; ``mip_abs_gap`` is then 0 too, else 1e-6).
    feasibility_tol : float, optional
        HiGHS ``mip_feasibility_tolerance`` and ``primal_feasibility_tolerance``.
    time_limit : float or None, optional
        Seconds per solve, or None for no limit.
    threads : int, optional
        HiGHS threads.

    Raises
    ------
    SolverUnavailableError
        If highspy is not installed.
    """

    name = "highs"

    def __init__(self, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9, time_limit: float | None = None,
                 threads: int = 1):
        opt = Highs()
        if not opt.available():
            raise SolverUnavailableError(f"solver 'highs' is not available: install the {PROVIDERS['highs']}")
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
            "threads": threads,
        }
        self._opt = opt
        self._model: Any = None

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` (set on first call; later calls push only what changed) and load the solution.

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        if self._model is not model:
            self._opt.set_instance(model)
            self._model = model
        start = time.perf_counter()
        results = self._opt.solve(model)
        if results.termination_condition not in _STATUS and _highs_refused_to_run(self._opt):
            # HiGHS >= 1.16 keeps one task scheduler per user thread and refuses a run whose
            # ``threads`` option differs from the scheduler's (another HiGHS instance in this
            # process, e.g. the user's own highspy, ran first with other threads); the model status
            # then stays "not set".  Shut this thread's scheduler down and run once more; a second
            # refusal, or any error of a run that did start, is reported as is (never solved twice).
            _reset_highs_thread_scheduler()
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


def _highs_refused_to_run(opt: Any) -> bool:
    """Whether the last run of the persistent HiGHS ``opt`` stopped before solving anything.

    Parameters
    ----------
    opt : pyomo.contrib.appsi.solvers.Highs
        The persistent interface after a run that ended in error or unknown.

    Returns
    -------
    bool
        True when HiGHS's model status is still ``kNotset`` (the thread-scheduler clash refuses
        the run before presolve); False for a run that started and then failed.
    """
    import highspy

    solver_model = getattr(opt, "_solver_model", None)
    return solver_model is not None and solver_model.getModelStatus() == highspy.HighsModelStatus.kNotset


def _reset_highs_thread_scheduler() -> None:
    """Shut down HiGHS's task scheduler of the calling thread (the next run starts a new one)."""
    import highspy

    highspy.Highs.resetThreadScheduler(True)
