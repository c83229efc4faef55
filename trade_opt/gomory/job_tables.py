"""The tables of the main Gomory job: equilibria.csv, mixed_equilibria.csv, boundary.csv.

Each writer streams chunk by chunk (``trade_opt.outputs.CsvStream``) and returns what the rest of
the job needs (a subsample for figures, counts and residual statistics).  Columns: ``pattern``
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
    pattern_strings,
    specialized_equilibria,
)
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed import MixedEquilibria, concat_mixed, mixed_equilibria, mixed_pattern_count, owner_strings
from trade_opt.outputs import CsvStream
from trade_opt.progress import progress_bar

#: Equilibria kept in memory for figures and Theorem 3 (a uniform subsample beyond this).
KEEP_IN_MEMORY = 1 << 20


def equilibria_frame(batch: EquilibriumBatch) -> pd.DataFrame:
    """The ``equilibria.csv`` columns for a batch (u: log-utility, U = exp(u))."""
    return pd.DataFrame({
        "pattern": pattern_strings(batch.X),
        "Y": batch.Y,
        "w_ratio": batch.w_ratio,
        "u1": batch.u1,
        "u2": batch.u2,
        "U1": np.exp(batch.u1),
        "U2": np.exp(batch.u2),
    })


def subsample(batch: EquilibriumBatch, stride: int) -> EquilibriumBatch:
    if stride == 1:
        return batch
    keep = batch.codes % stride == 0
    return EquilibriumBatch(*(getattr(batch, f)[keep] for f in EquilibriumBatch.__dataclass_fields__))


def enumerate_to_csv(data: GomoryData, path: Path, chunk: int = DEFAULT_CHUNK) -> tuple[EquilibriumBatch, dict[str, Any]]:
    """Stream all specialized equilibria to ``path``; return a (sub)sample and streaming statistics."""
    total = pattern_count(data.n)
    stride = max(1, -(-total // KEEP_IN_MEMORY))
    kept: list[EquilibriumBatch] = []
    stats: dict[str, Any] = {"count": 0, "max_trade_residual": 0.0, "max_labor_residual": 0.0,
                             "best_country1": None, "best_country2": None}
    best = [(-np.inf, None), (-np.inf, None)]
    done = 0
    with CsvStream(path) as csv, progress_bar("equilibria", total) as bar:
        for batch in specialized_equilibria(data, chunk):
            csv.write(equilibria_frame(batch))
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


def mixed_frame(me: MixedEquilibria) -> pd.DataFrame:
    """The ``mixed_equilibria.csv`` columns (pattern: 0 country 1, 1 country 2, S shared)."""
    shared = me.owner == 2
    x_shared = [" ".join(f"{v:.12g}" for v in row[mask]) for row, mask in zip(me.x, shared)]
    return pd.DataFrame({
        "pattern": owner_strings(me.owner) if len(me) else np.zeros(0, str),
        "n_shared": shared.sum(axis=1), "root": me.root, "n_roots": me.n_roots,
        "Y": me.Y, "w_ratio": me.w_ratio, "u1": me.u1, "u2": me.u2, "U1": np.exp(me.u1), "U2": np.exp(me.u2),
        "x_shared": x_shared, "stability": me.stability, "stable": me.stable,
        "trade_residual": me.trade_residual, "cost_residual": me.cost_residual,
    })

def mixed_to_csv(data: GomoryData, path: Path, max_shared: int) -> tuple[MixedEquilibria, dict[str, Any]]:
    """Stream the mixed equilibria (fast path) to ``path``; return them and statistics."""
    total = mixed_pattern_count(data.n, max_shared)
    parts: list[MixedEquilibria] = []
    with CsvStream(path) as csv, progress_bar("mixed equilibria", total) as bar:
        for part in mixed_equilibria(data, max_shared):
            csv.write(mixed_frame(part))
            parts.append(part)
            bar.advance(part.patterns_searched)
    me = concat_mixed(parts, data.n)
    hist = np.bincount(me.roots_per_pattern) if len(me.roots_per_pattern) else np.zeros(1, int)
    by_shared = {}
    for k in range(1, max_shared + 1):
        sel = me.n_shared == k
        if sel.any():
            by_shared[str(k)] = {"roots": int(sel.sum()), "stable": int(me.stable[sel].sum())}
    stats = {
        "max_shared": max_shared, "patterns": total, "patterns_searched": me.patterns_searched,
        "equilibria": len(me), "patterns_by_root_count": {str(k): int(c) for k, c in enumerate(hist) if c},
        "patterns_without_root": int(np.sum(me.roots_per_pattern == 0)),
        "stable": int(me.stable.sum()), "by_shared_goods": by_shared,
        "max_abs_trade_residual": float(np.abs(me.trade_residual).max()) if len(me) else 0.0,
        "max_abs_cost_residual": float(np.abs(me.cost_residual).max()) if len(me) else 0.0,
    }
    return me, stats



def boundary_frame(points: list) -> pd.DataFrame:
    """``boundary.csv`` rows from :class:`~trade_opt.gomory.boundary.BoundaryPoint` s."""
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

