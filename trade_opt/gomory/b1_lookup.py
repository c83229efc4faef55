"""B1(Y) at many income shares at once, and Theorem 3 for every equilibrium of the main job.

Theorem 3 (``models/gomory.md``): every equilibrium, specialized or mixed, satisfies
u_1(x, Y) <= B1(Y) <= B(Y).  The main job checks it for all equilibria with one call of
:func:`b1_at` on the set of their income shares, so the B1 evaluation lives in one place.

:func:`b1_at` evaluates each distinct Y once (:func:`b1_method` chooses):

* ``"enumeration"``: all 2^n patterns in both relaxation directions, vectorized, when 2^n times
  the number of distinct Y is at most ``ENUMERATION_BUDGET`` (the formulation of
  :func:`trade_opt.gomory.boundary.trade_knapsacks`, the feasibility slack of
  :func:`trade_opt.knapsack.capacity_slack`: the arithmetic of
  :func:`trade_opt.gomory.boundary.boundary_B1_brute_force`);
* ``"trace"``: one exact parametric trace over [min Y, max Y]
  (:func:`trade_opt.gomory.b1_trace.b1_at_many_Y`: B1 is piecewise in Y, every breakpoint
  certified by the DP), then a lookup at every Y, when the trace applies (:func:`traceable`: one
  exponent per good, f = e l^alpha), n <= ``TRACE_MAX_N`` and there are at least
  ``TRACE_MIN_POINTS`` distinct Y.  At n = 16, B1 at all 65,534 equilibria: 0.2 s, against 63 s by
  enumeration; equal to it to 1e-15 (tests/test_gomory_b1_pieces.py);
* ``"dp"``: the exact DP at each Y (:func:`trade_opt.gomory.boundary.boundary_B1_dp`).
"""
from __future__ import annotations

import math

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.boundary import b1_directions_dp, boundary_B1_dp, boundary_B_greedy, knapsack_data
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.theorems import Theorem3Report
from trade_opt.knapsack import CAPACITY_TOL
from trade_opt.progress import progress_bar

#: Enumerate all 2^n patterns when 2^n x (distinct Y) is at most this (else the DP per Y).
ENUMERATION_BUDGET = 1 << 24
#: Entries (Y x patterns) per enumeration block (memory ~ 3 x 8 bytes x this).
BLOCK = 1 << 22
#: Y per DP progress step.
DP_STEP = 256
#: Largest n for the "trace" method: the pieces over the whole equilibrium range grow with n (n = 50,
#: random instance, Y in [0.003, 0.998]: 936 pieces, 2,312 DPs, 0.7 s).
TRACE_MAX_N = 64
#: Fewest distinct Y for the "trace" method (below it the DP per Y is cheaper than the trace).
TRACE_MIN_POINTS = 64
#: Anchor income shares whose exact B1 maximizers give the lower bounds of :func:`theorem3_certified`.
ANCHORS = 257
#: A candidate x counts as feasible for a lower bound only with this much slack in the trade row.
FEASIBLE_MARGIN = 1e-12


def traceable(data: GomoryData) -> bool:
    """Whether the exact B1 trace applies to ``data`` (:class:`trade_opt.gomory.b1_trace.B1Trace`).

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    bool
        True with one exponent per good (alpha_i1 = alpha_i2) and production f = e l^alpha at the
        specialized equilibria (kind power or barrier): each pattern's knapsack value is then a
        line in logit(Y).
    """
    return bool(data.production.specialized_as_power and np.all(data.alpha[0] == data.alpha[1]))


def b1_method(n: int, distinct: int, trace: bool = False) -> str:
    """Which evaluation :func:`b1_at` uses: ``"enumeration"``, ``"trace"`` or ``"dp"``.

    Parameters
    ----------
    n : int
        Number of goods.
    distinct : int
        Number of distinct income shares Y.
    trace : bool, optional
        Whether the exact trace applies to the instance (:func:`traceable`).

    Returns
    -------
    str
        ``"enumeration"`` when 2^n x ``distinct`` <= ``ENUMERATION_BUDGET``; else ``"trace"`` when
        ``trace``, n <= ``TRACE_MAX_N`` and ``distinct`` >= ``TRACE_MIN_POINTS``; else ``"dp"``.
    """
    if n <= 40 and (1 << n) * max(distinct, 1) <= ENUMERATION_BUDGET:
        return "enumeration"
    return "trace" if trace and n <= TRACE_MAX_N and distinct >= TRACE_MIN_POINTS else "dp"


def _b1_enumerated(data: GomoryData, Y: np.ndarray) -> np.ndarray:
    """B1 at each Y by enumerating all 2^n patterns in both directions (Theorem 3's integer bound)."""
    n = data.n
    X = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)       # (2^n, n)
    eps_factor = CAPACITY_TOL + (n + 2) * np.finfo(float).eps
    out = np.empty(len(Y))
    step = max(1, BLOCK >> n)
    with progress_bar("B1 at the equilibria (enumeration)", len(Y)) as bar:
        for start in range(0, len(Y), step):
            sl = slice(start, start + step)
            kd = knapsack_data(data, Y[sl])
            low = kd.Y < 0.5
            # Y < 1/2: the complement y = 1 - x with rhs Y (trade_knapsacks); else x with rhs 1 - Y
            values = np.where(low[:, None], -kd.c, kd.c)
            rhs = np.where(low, kd.Y, kd.capacity)
            offset = np.array([math.fsum(row.tolist()) if lo else 0.0 for row, lo in zip(kd.c, low)])
            load = kd.V @ X.T                                                    # (m, 2^n)
            objective = values @ X.T
            tol = (np.abs(rhs) * eps_factor)[:, None]
            below = load <= rhs[:, None] + tol                                   # feasible for "<="
            above = load >= rhs[:, None] - tol                                   # feasible for ">="
            best_below = np.where(below, objective, -np.inf).max(axis=1)
            best_above = np.where(above, objective, -np.inf).max(axis=1)
            # paper's "<=" direction: sense "<=" for Y >= 1/2, ">=" in the complement for Y < 1/2
            le = np.where(low, best_above, best_below)
            ge = np.where(low, best_below, best_above)
            out[sl] = kd.constant + offset + np.minimum(le, ge)
            bar.advance(len(kd.Y))
    return out


def b1_at(data: GomoryData, Y: np.ndarray, method: str | None = None) -> np.ndarray:
    """B1(Y) (Theorem 3's integer boundary, the smaller of the two 0-1 knapsack optima) at each Y.

    Each distinct Y is evaluated once, by enumeration, the exact trace or the exact DP.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : numpy.ndarray
        Income shares of country 1 (N_1, with N_1 + N_2 = 1), each in (0, 1), any order.
    method : {"enumeration", "trace", "dp"}, optional
        Force one evaluation; default: :func:`b1_method`'s choice.

    Returns
    -------
    numpy.ndarray
        B1 at each Y (log-utility of country 1), same shape as ``Y``.

    Raises
    ------
    ArgumentError
        An unknown ``method``, or ``"trace"`` for an instance it does not apply to.
    """
    Y = np.asarray(Y, dtype=float)
    if method not in (None, "enumeration", "trace", "dp"):
        raise ArgumentError("method", f"must be enumeration, trace or dp, got {method!r}")
    if method == "trace" and not traceable(data):
        raise ArgumentError("method", "the exact B1 trace needs one exponent per good and f = e l^alpha")
    if Y.size == 0:
        return np.zeros(Y.shape)
    distinct, inverse = np.unique(Y.ravel(), return_inverse=True)
    method = method or b1_method(data.n, len(distinct), traceable(data))
    if method == "enumeration":
        values = _b1_enumerated(data, distinct)
    elif method == "trace":
        from trade_opt.gomory.b1_trace import b1_at_many_Y

        with progress_bar("B1 at the equilibria (exact trace)", 1.0) as bar:
            values = b1_at_many_Y(data, distinct, progress=bar.advance)
    else:
        values = np.empty(len(distinct))
        with progress_bar("B1 at the equilibria (DP)", len(distinct)) as bar:
            for start in range(0, len(distinct), DP_STEP):
                part = distinct[start:start + DP_STEP]
                values[start:start + DP_STEP] = boundary_B1_dp(data, part)
                bar.advance(len(part))
    return values[inverse].reshape(Y.shape)


def theorem3_reports(data: GomoryData, groups: list[tuple[np.ndarray, np.ndarray]],
                     tol: float = 1e-10) -> list[Theorem3Report]:
    """Theorem 3, u1 <= B1(Y) <= B(Y), for several groups of equilibria with ONE :func:`b1_at` call.

    Parameters
    ----------
    data : GomoryData
        The instance.
    groups : list of (numpy.ndarray, numpy.ndarray)
        (Y, u1) arrays per group (e.g. specialized and mixed equilibria): income shares of
        country 1 and its log-utility at the equilibria.
    tol : float, optional
        Absolute tolerance (log-utility units) of both inequalities.

    Returns
    -------
    list of trade_opt.gomory.theorems.Theorem3Report
        One per group: counts of violations and max(u1 - B1), as
        :func:`trade_opt.gomory.theorems.theorem3_points`.
    """
    Ys = [np.asarray(Y, dtype=float) for Y, _ in groups]
    B1_all = b1_at(data, np.concatenate(Ys)) if Ys else np.zeros(0)
    reports, start = [], 0
    for (Y, u1), Yg in zip(groups, Ys):
        u1 = np.asarray(u1, dtype=float)
        B1 = B1_all[start:start + len(Yg)]
        start += len(Yg)
        if len(Yg) == 0:
            reports.append(Theorem3Report(0, 0, 0, float("nan"), tol))
            continue
        B, _ = boundary_B_greedy(data, Yg)
        reports.append(Theorem3Report(
            checked=len(Yg),
            violations_u_above_B1=int(np.sum(u1 > B1 + tol)),
            violations_B1_above_B=int(np.sum(B1 > B + tol)),
            max_u_minus_B1=float(np.max(u1 - B1)),
            tol=tol,
        ))
    return reports


def theorem3_all(data: GomoryData, Y: np.ndarray, u1: np.ndarray, tol: float = 1e-10) -> Theorem3Report:
    """Theorem 3, u1 <= B1(Y) <= B(Y), at equilibria (Y, u1), specialized or mixed, with one B1 call.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : numpy.ndarray
        Income shares of country 1 at the equilibria.
    u1 : numpy.ndarray
        Country 1's log-utility at the equilibria.
    tol : float, optional
        Absolute tolerance (log-utility units) of both inequalities.

    Returns
    -------
    trade_opt.gomory.theorems.Theorem3Report
        Counts of violations and max(u1 - B1), as :func:`trade_opt.gomory.theorems.theorem3_points`.
    """
    return theorem3_reports(data, [(Y, u1)], tol)[0]


def _anchor_solutions(data: GomoryData, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact maximizers x of both relaxation directions ("<=", ">=") at each anchor Y
    (:func:`trade_opt.gomory.boundary.b1_directions_dp`, the DP behind every exact B1 here)."""
    x_le, x_ge = np.zeros((len(Y), data.n)), np.zeros((len(Y), data.n))
    for k, y in enumerate(Y):
        le, ge, _ = b1_directions_dp(data, float(y))
        x_le[k], x_ge[k] = le.x, ge.x
    return x_le, x_ge


def b1_lower_bounds(data: GomoryData, Y: np.ndarray, anchors: int = ANCHORS) -> np.ndarray:
    """A lower bound of B1 at each Y from the exact maximizers at nearby anchor income shares.

    B1(Y) = C(Y) + min(le(Y), ge(Y)) with le, ge the optima of the two 0-1 relaxations of the trade
    equation (Eq. 2).  Any x feasible for a direction gives a lower bound of its optimum, so with the
    exact maximizers x_le, x_ge at the two anchors around Y (four candidates, each counted only where
    it is feasible at Y with ``FEASIBLE_MARGIN`` to spare), min(best le candidate, best ge candidate)
    <= B1(Y); -inf where a direction has no feasible candidate.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : numpy.ndarray
        Income shares of country 1 (N_1), in (0, 1).
    anchors : int, optional
        Number of anchors, equally spaced over [min Y, max Y].

    Returns
    -------
    numpy.ndarray
        Lower bounds of B1 (log-utility of country 1), shape of ``Y``.
    """
    Y = np.asarray(Y, dtype=float)
    grid = np.unique(np.linspace(Y.min(), Y.max(), anchors)) if len(Y) else np.zeros(0)
    x_le, x_ge = _anchor_solutions(data, grid)
    a = np.clip(np.searchsorted(grid, Y, side="right") - 1, 0, len(grid) - 1)
    b = np.minimum(a + 1, len(grid) - 1)
    kd = knapsack_data(data, Y)
    bounds = []
    for X, sense in ((x_le, "<="), (x_ge, ">=")):
        best = np.full(len(Y), -np.inf)
        for idx in (a, b):
            x = X[idx]
            load = (kd.V * x).sum(axis=1)
            ok = load <= kd.capacity - FEASIBLE_MARGIN if sense == "<=" else load >= kd.capacity + FEASIBLE_MARGIN
            best = np.maximum(best, np.where(ok, (kd.c * x).sum(axis=1), -np.inf))
        bounds.append(best)
    return kd.constant + np.minimum(bounds[0], bounds[1])


def theorem3_certified(data: GomoryData, groups: list[tuple[np.ndarray, np.ndarray]], tol: float = 1e-10,
                       anchors: int = ANCHORS) -> tuple[list[Theorem3Report], int]:
    """Theorem 3 for every equilibrium of several groups, with B1 evaluated exactly only where needed.

    u1 <= LB(Y) + tol (:func:`b1_lower_bounds`, LB <= B1) certifies u1 <= B1 + tol.  :func:`b1_at`
    is called on the points not so certified (their violations are counted exactly) and, in
    decreasing order of the bound u1 - LB, until the largest exact u1 - B1 found is at least the
    next bound, so max(u1 - B1) is exact.  B1 <= B is counted at the exactly evaluated points; at
    the others it holds by construction (B1 is at most the smaller LP relaxation, which is B).

    Parameters
    ----------
    data : GomoryData
        The instance.
    groups : list of (numpy.ndarray, numpy.ndarray)
        (Y, u1) per group of equilibria (income share of country 1, its log-utility).
    tol : float, optional
        Absolute tolerance (log-utility units).
    anchors : int, optional
        Anchor income shares for the lower bounds.

    Returns
    -------
    tuple
        (one :class:`~trade_opt.gomory.theorems.Theorem3Report` per group, every equilibrium
        counted as checked; number of exact B1 evaluations).
    """
    Ys = [np.asarray(Y, dtype=float) for Y, _ in groups]
    us = [np.asarray(u, dtype=float) for _, u in groups]
    Y_all = np.concatenate(Ys) if Ys else np.zeros(0)
    if len(Y_all) == 0:
        return [Theorem3Report(0, 0, 0, float("nan"), tol) for _ in groups], 0
    LB_all = b1_lower_bounds(data, Y_all, anchors)
    reports, start, exact_total = [], 0, 0
    for Y, u1 in zip(Ys, us):
        LB = LB_all[start:start + len(Y)]
        start += len(Y)
        if len(Y) == 0:
            reports.append(Theorem3Report(0, 0, 0, float("nan"), tol))
            continue
        B1 = np.full(len(Y), np.nan)
        todo = np.flatnonzero(~(u1 <= LB + tol))                                # not certified
        if todo.size:
            B1[todo] = b1_at(data, Y[todo])
        order = np.argsort(-(u1 - LB), kind="stable")
        best = np.nanmax(u1 - B1) if todo.size else -np.inf
        pos = 0
        while pos < len(order) and (u1 - LB)[order[pos]] > best:
            chunk = order[pos:pos + DP_STEP]
            chunk = chunk[np.isnan(B1[chunk])]
            if chunk.size:
                B1[chunk] = b1_at(data, Y[chunk])
            best = np.nanmax(u1 - B1)
            pos += DP_STEP
        exact = ~np.isnan(B1)
        exact_total += int(exact.sum())
        B, _ = boundary_B_greedy(data, Y[exact])
        reports.append(Theorem3Report(
            checked=len(Y),
            violations_u_above_B1=int(np.sum(u1[exact] > B1[exact] + tol)),
            violations_B1_above_B=int(np.sum(B1[exact] > B + tol)),
            max_u_minus_B1=float(best),
            tol=tol,
        ))
    return reports, exact_total
