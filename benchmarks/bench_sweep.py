"""Sweep throughput (issue 9): points per second of ``trade-opt sweep`` on 10^4-point sweeps.

Two cheap point types, each a 100 x 100 grid = 10^4 points in batches of 100 (100 Dask tasks):

* ``gomory_equilibria``: all 510 specialized equilibria of Table 1 (n = 9) with two parameters
  moved (labor[0], exponent[0]), Pareto frontier, Ricardo level (~ms per point);
* ``krugman_closed_form``: the Krugman closed forms (microseconds per point: measures the
  engine's own overhead: task round trips, Parquet parts, manifest).

Each is run in-process without Dask (``--workers 0``, the baseline, same machine, same run), then on
a LocalCluster with 1 and 2 worker processes.  ``points/s`` counts the compute phase (from the
first task submitted to the last part written); ``wall`` includes reading the spec and starting and
stopping the cluster.  Writes ``benchmarks/out/sweep_throughput.{csv,md}``.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--out benchmarks/out]``.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import trade_opt  # noqa: F401
import pandas as pd

from trade_opt.outputs import markdown_table, write_csv
from trade_opt.sweep import load_results, run_sweep

ROOT = Path(__file__).resolve().parents[1]

SPECS = {
    "gomory_equilibria": f"""
name = "bench_gomory"
model = "gomory"
base = "{ROOT / 'instances' / 'gomory_table1.toml'}"
batch_size = 100
[[vary]]
field = "labor[0]"
grid = {{ start = 2.0, stop = 20.0, num = 100 }}
[[vary]]
field = "exponent[0]"
grid = {{ start = 1.05, stop = 3.0, num = 100 }}
""",
    "krugman_closed_form": f"""
name = "bench_krugman"
model = "krugman"
base = "{ROOT / 'instances' / 'krugman_default.toml'}"
evaluator = "closed_form"
batch_size = 100
[[vary]]
field = "A"
grid = {{ start = 1.0, stop = 12.0, num = 100 }}
[[vary]]
field = "z"
grid = {{ start = 0.05, stop = 0.6, num = 100 }}
""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--workers", default="0,1,2")
    args = parser.parse_args()
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    try:
        for name, text in SPECS.items():
            spec = tmp / f"{name}.toml"
            spec.write_text(text)
            reference = None
            for workers in (int(w) for w in args.workers.split(",")):
                out = tmp / f"{name}_{workers}"
                t0 = time.perf_counter()
                summary = run_sweep(spec, out, workers=workers, progress=False)
                wall = time.perf_counter() - t0
                table = load_results(out).drop(columns=["seconds", "run"])
                same = None if reference is None else bool(table.equals(reference))
                reference = table if reference is None else reference
                run = summary["run"]
                rows.append({
                    "sweep": name, "executor": run["executor"], "points": run["computed_points"],
                    "tasks": run["computed_batches"], "compute_s": run["compute_seconds"],
                    "points_per_s": run["points_per_second"], "wall_s": wall,
                    "ok": int(table["status"].isin(["ok", "solved"]).sum()), "same_table_as_baseline": same,
                })
                print(rows[-1], flush=True)
                base = rows[-len([r for r in rows if r["sweep"] == name])]
                rows[-1]["speedup_vs_in_process"] = rows[-1]["points_per_s"] / base["points_per_s"]
                shutil.rmtree(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "sweep_throughput.csv", table)
    text = ("# Sweep throughput (10^4 points, batches of 100)\n\n2-core machine; "
            "baseline = in-process evaluation in the same run.\n\n" + markdown_table(table, ".3g"))
    (args.out / "sweep_throughput.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
