"""The specialization hypercube of Gomory (1991) without a table (any n): kernel neighbours.

The n neighbours of given patterns are evaluated by the equilibrium kernel on the flipped patterns;
:func:`hypercube_stream` streams all equilibria and their flips to get both countries' local
maxima and the conflict counts with memory independent of 2^n (``models/gomory.md``).
"""
from __future__ import annotations

import numpy as np

from trade_opt.gomory.equilibria import evaluate_patterns, nondegenerate, pattern_bits, specialized_equilibria
from trade_opt.gomory.graph.table import TIE_TOL, ConflictStats, neighbour_codes
from trade_opt.gomory.instance import GomoryData


def valid_codes(data: GomoryData, X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """True where a code is a specialized equilibrium (not all-0, not all-1, not degenerate).

    Parameters
    ----------
    data : GomoryData
        The instance.
    X : numpy.ndarray
        (m, n) bool patterns of ``codes``.
    codes : numpy.ndarray
        (m,) int64 pattern codes.

    Returns
    -------
    numpy.ndarray
        (m,) bool.
    """
    last = (np.int64(1) << data.n) - 1
    return (codes > 0) & (codes < last) & nondegenerate(data, X)


def kernel_neighbour_utilities(data: GomoryData, codes: np.ndarray) -> np.ndarray:
    """(m, n, 2) (u_1, u_2) of the n neighbours of each code, by the equilibrium kernel on the flipped
    patterns (one vectorized call); NaN where a neighbour is no equilibrium.  Needs no table.

    Parameters
    ----------
    data : GomoryData
        The instance.
    codes : numpy.ndarray
        (m,) pattern codes.

    Returns
    -------
    numpy.ndarray
        (m, n, 2) log-utilities.
    """
    codes = np.asarray(codes, dtype=np.int64)
    n = data.n
    nb = neighbour_codes(codes, n).ravel()
    X = pattern_bits(nb, n)
    out = np.full((nb.size, 2), np.nan)
    ok = valid_codes(data, X, nb)
    if ok.any():
        batch = evaluate_patterns(data, X[ok], nb[ok])
        out[ok, 0], out[ok, 1] = batch.u1, batch.u2
    return out.reshape(len(codes), n, 2)


def hypercube_stream(data: GomoryData, tol: float = TIE_TOL, chunk: int = 1 << 10) -> tuple[np.ndarray, np.ndarray, "ConflictStats"]:
    """Local maxima of u_1 and u_2 and the conflict counts without a table (any n).

    Every chunk of equilibria and its n flips go through the kernel ((n + 1) 2^n pattern
    evaluations, memory ~ chunk x n^2); each neighbour pair is counted once, from its end with
    bit i = 0.  For n beyond ``DENSE_MAX_N``; equal to the table results otherwise (tested).

    Parameters
    ----------
    data : GomoryData
        The instance.
    tol : float, optional
        Improvement threshold (log-utility units).
    chunk : int, optional
        Equilibria per kernel call.

    Returns
    -------
    tuple
        (local maxima of u_1, local maxima of u_2 (increasing codes), ConflictStats).
    """
    found: list[list[np.ndarray]] = [[], []]
    by_good = np.zeros((data.n, 3), dtype=np.int64)
    bit = np.int64(1) << np.arange(data.n, dtype=np.int64)
    for batch in specialized_equilibria(data, chunk):
        nbu = kernel_neighbour_utilities(data, batch.codes)             # (m, n, 2)
        for j, u in enumerate((batch.u1, batch.u2)):
            gain = np.where(np.isnan(nbu[:, :, j]), -np.inf, nbu[:, :, j] - u[:, None]).max(axis=1)
            found[j].append(batch.codes[gain <= tol])
        d1 = nbu[:, :, 0] - batch.u1[:, None]
        d2 = nbu[:, :, 1] - batch.u2[:, None]
        pair = ((batch.codes[:, None] & bit) == 0) & ~np.isnan(d1)       # count each edge from its low end
        sure = (np.abs(d1) > tol) & (np.abs(d2) > tol)
        opposite = sure & (np.sign(d1) != np.sign(d2))
        by_good[:, 0] += (pair & opposite).sum(axis=0)
        by_good[:, 1] += (pair & sure & ~opposite).sum(axis=0)
        by_good[:, 2] += (pair & ~sure).sum(axis=0)
    lm = [np.sort(np.concatenate(f)) if f else np.zeros(0, np.int64) for f in found]
    total = by_good.sum(axis=0)
    return lm[0], lm[1], ConflictStats(int(total.sum()), int(total[0]), int(total[1]), int(total[2]), by_good)

