"""The report behind ``trade-opt gomory graph``: local maxima, B1 gaps, basins, conflict, paths.

Per country j: the local maxima of u_j, their distance below the integer boundary B1_j(Y_j) - u_j
>= 0 (Theorem 3; country 2 through the mirrored instance), steepest-ascent basin sizes, the
conflict share over all neighbour pairs, and improving paths from seeded random starts
(``models/gomory.md``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.gomory.boundary import boundary_B1_dp
from trade_opt.gomory.equilibria import evaluate_patterns, pattern_bits, pattern_strings, specialized_equilibria
from trade_opt.gomory.graph.networkx_graph import NX_MAX_N, local_maxima_networkx, specialization_graph
from trade_opt.gomory.graph.paths import ImprovingPath, improving_path
from trade_opt.gomory.graph.stream import hypercube_stream, valid_codes
from trade_opt.gomory.graph.table import (
    DENSE_MAX_N,
    UtilityTable,
    check_country,
    conflict_stats,
    local_maxima,
    steepest_ascent_targets,
    utility_table,
)
from trade_opt.gomory.instance import GomoryData
from trade_opt.errors import ArgumentError

METHODS = ("auto", "networkx", "table", "stream")


def pattern_of(code: int, n: int) -> str:
    """The 0/1 pattern string (good 1 first, as in ``equilibria.csv``) of pattern code
    k = sum_i x_i 2^(i-1).

    Parameters
    ----------
    code : int
        The pattern code.
    n : int
        Number of goods.

    Returns
    -------
    str

    Examples
    --------
    >>> pattern_of(5, 4)          # goods 1 and 3 made by country 2
    '1010'
    """
    return str(pattern_strings(pattern_bits(np.array([int(code)], dtype=np.int64), n))[0])


def distance_below_B1(data: GomoryData, codes: np.ndarray, country: int, table: UtilityTable | None = None) -> dict[str, np.ndarray]:
    """For equilibria ``codes``: country j's income share Y_j, u_j, B1_j(Y_j) (exact DP) and the gap B1_j - u_j.

    Country 1: Y_1 = Y, B1 of ``boundary.boundary_B1_dp``.  Country 2: Y_2 = 1 - Y and the DP on
    ``GomoryData.mirrored`` (complemented patterns).  Theorem 3: gap >= 0.

    Parameters
    ----------
    data : GomoryData
        The instance.
    codes : numpy.ndarray
        (m,) codes of specialized equilibria.
    country : 1 or 2.
    table : UtilityTable, optional
        The dense utility table, or None (the kernel evaluates the codes).

    Returns
    -------
    dict of numpy.ndarray
        ``Y_country``, ``u``, ``B1``, ``gap`` (log-utility units).
    """
    j = check_country(country)
    codes = np.asarray(codes, dtype=np.int64)
    if table is not None:
        Y, u = table.Y[codes], table.u[j, codes]
    else:
        b = evaluate_patterns(data, pattern_bits(codes, data.n), codes)
        Y, u = b.Y, (b.u1, b.u2)[j]
    Yj = Y if j == 0 else 1.0 - Y
    B1 = boundary_B1_dp(data if j == 0 else data.mirrored(), Yj) if len(codes) else np.zeros(0)
    return {"Y_country": Yj, "u": u, "B1": B1, "gap": B1 - u}



@dataclass(frozen=True, eq=False)
class GraphReport:
    """Everything ``trade-opt gomory graph`` prints and writes.

    Patterns are written as everywhere else: strings of 0/1, good 1 first (1: country 2 makes the
    good), equal to the ``pattern`` column of ``equilibria.csv``; the integer codes
    k = sum_i x_i 2^(i-1) stay in memory only (``local_codes``, ``ImprovingPath.codes``).

    summary : JSON-able dict (counts, conflict share, per-country local maxima as ``patterns`` and
        ``global_max_pattern``, checks; paths with ``start``/``end`` patterns).
    local_maxima : table (country, pattern, Y, u1, u2, Y_country, B1, gap, basin_steepest).
    paths : list of :class:`ImprovingPath`; conflict_by_good : table (good, conflict, aligned, ties, share).
    table : the dense utility table (None for ``method = "stream"``).
    local_codes : the codes of country 1's and country 2's local maxima (rows of ``local_maxima``).
    """

    summary: dict
    local_maxima: "object"
    paths: list[ImprovingPath]
    conflict_by_good: "object"
    table: UtilityTable | None
    local_codes: tuple = (np.zeros(0, np.int64), np.zeros(0, np.int64))


def graph_report(data: GomoryData, *, n_starts: int = 3, seed: int = 0, method: str = "auto") -> GraphReport:
    """Local maxima per country (with B1 gaps and steepest-ascent basin sizes), conflict counts, and
    improving paths (steepest and first improvement, both countries) from ``n_starts`` seeded random
    starts.  ``method``: ``"networkx"`` (n <= 16: local maxima by graph search, cross-checked with the
    table), ``"table"`` (XOR gathers, n <= 24), ``"stream"`` (kernel flips, any n; no basins),
    ``"auto"``: networkx for n <= 16, table for n <= 24, stream beyond.

    Parameters
    ----------
    data : GomoryData
        The instance.
    n_starts : int, optional
        Random start patterns of the improving paths.
    seed : int, optional
        Seed of the starts.
    method : str, optional
        ``"auto"``, ``"networkx"``, ``"table"`` or ``"stream"``.

    Returns
    -------
    GraphReport
    """
    import pandas as pd

    n = data.n

    def pattern_text(code) -> str:
        return pattern_of(code, n)

    if method not in METHODS:
        raise ArgumentError("method", f"must be one of {METHODS}, got {method!r}")
    if method == "auto":
        method = "networkx" if n <= NX_MAX_N else ("table" if n <= DENSE_MAX_N else "stream")
    if method == "networkx" and n > NX_MAX_N:
        raise ArgumentError("method", f"'networkx' needs n <= {NX_MAX_N}, got n = {n}")
    if method == "table" and n > DENSE_MAX_N:
        raise ArgumentError("method", f"'table' needs n <= {DENSE_MAX_N}, got n = {n}")
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
            rows.append({"country": c, "pattern": pattern_text(k),
                         "Y": float(b.Y[r]), "u1": float(b.u1[r]), "u2": float(b.u2[r]),
                         "Y_country": float(dist["Y_country"][r]), "B1": float(dist["B1"][r]), "gap": float(dist["gap"][r]),
                         "basin_steepest": basin.get(int(k))})
        if table is not None:
            best = int(table.codes[np.argmax(table.u[c - 1, table.codes])])
        else:
            best = stream_best[c - 1][1]
        countries[str(c)] = {
            "local_maxima": int(len(lm)), "patterns": [pattern_text(k) for k in lm],
            "global_max_pattern": pattern_text(best), "global_max_is_local": bool(best in set(lm.tolist())),
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
            if k not in starts and valid_codes(data, pattern_bits(np.array([k]), n), np.array([k], np.int64))[0]:
                starts.append(k)
    paths = [improving_path(data, int(s), c, rule, table) for s in starts for c in (1, 2) for rule in ("steepest", "first")]
    summary["paths"] = [{"start": pattern_text(p.codes[0]), "country": p.country, "rule": p.rule, "end": pattern_text(p.codes[-1]),
                         "moves": int(len(p.goods)), "u_start": float(p.u[0, p.country - 1]),
                         "u_end": float(p.u[-1, p.country - 1])} for p in paths]
    by_good = pd.DataFrame({"good": np.arange(1, n + 1), "conflict": conflict.by_good[:, 0], "aligned": conflict.by_good[:, 1],
                            "ties": conflict.by_good[:, 2]})
    by_good["conflict_share"] = by_good["conflict"] / by_good[["conflict", "aligned", "ties"]].sum(axis=1)
    return GraphReport(summary, pd.DataFrame(rows), paths, by_good, table, (np.asarray(lm1, np.int64), np.asarray(lm2, np.int64)))

