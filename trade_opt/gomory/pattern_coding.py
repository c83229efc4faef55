"""Pattern coding of Gomory (1991)'s specialized equilibria: 0/1 patterns <-> integer codes and strings.

A pattern x in {0,1}^n gives good i to country 2 when x_i = 1 and to country 1 when x_i = 0
(the unknowns x_i of the trade equation, Eq. 2).  Patterns are numbered by the integer code
k = sum_i x_i 2^(i-1) (good 1 is the lowest bit; models/gomory.md, Conventions); the CSV
``pattern`` column writes them as strings of 0/1, good 1 first.  The 2^n - 2 codes 1 .. 2^n - 2
(all-0 and all-1 excluded) are the specialized patterns that
:mod:`trade_opt.gomory.equilibria` enumerates.
"""
from __future__ import annotations

import numpy as np


def pattern_bits(codes: np.ndarray, n: int) -> np.ndarray:
    """Boolean patterns from integer codes.

    Bit i of a code is x_{i+1} (good 1 is the lowest bit; models/gomory.md, Conventions).

    Parameters
    ----------
    codes : numpy.ndarray
        Integer pattern codes, shape (m,).
    n : int
        Number of goods.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape (m, n); ``True`` where country 2 makes the good.

    Examples
    --------
    >>> pattern_bits(np.array([1, 6]), 3).astype(int).tolist()
    [[1, 0, 0], [0, 1, 1]]
    """
    return ((np.asarray(codes, dtype=np.int64)[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(bool)


def pattern_codes(X: np.ndarray) -> np.ndarray:
    """Integer codes of 0/1 patterns (inverse of :func:`pattern_bits`).

    Parameters
    ----------
    X : numpy.ndarray
        Boolean or 0/1 patterns, shape (m, n) or (n,).

    Returns
    -------
    numpy.ndarray
        int64 codes k = sum_i x_i 2^(i-1), shape (m,).

    Examples
    --------
    >>> pattern_codes(np.array([[1, 0, 0], [0, 1, 1]])).tolist()
    [1, 6]
    """
    X = np.atleast_2d(np.asarray(X)).astype(np.int64)
    return X @ (np.int64(1) << np.arange(X.shape[1], dtype=np.int64))


def pattern_strings(X: np.ndarray) -> np.ndarray:
    """Patterns as strings of 0/1, good 1 first (the CSV ``pattern`` column).

    Parameters
    ----------
    X : numpy.ndarray
        Boolean or 0/1 patterns, shape (m, n) or (n,).

    Returns
    -------
    numpy.ndarray
        Strings of length n, shape (m,).

    Examples
    --------
    >>> pattern_strings(np.array([[1, 0, 0], [0, 1, 1]])).tolist()
    ['100', '011']
    """
    X = np.ascontiguousarray(np.atleast_2d(np.asarray(X, dtype=bool)).astype(np.uint8) + ord("0"))
    return X.view(f"S{X.shape[1]}").ravel().astype(str)


def pattern_count(n: int) -> int:
    """Number of specialized patterns, 2^n - 2 (all-0 and all-1 are autarky-like, excluded).

    Parameters
    ----------
    n : int
        Number of goods.

    Returns
    -------
    int
        2^n - 2.

    Examples
    --------
    >>> pattern_count(3)
    6
    """
    return (1 << n) - 2
