"""One entry point for the equilibrium of every industry, by a method chosen by name.

* ``"mcp"`` (default): the square MCP of :mod:`~trade_opt.melitz.mcp_model`, solved by
  :mod:`trade_opt.mcp` to natural residual <= tol;
* ``"reduction"``: the 1-D reduction (:mod:`~trade_opt.melitz.reduction`), any G;
* ``"closed_form"``: the Pareto closed forms (:mod:`~trade_opt.melitz.closed_forms`).

:func:`cross_check` solves by the other methods too and reports the largest relative difference
of the six unknowns (theta*, u, M_e, B, P; absolute for nu) per method (:func:`max_rel_diff`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from trade_opt.errors import TradeOptError
from trade_opt.melitz.closed_forms import closed_form
from trade_opt.melitz.industry import IndustryState, Outcomes, outcomes
from trade_opt.melitz.instance import MelitzData
from trade_opt.melitz.reduction import solve_reduction

Method = Literal["mcp", "reduction", "closed_form"]
METHODS: tuple[str, ...] = ("mcp", "reduction", "closed_form")

__all__ = ["Solution", "solve_equilibrium", "cross_check", "max_rel_diff", "METHODS"]


@dataclass(frozen=True)
class Solution:
    """Equilibrium of every industry: state, derived outcomes and the solver's report.

    Attributes
    ----------
    data : MelitzData
        The industries solved.
    method : str
        ``"mcp"``, ``"reduction"`` or ``"closed_form"``.
    state : IndustryState
        The six unknowns per industry (models/melitz_offshoring.md, "The MCP").
    out : Outcomes
        Derived outcomes (:func:`~trade_opt.melitz.industry.outcomes`: masses, revenues, shares,
        productivities, labour, CS; Eqs. (10), (12), (17)-(19)).
    report : dict
        ``status``; for the MCP also ``residual`` (natural residual, largest over models),
        ``iterations``, ``seconds``, ``models`` and (warm start) ``start``.
    """

    data: MelitzData
    method: str
    state: IndustryState
    out: Outcomes
    report: dict[str, Any] = field(default_factory=dict)


def solve_equilibrium(data: MelitzData, method: str = "mcp", tol: float = 1e-10) -> Solution:
    """Solve every industry of ``data`` by ``method`` (see the module docstring).

    ``"mcp"`` solves E1-E6 (Eqs. (8), (9)/(18), (15), (3), (4)); above :data:`MCP_CHUNK`
    industries as one model started at the 1-D reduction, else (and if that start fails) from
    the crude starts in models of at most :data:`MCP_CHUNK` industries.

    Parameters
    ----------
    data : MelitzData
        The industries (z and w arrays, common distribution and fixed costs).
    method : {"mcp", "reduction", "closed_form"}
        How to solve.
    tol : float
        Natural-residual target of the MCP (ignored by the other methods).

    Returns
    -------
    Solution
        State, outcomes and report of every industry.

    Raises
    ------
    trade_opt.errors.TradeOptError
        An unknown method, or the closed forms asked for a distribution other than untruncated
        Pareto.
    trade_opt.errors.SolveError
        The MCP is not solved to ``tol``.
    """
    if method == "mcp":
        state, report = _solve_mcp_warm(data, tol) if data.n > MCP_CHUNK else _solve_mcp_chunked(data, tol)
    elif method == "reduction":
        state, report = solve_reduction(data), {"status": "solved"}
    elif method == "closed_form":
        state, report = closed_form(data).state, {"status": "solved"}
    else:
        raise TradeOptError(f"unknown method {method!r} (one of: {', '.join(METHODS)})")
    return Solution(data=data, method=method, state=state, out=outcomes(data, state), report=report)


#: Largest number of industries solved from the crude starts, one model at a time.  Larger
#: instances (sweeps: each grid point an industry, all independent) are solved as one model
#: started at the 1-D reduction (:func:`_solve_mcp_warm`); only if that fails are they split into
#: models of this size so the dense Newton steps of the MCP layer stay cheap.
MCP_CHUNK = 25


def _solve_mcp_warm(data: MelitzData, tol: float) -> tuple[IndustryState, dict[str, Any]]:
    """MCP solve of all industries as one model started at the 1-D reduction's state.

    The start is only a start: the MCP layer must certify it (natural residual <= tol, its own
    residual reported), with a sparse block-diagonal Newton and Ipopt only if that fails.  If the
    start does not solve, the crude starts of :func:`_solve_mcp_chunked` are used instead.
    """
    from trade_opt.errors import SolveError
    from trade_opt.melitz.mcp_model import solve_mcp_from

    try:
        sol = solve_mcp_from(data, solve_reduction(data), tol=tol)
    except SolveError:
        return _solve_mcp_chunked(data, tol)
    report = {"status": "solved", "residual": sol.residual, "iterations": dict(sol.iterations),
              "seconds": sol.seconds, "models": 1, "start": "1-D reduction"}
    return sol.state, report


def _solve_mcp_chunked(data: MelitzData, tol: float) -> tuple[IndustryState, dict[str, Any]]:
    """MCP solve of ``data`` in models of at most :data:`MCP_CHUNK` industries; one report."""
    from trade_opt.melitz.mcp_model import solve_mcp

    parts, residual, seconds, iterations = [], 0.0, 0.0, {}
    for start in range(0, data.n, MCP_CHUNK):
        index = slice(start, start + MCP_CHUNK)
        part = data if data.n <= MCP_CHUNK else data.replace(
            z=data.z[index], w=data.w[index], names=list(data.names[index]))
        sol = solve_mcp(part, tol=tol)
        parts.append(sol.state)
        residual, seconds = max(residual, sol.residual), seconds + sol.seconds
        for key, value in sol.iterations.items():
            iterations[key] = iterations.get(key, 0) + value
    state = IndustryState(**{name: np.concatenate([getattr(p, name) for p in parts])
                             for name in ("theta_star", "u", "nu", "M_e", "B", "P")})
    report = {"status": "solved", "residual": residual, "iterations": iterations, "seconds": seconds,
              "models": len(parts)}
    return state, report


def max_rel_diff(a: Solution | IndustryState, b: Solution | IndustryState) -> float:
    """Largest difference between two solutions of the same industries.

    Relative ``|x_a - x_b| / |x_b|`` for theta*, u, M_e, B and P (absolute where x_b = 0; the
    divisor is at least 1e-300), absolute for nu (a multiplier that is 0 in most regimes).

    Parameters
    ----------
    a, b : Solution or IndustryState
        The two solutions (``b`` is the reference).

    Returns
    -------
    float
        The largest difference over all industries and the six unknowns.
    """
    sa = a.state if isinstance(a, Solution) else a
    sb = b.state if isinstance(b, Solution) else b
    worst = 0.0
    for name in ("theta_star", "u", "M_e", "B", "P"):
        x, y = getattr(sa, name), getattr(sb, name)
        scale = np.maximum(np.abs(y), 1e-300)
        worst = max(worst, float(np.max(np.abs(x - y) / np.where(y == 0, 1.0, scale))))
    worst = max(worst, float(np.max(np.abs(sa.nu - sb.nu))))
    return worst


def cross_check(solution: Solution) -> dict[str, float | None]:
    """Largest relative difference between ``solution`` and each other applicable method.

    Parameters
    ----------
    solution : Solution
        A solution by one method (its default ``tol`` is used for a cross-check by ``"mcp"``).

    Returns
    -------
    dict of str to float or None
        Other method -> :func:`max_rel_diff` (``solution`` against it); None where the method
        does not apply (it raised :class:`~trade_opt.errors.TradeOptError`, e.g. the closed forms
        for a distribution other than untruncated Pareto).
    """
    checks: dict[str, float | None] = {}
    for method in METHODS:
        if method == solution.method:
            continue
        try:
            other = solve_equilibrium(solution.data, method)
        except TradeOptError:
            checks[method] = None  # not applicable (e.g. closed forms off untruncated Pareto)
            continue
        checks[method] = max_rel_diff(solution, other)
    return checks
