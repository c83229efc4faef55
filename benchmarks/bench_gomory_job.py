"""Benchmark of the main Gomory job (issue 18 item 4): seconds per stage, new job vs the old one.

Each job runs in its own subprocess on the same instance in the same run: the **baseline** is the
package at a git ref (``--baseline``, default ``cc51598``: before the windowed census, the
census-based Theorems 4-5 and the one-call Theorem 3), unpacked with ``git archive`` into a
temporary folder; the **new** job is this checkout.  Instances: n = 9 is Table 1
(``instances/gomory_table1.toml``), other n are random (the tests' ``random_gomory``: demands
U(0.05, 1), efficiencies U(0.3, 1.5), exponents U(1.1, 2.2), labor U(1, 10), seed 3).

Stages: the old job's ``timings_seconds`` (enumeration, mixed, theorems_4_5, mixed_pyomo_check,
ricardo, boundary, theorems, figures) and the new job's ``stages`` (enumeration, mixed_census with
Theorems 4-5, mixed_pyomo_check, boundary, theorem3, theorem2, figures); a row per stage and the
total wall time of the subprocess (imports included).  The two jobs do different work where the
defaults differ (the new job runs the full census for n <= 12 and checks Theorem 3 on all
equilibria when B1 can be enumerated); the counts columns say what each did.

Writes ``gomory_job.csv`` / ``gomory_job.md`` into ``--out``.
Run: ``.venv/bin/python benchmarks/bench_gomory_job.py [--sizes 9,12] [--timeout 600] [--skip-baseline 20]``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from trade_opt.outputs import markdown_table

ROOT = Path(__file__).resolve().parents[1]

RUNNER = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from trade_opt.gomory import GomoryData
from trade_opt.gomory.job import run_job
n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if n == 9:
    from trade_opt.instances import load_instance
    inst = load_instance(sys.argv[4])
else:
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0.05, 1.0, size=(2, n)); efficiency = rng.uniform(0.3, 1.5, size=(2, n))
    exponent = rng.uniform(1.1, 2.2, size=n); labor = rng.uniform(1.0, 10.0, size=2)
    data = GomoryData.from_arrays(demand, efficiency, exponent, labor)
    class Inst:
        name = f"random_n{n}"
        def data(self):
            return data
    inst = Inst()
s = run_job(inst, out, source="bench", grid_points=201)
stages = s.get("stages") or {k: {"seconds": v, "status": "ok"} for k, v in s["timings_seconds"].items()}
mixed = s.get("mixed") or {}
t3m = s.get("theorem3_mixed") or {}
print("RESULT " + json.dumps({"stages": {k: v["seconds"] for k, v in stages.items()},
                              "status": {k: v["status"] for k, v in stages.items()},
                              "wall": time.perf_counter() - t0, "mixed_equilibria": mixed.get("equilibria"),
                              "mixed_max_shared": mixed.get("max_shared"), "theorem3_mixed_checked": t3m.get("checked"),
                              "specialized": s.get("count")}))
"""


def run_one(src: Path, n: int, seed: int, timeout: float) -> dict:
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, PYTHONPATH=str(src))
        t = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-c", RUNNER, str(n), str(seed), out, str(src / "instances" / "gomory_table1.toml")],
                                  cwd=src, env=env, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout after {timeout:.0f} s", "wall": time.perf_counter() - t}
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1], "wall": time.perf_counter() - t}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="9,12")
    parser.add_argument("--baseline", default="cc51598", help="git ref of the old job")
    parser.add_argument("--skip-baseline", default="", help="sizes at which the baseline is not run (too slow)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    skip = {int(s) for s in args.skip_baseline.split(",") if s}
    header = (f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared with other jobs), "
              f"python {platform.python_version()}; baseline {args.baseline}; load average {os.getloadavg()[0]:.1f} at start\n\n")
    rows = []
    with tempfile.TemporaryDirectory() as base:
        archive = subprocess.run(["git", "archive", args.baseline, "trade_opt", "instances"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", base], input=archive.stdout, check=True)
        for n in (int(s) for s in args.sizes.split(",")):
            results = {"new": run_one(ROOT, n, args.seed, args.timeout)}
            results["old"] = {"error": "not run (--skip-baseline)", "wall": float("nan")} if n in skip else run_one(Path(base), n, args.seed, args.timeout)
            for job, r in results.items():
                for stage, sec in (r.get("stages") or {}).items():
                    rows.append({"n": n, "job": job, "stage": stage, "seconds": round(sec, 2), "status": r["status"][stage]})
                rows.append({"n": n, "job": job, "stage": "TOTAL (wall, with imports)", "seconds": round(r["wall"], 2),
                             "status": r.get("error", "ok"), "mixed_equilibria": r.get("mixed_equilibria"),
                             "mixed_max_shared": r.get("mixed_max_shared"), "theorem3_mixed_checked": r.get("theorem3_mixed_checked")})
            frame = pd.DataFrame(rows)
            frame.to_csv(args.out / "gomory_job.csv", index=False)
            (args.out / "gomory_job.md").write_text(header + markdown_table(frame) + "\n", encoding="utf-8")
            print(frame[frame["n"] == n].to_string(index=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
