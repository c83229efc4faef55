"""Meet in the middle for the small cores the fixing leaves (:mod:`trade_opt.knapsack.exact`).

Each half of the free items keeps its non-dominated subsets (pruned by the lower bound); the halves
are joined in one vectorized step.  Past :data:`MITM_MAX_STATES` subsets per half it gives up and the
list DP runs instead.
"""
from __future__ import annotations

import math

import numpy as np

from trade_opt.knapsack.reduce import FIXING_MARGIN, _cover_lp_cost, _dantzig_bound


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
        # row k of ``bits`` is subset k of the group (bit j = item g0 + j): its mask is k << g0
        sm = np.arange(len(sw), dtype=np.uint64) << np.uint64(g0)
        g0 += bits.shape[1]
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


