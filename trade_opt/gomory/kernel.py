"""O(1)-per-pattern enumeration kernel for the specialized equilibria of Gomory (1991).

With x in {0,1}^n (x_i = 1: country 2 makes good i) and Y = N_1 from the trade equation (Eq. 2),
country j's log-utility splits into parts that are linear in x and one part that depends on Y alone
(models/gomory.md, "Specialized equilibria"; :mod:`trade_opt.gomory.pattern_equilibria` for the
derivation):

    u_j(x) = c_j + ln(share_j) + K_j(x) - A_j(x) ln Y - B_j(x) ln(1 - Y) + H_j(Y),
    K_j(x) = sum_{x_i=1} d_ij (ln q_i2 - ln q_i1)|_{V, Y parts removed},
    A_j(x) = sum_{x_i=0} d_ij alpha_i1,   B_j(x) = sum_{x_i=1} d_ij alpha_i2,
    H_j(Y) = sum_i d_ij (alpha_i - 1) ln V_i(Y),   V_i(Y) = d_i1 Y + d_i2 (1 - Y),

where share_1 = Y, share_2 = 1 - Y, and Y = (1 - b)/(1 - b + a) with the linear forms
a = sum_{x_i=1} d_i1, 1 - b = sum_{x_i=0} d_i2.  Every linear form is a sum of positive terms over
one side of the pattern (no cancellation), built for all 2^k low-bit codes of a block at once by
subset-sum doubling (T <- [T + c0_i, T + c1_i] for bit i) and shifted by the high bits' sum per block.

H_j comes from the verified table of :mod:`trade_opt.gomory.h_table` when each good has one
exponent, from the exact O(n) sum otherwise (its names are importable from here too, their
former home).  The tests compare the whole kernel with the O(n) kernel on random instances.

The per-block arithmetic (:class:`BlockEvaluator`, the table's Horner scheme, the exact sum) is
written against the Python array API, so NumPy (the default, ``device="cpu"``), CuPy and PyTorch
(``device="cuda"``) run the same code (:mod:`trade_opt.gomory.array_backend`); the tests run it on
``array_api_strict`` and compare it with the NumPy path to 1e-13 in u.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from trade_opt.gomory.array_backend import NUMPY, ArrayBackend, get_backend
from trade_opt.gomory.h_table import (  # noqa: F401  (re-exported: imported from here by tests and benchmarks)
    CHECK_POINTS,
    EXACT_H_ROWS,
    H_TABLE_DEGREE,
    H_TABLE_MAX_PIECES,
    H_TABLE_TOL,
    HTable,
    _ExactH,
    build_h_table,
    exact_h,
    reachable_logit_range,
    reachable_Y_range,
)
from trade_opt.gomory.instance import GomoryData

#: Patterns per block of the kernel (a power of two: the low bits' forms are built once).
KERNEL_CHUNK = 1 << 15


class LinearForms:
    """Per-good contributions of the kernel's linear forms, for bit value 0 and 1.

    Rows (forms): 0 a = sum_{x=1} d_i1, 1 (1 - b) = sum_{x=0} d_i2, 2 b, 3 (1 - a),
    4-5 K_j, 6-7 A_j = sum_{x=0} d_ij alpha_i1, 8-9 B_j = sum_{x=1} d_ij alpha_i2.

    Parameters
    ----------
    data : GomoryData
        The instance (d, e, alpha, L of models/gomory.md, Eqs. 1-3).

    Attributes
    ----------
    c0, c1 : numpy.ndarray
        Shape (FORMS, n): each good's contribution to every form when its bit is 0 / 1.
    constant : numpy.ndarray
        Shape (2,): c_j = sum_i d_ij ln d_ij + sum_i d_ij (ln e_i1 + alpha_i1 ln L_1).
    """

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
    coefficients) on the backend's device; each call adds the block's high-bit sums (host scalars).

    Parameters
    ----------
    data : GomoryData
        The instance.
    forms : LinearForms
        Its per-good form contributions.
    table : HTable or None
        The tabulated H(Y) (one exponent per good), or None for the exact sum over goods.
    backend : ArrayBackend
        Array library and device (:func:`trade_opt.gomory.array_backend.get_backend`).
    k : int
        Low bits per block: each call evaluates up to 2^k consecutive codes.
    """

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
