"""Specialized equilibria of Gomory (1991): every 0/1 production pattern is an equilibrium.

A pattern x in {0,1}^n gives good i to country 2 when x_i = 1 and to country 1 when x_i = 0.
Incomes are normalized N_1 + N_2 = 1 with Y = N_1 (country 1's share of world income).

* Trade equation (Eq. 2): (sum_i d_i1 x_i) Y + (sum_i d_i2 x_i)(1 - Y) = 1 - Y, so with
  a = sum_i d_i1 x_i and b = sum_i d_i2 x_i:  Y = (1 - b) / (1 - b + a).
* Wages w_1 = Y / L_1, w_2 = (1 - Y) / L_2, wage ratio w_1/w_2 = Y L_2 / ((1 - Y) L_1).
* Labor (Eq. 1.1): l_i1 = V_i L_1 / Y if x_i = 0, l_i2 = V_i L_2 / (1 - Y) if x_i = 1, with
  V_i = d_i1 Y + d_i2 (1 - Y) the value of world demand for good i.
* Quantity Q_i = e_ij l_ij^alpha_ij; country 1 consumes the share F_i = d_i1 Y / V_i.
* Log-utilities u_1 = sum_i d_i1 ln(F_i Q_i), u_2 = sum_i d_i2 ln((1 - F_i) Q_i).

Everything is computed in logs (Q_i overflows for large alpha and labor).  Patterns are numbered
by the integer code k = sum_i x_i 2^i (good 1 is the lowest bit); the 2^n - 2 patterns other than
all-0 and all-1 are enumerated in chunks of codes, vectorized over the chunk (no Python loop over
patterns).  A pattern for which one country earns nothing (possible only with zero demand
shares: a = 0 or b = 1) has no equilibrium with positive wages and is skipped (counted as
degenerate).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from trade_opt.gomory.instance import GomoryData

#: Patterns evaluated per vectorized chunk (memory ~ 10 arrays of chunk x n float64).
DEFAULT_CHUNK = 1 << 15


def pattern_bits(codes: np.ndarray, n: int) -> np.ndarray:
    """Boolean (m, n) array of patterns from integer codes (bit i of the code is x_{i+1})."""
    return ((np.asarray(codes, dtype=np.int64)[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)


def pattern_codes(X: np.ndarray) -> np.ndarray:
    """Integer codes of a boolean/0-1 (m, n) pattern array (inverse of :func:`pattern_bits`)."""
    X = np.atleast_2d(np.asarray(X)).astype(np.int64)
    return X @ (np.int64(1) << np.arange(X.shape[1], dtype=np.int64))


def pattern_strings(X: np.ndarray) -> np.ndarray:
    """Patterns as strings of 0/1, good 1 first (the CSV ``pattern`` column)."""
    X = np.ascontiguousarray(np.atleast_2d(np.asarray(X, dtype=bool)).astype(np.uint8) + ord("0"))
    return X.view(f"S{X.shape[1]}").ravel().astype(str)


def log_quantities(data: GomoryData, log_V: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ln q_i1(Y), ln q_i2(Y): log output if country 1 (resp. 2) alone made good i at income Y.

    q_i1 = e_i1 (V_i L_1 / Y)^alpha_i1,  q_i2 = e_i2 (V_i L_2 / (1 - Y))^alpha_i2.
    ``log_V`` has shape (..., n); ``log_Y``, ``log_1mY`` shape (..., 1)."""
    log_e, log_L = np.log(data.e), np.log(data.L)
    log_q1 = log_e[0] + data.alpha[0] * (log_V + log_L[0] - log_Y)
    log_q2 = log_e[1] + data.alpha[1] * (log_V + log_L[1] - log_1mY)
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


def evaluate_patterns(data: GomoryData, X: np.ndarray, codes: np.ndarray | None = None) -> EquilibriumBatch:
    """Equilibrium (Y, w1/w2, u1, u2) of each 0/1 pattern in ``X`` (shape (m, n)), vectorized.

    Patterns must be non-degenerate (each country earns a positive income); use
    :func:`specialized_equilibria` to enumerate and filter."""
    X = np.atleast_2d(np.asarray(X, dtype=bool))
    d1, d2 = data.d
    a = X @ d1                       # sum of d_i1 over goods made by country 2
    one_minus_b = (~X) @ d2          # 1 - sum of d_i2 x_i, summed directly (no cancellation)
    den = one_minus_b + a
    Y = one_minus_b / den
    log_Y = (np.log(one_minus_b) - np.log(den))[:, None]
    log_1mY = (np.log(a) - np.log(den))[:, None]
    Yc = Y[:, None]
    V = d1 * Yc + d2 * (1.0 - Yc)
    log_V = np.log(V)
    log_q1, log_q2 = log_quantities(data, log_V, log_Y, log_1mY)
    log_Q = np.where(X, log_q2, log_q1)
    u1 = _dlog(d1, np.log(np.where(d1 > 0, d1, 1.0)) + log_Y - log_V + log_Q)
    u2 = _dlog(d2, np.log(np.where(d2 > 0, d2, 1.0)) + log_1mY - log_V + log_Q)
    trade_residual = (X * V).sum(axis=1) - (1.0 - Y)
    labor1 = np.where(~X, V, 0.0).sum(axis=1) * data.L[0] / Y
    labor2 = np.where(X, V, 0.0).sum(axis=1) * data.L[1] / (1.0 - Y)
    labor_residual = np.column_stack([labor1 - data.L[0], labor2 - data.L[1]])
    w_ratio = np.exp(log_Y[:, 0] - log_1mY[:, 0]) * data.L[1] / data.L[0]
    if codes is None:
        codes = pattern_codes(X)
    return EquilibriumBatch(codes, X, Y, w_ratio, u1, u2, trade_residual, labor_residual)


def nondegenerate(data: GomoryData, X: np.ndarray) -> np.ndarray:
    """Mask of patterns where both countries earn a positive income (0 < Y(x) < 1)."""
    X = np.atleast_2d(np.asarray(X, dtype=bool))
    return ((X @ data.d[0]) > 0) & (((~X) @ data.d[1]) > 0)


def pattern_count(n: int) -> int:
    """Number of specialized patterns, 2^n - 2 (all-0 and all-1 are autarky-like, excluded)."""
    return (1 << n) - 2


def specialized_equilibria(data: GomoryData, chunk: int = DEFAULT_CHUNK, start: int = 1) -> Iterator[EquilibriumBatch]:
    """Stream the specialized equilibria in chunks of pattern codes ``start .. 2^n - 2``.

    Memory is bounded by ``chunk``; degenerate patterns (a country with zero income) are
    dropped from the batches.

    Examples
    --------
    >>> from trade_opt.gomory import GomoryData
    >>> data = GomoryData.from_arrays([[0.5, 0.5], [0.5, 0.5]], [[1, 1], [1, 1]], [1.5, 1.5])
    >>> [round(float(y), 3) for b in specialized_equilibria(data) for y in b.Y]
    [0.5, 0.5]
    """
    last = pattern_count(data.n)
    for lo in range(start, last + 1, chunk):
        codes = np.arange(lo, min(lo + chunk, last + 1), dtype=np.int64)
        X = pattern_bits(codes, data.n)
        keep = nondegenerate(data, X)
        if not keep.all():
            codes, X = codes[keep], X[keep]
        if len(codes):
            yield evaluate_patterns(data, X, codes)


def all_specialized(data: GomoryData, chunk: int = DEFAULT_CHUNK) -> EquilibriumBatch:
    """All specialized equilibria in one batch (for n up to ~22; use the stream beyond)."""
    batches = list(specialized_equilibria(data, chunk))
    if not batches:
        empty = np.zeros(0)
        return EquilibriumBatch(np.zeros(0, np.int64), np.zeros((0, data.n), bool), empty, empty, empty, empty, empty, np.zeros((0, 2)))
    return EquilibriumBatch(*(np.concatenate([getattr(b, f) for b in batches]) for f in EquilibriumBatch.__dataclass_fields__))


def autarky_log_utilities(data: GomoryData) -> np.ndarray:
    """Autarky log-utilities (u_1, u_2): u_j = sum_i d_ij ln(e_ij (d_ij L_j)^alpha_ij)."""
    out = np.empty(2)
    for j in range(2):
        d = data.d[j]
        safe_d = np.where(d > 0, d, 1.0)
        out[j] = _dlog(d, np.log(data.e[j]) + data.alpha[j] * np.log(safe_d * data.L[j]))
    return out


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
    """Labor allocation (Eq. 1.1), quantities, prices and utilities of one specialized pattern."""
    x = np.asarray(x, dtype=bool)
    batch = evaluate_patterns(data, x[None, :])
    Y = float(batch.Y[0])
    V = data.d[0] * Y + data.d[1] * (1 - Y)
    labor = np.zeros((2, data.n))
    labor[0, ~x] = V[~x] * data.L[0] / Y
    labor[1, x] = V[x] * data.L[1] / (1 - Y)
    log_q1, log_q2 = log_quantities(data, np.log(V), np.log(Y), np.log1p(-Y))
    log_Q = np.where(x, log_q2, log_q1)
    return EquilibriumDetail(
        x=x.astype(int), Y=Y, wages=np.array([Y / data.L[0], (1 - Y) / data.L[1]]), labor=labor,
        log_quantity=log_Q, share1=data.d[0] * Y / V, price=V * np.exp(-log_Q),
        u1=float(batch.u1[0]), u2=float(batch.u2[0]),
    )
