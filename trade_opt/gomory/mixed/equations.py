"""The equations of a mixed equilibrium of Gomory (1991): equal average cost of shared goods.

Normalization N_1 + N_2 = 1, Y = N_1, w_1 = Y / L_1, w_2 = (1 - Y) / L_2 (``models/gomory.md``).

* Trade equation (Eq. 2): sum_i x_i V_i(Y) = 1 - Y, V_i = d_i1 Y + d_i2 (1 - Y), written without
  cancellation as T = Y A - (1 - Y) B' = 0 with A = sum_i d_i1 x_i, B' = sum_i d_i2 (1 - x_i).
* Equal average cost for each shared good (zero profit of both producers at one price pi_i,
  Eq. 1.1): the log cost gap H_i = ln AC_i1 - ln AC_i2 = 0 with AC_ij = w_j l_ij / f_ij(l_ij),
  l_i1 = (1 - x_i) V_i L_1 / Y, l_i2 = x_i V_i L_2 / (1 - Y).  In z_i = logit(x_i):

      H_i = s_i(Y) + (a_i1 - 1) softplus(z_i) - (a_i2 - 1) softplus(-z_i),
      s_i(Y) = a_i1 ln Y - a_i2 ln(1 - Y) + (a_i2 - a_i1) ln V_i(Y) - a_i1 ln L_1 + a_i2 ln L_2
               - ln e_i1 + ln e_i2.

  With one exponent a per good s_i = ln[(e_i2 / w_2^a) / (e_i1 / w_1^a)] (Theorem 4's cost
  comparison) and H_i = s_i + (a - 1) z_i, so at fixed Y the share of a shared good has the closed
  form logit x_i(Y) = -s_i(Y) / (a - 1) = (a ln(L_1 (1 - Y) / (L_2 Y)) + ln(e_i1 / e_i2)) / (a - 1).

Every production kind (:mod:`trade_opt.gomory.production`): H_i = ln AC_i1 - ln AC_i2 with
ln AC_ij = ln w_j + ln l_ij - ln f_ij(l_ij) (:func:`log_cost_gap`).  By Assumption 1 (f/l strictly
increasing past the set-up interval) H_i is strictly increasing in z_i at fixed Y, from -inf where
country 2's labor reaches its set-up s_i2 to +inf where country 1's reaches s_i1, so z_i(Y) is
unique where that interval is not empty (:func:`shared_z`: safeguarded Newton with
dH_i/dz_i = (eps_i1 - 1) x_i + (eps_i2 - 1)(1 - x_i), eps the output elasticity); NaN where it is
(no share of good i lets both producers make a positive quantity at that Y).
"""
from __future__ import annotations

import numpy as np

from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.production import elasticity, log_output


def softplus(z: np.ndarray) -> np.ndarray:
    """softplus(z) = ln(1 + e^z), without overflow.

    Parameters
    ----------
    z : numpy.ndarray
        Logits (dimensionless).

    Returns
    -------
    numpy.ndarray
        ln(1 + e^z); -softplus(-z) = ln sigma(z) is ln x for z = logit x.
    """
    return np.logaddexp(0.0, z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), accurate in both tails.

    Parameters
    ----------
    z : numpy.ndarray
        Logits (dimensionless); +-inf allowed.

    Returns
    -------
    numpy.ndarray
        x = sigma(z) in [0, 1]; sigma(-z) = 1 - x without cancellation.
    """
    out = np.empty_like(np.asarray(z, dtype=float))
    z = np.asarray(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def cost_constants(data: GomoryData) -> np.ndarray:
    """k_i = -a_i1 ln L_1 + a_i2 ln L_2 - ln e_i1 + ln e_i2, the Y-free part of s_i (Eq. 1.1).

    Parameters
    ----------
    data : GomoryData
        The instance (labor L_j in labor units, efficiencies e_ij, exponents alpha_ij).

    Returns
    -------
    numpy.ndarray
        (n,) k_i in log units.
    """
    a1, a2 = data.alpha
    return -a1 * np.log(data.L[0]) + a2 * np.log(data.L[1]) - np.log(data.e[0]) + np.log(data.e[1])


def cost_comparison(data: GomoryData, goods: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray,
                    log_V: np.ndarray) -> np.ndarray:
    """s_i(Y): the log cost gap without its own-scale terms (Theorem 4's comparison).

    With one exponent a per good: s_i = ln[(e_i2 / w_2^a) / (e_i1 / w_1^a)]; s_i > 0 means country 2
    is cheaper at equal wage bills.

    Parameters
    ----------
    data : GomoryData
        The instance.
    goods : numpy.ndarray
        Integer index of the goods (0-based), broadcast with the other arrays.
    log_Y, log_1mY : numpy.ndarray
        ln Y and ln(1 - Y) (Y = N_1, income share of country 1).
    log_V : numpy.ndarray
        ln V_i(Y), V_i = d_i1 Y + d_i2 (1 - Y) (value of world demand for good i).

    Returns
    -------
    numpy.ndarray
        s_i(Y) in log units (broadcast shape).
    """
    a1, a2 = data.alpha[0][goods], data.alpha[1][goods]
    return a1 * log_Y - a2 * log_1mY + (a2 - a1) * log_V + cost_constants(data)[goods]


def log_cost_gap(data: GomoryData, goods: np.ndarray, z: np.ndarray, log_Y: np.ndarray,
                 log_1mY: np.ndarray, log_V: np.ndarray) -> np.ndarray:
    """H_i = ln AC_i1 - ln AC_i2 at x_i = sigma(z) (z = logit x_i), Y and V_i(Y) given in logs.

    Parameters
    ----------
    data : GomoryData
        The instance.
    goods : numpy.ndarray
        Integer index of the goods (0-based).
    z : numpy.ndarray
        Logit of country 2's share x_i of good i.
    log_Y, log_1mY, log_V : numpy.ndarray
        As in :func:`cost_comparison`.

    Returns
    -------
    numpy.ndarray
        H_i (log units): > 0 when country 1's average cost exceeds country 2's; 0 at an
        equilibrium with good i shared (Eq. 1.1).
    """
    if not data.production.is_power:
        return _general_cost_gap(data, goods, z, log_Y, log_1mY, log_V)[0]
    a1, a2 = data.alpha[0][goods], data.alpha[1][goods]
    return (cost_comparison(data, goods, log_Y, log_1mY, log_V)
            + (a1 - 1.0) * softplus(z) - (a2 - 1.0) * softplus(-z))


def shared_labor_logs(data: GomoryData, z: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray,
                      log_V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log labor of both countries in each good at x_i = sigma(z) (Eq. 1.1), broadcast.

    ln l_i1 = ln(1 - x_i) + ln V_i + ln L_1 - ln Y, ln l_i2 = ln x_i + ln V_i + ln L_2 - ln(1 - Y).

    Parameters
    ----------
    data : GomoryData
        The instance.
    z : numpy.ndarray
        logit x_i.
    log_Y, log_1mY : numpy.ndarray
        ln Y and ln(1 - Y), broadcastable with ``z``.
    log_V : numpy.ndarray
        ln V_i(Y), broadcastable with ``z``.

    Returns
    -------
    tuple of numpy.ndarray
        (ln l_i1, ln l_i2), labor in labor units.
    """
    log_L = np.log(data.L)
    return -softplus(z) + log_V + log_L[0] - log_Y, -softplus(-z) + log_V + log_L[1] - log_1mY


def _general_cost_gap(data: GomoryData, goods: np.ndarray, z: np.ndarray, log_Y: np.ndarray,
                      log_1mY: np.ndarray, log_V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H_i, dH_i/dz_i at fixed Y) for any production kind: ln AC_ij = ln w_j + ln l_ij - ln f_ij(l_ij).

    dH_i/dz_i = (eps_i1 - 1) x_i + (eps_i2 - 1)(1 - x_i) with eps the output elasticity
    (:func:`trade_opt.gomory.production.elasticity`).  H = +inf where only country 1 makes nothing
    (l_i1 <= s_i1), -inf where only country 2 does, NaN where both do."""
    log_l1, log_l2 = shared_labor_logs(data, z, log_Y, log_1mY, log_V)
    log_L = np.log(data.L)
    with np.errstate(invalid="ignore"):
        H = (log_Y - log_L[0] + log_l1 - log_output(data, 0, log_l1, goods)
             - (log_1mY - log_L[1] + log_l2 - log_output(data, 1, log_l2, goods)))
        slope = ((elasticity(data, 0, log_l1, goods) - 1.0) * sigmoid(z)
                 + (elasticity(data, 1, log_l2, goods) - 1.0) * sigmoid(-z))
    return H, slope


#: Newton iterations of :func:`shared_z` (each also a bisection when Newton leaves the bracket).
SHARE_MAXITER = 200
#: |z| of the search bracket's open ends (shares e^-800: still exact in logs).
Z_OPEN = 800.0


def shared_z(data: GomoryData, goods: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray,
             log_V: np.ndarray) -> np.ndarray:
    """z_i(Y) = logit x_i with H_i(z_i, Y) = 0 (equal average cost, Eq. 1.1) at fixed Y, any production kind.

    Power: :func:`solve_own_scale` (closed form with one exponent per good).  Otherwise the root
    lies in the open interval where both producers' labor exceeds its set-up s_ij:
    x_i > s_i2 (1 - Y) / (V_i L_2) and 1 - x_i > s_i1 Y / (V_i L_1); H_i runs from -inf to +inf
    there and is strictly increasing (Assumption 1), and a safeguarded Newton iteration in z (a
    bisection whenever the step leaves the bracket) finds it to |dz| <= 1e-15 max(1, |z|).

    Parameters
    ----------
    data : GomoryData
        The instance.
    goods : numpy.ndarray
        Integer good indices (0-based), broadcast with the other arrays.
    log_Y, log_1mY, log_V : numpy.ndarray
        ln Y, ln(1 - Y), ln V_i(Y) (Y = N_1, N_1 + N_2 = 1).

    Returns
    -------
    numpy.ndarray
        z_i(Y) (broadcast shape); NaN where no share gives both producers a positive output.
    """
    if data.production.is_power:
        s = cost_comparison(data, goods, log_Y, log_1mY, log_V)
        return solve_own_scale(data.alpha[0][goods], data.alpha[1][goods], -s)
    goods, log_Y, log_1mY, log_V = np.broadcast_arrays(np.asarray(goods), np.asarray(log_Y, float),
                                                       np.asarray(log_1mY, float), np.asarray(log_V, float))
    shape = goods.shape
    g, lY, l1mY, lV = (a.ravel() for a in (goods, log_Y, log_1mY, log_V))
    log_L = np.log(data.L)
    setup = data.production.setup
    with np.errstate(divide="ignore"):
        # smallest share of each producer: x > x_min (country 2), 1 - x > y_min (country 1)
        log_x_min = np.log(setup[1][g]) + l1mY - lV - log_L[1]
        log_y_min = np.log(setup[0][g]) + lY - lV - log_L[0]
    x_min, y_min = np.exp(log_x_min), np.exp(log_y_min)
    feasible = x_min + y_min < 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(x_min > 0, log_x_min - np.log1p(-np.minimum(x_min, 0.5)), -Z_OPEN)
        lo = np.where(x_min >= 0.5, np.log(x_min) - np.log1p(-x_min), lo)
        hi = np.where(y_min > 0, np.log1p(-np.minimum(y_min, 0.5)) - log_y_min, Z_OPEN)
        hi = np.where(y_min >= 0.5, np.log1p(-y_min) - np.log(y_min), hi)
    z = np.full(g.shape, np.nan)
    act = np.flatnonzero(feasible & (lo < hi))
    a, b = lo[act], hi[act]
    zc = np.clip(np.zeros(len(act)), a, b)
    zc = np.where((zc <= a) | (zc >= b), 0.5 * (a + b), zc)
    for _ in range(SHARE_MAXITER):
        if not act.size:
            break
        H, slope = _general_cost_gap(data, g[act], zc, lY[act], l1mY[act], lV[act])
        neg = H < 0
        a = np.where(neg, zc, a)
        b = np.where(neg, b, zc)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = H / slope
        new = zc - step
        bad = ~np.isfinite(new) | (new <= a) | (new >= b)
        new = np.where(bad, 0.5 * (a + b), new)
        done = (H == 0) | (np.abs(new - zc) <= 1e-15 * np.maximum(1.0, np.abs(zc))) | (b - a <= 1e-15 * np.maximum(1.0, np.abs(zc)))
        z[act[done]] = np.where(H[done] == 0, zc[done], new[done])
        keep = ~done
        act, a, b, zc = act[keep], a[keep], b[keep], new[keep]
    if act.size:
        z[act] = zc
    return z.reshape(shape)


def solve_own_scale(a1: np.ndarray, a2: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """z with (a1 - 1) softplus(z) - (a2 - 1) softplus(-z) = rhs (strictly increasing in z).

    Closed form z = rhs / (a - 1) when a1 = a2; else Newton (phi is convex or concave, phi' is
    between min(a1, a2) - 1 and max(a1, a2) - 1), started from the equal-exponent solution.

    Parameters
    ----------
    a1, a2 : numpy.ndarray
        Production exponents alpha_i1, alpha_i2 (> 1), broadcast with ``rhs``.
    rhs : numpy.ndarray
        -s_i(Y), minus the cost comparison (log units).

    Returns
    -------
    numpy.ndarray
        z = logit x_i at which H_i = 0 (equal average cost, Eq. 1.1) at that Y.
    """
    a1, a2, rhs = np.broadcast_arrays(np.asarray(a1, float), np.asarray(a2, float), np.asarray(rhs, float))
    z = rhs / (0.5 * (a1 + a2) - 1.0)
    if np.array_equal(a1, a2):
        return z
    z = z.copy()
    for _ in range(100):
        phi = (a1 - 1.0) * softplus(z) - (a2 - 1.0) * softplus(-z) - rhs
        slope = (a1 - 1.0) * sigmoid(z) + (a2 - 1.0) * sigmoid(-z)
        step = phi / slope
        z -= step
        if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(z))):
            break
    return z


def specialized_Y(data: GomoryData, X: np.ndarray) -> np.ndarray:
    """Y of the trade equation (Eq. 2) for 0/1 (or fractional) x: Y = B' / (A + B').

    Parameters
    ----------
    data : GomoryData
        The instance (demands renormalized).
    X : numpy.ndarray
        (m, n) shares x_i of country 2 (1: country 2 makes good i).

    Returns
    -------
    numpy.ndarray
        (m,) country 1's income share Y (N_1 + N_2 = 1).
    """
    X = np.asarray(X, dtype=float)
    A = X @ data.d[0]
    B = (1.0 - X) @ data.d[1]
    return B / (A + B)
