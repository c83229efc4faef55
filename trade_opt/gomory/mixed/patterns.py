"""Patterns of Gomory (1991)'s mixed equilibria: which country makes each good (Theorem 1).

A *pattern* gives each good to country 1 alone (owner 0, x_i = 0), country 2 alone (owner 1,
x_i = 1) or to both (owner 2, the shared set S12, 0 < x_i < 1).  Theorem 1: an equilibrium exists
for every pattern in which each country is the sole maker of at least one good
(3^n - 2^(n+1) + 1 patterns, 2^n - 2 of them specialized).  See ``models/gomory.md``.
"""
from __future__ import annotations

import itertools
import math
from typing import Iterator

import numpy as np

from trade_opt.gomory.equilibria import pattern_bits
from trade_opt.errors import ArgumentError

OWNER_1, OWNER_2, SHARED = 0, 1, 2
_OWNER_BYTES = np.frombuffer(b"01S", dtype=np.uint8)


def owner_strings(owner: np.ndarray) -> np.ndarray:
    """Patterns as strings, good 1 first: ``0`` country 1 alone, ``1`` country 2 alone, ``S`` shared.

    Parameters
    ----------
    owner : numpy.ndarray
        (m, n) or (n,) owners: 0 country 1 alone, 1 country 2 alone, 2 shared.

    Returns
    -------
    numpy.ndarray
        (m,) strings of n characters.
    """
    owner = np.atleast_2d(np.asarray(owner, dtype=np.int64))
    codes = np.ascontiguousarray(_OWNER_BYTES[owner])                 # (m, n) uint8 characters
    return codes.view(f"S{max(owner.shape[1], 1)}").ravel().astype(str) if owner.shape[1] else np.full(len(owner), "")


def parse_owner(text: str) -> np.ndarray:
    """Inverse of :func:`owner_strings` for one pattern (characters 0, 1, S/s).

    Parameters
    ----------
    text : str
        One pattern, good 1 first.

    Returns
    -------
    numpy.ndarray
        (n,) int8 owners; ValueError names the first bad character.
    """
    table = {"0": OWNER_1, "1": OWNER_2, "S": SHARED, "s": SHARED}
    bad = [c for c in text if c not in table]
    if bad:
        raise ArgumentError("pattern", f"{text!r}: characters must be 0, 1 or S, got {bad[0]!r}")
    return np.array([table[c] for c in text], dtype=np.int8)


def theorem1_count(n: int) -> int:
    """Patterns with each country sole maker of at least one good: 3^n - 2^(n+1) + 1 (Theorem 1).

    Parameters
    ----------
    n : int
        Number of goods.

    Returns
    -------
    int
        3^n - 2^(n+1) + 1, of which 2^n - 2 are specialized.
    """
    return 3 ** n - 2 ** (n + 1) + 1


def mixed_pattern_count(n: int, max_shared: int | None = None) -> int:
    """Mixed patterns with 1..max_shared shared goods: sum_s C(n, s) (2^(n-s) - 2).

    Parameters
    ----------
    n : int
        Number of goods.
    max_shared : int, optional
        Largest number of shared goods (None: n - 2, every mixed pattern of Theorem 1).

    Returns
    -------
    int
        The number of patterns :func:`mixed_patterns` yields.
    """
    k = n - 2 if max_shared is None else min(max_shared, n - 2)
    return sum(math.comb(n, s) * (2 ** (n - s) - 2) for s in range(1, k + 1))


def mixed_patterns(n: int, max_shared: int | None = None, chunk: int = 1 << 14) -> Iterator[np.ndarray]:
    """Stream every mixed pattern (int8 owner arrays, shape (m, n)) with 1..max_shared shared goods.

    Order: by number of shared goods, then shared set (lexicographic), then the 0/1 code of the
    other goods (ascending, good 1 lowest bit); each non-shared block has a 0 and a 1 (Theorem 1).

    Parameters
    ----------
    n : int
        Number of goods.
    max_shared : int, optional
        Largest number of shared goods (None: n - 2).
    chunk : int, optional
        Patterns per yielded array (at least; whole shared sets are kept together).

    Yields
    ------
    numpy.ndarray
        (m, n) int8 owners (0 country 1, 1 country 2, 2 shared).
    """
    k = n - 2 if max_shared is None else min(max_shared, n - 2)
    buffer: list[np.ndarray] = []
    size = 0
    for s in range(1, k + 1):
        rest_n = n - s
        rest = pattern_bits(np.arange(1, (1 << rest_n) - 1), rest_n).astype(np.int8)
        for shared in itertools.combinations(range(n), s):
            others = [i for i in range(n) if i not in shared]
            block = np.empty((len(rest), n), dtype=np.int8)
            block[:, list(shared)] = SHARED
            block[:, others] = rest
            buffer.append(block)
            size += len(block)
            if size >= chunk:
                yield np.concatenate(buffer)
                buffer, size = [], 0
    if buffer:
        yield np.concatenate(buffer)


def one_shared_pairs(n: int, chunk: int = 1 << 14) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Stream all (pattern, good) pairs with one shared good: (X_base (m, n) bool, goods (m,)).

    ``X_base[:, g]`` is False (ignored); the other goods run through the 0/1 codes with at least
    one 0 and one 1, good g = 0..n-1 outer loop (same order as :func:`mixed_patterns` with s = 1).

    Parameters
    ----------
    n : int
        Number of goods.
    chunk : int, optional
        Pairs per yielded block.

    Yields
    ------
    tuple of numpy.ndarray
        (X_base (m, n) bool: True where country 2 makes the good, goods (m,) int64: the shared good).
    """
    rest = pattern_bits(np.arange(1, (1 << (n - 1)) - 1), n - 1)
    for g in range(n):
        X = np.zeros((len(rest), n), dtype=bool)
        X[:, [i for i in range(n) if i != g]] = rest
        for start in range(0, len(X), chunk):
            block = X[start:start + chunk]
            yield block, np.full(len(block), g, dtype=np.int64)

