"""Benchmark of the Gomory (1991) mixed equilibria (issue 4): all one-shared-good equilibria.

For random instances with n = 9, 12, 16 goods (n (2^(n-1) - 2) (pattern, good) pairs):

* ``z path``: :func:`trade_opt.gomory.mixed.one_shared_all` (H along z = logit x, vectorized over
  all pairs, bracketing + vectorized Illinois/bisection);
* ``Y path``: :func:`trade_opt.gomory.mixed.mixed_equilibria` with ``max_shared=1`` (reduction to
  T(Y), common logit-Y grid);
* baseline ``Pyomo MCP``: :func:`trade_opt.gomory.mixed.solve_pattern_pyomo` (Pyomo model solved by
  ``trade_opt.mcp.solve`` from 3 starts) on a fixed sample of patterns, timed per pattern and
  extrapolated to all pairs; its roots are compared with the fast path's.

Writes ``gomory_mixed.csv`` / ``gomory_mixed.md`` into ``--out``.
Run: ``.venv/bin/python benchmarks/bench_gomory_mixed.py [--sizes 9,12,16] [--pyomo-sample 6]``.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import trade_opt  # noqa: F401  (must precede pyomo: sets PYOMO_CONFIG_DIR)
import numpy as np
import pandas as pd

from trade_opt.gomory import GomoryData
from trade_opt.gomory.mixed import (
    concat_mixed,
    mixed_equilibria,
    mixed_pattern_count,
    one_shared_all,
    solve_pattern_pyomo,
)
from trade_opt.outputs import markdown_table, write_csv


def random_instance(n: int, seed: int) -> GomoryData:
    rng = np.random.default_rng(seed)
    return GomoryData.from_arrays(rng.uniform(0.05, 1.0, (2, n)), rng.uniform(0.3, 1.5, (2, n)),
                                  rng.uniform(1.1, 2.2, n), rng.uniform(1.0, 10.0, 2))


def measure(n: int, seed: int, sample: int) -> dict:
    data = random_instance(n, seed)
    pairs = mixed_pattern_count(n, 1)
    t = time.perf_counter()
    z_roots = 0
    z_counts = []
    for part in one_shared_all(data):
        z_roots += len(part.z)
        z_counts.append(part.n_roots)
    t_z = time.perf_counter() - t
    t = time.perf_counter()
    me = concat_mixed(list(mixed_equilibria(data, 1)), n)
    t_y = time.perf_counter() - t
    counts = np.concatenate(z_counts)
    rng = np.random.default_rng(seed + 1)
    firsts = np.flatnonzero(me.root == 0)
    pick = rng.choice(firsts, size=min(sample, len(firsts)), replace=False)
    t_p, found, max_dY = [], 0, 0.0
    for k in pick:
        res = solve_pattern_pyomo(data, me.owner[k])
        t_p.append(res.seconds)
        same = me.pattern_index == me.pattern_index[k]
        for s in res.solutions:
            found += 1
            max_dY = max(max_dY, float(np.min(np.abs(me.Y[same] - s["Y"]))))
    per_pattern_pyomo = float(np.mean(t_p))
    return {
        "n": n, "pairs": pairs, "roots": len(me), "pairs_with_3+_roots": int(np.sum(counts > 1)),
        "z_path_s": round(t_z, 3), "Y_path_s": round(t_y, 3), "z_equals_Y_roots": z_roots == len(me),
        "fast_us_per_pattern": round(1e6 * min(t_z, t_y) / pairs, 2),
        "pyomo_s_per_pattern": round(per_pattern_pyomo, 4),
        "pyomo_sample": len(pick), "pyomo_roots_found": found, "pyomo_max_abs_dY": max_dY,
        "pyomo_extrapolated_all_s": round(per_pattern_pyomo * pairs, 1),
        "speedup_fast_vs_pyomo": round(per_pattern_pyomo * pairs / min(t_z, t_y), 0),
        "max_trade_residual": float(np.abs(me.trade_residual).max()),
        "max_cost_residual": float(me.cost_residual.max()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="9,12,16")
    parser.add_argument("--pyomo-sample", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    header = (f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared with other jobs), "
              f"python {platform.python_version()}; seed {args.seed}\n\n")
    for n in (int(s) for s in args.sizes.split(",")):
        rows.append(measure(n, args.seed + n, args.pyomo_sample))
        frame = pd.DataFrame(rows)
        write_csv(args.out / "gomory_mixed.csv", frame)
        (args.out / "gomory_mixed.md").write_text(header + markdown_table(frame) + "\n", encoding="utf-8")
        print(rows[-1], flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
