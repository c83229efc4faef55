"""Solve a Pyomo MCP: Scholtes relaxation with Ipopt, then active-set Newton polish, over many starts.

For each start (default: the model's current values, i.e. a warm start):

1. Polish directly from the start (:func:`trade_opt.mcp.polish.polish`, support Newton only): a
   start that is already close to a solution (continuation in a parameter) needs no Ipopt.
2. Otherwise solve the Scholtes relaxation (:mod:`trade_opt.mcp.reformulate`) for
   ``eps = 1e-2, 1e-4, 1e-6, 1e-8`` and polish after each NLP (support Newton, then semismooth
   mid and Fischer-Burmeister fallbacks); stop as soon as the scaled natural residual is <= tol.

Points with residual <= loose_tol from all starts are deduplicated by scaled distance
``max_i |x_i - y_i| / max(1, |x_i|, |y_i|) <= distinct_tol``.  References: Scholtes (2001);
Facchinei & Pang (2003), *Finite-Dimensional Variational Inequalities and Complementarity
Problems*, Ch. 9 (active-set / semismooth Newton); Ferris & Pang (1997), SIAM Review 39.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import scipy.linalg
from pyomo.contrib.pynumero.exceptions import PyNumeroEvaluationError

from trade_opt.errors import TradeOptError
from trade_opt.fpenv import preserving_fp_environment
from trade_opt.mcp.polish import PolishOutcome, polish
from trade_opt.mcp.reformulate import EPS_SCHEDULE, ScholtesNLP, require_asl, require_ipopt
from trade_opt.mcp.residual import Acceptance, reference_scales, residual_at, row_scales, user_rows
from trade_opt.mcp.result import MCPResult, MCPSolution
from trade_opt.mcp.system import MCPSystem, build_system

ACTIVE_TOL = 1e-9
#: :func:`generic_stability` returns None when more pairs than this are off their bounds: the
#: dense eigenvalue problem would cost more than the solve (MCPLIB obstacle, ~2000 inactive
#: pairs: 89 s in ``numpy.linalg.eigvals``).  A user ``stability`` callable is always evaluated.
STABILITY_MAX_INACTIVE = 1000


def _apply_start(system: MCPSystem, base: np.ndarray, start: Mapping[Any, float]) -> np.ndarray:
    x = base.copy()
    items = start.items() if hasattr(start, "items") else start
    for key, value in items:
        x[system.index_of(key)] = float(value)
    system.load_work(x)
    for k, pair in enumerate(system.pairs):
        if pair.kind == "slack":
            from pyomo.environ import value as pyo_value

            x[k] = float(pyo_value(pair.slack_expr))
    return x


def active_flags(system: MCPSystem, x: np.ndarray) -> np.ndarray:
    """Complementarity variables within ``1e-9 * max(1, |bound|)`` of a finite bound.

    Parameters
    ----------
    system : MCPSystem
        The compiled system.
    x : numpy.ndarray
        Unknowns in system order, shape (n,).

    Returns
    -------
    numpy.ndarray
        Boolean, shape (n_pairs,): True where the pair's variable is at its lower or upper bound
        (tolerance :data:`ACTIVE_TOL` relative to max(1, |bound|)).
    """
    n_p = system.n_pairs
    lb, ub, xp = system.lb[:n_p], system.ub[:n_p], x[:n_p]
    with np.errstate(invalid="ignore"):
        at_lb = np.isfinite(lb) & (np.abs(xp - lb) <= ACTIVE_TOL * np.maximum(1.0, np.abs(lb)))
        at_ub = np.isfinite(ub) & (np.abs(xp - ub) <= ACTIVE_TOL * np.maximum(1.0, np.abs(ub)))
    return at_lb | at_ub


def generic_stability(system: MCPSystem, x: np.ndarray) -> float | None:
    """Largest real part of the eigenvalues of ``-J_red`` at ``x`` (negative: locally stable).

    The adjustment dynamics are ``dx_i/dt = -F_i(x)`` for the complementarity variables off their
    bounds (prices fall when supply exceeds demand, activities shrink when they make losses),
    variables at a bound stay there, and the free variables follow the equality constraints
    instantaneously.  ``J_red = J_II - J_IE J_EE^{-1} J_EI`` is the Jacobian of those dynamics
    (Schur complement; I = inactive pairs, E = free variables / equality rows), unscaled.
    Parameters
    ----------
    system : MCPSystem
        The compiled system.
    x : numpy.ndarray
        A solution in system order, shape (n,).

    Returns
    -------
    float or None
        max Re(eig(-J_red)); None if no pair is inactive, more than
        :data:`STABILITY_MAX_INACTIVE` are, or ``J_EE`` is singular.
    """
    n_p = system.n_pairs
    inactive = np.flatnonzero(~active_flags(system, x))
    if inactive.size == 0 or inactive.size > STABILITY_MAX_INACTIVE:
        return None
    jac = system.J(x)
    free = np.arange(n_p, system.n)
    j_ii = jac[np.ix_(inactive, inactive)]
    if free.size:
        try:
            j_ee_inv_j_ei = scipy.linalg.solve(jac[np.ix_(free, free)], jac[np.ix_(free, inactive)])
        except (scipy.linalg.LinAlgError, ValueError):
            return None
        j_ii = j_ii - jac[np.ix_(inactive, free)] @ j_ee_inv_j_ei
    if not np.all(np.isfinite(j_ii)):
        return None
    return float(np.max(np.linalg.eigvals(-j_ii).real))


def _check_numbers(**values: float | None) -> None:
    """One :class:`TradeOptError` line unless every given tolerance/limit is a positive finite number."""
    for name, value in values.items():
        if value is None and name == "time_limit":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not (np.isfinite(number) and number > 0.0):
            raise TradeOptError(f"{name} must be a positive finite number, got {value!r}")


def _status(residual: float, tol: float, loose_tol: float) -> str:
    if residual <= tol:
        return "solved"
    return "solved_loose" if residual <= loose_tol else "failed"


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))) if a.size else 0.0


class _Run:
    """State shared by the starts of one :func:`solve` call."""

    def __init__(self, system: MCPSystem, tol: float, scaling: Any, ipopt_options: dict | None,
                 deadline: float | None, accept: Acceptance | None = None):
        self.system, self.tol, self.scaling = system, tol, scaling
        # the status measure: fixed reference scales + term magnitudes (never point-local Jacobians)
        self.accept = accept if accept is not None else Acceptance(
            system, reference_scales(system, [system.x_from_model()], scaling), user_rows(system, scaling))
        self.ipopt_options, self.deadline = ipopt_options, deadline
        self.nlp: ScholtesNLP | None = None
        self.counts = {"ipopt": 0, "newton": 0, "ipopt_solves": 0, "starts": 0}

    def scales_at(self, x: np.ndarray) -> np.ndarray:
        jac = self.system.J_sparse(x)
        if not np.all(np.isfinite(jac.data)):
            jac = jac * 0.0
        return row_scales(self.system, jac, self.scaling)

    def one_start(self, x0: np.ndarray, warm_polish: bool = True) -> PolishOutcome:
        """Direct polish, else the Scholtes/Ipopt loop with a polish after every NLP."""
        scales = self.scales_at(x0)
        if warm_polish:
            best = polish(self.system, x0, scales, self.tol, self.accept, rounds=3, fallback=False)
            self.counts["newton"] += best.iterations
            if best.residual <= self.tol:
                return best
        else:
            best = PolishOutcome(x0.copy(), self.accept(x0), 0, "start")
        if self.nlp is None:
            require_ipopt()  # only now: the Newton polish alone did not solve this start
            self.nlp = ScholtesNLP(self.system, scales)
        best = self._nlp_and_polish(x0, "scholtes", best)
        if best.residual > self.tol:  # fallback 1: semismooth Newton straight from the start
            outcome = polish(self.system, x0, scales, self.tol, self.accept)
            self.counts["newton"] += outcome.iterations
            best = outcome if outcome.residual < best.residual else best
        if best.residual > self.tol:  # fallback 2: minimize the complementarity gap with Ipopt
            best = self._nlp_and_polish(x0, "penalty", best)
        return best

    def _nlp_and_polish(self, x0: np.ndarray, mode: str, best: PolishOutcome) -> PolishOutcome:
        """Ipopt on the relaxation (eps schedule) or the penalty NLP, polishing after each solve."""
        self.nlp.set_mode(mode)
        schedule = EPS_SCHEDULE if mode == "scholtes" else (0.0,)
        for _eps, x, its, _term in self.nlp.run(x0, self.ipopt_options, self.deadline, schedule):
            self.counts["ipopt"] += its
            self.counts["ipopt_solves"] += 1
            outcome = polish(self.system, x, self.scales_at(x), self.tol, self.accept)
            self.counts["newton"] += outcome.iterations
            if outcome.residual < best.residual:
                best = outcome
            if best.residual <= self.tol:
                break
        return best


def _pick(solved: list[MCPSolution], select: Callable | None) -> MCPSolution:
    if select is None or len(solved) == 1:
        return solved[0]
    choice = select(solved)
    if isinstance(choice, (int, np.integer)):
        return solved[int(choice)]
    if not isinstance(choice, MCPSolution):
        raise TradeOptError("select must return one of the MCPSolution objects it was given, or its index")
    return choice


def _run_starts(system: MCPSystem, starts: Any, max_starts: int | None, scaling: Any, tol: float,
                ipopt_options: dict | None, t0: float, time_limit: float | None, warm_polish: bool):
    """Every start of one :func:`solve` call: ``([(start index, PolishOutcome)], _Run)``."""
    base = system.x_from_model()
    start_list = list(starts) if starts else [{}]
    if max_starts is not None:
        start_list = start_list[: max(1, int(max_starts))]
    points = [_apply_start(system, base, start) for start in start_list]
    for index, x0 in enumerate(points):
        bad = np.flatnonzero(~np.isfinite(x0))
        if bad.size:
            raise TradeOptError(f"start {index}: {system.names[bad[0]]} = {float(x0[bad[0]])!r} is not a finite number")
    accept = Acceptance(system, reference_scales(system, points, scaling), user_rows(system, scaling))
    run = _Run(system, tol, scaling, ipopt_options, None if time_limit is None else t0 + time_limit, accept)

    outcomes: list[tuple[int, PolishOutcome]] = []
    for index, x0 in enumerate(points):
        if run.deadline is not None and index > 0 and time.perf_counter() > run.deadline:
            break
        run.counts["starts"] += 1
        try:
            outcome = run.one_start(x0, warm_polish)
        except (PyNumeroEvaluationError, ArithmeticError) as exc:  # a failed start, never a traceback
            outcome = PolishOutcome(x0.copy(), float("inf"), 0, f"error: {type(exc).__name__}: {exc}")
        outcomes.append((index, outcome))
    return outcomes, run


@preserving_fp_environment
def solve(model: Any, starts: Sequence[Mapping[Any, float]] | None = None, tol: float = 1e-10,
          max_starts: int | None = None, loose_tol: float = 1e-6, ipopt_options: dict | None = None,
          scaling: Mapping[str, float] | None = None, time_limit: float | None = None, *,
          stability: Callable[[Any], float] | None = None,
          select: Callable[[list[MCPSolution]], MCPSolution | int] | None = None,
          distinct_tol: float = 1e-6, warm_polish: bool = True, load_solution: bool = True) -> MCPResult:
    """Solve the mixed complementarity problem written in ``model``.

    Parameters
    ----------
    model : pyomo ConcreteModel
        ``pyomo.mpec.Complementarity`` pairs (forms: :mod:`trade_opt.mcp.pairs`) plus free
        variables with equality ``Constraint`` s; square overall.  Fixed variables are data (a
        fixed complementarity variable drops its pair).
    starts : list, optional
        Each start maps variables to start values: a dict keyed by names (``{"n[2]": 1.0}``), a
        ``pyomo.common.collections.ComponentMap`` keyed by Var data objects (VarData is not
        hashable, so a plain dict cannot hold it), or a list of ``(var_or_name, value)`` tuples.
        Variables not named keep the model's values at call time.  Default: one start at the
        model's current values (warm start).
    tol : float
        Scaled natural residual for status ``solved``.  Row divisors ``min(s_i, sigma_i(x))``:
        ``s_i`` Jacobian row norms (at least 1) maximized over the start points of this call and
        fixed for every candidate, ``sigma_i(x)`` the magnitude (at least 1) of the row's additive
        terms at the candidate (:mod:`trade_opt.mcp.residual`, ``models/mcp.md``).
    max_starts : int, optional
        Try at most this many of ``starts``.
    loose_tol : float
        Residual for status ``solved_loose``; points above it are not reported as solutions.
    ipopt_options : dict, optional
        Extra Ipopt options (defaults: ``reformulate.DEFAULT_IPOPT_OPTIONS``).
    scaling : dict, optional
        Row key -> positive divisor of that row (default: the rule under ``tol``).
    time_limit : float, optional
        Seconds; no new start or NLP is begun after it (a running Newton polish finishes).
    stability : callable, optional
        ``stability(model) -> float`` evaluated with each solution temporarily loaded into
        ``model`` (values restored afterwards); default :func:`generic_stability` (largest real eigenvalue part of ``-J_red``).
    select : callable, optional
        ``select(solved_solutions) -> MCPSolution or index`` chooses the reported solution when
        several distinct ones reach ``tol`` (default: the first found), e.g.
        ``select=lambda sols: min(sols, key=lambda s: s.stability)``.
    distinct_tol : float
        Two points are the same solution if their scaled distance is at most this.
    warm_polish : bool
        First try the Newton polish directly from each start (cheap; enough when the start is
        near a solution, e.g. in continuation); False always goes through Ipopt first.
    load_solution : bool
        Load the reported solution into ``model`` (unless the status is ``failed``).

    Returns
    -------
    MCPResult
        The reported solution is loaded into ``model`` unless the status is ``failed`` (then the
        model keeps its values and ``result.values`` holds the best point found).

    Raises
    ------
    TradeOptError
        No Complementarity, not square, an unsupported form, a non-finite start, or a tolerance
        that is not a positive finite number (one line each).
    SolverUnavailableError
        PyNumero's ASL library is not built (every solve), or Ipopt (cyipopt) is missing when a
        start needs the relaxation phase: one line naming it and ``bash scripts/setup.sh``.
    """
    t0 = time.perf_counter()
    _check_numbers(tol=tol, loose_tol=loose_tol, distinct_tol=distinct_tol, time_limit=time_limit)
    if not loose_tol >= tol:
        raise TradeOptError(f"loose_tol must be at least tol, got loose_tol={loose_tol!r} < tol={tol!r}")
    require_asl()
    system = build_system(model)
    try:
        outcomes, run = _run_starts(system, starts, max_starts, scaling, tol, ipopt_options, t0, time_limit, warm_polish)
    finally:
        system.restore()  # values and bounds of the user's Vars as before the call

    accept = run.accept
    solutions, xs = _distinct(system, outcomes, tol, loose_tol, distinct_tol, stability, accept)
    solved = [s for s in solutions if s.status == "solved"]
    if solved:
        chosen = _pick(solved, select)
        x_best = xs[solutions.index(chosen)]
    else:
        index, best = min(outcomes, key=lambda item: item[1].residual)
        x_best = best.x
        chosen = _describe(system, best, index, tol, loose_tol, stability, accept)
    status = chosen.status
    if status != "failed" and load_solution:
        system.load_model(x_best)
    seconds = time.perf_counter() - t0
    counts = run.counts
    message = (f"{status}: scaled natural residual {chosen.residual:.2e} (tol {tol:.0e}; row divisors "
               f"min(fixed start-point Jacobian scale, term magnitude)), unscaled {chosen.residual_unscaled:.2e}; "
               f"{len(solved)} distinct solution(s) at tol from {counts['starts']} start(s); "
               f"{counts['ipopt']} Ipopt + {counts['newton']} Newton iterations; {seconds:.2f} s")
    return MCPResult(status=status, residual=chosen.residual, active_set=chosen.active_set,
                     iterations=counts, seconds=seconds, solutions=solutions, values=chosen.values,
                     message=message, stability=chosen.stability, residual_unscaled=chosen.residual_unscaled)


def _describe(system: MCPSystem, outcome: PolishOutcome, index: int, tol: float, loose_tol: float,
              stability: Callable | None, accept: Acceptance) -> MCPSolution:
    x = outcome.x
    unscaled = accept.parts(x)["residual_unscaled"] if np.all(np.isfinite(x)) else float("inf")
    flags = active_flags(system, x)
    status = _status(outcome.residual, tol, loose_tol)
    stab = None
    if status != "failed" and np.all(np.isfinite(x)):
        if stability is not None:
            saved = [None if v is None else v.value for v in system.orig_vars]
            system.load_model(x)
            try:
                stab = float(stability(system.model))
            finally:
                for v, value in zip(system.orig_vars, saved):
                    if v is not None:
                        v.set_value(value, skip_validation=True)
        else:
            stab = generic_stability(system, x)
    return MCPSolution(values=system.values(x), residual=float(outcome.residual),
                       active_set=[system.names[k] for k in np.flatnonzero(flags)],
                       stability=stab, status=status, start=index, method=outcome.method,
                       residual_unscaled=unscaled)


def _distinct(system: MCPSystem, outcomes: list[tuple[int, PolishOutcome]], tol: float,
              loose_tol: float, distinct_tol: float, stability: Callable | None, accept: Acceptance):
    solutions: list[MCPSolution] = []
    xs: list[np.ndarray] = []
    for index, outcome in outcomes:
        if not outcome.residual <= loose_tol:
            continue
        same = [k for k, x in enumerate(xs) if _distance(x, outcome.x) <= distinct_tol]
        if same:
            k = same[0]
            if outcome.residual < solutions[k].residual and solutions[k].status != "solved":
                solutions[k] = _describe(system, outcome, solutions[k].start, tol, loose_tol, stability, accept)
                xs[k] = outcome.x
            continue
        solutions.append(_describe(system, outcome, index, tol, loose_tol, stability, accept))
        xs.append(outcome.x)
    return solutions, xs
