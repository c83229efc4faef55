"""Knapsack machinery behind Gomory's boundary curves B(Y) and B1(Y), usable on its own.

All problems are maximizations with real-valued values c_i (any sign), positive real weights w_i
and a real capacity W:

* :func:`continuous_greedy`: max c.x s.t. w.x = W, 0 <= x <= 1 (Dantzig's greedy by c_i / w_i,
  filling the capacity exactly), vectorized over a batch of instances.
* :func:`knapsack_dp`: max c.x s.t. w.x <= W, x in {0,1}^n, exact for real weights:
  Nemhauser-Ullmann list of non-dominated (weight, value) states, pruned with Dantzig's LP bound
  (Martello & Toth, *Knapsack Problems*, 1990, ch. 2).  No rounding of weights to a grid.
* :func:`knapsack_brute_force`: the same by enumeration of all 2^n vectors (n <= 20).
* :class:`KnapsackMIP`: the same as a Pyomo model with mutable ``Param`` s for c, w and W, solved
  by a solver chosen by name (:func:`trade_opt.solvers.get_solver`: HiGHS through a persistent
  interface by default, or CBC, GLPK, SCIP; change the params, re-solve), in either direction
  (``<=`` or ``>=``) and optionally as its LP relaxation; :func:`solve_knapsack_mip_rebuilt`
  builds a fresh model and solver per call (the baseline a persistent model is measured against).
* :func:`knapsack_cover_dp` (= :func:`knapsack_dp_ge`): the ``>=`` direction max c.x s.t. w.x >= W
  directly (a covering DP; never through the complement sum(w) - W, which loses W's digits when W
  is small against sum(w)).

Feasibility slack (:func:`capacity_slack`): w.x <= W + s, or w.x >= W - s, with
s = |W| (CAPACITY_TOL + (n + 2) eps), *relative to the right-hand side*.  Argument: the weights are
positive and each carries a relative rounding error of a few ulps (u = eps / 2); a load is a sum of
at most n of them, so a computed load differs from its exact value by at most ~(n + 2) u times the
load, and near the boundary the load is ~|W|.  Hence s covers every assignment that meets the row
exactly in exact arithmetic, whatever the magnitude of W (an absolute slack such as 1e-12 would
accept loads that exceed W = 1e-15 a thousandfold).  CAPACITY_TOL = 1e-12 dominates for n < ~2000.
Integer weights sum exactly, and s < 1 for |W| < 1e11, so integer instances are unaffected.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from trade_opt.solvers import MipResult, get_solver, matrix_range_note, with_status_note

#: Feasibility slack on the capacity row, relative to |capacity| (see :func:`capacity_slack`).
CAPACITY_TOL = 1e-12


@dataclass(frozen=True)
class KnapsackSolution:
    """Optimal value and an optimal x of one knapsack; ``method`` names how it was obtained.

    ``value`` is -inf when no feasible x exists (only possible in the ``>=`` direction); for the
    0-1 MIP it is sum c_i over the rounded x (``mip.objective`` keeps the solver's number);
    ``states`` is the largest Nemhauser-Ullmann list kept (DP only); ``mip`` the solver result
    (MIP only)."""

    value: float
    x: np.ndarray
    method: str
    seconds: float = 0.0
    states: int = 0
    mip: MipResult | None = field(default=None, compare=False)

    @property
    def status(self) -> str:
        return self.mip.status if self.mip is not None else ("optimal" if np.isfinite(self.value) else "infeasible")


def capacity_slack(capacity: float, n: int) -> float:
    """Feasibility slack |W| (CAPACITY_TOL + (n + 2) eps) of a row with n positive weights and rhs W.

    Relative to the right-hand side: see the module docstring for the rounding argument."""
    return abs(float(capacity)) * (CAPACITY_TOL + (n + 2) * np.finfo(float).eps)


# --------------------------------------------------------------------------- continuous (greedy)
def continuous_greedy(values: np.ndarray, weights: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Continuous knapsack with the capacity filled exactly, for a batch of instances.

    Parameters
    ----------
    values, weights : (k, n) arrays (weights > 0)
    capacity : (k,) array with 0 <= capacity <= sum of weights

    Returns
    -------
    value : (k,) optimal values of max c.x s.t. w.x = W, 0 <= x <= 1
    x : (k, n) optimal x (at most one fractional entry per row)
    """
    values, weights = np.atleast_2d(values), np.atleast_2d(weights)
    capacity = np.atleast_1d(np.asarray(capacity, dtype=float))
    order = np.argsort(-(values / weights), axis=1, kind="stable")
    w_sorted = np.take_along_axis(weights, order, axis=1)
    filled_before = np.cumsum(w_sorted, axis=1) - w_sorted
    x_sorted = np.clip((capacity[:, None] - filled_before) / w_sorted, 0.0, 1.0)
    x = np.empty_like(x_sorted)
    np.put_along_axis(x, order, x_sorted, axis=1)
    return (values * x).sum(axis=1), x


# --------------------------------------------------------------------------- exact 0-1 DP
def _dantzig_bound(cum_w: np.ndarray, cum_v: np.ndarray, ratio: np.ndarray, room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on the value that items (sorted by ratio, prefix sums cum_w/cum_v) add in ``room``.

    Returns (lower, upper): ``lower`` packs the whole items of the ratio order that fit before the
    first one that does not (a feasible completion), ``upper`` adds that item's fraction (LP bound)."""
    if len(cum_w) == 0:
        return np.zeros_like(room), np.zeros_like(room)
    idx = np.searchsorted(cum_w, room, side="right")            # items fully packed
    full_w = np.where(idx > 0, cum_w[np.maximum(idx - 1, 0)], 0.0)
    full_v = np.where(idx > 0, cum_v[np.maximum(idx - 1, 0)], 0.0)
    frac = np.where(idx < len(cum_w), (room - full_w) * ratio[np.minimum(idx, len(ratio) - 1)], 0.0)
    return full_v, full_v + np.maximum(frac, 0.0)


#: Margin of the reduced-cost fixing, relative to the sum of |c_i| of the items it looks at.
FIXING_MARGIN = 1e-9
#: The feasible x behind the fixing's lower bound keeps this much room (relative to the rhs) inside
#: the row, far above the rounding of its load (~n eps), so the DP finds it feasible too.
FEASIBLE_MARGIN = 1e-13


def _fix_by_lp_bounds(v: np.ndarray, w: np.ndarray, lp, room: float, lower: float) -> tuple[np.ndarray, np.ndarray]:
    """Items whose value every optimal x shares, from LP bounds with each item forced (Martello & Toth's
    reduction, 1990, sec. 2.7; stronger than Dembo-Hammer's reduced costs, which bound the same LPs).

    ``lp(r)`` is the LP bound of all the items in room r (vectorized; packing: capacity left,
    covering: need left), ``room`` the row's.  Forcing x_j = 1 leaves room - w_j, so every x with
    x_j = 1 has value <= v_j + lp(room - w_j); an x with x_j = 0 plus item j fits room + w_j, so it has
    value <= lp(room + w_j) - v_j (both LPs relax the one without item j).  An optimum reaches
    ``lower`` (the value of a known feasible x), so x_j = 0 where the first bound is below it and
    x_j = 1 where the second is.  A margin of :data:`FIXING_MARGIN` x sum |v_i| absorbs the rounding
    of the prefix sums, so only items fixed with room to spare are fixed (the DP stays exact).
    Returns boolean masks (fixed at 1, fixed at 0)."""
    threshold = lower - FIXING_MARGIN * max(1.0, float(np.abs(v).sum()))
    return lp(room + w) - v < threshold, v + lp(room - w) < threshold


def _fix_packing(v_it: np.ndarray, w_it: np.ndarray, cap: float, cum_w: np.ndarray, cum_v: np.ndarray,
                 ratio: np.ndarray, incumbent: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`_fix_by_lp_bounds` for max v.x s.t. w.x <= cap, items sorted by decreasing v/w (prefix
    sums ``cum_w``, ``cum_v``): Dantzig's LP bounds, lower bound by the greedy fill or by
    ``incumbent`` (0/1 over the sorted items), whichever is larger, where it fits with room to spare.
    Returns (fixed at 1, fixed at 0, that lower bound; -inf when nothing was tried)."""
    m = len(v_it)
    s = int(np.searchsorted(cum_w, cap, side="right")) if m else 0          # items 0..s-1 fit whole
    if not (1 < m and s < m):
        return np.zeros(m, bool), np.zeros(m, bool), -math.inf
    lower, room = 0.0, cap - FEASIBLE_MARGIN * abs(cap)
    for k in range(m):                                                      # greedy: a feasible x
        if w_it[k] <= room:
            lower += v_it[k]
            room -= w_it[k]
    lower = max(lower, _incumbent_value(v_it, w_it, incumbent, load_ok=lambda load: load <= cap - FEASIBLE_MARGIN * abs(cap)))
    return (*_fix_by_lp_bounds(v_it, w_it, lambda r: _dantzig_bound(cum_w, cum_v, ratio, r)[1], cap, lower), lower)


def _incumbent_value(v_it: np.ndarray, w_it: np.ndarray, incumbent: np.ndarray | None, load_ok,
                     value0: float = 0.0, load0: float = 0.0) -> float:
    """value0 + v.z of a known 0/1 ``incumbent`` z over the items if ``load_ok(load0 + w.z)`` (its load
    inside the row with room to spare, :data:`FEASIBLE_MARGIN`), else -inf: a lower bound on the optimum."""
    if incumbent is None:
        return -math.inf
    z = incumbent > 0.5
    if not load_ok(load0 + math.fsum(w_it[z].tolist())):
        return -math.inf
    return value0 + math.fsum(v_it[z].tolist())


#: Largest number of items left after the fixing that the DPs solve by meet in the middle (two lists
#: of non-dominated subsets pruned by the fixing's lower bound, 0/1 rows kept as 64-bit masks) instead
#: of the item-by-item list DP; half of it where no lower bound is known (nothing to prune with).
MITM_MAX_ITEMS = 64


#: Longest half list meet in the middle keeps; beyond it the DP falls back to the list DP (whose
#: pruning by an improving best is stronger on e.g. strongly correlated items).
MITM_MAX_STATES = 1024
#: States a group step of :func:`_pareto_subsets` may form (list length x 2^group).
_GROUP_STATES = 1024


_SUBSET_BITS: dict[int, np.ndarray] = {}        # 0/1 rows of all subsets of g items, by g (read-only use)


def _subset_sums(w: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, values and 0/1 rows (int64) of all 2^len(w) subsets of the items."""
    bits = _SUBSET_BITS.get(len(w))
    if bits is None:
        bits = _SUBSET_BITS[len(w)] = ((np.arange(1 << len(w))[:, None] >> np.arange(len(w))) & 1).astype(np.float64)
    return bits @ w, bits @ v, bits


def _pareto_subsets(w: np.ndarray, v: np.ndarray, sense: str, limit: float, prune=None,
                    group: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The non-dominated subsets of the items (Nemhauser & Ullmann), weight ascending: (weights,
    values, 64-bit masks).  "<=": subsets heavier than ``limit`` dropped, a subset kept only if it is
    worth strictly more than every lighter one (values ascend); ">=": weights capped at ``limit`` (the
    largest need), kept only if worth strictly more than every heavier one (values descend).  Items
    join ``group`` at a time (the list times all 2^group subsets of the group, then one filter);
    ``prune(done, W, V)`` (optional), after the first ``done`` items: False for subsets no completion
    of which can reach the optimum (bound below a known value).  None when the list outgrows
    :data:`MITM_MAX_STATES`."""
    W, V, M = np.zeros(1), np.zeros(1), np.zeros(1, np.uint64)
    g0 = 0
    while g0 < len(w):
        g = max(1, min(group, (_GROUP_STATES // len(W)).bit_length() - 1))   # list x 2^g <= ~_GROUP_STATES
        sw, sv, bits = _subset_sums(w[g0:g0 + g], v[g0:g0 + g])
        g0 += bits.shape[1]
        sm = (bits.astype(np.uint64) << np.arange(g0 - bits.shape[1], g0, dtype=np.uint64)).sum(axis=1, dtype=np.uint64)
        W, V, M = (W[:, None] + sw).ravel(), (V[:, None] + sv).ravel(), (M[:, None] | sm).ravel()
        if sense == "<=":
            fit = W <= limit
            W, V, M = W[fit], V[fit], M[fit]
        else:
            W = np.minimum(W, limit)
        order = np.lexsort((-V, W if sense == "<=" else -W))    # from the side whose states dominate
        W, V, M = W[order], V[order], M[order]
        keep = np.empty(len(V), bool)
        keep[0] = True
        keep[1:] = V[1:] > np.maximum.accumulate(V)[:-1]
        W, V, M = W[keep], V[keep], M[keep]
        if sense != "<=":
            W, V, M = W[::-1], V[::-1], M[::-1]
        if prune is not None and g0 < len(w):
            keep = prune(g0, W, V)
            W, V, M = W[keep], V[keep], M[keep]
        if len(W) > MITM_MAX_STATES:
            return None
    return W, V, M


def _meet_in_the_middle(w: np.ndarray, v: np.ndarray, load0: float, sense: str, bound: float,
                        lower: float = -math.inf) -> tuple[float, np.ndarray] | None:
    """max v.z over z in {0,1}^m with load0 + w.z <= ``bound`` ("<=") or >= ``bound`` (">="), exactly,
    by meet in the middle (Horowitz & Sahni 1974) over the non-dominated subsets of each half
    (:func:`_pareto_subsets`): each first-half subset takes the best second-half one that keeps the
    row ("<=": the heaviest that fits, the most valuable; ">=": the lightest that covers).  Items in
    decreasing v/w; ``lower``: a value some z reaches (a feasible one's): a half's subset is dropped
    when its value plus Dantzig's LP bound over the items it has not seen (both halves' rest, still in
    v/w order) falls below it by more than :data:`FIXING_MARGIN` x sum |v| (so no optimum is lost).
    Returns (value, z), value -inf if no z keeps the row; None if a half list outgrows
    :data:`MITM_MAX_STATES` (use the list DP)."""
    m, h = len(w), len(w) // 2
    limit = bound - load0
    floor = lower - FIXING_MARGIN * max(1.0, float(np.abs(v).sum()))

    def pruner(first: int):
        def prune(done: int, W: np.ndarray, V: np.ndarray) -> np.ndarray:
            rest = np.concatenate((np.arange(first), np.arange(first + done, m))) if first else np.arange(done, m)
            cw, cv = np.cumsum(w[rest]), np.cumsum(v[rest])
            ratio = v[rest] / w[rest]
            if sense == "<=":
                return V + _dantzig_bound(cw, cv, ratio, limit - W)[1] >= floor
            reach = W + (cw[-1] if len(cw) else 0.0) >= limit - 1e-9 * (abs(limit) + abs(W))
            return reach & (V + _cover_lp_cost(cw, cv, ratio, np.maximum(limit - W, 0.0)) >= floor)
        return prune

    use = math.isfinite(floor) and m > 1
    left = _pareto_subsets(w[:h], v[:h], sense, limit, pruner(0) if use else None)
    right = None if left is None else _pareto_subsets(w[h:], v[h:], sense, limit, pruner(h) if use else None)
    if right is None:
        return None
    (wl, vl, ml), (wr, vr, mr) = left, right
    room = bound - (load0 + wl)                      # what the second half may ("<=") or must (">=") weigh
    if sense == "<=":
        j = np.searchsorted(wr, room, side="right") - 1
        ok = j >= 0
    else:
        j = np.searchsorted(wr, room, side="left")
        ok = j < len(wr)
    if not ok.any():
        return -math.inf, np.zeros(len(w))
    jj = np.clip(j, 0, len(wr) - 1)
    total = np.where(ok, vl + vr[jj], -np.inf)
    i = int(np.argmax(total))
    z = np.concatenate([(ml[i] >> np.arange(h, dtype=np.uint64)) & np.uint64(1),
                        (mr[jj[i]] >> np.arange(len(w) - h, dtype=np.uint64)) & np.uint64(1)])
    return float(total[i]), z.astype(np.float64)


def knapsack_dp(values: np.ndarray, weights: np.ndarray, capacity: float,
                incumbent: np.ndarray | None = None) -> KnapsackSolution:
    """Exact 0-1 knapsack max c.x s.t. w.x <= W by Nemhauser-Ullmann with LP-bound pruning.

    Items with c_i <= 0 or w_i > W are never packed.  The remaining items are processed in
    order of decreasing c_i / w_i; after each item the list of non-dominated states (weight
    ascending, value strictly ascending) is kept, minus states whose Dantzig bound cannot reach
    the best value seen.  The optimal x is recovered by back-pointers.  Exact for real weights
    (no grid); the list can grow exponentially in adversarial cases (e.g. subset-sum).

    ``incumbent`` (optional, 0/1 of length n): a known x whose value, where it fits the row with room
    to spare, is a lower bound for the reduced-cost fixing (a near-optimal one fixes almost every
    item).  The optimal value is the same with or without it.
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


def _cover_lp_cost(cum_w: np.ndarray, cum_v: np.ndarray, ratio: np.ndarray, need: np.ndarray) -> np.ndarray:
    """LP value (<= 0) of covering ``need`` with items of values <= 0 sorted by increasing cost per
    weight (prefix sums cum_w / cum_v, ratio = value / weight): whole items while they fit under the
    need, then a fraction of the next; all items when the need exceeds their total."""
    idx = np.searchsorted(cum_w, need, side="right")            # items fully used
    full_w = np.where(idx > 0, cum_w[np.maximum(idx - 1, 0)], 0.0)
    full_v = np.where(idx > 0, cum_v[np.maximum(idx - 1, 0)], 0.0)
    frac = np.where(idx < len(cum_w), (need - full_w) * ratio[np.minimum(idx, len(ratio) - 1)], 0.0)
    return full_v + np.minimum(frac, 0.0)


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
    its digits.  ``value`` is -inf (and x all ones) when even all items fall short of W.
    ``incumbent``: a known x whose value bounds the fixing from below, as in :func:`knapsack_dp`."""
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
    """Exact 0-1 knapsack max c.x s.t. w.x >= W: the covering DP :func:`knapsack_cover_dp`."""
    sol = knapsack_cover_dp(values, weights, capacity)
    return KnapsackSolution(sol.value, sol.x, "dp", sol.seconds, sol.states)


def knapsack_brute_force(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=") -> KnapsackSolution:
    """0-1 knapsack by enumerating all 2^n vectors (n <= 20), either direction.

    Loads are the sums w.x of the positive weights (no complement), compared with the rhs with the
    same relative slack as the DPs (:func:`capacity_slack`)."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(values)
    if n > 20:
        raise ValueError("brute force is limited to n <= 20")
    X = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)
    load = X @ weights
    tol = capacity_slack(capacity, n)
    feasible = load <= capacity + tol if sense == "<=" else load >= capacity - tol
    if not feasible.any():
        return KnapsackSolution(-np.inf, np.zeros(n), "brute_force")
    objective = np.where(feasible, X @ values, -np.inf)
    best = int(np.argmax(objective))
    return KnapsackSolution(float(objective[best]), X[best], "brute_force")


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

    Raises :class:`trade_opt.errors.SolverUnavailableError` without the ``ortools`` package
    (optional extra ``trade-opt[ortools]``)."""
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
    return KnapsackSolution(float(c @ x), x, "ortools", time.perf_counter() - start,
                            mip=MipResult("ortools", status, "branch_and_bound", float(c @ x),
                                          float(c @ x) if status == "optimal" else None, time.perf_counter() - start))


def knapsack_ortools_bounded(values: np.ndarray, weights: np.ndarray, capacity: float,
                             sense: str = "<=") -> tuple[KnapsackSolution, float] | None:
    """OR-Tools' branch and bound with a proven bound on its distance to the exact optimum, or None.

    The kept items (c_i > 0, w_i <= W + s, s = :func:`capacity_slack`) get values rint(c_i s_v) and
    weights rint(w_i s_w), s_v = 2^52 / sum c, s_w = 2^52 / max(sum w, W); the integer capacity is
    floor((W + s) s_w) + n + 2, so every x that meets the float row W + s meets the integer row
    (each scaled weight is off by at most 1: the product's rounding and rint).  OR-Tools' integer
    optimum x* therefore has c'.x* >= c'.x_f for the float optimum x_f, and with the values' rounding
    (<= 1 each) c.x* >= OPT - delta, delta = 2 n / s_v = 2 n sum(c) 2^-52.  If x* meets the float row (re-checked in floating point) it
    is feasible, so OPT - delta <= c.x* <= OPT.  Items that the reduced-cost fixing of the DP
    (:func:`_fix_by_lp_bounds`) decides are fixed first; the B&B sees the rest.  ``>=``: the complement y = 1 - x of the row
    w.y <= sum(w) - W + s, re-checked on w.x >= W - s.

    Returns
    -------
    (solution, delta), or None when OR-Tools is not installed or x* fails the float re-check (the
    relaxed integer row let in an x the float row rejects): use the exact DP then."""
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


# --------------------------------------------------------------------------- Pyomo MIP
def build_knapsack_model(n: int, sense: str = "<=", integer: bool = True) -> pyo.ConcreteModel:
    """Pyomo model max sum_i c_i x_i s.t. sum_i w_i x_i (<= or >=) W with mutable c, w, W.

    ``integer=False`` gives the LP relaxation (0 <= x <= 1)."""
    if sense not in ("<=", ">="):
        raise ValueError(f"sense must be '<=' or '>=', got {sense!r}")
    m = pyo.ConcreteModel(name=f"knapsack_{'01' if integer else 'lp'}_{'le' if sense == '<=' else 'ge'}")
    m.I = pyo.RangeSet(0, n - 1)
    m.c = pyo.Param(m.I, mutable=True, initialize=0.0)
    m.w = pyo.Param(m.I, mutable=True, initialize=1.0)
    m.W = pyo.Param(mutable=True, initialize=0.0)
    m.x = pyo.Var(m.I, domain=pyo.Binary if integer else pyo.UnitInterval)
    m.value = pyo.Objective(expr=sum(m.c[i] * m.x[i] for i in m.I), sense=pyo.maximize)
    load = sum(m.w[i] * m.x[i] for i in m.I)
    m.capacity = pyo.Constraint(expr=load <= m.W if sense == "<=" else load >= m.W)
    return m


def _set_data(m: pyo.ConcreteModel, values: np.ndarray, weights: np.ndarray, capacity: float) -> None:
    for i, (c, w) in enumerate(zip(values.tolist(), weights.tolist())):
        m.c[i] = c
        m.w[i] = w
    m.W = float(capacity)


#: Largest |coefficient| of the scaled LP row (HiGHS rejects >= 1e15; see :func:`scale_row`).
MAX_ROW_COEFFICIENT = 1e12


def scale_row(weights: np.ndarray, capacity: float, integer: bool) -> tuple[np.ndarray, float]:
    """The knapsack row w.x (sense) W rescaled so that a solver's *absolute* feasibility tolerance
    (HiGHS: 1e-9) acts relative to W.

    Returns (w / W, 1) for 0 < W < 1, and the row unchanged for W >= 1 (there the absolute
    tolerance is already at most relative; integer weights, e.g. Pisinger's families with W up to
    ~1e8, stay integers, so a 1e-9 tolerance never confuses two integer loads) or W <= 0.  For 0-1 x (``integer``) each scaled
    weight is then capped at 2, which leaves the feasible set unchanged in both senses (an item
    heavier than twice the rhs can never be packed under "<=" and covers alone under ">=") and
    keeps the row well scaled however small W is.  For the LP relaxation no cap is exact, so if
    max w / W exceeds :data:`MAX_ROW_COEFFICIENT` the row is scaled by MAX_ROW_COEFFICIENT / max w
    instead (rhs W * that factor < 1): the tolerance then acts relative to W only up to the factor
    (1e-9 max w / (1e12 W), i.e. 1e-6 of W at W = 1e-15 with max w = 1), which bounds the LP value
    error by that load error times max |c_i| / w_i."""
    weights = np.asarray(weights, dtype=float)
    W = float(capacity)
    if not 0 < W < 1:
        return weights, W
    scaled = weights / W
    if integer:
        return np.minimum(scaled, 2.0), 1.0
    top = float(np.max(np.abs(weights))) if len(weights) else 0.0
    if top / W <= MAX_ROW_COEFFICIENT:
        return scaled, 1.0
    factor = MAX_ROW_COEFFICIENT / top
    return weights * factor, W * factor


def _read_solution(m: pyo.ConcreteModel, result: MipResult, method: str, n: int) -> KnapsackSolution:
    if result.objective is None:
        return KnapsackSolution(-np.inf, np.zeros(n), method, result.seconds, mip=result)
    x = np.array([pyo.value(m.x[i]) for i in range(n)])
    value = float(result.objective)
    if method.startswith("mip"):
        # 0-1 x: round the solver's x (integrality tolerance) and sum c over it exactly
        x = np.round(x)
        value = math.fsum(pyo.value(m.c[i]) for i in range(n) if x[i] == 1.0)
    return KnapsackSolution(value, x, method, result.seconds, mip=result)


class KnapsackMIP:
    """One Pyomo knapsack model + one solver (persistent HiGHS by default), re-solved for new (c, w, W).

    ``solver`` is a name of :data:`trade_opt.solvers.SOLVERS`; ``mip_rel_gap=0`` (exact) and
    ``time_limit`` (seconds) are mapped to the solver's options by :func:`trade_opt.solvers.get_solver`.

    Examples
    --------
    >>> mip = KnapsackMIP(3)
    >>> float(mip.solve(np.array([3.0, 2.0, 2.0]), np.array([2.0, 1.5, 1.5]), 3.0).value)
    4.0
    """

    def __init__(self, n: int, sense: str = "<=", integer: bool = True, mip_rel_gap: float = 0.0,
                 solver: str = "highs", time_limit: float | None = None):
        self.n = n
        self.model = build_knapsack_model(n, sense, integer)
        self.solver = get_solver(solver, mip_rel_gap=mip_rel_gap, time_limit=time_limit)
        self.method = "mip" if integer else "lp"
        self.integer = integer

    def solve(self, values: np.ndarray, weights: np.ndarray, capacity: float) -> KnapsackSolution:
        """Solve with the row scaled by its rhs (:func:`scale_row`); a status note (e.g.
        ``optimal (coefficients dropped)``) says when the solver would not keep the scaled row."""
        w, W = scale_row(weights, capacity, self.integer)
        _set_data(self.model, np.asarray(values, float), w, W)
        result = with_status_note(self.solver.solve(self.model), matrix_range_note(self.solver.name, w))
        return _read_solution(self.model, result, self.method, self.n)


def solve_knapsack_mip_rebuilt(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=",
                               integer: bool = True, solver: str = "highs", time_limit: float | None = None) -> KnapsackSolution:
    """Build a fresh Pyomo model and solver instance (by name, default HiGHS), solve once.

    The non-persistent baseline; ``seconds`` includes building the model."""
    start = time.perf_counter()
    n = len(values)
    m = build_knapsack_model(n, sense, integer)
    w, W = scale_row(weights, capacity, integer)
    _set_data(m, np.asarray(values, float), w, W)
    engine = get_solver(solver, time_limit=time_limit)
    result = with_status_note(engine.solve(m), matrix_range_note(engine.name, w))
    sol = _read_solution(m, result, "mip_rebuilt" if integer else "lp_rebuilt", n)
    return KnapsackSolution(sol.value, sol.x, sol.method, time.perf_counter() - start, mip=sol.mip)
