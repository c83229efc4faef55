"""The tables of the main Gomory job: equilibria.csv, mixed_equilibria.csv, boundary.csv.

Each writer streams chunk by chunk (``trade_opt.outputs.CsvStream``: CSV, or Parquet inside
``trade_opt.outputs.table_format("parquet")``) and returns what the rest of the job needs (a
subsample for figures, counts and residual statistics).  The specialized equilibria, the largest
table (2^n - 2 rows), go from the kernel's numpy arrays straight into Arrow tables
(:func:`equilibria_table`: no pandas, patterns as text through a bytes view), so writing costs
about as much as computing.  This module imports no Pyomo or matplotlib (``trade-opt gomory
equilibria --csv`` starts fast).  Columns: ``pattern``
(good 1 first; specialized: 1 = country 2 makes the good; mixed: 0 country 1, 1 country 2, S
shared), ``Y`` = N_1 (N_1 + N_2 = 1), ``w_ratio`` = w_1 / w_2, ``u1``, ``u2`` log-utilities and
``U1``, ``U2`` = exp(u) (``models/gomory.md``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trade_opt.gomory.equilibria import (
    DEFAULT_CHUNK,
    EquilibriumBatch,
    concat_batches,
    pattern_count,
    specialized_equilibria,
)
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed import (
    SHARED,
    MixedEquilibria,
    concat_mixed,
    mixed_pattern_count,
    mixed_patterns,
    owner_strings,
    pattern_roots,
    theorem1_count,
)
from trade_opt.gomory.mixed.equations import sigmoid
from trade_opt.outputs import CsvStream, text_rows
from trade_opt.progress import progress_bar

#: Equilibria kept in memory for figures and Theorem 3 (a uniform subsample beyond this).
KEEP_IN_MEMORY = 1 << 20
#: Patterns per chunk of the mixed census (the chunk also sets the common logit-Y grid's range).
MIXED_CHUNK = 1 << 11


#: Columns of ``equilibria.csv`` (:func:`equilibria_table`).
EQUILIBRIA_COLUMNS = ("pattern", "Y", "w_ratio", "u1", "u2", "U1", "U2")


def equilibria_table(batch: EquilibriumBatch):
    """The ``equilibria.csv`` columns for a batch, as an Arrow table built from the arrays (no copy
    of the floats, no Python loop; u: log-utility, U = exp(u)).

    Parameters
    ----------
    batch : EquilibriumBatch
        Specialized equilibria.

    Returns
    -------
    pyarrow.Table
        pattern (text of 0/1, good 1 first: 1 = country 2 makes the good; Arrow ``large_string``),
        Y (= N_1), w_ratio (w_1 / w_2), u1, u2, U1, U2 (float64).
    """
    import pyarrow as pa

    X = np.ascontiguousarray(batch.X, dtype=bool)
    pattern = text_rows(X.view(np.uint8) + np.uint8(ord("0")))
    floats = (batch.Y, batch.w_ratio, batch.u1, batch.u2, np.exp(batch.u1), np.exp(batch.u2))
    return pa.table([pattern, *(pa.array(np.asarray(v, dtype=np.float64)) for v in floats)], names=list(EQUILIBRIA_COLUMNS))


def subsample(batch: EquilibriumBatch, stride: int) -> EquilibriumBatch:
    """Every ``stride``-th pattern code of a batch (codes divisible by ``stride``).

    Parameters
    ----------
    batch : EquilibriumBatch
        Specialized equilibria.
    stride : int
        A positive integer, any size (a stride beyond int64 keeps no code).

    Returns
    -------
    EquilibriumBatch
        The kept rows.
    """
    if stride == 1:
        return batch
    if stride > np.iinfo(np.int64).max:
        keep = np.zeros(len(batch.codes), dtype=bool)
    else:
        keep = batch.codes % np.int64(stride) == 0
    return EquilibriumBatch(*(getattr(batch, f)[keep] for f in EquilibriumBatch.__dataclass_fields__))


def enumerate_to_csv(data: GomoryData, path: Path, chunk: int = DEFAULT_CHUNK) -> tuple[EquilibriumBatch, dict[str, Any]]:
    """Stream all specialized equilibria to ``path``; return a (sub)sample and streaming statistics.

    Parameters
    ----------
    data : GomoryData
        The instance.
    path : pathlib.Path
        The CSV file (:func:`equilibria_table` columns; ``.parquet`` inside
        ``table_format("parquet")``).
    chunk : int, optional
        Patterns per kernel call (the kernel's block: the last bits of the values depend on it).

    Returns
    -------
    tuple
        (a uniform subsample of at most ``KEEP_IN_MEMORY`` equilibria, statistics: count, max
        residuals of the trade equation (Eq. 2) and of labor, best equilibrium per country,
        degenerate patterns).
    """
    total = pattern_count(data.n)
    stride = max(1, -(-total // KEEP_IN_MEMORY))
    kept: list[EquilibriumBatch] = []
    stats: dict[str, Any] = {"count": 0, "max_trade_residual": 0.0, "max_labor_residual": 0.0,
                             "best_country1": None, "best_country2": None}
    best = [(-np.inf, None), (-np.inf, None)]
    done = 0
    with CsvStream(path) as csv, progress_bar("equilibria", total) as bar:
        for batch in specialized_equilibria(data, chunk):
            csv.write(equilibria_table(batch))
            stats["count"] += len(batch)
            stats["max_trade_residual"] = max(stats["max_trade_residual"], float(np.abs(batch.trade_residual).max()))
            stats["max_labor_residual"] = max(stats["max_labor_residual"], float(np.abs(batch.labor_residual / data.L).max()))
            for j, u in enumerate((batch.u1, batch.u2)):
                k = int(np.argmax(u))
                if u[k] > best[j][0]:
                    best[j] = (float(u[k]), {"x": batch.X[k].astype(int).tolist(), "Y": float(batch.Y[k]),
                                            "w_ratio": float(batch.w_ratio[k]), "u1": float(batch.u1[k]), "u2": float(batch.u2[k])})
            kept.append(subsample(batch, stride))
            bar.advance(int(batch.codes[-1]) - done)  # patterns scanned, degenerate ones included
            done = int(batch.codes[-1])
    stats["best_country1"], stats["best_country2"] = best[0][1], best[1][1]
    stats["degenerate_patterns"] = total - stats["count"]
    stats["kept_for_figures"] = {"stride": stride}
    return concat_batches(kept, data.n), stats


def exact_text(values: np.ndarray) -> np.ndarray:
    """Floats as their shortest round-trip decimal strings (numpy's repr, vectorized; lossless).

    Used for the space-separated share lists of ``mixed_equilibria.csv`` (text columns); reading
    them back gives the same doubles.

    Parameters
    ----------
    values : float array.

    Returns
    -------
    numpy.ndarray
        Python ``repr`` strings (object array), same shape (``nan``, ``inf`` as such).
    """
    values = np.asarray(values, dtype=float)
    return np.array(list(map(repr, values.ravel().tolist())), dtype=object).reshape(values.shape)


def _joined(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row, the masked values as one space-separated string of exact decimals."""
    out = np.full(len(values), "", dtype=object)
    counts = mask.sum(axis=1)
    for k in np.unique(counts):
        if k == 0:
            continue
        rows = np.flatnonzero(counts == k)
        text = exact_text(values[rows][mask[rows]].reshape(len(rows), k))
        out[rows] = text[:, 0] if k == 1 else [" ".join(row) for row in text.tolist()]
    return out


def mixed_frame(me: MixedEquilibria) -> pd.DataFrame:
    """The ``mixed_equilibria.csv`` columns (pattern: 0 country 1, 1 country 2, S shared).

    ``x_shared`` lists country 2's shares x_i of the shared goods and ``one_minus_x_shared`` the
    shares 1 - x_i of country 1, both computed from logit x (no cancellation) and written as exact
    decimals (:func:`exact_text`), so a share near 1 keeps its distance from 1.  Numeric columns are
    written by :class:`trade_opt.outputs.CsvStream`, whose floats round-trip exactly.

    Parameters
    ----------
    me : MixedEquilibria
        The mixed equilibria of a batch.

    Returns
    -------
    pandas.DataFrame
        One row per equilibrium: pattern, n_shared, root, n_roots, Y, w_ratio (w_1 / w_2), u1, u2,
        U1, U2, x_shared, one_minus_x_shared, stability, stable, trade_residual, cost_residual.
    """
    shared = me.owner == SHARED
    one_minus_x = sigmoid(-me.z) if len(me) else np.zeros((0, me.owner.shape[1]))
    return pd.DataFrame({
        "pattern": owner_strings(me.owner) if len(me) else np.zeros(0, str),
        "n_shared": shared.sum(axis=1), "root": me.root, "n_roots": me.n_roots,
        "Y": me.Y, "w_ratio": me.w_ratio, "u1": me.u1, "u2": me.u2, "U1": np.exp(me.u1), "U2": np.exp(me.u2),
        "x_shared": _joined(me.x, shared), "one_minus_x_shared": _joined(one_minus_x, shared),
        "stability": me.stability, "stable": me.stable,
        "trade_residual": me.trade_residual, "cost_residual": me.cost_residual,
    })


def mixed_to_csv(data: GomoryData, path: Path, max_shared: int) -> tuple[MixedEquilibria, dict[str, Any]]:
    """The mixed census: every equilibrium of every pattern with 1..``max_shared`` shared goods.

    Streams the patterns (:func:`~trade_opt.gomory.mixed.mixed_patterns`), finds every root of each
    (:func:`~trade_opt.gomory.mixed.pattern_roots`: one scalar equation T(Y) = 0 per pattern, Eq. 2,
    vectorized across patterns), writes them to ``path`` and gathers, from the same roots, the
    counts per number of shared goods and Theorems 4-5 over the one-shared-good patterns
    (:class:`~trade_opt.gomory.job_checks.OneSharedCensus`).

    Parameters
    ----------
    data : GomoryData
        The instance.
    path : pathlib.Path
        The CSV file (``mixed_frame`` columns).
    max_shared : int
        Largest number of shared goods (n - 2: every pattern of Theorem 1).

    Returns
    -------
    tuple
        (all equilibria as one :class:`~trade_opt.gomory.mixed.MixedEquilibria`, statistics dict:
        counts per number of shared goods, root-count histogram, stable roots, Theorem 1's bound
        3^n - 2^(n+1) + 1, residuals, ``theorems_4_5`` when one shared good is included).
    """
    from trade_opt.gomory.job_checks import OneSharedCensus   # imports the B1 solvers (Pyomo)

    n = data.n
    total = mixed_pattern_count(n, max_shared)
    parts: list[MixedEquilibria] = []
    one_shared = OneSharedCensus(data)
    by_shared: dict[str, dict[str, Any]] = {}
    with CsvStream(path) as csv, progress_bar("mixed equilibria", total) as bar:
        for owner in mixed_patterns(n, max_shared, MIXED_CHUNK):
            part = pattern_roots(data, owner)
            csv.write(mixed_frame(part))
            parts.append(part)
            one_shared.add(owner, part)
            k_pattern = (owner == SHARED).sum(axis=1)
            k_root = part.n_shared
            for k in np.unique(k_pattern):
                entry = by_shared.setdefault(str(int(k)), {"patterns": 0, "equilibria": 0, "stable": 0,
                                                           "stability_undetermined": 0, "patterns_by_root_count": {}})
                entry["patterns"] += int(np.sum(k_pattern == k))
                sel = k_root == k
                entry["equilibria"] += int(sel.sum())
                entry["stable"] += int(part.stable[sel].sum())
                entry["stability_undetermined"] += int(np.isnan(part.stability[sel]).sum())
                for c, count in enumerate(np.bincount(part.roots_per_pattern[k_pattern == k])):
                    if count:
                        hist = entry["patterns_by_root_count"]
                        hist[str(c)] = hist.get(str(c), 0) + int(count)
            bar.advance(len(owner))
    me = concat_mixed(parts, n)
    for entry in by_shared.values():
        entry["roots"] = entry["equilibria"]
    hist = np.bincount(me.roots_per_pattern) if len(me.roots_per_pattern) else np.zeros(1, int)
    specialized = 2 ** n - 2
    stats = {
        "max_shared": max_shared, "complete": max_shared >= n - 2, "patterns": total,
        "patterns_searched": me.patterns_searched,
        "equilibria": len(me), "patterns_by_root_count": {str(k): int(c) for k, c in enumerate(hist) if c},
        "patterns_without_root": int(np.sum(me.roots_per_pattern == 0)),
        "stable": int(me.stable.sum()), "stability_undetermined": int(np.isnan(me.stability).sum()),
        "by_shared_goods": by_shared,
        "theorem1_bound": theorem1_count(n), "theorem1_bound_formula": "3^n - 2^(n+1) + 1",
        "specialized_patterns": specialized,
        "equilibria_with_specialized": len(me) + specialized if max_shared >= n - 2 else None,
        "max_abs_trade_residual": float(np.abs(me.trade_residual).max()) if len(me) else 0.0,
        "max_abs_cost_residual": float(np.abs(me.cost_residual).max()) if len(me) else 0.0,
        "theorems_4_5": one_shared.summary() if max_shared >= 1 else None,
    }
    return me, stats


def boundary_frame(points: list) -> pd.DataFrame:
    """``boundary.csv`` rows from :class:`~trade_opt.gomory.boundary.BoundaryPoint` s.

    Parameters
    ----------
    points : list
        Boundary points on a Y grid.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for p in points:
        rows.append({
            "Y": p.Y, "B_greedy": p.B_greedy, "B_lp": p.B_lp, "B1_dp": p.B1_dp, "B1_mip": p.B1_mip,
            "direction_dp": p.direction_dp, "status_lp": p.status_lp, "status_mip": p.status_mip,
            "x_B1_dp": "".join(map(str, p.x_B1_dp)) if p.x_B1_dp is not None else "",
            "x_B1_mip": "".join(map(str, p.x_B1_mip)) if p.x_B1_mip is not None else "",
            "x_B": " ".join(f"{v:.6g}" for v in p.x_B) if p.x_B is not None else "",
            "eq_Y": p.eq_Y, "eq_u1": p.eq_u1,
        })
    return pd.DataFrame(rows)

