"""Prices, demands, price indices and profits at given firm numbers: the explicit chain.

Kim (1999), sections III-IV, corrected as in ``models/kim_location.md``.  For given numbers of
firms (m_1, m_2, n, r) the computation is a chain, not a fixed point (models/kim_location.md, 'The chain at given firm numbers'):

1. costs flow down:  P_S (25) -> N_S -> q (21) -> P_F (24) -> N_F -> b_h (16) -> P_Ah (19) -> D_h;
2. quantities flow up:  A_h(k, g) (11) -> A^D_h (12) -> F_h(y, k) (17) -> F^D (18) -> S(z, y) (22)
   -> S^D (23) -> profits (26), (27), (29) in their first (price minus marginal cost) form.

Everything is vectorized over regions; powers are taken in logs (exponents up to theta + 1 ~ 8
appear), and each price index is a log-sum-exp.  Units: W, I and every price in the numeraire;
quantities in physical units; profits in the numeraire per firm.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.kim.instance import KimData

TIERS = ("A1", "A2", "F", "S")


def cobb_douglas_constant(share: float | np.ndarray) -> float | np.ndarray:
    """Constant c = s^-s (1-s)^-(1-s) of a Cobb-Douglas unit cost (eq. 16, 21).

    Parameters
    ----------
    share : float or ndarray
        Cost share s of the intermediate input, in (0, 1) (beta_h for eq. 16, delta for eq. 21).

    Returns
    -------
    float or ndarray
        c(s) > 0, same shape as ``share``.

    Examples
    --------
    >>> round(float(cobb_douglas_constant(0.5)), 12)
    2.0
    """
    return share ** (-share) * (1.0 - share) ** (-(1.0 - share))


def log_index(weights: np.ndarray, log_price: np.ndarray, exponent: float) -> np.ndarray:
    """Log price index ln sum_o weights(o) exp(-exponent * log_price(o, d)) over origins o (axis -2).

    This is ln N_S (21), ln N_F (16) or ln D_h (11), computed by log-sum-exp
    (models/kim_location.md, 'The chain at given firm numbers').

    Parameters
    ----------
    weights : ndarray, shape (..., J)
        Firm numbers by origin o (counts, >= 0).
    log_price : ndarray, shape (..., J, J)
        Log delivered prices ln[P(o) T(o, d)], row = origin o, column = destination d
        (P in the numeraire, T a markup >= 1).
    exponent : float
        Elasticity exponent (theta, eps or omega_h), > 0.

    Returns
    -------
    ndarray, shape (..., J)
        The log index at every destination d.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(log_index(np.array([2.0, 3.0]), np.zeros((2, 2)), 5.0)[0]), 12) == round(float(np.log(5.0)), 12)
    True
    """
    return log_sum_exp(-exponent * log_price, weights[..., :, None], axis=-2)


def log_sum_exp(a: np.ndarray, b: np.ndarray, axis: int) -> np.ndarray:
    """``ln sum b exp(a)`` along ``axis`` for weights ``b >= 0``, as ``scipy.special.logsumexp``
    computes it (the largest term kept out of the sum: ``ln(1 + s/m) + ln m + max a``; terms with
    weight 0 add nothing), in plain numpy: scipy's array-API layer costs ~0.5 ms per call, which
    the entry dynamics of :func:`trade_opt.kim.equilibrium.relax_start` pay thousands of times.

    Parameters
    ----------
    a : ndarray
        Exponents (logs of the summands without their weights).
    b : ndarray
        Weights >= 0, broadcastable with ``a``.
    axis : int
        Axis summed over.

    Returns
    -------
    ndarray
        ``a`` reduced over ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.special import logsumexp
    >>> a, b = np.array([[1000.0, 999.0], [-2.0, 0.5]]), np.array([[1.0, 3.0], [0.0, 2.0]])
    >>> bool(np.array_equal(log_sum_exp(a, b, axis=1), logsumexp(a, b=b, axis=1)))
    True
    """
    b = np.broadcast_to(b, np.broadcast_shapes(np.shape(a), np.shape(b)))
    a = np.where(b == 0, -np.inf, a)
    a_max = np.max(a, axis=axis, keepdims=True)
    top = a == a_max
    m = np.sum(b * top, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sum(b * np.exp(np.where(top, -np.inf, a) - a_max), axis=axis, keepdims=True)
        s = np.where(s == 0, s, s / m)
        out = np.log1p(s) + np.log(m) + a_max
    return np.squeeze(out, axis=axis)


@dataclass(frozen=True, eq=False)
class KimState:
    """Everything the chain computes at given firm numbers (shapes: h first, then regions).

    Attributes
    ----------
    m : (2, J) assemblers m_h(k); n : (J,) first-tier firms n(j); r : (J,) second-tier firms r(i).
    P_S, q, P_F : (J,) S mill price (25), F marginal cost (21), F mill price (24).
    b, P_A : (2, J) A_h marginal cost (16) and mill price (19).
    lnN_S, lnN_F : (J,) log price indices N_S(j), N_F(k); lnD : (2, J) log D_h(g).
    A : (2, J, J) A_h(k, g) per variety (11); A_D : (2, J) output per A_h firm (12).
    F : (2, J, J) F_h(y, k) per (h, k) firm (17); F_D : (J,) output per F firm (18).
    S : (J, J) S(z, y) per F firm in y (22); S_D : (J,) output per S firm (23).
    L_A : (2, J) variable labour per A_h firm (14); L_F : (J,) per F firm.
    profit : (4, J) profits per firm of A_1, A_2, F, S (29), (27), (26).
    """

    m: np.ndarray
    n: np.ndarray
    r: np.ndarray
    P_S: np.ndarray
    q: np.ndarray
    P_F: np.ndarray
    b: np.ndarray
    P_A: np.ndarray
    lnN_S: np.ndarray
    lnN_F: np.ndarray
    lnD: np.ndarray
    A: np.ndarray
    A_D: np.ndarray
    F: np.ndarray
    F_D: np.ndarray
    S: np.ndarray
    S_D: np.ndarray
    L_A: np.ndarray
    L_F: np.ndarray
    profit: np.ndarray

    @property
    def revenue(self) -> np.ndarray:
        """Mill revenue per firm by tier: P_Ah A^D_h, P_F F^D, P_S S^D.

        Returns
        -------
        ndarray, shape (4, J)
            Revenue per firm (numeraire), rows A_1, A_2, F, S, columns regions.
        """
        return np.vstack([self.P_A * self.A_D, self.P_F * self.F_D, self.P_S * self.S_D])


def stack_firms(m: np.ndarray, n: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Stack firm numbers in the tier order A_1, A_2, F, S (:data:`TIERS`).

    Parameters
    ----------
    m : array_like, shape (2, J)
        Assemblers m_h(k) (counts).
    n : array_like, shape (J,)
        First-tier F firms n(j) (counts).
    r : array_like, shape (J,)
        Second-tier S firms r(i) (counts).

    Returns
    -------
    ndarray, shape (4, J)
        Firm numbers as floats, rows A_1, A_2, F, S.
    """
    return np.vstack([np.asarray(m, float), np.asarray(n, float)[None], np.asarray(r, float)[None]])


def _check_nonempty(x: np.ndarray) -> None:
    totals = x.sum(axis=1)
    if np.any(x < 0) or not np.all(totals > 0):
        empty = [TIERS[t] for t in np.flatnonzero(~(totals > 0))]
        raise ArgumentError("firm numbers", f"must be >= 0 with every tier non-empty (empty: {empty}); "
                            "marginal costs are infinite at an empty tier (models/kim_location.md, 'The chain at given firm numbers')")


def log_costs(data: KimData, n: np.ndarray, r: np.ndarray):
    """Step 1 of the chain (costs flow down), in logs: eq. (25), (21), (24), (16), (19).

    Parameters
    ----------
    data : KimData
        Instance arrays (wages W in the numeraire, markups >= 1).
    n : ndarray, shape (J,)
        F firms by region (counts); weights of N_F (16).
    r : ndarray, shape (J,)
        S firms by region (counts); weights of N_S (21).

    Returns
    -------
    tuple of ndarray
        ``(ln P_S, ln N_S, ln q, ln P_F, ln N_F, ln b, ln P_A)``: shapes (J,) except ln b and ln P_A,
        (2, J).  P_S S mill price (25), N_S S price index (21), q F marginal cost (21), P_F F mill price
        (24), N_F F price index (16), b_h A_h marginal cost (16), P_Ah A_h mill price (19); prices in
        the numeraire.
    """
    lnW = np.log(data.W)
    lnP_S = np.log(data.a_SL / data.rho) + lnW                                             # (25)
    lnN_S = log_index(r, lnP_S[:, None] + np.log(data.T_S), data.theta)
    lnq = (np.log(cobb_douglas_constant(data.delta)) + (1.0 - data.delta) * lnW
           - data.delta / data.theta * lnN_S)                                              # (21)
    lnP_F = lnq - np.log(data.eta)                                                         # (24)
    lnN_F = log_index(n, lnP_F[:, None] + np.log(data.T_F), data.eps)
    beta = data.beta[:, None]
    lnb = (np.log(cobb_douglas_constant(beta)) + (1.0 - beta) * lnW[None]
           - beta / data.eps * lnN_F[None])                                                # (16)
    lnP_A = lnb - np.log(data.mu)[:, None]                                                 # (19)
    return lnP_S, lnN_S, lnq, lnP_F, lnN_F, lnb, lnP_A


def chain(data: KimData, m: np.ndarray, n: np.ndarray, r: np.ndarray) -> KimState:
    """Prices, demands, indices and profits at given firm numbers (models/kim_location.md, 'The chain at given firm numbers').

    Costs flow down by eq. (25), (21), (24), (16), (19); quantities flow up by (11), (12), (17),
    (18), (22), (23); profits by the first lines of (29), (27), (26); labour by (14).

    Parameters
    ----------
    data : KimData
        The instance arrays.
    m : array_like, shape (2, J)
        Numbers of A_1, A_2 firms by region (counts, >= 0).
    n : array_like, shape (J,)
        Numbers of F firms by region (counts, >= 0).
    r : array_like, shape (J,)
        Numbers of S firms by region (counts, >= 0).

    Returns
    -------
    KimState
        All chain quantities, with profits per firm (numeraire) from the first lines of (29), (27),
        (26): Pi = P x D - mc x D - W f.

    Raises
    ------
    ValueError
        If a firm number is negative or a whole tier is empty (its marginal costs would be infinite).

    Examples
    --------
    >>> from trade_opt.kim.instance import KimData
    >>> import numpy as np
    >>> d = KimData.symmetric(2)
    >>> s = chain(d, np.ones((2, 2)), np.ones(2), np.ones(2))
    >>> bool(np.allclose(s.profit[:, 0], s.profit[:, 1]))
    True
    """
    m, n, r = np.asarray(m, float), np.asarray(n, float), np.asarray(r, float)
    _check_nonempty(stack_firms(m, n, r))
    lnP_S, lnN_S, lnq, lnP_F, lnN_F, lnb, lnP_A = log_costs(data, n, r)
    omega = data.omega[:, None, None]
    ln_delivered_A = lnP_A[:, :, None] + np.log(data.T_A)                                  # (2, k, g)
    lnD = log_sum_exp(-omega * ln_delivered_A, m[:, :, None], axis=1)                      # (2, g)
    A = (data.alpha[:, None, None] * data.I[None, None, :]
         * np.exp(-(omega + 1.0) * ln_delivered_A - lnD[:, None, :]))                      # (11)
    A_D = A.sum(axis=2)                                                                    # (12)
    b, P_F, q = np.exp(lnb), np.exp(lnP_F), np.exp(lnq)
    ln_delivered_F = lnP_F[:, None] + np.log(data.T_F)                                     # (y, k)
    F = (data.beta[:, None, None] * (b * A_D)[:, None, :]
         * np.exp(-(data.eps + 1.0) * ln_delivered_F - lnN_F[None, :])[None])              # (17)
    F_D = np.einsum("hk,hyk->y", m, F)                                                     # (18)
    ln_delivered_S = lnP_S[:, None] + np.log(data.T_S)                                     # (z, y)
    S = data.delta * (q * F_D)[None, :] * np.exp(-(data.theta + 1.0) * ln_delivered_S - lnN_S[None, :])  # (22)
    S_D = S @ n                                                                            # (23)
    P_S, P_A = np.exp(lnP_S), np.exp(lnP_A)
    W = data.W
    profit = np.vstack([
        P_A * A_D - b * A_D - W[None] * data.f_A[:, None],                                 # (29)
        (P_F * F_D - q * F_D - W * data.f_F)[None],                                        # (27)
        (P_S * S_D - data.a_SL * W * S_D - W * data.f_S)[None],                            # (26)
    ])
    return KimState(
        m=m, n=n, r=r, P_S=P_S, q=q, P_F=P_F, b=b, P_A=P_A, lnN_S=lnN_S, lnN_F=lnN_F, lnD=lnD,
        A=A, A_D=A_D, F=F, F_D=F_D, S=S, S_D=S_D,
        L_A=(1.0 - data.beta[:, None]) * b * A_D / W[None],                                # (14)
        L_F=(1.0 - data.delta) * q * F_D / W,
        profit=profit,
    )


def profits(data: KimData, x: np.ndarray) -> np.ndarray:
    """Profits per firm at stacked firm numbers (first lines of eq. 29, 27, 26).

    Parameters
    ----------
    data : KimData
        The instance arrays.
    x : ndarray, shape (4, J)
        Firm numbers, rows A_1, A_2, F, S (:func:`stack_firms`).

    Returns
    -------
    ndarray, shape (4, J)
        Profit per firm (numeraire), rows A_1, A_2, F, S.

    Raises
    ------
    ValueError
        As :func:`chain`: a negative firm number or an empty tier.

    Examples
    --------
    >>> from trade_opt.kim.instance import KimData
    >>> import numpy as np
    >>> profits(KimData.symmetric(2), np.ones((4, 2))).shape
    (4, 2)
    """
    return chain(data, x[:2], x[2], x[3]).profit
