"""Mixed equilibria of Gomory (1991) with any number of shared goods: reduction to T(Y) = 0.

For fixed Y each H_i is strictly increasing in z_i = logit x_i, so z_i(Y) is unique (closed form
with one exponent per good, :func:`~trade_opt.gomory.mixed.equations.solve_own_scale`); the
system reduces to the scalar trade equation T(Y) = Y A(Y) - (1 - Y) B'(Y) = 0 (Eq. 2), bracketed
on a common fine grid of logit(Y) and refined.  T < 0 below Y(x_S = 1) and T > 0 above
Y(x_S = 0), so the roots lie between the two specialized end points and their number is odd
(counted with multiplicity).  See ``models/gomory.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed.brackets import refine_brackets
from trade_opt.gomory.mixed.equations import shared_z, sigmoid, softplus, specialized_Y
from trade_opt.gomory.mixed.evaluate import evaluate_mixed
from trade_opt.gomory.mixed.patterns import OWNER_1, OWNER_2, SHARED, mixed_patterns

#: Points of the common logit(Y) grid of the general path.
GRID_Y = 4001


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
        """Mask of the stable roots (``stability < 0``).

        Returns
        -------
        numpy.ndarray
            Boolean, one per root.
        """
        return self.stability < 0

    @property
    def n_shared(self) -> np.ndarray:
        """Number of shared goods of each root's pattern.

        Returns
        -------
        numpy.ndarray
            int, one per root.
        """
        return (self.owner == SHARED).sum(axis=1)


def _shared_z(data: GomoryData, S: np.ndarray, log_Y: np.ndarray, log_1mY: np.ndarray) -> np.ndarray:
    """z_i(Y) for every good (rows of log_Y): root of H_i(z, Y) = 0 at fixed Y, shape (G, n)."""
    d1, d2 = data.d
    Y = np.exp(log_Y)
    log_V = np.log(d1 * Y[:, None] + d2 * np.exp(log_1mY)[:, None])
    return shared_z(data, np.arange(data.n), log_Y[:, None], log_1mY[:, None], log_V)


#: Grid cells added on each side of a pattern's interval [Y(x_S = 1), Y(x_S = 0)] (rounding margin).
WINDOW_MARGIN = 2
#: A pattern's T is taken as increasing on its window when every grid step raises it by more than this.
MONOTONE_STEP = 1e-13
#: Entries (shared sets x levels x grid points) up to which window minima use a sparse table.
SPARSE_TABLE_LIMIT = 1 << 24


class _GridTrade:
    """T(Y) = Y A - (1 - Y) B' (Eq. 2) of a batch of patterns at the points of a logit-Y grid.

    T = R_S(Y) + Y A0 - (1 - Y) B0 with R_S(Y) = sum over the shared goods of
    tau_i(Y) = Y d_i1 x_i(Y) - (1 - Y) d_i2 (1 - x_i(Y)), tabulated once per shared set S
    (x_i(Y) = sigma(z_i(Y)) does not depend on the pattern), so one value costs two multiply-adds.
    """

    def __init__(self, data: GomoryData, owner: np.ndarray, u: np.ndarray, z: np.ndarray):
        d1, d2 = data.d
        log_Y, log_1mY = -softplus(-u), -softplus(u)
        self.Y, self.omY = np.exp(log_Y), np.exp(log_1mY)
        tau = self.Y[:, None] * (sigmoid(z) * d1) - self.omY[:, None] * (sigmoid(-z) * d2)     # (G, n)
        shared = owner == SHARED
        key = shared @ (np.int64(1) << np.arange(owner.shape[1], dtype=np.int64))
        sets, self.which = np.unique(key, return_inverse=True)
        first = np.zeros(len(sets), dtype=np.int64)
        first[self.which[::-1]] = np.arange(len(owner))[::-1]
        infeasible = np.isnan(z)          # set-up intervals: no share of the good at that Y (production kinds)
        if infeasible.any():
            self.R = shared[first].astype(float) @ np.where(infeasible, 0.0, tau).T
            self.R[(shared[first].astype(float) @ infeasible.T.astype(float)) > 0] = np.nan   # T undefined there
        else:
            self.R = shared[first].astype(float) @ tau.T                                 # (sets, G)
        self.A0 = (owner == OWNER_2) @ d1
        self.B0 = (owner == OWNER_1) @ d2

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """T of patterns ``rows`` at grid points ``cols`` (arrays of one shape).

        T = Y A - (1 - Y) B', the trade equation (Eq. 2) with z_i(Y) for the shared goods.

        Parameters
        ----------
        rows : numpy.ndarray
            Pattern indices.
        cols : numpy.ndarray
            Grid indices (logit Y grid).

        Returns
        -------
        numpy.ndarray
            T, shape of ``rows``.
        """
        return self.R[self.which[rows], cols] + self.Y[cols] * self.A0[rows] - self.omY[cols] * self.B0[rows]

    def window_min_slope(self, k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
        """Per pattern, min over its window's cells [k, k + 1] of (dR - MONOTONE_STEP) / dY.

        T rises by more than MONOTONE_STEP on every cell of the window iff this exceeds -(A0 + B0)
        (dT = dR + (A0 + B0) dY, dY > 0).  Window minima by a sparse table per shared set, or
        per pattern over the flattened windows when the sets are many.

        Parameters
        ----------
        k0, k1 : numpy.ndarray
            First and last grid index of each pattern's window (int arrays of one length).

        Returns
        -------
        numpy.ndarray
            The minima, one per pattern.
        """
        q = (np.diff(self.R, axis=1) - MONOTONE_STEP) / np.diff(self.Y)                  # (sets, G - 1)
        lo, hi = k0, np.maximum(k1 - 1, k0)                                              # cells lo..hi
        levels = max(1, int(np.ceil(np.log2(q.shape[1] + 1))))
        if q.shape[0] * q.shape[1] * levels <= SPARSE_TABLE_LIMIT:
            table = [q]
            for j in range(1, levels):
                prev, step = table[-1], 1 << (j - 1)
                table.append(np.minimum(prev[:, :-step], prev[:, step:]))
            j = np.floor(np.log2(hi - lo + 1)).astype(np.int64)
            out = np.empty(len(lo))
            for level in np.unique(j):
                sel = np.flatnonzero(j == level)
                t = table[level]
                w = self.which[sel]
                out[sel] = np.minimum(t[w, lo[sel]], t[w, hi[sel] - (1 << level) + 1])
            return out
        lengths = hi - lo + 1
        rows = np.repeat(np.arange(len(lo)), lengths)
        starts = np.cumsum(lengths) - lengths
        cols = lo[rows] + (np.arange(len(rows)) - starts[rows])
        return np.minimum.reduceat(q[self.which[rows], cols], starts)


def _grid_brackets(data: GomoryData, owner: np.ndarray, u: np.ndarray, z: np.ndarray, u_lo: np.ndarray,
                   u_hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every grid cell [k, k + 1] where a pattern's T(Y) (Eq. 2) changes sign, with T at both ends.

    T < 0 below Y(x_S = 1) and T > 0 above Y(x_S = 0) (0 < x_S < 1), so the sign changes of a row
    of the full (m, G) table lie in the cells between logit Y(x_S = 1) = ``u_lo`` and
    logit Y(x_S = 0) = ``u_hi``, widened by ``WINDOW_MARGIN`` cells on each side against rounding.
    Where T rises by more than ``MONOTONE_STEP`` on every cell of that window (most patterns) it
    changes sign exactly once, found by bisection over the grid points (log2 of the window's
    length values); the other patterns are scanned point by point.  Both find the cells a scan of
    the full table finds (value 0 counted as positive).

    Parameters
    ----------
    data : GomoryData
        The instance.
    owner : numpy.ndarray
        (m, n) patterns (0 country 1, 1 country 2, 2 shared).
    u : numpy.ndarray
        (G,) increasing grid of logit Y.
    z : numpy.ndarray
        (G, n) z_i(Y) = logit x_i(Y) of every good at every grid point.
    u_lo, u_hi : numpy.ndarray
        (m,) logit of each pattern's end points.

    Returns
    -------
    tuple of numpy.ndarray
        (rows, cols, T_lo, T_hi), ordered by pattern then cell: pattern ``rows[j]`` changes sign
        on cell [cols[j], cols[j] + 1], where T is ``T_lo[j]`` and ``T_hi[j]``.
    """
    G = len(u)
    k0 = np.clip(np.searchsorted(u, u_lo, side="right") - 1 - WINDOW_MARGIN, 0, G - 1)
    k1 = np.clip(np.searchsorted(u, u_hi, side="left") + WINDOW_MARGIN, 0, G - 1)
    trade = _GridTrade(data, owner, u, z)
    m = len(owner)
    idx = np.arange(m)
    T_left, T_right = trade.at(idx, k0), trade.at(idx, k1)
    monotone = ((trade.window_min_slope(k0, k1) > -(trade.A0 + trade.B0)) & (T_left < 0) & (T_right >= 0)
                & (k1 > k0))
    # bisection: the first grid point with T >= 0 in (k0, k1]
    mono = np.flatnonzero(monotone)
    lo, hi = k0[mono].copy(), k1[mono].copy()
    while True:
        open_ = hi - lo > 1
        if not open_.any():
            break
        sel = np.flatnonzero(open_)
        mid = (lo[sel] + hi[sel]) // 2
        up = trade.at(mono[sel], mid) >= 0
        hi[sel[up]] = mid[up]
        lo[sel[~up]] = mid[~up]
    rows_m, cols_m = mono, lo
    # scan the other patterns' windows point by point
    scan = np.flatnonzero(~monotone)
    lengths = k1[scan] - k0[scan] + 1
    flat = np.repeat(np.arange(len(scan)), lengths)
    starts = np.cumsum(lengths) - lengths
    flat_rows = scan[flat]
    flat_cols = k0[flat_rows] + (np.arange(len(flat)) - starts[flat])
    sign = np.sign(trade.at(flat_rows, flat_cols))
    sign[sign == 0] = 1.0
    defined = ~np.isnan(sign)                     # T is undefined where a shared good has no feasible share
    change = np.flatnonzero((sign[:-1] != sign[1:]) & (flat_rows[:-1] == flat_rows[1:]) & defined[:-1] & defined[1:])
    rows = np.concatenate([rows_m, flat_rows[change]])
    cols = np.concatenate([cols_m, flat_cols[change]])
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    return rows, cols, trade.at(rows, cols), trade.at(rows, cols + 1)


def pattern_roots(data: GomoryData, owner: np.ndarray, grid: int = GRID_Y) -> MixedEquilibria:
    """Every mixed equilibrium of each pattern found by bracketing the reduced trade equation.

    For fixed Y each shared good's z_i(Y) is unique (:func:`~trade_opt.gomory.mixed.equations.solve_own_scale`); T(Y) is tabulated on
    a common grid uniform in logit(Y) covering all patterns' intervals [Y(x_S = 1), Y(x_S = 0)],
    each pattern only on the grid points of its own interval (:func:`_grid_brackets`), and
    every sign change is refined to |d logit Y| <= 1e-14.  Roots closer than one grid cell
    can be missed (refine ``grid`` to check).

    With one exponent per good the share of a shared good is in closed form at each Y,
    logit x_i(Y) = (a ln(L_1 (1 - Y) / (L_2 Y)) + ln(e_i1 / e_i2)) / (a - 1), so each pattern is one
    scalar equation T(Y) = 0 (Eq. 2), solved for all patterns of the batch at once.

    Parameters
    ----------
    data : GomoryData
        The instance.
    owner : numpy.ndarray
        (m, n) int array of patterns (0 country 1, 1 country 2, 2 shared), each with at least
        one shared good.
    grid : int
        Points of the logit(Y) grid.

    Returns
    -------
    MixedEquilibria
        One row per root (Y = N_1 with N_1 + N_2 = 1, x, logit x, utilities, residuals of Eqs. 1.1
        and 2, stability); ``roots_per_pattern`` for every pattern of the batch.
    """
    owner = np.atleast_2d(np.asarray(owner, dtype=np.int8))
    m = len(owner)
    shared = owner == SHARED
    Y_hi = specialized_Y(data, owner == OWNER_2)          # x_S = 0
    Y_lo = specialized_Y(data, owner != OWNER_1)          # x_S = 1
    lo_u = float(np.log(Y_lo.min()) - np.log1p(-Y_lo.min())) - 0.5
    hi_u = float(np.log(Y_hi.max()) - np.log1p(-Y_hi.max())) + 0.5
    u = np.linspace(lo_u, hi_u, grid)
    log_Y, log_1mY = -softplus(-u), -softplus(u)
    z = _shared_z(data, shared, log_Y, log_1mY)
    with np.errstate(divide="ignore"):
        u_lo = np.log(Y_lo) - np.log1p(-Y_lo)
        u_hi = np.log(Y_hi) - np.log1p(-Y_hi)
    rows, cols, T_lo, T_hi = _grid_brackets(data, owner, u, z, u_lo, u_hi)

    d1, d2 = data.d
    M1 = (owner == OWNER_1).astype(float)
    M2 = (owner == OWNER_2).astype(float)
    A0, B0 = M2 @ d1, M1 @ d2

    # the shared goods of each bracket's pattern, grouped by their number k
    k_of = shared[rows].sum(axis=1)
    goods_of = {int(k): np.nonzero(shared[rows[k_of == k]])[1].reshape(-1, k) for k in np.unique(k_of)}
    slot = np.empty(len(rows), dtype=np.int64)
    for k in goods_of:
        sel = np.flatnonzero(k_of == k)
        slot[sel] = np.arange(len(sel))

    def T_at(uu, idx):
        """T at logit Y = ``uu`` for brackets ``idx``, z_i(Y) of the shared goods only.

        Parameters
        ----------
        uu : numpy.ndarray
            logit Y, one per bracket in ``idx``.
        idx : numpy.ndarray
            Bracket indices.

        Returns
        -------
        numpy.ndarray
            T = Y A - (1 - Y) B' (Eq. 2), one per bracket.
        """
        r = rows[idx]
        lY, l1mY = -softplus(-uu), -softplus(uu)
        Yv, omYv = np.exp(lY), np.exp(l1mY)
        A, B = A0[r].copy(), B0[r].copy()
        kk = k_of[idx]
        for k, goods_k in goods_of.items():
            sel = np.flatnonzero(kk == k)
            if not sel.size:
                continue
            g = goods_k[slot[idx[sel]]]                                          # (len, k)
            log_V = np.log(d1[g] * Yv[sel, None] + d2[g] * omYv[sel, None])
            zz = shared_z(data, g, lY[sel, None], l1mY[sel, None], log_V)
            for j in range(k):                                                   # goods in increasing order
                A[sel] += sigmoid(zz[:, j]) * d1[g[:, j]]
                B[sel] += sigmoid(-zz[:, j]) * d2[g[:, j]]
        return Yv * A - omYv * B

    u_root, T_root = refine_brackets(T_at, u[cols], u[cols + 1], T_lo, T_hi)
    found = np.isfinite(T_root)       # always, except where a set-up interval cuts a bracket (T undefined)
    if not found.all():
        rows, u_root = rows[found], u_root[found]
    return _complete(data, owner, rows, u_root, m)


def _complete(data: GomoryData, owner_batch: np.ndarray, rows: np.ndarray, u_root: np.ndarray, m: int) -> MixedEquilibria:
    """Utilities, residuals and stability at the roots (logit Y = ``u_root``) of patterns ``rows``."""
    owner = owner_batch[rows]
    shared = owner == SHARED
    log_Y, log_1mY = -softplus(-u_root), -softplus(u_root)
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




def concat_mixed(parts: list[MixedEquilibria], n: int) -> MixedEquilibria:
    """One :class:`MixedEquilibria` from several (pattern indices offset to stay unique).

    Parameters
    ----------
    parts : list of MixedEquilibria
        Batches of mixed equilibria (e.g. from :func:`mixed_equilibria`, one per census chunk).
    n : int
        Number of goods (the width of ``owner`` and ``x`` in an empty result).

    Returns
    -------
    MixedEquilibria
        All rows in order; ``pattern_index`` of each part shifted by the patterns searched before
        it, ``patterns_searched`` summed.
    """
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
    """Stream the mixed equilibria of every pattern with 1..max_shared shared goods (fast path).

    Parameters
    ----------
    data : GomoryData
        The instance.
    max_shared : int
        Largest number of shared goods (n - 2: every Theorem 1 pattern).
    chunk : int
        Patterns per batch (also sets each batch's logit-Y grid range).
    grid : int
        Points of the logit-Y grid.

    Yields
    ------
    MixedEquilibria
        The roots of each batch of patterns (:func:`pattern_roots`).
    """
    for owner in mixed_patterns(data.n, max_shared, chunk):
        yield pattern_roots(data, owner, grid)

