"""``pyo.SolverFactory("trade_opt_mcp")``: the complementarity layer as a Pyomo solver.

Registered by :func:`trade_opt._config.register_mcp_plugin` when ``trade_opt`` (or
``trade_opt.mcp``) is imported, before or after Pyomo.  Usage::

    import pyomo.environ as pyo
    import trade_opt.mcp
    results = pyo.SolverFactory("trade_opt_mcp").solve(model, tee=True, options={"tol": 1e-10})
    pyo.check_optimal_termination(results)        # True when the natural residual <= tol
    results.solver.residual, results.solver.newton_iterations

Termination conditions: ``optimal`` when the status residual is <= ``tol``; ``maxIterations``
(status warning) when only ``loose_tol`` is met or the schedule ended above it; ``maxTimeLimit``
when ``time_limit`` stopped it; ``error`` when no start could even be evaluated.  The rich result
(:class:`trade_opt.mcp.MCPResult`) of the last solve is ``solver.last_result``.
"""
from __future__ import annotations

import math
from typing import Any

from pyomo.opt import SolverResults, SolverStatus, TerminationCondition

from trade_opt.errors import TradeOptError

#: ``options`` keys accepted by :meth:`TradeOptMCP.solve` (keyword arguments of ``mcp.solve``).
OPTION_KEYS = ("tol", "loose_tol", "max_starts", "time_limit", "warm_polish", "distinct_tol",
               "ipopt_options", "scaling", "starts")


class TradeOptMCP:
    """Pyomo (v1-style) solver object for complementarity models; see the module docstring.

    Parameters
    ----------
    **kwds
        What ``pyo.SolverFactory("trade_opt_mcp", ...)`` passes; only ``options`` (a dict with keys
        of :data:`OPTION_KEYS`) is kept, as the default ``options`` of every :meth:`solve`.
    """

    name = "trade_opt_mcp"

    def __init__(self, **kwds: Any):
        self.options: dict[str, Any] = dict(kwds.pop("options", None) or {})
        self.last_result = None
        self._version = None

    # --- Pyomo's solver protocol ---------------------------------------------------------------
    def available(self, exception_flag: bool = True) -> bool:
        """Whether PyNumero's ASL library is found (Ipopt is needed only for hard starts).

        Parameters
        ----------
        exception_flag : bool
            Raise instead of returning False.

        Returns
        -------
        bool
            True when the library is found.

        Raises
        ------
        SolverUnavailableError
            If the library is missing and ``exception_flag`` is true.
        """
        from trade_opt._config import locate_pynumero_asl, missing_asl_message

        ok = locate_pynumero_asl() is not None
        if not ok and exception_flag:
            from trade_opt.errors import SolverUnavailableError

            raise SolverUnavailableError(missing_asl_message())
        return ok

    def license_is_valid(self) -> bool:
        """Pyomo protocol: no license needed.

        Returns
        -------
        bool
            Always True.
        """
        return True

    def version(self) -> tuple[int, ...]:
        """The trade_opt version as a tuple (Pyomo protocol).

        Returns
        -------
        tuple of int
            Up to three leading components of ``trade_opt.__version__``.
        """
        import trade_opt

        return tuple(int(p) for p in trade_opt.__version__.split(".")[:3])

    def warm_start_capable(self) -> bool:
        """Pyomo protocol: the solve starts from the model's current values.

        Returns
        -------
        bool
            Always True.
        """
        return True

    def __enter__(self) -> "TradeOptMCP":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def solve(self, model: Any, tee: bool = False, load_solutions: bool = True,
              options: dict | None = None, **kwds: Any) -> SolverResults:
        """Solve the MCP in ``model``; returns Pyomo ``SolverResults``.

        Parameters
        ----------
        model : pyomo ConcreteModel
            Complementarity conditions (every form of :mod:`trade_opt.mcp.pairs`) plus equalities.
        tee : bool
            Print the one-line summary of the solve.
        load_solutions : bool
            Load the solution into the model's Vars (only when the status is not failed).
        options : dict
            Keys of :data:`OPTION_KEYS` (merged over ``solver.options``); anything else is an
            error.  ``warmstart``/``symbolic_solver_labels``/``keepfiles``/``report_timing`` are
            accepted and have no effect (no files are written); ``timelimit`` is taken as ``time_limit``.
        **kwds
            Further options, as in ``options``.

        Returns
        -------
        pyomo.opt.SolverResults
            Status and termination condition mapped as in the module docstring, plus ``residual``,
            ``residual_unscaled``, ``mcp_status`` and iteration counts in ``results.solver``.

        Raises
        ------
        TradeOptError
            For an unknown option, or as raised by :func:`trade_opt.mcp.solve` (e.g. a non-square MCP).
        """
        from trade_opt.mcp.solve import solve as mcp_solve

        for ignored in ("warmstart", "symbolic_solver_labels", "keepfiles", "report_timing", "timelimit"):
            value = kwds.pop(ignored, None)
            if ignored == "timelimit" and value is not None:
                kwds["time_limit"] = value
        opts = dict(self.options)
        opts.update(options or {})
        opts.update({k: v for k, v in kwds.items() if k != "time_limit"})
        if kwds.get("time_limit") is not None:
            opts["time_limit"] = kwds["time_limit"]
        unknown = sorted(set(opts) - set(OPTION_KEYS))
        if unknown:
            raise TradeOptError(f"SolverFactory('trade_opt_mcp'): unknown option(s) {', '.join(unknown)}; "
                                f"accepted: {', '.join(OPTION_KEYS)}")
        result = mcp_solve(model, load_solution=load_solutions, **opts)
        self.last_result = result
        if tee:
            print(f"trade_opt_mcp: {result.message}")
        return _results(model, result, opts)


def _results(model: Any, result: Any, opts: dict) -> SolverResults:
    """Pyomo ``SolverResults`` of an :class:`MCPResult` (mapping in the module docstring)."""
    results = SolverResults()
    info = results.solver
    info.name = "trade_opt_mcp"
    if result.status == "solved":
        info.status, info.termination_condition = SolverStatus.ok, TerminationCondition.optimal
    elif not math.isfinite(result.residual):
        info.status, info.termination_condition = SolverStatus.error, TerminationCondition.error
    elif opts.get("time_limit") is not None and result.seconds >= float(opts["time_limit"]):
        info.status, info.termination_condition = SolverStatus.aborted, TerminationCondition.maxTimeLimit
    else:
        info.status, info.termination_condition = SolverStatus.warning, TerminationCondition.maxIterations
    info.message = result.message
    info.wallclock_time = result.seconds
    info.residual = result.residual
    info.residual_unscaled = result.residual_unscaled
    info.mcp_status = result.status
    info.newton_iterations = int(result.iterations.get("newton", 0))
    info.ipopt_iterations = int(result.iterations.get("ipopt", 0))
    info.ipopt_solves = int(result.iterations.get("ipopt_solves", 0))
    info.starts = int(result.iterations.get("starts", 0))
    problem = results.problem
    problem.name = getattr(model, "name", "unknown")
    problem.number_of_variables = len(result.values)
    problem.number_of_constraints = len(result.values)
    return results
