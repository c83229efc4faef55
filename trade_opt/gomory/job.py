"""The main Gomory job (``trade-opt run FILE --out DIR``): orchestration.

Writes into DIR, each file as soon as its part is done (so an interruption keeps what is finished):

* ``equilibria.csv``: every specialized equilibrium (pattern, Y, w1/w2, u1, u2, U1, U2), streamed
  chunk by chunk (up to ``SPECIALIZED_LIMIT`` patterns);
* ``mixed_equilibria.csv``: the mixed census, every equilibrium of every pattern with
  1..max_shared shared goods, streamed; by default the **full census** (every pattern of
  Theorem 1) whenever it has at most ``MIXED_CENSUS_LIMIT`` patterns (:func:`default_max_shared`);
* ``boundary.csv``: B (greedy, LP) and B1 (DP, MIP) with their maximizers on a Y grid;
* ``summary.json`` (:func:`build_summary`): counts (mixed equilibria per number of shared goods,
  stable ones, Theorem 1's bound 3^n - 2^(n+1) + 1), autarky, Ricardo level and solution, best
  equilibrium per country, Theorems 2-5, DP = MIP agreement, solver statuses, a status and the
  seconds of every stage;
* ``fig1.png``, ``fig2.png``: the paper's Figs. 1 and 2 redrawn (Fig. 1 with the mixed points small);
* ``fig3.png`` (special case only: symmetric demands, one exponent): Eq. 4 / Fig. 3.

A numerical failure inside a stage (an ``ArithmeticError`` or ``LinAlgError``) becomes that
stage's status in the summary (``stages``; the job's ``status`` is then ``warning``) and the
later stages run on what is there.  The tables are written by :mod:`~trade_opt.gomory.job_tables`,
the checks live in :mod:`~trade_opt.gomory.job_checks` and :mod:`~trade_opt.gomory.b1_lookup`, the
terminal lines in :mod:`~trade_opt.gomory.job_report`.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from trade_opt.gomory.b1_lookup import b1_method, theorem3_certified, theorem3_reports
from trade_opt.gomory.boundary import BoundarySolver, default_grid
from trade_opt.gomory.equilibria import EquilibriumBatch, autarky_log_utilities, concat_batches, pattern_count
from trade_opt.gomory.instance import GomoryData, GomoryInstance
from trade_opt.gomory.job_checks import pyomo_cross_check, special_case_outputs
from trade_opt.gomory.job_report import print_summary
from trade_opt.gomory.job_tables import boundary_frame, enumerate_to_csv, mixed_to_csv
from trade_opt.gomory.mixed import concat_mixed, mixed_pattern_count
from trade_opt.gomory.plots import figure1, figure2
from trade_opt.gomory.ricardo import ricardo
from trade_opt.gomory.special_case import is_special
from trade_opt.gomory.theorems import theorem2_search, theorem2_witnesses
from trade_opt.outputs import to_jsonable, write_csv
from trade_opt.progress import progress_bar

__all__ = ["build_summary", "default_max_shared", "enumerate_to_csv", "run_job"]

#: Full mixed census (every Theorem 1 pattern) when it has at most this many mixed patterns (n <= 12).
MIXED_CENSUS_LIMIT = 1 << 19
#: Beyond the full census: one shared good while there are at most this many (pattern, good) pairs.
MIXED_PAIR_LIMIT = 1 << 20
#: Specialized equilibria enumerated by the job up to this many patterns (2^n - 2; n <= 24).
SPECIALIZED_LIMIT = 1 << 24
#: Numerical failures that become a stage's status instead of a traceback.
NUMERICAL_ERRORS = (ArithmeticError, np.linalg.LinAlgError)


def default_max_shared(n: int) -> int:
    """Shared goods of the job's mixed census: all (n - 2) when the census is small enough.

    Parameters
    ----------
    n : int
        Number of goods.

    Returns
    -------
    int
        n - 2 (every Theorem 1 pattern) when mixed_pattern_count(n) <= ``MIXED_CENSUS_LIMIT``; else
        the largest k with at most that many patterns with 1..k shared goods; else 1 when the
        n (2^(n-1) - 2) one-shared-good patterns are at most ``MIXED_PAIR_LIMIT``; else 0 (skip).
    """
    if n < 3:
        return 0
    if mixed_pattern_count(n) <= MIXED_CENSUS_LIMIT:
        return n - 2
    k = 0
    while k < n - 2 and mixed_pattern_count(n, k + 1) <= MIXED_CENSUS_LIMIT:
        k += 1
    if k == 0 and mixed_pattern_count(n, 1) <= MIXED_PAIR_LIMIT:
        k = 1
    return k


class _Stages:
    """Runs the job's stages: seconds and a status each; numerical failures become the status."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.status: dict[str, str] = {}

    def run(self, name: str, fn: Callable[[], Any], fallback: Any = None) -> Any:
        from trade_opt.checkpoint import current_checkpoint

        checkpoint = current_checkpoint()                 # kept / restored for --resume (trade_opt.checkpoint)
        t = time.perf_counter()
        try:
            result = fn() if checkpoint is None else checkpoint.run_stage(name, fn)[0]
            self.status.setdefault(name, "ok")
        except NUMERICAL_ERRORS as exc:
            result = fallback
            self.status[name] = f"error: {type(exc).__name__}: {exc}"
        self.seconds[name] = time.perf_counter() - t
        return result

    def skip(self, name: str, reason: str) -> None:
        self.status[name] = f"skipped: {reason}"
        self.seconds[name] = 0.0


def _empty_batch(n: int) -> EquilibriumBatch:
    return concat_batches([], n)


def run_job(instance: GomoryInstance, out_dir: Path, *, source: str = "<instance>", grid_points: int = 201,
            max_shared: int | None = None) -> dict[str, Any]:
    """Run everything on one Gomory instance and write the outputs into ``out_dir``.

    Parameters
    ----------
    instance : GomoryInstance
        The instance (anything with ``.name`` and ``.data()`` -> GomoryData).
    out_dir : pathlib.Path
        The results folder (created).
    source : str, optional
        The instance file as given (reported).
    grid_points : int, optional
        Y points of the boundary curves B, B1.
    max_shared : int, optional
        Mixed equilibria with up to this many shared goods (default
        :func:`default_max_shared`: the full census for small n).

    Returns
    -------
    dict
        The summary (:func:`build_summary`); the runner (:func:`trade_opt.runner.run_job_in_folder`)
        adds the contract fields and writes it as ``summary.json``, last.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = instance.data()
    n = data.n
    stages = _Stages()
    empty_stats = {"count": 0, "max_trade_residual": float("nan"), "max_labor_residual": float("nan"),
                   "best_country1": None, "best_country2": None, "degenerate_patterns": None}

    if pattern_count(n) <= SPECIALIZED_LIMIT:
        sample, stats = stages.run("enumeration", lambda: enumerate_to_csv(data, out_dir / "equilibria.csv"),
                                   (_empty_batch(n), empty_stats))
    else:
        stages.skip("enumeration", f"2^{n} - 2 patterns exceed SPECIALIZED_LIMIT = {SPECIALIZED_LIMIT}; "
                                   "stream them with `trade-opt gomory equilibria FILE --csv OUT`")
        sample, stats = _empty_batch(n), empty_stats
    autarky = autarky_log_utilities(data)

    k_shared = default_max_shared(n) if max_shared is None else max(0, min(max_shared, n - 2))
    no_mixed = (concat_mixed([], n), {"max_shared": 0})
    if k_shared > 0:
        mixed, mixed_stats = stages.run("mixed_census", lambda: mixed_to_csv(data, out_dir / "mixed_equilibria.csv", k_shared),
                                        no_mixed)
    else:
        stages.skip("mixed_census", f"{mixed_pattern_count(n, 1)} one-shared-good patterns exceed MIXED_PAIR_LIMIT = "
                                    f"{MIXED_PAIR_LIMIT}; stream them with `trade-opt gomory mixed FILE --parquet OUT`")
        mixed, mixed_stats = no_mixed
    if data.production.is_power:
        pyomo_check = stages.run("mixed_pyomo_check", lambda: pyomo_cross_check(data, mixed), {"patterns": 0})
    else:
        stages.skip("mixed_pyomo_check", f"the Pyomo MCP is written for f = e l^alpha (production kind {data.production.kind})")
        pyomo_check = {"patterns": 0}
    rr = ricardo(data)

    if len(sample):
        margin = 0.02 * (sample.Y.max() - sample.Y.min())
        grid = default_grid(sample.Y.min() - margin, sample.Y.max() + margin, grid_points)
    else:
        grid = default_grid(0.01, 0.99, grid_points)
    frame = stages.run("boundary", lambda: _boundary(data, grid))
    if frame is not None:
        write_csv(out_dir / "boundary.csv", frame)

    th3 = stages.run("theorem3", lambda: _theorem3(data, sample, mixed))
    if data.production.specialized_as_power:
        th2 = stages.run("theorem2", lambda: _theorem2(data, grid, sample))
    else:
        stages.skip("theorem2", "Theorem 2's bound K is stated for f = e l^alpha (alpha, beta from e, L); "
                                f"production kind {data.production.kind}")
        th2 = None

    title = f"Gomory (1991) {instance.name}: n = {n}, L = {data.L.tolist()}"
    if not data.production.is_power:
        title += f", f: {data.production.kind}"
    special = stages.run("figures", lambda: _figures(data, out_dir, title, sample, mixed, grid, frame, rr, autarky))
    summary = build_summary(instance, data, source=source, stats=stats, autarky=autarky, rr=rr, grid=grid, frame=frame,
                            th3=th3, th2=th2, mixed_stats=mixed_stats, pyomo_check=pyomo_check, stages=stages,
                            special_case=special)
    print_summary(summary, out_dir)
    return summary


def _boundary(data: GomoryData, grid: np.ndarray):
    solver = BoundarySolver(data)
    points = []
    with progress_bar("boundary B, B1", len(grid)) as bar:
        for Y in grid:
            points.append(solver.at(float(Y)))
            bar.advance()
    frame = boundary_frame(points)
    frame.attrs["method_seconds"] = {m: float(sum(p.seconds.get(m, 0.0) for p in points)) for m in ("greedy", "lp", "dp", "mip")}
    return frame


def _theorem3(data: GomoryData, sample: EquilibriumBatch, mixed) -> dict[str, Any]:
    """Theorem 3 for all equilibria: B1 enumerated at every Y when cheap, else exact B1 only where the
    anchor lower bounds do not decide (:func:`~trade_opt.gomory.b1_lookup.theorem3_certified`; those
    points by :func:`~trade_opt.gomory.b1_lookup.b1_at`: one exact trace, or the DP per Y).  The
    certified route is faster than the trace at every equilibrium (n = 16, 589,790 equilibria: 1.0 s
    against 2.3 s, which is mostly B(Y) at every point) and gives the same exact max(u1 - B1)."""
    groups = [(sample.Y, sample.u1), (mixed.Y, mixed.u1)]
    if b1_method(data.n, len(sample) + len(mixed)) == "enumeration":
        reports, method = theorem3_reports(data, groups), "enumeration at every equilibrium"
    else:
        reports, exact = theorem3_certified(data, groups)
        method = f"anchor lower bounds, exact B1 at {exact} equilibria"
    out: dict[str, Any] = {"b1_method": method}
    for key, rep, of in (("specialized", reports[0], len(sample)), ("mixed", reports[1], len(mixed))):
        out[key] = to_jsonable(rep) | {"violations": rep.violations, "equilibria": of}
    return out


def _theorem2(data: GomoryData, grid: np.ndarray, sample) -> dict[str, Any]:
    """Theorem 2 as stated at every 4th grid point, for B and B1 (:func:`theorem2_search`: some
    specialized equilibrium within the two bounds), plus our refuted rounding conjecture for contrast.

    Parameters
    ----------
    data : GomoryData
        The instance.
    grid : numpy.ndarray
        The boundary's Y grid.
    sample : the enumerated equilibria; searched exhaustively when it holds all 2^n - 2 patterns.

    Returns
    -------
    dict
        Per form: points, holds, exhaustive, min witnesses, worst ratio to the bounds (<= 1 holds);
        ``rounding_conjecture_holds``: points where a rounding of the greedy solution is a witness.
    """
    points = grid[1:-1:4]
    batch = sample if len(sample) == pattern_count(data.n) else None
    out: dict[str, Any] = {"points": len(points)}
    with progress_bar("Theorem 2", 2 * len(points)) as bar:
        for form in ("B", "B1"):
            found = theorem2_search(data, points, form, batch=batch)
            out[form] = {"holds": int(sum(r.holds for r in found)), "exhaustive": bool(all(r.exhaustive for r in found)),
                         "min_witnesses": int(min(r.witnesses for r in found)) if found else 0,
                         "worst_ratio": float(max(r.best_ratio for r in found)) if found else None}
            bar.advance(len(points))
    rounding = [theorem2_witnesses(data, float(Y)) for Y in points]
    out["rounding_conjecture_holds"] = int(sum(any(c.holds for c in checks) for checks in rounding))
    return out


def _figures(data, out_dir, title, sample, mixed, grid, frame, rr, autarky):
    if frame is None or not len(sample):
        return None
    valid = np.isfinite(frame["B1_dp"].to_numpy())
    figure1(out_dir / "fig1.png", sample.Y, sample.u1, grid[valid], frame["B_greedy"].to_numpy()[valid],
            frame["B1_dp"].to_numpy()[valid], rr.ricardo_level, autarky[0], data.L, title,
            mixed_Y=mixed.Y, mixed_u1=mixed.u1,
            ricardo_point=None if rr.ricardo_solution is None else (rr.solution_Y, rr.solution_u1))
    ricardo_point = None if rr.ricardo_solution is None else (rr.solution_Y, rr.solution_u1, rr.solution_u2)
    figure2(out_dir / "fig2.png", sample.Y, sample.u1, sample.u2, autarky, ricardo_point, title)
    if is_special(data) and data.production.specialized_as_power:   # Eq. 4 is for f = e l^alpha
        return special_case_outputs(data, sample, out_dir / "fig3.png", title)
    return None


def build_summary(instance: GomoryInstance, data: GomoryData, *, source: str, stats: dict, autarky, rr,
                  grid: np.ndarray, frame, th3: dict | None, th2: list | None, mixed_stats: dict, pyomo_check: dict,
                  stages: _Stages, special_case: dict | None = None) -> dict[str, Any]:
    """The summary dict of the main job (written as summary.json), from the stages' results.

    Parameters
    ----------
    instance, data : the instance and its numpy data (demands renormalized).
    source : str
        The instance file name as given.
    stats : dict
        Enumeration statistics (:func:`~trade_opt.gomory.job_tables.enumerate_to_csv`).
    autarky : (u1, u2) autarky log-utilities.
    rr : the Ricardo level and solution (:func:`trade_opt.gomory.ricardo.ricardo`).
    grid, frame : the boundary Y grid and its table (None if that stage failed).
    th3 : dict, optional
        Theorem 3 reports for the specialized and the mixed equilibria (None if failed).
    th2 : list, optional
        Theorem 2 checks on the grid (None if failed).
    mixed_stats, pyomo_check : dict
        The mixed census statistics and the Pyomo MCP cross-check.
    stages : seconds and status of every stage.
    special_case : dict, optional
        Eq. 4 / Fig. 3 outputs (special case only).

    Returns
    -------
    dict
        JSON-able after :func:`trade_opt.outputs.to_jsonable` (numpy scalars allowed).
    """
    boundary = None
    if frame is not None:
        boundary = {
            "grid_points": len(grid), "Y_range": [float(grid[0]), float(grid[-1])],
            "max_abs_B_greedy_minus_B_lp": float(np.max(np.abs(frame["B_greedy"] - frame["B_lp"]))),
            "max_abs_B1_dp_minus_B1_mip": float(np.max(np.abs(frame["B1_dp"] - frame["B1_mip"]))),
            "max_B1_minus_B": float(np.max(frame["B1_dp"] - frame["B_greedy"])),
            "status_lp": sorted(set(frame["status_lp"])),
            "status_mip": sorted(set(frame["status_mip"])),
            "method_seconds": frame.attrs.get("method_seconds"),
        }
    ok = all(s == "ok" or s.startswith("skipped") for s in stages.status.values())
    summary = {
        "model": "gomory",
        "name": instance.name,
        "status": "ok" if ok else "warning",
        "source_file": source,
        "n": data.n,
        "production": data.production.describe(),
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
        "boundary": boundary,
        "theorem3": None if th3 is None else th3["specialized"],
        "theorem3_mixed": None if th3 is None else th3["mixed"],
        "theorem3_b1_method": None if th3 is None else th3["b1_method"],
        "mixed": {k: v for k, v in mixed_stats.items() if k != "theorems_4_5"},
        "theorems_4_5_one_shared_good": mixed_stats.get("theorems_4_5"),
        "mixed_pyomo_cross_check": pyomo_check,
        "theorem2": th2,
        "stages": {name: {"status": stages.status.get(name), "seconds": sec} for name, sec in stages.seconds.items()},
        "timings_seconds": dict(stages.seconds),
    }
    if special_case is not None:
        summary["special_case"] = special_case
    return summary
