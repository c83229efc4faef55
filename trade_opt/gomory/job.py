"""The main Gomory job (``trade-opt run FILE --out DIR``): orchestration.

Writes into DIR, each file as soon as its part is done (so an interruption keeps what is finished):

* ``equilibria.csv``: every specialized equilibrium (pattern, Y, w1/w2, u1, u2, U1, U2), streamed
  chunk by chunk;
* ``boundary.csv``: B (greedy, LP) and B1 (DP, MIP) with their maximizers on a Y grid;
* ``summary.json``: counts, autarky, Ricardo level and solution, best equilibrium per country,
  Theorem 2/3 checks, DP = MIP agreement, solver statuses, timings (:func:`build_summary`);
* ``mixed_equilibria.csv``: every mixed equilibrium with 1..max_shared shared goods (default two
  when there are at most ``MIXED_TWO_LIMIT`` such patterns, else one), streamed;
* ``fig1.png``, ``fig2.png``: the paper's Figs. 1 and 2 redrawn (Fig. 1 with the mixed points small);
* ``fig3.png`` (special case only: symmetric demands, one exponent): Eq. 4 / Fig. 3.

The tables are written by :mod:`~trade_opt.gomory.job_tables`, the checks live in
:mod:`~trade_opt.gomory.job_checks`, the terminal lines in :mod:`~trade_opt.gomory.job_report`.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from trade_opt.gomory.boundary import BoundarySolver, default_grid
from trade_opt.gomory.equilibria import autarky_log_utilities, pattern_count
from trade_opt.gomory.instance import GomoryInstance
from trade_opt.gomory.job_checks import one_shared_summary, pyomo_cross_check, special_case_outputs
from trade_opt.gomory.job_report import print_summary
from trade_opt.gomory.job_tables import boundary_frame, enumerate_to_csv, mixed_to_csv, subsample
from trade_opt.gomory.mixed import concat_mixed, mixed_pattern_count
from trade_opt.gomory.plots import figure1, figure2
from trade_opt.gomory.ricardo import ricardo
from trade_opt.gomory.special_case import is_special
from trade_opt.gomory.theorems import theorem2_witnesses, theorem3_check, theorem3_points
from trade_opt.outputs import to_jsonable, write_csv, write_json
from trade_opt.progress import progress_bar

__all__ = ["build_summary", "default_max_shared", "enumerate_to_csv", "run_job"]

#: Equilibria checked against Theorem 3 (a uniform subsample beyond this).
THEOREM3_SAMPLE = 1 << 12
#: Mixed patterns with up to two shared goods when there are at most this many, else one shared good.
MIXED_TWO_LIMIT = 1 << 14
#: Skip mixed equilibria when even the one-shared-good pairs exceed this (n * (2^(n-1) - 2)).
MIXED_PAIR_LIMIT = 1 << 20


def default_max_shared(n: int) -> int:
    """Two shared goods when there are at most MIXED_TWO_LIMIT such patterns, else one (0: skip,
    too many pairs).  Every Theorem 1 pattern: ``run_job(max_shared=n - 2)`` or
    ``trade-opt gomory mixed FILE --max-shared K``."""
    if mixed_pattern_count(n, 2) <= MIXED_TWO_LIMIT:
        return min(2, n - 2)
    return 1 if mixed_pattern_count(n, 1) <= MIXED_PAIR_LIMIT else 0


def run_job(instance: GomoryInstance, out_dir: Path, *, source: str = "<instance>", grid_points: int = 201,
            max_shared: int | None = None) -> dict[str, Any]:
    """Run everything on one Gomory instance and write the outputs into ``out_dir``.

    ``max_shared``: mixed equilibria with up to this many shared goods (default
    :func:`default_max_shared`: every Theorem 1 pattern for small n, else one shared good)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = instance.data()
    timings: dict[str, float] = {}

    t = time.perf_counter()
    sample, stats = enumerate_to_csv(data, out_dir / "equilibria.csv")
    timings["enumeration"] = time.perf_counter() - t
    autarky = autarky_log_utilities(data)

    t = time.perf_counter()
    k_shared = default_max_shared(data.n) if max_shared is None else min(max_shared, data.n - 2)
    if k_shared > 0:
        mixed, mixed_stats = mixed_to_csv(data, out_dir / "mixed_equilibria.csv", k_shared)
    else:
        mixed, mixed_stats = concat_mixed([], data.n), {"max_shared": 0, "skipped": "too many patterns"}
    timings["mixed"] = time.perf_counter() - t
    t = time.perf_counter()
    one_shared = one_shared_summary(data) if mixed_pattern_count(data.n, 1) <= MIXED_PAIR_LIMIT else None
    timings["theorems_4_5"] = time.perf_counter() - t
    t = time.perf_counter()
    pyomo_check = pyomo_cross_check(data, mixed)
    timings["mixed_pyomo_check"] = time.perf_counter() - t

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
    th3 = theorem3_check(data, subsample(sample, stride3) if stride3 > 1 else sample)
    stride_m = max(1, -(-len(mixed) // (8 * THEOREM3_SAMPLE)))
    th3_mixed = theorem3_points(data, mixed.Y[::stride_m], mixed.u1[::stride_m])
    th2 = [min(theorem2_witnesses(data, float(Y)), key=lambda c: (not c.holds, c.utility_gap)) for Y in grid[1:-1:4]]
    timings["theorems"] = time.perf_counter() - t

    summary = build_summary(instance, data, source=source, stats=stats, autarky=autarky, rr=rr, grid=grid, frame=frame,
                            method_seconds=method_seconds, th3=th3, th3_mixed=th3_mixed, stride_m=stride_m, th2=th2,
                            mixed_stats=mixed_stats, one_shared=one_shared, pyomo_check=pyomo_check, timings=timings)
    write_json(out_dir / "summary.json", summary)

    t = time.perf_counter()
    title = f"Gomory (1991) {instance.name}: n = {data.n}, L = {data.L.tolist()}"
    valid = np.isfinite(frame["B1_dp"].to_numpy())
    figure1(out_dir / "fig1.png", sample.Y, sample.u1, grid[valid], frame["B_greedy"].to_numpy()[valid],
            frame["B1_dp"].to_numpy()[valid], rr.ricardo_level, autarky[0], data.L, title,
            mixed_Y=mixed.Y, mixed_u1=mixed.u1)
    ricardo_point = None if rr.ricardo_solution is None else (rr.solution_Y, rr.solution_u1, rr.solution_u2)
    figure2(out_dir / "fig2.png", sample.Y, sample.u1, sample.u2, autarky, ricardo_point, title)
    if is_special(data):
        summary["special_case"] = special_case_outputs(data, sample, out_dir / "fig3.png", title)
    timings["figures"] = time.perf_counter() - t
    summary["timings_seconds"] = timings
    write_json(out_dir / "summary.json", summary)

    print_summary(summary, out_dir)
    return summary


def build_summary(instance: GomoryInstance, data, *, source: str, stats: dict, autarky, rr, grid: np.ndarray, frame,
                  method_seconds: dict, th3, th3_mixed, stride_m: int, th2: list, mixed_stats: dict,
                  one_shared: dict | None, pyomo_check: dict, timings: dict) -> dict[str, Any]:
    """The summary dict of the main job (written as summary.json), from the stages' results.

    Parameters
    ----------
    instance, data : the instance and its numpy data (demands renormalized).
    source : the instance file name as given.
    stats : enumeration statistics (:func:`~trade_opt.gomory.job_tables.enumerate_to_csv`).
    autarky : (u1, u2) autarky log-utilities.
    rr : :class:`~trade_opt.gomory.ricardo.RicardoResult`.
    grid, frame, method_seconds : the boundary Y grid, its table and seconds per method.
    th3, th3_mixed, stride_m : Theorem 3 reports (specialized, mixed) and the mixed stride.
    th2 : Theorem 2 checks on the grid.
    mixed_stats, one_shared, pyomo_check : mixed census statistics, Theorems 4-5, Pyomo cross-check.
    timings : seconds per stage.

    Returns
    -------
    dict
        JSON-able after :func:`trade_opt.outputs.to_jsonable` (numpy scalars allowed).
    """
    statuses_mip = sorted(set(frame["status_mip"]))
    return {
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
        "theorem3_mixed": to_jsonable(th3_mixed) | {"violations": th3_mixed.violations, "stride": stride_m},
        "mixed": mixed_stats,
        "theorems_4_5_one_shared_good": one_shared,
        "mixed_pyomo_cross_check": pyomo_check,
        "theorem2": {"points": len(th2), "holds": int(sum(c.holds for c in th2))},
        "timings_seconds": timings,
    }
