"""One shared good (Theorems 4, 5 of Gomory 1991): every root along z = logit(x_g).

With one shared good g and the other goods fixed at 0/1, the trade equation (Eq. 2) gives Y(x_g) in
closed form and the log cost gap H(z) = ln AC_g1 - ln AC_g2 (Eq. 1.1) runs from -inf (z -> -inf) to
+inf.  Every sign change on a fine z grid is refined by the vectorized safeguarded root finder,
vectorized over all (pattern, good) pairs.  A root is stable iff dH/dz < 0 (``models/gomory.md``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed.brackets import refine_brackets, sign_changes
from trade_opt.gomory.mixed.equations import cost_constants, sigmoid, softplus
from trade_opt.gomory.mixed.patterns import one_shared_pairs

#: Dense part of the z = logit(x) grid of the one-shared-good path (|z| <= Z_DENSE) and its points.
Z_DENSE = 30.0
GRID_DENSE = 1201
#: Points of each sparse tail of the z grid (Z_DENSE .. Z_max, where H is monotone).
GRID_TAIL = 64


@dataclass(frozen=True)
class OneSharedRoots:
    """All interior roots for a batch of (pattern, shared good) pairs.

    Per pair (length m): ``X_base`` (m, n), ``goods`` (m,), ``n_roots``, ``gap_at_0``/``gap_at_1``
    (the comparison s_g at the specialized end points x(0), x(1); Theorem 4's condition is that
    they have the same sign), ``Y_at_0``/``Y_at_1``.  Per root (length r): ``pair`` (index into the
    batch), ``x``, ``z`` = logit x, ``Y``, ``slope`` = dH/dz (negative: stable), ``residual`` =
    |H| at the root, ``trade_residual``."""

    X_base: np.ndarray
    goods: np.ndarray
    n_roots: np.ndarray
    gap_at_0: np.ndarray
    gap_at_1: np.ndarray
    Y_at_0: np.ndarray
    Y_at_1: np.ndarray
    pair: np.ndarray
    z: np.ndarray
    x: np.ndarray
    Y: np.ndarray
    slope: np.ndarray
    residual: np.ndarray
    trade_residual: np.ndarray

    @property
    def stable(self) -> np.ndarray:
        """Mask of the stable roots (slope dH/dz < 0).

        Returns
        -------
        numpy.ndarray
            Boolean, one per root.
        """
        return self.slope < 0

    @property
    def theorem4_condition(self) -> np.ndarray:
        """Same sign of the cost comparison at x(0) and x(1) (Theorem 4, as read in models/gomory.md).

        Returns
        -------
        numpy.ndarray
            Boolean, one per pair.
        """
        return np.sign(self.gap_at_0) == np.sign(self.gap_at_1)


class _PairConstants:
    """Per-pair constants of the one-shared-good equation along z = logit(x_g)."""

    def __init__(self, data: GomoryData, X_base: np.ndarray, goods: np.ndarray):
        X = np.asarray(X_base, dtype=bool).copy()
        X[np.arange(len(goods)), goods] = False
        d1, d2 = data.d
        self.g = goods
        self.d1, self.d2 = d1[goods], d2[goods]
        self.A0 = X.astype(float) @ d1                    # sum of d_i1 over other goods made by 2
        self.B0 = (~X).astype(float) @ d2 - self.d2       # sum of d_i2 over other goods made by 1
        self.a1, self.a2 = data.alpha[0][goods], data.alpha[1][goods]
        self.k = cost_constants(data)[goods]

    def take(self, idx: np.ndarray) -> "_PairConstants":
        """The constants of a subset of the pairs.

        Parameters
        ----------
        idx : numpy.ndarray
            Pair indices or mask.

        Returns
        -------
        _PairConstants
        """
        new = object.__new__(_PairConstants)
        for name in ("g", "d1", "d2", "A0", "B0", "a1", "a2", "k"):
            setattr(new, name, getattr(self, name)[idx])
        return new

    def state(self, z: np.ndarray, cols: bool = True):
        """x, 1 - x, A, B', D, ln Y, ln(1 - Y), ln V along z (per-pair constants broadcast).

        Parameters
        ----------
        z : numpy.ndarray
            logit x_g of the shared good, shape (m, k) (``cols=True``) or (m,).
        cols : bool
            Broadcast the per-pair constants over columns of ``z``.

        Returns
        -------
        tuple of numpy.ndarray
            (x, 1 - x, A, B', D = A + B', ln Y, ln(1 - Y), ln V_g) with Y = B'/D (Eq. 2).
        """
        sh = (slice(None), None) if cols else (slice(None),)
        d1, d2, A0, B0 = self.d1[sh], self.d2[sh], self.A0[sh], self.B0[sh]
        x, omx = sigmoid(z), sigmoid(-z)
        A = A0 + d1 * x
        B = B0 + d2 * omx
        D = A + B
        log_D = np.log(D)
        return x, omx, A, B, D, np.log(B) - log_D, np.log(A) - log_D, np.log(d1 * B + d2 * A) - log_D

    def H(self, z: np.ndarray, cols: bool = True) -> np.ndarray:
        """H_g(z) = ln AC_g1 - ln AC_g2 along the trade equation (equal average cost, Eq. 1.1).

        Parameters
        ----------
        z : numpy.ndarray
            logit x_g of the shared good, shape (m, k) (``cols=True``) or (m,).
        cols : bool
            Broadcast the per-pair constants over columns of ``z``.

        Returns
        -------
        numpy.ndarray
            H, shape of ``z``.
        """
        sh = (slice(None), None) if cols else (slice(None),)
        a1, a2, k = self.a1[sh], self.a2[sh], self.k[sh]
        _, _, _, _, _, lY, l1mY, lV = self.state(z, cols)
        return (a1 * lY - a2 * l1mY + (a2 - a1) * lV + k
                + (a1 - 1.0) * softplus(z) - (a2 - 1.0) * softplus(-z))

    def slope(self, z: np.ndarray) -> np.ndarray:
        """dH/dz along the trade equation (analytic).

        Parameters
        ----------
        z : numpy.ndarray
            logit x_g, shape (m,).

        Returns
        -------
        numpy.ndarray
            dH/dz, shape (m,) (negative: stable).
        """
        x, omx, A, B, D, _, _, _ = self.state(z, cols=False)
        d1, d2, a1, a2 = self.d1, self.d2, self.a1, self.a2
        dlY = -d2 / B - (d1 - d2) / D
        dl1mY = d1 / A - (d1 - d2) / D
        dlV = -(d1 - d2) / D
        return x * omx * (a1 * dlY - a2 * dl1mY + (a2 - a1) * dlV) + (a1 - 1.0) * x + (a2 - 1.0) * omx

    def end_gaps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """s_g and Y at the specialized end points x_g = 0 and x_g = 1.

        Returns
        -------
        tuple of numpy.ndarray
            (s_g at x_g = 0, s_g at x_g = 1, Y at x_g = 0, Y at x_g = 1), each shape (m,).
        """
        out = []
        for xg in (0.0, 1.0):
            A = self.A0 + self.d1 * xg
            B = self.B0 + self.d2 * (1.0 - xg)
            D = A + B
            lY, l1mY = np.log(B / D), np.log(A / D)
            lV = np.log((self.d1 * B + self.d2 * A) / D)
            out.append((self.a1 * lY - self.a2 * l1mY + (self.a2 - self.a1) * lV + self.k, B / D))
        return out[0][0], out[1][0], out[0][1], out[1][1]


def _z_grid(z_max: np.ndarray, dense: int = GRID_DENSE, tail: int = GRID_TAIL) -> np.ndarray:
    """(m, G) grid in z: uniform on [-Z_DENSE, Z_DENSE], plus sparse tails out to +-z_max."""
    core = np.linspace(-Z_DENSE, Z_DENSE, dense)
    t = np.linspace(0.0, 1.0, tail + 1)[1:]
    reach = np.maximum(z_max, Z_DENSE + 1.0)[:, None]
    right = Z_DENSE + (reach - Z_DENSE) * t
    return np.hstack([-right[:, ::-1], np.broadcast_to(core, (len(z_max), dense)), right])


def one_shared_roots(data: GomoryData, X_base: np.ndarray, goods: np.ndarray, dense: int = GRID_DENSE,
                     tail: int = GRID_TAIL) -> OneSharedRoots:
    """Every interior root of the one-shared-good system for each (pattern, good) pair.

    Along z = logit(x_g) with the other goods fixed at ``X_base`` (0/1), Y(x_g) solves the trade
    equation (Eq. 2) in closed form and H(z) = ln AC_g1 - ln AC_g2 runs from -inf (z -> -inf) to
    +inf.  Every root satisfies |z| <= z_max = (max |s| + max(a - 1) ln 2) / min(a - 1) (s evaluated on
    a grid in x; the own-scale terms dominate beyond), so the grid (dense |z| <= 30, sparse tails to
    z_max) brackets every simple root whose neighbours are more than a grid cell away; each bracket
    is refined by :func:`refine_brackets` to |dz| <= 1e-14.

    Parameters
    ----------
    data : GomoryData
        The instance (demands renormalized).
    X_base : numpy.ndarray
        (m, n) bool, x of the other goods (column ``goods[p]`` ignored).
    goods : numpy.ndarray
        (m,) int, the shared good of each pair (0-based).
    dense, tail : int
        Grid points of the dense part (|z| <= Z_DENSE) and of each sparse tail out to z_max.

    Returns
    -------
    OneSharedRoots
        Per pair and per root, as described in :class:`OneSharedRoots`.

    Examples
    --------
    >>> from trade_opt.gomory import GomoryData
    >>> data = GomoryData.from_arrays([[0.3, 0.3, 0.4], [0.3, 0.3, 0.4]], [[1, 1, 1], [1, 1, 1]], [1.5, 1.5, 1.5])
    >>> r = one_shared_roots(data, np.array([[False, True, False]]), np.array([2]))
    >>> int(r.n_roots[0]), [bool(s) for s in r.stable]     # exponent 1.5 is close enough to 1 here
    (3, [False, True, False])
    """
    if not data.production.is_power:
        raise ArgumentError("data.production", "the one-shared-good path (Theorems 4, 5) is written for f = e l^alpha, "
                            f"not kind {data.production.kind}; use pattern_roots")
    goods = np.asarray(goods, dtype=np.int64)
    X_base = np.asarray(X_base, dtype=bool)
    m = len(goods)
    pc = _PairConstants(data, X_base, goods)
    gap0, gap1, Y0, Y1 = pc.end_gaps()
    # bound on |z| of every root from the range of s over x in [0, 1]
    xs = np.linspace(0.0, 1.0, 65)[1:-1]
    zs = np.log(xs) - np.log1p(-xs)
    own = (pc.a1[:, None] - 1.0) * softplus(zs) - (pc.a2[:, None] - 1.0) * softplus(-zs)
    s_abs = np.max(np.abs(pc.H(np.broadcast_to(zs, (m, len(zs)))) - own), axis=1)
    s_abs = np.maximum(s_abs, np.maximum(np.abs(gap0), np.abs(gap1)))
    amin = np.minimum(pc.a1, pc.a2) - 1.0
    amax = np.maximum(pc.a1, pc.a2) - 1.0
    z_max = 2.0 * (s_abs + amax * math.log(2.0)) / amin + 1.0
    grid = _z_grid(z_max, dense, tail)
    values = pc.H(grid)
    rows, cols = sign_changes(values)
    lo, hi = grid[rows, cols], grid[rows, cols + 1]
    sub = pc.take(rows)

    def fun(z, idx):
        """H of the bracketed pairs ``idx`` at ``z`` (for :func:`refine_brackets`).

        Parameters
        ----------
        z : numpy.ndarray
            logit x_g, one per bracket in ``idx``.
        idx : numpy.ndarray
            Bracket indices.

        Returns
        -------
        numpy.ndarray
        """
        return sub.take(idx).H(z, cols=False)

    z, res = refine_brackets(fun, lo, hi, values[rows, cols], values[rows, cols + 1])
    slope = sub.slope(z)
    x, omx, A, B, D, lY, l1mY, lV = sub.state(z, cols=False)
    Y = B / D
    trade = Y * A - (1.0 - Y) * B          # Eq. 2 as Y A - (1 - Y) B' (zero by construction)
    counts = np.bincount(rows, minlength=m)
    return OneSharedRoots(X_base, goods, counts, gap0, gap1, Y0, Y1, rows, z, x, Y, slope, res, trade)


def one_shared_all(data: GomoryData, chunk: int = 1 << 12) -> Iterator[OneSharedRoots]:
    """:func:`one_shared_roots` for every (pattern, good) pair, streamed in chunks.

    Parameters
    ----------
    data : GomoryData
        The instance.
    chunk : int
        Pairs per batch.

    Yields
    ------
    OneSharedRoots
        Every interior root of each batch of pairs (Theorems 4, 5).
    """
    for X_base, goods in one_shared_pairs(data.n, chunk):
        yield one_shared_roots(data, X_base, goods)

