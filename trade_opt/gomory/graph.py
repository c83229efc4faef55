"""The specialization graph of Gomory (1991): the hypercube of the 2^n - 2 specialized equilibria.

Two specialized patterns are **neighbours** when they differ in one good (the paper's
"Observations about the model" compares exactly such pairs: moving one industry from one country
to the other).  With pattern codes k = sum_i x_i 2^(i-1) (good 1 the lowest bit; x_i = 1: country
2 makes good i) the neighbours of k are k XOR 2^(i-1), i = 1..n; the codes 0 (all in country 1)
and 2^n - 1 (all in country 2) are not equilibria and are not nodes, nor are degenerate patterns
(a country without income, possible only with zero demand shares).

Per country j (utility u_j = ln U_j of the specialized equilibrium, ``equilibria.evaluate_patterns``):

* a **local maximum** is a pattern no single-good move improves: u_j(k XOR 2^i) <= u_j(k) + tol for
  every valid neighbour (``TIE_TOL`` = 1e-12 absolute, so round-off ties do not create false
  improvements; a plateau counts as local maxima);
* its distance below the integer boundary, B1_j(Y_j) - u_j >= 0 (Theorem 3), with B1 of
  ``boundary.boundary_B1_dp``; for country 2 the same DP on the mirrored instance (countries
  swapped, pattern complemented, income share 1 - Y, ``GomoryData.mirrored``);
* **improving-move paths** from a start pattern: steepest ascent (move to the best neighbour) or
  first improvement (the lowest-numbered good whose move improves); each step raises u_j by more than
  ``tol``, so every path is finite and ends at a local maximum;
* **conflict share**: over all neighbour pairs (hypercube edges between equilibria), the share
  where the move raises one country's utility and lowers the other's (u1 and u2 change by more than
  ``tol`` in opposite directions).

Representations: a networkx graph (:func:`specialization_graph`, n <= ``NX_MAX_N`` = 16), and the
implicit hypercube: a dense utility table over all 2^n codes built once by the vectorized
equilibrium kernel, whose neighbour utilities for all patterns at once are gathers at
``codes XOR (1 << i)`` (:func:`neighbour_utilities`, n <= ``DENSE_MAX_N`` = 24); and, with no table
(any n), the n neighbours of given patterns evaluated by the kernel on the flipped patterns
(:func:`kernel_neighbour_utilities`, used for paths and :func:`local_maxima_stream`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

import networkx as nx
import numpy as np

from trade_opt.gomory.boundary import boundary_B1_dp
from trade_opt.gomory.equilibria import (
    DEFAULT_CHUNK,
    evaluate_patterns,
    nondegenerate,
    pattern_bits,
    pattern_strings,
    specialized_equilibria,
)
from trade_opt.gomory.instance import GomoryData

#: Largest n for which :func:`specialization_graph` builds a networkx graph (2^16 nodes, 2^19 edges).
NX_MAX_N = 16
#: Largest n for the dense utility table (2 x 2^24 float64 = 256 MB).
DENSE_MAX_N = 24
#: A move improves a utility when it raises it by more than this (absolute, log-utility units).
TIE_TOL = 1e-12
#: Codes per chunk in the vectorized gathers.
GATHER_CHUNK = 1 << 16

Rule = Literal["steepest", "first"]


def _check_country(country: int) -> int:
    if country not in (1, 2):
        raise ValueError(f"country must be 1 or 2, got {country!r}")
    return country - 1


# ----------------------------------------------------------------------------------------------
# The implicit hypercube: a dense utility table and XOR gathers


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
    """Dense table of u_1, u_2, Y over all 2^n codes from the streaming kernel (n <= ``DENSE_MAX_N``)."""
    n = data.n
    if n > DENSE_MAX_N:
        raise ValueError(f"n = {n} > {DENSE_MAX_N}: the dense table would need 2^{n} entries; use the stream methods")
    u = np.full((2, 1 << n), np.nan)
    Y = np.full(1 << n, np.nan)
    for batch in specialized_equilibria(data, chunk):
        u[0, batch.codes], u[1, batch.codes], Y[batch.codes] = batch.u1, batch.u2, batch.Y
    return UtilityTable(n, u, Y)


def neighbour_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """(m, n) codes of the neighbours: column i is ``codes XOR (1 << i)`` (good i + 1 moved)."""
    return np.asarray(codes, dtype=np.int64)[:, None] ^ (np.int64(1) << np.arange(n, dtype=np.int64))


def neighbour_utilities(table: UtilityTable, codes: np.ndarray, country: int) -> np.ndarray:
    """(m, n) u_country of each neighbour of ``codes`` (NaN where the neighbour is no equilibrium)."""
    return table.u[_check_country(country)][neighbour_codes(codes, table.n)]


def _chunks(codes: np.ndarray, size: int = GATHER_CHUNK) -> Iterator[np.ndarray]:
    for start in range(0, len(codes), size):
        yield codes[start:start + size]


def best_neighbour_gain(table: UtilityTable, codes: np.ndarray, country: int) -> tuple[np.ndarray, np.ndarray]:
    """For each code: the largest u gain of a single-good move (-inf if no valid neighbour) and its code."""
    j = _check_country(country)
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
    >>> data = GomoryData.from_arrays([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]], [[1, 1, 1], [1, 1, 1]], [1.5, 1.5, 1.5])
    >>> table = utility_table(data)
    >>> [pattern_strings(pattern_bits(local_maxima(table, c), 3)).tolist() for c in (1, 2)]  # 1: country 2 makes it
    [['100', '010', '001'], ['110', '101', '011']]

    With identical technologies each country's local maxima are the patterns where it makes two of
    the three goods.
    """
    codes = table.codes
    gain, _ = best_neighbour_gain(table, codes, country)
    return codes[gain <= tol]


def steepest_ascent_targets(table: UtilityTable, country: int, tol: float = TIE_TOL) -> np.ndarray:
    """(2^n,) the local maximum that steepest ascent reaches from every code (-1 for non-equilibria).

    next(k) = the best neighbour if it improves by more than ``tol``, else k; the end points follow by
    pointer doubling (next <- next[next]), about log2(path length) vectorized gathers."""
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


# ----------------------------------------------------------------------------------------------
# The networkx graph


def specialization_graph(data: GomoryData, table: UtilityTable | None = None) -> nx.Graph:
    """The hypercube graph of the specialized equilibria as a networkx graph (n <= ``NX_MAX_N``).

    Nodes: pattern codes, with attributes ``pattern`` (string, good 1 first), ``Y``, ``u1``, ``u2``.
    Edges: pairs differing in one good, attribute ``good`` (1-based) moved between them."""
    if data.n > NX_MAX_N:
        raise ValueError(f"n = {data.n} > {NX_MAX_N}: use the implicit neighbours (utility_table, neighbour_utilities)")
    table = utility_table(data) if table is None else table
    codes = table.codes
    G = nx.Graph()
    strings = pattern_strings(pattern_bits(codes, data.n))
    G.add_nodes_from((int(k), {"pattern": s, "Y": float(table.Y[k]), "u1": float(table.u[0, k]), "u2": float(table.u[1, k])})
                     for k, s in zip(codes, strings))
    valid = table.valid
    for i in range(data.n):
        low = codes[(codes >> i) & 1 == 0]
        high = low | (1 << i)
        keep = valid[high]
        G.add_edges_from(zip(low[keep].tolist(), high[keep].tolist()), good=i + 1)
    return G


def local_maxima_networkx(G: nx.Graph, country: int, tol: float = TIE_TOL) -> np.ndarray:
    """Local maxima of u_country by a search over the networkx graph's adjacency (sorted codes)."""
    key = f"u{_check_country(country) + 1}"
    u = nx.get_node_attributes(G, key)
    return np.array(sorted(v for v in G.nodes if all(u[w] <= u[v] + tol for w in G.adj[v])), dtype=np.int64)


# ----------------------------------------------------------------------------------------------
# Kernel neighbours (no table; any n)


def _valid_codes(data: GomoryData, X: np.ndarray, codes: np.ndarray) -> np.ndarray:
    last = (np.int64(1) << data.n) - 1
    return (codes > 0) & (codes < last) & nondegenerate(data, X)


def kernel_neighbour_utilities(data: GomoryData, codes: np.ndarray) -> np.ndarray:
    """(m, n, 2) (u_1, u_2) of the n neighbours of each code, by the equilibrium kernel on the flipped
    patterns (one vectorized call); NaN where a neighbour is no equilibrium.  Needs no table."""
    codes = np.asarray(codes, dtype=np.int64)
    n = data.n
    nb = neighbour_codes(codes, n).ravel()
    X = pattern_bits(nb, n)
    out = np.full((nb.size, 2), np.nan)
    ok = _valid_codes(data, X, nb)
    if ok.any():
        batch = evaluate_patterns(data, X[ok], nb[ok])
        out[ok, 0], out[ok, 1] = batch.u1, batch.u2
    return out.reshape(len(codes), n, 2)


def hypercube_stream(data: GomoryData, tol: float = TIE_TOL, chunk: int = 1 << 10) -> tuple[np.ndarray, np.ndarray, "ConflictStats"]:
    """Local maxima of u_1 and u_2 and the conflict counts without a table (any n).

    Every chunk of equilibria and its n flips go through the kernel ((n + 1) 2^n pattern
    evaluations, memory ~ chunk x n^2); each neighbour pair is counted once, from its end with
    bit i = 0.  For n beyond ``DENSE_MAX_N``; equal to the table results otherwise (tested)."""
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


def local_maxima_stream(data: GomoryData, country: int, tol: float = TIE_TOL, chunk: int = 1 << 10) -> np.ndarray:
    """Local maxima of u_country without a table (:func:`hypercube_stream`)."""
    j = _check_country(country)
    return hypercube_stream(data, tol, chunk)[j]


# ----------------------------------------------------------------------------------------------
# Improving paths


@dataclass(frozen=True)
class ImprovingPath:
    """An improving-move path for one country: codes[0] = start, codes[-1] a local maximum.

    ``u`` (len, 2) has (u_1, u_2) along the path, ``Y`` country 1's income share, ``goods`` the good
    (1-based) moved at each step (len - 1 entries)."""

    country: int
    rule: str
    codes: np.ndarray
    u: np.ndarray
    Y: np.ndarray
    goods: np.ndarray


def improving_path(data: GomoryData, start: int, country: int, rule: Rule = "steepest",
                   table: UtilityTable | None = None, tol: float = TIE_TOL, max_steps: int | None = None) -> ImprovingPath:
    """Improving single-good moves from ``start`` until no move raises u_country by more than ``tol``.

    ``rule = "steepest"``: move to the neighbour with the largest u_country; ``"first"``: move the
    lowest-numbered good whose move improves.  Neighbour utilities come from ``table`` when given,
    else from the kernel (:func:`kernel_neighbour_utilities`; any n).  Each step raises u_country by
    more than ``tol``, so the path visits distinct patterns and ends at a local maximum."""
    j = _check_country(country)
    if rule not in ("steepest", "first"):
        raise ValueError(f"rule must be 'steepest' or 'first', got {rule!r}")
    n = data.n
    start = int(start)
    x0 = pattern_bits(np.array([start]), n)
    if not _valid_codes(data, x0, np.array([start], np.int64))[0]:
        raise ValueError(f"start code {start} is not a specialized equilibrium")

    def utilities(code: int) -> np.ndarray:
        if table is not None:
            return table.u[:, code]
        b = evaluate_patterns(data, pattern_bits(np.array([code]), n), np.array([code], np.int64))
        return np.array([b.u1[0], b.u2[0]])

    def neighbours(code: int) -> np.ndarray:
        if table is not None:
            return table.u[:, neighbour_codes(np.array([code]), n)[0]].T     # (n, 2)
        return kernel_neighbour_utilities(data, np.array([code]))[0]

    codes, us, goods = [start], [utilities(start)], []
    limit = (1 << n) if max_steps is None else max_steps
    while len(goods) < limit:
        nbu = neighbours(codes[-1])
        gain = nbu[:, j] - us[-1][j]
        gain = np.where(np.isnan(gain), -np.inf, gain)
        improving = np.flatnonzero(gain > tol)
        if improving.size == 0:
            break
        i = int(improving[np.argmax(gain[improving])]) if rule == "steepest" else int(improving[0])
        codes.append(codes[-1] ^ (1 << i))
        us.append(nbu[i])
        goods.append(i + 1)
    codes_a = np.array(codes, dtype=np.int64)
    Y = evaluate_patterns(data, pattern_bits(codes_a, n), codes_a).Y if table is None else table.Y[codes_a]
    return ImprovingPath(country, rule, codes_a, np.array(us), np.asarray(Y), np.array(goods, dtype=np.int64))


# ----------------------------------------------------------------------------------------------
# Conflict between the countries


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
        return self.conflict / self.edges if self.edges else float("nan")


def conflict_stats(table: UtilityTable, tol: float = TIE_TOL) -> ConflictStats:
    """Conflict counts over all neighbour pairs, vectorized per good i (pairs k, k | 2^i with bit i of k = 0)."""
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


# ----------------------------------------------------------------------------------------------
# Distance below B1


def distance_below_B1(data: GomoryData, codes: np.ndarray, country: int, table: UtilityTable | None = None) -> dict[str, np.ndarray]:
    """For equilibria ``codes``: country j's income share Y_j, u_j, B1_j(Y_j) (exact DP) and the gap B1_j - u_j.

    Country 1: Y_1 = Y, B1 of ``boundary.boundary_B1_dp``.  Country 2: Y_2 = 1 - Y and the DP on
    ``GomoryData.mirrored`` (complemented patterns).  Theorem 3: gap >= 0."""
    j = _check_country(country)
    codes = np.asarray(codes, dtype=np.int64)
    if table is not None:
        Y, u = table.Y[codes], table.u[j, codes]
    else:
        b = evaluate_patterns(data, pattern_bits(codes, data.n), codes)
        Y, u = b.Y, (b.u1, b.u2)[j]
    Yj = Y if j == 0 else 1.0 - Y
    B1 = boundary_B1_dp(data if j == 0 else data.mirrored(), Yj) if len(codes) else np.zeros(0)
    return {"Y_country": Yj, "u": u, "B1": B1, "gap": B1 - u}


__all__ = [
    "ConflictStats", "DENSE_MAX_N", "GraphReport", "graph_report", "hypercube_stream", "paths_frame", "ImprovingPath", "NX_MAX_N", "TIE_TOL", "UtilityTable", "best_neighbour_gain",
    "conflict_stats", "distance_below_B1", "improving_path", "kernel_neighbour_utilities", "local_maxima",
    "local_maxima_networkx", "local_maxima_stream", "neighbour_codes", "neighbour_utilities",
    "specialization_graph", "steepest_ascent_targets", "utility_table",
]


# ----------------------------------------------------------------------------------------------
# The report behind ``trade-opt gomory graph``

METHODS = ("auto", "networkx", "table", "stream")


@dataclass(frozen=True, eq=False)
class GraphReport:
    """Everything ``trade-opt gomory graph`` prints and writes.

    summary : JSON-able dict (counts, conflict share, per-country local maxima and checks).
    local_maxima : table (country, code, pattern, Y, u1, u2, Y_country, B1, gap, basin_steepest).
    paths : list of :class:`ImprovingPath`; conflict_by_good : table (good, conflict, aligned, ties, share).
    table : the dense utility table (None for ``method = "stream"``).
    """

    summary: dict
    local_maxima: "object"
    paths: list[ImprovingPath]
    conflict_by_good: "object"
    table: UtilityTable | None


def graph_report(data: GomoryData, *, n_starts: int = 3, seed: int = 0, method: str = "auto") -> GraphReport:
    """Local maxima per country (with B1 gaps and steepest-ascent basin sizes), conflict counts, and
    improving paths (steepest and first improvement, both countries) from ``n_starts`` seeded random
    starts.  ``method``: ``"networkx"`` (n <= 16: local maxima by graph search, cross-checked with the
    table), ``"table"`` (XOR gathers, n <= 24), ``"stream"`` (kernel flips, any n; no basins),
    ``"auto"``: networkx for n <= 16, table for n <= 24, stream beyond."""
    import pandas as pd

    n = data.n
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if method == "auto":
        method = "networkx" if n <= NX_MAX_N else ("table" if n <= DENSE_MAX_N else "stream")
    if method == "networkx" and n > NX_MAX_N:
        raise ValueError(f"method 'networkx' needs n <= {NX_MAX_N}, got n = {n}")
    if method == "table" and n > DENSE_MAX_N:
        raise ValueError(f"method 'table' needs n <= {DENSE_MAX_N}, got n = {n}")
    table = None if method == "stream" else utility_table(data)
    summary: dict = {"n": n, "method": method}
    stream_best = [(-np.inf, -1), (-np.inf, -1)]
    if table is None:
        lm1, lm2, conflict = hypercube_stream(data)
        count = 0
        for bt in specialized_equilibria(data):                 # count and global maxima, one more pass
            count += len(bt)
            for j, uj in enumerate((bt.u1, bt.u2)):
                k = int(np.argmax(uj))
                if uj[k] > stream_best[j][0]:
                    stream_best[j] = (float(uj[k]), int(bt.codes[k]))
        basins = [None, None]
    else:
        conflict = conflict_stats(table)
        count = int(table.valid.sum())
        if method == "networkx":
            G = specialization_graph(data, table)
            lm1, lm2 = local_maxima_networkx(G, 1), local_maxima_networkx(G, 2)
            summary["networkx"] = {"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                                   "agrees_with_xor_gathers": bool(np.array_equal(lm1, local_maxima(table, 1))
                                                                   and np.array_equal(lm2, local_maxima(table, 2)))}
        else:
            lm1, lm2 = local_maxima(table, 1), local_maxima(table, 2)
        basins = [steepest_ascent_targets(table, c) for c in (1, 2)]
    summary.update(equilibria=count, edges=conflict.edges, conflict=conflict.conflict, aligned=conflict.aligned,
                   ties=conflict.ties, conflict_share=conflict.conflict_share)
    rows = []
    countries = {}
    for c, lm in ((1, lm1), (2, lm2)):
        dist = distance_below_B1(data, lm, c, table)
        b = evaluate_patterns(data, pattern_bits(lm, n), lm) if len(lm) else None
        if basins[c - 1] is not None:
            ends, sizes = np.unique(basins[c - 1][table.codes], return_counts=True)
            basin = dict(zip(ends.tolist(), sizes.tolist()))
        else:
            basin = {}
        for r, k in enumerate(lm):
            rows.append({"country": c, "code": int(k), "pattern": pattern_strings(pattern_bits(np.array([k]), n))[0],
                         "Y": float(b.Y[r]), "u1": float(b.u1[r]), "u2": float(b.u2[r]),
                         "Y_country": float(dist["Y_country"][r]), "B1": float(dist["B1"][r]), "gap": float(dist["gap"][r]),
                         "basin_steepest": basin.get(int(k))})
        if table is not None:
            best = int(table.codes[np.argmax(table.u[c - 1, table.codes])])
        else:
            best = stream_best[c - 1][1]
        countries[str(c)] = {
            "local_maxima": int(len(lm)), "codes": lm.tolist(),
            "global_max_code": best, "global_max_is_local": bool(best in set(lm.tolist())),
            "gap_min": float(dist["gap"].min()) if len(lm) else None, "gap_max": float(dist["gap"].max()) if len(lm) else None,
            "on_B1": int(np.sum(np.abs(dist["gap"]) <= 1e-12)),
        }
    summary["countries"] = countries
    rng = np.random.default_rng(seed)
    if table is not None:
        starts = rng.choice(table.codes, size=min(n_starts, len(table.codes)), replace=False) if len(table.codes) else []
    else:                                                     # rejection sampling: no list of 2^n codes
        starts = []
        while len(starts) < min(n_starts, count):
            k = int(rng.integers(1, (1 << n) - 1))
            if k not in starts and _valid_codes(data, pattern_bits(np.array([k]), n), np.array([k], np.int64))[0]:
                starts.append(k)
    paths = [improving_path(data, int(s), c, rule, table) for s in starts for c in (1, 2) for rule in ("steepest", "first")]
    summary["paths"] = [{"start": int(p.codes[0]), "country": p.country, "rule": p.rule, "end": int(p.codes[-1]),
                         "moves": int(len(p.goods)), "u_start": float(p.u[0, p.country - 1]),
                         "u_end": float(p.u[-1, p.country - 1])} for p in paths]
    by_good = pd.DataFrame({"good": np.arange(1, n + 1), "conflict": conflict.by_good[:, 0], "aligned": conflict.by_good[:, 1],
                            "ties": conflict.by_good[:, 2]})
    by_good["conflict_share"] = by_good["conflict"] / by_good[["conflict", "aligned", "ties"]].sum(axis=1)
    return GraphReport(summary, pd.DataFrame(rows), paths, by_good, table)


def paths_frame(paths: list[ImprovingPath], n: int):
    """One row per visited pattern: path id, country, rule, step, code, pattern, good moved, Y, u1, u2."""
    import pandas as pd

    rows = []
    for pid, p in enumerate(paths):
        strings = pattern_strings(pattern_bits(p.codes, n))
        for step, code in enumerate(p.codes):
            rows.append({"path": pid, "country": p.country, "rule": p.rule, "step": step, "code": int(code),
                         "pattern": strings[step], "good_moved": int(p.goods[step - 1]) if step else None,
                         "Y": float(p.Y[step]), "u1": float(p.u[step, 0]), "u2": float(p.u[step, 1])})
    return pd.DataFrame(rows)
