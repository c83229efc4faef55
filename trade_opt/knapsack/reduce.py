"""LP bounds and variable fixing for the exact 0-1 knapsack DPs (Martello & Toth, 1990, ch. 2-3).

Dantzig's bound for packing and covering rows, fixing of items whose forced value cannot reach a
known lower bound (each item forced in and out), and the value of a known pattern (incumbent).
"""
from __future__ import annotations

import math

import numpy as np



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


def _cover_lp_cost(cum_w: np.ndarray, cum_v: np.ndarray, ratio: np.ndarray, need: np.ndarray) -> np.ndarray:
    """LP value (<= 0) of covering ``need`` with items of values <= 0 sorted by increasing cost per
    weight (prefix sums cum_w / cum_v, ratio = value / weight): whole items while they fit under the
    need, then a fraction of the next; all items when the need exceeds their total."""
    idx = np.searchsorted(cum_w, need, side="right")            # items fully used
    full_w = np.where(idx > 0, cum_w[np.maximum(idx - 1, 0)], 0.0)
    full_v = np.where(idx > 0, cum_v[np.maximum(idx - 1, 0)], 0.0)
    frac = np.where(idx < len(cum_w), (need - full_w) * ratio[np.minimum(idx, len(ratio) - 1)], 0.0)
    return full_v + np.minimum(frac, 0.0)
