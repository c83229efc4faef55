"""Vectorized bracketed root finding: every sign change on a grid, refined safely.

Used by both mixed-equilibrium paths of Gomory (1991) (``models/gomory.md``): the one-shared-good
path along z = logit x (Theorems 4, 5) and the reduced trade equation T(Y) = 0 (Eq. 2).
"""
from __future__ import annotations

import numpy as np

ROOT_XTOL = 1e-14
ROOT_MAXITER = 200


def refine_brackets(fun, lo: np.ndarray, hi: np.ndarray, f_lo: np.ndarray, f_hi: np.ndarray,
                    xtol: float = ROOT_XTOL, maxiter: int = ROOT_MAXITER) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized safeguarded root finding on brackets with f_lo < 0 < f_hi (or the reverse).

    Illinois (modified regula falsi) steps; a bisection step whenever the bracket did not at
    least halve over the last two steps, so convergence is never slower than bisection.

    Parameters
    ----------
    fun : callable (points, active index array) -> values at those points of those brackets.
    lo, hi : numpy.ndarray
        (r,) bracket ends.
    f_lo, f_hi : numpy.ndarray
        (r,) function values at the ends, of opposite signs.
    xtol : float, optional
        Relative width at which a bracket is done (|hi - lo| <= xtol max(1, |x|)).
    maxiter : int, optional
        Iteration limit.

    Returns
    -------
    tuple of numpy.ndarray
        (root, |f(root)|): the evaluated point of smallest |f| in each bracket.
    """
    lo, hi, f_lo, f_hi = (np.array(a, dtype=float) for a in (lo, hi, f_lo, f_hi))
    width0 = hi - lo
    side = np.zeros(len(lo), dtype=np.int8)
    best = 0.5 * (lo + hi)
    best_f = np.full(len(lo), np.inf)
    active = np.arange(len(lo))
    it = 0
    last_width = width0.copy()
    while active.size and it < maxiter:
        it += 1
        a, b, fa, fb = lo[active], hi[active], f_lo[active], f_hi[active]
        with np.errstate(divide="ignore", invalid="ignore"):
            c = b - fb * (b - a) / (fb - fa)
        bisect = ~np.isfinite(c) | (c <= a) | (c >= b) | (it % 3 == 0) & ((b - a) > 0.5 * last_width[active])
        c = np.where(bisect, 0.5 * (a + b), c)
        fc = fun(c, active)
        better = np.abs(fc) < best_f[active]
        best[active[better]] = c[better]
        best_f[active[better]] = np.abs(fc[better])
        if it % 3 == 0:
            last_width[active] = b - a
        same_as_lo = np.sign(fc) == np.sign(fa)
        # move the endpoint with the same sign; Illinois: halve the stale endpoint's value
        idx_lo, idx_hi = active[same_as_lo], active[~same_as_lo]
        lo[idx_lo], f_lo[idx_lo] = c[same_as_lo], fc[same_as_lo]
        f_hi[idx_lo] *= np.where(side[idx_lo] == 1, 0.5, 1.0)
        side[idx_lo] = 1
        hi[idx_hi], f_hi[idx_hi] = c[~same_as_lo], fc[~same_as_lo]
        f_lo[idx_hi] *= np.where(side[idx_hi] == -1, 0.5, 1.0)
        side[idx_hi] = -1
        exact = fc == 0
        done = exact | ((hi[active] - lo[active]) <= xtol * np.maximum(1.0, np.abs(c)))
        active = active[~done]
    return best, best_f


def sign_changes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every grid cell [k, k+1] whose end values have opposite signs.

    A value exactly 0 at an interior grid point counts once (as the cell ending there).

    Parameters
    ----------
    values : numpy.ndarray
        (m, G) function values, one row per function, on a grid of G points.

    Returns
    -------
    tuple of numpy.ndarray
        (rows, cols), row-major order: cell [cols, cols + 1] of row ``rows`` brackets a root.
    """
    s = np.sign(values)
    s[s == 0] = 1.0
    rows, cols = np.nonzero(s[:, :-1] != s[:, 1:])
    return rows, cols

