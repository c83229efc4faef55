"""The solvers of the MCP benchmark (:mod:`trade_opt.bench.mcp`) and one (case, solver) run.

Solvers (each on a freshly built model, from the same start, in this process):

* ``trade_opt_mcp``: ``pyo.SolverFactory("trade_opt_mcp")`` (:mod:`trade_opt.mcp`: warm Newton
  polish, Scholtes relaxation + Ipopt, active-set Newton polish), tol 1e-10, ``time_limit`` the timeout;
* ``mpec_nlp``: Pyomo's ``mpec.simple_nonlinear`` transformation (what the ``mpec_nlp``
  meta-solver applies; the meta-solver itself passes an option cyipopt rejects) + a constant
  objective + ``SolverFactory("cyipopt")`` (tol 1e-10, at most 3000 iterations, ``max_cpu_time``
  the timeout);
* ``fb_scipy``: :func:`trade_opt.mcp.baseline.solve_fb_scipy` (``scipy.optimize.root`` hybr on the
  Fischer-Burmeister system; not run above :data:`FB_MAX_N` unknowns: MINPACK's dense QR).

:func:`run_case` runs one solver on one :class:`~trade_opt.bench.mcp_cases.Case` and measures the
unscaled natural residual of the final point with the case's own residual function (the same for
every solver); the case is ``solved`` when it is at most :data:`SOLVED`.  :func:`iter_rows` runs
every (case, solver) after a warm-up.
"""
from __future__ import annotations

import math
import time
from typing import Any, Iterator

from trade_opt.bench.mcp_cases import Case

#: A case is solved when the independent unscaled natural residual is at most this.
SOLVED = 1e-8
#: The solvers, in table order.
MCP_SOLVERS = ("trade_opt_mcp", "mpec_nlp", "fb_scipy")
#: ``fb_scipy`` is not run above this many unknowns.
FB_MAX_N = 500
#: Columns of ``results.csv``.
COLUMNS = ("family", "problem", "start", "solver", "status", "residual", "solved", "seconds")


def _apply(model: Any, start: Any) -> None:
    for key, value in (start.items() if hasattr(start, "items") else start):
        var = key if hasattr(key, "set_value") else model.find_component(key)
        var.set_value(float(value), skip_validation=True)


def run_layer(model: Any, timeout: float) -> str:
    """Solve with ``SolverFactory("trade_opt_mcp")`` (tol 1e-10, ``time_limit`` = ``timeout``).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A freshly built case model at its start point (it is changed in place).
    timeout : float
        Seconds the solver is given as its own limit.

    Returns
    -------
    str
        Pyomo's termination condition.
    """
    import pyomo.environ as pyo

    res = pyo.SolverFactory("trade_opt_mcp").solve(model, options={"tol": 1e-10, "time_limit": timeout})
    return str(res.solver.termination_condition)


def run_mpec_nlp(model: Any, timeout: float) -> str:
    """Apply ``mpec.simple_nonlinear``, replace the objective by 0 and solve with cyipopt.

    Ipopt options: tol 1e-10, max_iter 3000, ``max_cpu_time`` = ``timeout``.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A freshly built case model at its start point (it is changed in place).
    timeout : float
        Seconds the solver is given as its own limit.

    Returns
    -------
    str
        Pyomo's termination condition.
    """
    import pyomo.environ as pyo

    pyo.TransformationFactory("mpec.simple_nonlinear").apply_to(model)
    for obj in model.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()
    model._bench_obj = pyo.Objective(expr=0.0)
    res = pyo.SolverFactory("cyipopt").solve(model, options={"tol": 1e-10, "max_iter": 3000, "max_cpu_time": timeout,
                                                             "print_level": 0})
    return str(res.solver.termination_condition)


def run_fb(model: Any, timeout: float) -> str:
    """The Fischer-Burmeister baseline (:func:`trade_opt.mcp.baseline.solve_fb_scipy`).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A freshly built case model at its start point (it is changed in place).
    timeout : float
        Ignored (the baseline has no time limit).

    Returns
    -------
    str
        The baseline's status, or ``"skipped (n > FB_MAX_N)"`` above :data:`FB_MAX_N` unknowns.
    """
    import pyomo.environ as pyo

    from trade_opt.mcp.baseline import solve_fb_scipy

    n = sum(1 for v in model.component_data_objects(pyo.Var) if not v.fixed)
    if n > FB_MAX_N:
        return f"skipped (n > {FB_MAX_N})"
    return solve_fb_scipy(model).status


RUNNERS = {"trade_opt_mcp": run_layer, "mpec_nlp": run_mpec_nlp, "fb_scipy": run_fb}


def run_case(case: Case, solver: str, timeout: float, repeat: int = 1) -> dict[str, Any]:
    """One (case, solver): status, independent residual, fastest of ``repeat`` wall times.

    Parameters
    ----------
    case : Case
        The problem and start (built afresh for every run).
    solver : str
        A key of :data:`RUNNERS` (= :data:`MCP_SOLVERS`).
    timeout : float
        Seconds given to the solver as its own limit.
    repeat : int
        Runs; the fastest is recorded.

    Returns
    -------
    dict
        Keys :data:`COLUMNS`: ``status`` (termination, or ``error: <exception type>`` when the
        solver raised), ``residual`` (the case's independent residual of the final point copied
        into a fresh model; inf if it cannot be computed), ``solved`` (residual <= :data:`SOLVED`
        and no error/skip), ``seconds`` (wall time of the solver call).
    """
    import pyomo.environ as pyo

    best: dict[str, Any] | None = None
    for _ in range(repeat):
        model, point = case.build()
        _apply(model, point)
        t0 = time.perf_counter()
        try:
            status = RUNNERS[solver](model, timeout)
        except Exception as exc:  # noqa: BLE001  (a solver breaking down is a result, not a crash)
            status = f"error: {type(exc).__name__}"
        seconds = time.perf_counter() - t0
        try:  # the point in a fresh model (the transformation changed this one)
            fresh, _ = case.build()
            values = {v.name: v.value for v in model.component_data_objects(pyo.Var) if v.value is not None}
            for v in fresh.component_data_objects(pyo.Var):
                if v.name in values:
                    v.set_value(values[v.name], skip_validation=True)
            residual = float(case.residual(fresh))
        except Exception:  # noqa: BLE001
            residual = math.inf
        row = {"family": case.family, "problem": case.problem, "start": case.start, "solver": solver,
               "status": status, "residual": residual,
               "solved": bool(residual <= SOLVED) and not status.startswith(("error", "skipped")), "seconds": seconds}
        if best is None or row["seconds"] < best["seconds"]:
            best = row
    assert best is not None
    return best


def iter_rows(cases: list[Case], solvers: list[str], timeout: float, repeat: int = 1) -> Iterator[dict[str, Any]]:
    """Rows of every (case, solver), after one unrecorded warm-up run of each solver on the first
    case (the first solve loads PyNumero's ASL library and Ipopt: ~2 s that no case should carry).

    Parameters
    ----------
    cases : list of Case
    solvers : list of str
        Names from :data:`MCP_SOLVERS`.
    timeout : float
        Seconds per solver run.
    repeat : int
        Runs per (case, solver).

    Yields
    ------
    dict
        :func:`run_case`'s row, cases in order, solvers inner.
    """
    for solver in solvers[:] if cases else []:
        run_case(cases[0], solver, timeout)
    for case in cases:
        for solver in solvers:
            yield run_case(case, solver, timeout, repeat)
