"""The implicit hypercube of Gomory (1991)'s specialized equilibria: a dense utility table and XOR gathers.

With pattern codes k = sum_i x_i 2^(i-1) (good 1 the lowest bit; x_i = 1: country 2 makes good i)
the neighbours of k are k XOR 2^(i-1).  A dense table of u_1, u_2, Y over all 2^n codes, built once by
the vectorized equilibrium kernel, gives every pattern's neighbour utilities as gathers at
``codes XOR (1 << i)`` (n <= ``DENSE_MAX_N``): local maxima, steepest-ascent end points and the
conflict counts (``models/gomory.md``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from trade_opt.gomory.equilibria import DEFAULT_CHUNK, specialized_equilibria
from trade_opt.gomory.instance import GomoryData
from trade_opt.errors import ArgumentError

#: Largest n for the dense utility table (2 x 2^24 float64 = 256 MB).
DENSE_MAX_N = 24
#: A move improves a utility when it raises it by more than this (absolute, log-utility units).
TIE_TOL = 1e-12
#: Codes per chunk in the vectorized gathers.
GATHER_CHUNK = 1 << 16


def check_country(country: int) -> int:
    """Row index (0 or 1) of country 1 or 2; ValueError otherwise.

    Parameters
    ----------
    country : 1 or 2.

    Returns
    -------
    int
        country - 1.
    """
    if country not in (1, 2):
        raise ArgumentError("country", f"must be 1 or 2, got {country!r}")
    return country - 1


@dataclass(frozen=True, eq=False)
class UtilityTable:
    """u_1, u_2 and Y of every pattern code 0 .. 2^n - 1; NaN where the code is no equilibrium.

    Attributes
    ----------
    n : number of goods.
    u : (2, 2^n) log-utilities u_1, u_2 (row j - 1 is country j).
    Y : (2^n,) country 1's income share Y(x) (trade equation, Eq. 2).
    """

    n: int
    u: np.ndarray
    Y: np.ndarray

    @property
    def valid(self) -> np.ndarray:
        """(2^n,) True where the code is a specialized equilibrium."""
        return ~np.isnan(self.Y)

    @property
    def codes(self) -> np.ndarray:
        """Codes of the specialized equilibria, increasing."""
        return np.flatnonzero(self.valid)


def utility_table(data: GomoryData, chunk: int = DEFAULT_CHUNK) -> UtilityTable:
    """Dense table of u_1, u_2, Y over all 2^n codes from the streaming kernel (n <= ``DENSE_MAX_N``).

    Parameters
    ----------
    data : GomoryData
        The instance.
    chunk : int, optional
        Patterns per kernel call.

    Returns
    -------
    UtilityTable
        u_1, u_2 (log-utilities) and Y (trade equation, Eq. 2) of every code; NaN for non-equilibria.
    """
    n = data.n
    if n > DENSE_MAX_N:
        raise ArgumentError("data", f"n = {n} > {DENSE_MAX_N}: the dense table would need 2^{n} entries; use the stream methods")
    u = np.full((2, 1 << n), np.nan)
    Y = np.full(1 << n, np.nan)
    for batch in specialized_equilibria(data, chunk):
        u[0, batch.codes], u[1, batch.codes], Y[batch.codes] = batch.u1, batch.u2, batch.Y
    return UtilityTable(n, u, Y)


def neighbour_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """(m, n) codes of the neighbours: column i is ``codes XOR (1 << i)`` (good i + 1 moved).

    Parameters
    ----------
    codes : numpy.ndarray
        (m,) pattern codes.
    n : int
        Number of goods.

    Returns
    -------
    numpy.ndarray
        (m, n) int64 neighbour codes.
    """
    return np.asarray(codes, dtype=np.int64)[:, None] ^ (np.int64(1) << np.arange(n, dtype=np.int64))


def neighbour_utilities(table: UtilityTable, codes: np.ndarray, country: int) -> np.ndarray:
    """(m, n) u_country of each neighbour of ``codes`` (NaN where the neighbour is no equilibrium).

    Parameters
    ----------
    table : UtilityTable
        The dense utility table.
    codes : numpy.ndarray
        (m,) pattern codes.
    country : 1 or 2.

    Returns
    -------
    numpy.ndarray
        (m, n) log-utilities of the neighbours.
    """
    return table.u[check_country(country)][neighbour_codes(codes, table.n)]


def _chunks(codes: np.ndarray, size: int = GATHER_CHUNK) -> Iterator[np.ndarray]:
    for start in range(0, len(codes), size):
        yield codes[start:start + size]


def best_neighbour_gain(table: UtilityTable, codes: np.ndarray, country: int) -> tuple[np.ndarray, np.ndarray]:
    """For each code: the largest u gain of a single-good move (-inf if no valid neighbour) and its code.

    Parameters
    ----------
    table : UtilityTable
        The dense utility table.
    codes : numpy.ndarray
        (m,) pattern codes.
    country : 1 or 2.

    Returns
    -------
    tuple of numpy.ndarray
        (gain (m,) in log-utility units, code (m,) of the best neighbour).
    """
    j = check_country(country)
    gains, targets = [], []
    for part in _chunks(np.asarray(codes, dtype=np.int64)):
        nb = neighbour_codes(part, table.n)
        du = table.u[j][nb] - table.u[j][part][:, None]
        du = np.where(np.isnan(du), -np.inf, du)
        best = np.argmax(du, axis=1)
        gains.append(du[np.arange(len(part)), best])
        targets.append(nb[np.arange(len(part)), best])
    if not gains:
        return np.zeros(0), np.zeros(0, np.int64)
    return np.concatenate(gains), np.concatenate(targets)


def local_maxima(table: UtilityTable, country: int, tol: float = TIE_TOL) -> np.ndarray:
    """Codes of the local maxima of u_country (no single-good move raises it by more than ``tol``).

    Examples
    --------
    >>> from trade_opt.gomory.equilibria import pattern_bits, pattern_strings
    >>> data = GomoryData.from_arrays([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]], [[1, 1, 1], [1, 1, 1]], [1.5, 1.5, 1.5])
    >>> table = utility_table(data)
    >>> [pattern_strings(pattern_bits(local_maxima(table, c), 3)).tolist() for c in (1, 2)]  # 1: country 2 makes it
    [['100', '010', '001'], ['110', '101', '011']]

    With identical technologies each country's local maxima are the patterns where it makes two of
    the three goods.

    Parameters
    ----------
    table : UtilityTable
        The dense utility table.
    country : 1 or 2.
    tol : float, optional
        Improvement threshold (log-utility units).

    Returns
    -------
    numpy.ndarray
        Increasing int64 codes.
    """
    codes = table.codes
    gain, _ = best_neighbour_gain(table, codes, country)
    return codes[gain <= tol]


def steepest_ascent_targets(table: UtilityTable, country: int, tol: float = TIE_TOL) -> np.ndarray:
    """(2^n,) the local maximum that steepest ascent reaches from every code (-1 for non-equilibria).

    next(k) = the best neighbour if it improves by more than ``tol``, else k; the end points follow by
    pointer doubling (next <- next[next]), about log2(path length) vectorized gathers.

    Parameters
    ----------
    table : UtilityTable
        The dense utility table.
    country : 1 or 2.
    tol : float, optional
        Improvement threshold (log-utility units).

    Returns
    -------
    numpy.ndarray
        (2^n,) int64 end codes.
    """
    codes = table.codes
    gain, target = best_neighbour_gain(table, codes, country)
    nxt = np.full(1 << table.n, -1, dtype=np.int64)
    nxt[codes] = np.where(gain > tol, target, codes)
    while True:
        jumped = nxt[codes]
        jumped = nxt[jumped]
        if np.array_equal(jumped, nxt[codes]):
            return nxt
        nxt[codes] = jumped



@dataclass(frozen=True)
class ConflictStats:
    """Signs of (du_1, du_2) over the hypercube edges between equilibria (unordered neighbour pairs).

    ``edges``: number of pairs; ``conflict``: du_1 and du_2 of opposite signs (both beyond ``tol``);
    ``aligned``: same sign (both beyond ``tol``; a move both gain from, or its reverse both lose
    from); ``ties``: at least one |du| <= tol.  ``by_good`` (n, 3): the same three counts per good
    moved."""

    edges: int
    conflict: int
    aligned: int
    ties: int
    by_good: np.ndarray

    @property
    def conflict_share(self) -> float:
        """``conflict / edges``: the share of neighbour pairs whose move one country gains from and
        the other loses from (NaN when there are no pairs)."""
        return self.conflict / self.edges if self.edges else float("nan")


def conflict_stats(table: UtilityTable, tol: float = TIE_TOL) -> ConflictStats:
    """Conflict counts over all neighbour pairs, vectorized per good i (pairs k, k | 2^i with bit i of k = 0).

    Parameters
    ----------
    table : UtilityTable
        The dense utility table.
    tol : float, optional
        A change counts when larger than this (log-utility units).

    Returns
    -------
    ConflictStats
    """
    codes = table.codes
    valid = table.valid
    by_good = np.zeros((table.n, 3), dtype=np.int64)
    for i in range(table.n):
        low = codes[(codes >> i) & 1 == 0]
        high = low | (1 << i)
        keep = valid[high]
        low, high = low[keep], high[keep]
        d1 = table.u[0, high] - table.u[0, low]
        d2 = table.u[1, high] - table.u[1, low]
        sure = (np.abs(d1) > tol) & (np.abs(d2) > tol)
        opposite = sure & (np.sign(d1) != np.sign(d2))
        by_good[i] = (int(opposite.sum()), int((sure & ~opposite).sum()), int((~sure).sum()))
    total = by_good.sum(axis=0)
    return ConflictStats(int(total.sum()), int(total[0]), int(total[1]), int(total[2]), by_good)

