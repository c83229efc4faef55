"""The main Gomory job (``trade-opt run FILE --out DIR``).

Writes into DIR, each file as soon as its part is done (so an interruption keeps what is finished):

* ``equilibria.csv``: every specialized equilibrium (pattern, Y, w1/w2, u1, u2, U1, U2), streamed
  chunk by chunk;
* ``boundary.csv``: B (greedy, LP) and B1 (DP, MIP) with their maximizers on a Y grid;
* ``summary.json``: counts, autarky, Ricardo level and solution, best equilibrium per country,
  Theorem 2/3 checks, DP = MIP agreement, solver statuses, timings;
* ``mixed_equilibria.csv``: every mixed equilibrium with 1..max_shared shared goods (default two
  when there are at most ``MIXED_TWO_LIMIT`` such patterns, else one), streamed;
* ``fig1.png``, ``fig2.png``: the paper's Figs. 1 and 2 redrawn (Fig. 1 with the mixed points small);
* ``fig3.png`` (special case only: symmetric demands, one exponent): Eq. 4 / Fig. 3.
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
from trade_opt.gomory.mixed import (
    MixedEquilibria,
    concat_mixed,
    mixed_equilibria,
    mixed_pattern_count,
    one_shared_all,
    owner_strings,
    solve_pattern_pyomo,
)
from trade_opt.gomory.plots import figure1, figure2, figure3
from trade_opt.gomory.ricardo import ricardo
from trade_opt.gomory.special_case import identical_curve, is_identical, is_special, special_curves
from trade_opt.gomory.theorems import theorem2_witnesses, theorem3_check, theorem3_points
from trade_opt.errors import InputError
from trade_opt.outputs import CsvStream, to_jsonable, write_csv, write_json
from trade_opt.progress import progress_bar

#: Equilibria kept in memory for figures and Theorem 3 (a uniform subsample beyond this).
KEEP_IN_MEMORY = 1 << 20
#: Equilibria checked against Theorem 3 (a uniform subsample beyond this).
THEOREM3_SAMPLE = 1 << 12
#: Mixed patterns with up to two shared goods when there are at most this many, else one shared good.
MIXED_TWO_LIMIT = 1 << 14
#: Skip mixed equilibria when even the one-shared-good pairs exceed this (n * (2^(n-1) - 2)).
MIXED_PAIR_LIMIT = 1 << 20
#: Largest n the main job accepts (2^30 - 2 rows, about 100 GB of equilibria.csv).
MAX_RUN_GOODS = 30
#: Patterns cross-checked with the Pyomo MCP solve (trade_opt.mcp) in the main job.
PYOMO_CHECK_PATTERNS = 8


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
    stride = min(max(1, -(-total // KEEP_IN_MEMORY)), 1 << 62)  # stays an int64 (n > 82 overflowed)
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


def mixed_frame(me: MixedEquilibria) -> pd.DataFrame:
    """The ``mixed_equilibria.csv`` columns (pattern: 0 country 1, 1 country 2, S shared)."""
    shared = me.owner == 2
    x_shared = [" ".join(repr(float(v)) for v in row[mask]) for row, mask in zip(me.x, shared)]  # exact (round-trip)
    return pd.DataFrame({
        "pattern": owner_strings(me.owner) if len(me) else np.zeros(0, str),
        "n_shared": shared.sum(axis=1), "root": me.root, "n_roots": me.n_roots,
        "Y": me.Y, "w_ratio": me.w_ratio, "u1": me.u1, "u2": me.u2, "U1": np.exp(me.u1), "U2": np.exp(me.u2),
        "x_shared": x_shared, "stability": me.stability, "stable": me.stable,
        "trade_residual": me.trade_residual, "cost_residual": me.cost_residual,
    })


def default_max_shared(n: int) -> int:
    """Two shared goods when there are at most MIXED_TWO_LIMIT such patterns, else one (0: skip,
    too many pairs).  Every Theorem 1 pattern: ``run_job(max_shared=n - 2)`` or
    ``trade-opt gomory mixed FILE --max-shared K``."""
    if mixed_pattern_count(n, 2) <= MIXED_TWO_LIMIT:
        return min(2, n - 2)
    return 1 if mixed_pattern_count(n, 1) <= MIXED_PAIR_LIMIT else 0


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


def one_shared_summary(data: GomoryData) -> dict[str, Any]:
    """Theorems 4 and 5 over every (pattern, good) pair: root counts against Theorem 4's condition."""
    counts: dict[str, dict[str, int]] = {"condition_holds": {}, "condition_fails": {}}
    stable_ok = multi = 0
    for part in one_shared_all(data):
        cond = part.theorem4_condition
        for key, sel in (("condition_holds", cond), ("condition_fails", ~cond)):
            for k, c in enumerate(np.bincount(part.n_roots[sel])):
                if c:
                    counts[key][str(k)] = counts[key].get(str(k), 0) + int(c)
        stable = np.bincount(part.pair, weights=part.stable.astype(float), minlength=len(part.n_roots))
        many = part.n_roots > 1
        multi += int(many.sum())
        stable_ok += int(np.sum(stable[many] == (part.n_roots[many] - 1) // 2))
    return {"pairs_by_root_count": counts, "pairs_with_several_roots": multi,
            "several_roots_with_(k-1)/2_stable": stable_ok}


def pyomo_cross_check(data: GomoryData, me: MixedEquilibria, patterns: int = PYOMO_CHECK_PATTERNS) -> dict[str, Any]:
    """Solve a spread of patterns with the Pyomo MCP (trade_opt.mcp) and compare with the fast path."""
    if not len(me):
        return {"patterns": 0}
    firsts = np.flatnonzero(me.root == 0)
    several = firsts[me.n_roots[firsts] > 1]
    pick = list(firsts[np.linspace(0, len(firsts) - 1, max(1, patterns - min(2, len(several)))).astype(int)])
    pick += list(several[:2])
    rows, max_dY, max_dx, agree = [], 0.0, 0.0, 0
    for k in pick:
        owner = me.owner[k]
        fast = np.flatnonzero((me.pattern_index == me.pattern_index[k]))
        res = solve_pattern_pyomo(data, owner)
        fast_Y = np.sort(me.Y[fast])
        # match every Pyomo root to the nearest fast root
        for sol in res.solutions:
            j = fast[np.argmin(np.abs(me.Y[fast] - sol["Y"]))]
            max_dY = max(max_dY, abs(me.Y[j] - sol["Y"]))
            max_dx = max(max_dx, float(np.max(np.abs(me.x[j][owner == 2] - np.array(sol["x"])))))
        agree += int(len(res.solutions) <= len(fast))
        rows.append({"pattern": res.owner, "fast_roots": len(fast), "pyomo_interior_roots": len(res.solutions),
                     "pyomo_boundary_points": res.boundary, "status": res.status, "seconds": res.seconds,
                     "fast_Y": fast_Y.tolist(), "pyomo_Y": [s["Y"] for s in res.solutions],
                     "pyomo_max_residual": max([s["residual"] for s in res.solutions], default=None)})
    return {"patterns": len(rows), "max_abs_Y_difference": max_dY, "max_abs_x_difference": max_dx,
            "pyomo_roots_found": int(sum(r["pyomo_interior_roots"] for r in rows)),
            "fast_roots": int(sum(r["fast_roots"] for r in rows)), "details": rows}


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


def run_job(instance: GomoryInstance, out_dir: Path, *, source: str = "<instance>", grid_points: int = 201,
            max_shared: int | None = None) -> dict[str, Any]:
    """Run everything on one Gomory instance and write the outputs into ``out_dir``.

    ``max_shared``: mixed equilibria with up to this many shared goods (default
    :func:`default_max_shared`: every Theorem 1 pattern for small n, else one shared good)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = instance.data()
    if data.n > MAX_RUN_GOODS:  # the job enumerates every pattern: 2^n - 2 rows in equilibria.csv
        raise InputError(source, "demand", f"n = {data.n} goods: the main job writes all 2^n - 2 equilibria; at most n = {MAX_RUN_GOODS} (use `trade-opt gomory boundary` for larger n)")
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
    th3 = theorem3_check(data, _subsample(sample, stride3) if stride3 > 1 else sample)
    stride_m = max(1, -(-len(mixed) // (8 * THEOREM3_SAMPLE)))
    th3_mixed = theorem3_points(data, mixed.Y[::stride_m], mixed.u1[::stride_m])
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
        "theorem3_mixed": to_jsonable(th3_mixed) | {"violations": th3_mixed.violations, "stride": stride_m},
        "mixed": mixed_stats,
        "theorems_4_5_one_shared_good": one_shared,
        "mixed_pyomo_cross_check": pyomo_check,
        "theorem2": {"points": len(th2), "holds": int(sum(c.holds for c in th2))},
        "timings_seconds": timings,
    }
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

    _print_summary(summary, out_dir)
    return summary


def special_case_outputs(data: GomoryData, sample: EquilibriumBatch, path: Path, title: str) -> dict[str, Any]:
    """Fig. 3 and the special-case identities (Eq. 4 = B, equilibria on the curves)."""
    from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy

    grid = np.linspace(0.002, 0.998, 499)
    sc = special_curves(data, grid)
    sc2 = special_curves(data.mirrored(), 1.0 - grid)
    B, _ = boundary_B_greedy(data, grid)
    B1_dp = boundary_B1_dp(data, grid)
    at = special_curves(data, sample.Y)
    figure3(path, grid, sc.eq4, sc2.eq4, title + " (special case, Eq. 4)", sample.Y, sample.u1, sample.u2, sc.B1)
    out = {
        "identical_countries": is_identical(data),
        "max_abs_eq4_minus_B_greedy": float(np.max(np.abs(sc.eq4 - B))),
        "max_abs_once_B1_minus_dp_B1": float(np.max(np.abs(sc.B1 - B1_dp))),
        "equilibria_on_B": int(np.sum(np.abs(at.B - sample.u1) <= 1e-10)),
        "equilibria_on_once_B1": int(np.sum(np.abs(at.B1 - sample.u1) <= 1e-10)),
        "equilibria_checked": len(sample),
        "density_nondecreasing": bool(np.all(np.diff(sc.density) >= -1e-12)),
    }
    if is_identical(data):
        out["max_abs_eq4_minus_identical_curve"] = float(np.max(np.abs(sc.eq4 - identical_curve(grid, float(data.alpha[0, 0]), sc.eq4[0] - identical_curve(grid[:1], float(data.alpha[0, 0]))[0]))))
    return out


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
    ]
    mx = s["mixed"]
    if mx.get("max_shared"):
        lines += [
            f"  mixed equilibria (1..{mx['max_shared']} shared goods): {mx['equilibria']} roots in {mx['patterns_searched']} patterns, "
            f"patterns by root count {mx['patterns_by_root_count']}, {mx['stable']} stable; max residuals trade {mx['max_abs_trade_residual']:.1e}, cost {mx['max_abs_cost_residual']:.1e}",
            f"  Theorem 3 on mixed equilibria: {s['theorem3_mixed']['checked']} checked, {s['theorem3_mixed']['violations']} violations",
        ]
        pc = s["mixed_pyomo_cross_check"]
        if pc.get("patterns"):
            lines.append(f"  Pyomo MCP cross-check: {pc['patterns']} patterns, {pc['pyomo_roots_found']} of {pc['fast_roots']} roots found, "
                         f"max |dY| = {pc['max_abs_Y_difference']:.1e}, max |dx| = {pc['max_abs_x_difference']:.1e}")
    if s.get("theorems_4_5_one_shared_good"):
        t45 = s["theorems_4_5_one_shared_good"]["pairs_by_root_count"]
        lines.append(f"  one shared good: pairs by root count, Theorem 4 condition holds {t45['condition_holds']}, fails {t45['condition_fails']}")
    if s.get("special_case"):
        sc = s["special_case"]
        lines.append(f"  special case: max|Eq.4 - B| = {sc['max_abs_eq4_minus_B_greedy']:.1e}; {sc['equilibria_on_B']} / {sc['equilibria_on_once_B1']} of "
                     f"{sc['equilibria_checked']} equilibria on B / once-for-all B1; fig3.png")
    lines.append(f"  outputs: {out_dir}/(equilibria.csv, mixed_equilibria.csv, boundary.csv, summary.json, fig1.png, fig2.png"
                 + (", fig3.png)" if s.get("special_case") else ")"))
    print("\n".join(lines))
