"""Exact 0-1 knapsack DPs for real weights: packing (``<=``), covering (``>=``) and brute force.

Nemhauser-Ullmann lists of non-dominated (weight, value) states pruned by Dantzig's bound, after
fixing by LP bounds (:mod:`trade_opt.knapsack.reduce`); small cores by meet in the middle
(:mod:`trade_opt.knapsack.mitm`).  Feasibility uses :func:`trade_opt.knapsack.core.capacity_slack`.
"""
from __future__ import annotations

import math
import time

import numpy as np

from trade_opt.knapsack.core import KnapsackSolution, capacity_slack
from trade_opt.knapsack.reduce import (FEASIBLE_MARGIN, _cover_lp_cost, _dantzig_bound, _fix_by_lp_bounds, _fix_packing,
                                      _incumbent_value)
from trade_opt.knapsack.mitm import MITM_MAX_ITEMS, _meet_in_the_middle
from trade_opt.errors import ArgumentError


def knapsack_dp(values: np.ndarray, weights: np.ndarray, capacity: float,
                incumbent: np.ndarray | None = None) -> KnapsackSolution:
    """Exact 0-1 knapsack max c.x s.t. w.x <= W by Nemhauser-Ullmann with LP-bound pruning.

    Items with c_i <= 0 or w_i > W are never packed.  The remaining items are processed in
    order of decreasing c_i / w_i; after each item the list of non-dominated states (weight
    ascending, value strictly ascending) is kept, minus states whose Dantzig bound cannot reach
    the best value seen.  The optimal x is recovered by back-pointers.  Exact for real weights
    (no grid); the list can grow exponentially in adversarial cases (e.g. subset-sum).

    Parameters
    ----------
    values : numpy.ndarray
        Item values c_i, shape (n,), any sign.
    weights : numpy.ndarray
        Item weights w_i > 0, shape (n,).
    capacity : float
        Capacity W (loads up to W + :func:`~trade_opt.knapsack.core.capacity_slack` are accepted).
    incumbent : numpy.ndarray, optional
        A known 0/1 x of length n whose value, where it fits the row with room to spare, is a
        lower bound for the reduced-cost fixing (a near-optimal one fixes almost every item).  The
        optimal value is the same with or without it.

    Returns
    -------
    KnapsackSolution
        ``value`` = max c.x (0 when nothing can be packed), ``x`` an optimal 0/1 vector,
        ``method`` ``"dp"``, ``seconds`` wall time, ``states`` the largest state list kept (for a
        small core solved by meet in the middle: 2^ceil(m/2), the larger half list).
    """
    start = time.perf_counter()
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(values)
    cap = float(capacity) + capacity_slack(capacity, n)
    items = np.flatnonzero((values > 0) & (weights <= cap))
    items = items[np.argsort(-(values[items] / weights[items]), kind="stable")]
    v_it, w_it = values[items], weights[items]
    m = len(items)
    # suffix data for the bound of items k+1..m-1, computed from global prefix sums
    cum_w_all, cum_v_all = np.cumsum(w_it), np.cumsum(v_it)
    ratio = v_it / w_it if m else np.zeros(0)
    # reduced-cost fixing: items every optimum packs start the DP's one state, items none packs go
    fixed = np.zeros(0, np.intp)
    load0 = value0 = 0.0
    one, zero, lower = _fix_packing(v_it, w_it, cap, cum_w_all, cum_v_all, ratio,
                             None if incumbent is None else np.asarray(incumbent)[items])
    if one.any() or zero.any():
        fixed = items[one]
        load0, value0 = math.fsum(w_it[one].tolist()), math.fsum(v_it[one].tolist())
        rest = ~(one | zero)
        items, v_it, w_it = items[rest], v_it[rest], w_it[rest]
        m = len(items)
        cum_w_all, cum_v_all = np.cumsum(w_it), np.cumsum(v_it)
        ratio = v_it / w_it if m else np.zeros(0)

    if m <= (MITM_MAX_ITEMS if math.isfinite(lower) else MITM_MAX_ITEMS // 2):   # a small core: meet in the middle
        got = _meet_in_the_middle(w_it, v_it, load0, "<=", cap, lower - value0)
        if got is not None:
            x = np.zeros(n)
            x[fixed] = 1.0
            x[items] = got[1]
            return KnapsackSolution(value0 + got[0], x, "dp", time.perf_counter() - start, 1 << max(m - m // 2, 0))

    state_w = np.full(1, load0)
    state_v = np.full(1, value0)
    parents: list[np.ndarray] = []
    took: list[np.ndarray] = []
    best = value0
    max_states = 1
    for k in range(m):
        add_w, add_v = state_w + w_it[k], state_v + v_it[k]
        fits = add_w <= cap
        cand_w = np.concatenate([state_w, add_w[fits]])
        cand_v = np.concatenate([state_v, add_v[fits]])
        cand_parent = np.concatenate([np.arange(len(state_w)), np.flatnonzero(fits)])
        cand_took = np.concatenate([np.zeros(len(state_w), bool), np.ones(int(fits.sum()), bool)])
        order = np.lexsort((-cand_v, cand_w))                    # weight asc, value desc on ties
        cand_w, cand_v, cand_parent, cand_took = cand_w[order], cand_v[order], cand_parent[order], cand_took[order]
        running = np.maximum.accumulate(cand_v)
        keep = np.empty(len(cand_v), bool)
        keep[0] = True
        keep[1:] = cand_v[1:] > running[:-1]                     # strictly better than every lighter state
        # bounds over the items still to come (k+1..m-1): a feasible completion and Dantzig's LP bound
        lower, upper = _dantzig_bound(
            cum_w_all[k + 1:] - cum_w_all[k], cum_v_all[k + 1:] - cum_v_all[k], ratio[k + 1:], cap - cand_w
        )
        best = max(best, float(np.max(cand_v + lower)))
        keep &= cand_v + upper >= best - 1e-12 * max(1.0, abs(best))
        state_w, state_v = cand_w[keep], cand_v[keep]
        parents.append(cand_parent[keep])
        took.append(cand_took[keep])
        max_states = max(max_states, len(state_w))

    x = np.zeros(n)
    x[fixed] = 1.0
    idx = int(np.argmax(state_v))
    value = float(state_v[idx])
    for k in range(m - 1, -1, -1):
        if took[k][idx]:
            x[items[k]] = 1.0
        idx = int(parents[k][idx])
    return KnapsackSolution(value, x, "dp", time.perf_counter() - start, max_states)


def knapsack_cover_dp(values: np.ndarray, weights: np.ndarray, need: float,
                      incumbent: np.ndarray | None = None) -> KnapsackSolution:
    """Exact 0-1 covering knapsack max c.x s.t. w.x >= W (W = ``need``), directly.

    Items with c_i >= 0 are always taken (they only help).  The others (cost -c_i > 0) are processed
    in order of increasing cost per weight; the states are non-dominated (load, value) pairs whose
    load is *capped at W* (so every covering state has load W and only the best one survives), and a
    state is dropped when it can no longer cover W with all remaining items, when its value is no
    better than the best cover found (values only decrease), or when its value plus Dantzig's LP
    bound on covering the rest is below that best.  Loads are sums of positive weights and
    are compared with W - slack (:func:`capacity_slack`): W - load is never formed, so a small W keeps
    its digits.

    Parameters
    ----------
    values : numpy.ndarray
        Item values c_i, shape (n,), any sign.
    weights : numpy.ndarray
        Item weights w_i > 0, shape (n,).
    need : float
        Right-hand side W (loads down to W - :func:`~trade_opt.knapsack.core.capacity_slack` are
        accepted).
    incumbent : numpy.ndarray, optional
        A known 0/1 x whose value bounds the fixing from below, as in :func:`knapsack_dp`.

    Returns
    -------
    KnapsackSolution
        ``value`` = max c.x over covers, ``x`` an optimal 0/1 vector, ``method`` ``"dp_cover"``;
        ``value`` is -inf (and x all ones) when even all items fall short of W.

    Raises
    ------
    ArithmeticError
        The DP lost its best cover to rounding (not expected; the message asks for the instance).
    """
    start = time.perf_counter()
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(values)
    W = float(need)
    target = W - capacity_slack(W, n)
    free = values >= 0
    x = free.astype(float)
    load0 = float(weights[free].sum())
    value0 = float(values[free].sum())
    items = np.flatnonzero(~free)
    items = items[np.argsort(-values[items] / weights[items], kind="stable")]
    w_it, v_it = weights[items], values[items]
    m = len(items)
    reach = np.concatenate([np.cumsum(w_it[::-1])[::-1], [0.0]])      # weight of items k..m-1
    cum_w_all, cum_v_all = np.cumsum(w_it), np.cumsum(v_it)
    ratio = v_it / w_it if m else np.zeros(0)
    eps = float(np.finfo(float).eps)
    if load0 + (reach[0] if m else 0.0) < target:
        return KnapsackSolution(-np.inf, np.ones(n), "dp_cover", time.perf_counter() - start)
    if load0 >= target:
        return KnapsackSolution(value0, x, "dp_cover", time.perf_counter() - start, 1)
    # reduced-cost fixing (LP of covering the need with the cheapest weight first; the greedy cover
    # through the critical item is feasible): fixed items join the start state or leave
    s = int(np.searchsorted(cum_w_all, W - load0, side="left"))               # critical item
    lower = -math.inf
    if 1 < m and s < m and load0 + cum_w_all[s] >= target + FEASIBLE_MARGIN * abs(W):
        lower, surplus = value0 + float(cum_v_all[s]), (load0 + float(cum_w_all[s])) - target
        for k in np.argsort(v_it[: s + 1], kind="stable"):                     # drop the dearest items still spare
            if w_it[k] < surplus - FEASIBLE_MARGIN * abs(W):
                surplus -= w_it[k]
                lower -= v_it[k]
        if incumbent is not None:
            lower = max(lower, _incumbent_value(v_it, w_it, np.asarray(incumbent)[items], value0=value0, load0=load0,
                                                load_ok=lambda load: load >= target + FEASIBLE_MARGIN * abs(W)))
        # LP bounds of covering the DP's need (target - load0: the slack makes it smaller, the bound larger)
        one, zero = _fix_by_lp_bounds(
            v_it, w_it, lambda need: value0 + _cover_lp_cost(cum_w_all, cum_v_all, ratio, np.maximum(need, 0.0)),
            target - load0, lower)
        if one.any() or zero.any():
            x[items[one]] = 1.0
            load0 += math.fsum(w_it[one].tolist())
            value0 += math.fsum(v_it[one].tolist())
            rest = ~(one | zero)
            items, v_it, w_it = items[rest], v_it[rest], w_it[rest]
            m = len(items)
            reach = np.concatenate([np.cumsum(w_it[::-1])[::-1], [0.0]])
            cum_w_all, cum_v_all = np.cumsum(w_it), np.cumsum(v_it)
            ratio = v_it / w_it if m else np.zeros(0)
            if load0 >= target:
                return KnapsackSolution(value0, x, "dp_cover", time.perf_counter() - start, 1)

    if m <= (MITM_MAX_ITEMS if math.isfinite(lower) else MITM_MAX_ITEMS // 2):   # a small core: meet in the middle
        got = _meet_in_the_middle(w_it, v_it, load0, ">=", target, lower - value0)
        if got is not None:
            if not np.isfinite(got[0]):                          # pragma: no cover (defensive)
                raise ArithmeticError("covering DP lost its best cover to rounding; report this instance")
            x[items] = got[1]
            return KnapsackSolution(value0 + got[0], x, "dp_cover", time.perf_counter() - start, 1 << max(m - m // 2, 0))

    state_w = np.array([load0])
    state_v = np.array([value0])
    parents: list[np.ndarray] = []
    took: list[np.ndarray] = []
    best = -np.inf
    max_states = 1
    for k in range(m):
        add_w = state_w + w_it[k]
        add_v = state_v + v_it[k]
        add_w = np.where(add_w >= target, W, add_w)     # cap covering loads at W
        cand_w = np.concatenate([state_w, add_w])
        cand_v = np.concatenate([state_v, add_v])
        cand_parent = np.concatenate([np.arange(len(state_w)), np.arange(len(state_w))])
        cand_took = np.concatenate([np.zeros(len(state_w), bool), np.ones(len(state_w), bool)])
        order = np.lexsort((-cand_v, -cand_w))             # load desc, value desc on ties
        cand_w, cand_v, cand_parent, cand_took = cand_w[order], cand_v[order], cand_parent[order], cand_took[order]
        running = np.maximum.accumulate(cand_v)
        keep = np.empty(len(cand_v), bool)
        keep[0] = True
        keep[1:] = cand_v[1:] > running[:-1]               # strictly better than every heavier state
        covered = cand_w >= W
        if np.any(covered & keep):                         # after dominance, one covering state at most
            best = max(best, float(cand_v[covered & keep].max()))
        # open states: must still be able to cover with all remaining items, and beat the best cover
        # (">=": a best taken from a completion below may not be realized yet, and a completion whose
        # costs vanish in the sum has the state's own value; its path must survive to realize it)
        keep &= covered | ((cand_w + reach[k + 1] >= target) & (cand_v >= best))
        if k + 1 < m and np.any(keep & ~covered):
            # a feasible completion (whole items in ratio order until the need, inflated by W's
            # rounding, is met) raises the best cover early; the slack absorbs the sums' rounding
            open_ = keep & ~covered
            rest_w, rest_v = cum_w_all[k + 1:] - cum_w_all[k], cum_v_all[k + 1:] - cum_v_all[k]
            idx = np.searchsorted(rest_w, W - cand_w[open_] + 4 * eps * abs(W), side="left")
            ok = idx < len(rest_w)
            if np.any(ok):
                best = max(best, float(np.max(cand_v[open_][ok] + rest_v[idx[ok]])))
                keep &= covered | (cand_v >= best)
        if np.isfinite(best) and k + 1 < m:
            # Dantzig's LP bound on the cost of covering the rest: cover a need shrunk by the slack
            # and W's rounding (a smaller need costs less, so the bound stays an upper bound)
            open_ = keep & ~covered
            need_rest = np.maximum(W - cand_w[open_] - (W - target) - 4 * eps * abs(W), 0.0)
            bound = cand_v[open_] + _cover_lp_cost(cum_w_all[k + 1:] - cum_w_all[k], cum_v_all[k + 1:] - cum_v_all[k],
                                                    ratio[k + 1:], need_rest)
            keep[open_] = bound >= best - 1e-12 * max(1.0, abs(best))
        state_w, state_v = cand_w[keep], cand_v[keep]
        parents.append(cand_parent[keep])
        took.append(cand_took[keep])
        max_states = max(max_states, len(state_w))
    # the best cover survives to the end (covered states are only dropped when beaten)
    covered_final = state_w >= W
    if not covered_final.any():                                    # pragma: no cover (defensive)
        raise ArithmeticError("covering DP lost its best cover to rounding; report this instance")
    idx = int(np.flatnonzero(covered_final)[np.argmax(state_v[covered_final])])
    value = float(state_v[idx])
    for k in range(m - 1, -1, -1):
        if took[k][idx]:
            x[items[k]] = 1.0
        idx = int(parents[k][idx])
    return KnapsackSolution(value, x, "dp_cover", time.perf_counter() - start, max_states)


def knapsack_dp_ge(values: np.ndarray, weights: np.ndarray, capacity: float) -> KnapsackSolution:
    """Exact 0-1 knapsack max c.x s.t. w.x >= W: the covering DP :func:`knapsack_cover_dp`.

    Parameters
    ----------
    values : numpy.ndarray
        Item values c_i, shape (n,), any sign.
    weights : numpy.ndarray
        Item weights w_i > 0, shape (n,).
    capacity : float
        Right-hand side W of w.x >= W.

    Returns
    -------
    KnapsackSolution
        As :func:`knapsack_cover_dp`, with ``method`` ``"dp"`` (the name the boundary code and
        benchmarks use for either direction); value -inf when no cover exists.
    """
    sol = knapsack_cover_dp(values, weights, capacity)
    return KnapsackSolution(sol.value, sol.x, "dp", sol.seconds, sol.states)


def knapsack_brute_force(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=") -> KnapsackSolution:
    """0-1 knapsack by enumerating all 2^n vectors (n <= 20), either direction.

    Loads are the sums w.x of the positive weights (no complement), compared with the rhs with the
    same relative slack as the DPs (:func:`capacity_slack`).

    Parameters
    ----------
    values : numpy.ndarray
        Item values c_i, shape (n,), any sign.
    weights : numpy.ndarray
        Item weights w_i > 0, shape (n,).
    capacity : float
        Right-hand side W.
    sense : {"<=", ">="}
        Direction of the row w.x (sense) W (any other string is taken as ``">="``).

    Returns
    -------
    KnapsackSolution
        ``value`` = max c.x over feasible x (first maximizer in binary-counting order of x), or
        -inf with x = 0 when no x is feasible; ``method`` ``"brute_force"``.

    Raises
    ------
    ValueError
        n > 20.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(values)
    if n > 20:
        raise ArgumentError("values", f"brute force is limited to n <= 20, got n = {len(values)}")
    X = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)
    load = X @ weights
    tol = capacity_slack(capacity, n)
    feasible = load <= capacity + tol if sense == "<=" else load >= capacity - tol
    if not feasible.any():
        return KnapsackSolution(-np.inf, np.zeros(n), "brute_force")
    objective = np.where(feasible, X @ values, -np.inf)
    best = int(np.argmax(objective))
    return KnapsackSolution(float(objective[best]), X[best], "brute_force")


