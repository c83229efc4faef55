"""Enumeration of the specialized equilibria of Gomory (1991): every 0/1 pattern is an equilibrium.

The 2^n - 2 patterns other than all-0 and all-1 (codes k = sum_i x_i 2^(i-1),
:mod:`trade_opt.gomory.pattern_coding`) are enumerated in aligned chunks of codes, each chunk
evaluated at once: by the O(1)-per-pattern kernel (:mod:`trade_opt.gomory.kernel`) for
f = e l^alpha, by direct sums (:mod:`trade_opt.gomory.pattern_equilibria`: trade equation Eq. 2,
labor Eq. 1.1, quantities Eq. 3, log-utilities) otherwise.  A pattern for which one country earns
nothing (possible only with zero demand shares: a = 0 or b = 1) has no equilibrium with positive
wages and is skipped (counted as degenerate).

The names of :mod:`trade_opt.gomory.pattern_coding` and :mod:`trade_opt.gomory.pattern_equilibria`
are importable from here too (their former home).
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from trade_opt.gomory.instance import GomoryData
# re-exported: their former home, imported from here across the package, tests and benchmarks
from trade_opt.gomory.pattern_coding import pattern_bits, pattern_codes, pattern_count, pattern_strings  # noqa: F401
from trade_opt.gomory.pattern_equilibria import (  # noqa: F401
    EquilibriumBatch,
    EquilibriumDetail,
    _Coefficients,
    autarky_log_utilities,
    concat_batches,
    equilibrium_detail,
    evaluate_patterns,
    evaluate_patterns_direct,
    log_quantities,
    nondegenerate,
)


#: Patterns per chunk of :func:`specialized_equilibria` (memory ~ 20 arrays of chunk float64 + chunk x n bool).
DEFAULT_CHUNK = 1 << 14


def specialized_equilibria(data: GomoryData, chunk: int = DEFAULT_CHUNK, start: int = 1,
                           stop: int | None = None) -> Iterator[EquilibriumBatch]:
    """Stream the specialized equilibria in chunks of pattern codes ``start .. stop - 1``.

    Uses the O(1)-per-pattern kernel (:func:`trade_opt.gomory.kernel.pattern_values`: linear forms
    by subset-sum doubling, H_j(Y) from a verified table when each good has one exponent, the exact
    O(n) sum otherwise).  Chunks are aligned blocks of 2^k consecutive codes (2^k <= ``chunk``); the
    patterns ``X`` of a block are its fixed low bits plus the block's high bits.  Memory is bounded by
    ``chunk``; degenerate patterns (a country with zero income) are dropped.

    With a set-up interval (kind power_with_setup) the kernel's closed forms do not hold: the
    patterns are evaluated by direct sums (:func:`evaluate_patterns_direct`, O(n) per pattern).
    Kind barrier uses the kernel (its specialized equilibria are those of f = e l^alpha).

    Parameters
    ----------
    data : GomoryData
        The instance.
    chunk : int
        Patterns per block (rounded down to a power of 2).
    start : int
        First code (default 1).
    stop : int, optional
        One past the last code (default None: all codes 1 .. 2^n - 2).

    Yields
    ------
    EquilibriumBatch
        Non-degenerate patterns of each block, by increasing code.

    Examples
    --------
    >>> from trade_opt.gomory import GomoryData
    >>> data = GomoryData.from_arrays([[0.5, 0.5], [0.5, 0.5]], [[1, 1], [1, 1]], [1.5, 1.5])
    >>> [round(float(y), 3) for b in specialized_equilibria(data) for y in b.Y]
    [0.5, 0.5]
    """
    from trade_opt.gomory.kernel import build_h_table, pattern_values

    if not data.production.specialized_as_power:
        yield from direct_stream(data, chunk, start, stop)
        return
    n = data.n
    k = min(n, max(0, int(chunk).bit_length() - 1))
    mask = (1 << k) - 1
    low = pattern_bits(np.arange(1 << k), k)
    log_L_ratio = float(np.log(data.L[1]) - np.log(data.L[0]))
    for values in pattern_values(data, start, stop, 1 << k, build_h_table(data)):
        block = int(values.codes[0]) >> k
        X = np.empty((len(values), n), dtype=bool)
        X[:, :k] = low[values.codes & mask]
        X[:, k:] = ((block >> np.arange(n - k)) & 1).astype(bool)
        yield batch_from_values(data, values, X, log_L_ratio)


def batch_from_values(data: GomoryData, values, X: np.ndarray, log_L_ratio: float | None = None) -> EquilibriumBatch:
    """An :class:`EquilibriumBatch` from the kernel's :class:`~trade_opt.gomory.kernel.PatternValues`.

    Residuals from the kernel's linear forms: sum_i x_i V_i = a Y + b (1 - Y) (country 2's goods),
    sum_{x_i=0} V_i = (1 - a) Y + (1 - b)(1 - Y) (country 1's).

    Parameters
    ----------
    data : GomoryData
        The instance.
    values : trade_opt.gomory.kernel.PatternValues
        Kernel output for a block of codes.
    X : numpy.ndarray
        The block's boolean patterns, shape (m, n).
    log_L_ratio : float, optional
        ln L_2 - ln L_1 (computed from ``data`` if None).

    Returns
    -------
    EquilibriumBatch
        The block's equilibria with trade and labor residuals.
    """
    if log_L_ratio is None:
        log_L_ratio = float(np.log(data.L[1]) - np.log(data.L[0]))
    Y, one_minus_Y = values.Y, values.one_minus_Y
    made_by_2 = values.a * Y + values.b * one_minus_Y
    made_by_1 = values.one_minus_a * Y + values.one_minus_b * one_minus_Y
    labor_residual = np.column_stack([data.L[0] * (made_by_1 / Y - 1.0), data.L[1] * (made_by_2 / one_minus_Y - 1.0)])
    w_ratio = np.exp(values.log_Y - values.log_1mY + log_L_ratio)
    return EquilibriumBatch(values.codes, X, Y, w_ratio, values.u1, values.u2, made_by_2 - one_minus_Y, labor_residual)


def _previous_kernel(data: GomoryData, chunk: int = 1 << 12, start: int = 1) -> Iterator[EquilibriumBatch]:
    """The enumeration kernel before the O(1) kernel (n logs per pattern, one matrix product per
    chunk through :func:`evaluate_patterns`); kept for the benchmark and as an independent check."""
    yield from direct_stream(data, chunk, start, None, direct=False)


def direct_stream(data: GomoryData, chunk: int = 1 << 12, start: int = 1, stop: int | None = None,
                  direct: bool = True) -> Iterator[EquilibriumBatch]:
    """Specialized equilibria of codes ``start .. stop - 1`` (default all) in aligned blocks.

    Each block is evaluated by :func:`evaluate_patterns` (``direct=True``: by direct sums, every
    production kind).

    Parameters
    ----------
    data : GomoryData
        The instance.
    chunk : int
        Patterns per block (rounded down to a power of 2).
    start, stop : int
        Code range (stop None: 2^n - 1).
    direct : bool
        Evaluate by :func:`evaluate_patterns_direct` (else the matrix-product form of f = e l^alpha).

    Yields
    ------
    EquilibriumBatch
        Non-degenerate patterns of each block, by increasing code.
    """
    n = data.n
    last = pattern_count(n) if stop is None else min(pattern_count(n), stop - 1)
    coefficients = None if direct else _Coefficients(data)
    k = min(n, max(0, int(chunk).bit_length() - 1))
    all_positive = bool(data.d.min() > 0)   # then only all-0 and all-1 are degenerate (excluded by the range)
    low = pattern_bits(np.arange(1 << k), k)                   # (2^k, k) low bits, fixed
    X = np.empty((1 << k, n), dtype=bool)
    Xf = np.empty((1 << k, n))
    X[:, :k] = low
    Xf[:, :k] = low
    for block in range(start >> k, (last >> k) + 1):
        high = ((block >> np.arange(n - k)) & 1).astype(bool)  # bits k..n-1 of every code in the block
        X[:, k:] = high
        Xf[:, k:] = high
        codes = (np.int64(block) << k) + np.arange(1 << k, dtype=np.int64)
        keep = (codes >= start) & (codes <= last)
        if not all_positive:
            keep &= nondegenerate(data, X)
        if keep.all():
            yield evaluate_patterns(data, X.copy(), codes, coefficients, Xf, direct=direct)
        elif keep.any():
            yield evaluate_patterns(data, X[keep], codes[keep], coefficients, Xf[keep], direct=direct)


def all_specialized(data: GomoryData, chunk: int = DEFAULT_CHUNK) -> EquilibriumBatch:
    """All specialized equilibria in one batch (for n up to ~22; use the stream beyond).

    Parameters
    ----------
    data : GomoryData
        The instance.
    chunk : int
        Patterns per block of :func:`specialized_equilibria`.

    Returns
    -------
    EquilibriumBatch
        Every non-degenerate pattern's equilibrium, by increasing code.
    """
    return concat_batches(list(specialized_equilibria(data, chunk)), data.n)
