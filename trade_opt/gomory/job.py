"""The main Gomory job (``trade-opt run FILE --out DIR``).

Writes into DIR, each file as soon as its part is done (so an interruption keeps what is finished):

* ``equilibria.csv``: every specialized equilibrium (pattern, Y, w1/w2, u1, u2, U1, U2), streamed
  chunk by chunk;
* ``boundary.csv``: B (greedy, LP) and B1 (DP, MIP) with their maximizers on a Y grid;
* ``summary.json``: counts, autarky, Ricardo level and solution, best equilibrium per country,
  Theorem 2/3 checks, DP = MIP agreement, solver statuses, timings;
* ``fig1.png``, ``fig2.png``: the paper's Figs. 1 and 2 redrawn.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trade_opt.gomory.boundary import BoundarySolver, default_grid
from trade_opt.gomory.equilibria import (
    DEFAULT_CHUNK,
    EquilibriumBatch,
    autarky_log_utilities,
    concat_batches,
    pattern_count,
    pattern_strings,
    specialized_equilibria,
)
from trade_opt.gomory.instance import GomoryData, GomoryInstance
from trade_opt.gomory.plots import figure1, figure2
from trade_opt.gomory.ricardo import ricardo
from trade_opt.gomory.theorems import theorem2_witnesses, theorem3_check
from trade_opt.outputs import CsvStream, to_jsonable, write_csv, write_json
from trade_opt.progress import progress_bar

#: Equilibria kept in memory for figures and Theorem 3 (a uniform subsample beyond this).
KEEP_IN_MEMORY = 1 << 20
#: Equilibria checked against Theorem 3 (a uniform subsample beyond this).
THEOREM3_SAMPLE = 1 << 12


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


def _subsample(batch: EquilibriumBatch, stride: int) -> EquilibriumBatch:
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
            kept.append(_subsample(batch, stride))
            bar.advance(int(batch.codes[-1]) - done)  # patterns scanned, degenerate ones included
            done = int(batch.codes[-1])
    stats["best_country1"], stats["best_country2"] = best[0][1], best[1][1]
    stats["degenerate_patterns"] = total - stats["count"]
    stats["kept_for_figures"] = {"stride": stride}
    return concat_batches(kept, data.n), stats


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


def run_job(instance: GomoryInstance, out_dir: Path, *, source: str = "<instance>", grid_points: int = 201) -> dict[str, Any]:
    """Run everything on one Gomory instance and write the outputs into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = instance.data()
    timings: dict[str, float] = {}

    t = time.perf_counter()
    sample, stats = enumerate_to_csv(data, out_dir / "equilibria.csv")
    timings["enumeration"] = time.perf_counter() - t
    autarky = autarky_log_utilities(data)

    t = time.perf_counter()
    rr = ricardo(data)
    timings["ricardo"] = time.perf_counter() - t

    t = time.perf_counter()
    margin = 0.02 * (sample.Y.max() - sample.Y.min())
    grid = default_grid(sample.Y.min() - margin, sample.Y.max() + margin, grid_points)
    solver = BoundarySolver(data)
    points = []
    with progress_bar("boundary B, B1", len(grid)) as bar:
        for Y in grid:
            points.append(solver.at(float(Y)))
            bar.advance()
    frame = boundary_frame(points)
    write_csv(out_dir / "boundary.csv", frame)
    timings["boundary"] = time.perf_counter() - t
    method_seconds = {m: float(sum(p.seconds.get(m, 0.0) for p in points)) for m in ("greedy", "lp", "dp", "mip")}

    t = time.perf_counter()
    stride3 = max(1, -(-len(sample) // THEOREM3_SAMPLE))
    th3 = theorem3_check(data, _subsample(sample, stride3) if stride3 > 1 else sample)
    th2 = [min(theorem2_witnesses(data, float(Y)), key=lambda c: (not c.holds, c.utility_gap)) for Y in grid[1:-1:4]]
    timings["theorems"] = time.perf_counter() - t

    statuses_mip = sorted(set(frame["status_mip"]))
    summary = {
        "model": "gomory",
        "name": instance.name,
        "source_file": source,
        "n": data.n,
        "labor": data.L,
        "demand_row_sums_before_renormalization": data.demand_row_sums,
        "patterns": pattern_count(data.n),
        "count": stats["count"],
        "degenerate_patterns": stats["degenerate_patterns"],
        "autarky": {"u1": autarky[0], "u2": autarky[1], "U1": np.exp(autarky[0]), "U2": np.exp(autarky[1])},
        "ricardo_level": rr.ricardo_level,
        "ricardo_wage_ratio": rr.wage_ratio,
        "ricardo_gap_below_above": [rr.gap_below, rr.gap_above],
        "ricardo_solution": rr.ricardo_solution,
        "ricardo_solution_equilibrium": None if rr.ricardo_solution is None else {"Y": rr.solution_Y, "u1": rr.solution_u1, "u2": rr.solution_u2},
        "best_equilibrium_country1": stats["best_country1"],
        "best_equilibrium_country2": stats["best_country2"],
        "identities": {"max_trade_equation_residual": stats["max_trade_residual"],
                       "max_relative_labor_residual": stats["max_labor_residual"]},
        "boundary": {
            "grid_points": len(grid), "Y_range": [float(grid[0]), float(grid[-1])],
            "max_abs_B_greedy_minus_B_lp": float(np.max(np.abs(frame["B_greedy"] - frame["B_lp"]))),
            "max_abs_B1_dp_minus_B1_mip": float(np.max(np.abs(frame["B1_dp"] - frame["B1_mip"]))),
            "max_B1_minus_B": float(np.max(frame["B1_dp"] - frame["B_greedy"])),
            "status_lp": sorted(set(frame["status_lp"])),
            "status_mip": statuses_mip,
            "method_seconds": method_seconds,
        },
        "theorem3": to_jsonable(th3) | {"violations": th3.violations},
        "theorem2": {"points": len(th2), "holds": int(sum(c.holds for c in th2))},
        "timings_seconds": timings,
    }
    write_json(out_dir / "summary.json", summary)

    t = time.perf_counter()
    title = f"Gomory (1991) {instance.name}: n = {data.n}, L = {data.L.tolist()}"
    valid = np.isfinite(frame["B1_dp"].to_numpy())
    figure1(out_dir / "fig1.png", sample.Y, sample.u1, grid[valid], frame["B_greedy"].to_numpy()[valid],
            frame["B1_dp"].to_numpy()[valid], rr.ricardo_level, autarky[0], data.L, title)
    ricardo_point = None if rr.ricardo_solution is None else (rr.solution_Y, rr.solution_u1, rr.solution_u2)
    figure2(out_dir / "fig2.png", sample.Y, sample.u1, sample.u2, autarky, ricardo_point, title)
    timings["figures"] = time.perf_counter() - t
    summary["timings_seconds"] = timings
    write_json(out_dir / "summary.json", summary)

    _print_summary(summary, out_dir)
    return summary


def _print_summary(s: dict[str, Any], out_dir: Path) -> None:
    b1, b2 = s["best_equilibrium_country1"], s["best_equilibrium_country2"]
    rs = s["ricardo_solution"]
    lines = [
        f"Gomory (1991) instance '{s['name']}': n = {s['n']} goods, L = {list(map(float, s['labor']))}",
        f"  specialized equilibria: {s['count']} of {s['patterns']} patterns"
        + (f" ({s['degenerate_patterns']} degenerate skipped)" if s["degenerate_patterns"] else ""),
        f"  autarky log-utilities: u1 = {s['autarky']['u1']:.6f}, u2 = {s['autarky']['u2']:.6f}",
        f"  Ricardo level Y_R = {s['ricardo_level']:.10f} (w1/w2 = {s['ricardo_wage_ratio']:.6f}); "
        + ("Ricardo solution " + "".join(map(str, rs)) if rs else "no Ricardo solution (g jumps over 0 at Y_R)"),
        f"  best for country 1: x = {''.join(map(str, b1['x']))}, Y = {b1['Y']:.6f}, u1 = {b1['u1']:.6f}",
        f"  best for country 2: x = {''.join(map(str, b2['x']))}, Y = {b2['Y']:.6f}, u2 = {b2['u2']:.6f}",
        f"  boundary on {s['boundary']['grid_points']} Y: max|B_greedy - B_lp| = {s['boundary']['max_abs_B_greedy_minus_B_lp']:.2e}, "
        f"max|B1_dp - B1_mip| = {s['boundary']['max_abs_B1_dp_minus_B1_mip']:.2e}, MIP status {s['boundary']['status_mip']}",
        f"  Theorem 3 (u1 <= B1 <= B): {s['theorem3']['checked']} equilibria checked, {s['theorem3']['violations']} violations",
        f"  Theorem 2: holds at {s['theorem2']['holds']} of {s['theorem2']['points']} grid points",
        f"  outputs: {out_dir}/(equilibria.csv, boundary.csv, summary.json, fig1.png, fig2.png)",
    ]
    print("\n".join(lines))
