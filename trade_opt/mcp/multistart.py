"""The one multi-start driver of the complementarity layer (``models/mcp.md``, "Multi-start").

:func:`trade_opt.mcp.solve` already runs many starts on one compiled system and deduplicates
the solutions.  :func:`multistart` adds what the model packages used to write by hand around it:

* a model-specific acceptance test (``accept``) on top of the layer's residual rule (e.g.
  Krugman's relative pair residual, which rejects points on the no-income ray);
* ``stop_on_first``: try the starts one at a time and stop at the first accepted solution
  (each start then gets its own ``solve`` call: reference scales from that start alone);
* ``model`` may be a builder ``build(start) -> model``, so each start gets a fresh model
  initialized at that start.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Mapping, Sequence

from trade_opt.errors import TradeOptError
from trade_opt.mcp.result import MCPResult, MCPSolution

log = logging.getLogger(__name__)


def multistart(model: Any, starts: Sequence[Mapping[Any, float]] | None, *, tol: float = 1e-10,
               accept: Callable[[MCPSolution], bool] | None = None, stop_on_first: bool = False,
               select: Callable[[list[MCPSolution]], MCPSolution | int] | None = None,
               **solve_options: Any) -> MCPResult:
    """Solve an MCP from several starts with :func:`trade_opt.mcp.solve`; keep the accepted solutions.

    Parameters
    ----------
    model : pyomo ConcreteModel or callable
        The MCP, or ``build(start) -> model`` returning a fresh model initialized at ``start``
        (a builder implies ``stop_on_first=True``).
    starts : sequence of mappings
        Start points (the forms :func:`trade_opt.mcp.solve` accepts).  Empty or None: one warm
        start at the model's current values (a builder needs at least one start).
    tol : float
        Scaled natural residual for status ``solved`` (:func:`trade_opt.mcp.solve`).
    accept : callable, optional
        ``accept(solution) -> bool``: a model-specific test of a solved point (its ``values`` by
        variable name).  A solution it rejects is dropped from ``result.solutions``; a result
        whose reported solution it rejects has status ``failed``.  Default: accept all.
    stop_on_first : bool
        Try the starts one at a time (one ``solve`` call each) and return the first result that
        is ``solved`` and accepted; otherwise the last result.  False: one ``solve`` call over all
        starts (compiled once), every distinct solution reported.
    select : callable, optional
        Chooses the reported solution among the accepted solved ones (see :func:`trade_opt.mcp.solve`).
    **solve_options
        Passed on to :func:`trade_opt.mcp.solve` (``loose_tol``, ``stability``, ``time_limit``, ...).

    Returns
    -------
    MCPResult
        ``iterations["starts"]`` counts the starts tried over all calls.

    Raises
    ------
    TradeOptError
        No start given to a builder, or an option :func:`trade_opt.mcp.solve` rejects.
    """
    from trade_opt.mcp.solve import solve

    starts = list(starts or [])
    if not starts:
        if callable(model):
            raise TradeOptError("multistart with a model builder needs at least one start")
        starts = [{}]  # as mcp.solve: one warm start at the model's current values
    if "starts" in solve_options or "max_starts" in solve_options:
        raise TradeOptError("multistart: pass the starts as its second argument (no starts=/max_starts= option)")
    if not (stop_on_first or callable(model)):
        return _filtered(solve(model, starts=starts, tol=tol, select=_accepting(accept, select), **solve_options),
                         accept)
    result, tried = None, 0
    for start in starts:
        tried += 1
        target = model(start) if callable(model) else model
        result = _filtered(solve(target, starts=[start], tol=tol, select=select, **solve_options), accept)
        if result.ok:
            break
        log.info("start %d rejected: %s", tried, result.message)
    result.iterations = {**result.iterations, "starts": tried}
    return result


def _accepting(accept: Callable | None, select: Callable | None) -> Callable | None:
    """``select`` restricted to the accepted solutions (all of them if none is accepted)."""
    if accept is None:
        return select

    def choose(solved: list[MCPSolution]) -> MCPSolution | int:
        kept = [s for s in solved if accept(s)] or solved
        if select is None or len(kept) == 1:
            return kept[0]
        choice = select(kept)
        return kept[int(choice)] if not isinstance(choice, MCPSolution) else choice
    return choose


def _filtered(result: MCPResult, accept: Callable | None) -> MCPResult:
    """Drop rejected solutions; a rejected reported solution makes the result ``failed``."""
    if accept is None:
        return result
    if result.status != "failed" and not accept(MCPSolution(values=result.values, residual=result.residual,
                                                            active_set=result.active_set, stability=result.stability,
                                                            status=result.status, start=-1)):
        result.status = "failed"
        result.message = "rejected by accept: " + result.message
    result.solutions = [s for s in result.solutions if accept(s)]
    return result
