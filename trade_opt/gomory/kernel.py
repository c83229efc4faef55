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

The per-block arithmetic (:class:`BlockEvaluator`, the table's Horner scheme, the exact sum) is
written against the Python array API, so NumPy (the default, ``device="cpu"``), CuPy and PyTorch
(``device="cuda"``) run the same code (:mod:`trade_opt.gomory.array_backend`); the tests run it on
``array_api_strict`` and compare it with the NumPy path to 1e-13 in u.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.array_backend import NUMPY, ArrayBackend, get_backend
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

    def low_block(self, k: int, backend: ArrayBackend = NUMPY):
        """Values of the linear forms over the low k bits, by subset-sum doubling, on ``backend``'s device.

        Parameters
        ----------
        k : int
            Number of low bits.
        backend : ArrayBackend
            Array namespace and device (default NumPy).

        Returns
        -------
        array
            Shape (FORMS, 2^k); column c holds the forms of low-bit code c.
        """
        xp = backend.xp
        c0, c1 = backend.asarray(self.c0[:, :k]), backend.asarray(self.c1[:, :k])
        T = backend.asarray(np.zeros((self.FORMS, 1)))
        for i in range(k):
            T = xp.concat([T + c0[:, i : i + 1], T + c1[:, i : i + 1]], axis=1)
        return T

    def high_part(self, block: int, k: int) -> np.ndarray:
        """Contribution of bits k..n-1 of the codes in ``block`` (= code >> k).

        Parameters
        ----------
        block : int
            Block number (the codes' high bits).
        k : int
            Number of low bits.

        Returns
        -------
        numpy.ndarray
            Shape (FORMS,).
        """
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
        """The values of a subset of the block's patterns.

        Parameters
        ----------
        keep : numpy.ndarray
            Boolean mask or integer indices into the block.

        Returns
        -------
        PatternValues
            Every field indexed by ``keep``.
        """
        return PatternValues(*(getattr(self, f)[keep] for f in PatternValues.__dataclass_fields__))


def pattern_values(data: GomoryData, start: int = 1, stop: int | None = None, chunk: int | None = None,
                   table: HTable | None | bool = True, *, device: str | ArrayBackend = "cpu") -> Iterator[PatternValues]:
    """Stream the equilibria of codes ``start <= code < stop`` (default all 2^n - 2) in aligned blocks.

    Parameters
    ----------
    data : GomoryData
        The instance.
    start, stop : int
        Half-open code range (clipped to 1 .. 2^n - 2).
    chunk : int, optional
        Patterns per block (rounded down to a power of two); default :data:`KERNEL_CHUNK` on the
        CPU, :data:`~trade_opt.gomory.array_backend.GPU_CHUNK` on a GPU.
    table : bool, HTable or None
        True: build an :class:`HTable` when it applies; an HTable: use it; False/None: exact H.
    device : str or ArrayBackend
        ``"cpu"`` (NumPy), ``"cuda"``, ``"cuda:cupy"``, ``"cuda:torch"``, or an
        :class:`~trade_opt.gomory.array_backend.ArrayBackend` (e.g. ``array_api_strict`` in tests);
        every backend runs the same array-API code (:class:`BlockEvaluator`).

    Yields
    ------
    PatternValues
        Arrays on the backend's device (NumPy arrays on the CPU); degenerate codes (a country with
        zero income, possible only with zero demand shares) are dropped.  Memory is O(chunk),
        independent of n.

    Raises
    ------
    DeviceError
        ``device`` names a GPU that is not usable (:func:`~trade_opt.gomory.array_backend.get_backend`).
    """
    backend = get_backend(device)
    n = data.n
    stop = (1 << n) - 1 if stop is None else min(int(stop), (1 << n) - 1)
    start = max(int(start), 1)
    if stop <= start:
        return
    if table is True:
        table = build_h_table(data)
    elif table is False:
        table = None
    chunk = int(chunk or backend.chunk or KERNEL_CHUNK)
    forms = LinearForms(data)
    k = min(n, max(0, chunk.bit_length() - 1))
    evaluate = BlockEvaluator(data, forms, table, backend, k)
    for block in range(start >> k, ((stop - 1) >> k) + 1):
        base = block << k
        yield evaluate(block, max(start - base, 0), min(stop - base, 1 << k))


class BlockEvaluator:
    """The kernel's per-block arithmetic in the Python array API: one code path for NumPy, CuPy,
    PyTorch and ``array_api_strict`` (:mod:`trade_opt.gomory.array_backend`).

    Built once per stream: the low-bit forms ``T`` (FORMS, 2^k) and the H table (or the exact sum's
    coefficients) on the backend's device; each call adds the block's high-bit sums (host scalars)."""

    def __init__(self, data: GomoryData, forms: LinearForms, table: HTable | None, backend: ArrayBackend, k: int):
        self.backend, self.xp, self.forms, self.k, self.n = backend, backend.xp, forms, k, data.n
        self.T = forms.low_block(k, backend)
        self.table = table.on(backend) if table is not None else None
        self.exact = _ExactH(data, backend) if table is None else None
        self.all_positive = bool(data.d.min() > 0)
        self.c1, self.c2 = (float(c) for c in forms.constant)
        if self.exact is not None and self.exact.per_country:
            self.shifts = self._arange(0, data.n)

    def _arange(self, lo: int, hi: int):
        if self.backend.device is None:
            return self.xp.arange(lo, hi, dtype=self.xp.int64)
        return self.xp.arange(lo, hi, dtype=self.xp.int64, device=self.backend.device)

    def __call__(self, block: int, lo_i: int, hi_i: int) -> PatternValues:
        """Patterns ``(block << k) + lo_i <= code < (block << k) + hi_i``."""
        xp, k = self.xp, self.k
        h = self.forms.high_part(block, k).tolist()
        T = self.T[:, lo_i:hi_i]
        a = T[0, :] + h[0]
        omb = T[1, :] + h[1]
        codes = self._arange(lo_i, hi_i) + (block << k)
        if not self.all_positive:
            keep = (a > 0) & (omb > 0)
            if not bool(xp.all(keep)):
                rows = xp.nonzero(keep)[0]
                a, omb, codes = xp.take(a, rows), xp.take(omb, rows), xp.take(codes, rows)
                T = xp.take(T, rows, axis=1)
        den = omb + a
        Y = omb / den
        one_minus_Y = a / den
        log_den = xp.log(den)
        log_Y = xp.log(omb)
        log_Y -= log_den
        log_1mY = xp.log(a)
        log_1mY -= log_den
        if self.table is not None:
            H1, H2 = self.table(log_Y - log_1mY)
        else:
            X = None
            if self.exact.per_country:
                X = xp.astype((codes[:, None] >> self.shifts[None, :]) & 1, xp.float64)
            H1, H2 = self.exact(Y, X, one_minus_Y)
        c1, c2 = self.c1, self.c2
        # u_1 = c_1 + K_1 + (1 - A_1) ln Y - B_1 ln(1 - Y) + H_1 ; u_2 = c_2 + K_2 - A_2 ln Y + (1 - B_2) ln(1 - Y) + H_2
        u1 = T[4, :] + (c1 + h[4])
        u1 += H1
        u1 += ((1.0 - h[6]) - T[6, :]) * log_Y
        u1 -= (T[8, :] + h[8]) * log_1mY
        u2 = T[5, :] + (c2 + h[5])
        u2 += H2
        u2 -= (T[7, :] + h[7]) * log_Y
        u2 += ((1.0 - h[9]) - T[9, :]) * log_1mY
        return PatternValues(codes, Y, one_minus_Y, log_Y, log_1mY, u1, u2, a, T[2, :] + h[2], T[3, :] + h[3], omb)
