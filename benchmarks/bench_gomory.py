"""Benchmarks of the Gomory (1991) code (issue 3): enumeration, B(Y) and the B1 trace.

Tables (CSV + Markdown in ``--out``, rewritten after every measured row so that an interruption
keeps what is done; the combined report is ``gomory.md``):

1. ``gomory_enumeration``: all 2^n - 2 specialized equilibria by the chunked, vectorized
   :func:`trade_opt.gomory.equilibria.specialized_equilibria` (run in a fresh subprocess per n, which
   also reports its peak RSS) against a plain per-pattern Python loop (``math.log``, no numpy in
   the loop), fully for small n and on a fixed random sample of patterns (extrapolated) beyond.
1b. ``gomory_enumeration_chunk``: the vectorized enumeration at one n for several ``chunk`` sizes
   (diagnostic: the library default is ``DEFAULT_CHUNK``).
2. ``gomory_B_grid``: B(Y) on a 1000-point grid by the vectorized greedy
   :func:`trade_opt.gomory.boundary.boundary_B_greedy` against the LP relaxation solved by persistent
   HiGHS (``KnapsackMIP(n, "<=" / ">=", integer=False)``) point by point.
3. ``gomory_B1_trace``: B1(Y) on a 200-point grid by the exact DP, by the persistent MIP and by
   a MIP rebuilt at every point (``solve_knapsack_mip_rebuilt``), with agreement check.

Run: ``.venv/bin/python benchmarks/bench_gomory.py [--quick] [--out benchmarks/out]``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import trade_opt  # noqa: F401  (must precede pyomo: sets PYOMO_CONFIG_DIR)
import numpy as np
import pandas as pd

from trade_opt.bench.families import random_gomory_data
from trade_opt.gomory import GomoryData
from trade_opt.gomory.boundary import BoundarySolver, boundary_B_greedy, knapsack_data
from trade_opt.gomory.equilibria import (
    DEFAULT_CHUNK,
    evaluate_patterns,
    pattern_bits,
    pattern_count,
    specialized_equilibria,
)
from trade_opt.knapsack import KnapsackMIP, knapsack_dp, knapsack_dp_ge, solve_knapsack_mip_rebuilt
from trade_opt.outputs import markdown_table, write_csv

SEED = 20240903
TOL_AGREE = 1e-9


# --------------------------------------------------------------------------- instances
def random_instance(n: int, seed: int = SEED) -> GomoryData:
    """Seeded random instance (the knapsack families' ``random_gomory_data``, so both benchmarks
    measure the same instances)."""
    return random_gomory_data(n, seed)


# --------------------------------------------------------------------------- machine / output
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_header(args: argparse.Namespace) -> str:
    import highspy  # noqa: F401
    from pyomo.contrib.appsi.solvers import Highs

    highs = ".".join(map(str, Highs().version()))
    load = os.getloadavg()
    return (
        f"Machine: {os.cpu_count()} cores, CPU `{cpu_model()}`, Python {platform.python_version()}, "
        f"numpy {np.__version__}, HiGHS {highs}; load average at start {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}. "
        f"Run: {'--quick' if args.quick else 'full'}, seed {args.seed}, started {time.strftime('%Y-%m-%d %H:%M:%S')}.\n"
    )


class Report:
    """Tables rewritten (CSV + Markdown) after every row, plus one combined Markdown report."""

    def __init__(self, out: Path, header: str):
        self.out = out
        self.header = header
        self.tables: dict[str, tuple[str, list[dict]]] = {}
        self.notes: dict[str, str] = {}
        out.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, title: str, row: dict) -> None:
        self.tables.setdefault(name, (title, []))[1].append(row)
        frame = pd.DataFrame(self.tables[name][1])
        write_csv(self.out / f"{name}.csv", frame)
        (self.out / f"{name}.md").write_text(markdown_table(frame), encoding="utf-8")
        self._write_combined()
        print(f"  [{name}] " + ", ".join(f"{k}={_fmt(v)}" for k, v in row.items()), flush=True)

    def note(self, name: str, text: str) -> None:
        self.notes[name] = text
        self._write_combined()

    def markdown(self, name: str) -> str:
        return markdown_table(pd.DataFrame(self.tables[name][1]))

    def _write_combined(self) -> None:
        parts = ["# Gomory benchmarks\n", self.header]
        for name, (title, rows) in self.tables.items():
            parts.append(f"\n## {title}\n")
            if name in self.notes:
                parts.append(self.notes[name] + "\n")
            parts.append("\n" + markdown_table(pd.DataFrame(rows)))
        tmp = self.out / ".gomory.md.tmp"
        tmp.write_text("".join(parts), encoding="utf-8")
        os.replace(tmp, self.out / "gomory.md")


def _fmt(v: object) -> str:
    return format(v, ".4g") if isinstance(v, float) else str(v)


def _best_time(fn, min_total: float = 0.3, max_reps: int = 5) -> float:
    """Minimum wall time of ``fn()`` over repetitions (at least one; repeat while cheap)."""
    times: list[float] = []
    spent = 0.0
    while len(times) < max_reps and (not times or spent < min_total):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        spent += times[-1]
    return min(times)


# --------------------------------------------------------------------------- table 1: enumeration
def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def rss_mb() -> float:
    """Current resident set size (MB), VmRSS of /proc/self/status."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """Peak resident set size (MB) of this process image: VmHWM of /proc/self/status.

    Not ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries ru_maxrss over fork + exec, so in a
    subprocess it reports at least the parent's RSS at fork time (measured: 198.5 MB for every
    child once the parent had grown, against 103.5 MB VmHWM for the same chunk-1024 enumeration)."""
    peak = _status_mb("VmHWM")
    return peak if math.isfinite(peak) else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def enumeration_child(n: int, seed: int, chunk: int) -> None:
    """Subprocess body: time the vectorized enumeration once, report count, time and peak RSS (JSON)."""
    data = random_instance(n, seed)
    rss_before = rss_mb()
    reps = 1 if n >= 18 else 3
    best, count = math.inf, 0
    for _ in range(reps):
        t = time.perf_counter()
        count = 0
        for batch in specialized_equilibria(data, chunk=chunk):
            count += len(batch)
        best = min(best, time.perf_counter() - t)
    peak = peak_rss_mb()
    print(json.dumps({"n": n, "count": count, "seconds": best, "rss_before_mb": rss_before, "peak_rss_mb": peak}))


def run_enumeration_child(n: int, seed: int, chunk: int = DEFAULT_CHUNK) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_enum-child", str(n), "--seed", str(seed), "--chunk", str(chunk)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def loop_constants(data: GomoryData) -> tuple:
    """Per-instance constants as plain Python lists (computed once, outside the pattern loop)."""
    d1, d2 = data.d[0].tolist(), data.d[1].tolist()
    return (
        data.n, d1, d2,
        [math.log(v) if v > 0 else 0.0 for v in d1], [math.log(v) if v > 0 else 0.0 for v in d2],
        [math.log(v) for v in data.e[0].tolist()], [math.log(v) for v in data.e[1].tolist()],
        data.alpha[0].tolist(), data.alpha[1].tolist(),
        float(data.L[0]), float(data.L[1]),
    )


def loop_equilibrium(code: int, const: tuple) -> tuple[float, float, float, float, float] | None:
    """Plain-Python specialized equilibrium of pattern ``code`` (bit i -> good i+1 made by country 2).

    Returns (Y, w1, w2, u1, u2) with log-utilities, or None for a degenerate pattern."""
    n, d1, d2, ld1, ld2, le1, le2, al1, al2, L1, L2 = const
    a = 0.0            # sum of d_i1 over goods made by country 2
    omb = 0.0          # 1 - b = sum of d_i2 over goods made by country 1
    for i in range(n):
        if (code >> i) & 1:
            a += d1[i]
        else:
            omb += d2[i]
    if a <= 0.0 or omb <= 0.0:
        return None
    den = omb + a
    Y = omb / den
    log_den = math.log(den)
    log_Y = math.log(omb) - log_den
    log_1mY = math.log(a) - log_den
    w1, w2 = Y / L1, (1.0 - Y) / L2
    lL1_Y = math.log(L1) - log_Y
    lL2_1mY = math.log(L2) - log_1mY
    u1 = u2 = 0.0
    for i in range(n):
        V = d1[i] * Y + d2[i] * (1.0 - Y)
        log_V = math.log(V)
        if (code >> i) & 1:
            log_Q = le2[i] + al2[i] * (log_V + lL2_1mY)
        else:
            log_Q = le1[i] + al1[i] * (log_V + lL1_Y)
        if d1[i] > 0.0:
            u1 += d1[i] * (ld1[i] + log_Y - log_V + log_Q)
        if d2[i] > 0.0:
            u2 += d2[i] * (ld2[i] + log_1mY - log_V + log_Q)
    return Y, w1, w2, u1, u2


def table_enumeration(report: Report, ns: list[int], full_loop_max: int, sample: int, seed: int) -> None:
    title = "Table 1: enumeration of all 2^n - 2 specialized equilibria"
    report.note(
        "gomory_enumeration",
        "vectorized_s: `specialized_equilibria(data)` fully consumed, in a fresh subprocess per n "
        f"(best of 3 for n < 18, one run otherwise; default chunk {DEFAULT_CHUNK}); peak_rss_mb is that subprocess's "
        "VmHWM (peak RSS; rss_before_mb: its RSS after imports and instance construction). loop_s: plain Python "
        "loop over pattern codes (`loop_equilibrium`, `math.log`; best of up to 3 when a run takes < 0.3 s); `extrapolated` = mean time per pattern on "
        f"a fixed random sample of {sample} patterns x (2^n - 2). max_abs_diff: max |loop - vectorized| of "
        "(Y, w1/w2, u1, u2) on the loop's patterns (or the sample). Target: ratio >= 100.",
    )
    for n in ns:
        data = random_instance(n, seed)
        child = run_enumeration_child(n, seed)
        const = loop_constants(data)
        total = pattern_count(n)
        if n <= full_loop_max:
            codes = list(range(1, total + 1))
            method = "full"
        else:
            rng = np.random.default_rng([seed, n, 1])
            codes = rng.integers(1, total + 1, size=sample).tolist()
            method = "extrapolated"
        results: list = []

        def run_loop() -> None:
            nonlocal results
            results = [loop_equilibrium(code, const) for code in codes]

        loop_time = _best_time(run_loop, max_reps=3)   # best of up to 3 while a run takes < 0.3 s
        loop_s = loop_time if method == "full" else loop_time / len(codes) * total
        # correctness check (untimed): compare with the vectorized evaluation of the same patterns
        check = np.asarray(codes[:200_000], dtype=np.int64)
        batch = evaluate_patterns(data, pattern_bits(check, n), check)
        loop_arr = np.array([r for r in results[: len(check)]])
        diff = max(
            float(np.max(np.abs(loop_arr[:, 0] - batch.Y))),
            float(np.max(np.abs(loop_arr[:, 1] / loop_arr[:, 2] - batch.w_ratio))),
            float(np.max(np.abs(loop_arr[:, 3] - batch.u1))),
            float(np.max(np.abs(loop_arr[:, 4] - batch.u2))),
        )
        report.add("gomory_enumeration", title, {
            "n": n,
            "patterns": child["count"],
            "vectorized_s": child["seconds"],
            "loop_s": loop_s,
            "loop_method": method,
            "ratio": loop_s / child["seconds"],
            "patterns_per_s": child["count"] / child["seconds"],
            "rss_before_mb": child["rss_before_mb"],
            "peak_rss_mb": child["peak_rss_mb"],
            "max_abs_diff": diff,
        })


def table_chunk(report: Report, n: int, chunks: list[int], seed: int) -> None:
    title = f"Table 1b (diagnostic): vectorized enumeration at n = {n} by chunk size"
    report.note(
        "gomory_enumeration_chunk",
        f"`specialized_equilibria(data, chunk=...)`, fresh subprocess per chunk size; library default chunk = {DEFAULT_CHUNK}.",
    )
    for chunk in chunks:
        child = run_enumeration_child(n, seed, chunk)
        report.add("gomory_enumeration_chunk", title, {
            "n": n, "chunk": chunk, "default": chunk == DEFAULT_CHUNK, "vectorized_s": child["seconds"],
            "patterns_per_s": child["count"] / child["seconds"], "peak_rss_mb": child["peak_rss_mb"],
        })


# --------------------------------------------------------------------------- table 2: B(Y) grid
def table_B(report: Report, ns: list[int], grid_points: int, lp_subset: dict[int, int], seed: int) -> None:
    title = f"Table 2: B(Y) on a {grid_points}-point grid, greedy vs LP relaxation (persistent HiGHS)"
    grid = np.linspace(0.02, 0.98, grid_points)
    report.note(
        "gomory_B_grid",
        "Grid: equally spaced in [0.02, 0.98]. greedy_s: one `boundary_B_greedy(data, grid)` call (best of up to 3 "
        "when under 0.3 s). lp_s: building `KnapsackMIP(n, '<=', integer=False)` and `'>='` once, then per Y: "
        "`knapsack_data(data, Y)`, both solves, smaller optimum + C(Y). `lp_method` = extrapolated: LP timed on "
        "`lp_points` equally spaced grid points, lp_s = build time + mean per-point time x grid. max_abs_diff: "
        "max |B_greedy - B_lp| over the points where LP ran.",
    )
    for n in ns:
        data = random_instance(n, seed)
        B_greedy = None

        def run_greedy() -> None:
            nonlocal B_greedy
            B_greedy = boundary_B_greedy(data, grid)[0]

        greedy_s = _best_time(run_greedy, max_reps=3)
        m = lp_subset.get(n, grid_points)
        idx = np.unique(np.linspace(0, grid_points - 1, m).round().astype(int)) if m < grid_points else np.arange(grid_points)
        t0 = time.perf_counter()
        models = (KnapsackMIP(n, "<=", integer=False), KnapsackMIP(n, ">=", integer=False))
        build_s = time.perf_counter() - t0
        B_lp = np.full(grid_points, np.nan)
        statuses: set[str] = set()
        t1 = time.perf_counter()
        for k in idx:
            kd = knapsack_data(data, grid[k])
            le, ge = (model.solve(kd.c[0], kd.V[0], float(kd.capacity[0])) for model in models)
            statuses.update((le.status, ge.status))
            B_lp[k] = float(kd.constant[0]) + min(le.value, ge.value)
        solve_s = time.perf_counter() - t1
        full = len(idx) == grid_points
        lp_s = build_s + solve_s if full else build_s + solve_s / len(idx) * grid_points
        report.add("gomory_B_grid", title, {
            "n": n, "grid": grid_points, "greedy_s": greedy_s, "lp_s": lp_s,
            "lp_method": "full" if full else "extrapolated", "lp_points": len(idx),
            "ratio": lp_s / greedy_s, "max_abs_diff": float(np.max(np.abs(B_greedy[idx] - B_lp[idx]))),
            "lp_status": "/".join(sorted(statuses)),
        })


# --------------------------------------------------------------------------- table 3: B1 trace
def table_B1(report: Report, ns: list[int], points: int, seed: int) -> None:
    title = f"Table 3: B1(Y) trace on a {points}-point grid: DP vs persistent MIP vs MIP rebuilt per point"
    grid = np.linspace(0.02, 0.98, points)
    report.note(
        "gomory_B1_trace",
        "Grid: equally spaced in [0.02, 0.98]. dp_s: `BoundarySolver(data, ('dp',))` construction + `.at(Y)` per "
        "point; mip_persistent_s: the same with `('mip',)` (model build included); mip_rebuilt_s: per Y "
        "`knapsack_data` + `solve_knapsack_mip_rebuilt(c, V, cap, '<=')` and `'>='`, smaller + C(Y). "
        "max_abs_diff: largest pairwise |difference| of the three B1 values over all points (agree = <= 1e-9). "
        "max_dp_states: largest Nemhauser-Ullmann list over both directions and all points (untimed re-run). "
        "Targets: rebuilt_over_dp >= 10, rebuilt_over_persistent >= 5.",
    )
    for n in ns:
        data = random_instance(n, seed)
        t = time.perf_counter()
        solver = BoundarySolver(data, ("dp",))
        B_dp = np.array([solver.at(y).B1_dp for y in grid])
        dp_s = time.perf_counter() - t

        t = time.perf_counter()
        solver = BoundarySolver(data, ("mip",))
        points_mip = [solver.at(y) for y in grid]
        mip_s = time.perf_counter() - t
        B_mip = np.array([p.B1_mip for p in points_mip])
        statuses = {s for p in points_mip for s in p.status_mip.split("/")}

        t = time.perf_counter()
        B_rb = np.empty(points)
        for k, y in enumerate(grid):
            kd = knapsack_data(data, y)
            c, V, cap = kd.c[0], kd.V[0], float(kd.capacity[0])
            le = solve_knapsack_mip_rebuilt(c, V, cap, "<=")
            ge = solve_knapsack_mip_rebuilt(c, V, cap, ">=")
            B_rb[k] = float(kd.constant[0]) + min(le.value, ge.value)
        rb_s = time.perf_counter() - t

        kd = knapsack_data(data, grid)
        max_states = max(
            max(knapsack_dp(kd.c[k], kd.V[k], kd.capacity[k]).states, knapsack_dp_ge(kd.c[k], kd.V[k], kd.capacity[k]).states)
            for k in range(points)
        )
        diff = float(max(np.max(np.abs(B_dp - B_mip)), np.max(np.abs(B_dp - B_rb)), np.max(np.abs(B_mip - B_rb))))
        report.add("gomory_B1_trace", title, {
            "n": n, "points": points, "dp_s": dp_s, "mip_persistent_s": mip_s, "mip_rebuilt_s": rb_s,
            "rebuilt_over_dp": rb_s / dp_s, "rebuilt_over_persistent": rb_s / mip_s,
            "max_abs_diff": diff, "agree": diff <= TOL_AGREE, "max_dp_states": int(max_states),
            "mip_status": "/".join(sorted(statuses)),
        })


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced run (< 60 s)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out", help="output directory")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--tables", default="1,1b,2,3", help="comma-separated subset of 1,1b,2,3")
    parser.add_argument("--_enum-child", dest="enum_child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.enum_child is not None:
        enumeration_child(args.enum_child, args.seed, args.chunk)
        return 0

    if args.quick:
        cfg = dict(enum_ns=[10, 12, 14, 16, 18], full_loop_max=14, sample=5_000,
                   chunk_n=16, chunks=[4096, DEFAULT_CHUNK],
                   B_ns=[10, 100, 1000], B_grid=1000, lp_subset={10: 50, 100: 50, 1000: 50},
                   B1_ns=[10, 20, 50], B1_points=40)
    else:
        cfg = dict(enum_ns=[10, 12, 14, 16, 18, 20, 22, 24], full_loop_max=16, sample=20_000,
                   chunk_n=20, chunks=[1024, 4096, 8192, 16384, 32768, 131072],
                   B_ns=[10, 100, 1000, 10000], B_grid=1000, lp_subset={10000: 20},
                   B1_ns=[10, 20, 50, 100, 200], B1_points=200)
    tables = set(args.tables.split(","))
    report = Report(args.out, machine_header(args))
    print(report.header, flush=True)
    start = time.perf_counter()
    steps = [
        ("1", lambda: table_enumeration(report, cfg["enum_ns"], cfg["full_loop_max"], cfg["sample"], args.seed), "gomory_enumeration"),
        ("1b", lambda: table_chunk(report, cfg["chunk_n"], cfg["chunks"], args.seed), "gomory_enumeration_chunk"),
        ("2", lambda: table_B(report, cfg["B_ns"], cfg["B_grid"], cfg["lp_subset"], args.seed), "gomory_B_grid"),
        ("3", lambda: table_B1(report, cfg["B1_ns"], cfg["B1_points"], args.seed), "gomory_B1_trace"),
    ]
    for key, run, name in steps:
        if key not in tables:
            continue
        t = time.perf_counter()
        run()
        print(f"\n{report.tables[name][0]} ({time.perf_counter() - t:.1f} s)\n\n{report.markdown(name)}", flush=True)
    print(f"total {time.perf_counter() - start:.1f} s; outputs in {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
