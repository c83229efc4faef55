"""Utilities, residuals and stability of mixed equilibria of Gomory (1991).

Given z = logit x (+-inf for sole makers) and Y: Q_i = f_i1(l_i1) + f_i2(l_i2) (both producers),
u_1 = sum_i d_i1 ln(F_i Q_i), u_2 = sum_i d_i2 ln((1 - F_i) Q_i), F_i = d_i1 Y / V_i; the
trade-equation residual (Eq. 2), the cost residual (Eq. 1.1), and stability under the adjustment
process dx_i/dt = H_i with Y on the trade equation (``models/gomory.md``).  Every production
kind (:mod:`trade_opt.gomory.production`): f from ``log_output`` and, in the stability Jacobian,
the output elasticities eps_ij = d ln f_ij / d ln l at the equilibrium labor in place of alpha_ij.
"""
from __future__ import annotations

import numpy as np

from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed.equations import log_cost_gap, shared_labor_logs, sigmoid, softplus
from trade_opt.gomory.production import elasticity, log_output


def evaluate_mixed(data: GomoryData, z: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray) -> dict[str, np.ndarray]:
    """Quantities, utilities, residuals and stability of equilibria given z = logit x (+-inf for
    sole makers; shape (r, n)) and Y (in logs).

    Q_i = f_i1(l_i1) + f_i2(l_i2) (both producers), u_1 = sum_i d_i1 ln(F_i Q_i),
    u_2 = sum_i d_i2 ln((1 - F_i) Q_i), F_i = d_i1 Y / V_i.  ``trade_residual`` is
    Y A - (1 - Y) B' (Eq. 2); ``cost_residual`` max |H_i| over shared goods (0 if none);
    ``stability`` the largest real part of the eigenvalues of J = dH_S/dx_S along the trade
    equation (J = diag(dH_i/dx_i) + (dH_i/dY)(dY/dx_j)); NaN if no shared good.  With output
    elasticities eps_ij (alpha_ij for f = e l^alpha): dH_i/dx_i = (eps_i1 - 1)/(1 - x_i) +
    (eps_i2 - 1)/x_i and dH_i/dY = eps_i1/Y + eps_i2/(1 - Y) + (eps_i2 - eps_i1)(d_i1 - d_i2)/V_i.

    Parameters
    ----------
    data : GomoryData
        The instance.
    z : numpy.ndarray
        (r, n) logit of country 2's share x_i (+inf: country 2 alone, -inf: country 1 alone).
    log_Y, log_1mY : numpy.ndarray
        (r,) ln Y and ln(1 - Y), Y = N_1 (country 1's income share).

    Returns
    -------
    dict of numpy.ndarray
        ``x`` (r, n), ``Y``, ``w_ratio`` = w_1 / w_2, ``u1``, ``u2`` (log-utilities),
        ``log_Q`` (r, n) ln of world output, ``trade_residual``, ``cost_residual``, ``stability``
        (negative: stable; NaN when undetermined: no shared good, or a shared x_i rounds to 0 or 1).
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    r, n = z.shape
    d1, d2 = data.d
    a1, a2 = data.alpha
    log_Y, log_1mY = np.asarray(log_Y, float).reshape(r), np.asarray(log_1mY, float).reshape(r)
    Y, omY = np.exp(log_Y), np.exp(log_1mY)
    x, omx = sigmoid(z), sigmoid(-z)
    with np.errstate(divide="ignore"):
        log_x, log_1mx = -softplus(-z), -softplus(z)
    V = d1 * Y[:, None] + d2 * omY[:, None]
    log_V = np.log(V)
    log_L = np.log(data.L)
    if data.production.is_power:
        log_q1 = np.log(data.e[0]) + a1 * (log_1mx + log_V + log_L[0] - log_Y[:, None])
        log_q2 = np.log(data.e[1]) + a2 * (log_x + log_V + log_L[1] - log_1mY[:, None])
    else:
        with np.errstate(invalid="ignore"):
            log_l1, log_l2 = shared_labor_logs(data, z, log_Y[:, None], log_1mY[:, None], log_V)
        log_q1, log_q2 = log_output(data, 0, log_l1), log_output(data, 1, log_l2)
        a1, a2 = elasticity(data, 0, log_l1), elasticity(data, 1, log_l2)   # at the equilibrium labor
    log_Q = np.logaddexp(log_q1, log_q2)
    safe1, safe2 = np.where(d1 > 0, d1, 1.0), np.where(d2 > 0, d2, 1.0)
    log_F = np.log(safe1) + log_Y[:, None] - log_V
    log_1mF = np.log(safe2) + log_1mY[:, None] - log_V
    u1 = np.where(d1 > 0, d1 * (log_F + log_Q), 0.0).sum(axis=1)
    u2 = np.where(d2 > 0, d2 * (log_1mF + log_Q), 0.0).sum(axis=1)
    A = (x * d1).sum(axis=1)
    B = (omx * d2).sum(axis=1)
    trade = Y * A - omY * B
    shared = np.isfinite(z)
    goods = np.arange(n)
    with np.errstate(invalid="ignore"):
        H = np.where(shared, log_cost_gap(data, goods, np.where(shared, z, 0.0), log_Y[:, None], log_1mY[:, None], log_V), 0.0)
    cost = np.abs(H).max(axis=1) if n else np.zeros(r)
    # stability: J = diag(h) + g y^T on the shared goods
    D = A + B
    dY_dx = (-d2 * A[:, None] - B[:, None] * d1) / D[:, None] ** 2            # (r, n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        dH_dY = a1 / Y[:, None] + a2 / omY[:, None] + (a2 - a1) * (d1 - d2) / V   # (r, n)
        h = (a1 - 1.0) / omx + (a2 - 1.0) / x                                  # dH_i/dx_i at fixed Y
    stability = np.full(r, np.nan)
    k_count = shared.sum(axis=1)
    for k in np.unique(k_count):
        if k == 0:
            continue
        sel = np.flatnonzero(k_count == k)
        idx = np.nonzero(shared[sel])[1].reshape(len(sel), k)
        take = lambda arr: np.take_along_axis(arr[sel], idx, axis=1)  # noqa: E731
        J = take(dH_dY)[:, :, None] * take(dY_dx)[:, None, :]
        J[:, np.arange(k), np.arange(k)] += take(h)
        # a shared x_i that rounds to 0 or 1 (exponents very close to 1) makes J infinite:
        # its stability stays NaN (undetermined) instead of failing the whole batch
        finite = np.isfinite(J).all(axis=(1, 2))
        if finite.any():
            stability[sel[finite]] = np.linalg.eigvals(J[finite]).real.max(axis=1)
    return {"x": x, "Y": Y, "w_ratio": Y / omY * data.L[1] / data.L[0], "u1": u1, "u2": u2,
            "log_Q": log_Q, "trade_residual": trade, "cost_residual": cost, "stability": stability}
