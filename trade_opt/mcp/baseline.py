"""Baseline for benchmarks: ``scipy.optimize.root`` on the Fischer-Burmeister reformulation.

The MCP is rewritten as the square nonsmooth system ``Phi_FB(x) = 0`` (Fischer 1992;
Billups 1995 for box pairs; equality rows unchanged; rows unscaled) and handed, with its exact
(generalized) Jacobian, to MINPACK's hybrid Powell method (``scipy.optimize.root(method="hybr")``).
No Ipopt, no active-set polish, one start: this is what a user would write first.  The reported
residual is the same scaled natural residual as :func:`trade_opt.mcp.solve` reports.
"""
from __future__ import annotations

import time
from typing import Any, Mapping

import numpy as np
import scipy.optimize

from trade_opt.mcp.polish import fb_function
from trade_opt.mcp.residual import residual_at
from trade_opt.mcp.result import MCPResult, MCPSolution
from trade_opt.mcp.solve import _apply_start, _status, active_flags
from trade_opt.mcp.system import build_system


def solve_fb_scipy(model: Any, start: Mapping[Any, float] | None = None, tol: float = 1e-10,
                   loose_tol: float = 1e-6, method: str = "hybr") -> MCPResult:
    """Solve ``model``'s MCP by ``scipy.optimize.root`` on ``Phi_FB(x) = 0`` (see module docstring).

    Parameters
    ----------
    model : pyomo ConcreteModel
        As for :func:`trade_opt.mcp.solve`.
    start : dict, optional
        Var (or name) -> start value; other variables start at the model's values.
    tol, loose_tol : float
        Status thresholds on the scaled natural residual, as in :func:`trade_opt.mcp.solve`.
    method : str
        ``scipy.optimize.root`` method (default ``"hybr"``).

    Returns
    -------
    MCPResult
        ``iterations = {"ipopt": 0, "newton": 0, "function_evaluations": nfev, "starts": 1}``;
        the point is loaded into ``model`` unless the status is ``failed``.
    """
    t0 = time.perf_counter()
    system = build_system(model)
    x0 = _apply_start(system, system.x_from_model(), start or {})

    def fun(x: np.ndarray):
        rows = system.F(x)
        jac = system.J(x) if np.all(np.isfinite(rows)) else np.zeros((x.size, x.size))
        return fb_function(x, rows, jac, system.lb, system.ub)

    try:
        sol = scipy.optimize.root(fun, x0, jac=True, method=method)
    finally:
        system.restore()
    x = np.asarray(sol.x, dtype=float)
    residual = residual_at(system, x)
    status = _status(residual, tol, loose_tol)
    if status != "failed":
        system.load_model(x)
    flags = active_flags(system, x)
    active = [system.names[k] for k in np.flatnonzero(flags)]
    values = system.values(x)
    seconds = time.perf_counter() - t0
    solutions = [] if status == "failed" else [
        MCPSolution(values=values, residual=residual, active_set=active, stability=None,
                    status=status, start=0, method=f"scipy_root_{method}_fb")]
    iterations = {"ipopt": 0, "newton": 0, "function_evaluations": int(getattr(sol, "nfev", 0)), "starts": 1}
    message = (f"{status}: scaled natural residual {residual:.2e} (tol {tol:.0e}); scipy.optimize.root "
               f"({method}) on Fischer-Burmeister: {sol.message.strip()}; {seconds:.2f} s")
    return MCPResult(status=status, residual=residual, active_set=active, iterations=iterations,
                     seconds=seconds, solutions=solutions, values=values, message=message)
