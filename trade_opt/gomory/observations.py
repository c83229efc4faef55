"""The observations of Gomory (1991, "Observations About the Model") as checked experiments.

(a) Labor of country 2 scaled by ``factor``: country 1's utility in every specialized equilibrium.
    Y(x) solves the trade equation (Eq. 2), which does not involve L, so F_i and q_i1 are
    unchanged while q_i2 = e_i2 (V_i L_2 / (1 - Y))^alpha grows: u1 rises by
    sum_{x_i = 1} d_i1 alpha_i2 ln(factor) > 0 for every pattern other than autarky.
(b) Pairs x(0), x(1) differing in one good g (country 1 makes g in x(0), country 2 in x(1)):
    Y(x(1)) < Y(x(0)) (income moves toward the country that takes the good); the direction of
    each country's utility is counted, not asserted.
(c) Mixed vs specialized utility near the frontier: the gap B1(Y) - u1 of each equilibrium.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from trade_opt.gomory.boundary import boundary_B1_dp
from trade_opt.gomory.equilibria import all_specialized, evaluate_patterns
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed import MixedEquilibria, concat_mixed, mixed_equilibria, one_shared_pairs


def with_labor(data: GomoryData, L2_factor: float) -> GomoryData:
    """The instance with country 2's labor multiplied by ``L2_factor``."""
    L = data.L.copy()
    L[1] *= L2_factor
    return GomoryData(d=data.d, e=data.e, alpha=data.alpha, L=L, demand_row_sums=data.demand_row_sums)


def larger_country2(data: GomoryData, factor: float = 2.0) -> dict[str, Any]:
    """Observation (a): u1 of every specialized equilibrium with L_2 and with factor * L_2."""
    base = all_specialized(data)
    big = all_specialized(with_labor(data, factor))
    du1 = big.u1 - base.u1
    du2 = big.u2 - base.u2
    expected = (base.X * (data.d[0] * data.alpha[1])).sum(axis=1) * np.log(factor)
    return {
        "factor": factor, "patterns": len(base),
        "u1_increased": int(np.sum(du1 > 0)), "u1_not_increased": int(np.sum(du1 <= 0)),
        "max_abs_du1_minus_formula": float(np.max(np.abs(du1 - expected))),
        "max_abs_dY": float(np.max(np.abs(big.Y - base.Y))),
        "u2_increased": int(np.sum(du2 > 0)),
        "min_du1": float(du1.min()), "max_du1": float(du1.max()),
    }


def one_good_moves(data: GomoryData) -> dict[str, Any]:
    """Observation (b): every pair x(0), x(1) of specialized patterns differing in one good g.

    Counts: income toward the taker (Y(x(1)) < Y(x(0))), and the utility directions of each
    country (u_j(x(1)) - u_j(x(0)) > 0 or < 0)."""
    out = {"pairs": 0, "Y_decreases": 0, "u1_up": 0, "u1_down": 0, "u2_up": 0, "u2_down": 0,
           "both_up": 0, "both_down": 0}
    for X, goods in one_shared_pairs(data.n):
        X0 = X.copy()
        X1 = X.copy()
        X1[np.arange(len(goods)), goods] = True
        e0, e1 = evaluate_patterns(data, X0), evaluate_patterns(data, X1)
        d1, d2 = e1.u1 - e0.u1, e1.u2 - e0.u2
        out["pairs"] += len(goods)
        out["Y_decreases"] += int(np.sum(e1.Y < e0.Y))
        out["u1_up"] += int(np.sum(d1 > 0))
        out["u1_down"] += int(np.sum(d1 < 0))
        out["u2_up"] += int(np.sum(d2 > 0))
        out["u2_down"] += int(np.sum(d2 < 0))
        out["both_up"] += int(np.sum((d1 > 0) & (d2 > 0)))
        out["both_down"] += int(np.sum((d1 < 0) & (d2 < 0)))
    return out


def _quantiles(v: np.ndarray) -> dict[str, float]:
    if len(v) == 0:
        return {}
    q = np.quantile(v, [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
    return dict(zip(["min", "p10", "p25", "median", "p75", "p90", "max"], map(float, q)))


def frontier_gaps(data: GomoryData, mixed: MixedEquilibria | None = None, max_shared: int = 1,
                  near: float = 0.05) -> dict[str, Any]:
    """Observation (c): distribution of B1(Y) - u1 for specialized and mixed equilibria.

    ``near``: a point is near the frontier if its gap is at most ``near`` (log-utility units).
    Also: the share of one-shared-good roots whose u1 is below both specialized end points."""
    spec = all_specialized(data)
    if mixed is None:
        mixed = concat_mixed(list(mixed_equilibria(data, max_shared)), data.n)
    gap_s = boundary_B1_dp(data, spec.Y) - spec.u1
    gap_m = boundary_B1_dp(data, mixed.Y) - mixed.u1
    out: dict[str, Any] = {
        "near_threshold": near,
        "specialized": {"count": len(gap_s), "near_frontier": int(np.sum(gap_s <= near)), "gap": _quantiles(gap_s)},
        "mixed": {"count": len(gap_m), "near_frontier": int(np.sum(gap_m <= near)), "gap": _quantiles(gap_m)},
    }
    one = mixed.n_shared == 1
    if one.any():
        owner = mixed.owner[one]
        g = np.argmax(owner == 2, axis=1)
        X0 = owner == 1
        X1 = X0.copy()
        X1[np.arange(len(g)), g] = True
        u0 = evaluate_patterns(data, X0).u1
        u1 = evaluate_patterns(data, X1).u1
        m = mixed.u1[one]
        out["one_shared"] = {"roots": int(one.sum()), "below_both_end_points": int(np.sum(m < np.minimum(u0, u1))),
                             "between": int(np.sum((m >= np.minimum(u0, u1)) & (m <= np.maximum(u0, u1)))),
                             "above_both": int(np.sum(m > np.maximum(u0, u1)))}
    return out
