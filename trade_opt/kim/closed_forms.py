"""Profits in closed form, in wages, markups and firm numbers only: corrected (26'), (28'), (30').

Kim (1999) prints (26), (28) and (30) with constant-factor errors; the corrected forms are those
of ``models/kim_location.md``, 'Closed forms, corrected':

* M_S(j) = sum_i r(i) [W(i) T_S(i, j)]^-theta,  kappa = (a_SL/rho)^delta c_d,
* N(k) = sum_j n(j) W(j)^(-(1-delta) eps) M_S(j)^(delta eps/theta) T_F(j, k)^-eps,
* Z_h(k) = W(k)^(-(1-beta_h) omega_h) N(k)^(beta_h omega_h/eps),
* (30') Pi_Ah(x) = (1-mu_h) Z_h(x) sum_g alpha_h I(g) T_Ah(x,g)^-(omega_h+1) / [sum_k m_h(k) Z_h(k) T_Ah(k,g)^-omega_h] - W(x) f_AL,
* (28') Pi_F(y) = (1-eta) W(y)^(-(1-delta)eps) M_S(y)^(delta eps/theta)
  sum_h sum_k B_h(k) T_F(y,k)^-(eps+1) N(k)^-(beta_h/eps+1) - W(y) f_FL,
  B_h(k) = beta_h^(1-beta_h) (1-beta_h)^-(1-beta_h) (kappa/eta)^beta_h m_h(k) A^D_h(k) W(k)^(1-beta_h),
* (26') Pi_S(z) = (1-rho) (a_SL/rho)^delta delta^(1-delta) (1-delta)^-(1-delta) W(z)^-theta
  sum_j n(j) F^D(j) W(j)^(1-delta) T_S(z,j)^-(theta+1) M_S(j)^-(delta/theta+1) - W(z) f_SL.

This module is the independent second path for the profits of :func:`trade_opt.kim.model.chain`:
it never computes a price index of the chain (models/kim_location.md, 'The chain at given firm
numbers').  A^D_h (needed by 28') is recovered from (30')'s revenue and
P_Ah = (c_b/mu)(kappa/eta)^beta W^(1-beta) N^(-beta/eps); F^D (needed by 26') from (28')'s revenue
and P_F = (kappa/eta) W^(1-delta) M_S^(-delta/theta).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.kim.instance import KimData
from trade_opt.kim.model import cobb_douglas_constant


@dataclass(frozen=True, eq=False)
class ClosedForms:
    """Closed-form profits and the intermediate sums (numeraire units).

    Attributes
    ----------
    profit : numpy.ndarray, shape (4, J)
        Profit per firm, rows A_1, A_2, F, S ((30'), (28'), (26')).
    M_S : numpy.ndarray, shape (J,)
        M_S(j) = sum_i r(i) [W(i) T_S(i, j)]^-theta.
    N : numpy.ndarray, shape (J,)
        N(k) of (28').
    Z : numpy.ndarray, shape (2, J)
        Z_h(k) of (30').
    A_D : numpy.ndarray, shape (2, J)
        Output A^D_h(k) per assembler, recovered from (30')'s revenue.
    F_D : numpy.ndarray, shape (J,)
        Output F^D(j) per F firm, recovered from (28')'s revenue.
    """

    profit: np.ndarray
    M_S: np.ndarray
    N: np.ndarray
    Z: np.ndarray
    A_D: np.ndarray
    F_D: np.ndarray


def closed_form_profits(data: KimData, m: np.ndarray, n: np.ndarray, r: np.ndarray) -> ClosedForms:
    """Profits per firm by the corrected closed forms (26'), (28'), (30').

    Parameters
    ----------
    data : KimData
        Instance arrays (W, I in the numeraire; markups >= 1).
    m : array_like, shape (2, J)
        Assemblers m_h(k) by region (counts).
    n : array_like, shape (J,)
        F firms n(j) by region (counts).
    r : array_like, shape (J,)
        S firms r(i) by region (counts); every tier must be non-empty.

    Returns
    -------
    ClosedForms
        ``profit`` (4, J) per firm in the numeraire, rows A_1, A_2, F, S; it agrees with
        ``chain(...).profit`` (models/kim_location.md, 'Closed forms, corrected').  Also the sums
        M_S, N, Z and the outputs A_D, F_D recovered from revenues.

    Examples
    --------
    >>> import numpy as np
    >>> from trade_opt.kim.instance import KimData
    >>> from trade_opt.kim.model import chain
    >>> d = KimData.symmetric(3)
    >>> m, n, r = np.ones((2, 3)), np.full(3, 2.0), np.full(3, 3.0)
    >>> bool(np.allclose(closed_form_profits(d, m, n, r).profit, chain(d, m, n, r).profit))
    True
    """
    m, n, r = np.asarray(m, float), np.asarray(n, float), np.asarray(r, float)
    W, I = data.W, data.I
    theta, eps, delta, eta = data.theta, data.eps, data.delta, data.eta
    beta, mu, omega = data.beta[:, None], data.mu[:, None], data.omega[:, None]
    kappa = (data.a_SL / data.rho) ** delta * cobb_douglas_constant(delta)

    M_S = r @ (W[:, None] * data.T_S) ** (-theta)                                   # (J,) over j
    F_weight = W ** (-(1 - delta) * eps) * M_S ** (delta * eps / theta)              # (J,) over j
    N = (n * F_weight) @ data.T_F ** (-eps)                                          # (J,) over k
    Z = W[None] ** (-(1 - beta) * omega) * N[None] ** (beta * omega / eps)           # (2, J)

    # (30'): the denominator over k for every (h, g), then the sum over g for every (h, x).
    denom = np.einsum("hk,hkg->hg", m * Z, data.T_A ** (-omega[:, :, None]))
    market = data.alpha[:, None] * I[None] / denom                                   # (2, g)
    rev_A = Z * np.einsum("hxg,hg->hx", data.T_A ** (-(omega[:, :, None] + 1)), market)
    profit_A = (1 - mu) * rev_A - W[None] * data.f_A[:, None]
    P_A = (cobb_douglas_constant(beta) / mu) * (kappa / eta) ** beta * W[None] ** (1 - beta) * N[None] ** (-beta / eps)
    A_D = rev_A / P_A

    # (28')
    B = (beta ** (1 - beta) * (1 - beta) ** (-(1 - beta)) * (kappa / eta) ** beta
         * m * A_D * W[None] ** (1 - beta))                                          # (2, k)
    per_k = (B * N[None] ** (-(beta / eps + 1))).sum(axis=0)                         # (k,)
    rev_F = F_weight * (data.T_F ** (-(eps + 1)) @ per_k)
    profit_F = (1 - eta) * rev_F - W * data.f_F
    P_F = (kappa / eta) * W ** (1 - delta) * M_S ** (-delta / theta)
    F_D = rev_F / P_F

    # (26')
    const_S = (1 - data.rho) * (data.a_SL / data.rho) ** delta * delta ** (1 - delta) * (1 - delta) ** (-(1 - delta))
    per_j = n * F_D * W ** (1 - delta) * M_S ** (-(delta / theta + 1))
    profit_S = const_S * W ** (-theta) * (data.T_S ** (-(theta + 1)) @ per_j) - W * data.f_S

    profit = np.vstack([profit_A, profit_F[None], profit_S[None]])
    return ClosedForms(profit=profit, M_S=M_S, N=N, Z=Z, A_D=A_D, F_D=F_D)
