"""Solving the Melitz-offshoring MCP E1-E6 (eqs. 3, 4, 8, 9, 11, 15, 18): starts, certification.

The model of :mod:`trade_opt.melitz.mcp_model` is solved by :func:`trade_opt.mcp.solve`: crude
starts one at a time (:func:`solve_mcp`; the equilibrium is unique, so the first solved point is
it) or from a given start (:func:`solve_mcp_from`), with the model's scales taken from the start
being tried; the point found is then certified by a Newton polish with the scales taken from it
and the rows scaled by :func:`~trade_opt.melitz.mcp_model.row_scaling` (:func:`_certify`), whose
natural residual is the one reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from trade_opt.errors import SolveError
from trade_opt.melitz.industry import IndustryState
from trade_opt.melitz.instance import MelitzData
from trade_opt.melitz.mcp_model import _require_algebraic, build_model, row_scaling
from trade_opt.melitz.mcp_starts import autarky_start, guess, read_state, starting_points


@dataclass(frozen=True)
class MelitzMCPSolution:
    """MCP solution: the state per industry and the solver's report."""

    state: IndustryState
    status: str
    residual: float
    iterations: dict[str, int]
    seconds: float
    active_set: Any
    message: str


def _candidate_states(data: MelitzData, theta_factors: tuple[float, ...]) -> Iterator[tuple[str, IndustryState]]:
    for factor in theta_factors:
        yield f"theta*={factor:g}b", guess(data, factor)
    yield "autarky cutoff", autarky_start(data)


def solve_mcp(data: MelitzData, tol: float = 1e-10, theta_factors: tuple[float, ...] = (1.2, 2.0, 4.0)) -> MelitzMCPSolution:
    """Solve the MCP E1-E6 for every industry with :func:`trade_opt.mcp.solve`.

    Starts are tried one at a time (the equilibrium is unique, so the first solved point is it):
    the crude starts of :func:`guess`, then the fallback :func:`autarky_start`.  The model's scales
    (``me_scale``, ``u_scale``) are taken from the start being tried.

    Parameters
    ----------
    data : MelitzData
        The instance.
    tol : float
        Natural-residual tolerance passed to the MCP layer.
    theta_factors : tuple of float
        Starting cutoffs as multiples of b (see :func:`guess`).

    Returns
    -------
    MelitzMCPSolution
        ``message`` names the start that succeeded.

    Raises
    ------
    SolveError
        If no start reaches ``status == "solved"``.
    TradeOptError
        If the productivity distribution has no algebraic Pyomo form (e.g. log-normal).
    """
    _require_algebraic(data)
    failures: list[str] = []
    history: list[Any] = []  # every MCPResult, for the iteration and time totals
    for label, state in _candidate_states(data, theta_factors):
        try:
            model, result = _solve_from(data, state, tol, certify=False)
            history.append(result)
            if result.status != "failed":
                model, result = _certify(data, model, tol, history)
        except (ArithmeticError, ValueError, RuntimeError) as exc:  # e.g. PyNumero evaluation errors
            failures.append(f"{label}: {type(exc).__name__}")
            continue
        if result.status == "solved":
            return _solution(model, result, history, label)
        failures.append(f"{label}: {result.status}, residual {result.residual:.3g}")
    raise SolveError("melitz MCP: no start solved (" + "; ".join(failures) + ")")


def solve_mcp_from(data: MelitzData, start: IndustryState, tol: float = 1e-10) -> MelitzMCPSolution:
    """Solve the MCP E1-E6 of all industries as one model from a given ``start``.

    E.g. the 1-D reduction's state, as PATH users pass a good start.  The model's scales are taken
    from ``start`` and the rows scaled by :func:`row_scaling`, so the MCP layer's warm Newton polish
    (sparse, block-diagonal Jacobian: industries do not interact) usually certifies the point in a
    step or two; Ipopt runs only if that polish fails.  The residual reported is the MCP layer's own
    natural residual.

    Parameters
    ----------
    data : MelitzData
        The instance.
    start : IndustryState
        The start (unscaled).
    tol : float
        Natural-residual tolerance passed to the MCP layer.

    Returns
    -------
    MelitzMCPSolution
        The certified solution (``message`` names "given start").

    Raises
    ------
    SolveError
        If the model is not solved from ``start`` (callers fall back to :func:`solve_mcp`).
    TradeOptError
        If the productivity distribution has no algebraic Pyomo form (e.g. log-normal).
    """
    _require_algebraic(data)
    history: list[Any] = []
    try:
        model, result = _solve_from(data, start, tol, certify=True)
        history.append(result)
        if result.status == "solved" and not _scales_ok(data, model):
            model, result = _certify(data, model, tol, history)
    except (ArithmeticError, ValueError, RuntimeError) as exc:
        raise SolveError(f"melitz MCP from the given start: {type(exc).__name__}") from exc
    if result.status != "solved":
        raise SolveError(f"melitz MCP from the given start: {result.status}, residual {result.residual:.3g}")
    return _solution(model, result, history, "given start")


def _solution(model: Any, result: Any, history: list[Any], label: str) -> MelitzMCPSolution:
    iterations: dict[str, int] = {}
    for item in history:
        for key, value in item.iterations.items():
            iterations[key] = iterations.get(key, 0) + int(value)
    return MelitzMCPSolution(
        state=read_state(model), status=result.status, residual=float(result.residual),
        iterations=iterations, seconds=float(sum(item.seconds for item in history)),
        active_set=result.active_set, message=f"start {label}: {result.message}",
    )


def _solve_from(data: MelitzData, state: IndustryState, tol: float, certify: bool) -> tuple[Any, Any]:
    """Build the model with scales taken from ``state`` and solve it from ``state``.

    ``certify=False`` lets the MCP layer scale rows by its default (Jacobian row norms), which its
    Newton steps like best; ``certify=True`` uses :func:`row_scaling`, the residual we report.
    """
    from trade_opt.mcp import solve

    theta_pow = state.theta_star ** (-data.s)
    u_scale = np.maximum(np.where(state.u > 0, state.u, theta_pow), data.u_min)
    model = build_model(data, me_scale=state.M_e, u_scale=u_scale)
    scaling = row_scaling(model, data) if certify else None
    result = solve(model, starts=starting_points(model, [state]), tol=tol, scaling=scaling)
    return model, result


#: Scaled variables me, uh must end within this factor of 1 for the natural residual to measure
#: E4 and E2 (``min(x - lb, F)`` is small whenever a badly scaled x is tiny).
SCALE_BAND = 10.0


def _scales_ok(data: MelitzData, model: Any) -> bool:
    me = np.array([model.me[i].value for i in model.I])
    uh = np.array([model.uh[i].value for i in model.I])
    uh_lb = np.array([model.uh[i].lb for i in model.I])
    interior_u = (data.omega > 0) & (uh > uh_lb * (1 + 1e-8) + 1e-300)  # at its bound the scale is moot
    bad = (me > SCALE_BAND) | (me < 1 / SCALE_BAND) | (interior_u & ((uh > SCALE_BAND) | (uh < 1 / SCALE_BAND)))
    return not bad.any()


def _certify(data: MelitzData, model: Any, tol: float, history: list[Any], rounds: int = 3) -> tuple[Any, Any]:
    """Re-solve from the point found, with the scales ``me_scale``, ``u_scale`` taken from it (so
    ``me``, ``uh`` are ~1) and the rows scaled by :func:`row_scaling`: a Newton polish from the
    point whose natural residual is the one reported.  Repeated while the scaled variables end
    outside :data:`SCALE_BAND` (``min(x - lb, F)`` is small whenever a badly scaled x is tiny)."""
    result = None
    for _ in range(rounds):
        model, result = _solve_from(data, read_state(model), tol, certify=True)
        history.append(result)
        if result.status != "solved" or _scales_ok(data, model):
            break
    return model, result
