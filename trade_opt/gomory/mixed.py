"""Mixed (non-specialized) equilibria of Gomory (1991): goods produced by both countries.

A *pattern* gives each good to country 1 alone (owner 0, x_i = 0), country 2 alone (owner 1,
x_i = 1) or to both (owner 2, the shared set S12, 0 < x_i < 1).  Theorem 1: an equilibrium exists
for every pattern in which each country is the sole maker of at least one good
(3^n - 2^(n+1) + 1 patterns, 2^n - 2 of them specialized).

Unknowns (x_S, Y); normalization N_1 + N_2 = 1, Y = N_1, w_1 = Y / L_1, w_2 = (1 - Y) / L_2.

* Trade equation (Eq. 2): sum_i x_i V_i(Y) = 1 - Y, V_i = d_i1 Y + d_i2 (1 - Y), written without
  cancellation as T = Y A - (1 - Y) B' = 0 with A = sum_i d_i1 x_i, B' = sum_i d_i2 (1 - x_i).
* Equal average cost for each shared good (zero profit of both producers at one price pi_i):
  the log cost gap H_i = ln AC_i1 - ln AC_i2 = 0 with AC_ij = w_j l_ij / f_ij(l_ij),
  l_i1 = (1 - x_i) V_i L_1 / Y, l_i2 = x_i V_i L_2 / (1 - Y) (Eq. 1.1).  In z_i = logit(x_i):

      H_i = s_i(Y) + (a_i1 - 1) softplus(z_i) - (a_i2 - 1) softplus(-z_i),
      s_i(Y) = a_i1 ln Y - a_i2 ln(1 - Y) + (a_i2 - a_i1) ln V_i(Y) - a_i1 ln L_1 + a_i2 ln L_2
               - ln e_i1 + ln e_i2.

  With one exponent per good s_i = ln[(e_i2 / w_2^a) / (e_i1 / w_1^a)]: the cost comparison of
  Theorem 4, and H_i = s_i + (a_i - 1) z_i.

Two independent numerical paths:

* :func:`one_shared_roots` (Theorems 4, 5): one shared good g, the other goods fixed at 0/1; along
  z = logit(x_g) the trade equation gives Y(x_g) in closed form and H(z) runs from -inf to +inf.
  Every sign change on a fine z grid is refined by a vectorized safeguarded Illinois/bisection
  root finder, vectorized over all (pattern, good) pairs.
* :func:`pattern_roots` (any number of shared goods): for fixed Y each H_i is strictly increasing
  in z_i, so z_i(Y) is unique (closed form with one exponent per good, else a vectorized Newton
  solve); the system reduces to the scalar T(Y) = 0, bracketed on a common fine grid of logit(Y)
  and refined the same way.  T < 0 below Y(x_S = 1) and T > 0 above Y(x_S = 0), so the roots lie
  between the two specialized end points and their number is odd (counted with multiplicity).
* :func:`solve_pattern_pyomo`: the same system as a Pyomo complementarity model (x_i in [0, 1]
  perp the polynomial cost gap, Y free with the trade equation) solved by
  :func:`trade_opt.mcp.solve` from several starts, de-duplicated.

Stability (``models/gomory.md``): the adjustment process dx_i/dt = H_i for the shared goods
(country 2's share of good i grows while country 1's average cost exceeds country 2's), Y
following the trade equation instantaneously.  A root is stable iff every eigenvalue of
dH_S/dx_S (total derivative through Y(x)) has a negative real part; with one shared good iff
dH/dz < 0.  Specialized end points are stable under the same process (H -> -inf as x -> 0,
+inf as x -> 1).
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from trade_opt.gomory.equilibria import pattern_bits
from trade_opt.gomory.instance import GomoryData

OWNER_1, OWNER_2, SHARED = 0, 1, 2
_OWNER_CHARS = np.array(["0", "1", "S"])

#: Dense part of the z = logit(x) grid of the one-shared-good path (|z| <= Z_DENSE) and its points.
Z_DENSE = 30.0
GRID_DENSE = 1201
#: Points of each sparse tail of the z grid (Z_DENSE .. Z_max, where H is monotone).
GRID_TAIL = 64
#: Points of the common logit(Y) grid of the general path.
GRID_Y = 4001
ROOT_XTOL = 1e-14
ROOT_MAXITER = 200


# ---------------------------------------------------------------------------------------------
# patterns

def owner_strings(owner: np.ndarray) -> np.ndarray:
    """Patterns as strings, good 1 first: ``0`` country 1 alone, ``1`` country 2 alone, ``S`` shared."""
    owner = np.atleast_2d(np.asarray(owner, dtype=np.int64))
    return np.array(["".join(row) for row in _OWNER_CHARS[owner]])


def parse_owner(text: str) -> np.ndarray:
    """Inverse of :func:`owner_strings` for one pattern (characters 0, 1, S/s)."""
    table = {"0": OWNER_1, "1": OWNER_2, "S": SHARED, "s": SHARED}
    bad = [c for c in text if c not in table]
    if bad:
        raise ValueError(f"pattern {text!r}: characters must be 0, 1 or S, got {bad[0]!r}")
    return np.array([table[c] for c in text], dtype=np.int8)


def theorem1_count(n: int) -> int:
    """Patterns with each country sole maker of at least one good: 3^n - 2^(n+1) + 1 (Theorem 1)."""
    return 3 ** n - 2 ** (n + 1) + 1


def mixed_pattern_count(n: int, max_shared: int | None = None) -> int:
    """Mixed patterns with 1..max_shared shared goods: sum_s C(n, s) (2^(n-s) - 2)."""
    k = n - 2 if max_shared is None else min(max_shared, n - 2)
    return sum(math.comb(n, s) * (2 ** (n - s) - 2) for s in range(1, k + 1))


def mixed_patterns(n: int, max_shared: int | None = None, chunk: int = 1 << 14) -> Iterator[np.ndarray]:
    """Stream every mixed pattern (int8 owner arrays, shape (m, n)) with 1..max_shared shared goods.

    Order: by number of shared goods, then shared set (lexicographic), then the 0/1 code of the
    other goods (ascending, good 1 lowest bit); each non-shared block has a 0 and a 1 (Theorem 1)."""
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
    one 0 and one 1, good g = 0..n-1 outer loop (same order as :func:`mixed_patterns` with s = 1)."""
    rest = pattern_bits(np.arange(1, (1 << (n - 1)) - 1), n - 1)
    for g in range(n):
        X = np.zeros((len(rest), n), dtype=bool)
        X[:, [i for i in range(n) if i != g]] = rest
        for start in range(0, len(X), chunk):
            block = X[start:start + chunk]
            yield block, np.full(len(block), g, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# the equations

def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), accurate in both tails."""
    out = np.empty_like(np.asarray(z, dtype=float))
    z = np.asarray(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def cost_constants(data: GomoryData) -> np.ndarray:
    """k_i = -a_i1 ln L_1 + a_i2 ln L_2 - ln e_i1 + ln e_i2 (the Y-free part of s_i)."""
    a1, a2 = data.alpha
    return -a1 * np.log(data.L[0]) + a2 * np.log(data.L[1]) - np.log(data.e[0]) + np.log(data.e[1])


def cost_comparison(data: GomoryData, goods: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray,
                    log_V: np.ndarray) -> np.ndarray:
    """s_i(Y): the log cost gap without its own-scale terms (Theorem 4's comparison).

    With one exponent a per good: s_i = ln[(e_i2 / w_2^a) / (e_i1 / w_1^a)]; s_i > 0 means country 2
    is cheaper at equal wage bills.  Arrays broadcast; ``goods`` indexes the goods."""
    a1, a2 = data.alpha[0][goods], data.alpha[1][goods]
    return a1 * log_Y - a2 * log_1mY + (a2 - a1) * log_V + cost_constants(data)[goods]


def log_cost_gap(data: GomoryData, goods: np.ndarray, z: np.ndarray, log_Y: np.ndarray,
                 log_1mY: np.ndarray, log_V: np.ndarray) -> np.ndarray:
    """H_i = ln AC_i1 - ln AC_i2 at x_i = sigma(z) (z = logit x_i), Y and V_i(Y) given in logs."""
    a1, a2 = data.alpha[0][goods], data.alpha[1][goods]
    return (cost_comparison(data, goods, log_Y, log_1mY, log_V)
            + (a1 - 1.0) * _softplus(z) - (a2 - 1.0) * _softplus(-z))


def _solve_own_scale(a1: np.ndarray, a2: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """z with (a1 - 1) softplus(z) - (a2 - 1) softplus(-z) = rhs (strictly increasing in z).

    Closed form z = rhs / (a - 1) when a1 = a2; else Newton (phi is convex or concave, phi' is
    between min(a1, a2) - 1 and max(a1, a2) - 1), started from the equal-exponent solution."""
    a1, a2, rhs = np.broadcast_arrays(np.asarray(a1, float), np.asarray(a2, float), np.asarray(rhs, float))
    z = rhs / (0.5 * (a1 + a2) - 1.0)
    if np.array_equal(a1, a2):
        return z
    z = z.copy()
    for _ in range(100):
        phi = (a1 - 1.0) * _softplus(z) - (a2 - 1.0) * _softplus(-z) - rhs
        slope = (a1 - 1.0) * _sigmoid(z) + (a2 - 1.0) * _sigmoid(-z)
        step = phi / slope
        z -= step
        if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, np.abs(z))):
            break
    return z


# ---------------------------------------------------------------------------------------------
# vectorized bracketed root finding

def _refine_brackets(fun, lo: np.ndarray, hi: np.ndarray, f_lo: np.ndarray, f_hi: np.ndarray,
                     xtol: float = ROOT_XTOL, maxiter: int = ROOT_MAXITER) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized safeguarded root finding on brackets with f_lo < 0 < f_hi (or the reverse).

    Illinois (modified regula falsi) steps; a bisection step whenever the bracket did not at
    least halve over the last two steps, so convergence is never slower than bisection.  ``fun``
    maps (points, active index array) to values.  Returns (root, |f(root)|)."""
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


def _sign_changes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every grid cell [k, k+1] whose end values have opposite signs.

    A value exactly 0 at an interior grid point counts once (as the cell ending there)."""
    s = np.sign(values)
    s[s == 0] = 1.0
    rows, cols = np.nonzero(s[:, :-1] != s[:, 1:])
    return rows, cols


# ---------------------------------------------------------------------------------------------
# one shared good (Theorems 4, 5)

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
        return self.slope < 0

    @property
    def theorem4_condition(self) -> np.ndarray:
        """Same sign of the cost comparison at x(0) and x(1) (Theorem 4, as read in models/gomory.md)."""
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
        new = object.__new__(_PairConstants)
        for name in ("g", "d1", "d2", "A0", "B0", "a1", "a2", "k"):
            setattr(new, name, getattr(self, name)[idx])
        return new

    def state(self, z: np.ndarray, cols: bool = True):
        """x, 1 - x, A, B', D, ln Y, ln(1 - Y), ln V along z (per-pair constants broadcast)."""
        sh = (slice(None), None) if cols else (slice(None),)
        d1, d2, A0, B0 = self.d1[sh], self.d2[sh], self.A0[sh], self.B0[sh]
        x, omx = _sigmoid(z), _sigmoid(-z)
        A = A0 + d1 * x
        B = B0 + d2 * omx
        D = A + B
        log_D = np.log(D)
        return x, omx, A, B, D, np.log(B) - log_D, np.log(A) - log_D, np.log(d1 * B + d2 * A) - log_D

    def H(self, z: np.ndarray, cols: bool = True) -> np.ndarray:
        sh = (slice(None), None) if cols else (slice(None),)
        a1, a2, k = self.a1[sh], self.a2[sh], self.k[sh]
        _, _, _, _, _, lY, l1mY, lV = self.state(z, cols)
        return (a1 * lY - a2 * l1mY + (a2 - a1) * lV + k
                + (a1 - 1.0) * _softplus(z) - (a2 - 1.0) * _softplus(-z))

    def slope(self, z: np.ndarray) -> np.ndarray:
        """dH/dz along the trade equation (analytic)."""
        x, omx, A, B, D, _, _, _ = self.state(z, cols=False)
        d1, d2, a1, a2 = self.d1, self.d2, self.a1, self.a2
        dlY = -d2 / B - (d1 - d2) / D
        dl1mY = d1 / A - (d1 - d2) / D
        dlV = -(d1 - d2) / D
        return x * omx * (a1 * dlY - a2 * dl1mY + (a2 - a1) * dlV) + (a1 - 1.0) * x + (a2 - 1.0) * omx

    def end_gaps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """s_g and Y at the specialized end points x_g = 0 and x_g = 1."""
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
    is refined by :func:`_refine_brackets` to |dz| <= 1e-14.

    Parameters
    ----------
    data : the instance (demands renormalized).
    X_base : (m, n) bool, x of the other goods (column ``goods[p]`` ignored).
    goods : (m,) int, the shared good of each pair (0-based).

    Examples
    --------
    >>> from trade_opt.gomory import GomoryData
    >>> data = GomoryData.from_arrays([[0.3, 0.3, 0.4], [0.3, 0.3, 0.4]], [[1, 1, 1], [1, 1, 1]], [1.5, 1.5, 1.5])
    >>> r = one_shared_roots(data, np.array([[False, True, False]]), np.array([2]))
    >>> int(r.n_roots[0]), [bool(s) for s in r.stable]     # exponent 1.5 is close enough to 1 here
    (3, [False, True, False])
    """
    goods = np.asarray(goods, dtype=np.int64)
    X_base = np.asarray(X_base, dtype=bool)
    m = len(goods)
    pc = _PairConstants(data, X_base, goods)
    gap0, gap1, Y0, Y1 = pc.end_gaps()
    # bound on |z| of every root from the range of s over x in [0, 1]
    xs = np.linspace(0.0, 1.0, 65)[1:-1]
    zs = np.log(xs) - np.log1p(-xs)
    own = (pc.a1[:, None] - 1.0) * _softplus(zs) - (pc.a2[:, None] - 1.0) * _softplus(-zs)
    s_abs = np.max(np.abs(pc.H(np.broadcast_to(zs, (m, len(zs)))) - own), axis=1)
    s_abs = np.maximum(s_abs, np.maximum(np.abs(gap0), np.abs(gap1)))
    amin = np.minimum(pc.a1, pc.a2) - 1.0
    amax = np.maximum(pc.a1, pc.a2) - 1.0
    z_max = 2.0 * (s_abs + amax * math.log(2.0)) / amin + 1.0
    grid = _z_grid(z_max, dense, tail)
    values = pc.H(grid)
    rows, cols = _sign_changes(values)
    lo, hi = grid[rows, cols], grid[rows, cols + 1]
    sub = pc.take(rows)

    def fun(z, idx):
        return sub.take(idx).H(z, cols=False)

    z, res = _refine_brackets(fun, lo, hi, values[rows, cols], values[rows, cols + 1])
    slope = sub.slope(z)
    x, omx, A, B, D, lY, l1mY, lV = sub.state(z, cols=False)
    Y = B / D
    trade = Y * A - (1.0 - Y) * B          # Eq. 2 as Y A - (1 - Y) B' (zero by construction)
    counts = np.bincount(rows, minlength=m)
    return OneSharedRoots(X_base, goods, counts, gap0, gap1, Y0, Y1, rows, z, x, Y, slope, res, trade)


def one_shared_all(data: GomoryData, chunk: int = 1 << 12) -> Iterator[OneSharedRoots]:
    """:func:`one_shared_roots` for every (pattern, good) pair, streamed in chunks."""
    for X_base, goods in one_shared_pairs(data.n, chunk):
        yield one_shared_roots(data, X_base, goods)


# ---------------------------------------------------------------------------------------------
# any number of shared goods: reduction to T(Y) = 0

@dataclass(frozen=True)
class MixedEquilibria:
    """Mixed equilibria found for a batch of patterns, one row per root (arrays of length r).

    ``owner`` (r, n) int8 pattern of the root; ``pattern_index`` index into the batch;
    ``n_roots`` roots of that pattern; ``root`` 0-based rank of the root by increasing Y;
    ``x`` (r, n) (0/1 for sole makers); ``z`` (r, n) logit x (+-inf for sole makers);
    ``Y``, ``w_ratio`` = w_1 / w_2, ``u1``, ``u2`` log-utilities; ``trade_residual`` (Eq. 2),
    ``cost_residual`` max |H_i| over shared goods; ``stability`` the largest real part of the
    eigenvalues of dH_S/dx_S (negative: stable); ``patterns_searched`` how many patterns the
    batch held (patterns with no root found are counted there)."""

    owner: np.ndarray
    pattern_index: np.ndarray
    n_roots: np.ndarray
    root: np.ndarray
    x: np.ndarray
    z: np.ndarray
    Y: np.ndarray
    w_ratio: np.ndarray
    u1: np.ndarray
    u2: np.ndarray
    trade_residual: np.ndarray
    cost_residual: np.ndarray
    stability: np.ndarray
    patterns_searched: int = 0
    roots_per_pattern: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.Y)

    @property
    def stable(self) -> np.ndarray:
        return self.stability < 0

    @property
    def n_shared(self) -> np.ndarray:
        return (self.owner == SHARED).sum(axis=1)


def _shared_z(data: GomoryData, S: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray) -> np.ndarray:
    """z_i(Y) for every good (rows of log_Y): root of H_i(z, Y) = 0 at fixed Y, shape (G, n)."""
    d1, d2 = data.d
    Y = np.exp(log_Y)
    log_V = np.log(d1 * Y[:, None] + d2 * np.exp(log_1mY)[:, None])
    goods = np.arange(data.n)
    s = cost_comparison(data, goods, log_Y[:, None], log_1mY[:, None], log_V)
    return _solve_own_scale(data.alpha[0], data.alpha[1], -s)


def _trade_on_grid(data: GomoryData, owner: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray,
                   z: np.ndarray) -> np.ndarray:
    """T(Y) = Y A - (1 - Y) B' for each pattern (rows) at each grid Y (columns), shape (m, G)."""
    d1, d2 = data.d
    M2 = (owner == OWNER_2).astype(float)
    M1 = (owner == OWNER_1).astype(float)
    MS = (owner == SHARED).astype(float)
    A = (M2 @ d1)[:, None] + MS @ (_sigmoid(z) * d1).T
    B = (M1 @ d2)[:, None] + MS @ (_sigmoid(-z) * d2).T
    return np.exp(log_Y)[None, :] * A - np.exp(log_1mY)[None, :] * B


def _specialized_Y(data: GomoryData, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    A = X @ data.d[0]
    B = (1.0 - X) @ data.d[1]
    return B / (A + B)


def pattern_roots(data: GomoryData, owner: np.ndarray, grid: int = GRID_Y) -> MixedEquilibria:
    """Every mixed equilibrium of each pattern found by bracketing the reduced trade equation.

    For fixed Y each shared good's z_i(Y) is unique (:func:`_solve_own_scale`); T(Y) is tabulated on
    a common grid uniform in logit(Y) covering all patterns' intervals [Y(x_S = 1), Y(x_S = 0)]
    and every sign change is refined to |d logit Y| <= 1e-14.  Roots closer than one grid cell
    can be missed (refine ``grid`` to check).

    Parameters
    ----------
    owner : (m, n) int array of patterns (0 country 1, 1 country 2, 2 shared), each with at least
        one shared good.
    grid : points of the logit(Y) grid.
    """
    owner = np.atleast_2d(np.asarray(owner, dtype=np.int8))
    m = len(owner)
    shared = owner == SHARED
    Y_hi = _specialized_Y(data, owner == OWNER_2)          # x_S = 0
    Y_lo = _specialized_Y(data, owner != OWNER_1)          # x_S = 1
    lo_u = float(np.log(Y_lo.min()) - np.log1p(-Y_lo.min())) - 0.5
    hi_u = float(np.log(Y_hi.max()) - np.log1p(-Y_hi.max())) + 0.5
    u = np.linspace(lo_u, hi_u, grid)
    log_Y, log_1mY = -_softplus(-u), -_softplus(u)
    z = _shared_z(data, shared, log_Y, log_1mY)
    T = _trade_on_grid(data, owner, log_Y, log_1mY, z)
    rows, cols = _sign_changes(T)

    d1, d2 = data.d
    M1 = (owner == OWNER_1).astype(float)
    M2 = (owner == OWNER_2).astype(float)
    A0, B0 = M2 @ d1, M1 @ d2

    def T_at(uu, idx):
        r = rows[idx]
        lY, l1mY = -_softplus(-uu), -_softplus(uu)
        zz = _shared_z(data, None, lY, l1mY)
        S = shared[r]
        A = A0[r] + np.where(S, _sigmoid(zz) * d1, 0.0).sum(axis=1)
        B = B0[r] + np.where(S, _sigmoid(-zz) * d2, 0.0).sum(axis=1)
        return np.exp(lY) * A - np.exp(l1mY) * B

    u_root, _ = _refine_brackets(T_at, u[cols], u[cols + 1], T[rows, cols], T[rows, cols + 1])
    return _complete(data, owner, rows, u_root, m)


def _complete(data: GomoryData, owner_batch: np.ndarray, rows: np.ndarray, u_root: np.ndarray, m: int) -> MixedEquilibria:
    """Utilities, residuals and stability at the roots (logit Y = ``u_root``) of patterns ``rows``."""
    owner = owner_batch[rows]
    shared = owner == SHARED
    log_Y, log_1mY = -_softplus(-u_root), -_softplus(u_root)
    zs = _shared_z(data, None, log_Y, log_1mY)
    z = np.where(shared, zs, np.where(owner == OWNER_2, np.inf, -np.inf))
    counts = np.bincount(rows, minlength=m)
    # rank of each root within its pattern (roots come out sorted by pattern, then Y)
    order = np.lexsort((u_root, rows))
    rank = np.empty(len(rows), dtype=np.int64)
    first = np.searchsorted(rows[order], rows[order])
    rank[order] = np.arange(len(rows)) - first
    ev = evaluate_mixed(data, z, log_Y, log_1mY)
    return MixedEquilibria(
        owner=owner, pattern_index=rows, n_roots=counts[rows], root=rank, x=ev["x"], z=z, Y=ev["Y"],
        w_ratio=ev["w_ratio"], u1=ev["u1"], u2=ev["u2"], trade_residual=ev["trade_residual"],
        cost_residual=ev["cost_residual"], stability=ev["stability"], patterns_searched=m,
        roots_per_pattern=counts,
    )


def evaluate_mixed(data: GomoryData, z: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray) -> dict[str, np.ndarray]:
    """Quantities, utilities, residuals and stability of equilibria given z = logit x (+-inf for
    sole makers; shape (r, n)) and Y (in logs).

    Q_i = f_i1(l_i1) + f_i2(l_i2) (both producers), u_1 = sum_i d_i1 ln(F_i Q_i),
    u_2 = sum_i d_i2 ln((1 - F_i) Q_i), F_i = d_i1 Y / V_i.  ``trade_residual`` is
    Y A - (1 - Y) B' (Eq. 2); ``cost_residual`` max |H_i| over shared goods (0 if none);
    ``stability`` the largest real part of the eigenvalues of J = dH_S/dx_S along the trade
    equation (J = diag(dH_i/dx_i) + (dH_i/dY)(dY/dx_j)); NaN if no shared good."""
    z = np.atleast_2d(np.asarray(z, dtype=float))
    r, n = z.shape
    d1, d2 = data.d
    a1, a2 = data.alpha
    log_Y, log_1mY = np.asarray(log_Y, float).reshape(r), np.asarray(log_1mY, float).reshape(r)
    Y, omY = np.exp(log_Y), np.exp(log_1mY)
    x, omx = _sigmoid(z), _sigmoid(-z)
    with np.errstate(divide="ignore"):
        log_x, log_1mx = -_softplus(-z), -_softplus(z)
    V = d1 * Y[:, None] + d2 * omY[:, None]
    log_V = np.log(V)
    log_L = np.log(data.L)
    log_q1 = np.log(data.e[0]) + a1 * (log_1mx + log_V + log_L[0] - log_Y[:, None])
    log_q2 = np.log(data.e[1]) + a2 * (log_x + log_V + log_L[1] - log_1mY[:, None])
    log_Q = np.logaddexp(log_q1, log_q2)
    safe1, safe2 = np.where(d1 > 0, d1, 1.0), np.where(d2 > 0, d2, 1.0)
    log_F = np.log(safe1) + log_Y[:, None] - log_V
    log_1mF = np.log(safe2) + log_1mY[:, None] - log_V
    u1 = np.where(d1 > 0, d1 * (log_F + log_Q), 0.0).sum(axis=1)
    u2 = np.where(d2 > 0, d2 * (log_1mF + log_Q), 0.0).sum(axis=1)
    A = (x * d1).sum(axis=1)
    B = (omx * d2).sum(axis=1)
    trade = Y * A - omY * B
    shared = np.isfinite(z)
    goods = np.arange(n)
    with np.errstate(invalid="ignore"):
        H = np.where(shared, log_cost_gap(data, goods, np.where(shared, z, 0.0), log_Y[:, None], log_1mY[:, None], log_V), 0.0)
    cost = np.abs(H).max(axis=1) if n else np.zeros(r)
    # stability: J = diag(h) + g y^T on the shared goods
    D = A + B
    dY_dx = (-d2 * A[:, None] - B[:, None] * d1) / D[:, None] ** 2            # (r, n)
    dH_dY = a1 / Y[:, None] + a2 / omY[:, None] + (a2 - a1) * (d1 - d2) / V   # (r, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = (a1 - 1.0) / omx + (a2 - 1.0) / x                                  # dH_i/dx_i at fixed Y
    stability = np.full(r, np.nan)
    k_count = shared.sum(axis=1)
    for k in np.unique(k_count):
        if k == 0:
            continue
        sel = np.flatnonzero(k_count == k)
        idx = np.nonzero(shared[sel])[1].reshape(len(sel), k)
        take = lambda arr: np.take_along_axis(arr[sel], idx, axis=1)  # noqa: E731
        J = take(dH_dY)[:, :, None] * take(dY_dx)[:, None, :]
        J[:, np.arange(k), np.arange(k)] += take(h)
        finite = np.isfinite(J).all(axis=(1, 2))  # x = 0 or 1 in floating point (extreme exponents): stability NaN
        stability[sel[finite]] = np.linalg.eigvals(J[finite]).real.max(axis=1) if finite.any() else []
    return {"x": x, "Y": Y, "w_ratio": Y / omY * data.L[1] / data.L[0], "u1": u1, "u2": u2,
            "log_Q": log_Q, "trade_residual": trade, "cost_residual": cost, "stability": stability}


def concat_mixed(parts: list[MixedEquilibria], n: int) -> MixedEquilibria:
    """One :class:`MixedEquilibria` from several (pattern indices offset to stay unique)."""
    if not parts:
        e = np.zeros(0)
        return MixedEquilibria(np.zeros((0, n), np.int8), np.zeros(0, np.int64), np.zeros(0, np.int64),
                               np.zeros(0, np.int64), np.zeros((0, n)), np.zeros((0, n)), e, e, e, e, e, e, e, 0,
                               np.zeros(0, np.int64))
    offset, idx = 0, []
    for p in parts:
        idx.append(p.pattern_index + offset)
        offset += p.patterns_searched
    fields = {}
    for f in MixedEquilibria.__dataclass_fields__:
        if f == "pattern_index":
            fields[f] = np.concatenate(idx)
        elif f == "patterns_searched":
            fields[f] = offset
        else:
            fields[f] = np.concatenate([getattr(p, f) for p in parts])
    return MixedEquilibria(**fields)


def mixed_equilibria(data: GomoryData, max_shared: int = 1, chunk: int = 1 << 11,
                     grid: int = GRID_Y) -> Iterator[MixedEquilibria]:
    """Stream the mixed equilibria of every pattern with 1..max_shared shared goods (fast path)."""
    for owner in mixed_patterns(data.n, max_shared, chunk):
        yield pattern_roots(data, owner, grid)


# ---------------------------------------------------------------------------------------------
# the Pyomo complementarity model

def mixed_pyomo_model(data: GomoryData, owner: np.ndarray):
    """Pyomo model of one pattern's equilibrium conditions (a mixed complementarity problem).

    * Y free (start 0.5) with the trade equation (Eq. 2) sum_i x_i V_i(Y) = 1 - Y;
    * x_i for shared goods boxed in [0, 1] perp F_i, a monotone transform of AC_i2 - AC_i1: with
      b_j = a_ij - 1 and rho = (w_1 / e_i1) / (w_2 / e_i2), F_i = l_i1 rho^(-1/b) - l_i2 when
      b_1 = b_2 = b, F_i = l_i1^(b_1/b_2) rho^(-1/b_2) - l_i2 when b_1 > b_2, else
      F_i = l_i1 - l_i2^(b_2/b_1) rho^(1/b_1).  F_i >= 0 iff country 2's average cost is not
      lower (so x_i = 0 is an equilibrium for that good), F_i = 0 inside (equal average cost,
      H_i = 0); every l-exponent is >= 1, so F_i is C^1 up to the bounds (the plain cost gap has
      an infinite derivative at l = 0, which the Newton polish cannot evaluate);
    * x_i of sole makers are fixed parameters (0 or 1).
    """
    import pyomo.environ as pyo
    from pyomo.mpec import Complementarity, complements

    owner = np.asarray(owner, dtype=np.int8)
    d1, d2 = data.d
    a1, a2 = data.alpha
    L1, L2 = float(data.L[0]), float(data.L[1])
    S = [int(i) for i in np.flatnonzero(owner == SHARED)]
    m = pyo.ConcreteModel(name="gomory_mixed")
    m.S = pyo.Set(initialize=S, ordered=True)
    m.x = pyo.Var(m.S, bounds=(0.0, 1.0), initialize=0.5)
    m.Y = pyo.Var(initialize=0.5)
    made_by_2 = [i for i in range(data.n) if owner[i] == OWNER_2]

    def V(i):
        return float(d1[i]) * m.Y + float(d2[i]) * (1 - m.Y)

    m.trade = pyo.Constraint(expr=sum(V(i) for i in made_by_2) + sum(m.x[i] * V(i) for i in S) == 1 - m.Y)

    def gap(mm, i):
        l1 = (1 - mm.x[i]) * V(i) * L1 / mm.Y
        l2 = mm.x[i] * V(i) * L2 / (1 - mm.Y)
        # AC_2 >= AC_1  <=>  (w2/e2) l1^(a1-1) >= (w1/e1) l2^(a2-1); raised to the power that leaves
        # the larger l-exponent r = max(a1-1, a2-1)/min(...) >= 1, so F is C^1 on [0, 1].
        e1, e2 = float(data.e[0, i]), float(data.e[1, i])
        b1, b2 = float(a1[i] - 1.0), float(a2[i] - 1.0)
        ratio = (mm.Y * L2 * e2) / ((1 - mm.Y) * L1 * e1)     # (w1/e1) / (w2/e2)
        if b1 >= b2:
            F = l1 ** (b1 / b2) * ratio ** (-1.0 / b2) - l2 if b1 != b2 else l1 * ratio ** (-1.0 / b1) - l2
        else:
            F = l1 - l2 ** (b2 / b1) * ratio ** (1.0 / b1)
        return complements(pyo.inequality(0.0, mm.x[i], 1.0), F)

    m.cost = Complementarity(m.S, rule=gap)
    return m


@dataclass(frozen=True)
class PyomoPatternResult:
    """Distinct interior solutions of one pattern found by :func:`trade_opt.mcp.solve`.

    ``solutions`` list of dicts (x over shared goods, Y, residual, stability); ``boundary`` how many
    distinct solutions had a shared x_i at 0 or 1 (a specialized equilibrium for that good);
    ``status`` the mcp status of the call; ``seconds`` wall time."""

    owner: str
    solutions: list[dict]
    boundary: int
    status: str
    starts: int
    seconds: float
    message: str


def solve_pattern_pyomo(data: GomoryData, owner: np.ndarray, starts: list[dict] | None = None,
                        tol: float = 1e-10) -> PyomoPatternResult:
    """Solve one pattern's MCP (:func:`mixed_pyomo_model`) from several starts and de-duplicate.

    Default starts: x_S in {0.1, 0.5, 0.9} (all shared goods alike, plus alternating), Y from the
    trade equation at that x.  Interior solutions (every shared x_i strictly in (1e-9, 1 - 1e-9))
    are the mixed equilibria of the pattern."""
    from trade_opt.mcp import solve

    owner = np.asarray(owner, dtype=np.int8)
    S = np.flatnonzero(owner == SHARED)
    t0 = time.perf_counter()
    if starts is None:
        levels = [0.1, 0.5, 0.9]
        combos = [np.full(len(S), v) for v in levels]
        if len(S) > 1:
            combos += [np.where(np.arange(len(S)) % 2 == 0, 0.1, 0.9), np.where(np.arange(len(S)) % 2 == 0, 0.9, 0.1)]
        starts = []
        for xs in combos:
            x = (owner == OWNER_2).astype(float)
            x[S] = xs
            Y = float(_specialized_Y(data, x[None])[0])
            start = {f"x[{i}]": float(v) for i, v in zip(S, xs)}
            start["Y"] = Y
            starts.append(start)
    model = mixed_pyomo_model(data, owner)
    result = solve(model, starts=starts, tol=tol)
    sols, boundary = [], 0
    for s in result.solutions:
        if s.status != "solved":
            continue
        xs = np.array([s.values[f"x[{i}]"] for i in S])
        if np.any((xs <= 1e-9) | (xs >= 1 - 1e-9)):
            boundary += 1
            continue
        sols.append({"x": xs.tolist(), "Y": float(s.values["Y"]), "residual": s.residual,
                     "residual_unscaled": s.residual_unscaled, "stability": s.stability})
    sols.sort(key=lambda s: s["Y"])
    return PyomoPatternResult(owner_strings(owner)[0], sols, boundary, result.status, len(starts),
                              time.perf_counter() - t0, result.message)
