"""The observations of Gomory (1991, "Observations About the Model") as checked experiments.

(a) Labor of country 2 scaled by ``factor``: country 1's utility in every specialized equilibrium.
    Y(x) solves the trade equation (Eq. 2), which does not involve L, so F_i and q_i1 are
    unchanged while q_i2 = e_i2 (V_i L_2 / (1 - Y))^alpha grows: u1 rises by
    sum_{x_i = 1} d_i1 alpha_i2 ln(factor) > 0 for every pattern other than autarky.
(b) Pairs x(0), x(1) differing in one good g (country 1 makes g in x(0), country 2 in x(1)):
    Y(x(1)) < Y(x(0)) (income moves toward the country that takes the good); the direction of
    each country's utility is counted, not asserted.
(c) Mixed vs specialized utility near the frontier: the gap B1(Y) - u1 of each equilibrium.
(d) "The larger country does less well relative to autarky than its smaller partner": the log
    gains from trade g_j = u_j - u_j^aut when country 2 grows (an identity, every pattern) and
    between the two countries as given (counted); :func:`larger_country_does_less_well`.
(e) Fig. 1's shape: B(Y) rises, then falls (:func:`boundary_shape`).
(f) Local stability of specialized equilibria against entry (:func:`entry_thresholds`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy
from trade_opt.gomory.equilibria import EquilibriumBatch, all_specialized, autarky_log_utilities, evaluate_patterns
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed import MixedEquilibria, concat_mixed, mixed_equilibria, one_shared_pairs


def with_labor(data: GomoryData, L2_factor: float) -> GomoryData:
    """The instance with country 2's labor multiplied by ``L2_factor`` (production kind kept).

    Parameters
    ----------
    data : GomoryData
        The instance.
    L2_factor : float
        Factor applied to L_2.

    Returns
    -------
    GomoryData
    """
    L = data.L.copy()
    L[1] *= L2_factor
    return data.replace(L=L)   # production (set-up labor, barrier) kept


def larger_country2(data: GomoryData, factor: float = 2.0) -> dict[str, Any]:
    """Observation (a): u1 of every specialized equilibrium with L_2 and with factor * L_2.

    Y(x) does not involve L (Eq. 2); for f = e l^alpha, du1 = ln(factor) sum_{x_i=1} d_i1 alpha_i2.

    Parameters
    ----------
    data : GomoryData
        The instance.
    factor : float
        Factor applied to L_2.

    Returns
    -------
    dict
        ``patterns``, counts ``u1_increased``/``u1_not_increased``/``u2_increased``,
        ``max_abs_du1_minus_formula`` (None for kind power_with_setup), ``max_abs_dY``,
        ``min_du1``, ``max_du1`` (log-utility units).
    """
    base = all_specialized(data)
    big = all_specialized(with_labor(data, factor))
    du1 = big.u1 - base.u1
    du2 = big.u2 - base.u2
    expected = (base.X * (data.d[0] * data.alpha[1])).sum(axis=1) * np.log(factor)
    formula = data.production.specialized_as_power       # the identity is the power law's (f = e l^alpha)
    return {
        "factor": factor, "patterns": len(base),
        "u1_increased": int(np.sum(du1 > 0)), "u1_not_increased": int(np.sum(du1 <= 0)),
        "max_abs_du1_minus_formula": float(np.max(np.abs(du1 - expected))) if formula else None,
        "max_abs_dY": float(np.max(np.abs(big.Y - base.Y))),
        "u2_increased": int(np.sum(du2 > 0)),
        "min_du1": float(du1.min()), "max_du1": float(du1.max()),
    }


def one_good_moves(data: GomoryData) -> dict[str, Any]:
    """Observation (b): every pair x(0), x(1) of specialized patterns differing in one good g.

    Counts: income toward the taker (Y(x(1)) < Y(x(0))), and the utility directions of each
    country (u_j(x(1)) - u_j(x(0)) > 0 or < 0).

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    dict
        ``pairs``, ``Y_decreases``, ``u1_up``, ``u1_down``, ``u2_up``, ``u2_down``, ``both_up``,
        ``both_down``.
    """
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

    Also: for the one-shared-good roots, how their u1 compares with both specialized end points.

    Parameters
    ----------
    data : GomoryData
        The instance.
    mixed : MixedEquilibria, optional
        Mixed equilibria (default: :func:`~trade_opt.gomory.mixed.mixed_equilibria` with ``max_shared``).
    max_shared : int
        Most shared goods when ``mixed`` is computed here.
    near : float
        A point is near the frontier if its gap is at most ``near`` (log-utility units).

    Returns
    -------
    dict
        ``near_threshold``; ``specialized`` and ``mixed`` (count, near_frontier, gap quantiles);
        ``one_shared`` (counts below / between / above the end points) when there are such roots.
    """
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


def gains_from_trade(data: GomoryData, batch: EquilibriumBatch | None = None) -> tuple[np.ndarray, EquilibriumBatch]:
    """Log gains from trade g_j(x) = u_j(x) - u_j(autarky) of every specialized equilibrium.

    g_j = ln(U_j / U_j^aut): Fig. 2's distance of a point above country j's autarky bar (log scale).

    Parameters
    ----------
    data : GomoryData
        The instance.
    batch : EquilibriumBatch, optional
        The equilibria (default: :func:`~trade_opt.gomory.equilibria.all_specialized`).

    Returns
    -------
    gains : numpy.ndarray
        Shape (2, m), log-utility units.
    batch : EquilibriumBatch
        The equilibria the gains belong to.
    """
    if batch is None:
        batch = all_specialized(data)
    aut = autarky_log_utilities(data)
    return np.vstack([batch.u1 - aut[0], batch.u2 - aut[1]]), batch


def larger_country_does_less_well(data: GomoryData, factor: float = 2.0) -> dict[str, Any]:
    """"The larger country does less well relative to autarky than its smaller partner", measured.

    Compared: each country's log gain from trade g_j(x) = u_j(x) - u_j^aut (:func:`gains_from_trade`).

    * ``growth`` (the paper's experiment: country 2 replaced by one with ``factor`` times the labor,
      same demand and production functions).  Y(x) does not involve L (Eq. 2), so exactly
      dg_1(x) = ln(factor) sum_{x_i=1} d_i1 alpha_i2 > 0 and
      dg_2(x) = -ln(factor) sum_{x_i=0} d_i2 alpha_i2 < 0 for every pattern other than autarky:
      the country that grows gains less relative to its own autarky, its partner more.  Counted
      over all specialized equilibria and checked against these formulas.
    * ``cross_section`` at the instance as given (``larger`` = the country with more labor, None if
      equal): the best gain max_x g_j of each country (Fig. 2: how far the normalized maximum 1 lies
      above the autarky bar) and the number of equilibria with g_larger(x) < g_smaller(x).  Counted,
      not asserted: it depends on demands and efficiencies too.

    Parameters
    ----------
    data : GomoryData
        The instance.
    factor : float
        Factor applied to L_2 in ``growth``.

    Returns
    -------
    dict
        ``growth`` and ``cross_section`` (counts and extreme values, log-utility units).
    """
    gains, base = gains_from_trade(data)
    grown = with_labor(data, factor)
    big_gains, _ = gains_from_trade(grown)
    dg = big_gains - gains
    log_f = np.log(factor)
    X = base.X
    expected1 = (X * (data.d[0] * data.alpha[1])).sum(axis=1) * log_f
    expected2 = -((~X) * (data.d[1] * data.alpha[1])).sum(axis=1) * log_f
    growth = {
        "factor": factor, "patterns": len(base),
        "gain1_up": int(np.sum(dg[0] > 0)), "gain2_down": int(np.sum(dg[1] < 0)),
        "max_abs_dgain1_minus_formula": float(np.max(np.abs(dg[0] - expected1))) if data.production.specialized_as_power else None,
        "max_abs_dgain2_minus_formula": float(np.max(np.abs(dg[1] - expected2))) if data.production.specialized_as_power else None,
        "best_gain_before": gains.max(axis=1).tolist(), "best_gain_after": big_gains.max(axis=1).tolist(),
    }
    L = data.L
    larger = None if L[0] == L[1] else int(np.argmax(L)) + 1
    cross: dict[str, Any] = {"labor": L.tolist(), "larger": larger, "best_gain": gains.max(axis=1).tolist(),
                             "median_gain": np.median(gains, axis=1).tolist()}
    if larger is not None:
        big, small = gains[larger - 1], gains[2 - larger]
        cross.update(
            best_gain_larger_below_smaller=bool(big.max() < small.max()),
            equilibria_larger_below_smaller=int(np.sum(big < small)), equilibria=len(big),
        )
    return {"growth": growth, "cross_section": cross}


def boundary_shape(data: GomoryData, points: int = 397) -> dict[str, Any]:
    """Fig. 1's shape: "utility does not increase indefinitely with national income but rather decreases after a certain point".

    B(Y) (greedy) on ``points`` equally spaced Y in [0.005, 0.995]: the Y of its maximum and whether
    it strictly rises before and falls after (unimodal on the grid).

    Parameters
    ----------
    data : GomoryData
        The instance.
    points : int
        Grid points.

    Returns
    -------
    dict
        ``Y_peak``, ``B_peak``, ``interior_peak`` (bool), ``unimodal`` (bool).
    """
    grid = np.linspace(0.005, 0.995, points)
    B = boundary_B_greedy(data, grid)[0]
    k = int(np.argmax(B))
    return {"Y_peak": float(grid[k]), "B_peak": float(B[k]), "interior_peak": 0 < k < points - 1,
            "unimodal": bool(np.all(np.diff(B[:k + 1]) > 0) and np.all(np.diff(B[k:]) < 0))}


def entry_thresholds(data: GomoryData, x: np.ndarray) -> np.ndarray:
    """Local stability of a specialized equilibrium x ("nonproducers make a negative profit near equilibrium").

    For each good, the labor I_i below which the country that does not make it loses money by
    entering at the equilibrium price and wage.  The entrant o of good i earns
    pi_i e_io l^alpha_io - w_o l, negative exactly for 0 < l < I_i = (w_o / (pi_i e_io))^(1 / (alpha_io - 1))
    when alpha_io > 1 (the paper's limit condition f(l)/l -> 0).  Other production kinds
    (:mod:`trade_opt.gomory.production`): I_i solves pi_i f_io(l) = w_o l, found by bisection in
    ln l (f/l is strictly increasing past the set-up interval, Assumption 1).

    Parameters
    ----------
    data : GomoryData
        The instance.
    x : numpy.ndarray
        0/1 pattern, shape (n,) (1: country 2 makes good i), non-degenerate.

    Returns
    -------
    numpy.ndarray
        ln I_i, shape (n,) (in labor units of the entrant country o).
    """
    from trade_opt.gomory.equilibria import equilibrium_detail

    x = np.asarray(x, dtype=bool)
    det = equilibrium_detail(data, x)
    entrant = np.where(x, 0, 1)                       # country 1 (row 0) enters goods made by country 2
    cols = np.arange(data.n)
    log_w = np.log(det.wages)[entrant]
    log_e = np.log(data.e[entrant, cols])
    alpha = data.alpha[entrant, cols]
    if data.production.is_power:
        return (log_w - np.log(det.price) - log_e) / (alpha - 1.0)
    from trade_opt.gomory.production import log_output

    target = log_w - np.log(det.price)                 # ln f(l) - ln l = ln(w / pi) at l = I
    lo = np.full(data.n, -60.0)
    hi = np.full(data.n, 60.0)
    for _ in range(64):                                # width 120 -> below 1e-15 relative
        mid = 0.5 * (lo + hi)
        value = np.empty(data.n)
        for j in (0, 1):
            goods = cols[entrant == j]
            value[goods] = log_output(data, j, mid[goods], goods) - mid[goods]
        up = value >= target
        hi, lo = np.where(up, mid, hi), np.where(up, lo, mid)
    return 0.5 * (lo + hi)
