"""Specialized equilibria of given 0/1 patterns in Gomory (1991) (Eqs. 1.1, 2, 3; assumption 2).

A pattern x in {0,1}^n gives good i to country 2 when x_i = 1 and to country 1 when x_i = 0.
Incomes are normalized N_1 + N_2 = 1 with Y = N_1 (country 1's share of world income).

* Trade equation (Eq. 2): (sum_i d_i1 x_i) Y + (sum_i d_i2 x_i)(1 - Y) = 1 - Y, so with
  a = sum_i d_i1 x_i and b = sum_i d_i2 x_i:  Y = (1 - b) / (1 - b + a).
* Wages w_1 = Y / L_1, w_2 = (1 - Y) / L_2, wage ratio w_1/w_2 = Y L_2 / ((1 - Y) L_1).
* Labor (Eq. 1.1): l_i1 = V_i L_1 / Y if x_i = 0, l_i2 = V_i L_2 / (1 - Y) if x_i = 1, with
  V_i = d_i1 Y + d_i2 (1 - Y) the value of world demand for good i.
* Quantity Q_i = f_ij(l_ij) (:mod:`trade_opt.gomory.production`: e_ij l^alpha_ij, with a set-up
  interval, or a barrier); country 1 consumes the share F_i = d_i1 Y / V_i.
* Log-utilities u_1 = sum_i d_i1 ln(F_i Q_i), u_2 = sum_i d_i2 ln((1 - F_i) Q_i); autarky
  u_j = sum_i d_ij ln f_ij(d_ij L_j) (assumption 2).

Everything is computed in logs (Q_i overflows for large alpha and labor), vectorized over a batch
of patterns (no Python loop over patterns).  A pattern for which one country earns nothing
(possible only with zero demand shares: a = 0 or b = 1) has no equilibrium with positive wages
(:func:`nondegenerate`).  Enumerating all patterns in chunks: :mod:`trade_opt.gomory.equilibria`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.pattern_coding import pattern_codes
from trade_opt.gomory.production import log_autarky_output, log_output


def log_quantities(data: GomoryData, log_V: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ln q_i1(Y), ln q_i2(Y): log output if country 1 (resp. 2) alone made good i at income Y.

    q_i1 = f_i1(V_i L_1 / Y),  q_i2 = f_i2(V_i L_2 / (1 - Y)) (Eq. 1.1 with x_i = 0 resp. 1;
    f = e l^alpha for kind power, :func:`trade_opt.gomory.production.log_output` for every kind; Eq. 3).

    Parameters
    ----------
    data : GomoryData
        The instance.
    log_V : numpy.ndarray
        ln V_i(Y), V_i = d_i1 Y + d_i2 (1 - Y), shape (..., n).
    log_Y, log_1mY : numpy.ndarray
        ln Y, ln(1 - Y) (Y = N_1, N_1 + N_2 = 1), shape (..., 1).

    Returns
    -------
    tuple of numpy.ndarray
        (ln q_i1, ln q_i2), each (..., n); finite, since a sole producer uses at least d_ij L_j > s_ij.
    """
    log_L = np.log(data.L)
    log_q1 = log_output(data, 0, log_V + log_L[0] - log_Y)
    log_q2 = log_output(data, 1, log_V + log_L[1] - log_1mY)
    return log_q1, log_q2


def _dlog(d: np.ndarray, log_terms: np.ndarray) -> np.ndarray:
    """sum_i d_i * log_terms_i with the convention 0 * ln 0 = 0 (zero demand shares)."""
    return np.where(d > 0, d * np.where(d > 0, log_terms, 0.0), 0.0).sum(axis=-1)


@dataclass(frozen=True)
class EquilibriumBatch:
    """Specialized equilibria for a batch of patterns (arrays of length m, X of shape (m, n)).

    ``u1``, ``u2`` are log-utilities ln U_j; ``w_ratio`` is w_1/w_2; ``trade_residual`` is
    sum_i x_i V_i(Y) - (1 - Y) (zero up to rounding); ``labor_residual`` (m, 2) is labor used
    minus L_j in each country."""

    codes: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    w_ratio: np.ndarray
    u1: np.ndarray
    u2: np.ndarray
    trade_residual: np.ndarray
    labor_residual: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)


class _Coefficients:
    """Per-good constants of the utility sums, stacked so one matrix product gives every
    pattern-linear sum (the only per-(pattern, good) transcendental left is ln V_i(Y)).

    With x_i in {0, 1}, ln Q_i = (1 - x_i)[ln e_i1 + alpha_i1 (ln V_i + ln L_1 - ln Y)]
    + x_i [ln e_i2 + alpha_i2 (ln V_i + ln L_2 - ln(1 - Y))], so for country j's weights d_ij
    sum_i d_ij ln Q_i = k0 + x.k1 + (ln V).g0 + (x * ln V).g1 - ln Y (a1 - x.b1) - ln(1 - Y) x.b2.
    """

    def __init__(self, data: GomoryData):
        d = data.d
        log_e, log_L = np.log(data.e), np.log(data.L)
        c1 = log_e[0] + data.alpha[0] * log_L[0]        # ln q_i1 without the V, Y parts
        c2 = log_e[1] + data.alpha[1] * log_L[1]
        safe = np.where(d > 0, d, 1.0)
        self.d_log_d = (d * np.log(safe)).sum(axis=1)   # sum_i d_ij ln d_ij (0 ln 0 = 0)
        self.k0 = (d * c1).sum(axis=1)                   # (2,)
        self.a1 = (d * data.alpha[0]).sum(axis=1)        # (2,)
        # columns: a = x.d1, b = x.d2, then per country j: k1_j, b1_j, b2_j
        cols = [d[0], d[1]]
        for j in range(2):
            cols += [d[j] * (c2 - c1), d[j] * data.alpha[0], d[j] * data.alpha[1]]
        self.M = np.column_stack(cols)                   # (n, 8)
        self.G0 = np.column_stack([d[j] * (data.alpha[0] - 1.0) for j in range(2)])        # (n, 2)
        self.G1 = np.column_stack([d[j] * (data.alpha[1] - data.alpha[0]) for j in range(2)])  # (n, 2)
        self.country_exponents_differ = bool(np.any(self.G1 != 0))


def evaluate_patterns(data: GomoryData, X: np.ndarray, codes: np.ndarray | None = None,
                      coefficients: _Coefficients | None = None, Xf: np.ndarray | None = None,
                      direct: bool = False) -> EquilibriumBatch:
    """Equilibrium (Y, w1/w2, u1, u2) of each 0/1 pattern in ``X``, vectorized (Eqs. 1.1, 2).

    For f = e l^alpha (kinds power and barrier, the Observation) all pattern-linear sums come from
    one matrix product with stacked per-good constants; the element-wise work is
    V = d_2 + Y (d_1 - d_2), ln V and x * ln V.  With a set-up interval (or ``direct=True``) the
    quantities are summed directly (:func:`evaluate_patterns_direct`).  Patterns must be
    non-degenerate (each country earns a positive income); use :func:`~trade_opt.gomory.equilibria.specialized_equilibria` to
    enumerate and filter.

    Parameters
    ----------
    data : GomoryData
        The instance.
    X : numpy.ndarray
        0/1 patterns, shape (m, n) (1: country 2 makes good i).
    codes : numpy.ndarray, optional
        Their integer codes (computed from ``X`` if None).
    coefficients : _Coefficients, optional
        Precomputed per-good constants (built from ``data`` if None).
    Xf : numpy.ndarray, optional
        ``X`` as float64 (converted if None).
    direct : bool
        Evaluate by direct sums (:func:`evaluate_patterns_direct`).

    Returns
    -------
    EquilibriumBatch
        Y = N_1 (share of world income, N_1 + N_2 = 1), w_1/w_2, log-utilities and residuals.
    """
    if direct or not data.production.specialized_as_power:
        return evaluate_patterns_direct(data, X, codes)
    X = np.atleast_2d(np.asarray(X, dtype=bool))
    cf = coefficients if coefficients is not None else _Coefficients(data)
    if Xf is None:
        Xf = X.astype(np.float64)
    S = Xf @ cf.M
    a = S[:, 0]                                     # sum of d_i1 over goods made by country 2
    notXf = 1.0 - Xf
    one_minus_b = notXf @ data.d[1]                 # 1 - sum of d_i2 x_i, summed directly (no cancellation)
    den = one_minus_b + a
    Y = one_minus_b / den
    one_minus_Y = a / den                           # not 1 - Y: keeps its digits when Y -> 1
    log_den = np.log(den)
    log_Y = np.log(one_minus_b) - log_den
    log_1mY = np.log(a) - log_den
    # V_i = d_i1 Y + d_i2 (1 - Y), both terms >= 0 (no cancellation, so ln V stays finite when a
    # good's demand share is tiny in one country and Y -> 0 or 1)
    V = np.multiply.outer(Y, data.d[0])
    V += np.multiply.outer(one_minus_Y, data.d[1])
    log_V = np.log(V)
    P = log_V @ cf.G0                               # sum_i d_ij (alpha terms - 1) ln V_i, both j
    if cf.country_exponents_differ:
        P += (Xf * log_V) @ cf.G1
    u = np.empty((len(Y), 2))
    for j, (log_share, log_other) in enumerate(((log_Y, log_1mY), (log_1mY, log_Y))):
        k1, b1, b2 = S[:, 2 + 3 * j], S[:, 3 + 3 * j], S[:, 4 + 3 * j]
        u[:, j] = (cf.d_log_d[j] + log_share + cf.k0[j] + k1 + P[:, j]
                   - log_Y * (cf.a1[j] - b1) - log_1mY * b2)
    made_by_2 = np.einsum("ij,ij->i", Xf, V)        # sum_i x_i V_i(Y)
    made_by_1 = np.einsum("ij,ij->i", notXf, V)     # summed directly, not 1 - made_by_2 (Y -> 0)
    trade_residual = made_by_2 - one_minus_Y
    # labor used minus L_j, formed as L_j (used / L_j - 1) so L_j / Y never overflows
    labor_residual = np.column_stack([
        data.L[0] * (made_by_1 / Y - 1.0),
        data.L[1] * (made_by_2 / one_minus_Y - 1.0),
    ])
    w_ratio = np.exp(log_Y - log_1mY + np.log(data.L[1]) - np.log(data.L[0]))
    if codes is None:
        codes = pattern_codes(X)
    return EquilibriumBatch(codes, X, Y, w_ratio, u[:, 0], u[:, 1], trade_residual, labor_residual)


def _incomes(data: GomoryData, X: np.ndarray):
    """Y, 1 - Y (each keeping its digits), their logs and V (m, n) of 0/1 patterns (Eq. 2)."""
    Xf = X.astype(np.float64)
    a = Xf @ data.d[0]
    one_minus_b = (1.0 - Xf) @ data.d[1]
    den = one_minus_b + a
    log_den = np.log(den)
    Y, one_minus_Y = one_minus_b / den, a / den
    V = np.multiply.outer(Y, data.d[0])
    V += np.multiply.outer(one_minus_Y, data.d[1])
    return Y, one_minus_Y, np.log(one_minus_b) - log_den, np.log(a) - log_den, V


def evaluate_patterns_direct(data: GomoryData, X: np.ndarray, codes: np.ndarray | None = None) -> EquilibriumBatch:
    """:func:`evaluate_patterns` by direct sums over goods, for every production kind (O(n) logs per pattern).

    l_i1 = V_i L_1 / Y (x_i = 0), l_i2 = V_i L_2 / (1 - Y) (x_i = 1) (Eq. 1.1), ln Q_i from
    :func:`trade_opt.gomory.production.log_output`, u_1 = sum_i d_i1 (ln d_i1 + ln Y - ln V_i + ln Q_i),
    u_2 = sum_i d_i2 (ln d_i2 + ln(1 - Y) - ln V_i + ln Q_i) (0 ln 0 = 0).

    Parameters
    ----------
    data : GomoryData
        The instance.
    X : numpy.ndarray
        (m, n) 0/1 patterns (1: country 2 makes good i), non-degenerate.
    codes : numpy.ndarray, optional
        Their integer codes (computed if None).

    Returns
    -------
    EquilibriumBatch
        As :func:`evaluate_patterns`.
    """
    X = np.atleast_2d(np.asarray(X, dtype=bool))
    Y, one_minus_Y, log_Y, log_1mY, V = _incomes(data, X)
    log_V = np.log(V)
    log_q1, log_q2 = log_quantities(data, log_V, log_Y[:, None], log_1mY[:, None])
    log_Q = np.where(X, log_q2, log_q1)
    u = np.empty((len(Y), 2))
    for j, log_share in enumerate((log_Y, log_1mY)):
        d = data.d[j]
        log_d = np.log(np.where(d > 0, d, 1.0))
        u[:, j] = _dlog(d, log_d + log_share[:, None] - log_V + log_Q)
    made_by_2 = np.einsum("ij,ij->i", X.astype(np.float64), V)
    made_by_1 = np.einsum("ij,ij->i", (~X).astype(np.float64), V)
    labor_residual = np.column_stack([data.L[0] * (made_by_1 / Y - 1.0), data.L[1] * (made_by_2 / one_minus_Y - 1.0)])
    w_ratio = np.exp(log_Y - log_1mY + np.log(data.L[1]) - np.log(data.L[0]))
    if codes is None:
        codes = pattern_codes(X)
    return EquilibriumBatch(codes, X, Y, w_ratio, u[:, 0], u[:, 1], made_by_2 - one_minus_Y, labor_residual)


def nondegenerate(data: GomoryData, X: np.ndarray) -> np.ndarray:
    """Mask of patterns where both countries earn a positive income (0 < Y(x) < 1, Eq. 2).

    Parameters
    ----------
    data : GomoryData
        The instance.
    X : numpy.ndarray
        0/1 patterns, shape (m, n) or (n,).

    Returns
    -------
    numpy.ndarray
        Boolean mask, shape (m,).
    """
    X = np.atleast_2d(np.asarray(X, dtype=bool))
    return ((X @ data.d[0]) > 0) & (((~X) @ data.d[1]) > 0)


def concat_batches(batches: list[EquilibriumBatch], n: int) -> EquilibriumBatch:
    """One batch from several (an empty batch with n goods if there are none).

    Parameters
    ----------
    batches : list of EquilibriumBatch
        Batches to concatenate, in order.
    n : int
        Number of goods (shape of ``X`` for the empty batch).

    Returns
    -------
    EquilibriumBatch
        The concatenation.
    """
    if not batches:
        empty = np.zeros(0)
        return EquilibriumBatch(np.zeros(0, np.int64), np.zeros((0, n), bool), empty, empty, empty, empty, empty, np.zeros((0, 2)))
    return EquilibriumBatch(*(np.concatenate([getattr(b, f) for b in batches]) for f in EquilibriumBatch.__dataclass_fields__))


def autarky_log_utilities(data: GomoryData) -> np.ndarray:
    """Autarky log-utilities (u_1, u_2) (assumption 2).

    u_j = sum_i d_ij ln f_ij(d_ij L_j) (e_ij (d_ij L_j)^alpha_ij for kind power; every kind through
    :func:`trade_opt.gomory.production.log_autarky_output`).

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    numpy.ndarray
        (u_1, u_2), shape (2,), log of Cobb-Douglas utility.
    """
    log_f = log_autarky_output(data)
    return np.array([_dlog(data.d[j], log_f[j]) for j in range(2)])


@dataclass(frozen=True)
class EquilibriumDetail:
    """Full description of one equilibrium (for reports and tests).

    ``labor`` (2, n): l_ij; ``quantity`` (n,) Q_i; ``share1`` (n,) F_i; ``price`` (n,) pi_i in the
    normalization N_1 + N_2 = 1 (pi_i Q_i = V_i); ``wages`` (w_1, w_2)."""

    x: np.ndarray
    Y: float
    wages: np.ndarray
    labor: np.ndarray
    log_quantity: np.ndarray
    share1: np.ndarray
    price: np.ndarray
    u1: float
    u2: float


def equilibrium_detail(data: GomoryData, x: np.ndarray) -> EquilibriumDetail:
    """Labor allocation (Eq. 1.1), quantities, prices and utilities of one specialized pattern.

    Parameters
    ----------
    data : GomoryData
        The instance.
    x : numpy.ndarray
        0/1 pattern, shape (n,) (1: country 2 makes good i); must be non-degenerate.

    Returns
    -------
    EquilibriumDetail
        Y, wages (w_1, w_2), labor l_ij, ln Q_i, shares F_i, prices pi_i (N_1 + N_2 = 1) and u_1, u_2.
    """
    x = np.asarray(x, dtype=bool)
    batch = evaluate_patterns(data, x[None, :])
    a, one_minus_b = float(data.d[0][x].sum()), float(data.d[1][~x].sum())
    Y, one_minus_Y = one_minus_b / (one_minus_b + a), a / (one_minus_b + a)   # 1 - Y keeps its digits
    V = data.d[0] * Y + data.d[1] * one_minus_Y
    labor = np.zeros((2, data.n))
    labor[0, ~x] = V[~x] * (data.L[0] / Y)
    labor[1, x] = V[x] * (data.L[1] / one_minus_Y)
    log_V = np.log(V)
    log_q1, log_q2 = log_quantities(data, log_V, np.log(Y), np.log(one_minus_Y))
    log_Q = np.where(x, log_q2, log_q1)
    return EquilibriumDetail(
        x=x.astype(int), Y=Y, wages=np.array([Y / data.L[0], one_minus_Y / data.L[1]]), labor=labor,
        log_quantity=log_Q, share1=data.d[0] * Y / V, price=np.exp(log_V - log_Q),
        u1=float(batch.u1[0]), u2=float(batch.u2[0]),
    )
