"""Benchmark of the Gomory enumeration kernels (issue 18): O(1)-per-pattern kernel vs baselines.

For each n, in one run and each (n, method) in a fresh subprocess (which reports its peak RSS):

* ``kernel``: :func:`trade_opt.gomory.kernel.pattern_values` fully consumed (codes, Y, u1, u2; the
  stream that the Parquet writer and the Dask ranges use);
* ``kernel_pre_array_api`` (``--methods`` adds it): the same kernel as it was before it was written
  against the array API (NumPy calls only), loaded from git (``--kernel-ref``, default the commit
  before issue 18's GPU backend); the default CPU path must cost the same;
* ``kernel_batches``: the public :func:`trade_opt.gomory.equilibria.specialized_equilibria` (adds the
  (m, n) patterns X, w1/w2 and residuals);
* ``previous``: the previous kernel, :func:`trade_opt.gomory.equilibria._previous_kernel` (n logs per
  pattern, one matrix product per chunk);
* ``baseline``: a plain chunked-numpy evaluation (:func:`baseline_chunked_numpy`: bits, V, ln V,
  ln Q, sums; n log terms per pattern), chunk 2^14;
* ``parquet`` (n >= ``--parquet-from``): :func:`trade_opt.gomory.enumerate_ranges.enumerate_range`
  streaming all patterns to one Parquet file (code, Y, u1, u2) plus the reductions; file deleted after.

Beyond ``--full-max`` the three slower methods are timed on the first 2^22 codes and extrapolated
(``method`` column).  Instances: :func:`instance` (one exponent per good, as in the paper's Table 1,
so the kernel's H table applies; ``--per-country`` draws per-country exponents: the O(n) path).
Agreement: max |u| difference of each method against ``kernel`` on the first 2^16 codes.

B1 table (``--b1-ns 50,200,1000``): B1 at ``--b1-points`` equally spaced Y in ``--b1-range`` by the
exact DP per point, the parametric trace (:class:`trade_opt.gomory.b1_trace.B1Trace` + lookup, for
n <= ``--b1-parametric-max-n``; ``parametric_ortools``: the trace with ``solver="ortools"``;
``parametric_previous``: the exact trace of git commit ``--b1-trace-ref`` (default the one before the
fused certificates and meet-in-the-middle DP), in a temporary worktree, same run), OR-Tools per point (:func:`trade_opt.knapsack.knapsack_ortools`, both
directions) and the persistent HiGHS MIP (``BoundarySolver(data, ("mip",))``, on ``--b1-highs-points``
points, extrapolated); max_abs_diff against the DP.

Run: ``.venv/bin/python benchmarks/bench_gomory_kernel.py [--ns 16,18,20,22,24] [--out benchmarks/out]``;
``--ns "" --b1-ns 50,200,1000 --b1-points 100 --b1-range 0.49,0.51`` for the B1 table alone.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # benchmark this checkout's trade_opt

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from trade_opt.outputs import markdown_table  # noqa: E402

SEED = 20240903
SAMPLE_CODES = 1 << 22
#: The commit whose trade_opt/gomory/kernel.py is the NumPy-only kernel (before the array-API backend).
KERNEL_REF = "22b385c"


def reference_kernel(ref: str = KERNEL_REF):
    """The kernel module at git commit ``ref`` (imported under the name ``_kernel_ref``)."""
    import importlib.util

    if "_kernel_ref" in sys.modules:
        return sys.modules["_kernel_ref"]
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(["git", "show", f"{ref}:trade_opt/gomory/kernel.py"], capture_output=True, text=True,
                            check=True, cwd=root).stdout
    spec = importlib.util.spec_from_loader("_kernel_ref", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_kernel_ref"] = module
    exec(compile(source, f"{ref}:trade_opt/gomory/kernel.py", "exec"), module.__dict__)
    return module


def instance(n: int, seed: int = SEED, per_country: bool = False):
    """Seeded random instance (as :func:`trade_opt.bench.families.random_gomory_data`) with one
    exponent per good (row 1 of the exponents copied to country 2) unless ``per_country``."""
    from trade_opt.bench.families import random_gomory_data
    from trade_opt.gomory import GomoryData

    data = random_gomory_data(n, seed)
    if per_country:
        return data
    return GomoryData.from_arrays(data.d, data.e, data.alpha[0], data.L)


def baseline_chunked_numpy(data, start: int = 1, stop: int | None = None, chunk: int = 1 << 14):
    """Plain chunked numpy: for each chunk of codes, bits -> a, b -> Y -> V -> ln V -> ln Q -> u."""
    n = data.n
    stop = (1 << n) - 1 if stop is None else stop
    d1, d2 = data.d
    log_e, log_L, al = np.log(data.e), np.log(data.L), data.alpha
    shifts = np.arange(n, dtype=np.int64)
    for s in range(start, stop, chunk):
        codes = np.arange(s, min(s + chunk, stop), dtype=np.int64)
        X = ((codes[:, None] >> shifts) & 1).astype(bool)
        a = X @ d1
        b = X @ d2
        Y = (1 - b) / (1 - b + a)
        log_Y, log_1mY = np.log(Y)[:, None], np.log(1 - Y)[:, None]
        log_V = np.log(d1 * Y[:, None] + d2 * (1 - Y[:, None]))
        log_q1 = log_e[0] + al[0] * (log_V + log_L[0] - log_Y)
        log_q2 = log_e[1] + al[1] * (log_V + log_L[1] - log_1mY)
        log_Q = np.where(X, log_q2, log_q1)
        u1 = (d1 * (np.log(d1) + log_Y - log_V + log_Q)).sum(axis=1)
        u2 = (d2 * (np.log(d2) + log_1mY - log_V + log_Q)).sum(axis=1)
        yield codes, Y, u1, u2


def _stream(method: str, data, start: int, stop: int):
    from trade_opt.gomory.equilibria import _previous_kernel, specialized_equilibria
    from trade_opt.gomory.kernel import pattern_values

    if method == "kernel":
        for v in pattern_values(data, start, stop):
            yield v.codes, v.u1, v.u2
    elif method == "kernel_pre_array_api":
        module = reference_kernel(os.environ.get("BENCH_KERNEL_REF", KERNEL_REF))
        for v in module.pattern_values(data, start, stop):
            yield v.codes, v.u1, v.u2
    elif method == "kernel_batches":
        for b in specialized_equilibria(data, start=start, stop=stop):
            yield b.codes, b.u1, b.u2
    elif method == "previous":
        for b in _previous_kernel(data, start=start):
            if b.codes[0] >= stop:
                return
            keep = b.codes < stop
            yield b.codes[keep], b.u1[keep], b.u2[keep]
    elif method == "baseline":
        for codes, _, u1, u2 in baseline_chunked_numpy(data, start, stop):
            yield codes, u1, u2
    else:
        raise ValueError(method)


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def child(method: str, n: int, seed: int, stop: int | None, per_country: bool) -> None:
    """Subprocess body: time one method over codes [1, stop) and print JSON."""
    data = instance(n, seed, per_country)
    stop = (1 << n) - 1 if stop is None else stop
    if method == "kernel_pre_array_api":
        reference_kernel(os.environ.get("BENCH_KERNEL_REF", KERNEL_REF))      # loaded before the clock starts
    t = time.perf_counter()
    count = 0
    if method == "parquet":
        from trade_opt.gomory.enumerate_ranges import enumerate_range

        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            path = Path(tmp) / "part.parquet"
            red = enumerate_range(data, 1, stop, path)
            seconds = time.perf_counter() - t
            count, size = red.count, path.stat().st_size
        print(json.dumps({"count": count, "seconds": seconds, "peak_rss_mb": _vmhwm_mb(), "bytes": size}))
        return
    for codes, _, _ in _stream(method, data, 1, stop):
        count += len(codes)
    seconds = time.perf_counter() - t
    print(json.dumps({"count": count, "seconds": seconds, "peak_rss_mb": _vmhwm_mb()}))


def run_child(method: str, n: int, seed: int, stop: int | None, per_country: bool) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", method, "--_n", str(n), "--seed", str(seed)]
    if stop is not None:
        cmd += ["--_stop", str(stop)]
    if per_country:
        cmd.append("--per-country")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def agreement(n: int, seed: int, per_country: bool, with_ref: bool = False) -> dict[str, float]:
    """max |u_method - u_kernel| over both countries on codes [1, 2^16)."""
    data = instance(n, seed, per_country)
    stop = min(1 << 16, (1 << n) - 1)
    methods = ("kernel", "kernel_batches", "previous", "baseline") + (("kernel_pre_array_api",) if with_ref else ())
    ref = {m: np.concatenate([np.column_stack([u1, u2]) for _, u1, u2 in _stream(m, data, 1, stop)]) for m in methods}
    return {m: float(np.abs(ref[m] - ref["kernel"]).max()) for m in methods[1:]}


#: The commit whose exact B1 trace (b1_trace, boundary, knapsack) is the ``parametric_previous`` row.
TRACE_REF = "d3756ca"

_PREVIOUS_TRACE_CHILD = """
import json, sys, time
import numpy as np
from trade_opt.gomory import GomoryData
from trade_opt.gomory.b1_trace import B1Trace
job = json.load(sys.stdin)
data = GomoryData.from_arrays(np.array(job["d"]), np.array(job["e"]), np.array(job["alpha"]), np.array(job["L"]))
t = time.perf_counter()
trace = B1Trace(data, job["lo"], job["hi"])
trace_s = time.perf_counter() - t
got = trace.evaluate(np.array(job["grid"]))[0]
total = time.perf_counter() - t
print(json.dumps({"trace_s": trace_s, "total": total, "dp_calls": trace.dp_calls,
                  "pieces": [len(d.X) for d in trace.directions], "B1": got.tolist()}))
"""


def previous_trace(data, Y_range: tuple[float, float], grid: np.ndarray, ref: str) -> dict:
    """The exact B1 trace of git commit ``ref`` (its whole trade_opt, from a temporary worktree) on the
    same instance and grid, in a child process: trace seconds, total with the lookup, DPs, pieces, B1."""
    root = Path(__file__).resolve().parents[1]
    job = {"d": data.d.tolist(), "e": data.e.tolist(), "alpha": data.alpha[0].tolist(), "L": data.L.tolist(),
           "lo": Y_range[0], "hi": Y_range[1], "grid": grid.tolist()}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        tree = Path(tmp) / "previous"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), ref], cwd=root, check=True)
        try:
            proc = subprocess.run([sys.executable, "-c", _PREVIOUS_TRACE_CHILD], input=json.dumps(job), capture_output=True,
                                  text=True, check=True, cwd=tree)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=root, check=False)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def b1_table(ns: list[int], points: int, Y_range: tuple[float, float], seed: int, out: Path,
             parametric_max_n: int, highs_points: int, methods: tuple[str, ...] = ("parametric", "ortools", "highs"),
             name: str = "gomory_b1_trace_methods", trace_ref: str = TRACE_REF) -> list[dict]:
    """B1 at ``points`` equally spaced Y in ``Y_range``: DP per point, the parametric trace (trace +
    lookup), OR-Tools per point (both directions), persistent HiGHS MIP per point (on ``highs_points``
    of them, extrapolated).  max_abs_diff: against the DP at the points each method ran."""
    from trade_opt.gomory.b1_trace import B1Trace
    from trade_opt.gomory.boundary import BoundarySolver, boundary_B1_dp, knapsack_data, trade_knapsacks
    from trade_opt.knapsack import knapsack_ortools

    rows = []
    grid = np.linspace(Y_range[0], Y_range[1], points)
    for n in ns:
        data = instance(n, seed)
        t = time.perf_counter()
        ref = boundary_B1_dp(data, grid)
        dp_s = time.perf_counter() - t
        res = {"dp": (dp_s, 0.0, "full", "")}
        if n <= parametric_max_n and "parametric" in methods:
            t = time.perf_counter()
            trace = B1Trace(data, Y_range[0], Y_range[1])
            trace_s = time.perf_counter() - t
            got = trace.evaluate(grid)[0]
            total = time.perf_counter() - t
            pieces = [len(d.X) for d in trace.directions]
            res["parametric"] = (total, float(np.abs(got - ref).max()), "full",
                                 f"trace {trace_s:.3g} s, {trace.dp_calls} DPs, pieces <= {pieces[0]}, >= {pieces[1]}; "
                                 f"lookup {total - trace_s:.3g} s; break-even at 0.5 ms/point: {trace_s / 5e-4:.0f} points")
        if n <= parametric_max_n and "parametric_previous" in methods:
            prev = previous_trace(data, Y_range, grid, trace_ref)
            res["parametric_previous"] = (prev["total"], float(np.abs(np.array(prev["B1"]) - ref).max()), "full",
                                          f"trace of {trace_ref} {prev['trace_s']:.3g} s, {prev['dp_calls']} DPs, "
                                          f"pieces <= {prev['pieces'][0]}, >= {prev['pieces'][1]}")
        if n <= parametric_max_n and "parametric_ortools" in methods:
            t = time.perf_counter()
            trace = B1Trace(data, Y_range[0], Y_range[1], solver="ortools")
            trace_s = time.perf_counter() - t
            got = trace.evaluate(grid)[0]
            total = time.perf_counter() - t
            pieces = [len(d.X) for d in trace.directions]
            res["parametric_ortools"] = (total, float(np.abs(got - ref).max()), "full",
                                         f"trace {trace_s:.3g} s, {trace.dp_calls} knapsacks ({trace.ortools_calls} by OR-Tools, "
                                         f"bound {trace.value_error_bound:.2g}), pieces <= {pieces[0]}, >= {pieces[1]}; "
                                         f"lookup {total - trace_s:.3g} s")
        t = time.perf_counter()
        vals = []
        for y in (grid if "ortools" in methods else []):
            kd = knapsack_data(data, y)
            le, ge = trade_knapsacks(kd)
            v = [p.offset + knapsack_ortools(p.values, p.weights, p.rhs, p.sense).value for p in (le, ge)]
            vals.append(float(kd.constant[0]) + min(v))
        if "ortools" in methods:
            res["ortools"] = (time.perf_counter() - t, float(np.abs(np.array(vals) - ref).max()), "full", "")
        if "highs" in methods:
            idx = np.unique(np.linspace(0, points - 1, min(highs_points, points)).round().astype(int))
            t = time.perf_counter()
            solver = BoundarySolver(data, ("mip",))
            mip = np.array([solver.at(grid[k]).B1_mip for k in idx])
            highs_s = (time.perf_counter() - t) / len(idx) * points
            res["highs"] = (highs_s, float(np.abs(mip - ref[idx]).max()),
                            "full" if len(idx) == points else f"extrapolated from {len(idx)} points", "")
        for method, (sec, diff, mode, note) in res.items():
            row = {"n": n, "points": points, "Y_range": f"{Y_range[0]:g}-{Y_range[1]:g}", "method": method, "mode": mode, "seconds": sec,
                   "ms_per_point": sec / points * 1e3, "ratio_vs_dp": dp_s / sec, "max_abs_diff": diff,
                   "load": round(os.getloadavg()[0], 2), "note": note}
            rows.append(row)
            print("  " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
        frame = pd.DataFrame(rows)
        frame.to_csv(out / f"{name}.csv", index=False)
        (out / f"{name}.md").write_text(markdown_table(frame), encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ns", default="16,18,20,22,24", help="comma-separated n")
    parser.add_argument("--full-max", type=int, default=24, help="largest n at which the slow methods run fully")
    parser.add_argument("--parquet-from", type=int, default=22, help="smallest n with a Parquet streaming row")
    parser.add_argument("--methods", default="kernel,kernel_batches,previous,baseline",
                        help="also: kernel_pre_array_api (the NumPy-only kernel at --kernel-ref)")
    parser.add_argument("--kernel-ref", default=KERNEL_REF, help="git commit of the NumPy-only kernel")
    parser.add_argument("--per-country", action="store_true", help="per-country exponents (the O(n) path)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeat", type=int, default=1, help="runs per (n, method); the fastest is reported")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--b1-ns", default="", help="B1 table sizes (e.g. 50,200,1000); empty: no B1 table")
    parser.add_argument("--b1-points", type=int, default=200)
    parser.add_argument("--b1-range", default="0.3,0.7", help="Y range of the B1 table")
    parser.add_argument("--b1-parametric-max-n", type=int, default=200)
    parser.add_argument("--b1-highs-points", type=int, default=20)
    parser.add_argument("--b1-methods", default="parametric,parametric_ortools,ortools,highs",
                        help="besides the DP (always run: the reference)")
    parser.add_argument("--b1-name", default="gomory_b1_trace_methods", help="output table name")
    parser.add_argument("--b1-trace-ref", default=TRACE_REF,
                        help="git commit whose exact trace is the parametric_previous row (a temporary worktree)")
    parser.add_argument("--_child", dest="child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_n", dest="n", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--_stop", dest="stop", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ["BENCH_KERNEL_REF"] = args.kernel_ref
    if args.child:
        child(args.child, args.n, args.seed, args.stop, args.per_country)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    if args.b1_ns:
        lo, hi = (float(v) for v in args.b1_range.split(","))
        rows = b1_table([int(v) for v in args.b1_ns.split(",")], args.b1_points, (lo, hi), args.seed, args.out,
                        args.b1_parametric_max_n, args.b1_highs_points, tuple(args.b1_methods.split(",")), args.b1_name,
                        args.b1_trace_ref)
        print(markdown_table(pd.DataFrame(rows)))
        if not args.ns:
            return 0
    name = "gomory_kernel" + ("_per_country" if args.per_country else "")
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, numpy {np.__version__}, "
          f"{'per-country' if args.per_country else 'per-good'} exponents, seed {args.seed}", flush=True)
    rows = []
    methods = [m for m in args.methods.split(",") if m]
    for n in [int(v) for v in args.ns.split(",")]:
        diffs = agreement(n, args.seed, args.per_country, "kernel_pre_array_api" in methods)
        times = {}
        todo = methods + (["parquet"] if n >= args.parquet_from and not args.per_country else [])
        runs: dict[str, list[dict]] = {m: [] for m in todo}
        for _ in range(max(1, args.repeat)):           # repeats interleaved, so load drifts hit every method alike
            for method in todo:
                slow = method in ("previous", "baseline", "kernel_batches") and n > args.full_max
                runs[method].append(run_child(method, n, args.seed, SAMPLE_CODES if slow else None, args.per_country))
        for method in todo:
            slow = method in ("previous", "baseline", "kernel_batches") and n > args.full_max
            res = min(runs[method], key=lambda r: r["seconds"])
            total = (1 << n) - 2
            seconds = res["seconds"] / res["count"] * total if slow else res["seconds"]
            times[method] = seconds
            row = {"n": n, "method": method, "mode": "extrapolated" if slow else "full", "patterns": total,
                   "seconds": seconds, "patterns_per_s": total / seconds, "peak_rss_mb": res["peak_rss_mb"],
                   "max_abs_diff_u": diffs.get(method, 0.0), "load": round(os.getloadavg()[0], 2)}
            if "bytes" in res:
                row["parquet_bytes"] = res["bytes"]
            rows.append(row)
            print("  " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
        for row in rows:
            if row["n"] == n:
                row["speedup_vs_baseline"] = times.get("baseline", np.nan) / row["seconds"]
                row["speedup_vs_previous"] = times.get("previous", np.nan) / row["seconds"]
                if "kernel_pre_array_api" in times:
                    row["ratio_vs_pre_array_api"] = times["kernel_pre_array_api"] / row["seconds"]
        frame = pd.DataFrame(rows)
        frame.to_csv(args.out / f"{name}.csv", index=False)
        (args.out / f"{name}.md").write_text(markdown_table(frame), encoding="utf-8")
    print(markdown_table(pd.DataFrame(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
