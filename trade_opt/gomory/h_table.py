"""The H table of the Gomory (1991) enumeration kernel: H_j(Y) as a verified piecewise polynomial.

In the kernel's split of country j's log-utility (:mod:`trade_opt.gomory.kernel`; models/gomory.md,
"Specialized equilibria"), the part that is not linear in the pattern x is

    H_j(Y) = sum_i d_ij (alpha_ij(x) - 1) ln V_i(Y),   V_i(Y) = d_i1 Y + d_i2 (1 - Y)

(the labor of Eq. 1.1 and the quantities of Eq. 3 taken through logs, Y = N_1 from the trade
equation, Eq. 2).  :func:`exact_h` is the direct sum of n logs.

H_j depends on Y alone only when each good has one exponent (alpha_i1 = alpha_i2, as in the paper's
Table 1).  Then :class:`HTable` tabulates (H_1, H_2) as a piecewise polynomial on the range of Y that
patterns can reach (:func:`reachable_logit_range`); otherwise (per-country exponents, or a zero
demand share, where ln V_i is singular at an end of (0, 1)) the kernel evaluates
sum_i d_ij (alpha_ij(x) - 1) ln V_i(Y) exactly, O(n) per pattern.

Error bound of the table (:attr:`HTable.error_bound`, <= :data:`H_TABLE_TOL` or no table is used):
the largest |table - exact| over a check grid of ``CHECK_POINTS`` points per piece that are not
interpolation nodes (exact = the direct sum of n logs), or the magnitude of the two highest
Chebyshev coefficients of each piece (the interpolant's truncation estimate), whichever is larger.
The table's variable is s = logit(Y) (:class:`HTable`).  The tests compare the table with the
direct sum at 10^5 random Y.

The table's Horner scheme and the exact sum are written against the Python array API
(:mod:`trade_opt.gomory.array_backend`), so the kernel runs them on NumPy, CuPy or PyTorch.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.array_backend import NUMPY, ArrayBackend
from trade_opt.gomory.instance import GomoryData

#: Largest accepted error bound of the H table (in u = ln U); above it the exact O(n) sum is used.
H_TABLE_TOL = 2e-14
#: Polynomial degree of each table piece.
H_TABLE_DEGREE = 7
#: Check points per piece (not interpolation nodes) behind the stated error bound.
CHECK_POINTS = 9
#: Most pieces tried before giving up on a table.
H_TABLE_MAX_PIECES = 1 << 16


#: Rows per pass of :func:`exact_h`: its (m, n) temporaries stay in cache (same values; 1.6x faster
#: at n = 22 on the 2-core benchmark machine than whole 2^14-pattern blocks, benchmarks/bench_writers.py).
EXACT_H_ROWS = 1 << 12


def exact_h(data: GomoryData, Y: np.ndarray, X: np.ndarray | None = None,
            one_minus_Y: np.ndarray | None = None) -> np.ndarray:
    """H_j(Y) = sum_i d_ij (alpha_ij(x) - 1) ln V_i(Y) by the direct sum of n logs.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : numpy.ndarray
        Income shares Y = N_1 in (0, 1), shape (m,).
    X : numpy.ndarray, optional
        Boolean patterns (m, n); needed only when the exponents differ by country (alpha_ij(x) is
        alpha_i2 where x_i = 1, alpha_i1 elsewhere).
    one_minus_Y : numpy.ndarray, optional
        1 - Y computed without cancellation (the kernel has it from its linear forms); near Y = 1 the
        difference ``1 - Y`` of a rounded Y has a large relative error, which
        V_i = d_i1 Y + d_i2 (1 - Y) inherits where d_i1 is tiny.  Default ``1 - Y``.

    Returns
    -------
    numpy.ndarray
        (H_1, H_2) at each Y, shape (2, m), in units of u = ln U.

    Raises
    ------
    ArgumentError
        If the exponents differ by country and ``X`` is None.
    """
    terms = _ExactH(data, NUMPY)
    if terms.per_country and X is None:
        raise ArgumentError("X", "per-country exponents: exact_h needs the patterns X")
    Y = np.asarray(Y, dtype=float)
    omY = 1.0 - Y if one_minus_Y is None else np.asarray(one_minus_Y, dtype=float)
    if Y.ndim == 1 and len(Y) > EXACT_H_ROWS:         # row blocks keep the (m, n) temporaries in cache
        return np.concatenate([exact_h(data, Y[i:i + EXACT_H_ROWS], None if X is None else X[i:i + EXACT_H_ROWS],
                                       omY[i:i + EXACT_H_ROWS])
                               for i in range(0, len(Y), EXACT_H_ROWS)], axis=1)
    H1, H2 = terms(Y, None if X is None else np.asarray(X, dtype=float), omY)
    return np.stack([H1, H2])


class _ExactH:
    """The direct sum behind :func:`exact_h` on an array backend (one code path for every namespace).

    ``G0`` (n, 2) = d_ij (alpha_i1 - 1), ``G1`` (n, 2) = d_ij (alpha_i2 - alpha_i1) (None when zero)."""

    def __init__(self, data: GomoryData, backend: ArrayBackend):
        self.xp = backend.xp
        self.d1, self.d2 = backend.asarray(data.d[0]), backend.asarray(data.d[1])
        self.G0 = backend.asarray(np.stack([data.d[j] * (data.alpha[0] - 1.0) for j in range(2)]).T)
        G1 = np.stack([data.d[j] * (data.alpha[1] - data.alpha[0]) for j in range(2)]).T
        self.per_country = bool(np.any(G1 != 0))
        self.G1 = backend.asarray(G1) if self.per_country else None

    def __call__(self, Y, X=None, one_minus_Y=None):
        """(H_1, H_2) at each Y; ``X`` (m, n) float 0/1 patterns (per-country exponents only);
        ``one_minus_Y`` 1 - Y without cancellation (default ``1 - Y``)."""
        xp = self.xp
        V = Y[:, None] * self.d1[None, :]
        V += (1.0 - Y if one_minus_Y is None else one_minus_Y)[:, None] * self.d2[None, :]
        positive = V > 0                                # V_i = 0 only where both demand shares vanish
        log_V = xp.where(positive, xp.log(xp.where(positive, V, xp.ones_like(V))), xp.zeros_like(V))
        out = xp.matmul(log_V, self.G0)
        if self.G1 is not None:
            out += xp.matmul(X * log_V, self.G1)
        return out[:, 0], out[:, 1]


def reachable_Y_range(data: GomoryData) -> tuple[float, float]:
    """[Y_min, Y_max] over all specialized patterns (all demand shares positive).

    Y/(1 - Y) = d_2(S_1) / (1 - d_1(S_1)) for the set S_1 of goods country 1 makes grows when S_1
    grows, so the extremes are attained by single goods: S_1 = {i} (minimum), S_2 = {i} (maximum).

    Parameters
    ----------
    data : GomoryData
        The instance (all demand shares positive).

    Returns
    -------
    (float, float)
        The smallest and largest Y = N_1 of a specialized equilibrium.
    """
    d1, d2 = data.d
    y_min = float(np.min(d2 / (d2 + (1.0 - d1))))
    y_max = float(np.max((1.0 - d2) / ((1.0 - d2) + d1)))
    return y_min, y_max


def reachable_logit_range(data: GomoryData) -> tuple[float, float]:
    """[s_min, s_max] of s = logit(Y) = ln(Y / (1 - Y)) over all specialized patterns.

    The logs of :func:`reachable_Y_range`'s ratios, computed without forming Y: a demand share
    within 1e-16 of 1 puts Y_max within rounding of 1, where ``ln(1 - Y)`` no longer exists, while
    ``s_max = max_i ln(1 - d_i2) - ln(d_i1)`` stays finite (all shares positive).

    Parameters
    ----------
    data : GomoryData
        The instance (all demand shares positive).

    Returns
    -------
    (float, float)
        The smallest and largest logit of a specialized equilibrium's Y.
    """
    d1, d2 = data.d
    with np.errstate(divide="ignore"):
        s_min = float(np.min(np.log(d2) - np.log1p(-d1)))
        s_max = float(np.max(np.log1p(-d2) - np.log(d1)))
    return s_min, s_max


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
        """Number of polynomial pieces M.

        Returns
        -------
        int
            ``coef.shape[2]``.
        """
        return self.coef.shape[2]

    def evaluate(self, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_1, H_2) at each Y (s = logit Y within [lo, hi]; clamped to the end pieces outside).

        Parameters
        ----------
        Y : numpy.ndarray
            Income shares in (0, 1).

        Returns
        -------
        tuple of numpy.ndarray
            (H_1, H_2), each of Y's shape.
        """
        Y = np.asarray(Y, dtype=float)
        return self.evaluate_logit(np.log(Y) - np.log1p(-Y))

    def evaluate_logit(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(H_1, H_2) at s = logit(Y).

        Parameters
        ----------
        s : numpy.ndarray
            s = ln(Y / (1 - Y)).

        Returns
        -------
        tuple of numpy.ndarray
            (H_1, H_2), each of s's shape.
        """
        return self.on(NUMPY)(np.asarray(s, dtype=float))

    def on(self, backend: ArrayBackend) -> "_TableEvaluator":
        """This table's evaluator on an array backend (coefficients copied to its device once).

        Parameters
        ----------
        backend : ArrayBackend
            The array namespace and device.

        Returns
        -------
        _TableEvaluator
            Callable s -> (H_1, H_2) on the backend.
        """
        return _TableEvaluator(self, backend)


class _TableEvaluator:
    """Horner evaluation of an :class:`HTable` in the array API (one code path for every backend)."""

    def __init__(self, table: HTable, backend: ArrayBackend):
        self.xp = backend.xp
        self.lo = float(table.lo)
        self.M = table.pieces
        self.scale = self.M / (float(table.hi) - self.lo)
        self.rows = [(backend.asarray(table.coef[k, 0]), backend.asarray(table.coef[k, 1])) for k in range(table.coef.shape[0])]

    def __call__(self, s):
        xp = self.xp
        r = (s - self.lo) * self.scale
        idx = xp.clip(xp.astype(r, xp.int64), 0, self.M - 1)
        t = r - xp.astype(idx, r.dtype)
        t *= 2.0
        t -= 1.0
        c1, c2 = self.rows[0]
        h1 = xp.take(c1, idx)
        h2 = xp.take(c2, idx)
        for c1, c2 in self.rows[1:]:
            h1 *= t
            h1 += xp.take(c1, idx)
            h2 *= t
            h2 += xp.take(c2, idx)
        return h1, h2


def _expit(s: np.ndarray) -> np.ndarray:
    return np.where(s >= 0, 1.0 / (1.0 + np.exp(-np.abs(s))), np.exp(-np.abs(s)) / (1.0 + np.exp(-np.abs(s))))


def _fit_pieces(data: GomoryData, lo: float, hi: float, M: int, p: int) -> tuple[np.ndarray, float]:
    """Chebyshev interpolation of (H_1, H_2) on M uniform pieces in s; returns (coef, error bound)."""
    nodes = np.cos(np.pi * (np.arange(p + 1) + 0.5) / (p + 1))            # Chebyshev points of the 1st kind
    edges = np.linspace(lo, hi, M + 1)
    mid, half = 0.5 * (edges[1:] + edges[:-1]), 0.5 * (edges[1:] - edges[:-1])
    Sn = (mid[:, None] + half[:, None] * nodes[None, :]).ravel()
    F = exact_h(data, _expit(Sn), one_minus_Y=_expit(-Sn)).reshape(2, M, p + 1)
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
    exact = exact_h(data, _expit(Sc), one_minus_Y=_expit(-Sc))
    got = table.evaluate_logit(Sc)
    err = max(float(np.abs(got[0] - exact[0]).max()), float(np.abs(got[1] - exact[1]).max()))
    return coef, max(err, tail)


def build_h_table(data: GomoryData, tol: float = H_TABLE_TOL, degree: int = H_TABLE_DEGREE) -> HTable | None:
    """The table of (H_1, H_2) over the reachable range of s = logit(Y), or None when it does not apply.

    None when the exponents differ by country (H then depends on x), when a demand share is zero
    (ln V_i singular at an end of (0, 1)), or when no table with at most
    :data:`H_TABLE_MAX_PIECES` pieces meets ``tol``.  The number of pieces starts at 16 per unit of
    s and is raised by the fitted bound's decay rate (error ~ M^-(degree+1)) until ``tol`` is met.

    Parameters
    ----------
    data : GomoryData
        The instance.
    tol : float
        Largest accepted error bound (in u = ln U).
    degree : int
        Polynomial degree of each piece.

    Returns
    -------
    HTable or None
        The verified table, or None.
    """
    if np.any(data.alpha[0] != data.alpha[1]) or np.any(data.d <= 0):
        return None
    lo, hi = reachable_logit_range(data)
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
