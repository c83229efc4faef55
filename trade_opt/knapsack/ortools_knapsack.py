"""OR-Tools' knapsack branch and bound on integer-scaled data, with a float feasibility re-check
and, in :func:`knapsack_ortools_bounded`, a proven bound on the distance to the exact optimum.
"""
from __future__ import annotations

import math
import time

import numpy as np

from trade_opt.knapsack.core import KnapsackSolution, capacity_slack
from trade_opt.knapsack.reduce import _fix_packing


# --------------------------------------------------------------------------- OR-Tools
#: Integer scale of the OR-Tools knapsack: the kept items' values and weights each sum to about 2^52.
ORTOOLS_SCALE_BITS = 52


def knapsack_ortools(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=",
                     time_limit: float | None = None) -> KnapsackSolution:
    """0-1 knapsack by OR-Tools' branch and bound (``KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER``).

    OR-Tools takes integers: the items that can matter (c_i > 0, w_i <= W) get values and weights
    scaled so that each sum is about 2^52 and rounded to the nearest integer; the capacity is
    floor(W scale + slack scale).  The optimum's x is then re-checked in floating point against the
    real row (same relative slack as the DP, :func:`capacity_slack`); if rounding made it infeasible,
    the solve is repeated with weights rounded up (every integer-feasible x is then feasible) and
    the status says ``feasible`` (optimal up to the rounding).  The value is the float c.x.
    ``>=``: solved as the ``<=`` problem of the complement y = 1 - x (weights.y <= sum w - W).

    Parameters
    ----------
    values : numpy.ndarray
        Item values c_i, shape (n,), any sign.
    weights : numpy.ndarray
        Item weights w_i > 0, shape (n,).
    capacity : float
        Right-hand side W.
    sense : {"<=", ">="}
        Direction of the row (anything but ``">="`` is solved as ``"<="``).
    time_limit : float, optional
        Seconds for OR-Tools' search (per solve; the rounding-up retry gets its own).

    Returns
    -------
    KnapsackSolution
        ``value`` = float c.x of the returned x, ``method`` ``"ortools"``; ``mip.status`` is
        ``optimal``, ``feasible`` (the rounded-up retry) or ``time_limit``.  ``>=`` with
        sum(w) < W - slack: value -inf, x = 0.

    Raises
    ------
    trade_opt.errors.SolverUnavailableError
        The ``ortools`` package is not installed (optional extra ``trade-opt[ortools]``).
    """
    try:
        from ortools.algorithms.python import knapsack_solver
    except ImportError:
        from trade_opt.errors import SolverUnavailableError

        raise SolverUnavailableError("ortools is not installed (pip install ortools, or the extra trade-opt[ortools])") from None
    start = time.perf_counter()
    c = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = len(c)
    if sense == ">=":
        total = math.fsum(w.tolist())
        if total < capacity - capacity_slack(capacity, n):
            return KnapsackSolution(-np.inf, np.zeros(n), "ortools", time.perf_counter() - start)
        comp = knapsack_ortools(-c, w, total - float(capacity), "<=", time_limit)
        x = 1.0 - comp.x
        return KnapsackSolution(float(c @ x), x, "ortools", time.perf_counter() - start, mip=comp.mip)
    cap = float(capacity)
    slack = capacity_slack(cap, n)
    items = np.flatnonzero((c > 0) & (w <= cap + slack))
    x = np.zeros(n)
    status = "optimal"
    if len(items):
        vs = (2.0 ** ORTOOLS_SCALE_BITS) / math.fsum(c[items].tolist())
        ws = (2.0 ** ORTOOLS_SCALE_BITS) / max(math.fsum(w[items].tolist()), cap)
        for rounding in (np.rint, np.ceil):
            solver = knapsack_solver.KnapsackSolver(
                knapsack_solver.SolverType.KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER, "b1")
            if time_limit is not None:
                solver.set_time_limit(float(time_limit))
            wi = rounding(w[items] * ws).astype(np.int64)
            cap_i = int(math.floor((cap + (slack if rounding is np.rint else 0.0)) * ws))
            solver.init(np.rint(c[items] * vs).astype(np.int64).tolist(), [wi.tolist()], [cap_i])
            solver.solve()
            x[:] = 0.0
            x[items] = [solver.best_solution_contains(k) for k in range(len(items))]
            if not solver.is_solution_optimal():
                status = "time_limit"
            if float(w @ x) <= cap + slack:
                break
            status = "feasible"
    from trade_opt.solvers import MipResult  # (imports Pyomo: only when OR-Tools has run)

    return KnapsackSolution(float(c @ x), x, "ortools", time.perf_counter() - start,
                            mip=MipResult("ortools", status, "branch_and_bound", float(c @ x),
                                          float(c @ x) if status == "optimal" else None, time.perf_counter() - start))


def knapsack_ortools_bounded(values: np.ndarray, weights: np.ndarray, capacity: float,
                             sense: str = "<=") -> tuple[KnapsackSolution, float] | None:
    """OR-Tools' branch and bound with a proven bound on its distance to the exact optimum, or None.

    The kept items (c_i > 0, w_i <= W + s, s = :func:`capacity_slack`) first go through the
    reduced-cost fixing of the DP (:func:`~trade_opt.knapsack.reduce._fix_packing`); the fixed-in
    items' load is taken off the capacity, leaving capacity C and m free items.  These get values
    rint(c_i s_v) and weights rint(w_i s_w), s_v = 2^52 / sum c, s_w = 2^52 / max(sum w, C) (sums
    over the m free items); the integer capacity is floor(C s_w) + m + 4, so every x that meets the
    float row W + s meets the integer row (each scaled weight is off by at most 1: the product's
    rounding and rint; the rest covers the rounding of C and of the fixed load).  OR-Tools' integer
    optimum x* therefore has c'.x* >= c'.x_f for the float optimum x_f, and with the values'
    rounding (<= 1 each) c.x* >= OPT - delta, delta = 2 m / s_v = 2 m sum(c) 2^-52.  If x* meets
    the float row (re-checked in floating point) it is feasible, so OPT - delta <= c.x* <= OPT.
    ``>=``: the complement y = 1 - x of the row w.y <= sum(w) - W + s, re-checked on w.x >= W - s.

    Parameters
    ----------
    values : numpy.ndarray
        Item values c_i, shape (n,), any sign.
    weights : numpy.ndarray
        Item weights w_i > 0, shape (n,).
    capacity : float
        Right-hand side W.
    sense : {"<=", ">="}
        Direction of the row.

    Returns
    -------
    solution : KnapsackSolution
        ``method`` ``"ortools"``, value the float c.x* (-inf, x = 0, delta 0 for ``>=`` when
        sum(w) < W - s).
    delta : float
        The proven bound OPT - c.x* <= delta (0 when every item was fixed).

    None instead when OR-Tools is not installed, its search did not prove optimality, or x* fails
    the float re-check (the relaxed integer row let in an x the float row rejects): use the exact
    DP then.
    """
    try:
        from ortools.algorithms.python import knapsack_solver
    except ImportError:
        return None
    start = time.perf_counter()
    c = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = len(c)
    W = float(capacity)
    slack = capacity_slack(W, n)
    if sense == ">=":
        total = math.fsum(w.tolist())
        if total < W - slack:
            return KnapsackSolution(-np.inf, np.zeros(n), "ortools", time.perf_counter() - start), 0.0
        v, cap = -c, (total - W) + slack
    else:
        v, cap = c, W + slack
    items = np.flatnonzero((v > 0) & (w <= cap))
    z = np.zeros(n)
    delta = 0.0
    if len(items) > 1:                     # reduced-cost fixing (exact, as in the DP): a smaller B&B
        items = items[np.argsort(-(v[items] / w[items]), kind="stable")]
        v_it, w_it = v[items], w[items]
        one, zero, _ = _fix_packing(v_it, w_it, cap, np.cumsum(w_it), np.cumsum(v_it), v_it / w_it)
        z[items[one]] = 1.0
        cap -= math.fsum(w_it[one].tolist())
        items = items[~(one | zero)]
    if len(items):
        sum_v = math.fsum(v[items].tolist())
        vs = (2.0 ** ORTOOLS_SCALE_BITS) / sum_v
        ws = (2.0 ** ORTOOLS_SCALE_BITS) / max(math.fsum(w[items].tolist()), cap)
        solver = knapsack_solver.KnapsackSolver(
            knapsack_solver.SolverType.KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER, "bounded")
        # each scaled weight is off by <= 1 (product + rint); +2 for the rounding of cap (and of the fixed items' load)
        cap_i = int(math.floor(cap * ws)) + len(items) + 4
        solver.init(np.rint(v[items] * vs).astype(np.int64).tolist(), [np.rint(w[items] * ws).astype(np.int64).tolist()], [cap_i])
        solver.solve()
        if not solver.is_solution_optimal():
            return None
        z[items] = [solver.best_solution_contains(k) for k in range(len(items))]
        delta = 2 * len(items) * sum_v * 2.0 ** -ORTOOLS_SCALE_BITS      # each scaled value is off by <= 1
    x = 1.0 - z if sense == ">=" else z
    load = float(w @ x)
    if (load < W - slack) if sense == ">=" else (load > W + slack):
        return None
    return KnapsackSolution(float(c @ x), x, "ortools", time.perf_counter() - start), delta


