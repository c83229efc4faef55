"""O(1)-per-pattern enumeration kernel for the specialized equilibria of Gomory (1991).

With x in {0,1}^n (x_i = 1: country 2 makes good i) and Y = N_1 from the trade equation (Eq. 2),
country j's log-utility splits into parts that are linear in x and one part that depends on Y alone
(models/gomory.md, "Specialized equilibria"; :mod:`trade_opt.gomory.equilibria` for the derivation):

    u_j(x) = c_j + ln(share_j) + K_j(x) - A_j(x) ln Y - B_j(x) ln(1 - Y) + H_j(Y),
    K_j(x) = sum_{x_i=1} d_ij (ln q_i2 - ln q_i1)|_{V, Y parts removed},
    A_j(x) = sum_{x_i=0} d_ij alpha_i1,   B_j(x) = sum_{x_i=1} d_ij alpha_i2,
    H_j(Y) = sum_i d_ij (alpha_i - 1) ln V_i(Y),   V_i(Y) = d_i1 Y + d_i2 (1 - Y),

where share_1 = Y, share_2 = 1 - Y, and Y = (1 - b)/(1 - b + a) with the linear forms
a = sum_{x_i=1} d_i1, 1 - b = sum_{x_i=0} d_i2.  Every linear form is a sum of positive terms over
one side of the pattern (no cancellation), built for all 2^k low-bit codes of a block at once by
subset-sum doubling (T <- [T + c0_i, T + c1_i] for bit i) and shifted by the high bits' sum per block.

H_j depends on Y alone only when each good has one exponent (alpha_i1 = alpha_i2, as in the paper's
Table 1).  Then :class:`HTable` tabulates (H_1, H_2) as a piecewise polynomial on the range of Y that
patterns can reach; otherwise (per-country exponents, or a zero demand share, where ln V_i is singular
at an end of (0, 1)) the kernel evaluates sum_i d_ij (alpha_ij(x) - 1) ln V_i(Y) exactly, O(n) per pattern.

Error bound of the table (:attr:`HTable.error_bound`, <= :data:`H_TABLE_TOL` or no table is used):
the largest |table - exact| over a check grid of ``CHECK_POINTS`` points per piece that are not
interpolation nodes (exact = the direct sum of n logs), or the magnitude of the two highest
Chebyshev coefficients of each piece (the interpolant's truncation estimate), whichever is larger.
The table's variable is s = logit(Y) (:class:`HTable`).
The tests compare the table with the direct sum at 10^5 random Y and the whole kernel with the
O(n) kernel on random instances.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from trade_opt.gomory.instance import GomoryData

#: Largest accepted error bound of the H table (in u = ln U); above it the exact O(n) sum is used.
H_TABLE_TOL = 2e-14
#: Polynomial degree of each table piece.
H_TABLE_DEGREE = 7
#: Check points per piece (not interpolation nodes) behind the stated error bound.
CHECK_POINTS = 9
#: Most pieces tried before giving up on a table.
H_TABLE_MAX_PIECES = 1 << 16
#: Patterns per block of the kernel (a power of two: the low bits' forms are built once).
KERNEL_CHUNK = 1 << 15
#: Rows per pass of :func:`exact_h`: its (m, n) temporaries stay in cache (same values; 1.6x faster
#: at n = 22 on the 2-core benchmark machine than whole 2^14-pattern blocks, benchmarks/bench_writers.py).
EXACT_H_ROWS = 1 << 12


def exact_h(data: GomoryData, Y: np.ndarray, X: np.ndarray | None = None) -> np.ndarray:
    """H_j(Y) = sum_i d_ij (alpha_ij(x) - 1) ln V_i(Y) by the direct sum of n logs; shape (2, m).

    ``X`` (m, n) bool is needed only when the exponents differ by country (alpha_ij(x) is alpha_i2
    where x_i = 1, alpha_i1 elsewhere)."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1 and len(Y) > EXACT_H_ROWS:
        return np.concatenate([exact_h(data, Y[i:i + EXACT_H_ROWS], None if X is None else X[i:i + EXACT_H_ROWS])
                               for i in range(0, len(Y), EXACT_H_ROWS)], axis=1)
    V = np.multiply.outer(Y, data.d[0])
    V += np.multiply.outer(1.0 - Y, data.d[1])
    with np.errstate(divide="ignore"):
        log_V = np.log(V)
    log_V = np.where(V > 0, log_V, 0.0)               # V_i = 0 only where d_i1 = d_i2 = 0 weights vanish
    G0 = np.stack([data.d[j] * (data.alpha[0] - 1.0) for j in range(2)])   # (2, n)
    out = G0 @ log_V.T
    G1 = np.stack([data.d[j] * (data.alpha[1] - data.alpha[0]) for j in range(2)])
    if np.any(G1 != 0):
        if X is None:
            raise ValueError("per-country exponents: exact_h needs the patterns X")
        out += G1 @ (np.asarray(X, dtype=float) * log_V).T
    return out


def reachable_Y_range(data: GomoryData) -> tuple[float, float]:
    """[Y_min, Y_max] over all specialized patterns (all demand shares positive).

    Y/(1 - Y) = d_2(S_1) / (1 - d_1(S_1)) for the set S_1 of goods country 1 makes grows when S_1
    grows, so the extremes are attained by single goods: S_1 = {i} (minimum), S_2 = {i} (maximum)."""
    d1, d2 = data.d
    y_min = float(np.min(d2 / (d2 + (1.0 - d1))))
    y_max = float(np.max((1.0 - d2) / ((1.0 - d2) + d1)))
    return y_min, y_max


@dataclass(frozen=True)
class HTable:
    """(H_1, H_2) as uniform pieces of degree-p polynomials in s = logit(Y) = ln(Y / (1 - Y)) on [lo, hi].

    In s, ln V_i(expit(s)) is analytic in the strip |Im s| < pi whatever the demand shares (its
    singularities sit at Im s = pi), so uniform pieces in s need few pieces even where a tiny share
    puts a singularity next to Y = 0 or 1; and the kernel has s = ln Y - ln(1 - Y) at no extra cost.
    ``coef`` (p + 1, 2, M): monomial coefficients in the local variable t in [-1, 1] of each piece,
    highest degree first (Horner order).  ``error_bound``: see the module docstring."""

    lo: float
    hi: float
    coef: np.ndarray
    error_bound: float

    @property
    def pieces(self) -> int:
        return self.coef.shape[2]

    def evaluate(self, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_1, H_2) at each Y (s = logit Y within [lo, hi]; clamped to the end pieces outside)."""
        Y = np.asarray(Y, dtype=float)
        return self.evaluate_logit(np.log(Y) - np.log1p(-Y))

    def evaluate_logit(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_1, H_2) at s = logit(Y)."""
        M = self.pieces
        r = (np.asarray(s, dtype=float) - self.lo) * (M / (self.hi - self.lo))
        idx = r.astype(np.intp)
        np.clip(idx, 0, M - 1, out=idx)
        t = r - idx
        t *= 2.0
        t -= 1.0
        c = self.coef
        h1 = c[0, 0].take(idx)
        h2 = c[0, 1].take(idx)
        for k in range(1, c.shape[0]):
            h1 *= t
            h1 += c[k, 0].take(idx)
            h2 *= t
            h2 += c[k, 1].take(idx)
        return h1, h2


def _expit(s: np.ndarray) -> np.ndarray:
    return np.where(s >= 0, 1.0 / (1.0 + np.exp(-np.abs(s))), np.exp(-np.abs(s)) / (1.0 + np.exp(-np.abs(s))))


def _fit_pieces(data: GomoryData, lo: float, hi: float, M: int, p: int) -> tuple[np.ndarray, float]:
    """Chebyshev interpolation of (H_1, H_2) on M uniform pieces in s; returns (coef, error bound)."""
    nodes = np.cos(np.pi * (np.arange(p + 1) + 0.5) / (p + 1))            # Chebyshev points of the 1st kind
    edges = np.linspace(lo, hi, M + 1)
    mid, half = 0.5 * (edges[1:] + edges[:-1]), 0.5 * (edges[1:] - edges[:-1])
    Sn = (mid[:, None] + half[:, None] * nodes[None, :]).ravel()
    F = exact_h(data, _expit(Sn)).reshape(2, M, p + 1)
    # Chebyshev coefficients by the discrete orthogonality of T_k at these nodes
    T = np.cos(np.outer(np.arange(p + 1), np.arccos(nodes)))                 # T_k(node_l), (p+1, p+1)
    cheb = (2.0 / (p + 1)) * F @ T.T                                         # (2, M, p+1)
    cheb[..., 0] *= 0.5
    tail = float(np.abs(cheb[..., -2:]).max())
    mono = np.zeros((p + 1, p + 1))                                          # row k: T_k in monomials
    for k in range(p + 1):
        mono[k, : k + 1] = np.polynomial.chebyshev.cheb2poly(np.eye(p + 1)[k])[: k + 1]
    poly = cheb @ mono                                                       # (2, M, p+1), increasing degree
    coef = np.ascontiguousarray(poly[..., ::-1].transpose(2, 0, 1))          # (p+1, 2, M), Horner order
    table = HTable(lo, hi, coef, 0.0)
    check = np.linspace(-1.0, 1.0, CHECK_POINTS + 2)[1:-1] * 0.999
    Sc = np.concatenate([(mid[:, None] + half[:, None] * check[None, :]).ravel(), [lo, hi]])
    exact = exact_h(data, _expit(Sc))
    got = table.evaluate_logit(Sc)
    err = max(float(np.abs(got[0] - exact[0]).max()), float(np.abs(got[1] - exact[1]).max()))
    return coef, max(err, tail)


def build_h_table(data: GomoryData, tol: float = H_TABLE_TOL, degree: int = H_TABLE_DEGREE) -> HTable | None:
    """The table of (H_1, H_2) over the reachable range of s = logit(Y), or None when it does not apply.

    None when the exponents differ by country (H then depends on x), when a demand share is zero
    (ln V_i singular at an end of (0, 1)), or when no table with at most
    :data:`H_TABLE_MAX_PIECES` pieces meets ``tol``.  The number of pieces starts at 16 per unit of
    s and is raised by the fitted bound's decay rate (error ~ M^-(degree+1)) until ``tol`` is met."""
    if np.any(data.alpha[0] != data.alpha[1]) or np.any(data.d <= 0):
        return None
    y_lo, y_hi = reachable_Y_range(data)
    lo = math.log(y_lo) - math.log1p(-y_lo)
    hi = math.log(y_hi) - math.log1p(-y_hi)
    pad = 1e-6 * max(1.0, hi - lo)
    lo, hi = lo - pad, hi + pad
    M = max(8, int(16 * (hi - lo)))
    while M <= H_TABLE_MAX_PIECES:
        coef, bound = _fit_pieces(data, lo, hi, M, degree)
        if bound <= tol:
            return HTable(lo, hi, coef, bound)
        grow = (bound / (0.25 * tol)) ** (1.0 / (degree + 1))
        M = int(M * min(max(grow, 1.5), 16.0)) + 1
    return None


class LinearForms:
    """Per-good contributions of the kernel's linear forms, for bit value 0 and 1.

    Rows (forms): 0 a = sum_{x=1} d_i1, 1 (1 - b) = sum_{x=0} d_i2, 2 b, 3 (1 - a),
    4-5 K_j, 6-7 A_j = sum_{x=0} d_ij alpha_i1, 8-9 B_j = sum_{x=1} d_ij alpha_i2."""

    FORMS = 10

    def __init__(self, data: GomoryData):
        d, alpha = data.d, data.alpha
        log_e, log_L = np.log(data.e), np.log(data.L)
        c1 = log_e[0] + alpha[0] * log_L[0]
        c2 = log_e[1] + alpha[1] * log_L[1]
        n = data.n
        zero = np.zeros(n)
        self.c0 = np.stack([zero, d[1], zero, d[0], zero, zero, d[0] * alpha[0], d[1] * alpha[0], zero, zero])
        self.c1 = np.stack([d[0], zero, d[1], zero, d[0] * (c2 - c1), d[1] * (c2 - c1), zero, zero,
                            d[0] * alpha[1], d[1] * alpha[1]])
        safe = np.where(d > 0, d, 1.0)
        # constants c_j = sum_i d_ij ln d_ij + sum_i d_ij (ln e_i1 + alpha_i1 ln L_1)
        self.constant = (d * np.log(safe)).sum(axis=1) + (d * c1).sum(axis=1)

    def low_block(self, k: int) -> np.ndarray:
        """(FORMS, 2^k) values over the low k bits, by subset-sum doubling."""
        T = np.zeros((self.FORMS, 1))
        for i in range(k):
            T = np.concatenate([T + self.c0[:, i : i + 1], T + self.c1[:, i : i + 1]], axis=1)
        return T

    def high_part(self, block: int, k: int) -> np.ndarray:
        """(FORMS,) contribution of bits k..n-1 of the codes in ``block`` (= code >> k)."""
        n = self.c0.shape[1]
        bits = ((block >> np.arange(n - k)) & 1).astype(bool)
        return self.c0[:, k:][:, ~bits].sum(axis=1) + self.c1[:, k:][:, bits].sum(axis=1)


@dataclass(frozen=True)
class PatternValues:
    """Equilibria of a block of codes, without the (m, n) patterns: the kernel's output.

    ``a``, ``b`` are sum_{x=1} d_i1, sum_{x=1} d_i2; ``one_minus_a``, ``one_minus_b`` the sums over
    x_i = 0 (formed directly); ``one_minus_Y`` = a/(1 - b + a) keeps its digits as Y -> 1."""

    codes: np.ndarray
    Y: np.ndarray
    one_minus_Y: np.ndarray
    log_Y: np.ndarray
    log_1mY: np.ndarray
    u1: np.ndarray
    u2: np.ndarray
    a: np.ndarray
    b: np.ndarray
    one_minus_a: np.ndarray
    one_minus_b: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, keep: np.ndarray) -> "PatternValues":
        return PatternValues(*(getattr(self, f)[keep] for f in PatternValues.__dataclass_fields__))


def pattern_values(data: GomoryData, start: int = 1, stop: int | None = None, chunk: int = KERNEL_CHUNK,
                   table: HTable | None | bool = True) -> Iterator[PatternValues]:
    """Stream the equilibria of codes ``start <= code < stop`` (default all 2^n - 2) in aligned blocks.

    Parameters
    ----------
    data : the instance
    start, stop : half-open code range (clipped to 1 .. 2^n - 2)
    chunk : patterns per block (rounded down to a power of two)
    table : True: build an :class:`HTable` when it applies; an HTable: use it; False/None: exact H

    Returns
    -------
    Iterator of :class:`PatternValues`; degenerate codes (a country with zero income, possible only
    with zero demand shares) are dropped.  Memory is O(chunk), independent of n."""
    n = data.n
    stop = (1 << n) - 1 if stop is None else min(int(stop), (1 << n) - 1)
    start = max(int(start), 1)
    if stop <= start:
        return
    if table is True:
        table = build_h_table(data)
    elif table is False:
        table = None
    per_country = bool(np.any(data.alpha[0] != data.alpha[1]))
    forms = LinearForms(data)
    k = min(n, max(0, int(chunk).bit_length() - 1))
    T = forms.low_block(k)
    low_bits = ((np.arange(1 << k)[:, None] >> np.arange(k)) & 1).astype(bool) if (table is None) else None
    all_positive = bool(data.d.min() > 0)
    c1, c2 = forms.constant
    for block in range(start >> k, ((stop - 1) >> k) + 1):
        h = forms.high_part(block, k)
        base = np.int64(block) << k
        lo_i, hi_i = max(start - int(base), 0), min(stop - int(base), 1 << k)
        sl = slice(lo_i, hi_i)
        a = T[0, sl] + h[0]
        omb = T[1, sl] + h[1]
        codes = base + np.arange(lo_i, hi_i, dtype=np.int64)
        keep = None
        if not all_positive:
            keep = (a > 0) & (omb > 0)
            if not keep.all():
                a, omb, codes, sl = a[keep], omb[keep], codes[keep], np.arange(lo_i, hi_i)[keep]
            else:
                keep = None
        den = omb + a
        Y = omb / den
        one_minus_Y = a / den
        log_den = np.log(den)
        log_Y = np.log(omb)
        log_Y -= log_den
        log_1mY = np.log(a)
        log_1mY -= log_den
        if table is not None:
            s_logit = log_Y - log_1mY
            H1, H2 = table.evaluate_logit(s_logit)
        else:
            X = np.empty((len(codes), n), dtype=bool)
            X[:, :k] = low_bits[sl]
            X[:, k:] = ((block >> np.arange(n - k)) & 1).astype(bool)
            H1, H2 = exact_h(data, Y, X if per_country else None)
        # u_1 = c_1 + K_1 + (1 - A_1) ln Y - B_1 ln(1 - Y) + H_1 ; u_2 = c_2 + K_2 - A_2 ln Y + (1 - B_2) ln(1 - Y) + H_2
        u1 = T[4, sl] + (c1 + h[4])
        u1 += H1
        u1 += ((1.0 - h[6]) - T[6, sl]) * log_Y
        u1 -= (T[8, sl] + h[8]) * log_1mY
        u2 = T[5, sl] + (c2 + h[5])
        u2 += H2
        u2 -= (T[7, sl] + h[7]) * log_Y
        u2 += ((1.0 - h[9]) - T[9, sl]) * log_1mY
        yield PatternValues(codes, Y, one_minus_Y, log_Y, log_1mY, u1, u2, a, T[2, sl] + h[2], T[3, sl] + h[3], omb)
