"""Kim (1999) free entry: solve time and residual against the number of regions J.

Random instances (seeded): wages U(0.8, 1.2), incomes U(1, 10), the note's elasticities, and
markups U(1.8, 2.4) between regions (1 inside), so the equilibria are mostly interior with some
exits.  For each J, one start (income shares, :func:`trade_opt.kim.equilibrium.default_starts`):

* ``mcp``: :func:`trade_opt.kim.equilibrium.solve_equilibria` (from J = 10 the start is first relaxed
  by the entry dynamics, then :func:`trade_opt.mcp.solve`: warm Newton polish, Scholtes + Ipopt and
  the polish again if needed), log formulation;
* ``mcp_5starts``: the same from the first 5 default starts (income shares, uniform, 90 % in each of
  the first 3 regions): distinct equilibria found;
* ``fb_scipy``: :func:`trade_opt.mcp.baseline.solve_fb_scipy` (scipy ``root`` on Fischer-Burmeister,
  from the raw income-share start; ``newton_its`` = its function evaluations).

Both points are re-checked with the numpy chain (natural residual max |min(xt, -Pi/(W f))|).
Writes ``benchmarks/out/kim_scaling.csv`` and ``.md``.

    .venv/bin/python benchmarks/bench_kim.py [--sizes 3,5,10,20,50] [--seed 0]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from trade_opt.kim.equilibrium import default_starts, solve_equilibria, verify
from trade_opt.kim.instance import KimData
from trade_opt.kim.mcp_model import build_mcp_model
from trade_opt.outputs import markdown_table, write_csv

OUT = Path(__file__).resolve().parent / "out"


def random_instance(J: int, seed: int) -> KimData:
    """A seeded random J-region instance with the note's default elasticities."""
    rng = np.random.default_rng([seed, J])

    def markups() -> np.ndarray:
        T = rng.uniform(1.8, 2.4, size=(J, J))
        np.fill_diagonal(T, 1.0)
        return T

    return KimData.symmetric(J).replace(
        W=rng.uniform(0.8, 1.2, J), I=rng.uniform(1.0, 10.0, J),
        T_A=np.stack([markups(), markups()]), T_F=markups(), T_S=markups(),
    )


def numpy_check(data: KimData, mcp, values_loaded: bool) -> tuple[float, int]:
    """(numpy natural residual, number of active firms) of the point loaded in the model."""
    if not values_loaded:
        return float("nan"), 0
    try:
        sol = verify(data, mcp.read_xt())
    except ValueError:
        return float("nan"), 0
    return sol.residual, int(sol.support.sum())


def bench_one(J: int, seed: int, n_multi: int = 5) -> list[dict]:
    from trade_opt.mcp.baseline import solve_fb_scipy

    data = random_instance(J, seed)
    start = default_starts(data)[0]
    rows = []
    t0 = time.perf_counter()
    mcp = build_mcp_model(data)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = solve_equilibria(data, [start], mcp=mcp)
    seconds = time.perf_counter() - t0
    best = found.solutions[0] if found.solutions else None
    its = found.iterations
    rows.append({"J": J, "method": "mcp", "variables": 12 * J, "starts": 1, "build_s": build, "solve_s": seconds,
                 "status": found.status, "residual": best.residual if best else float("nan"),
                 "ipopt_its": its.get("ipopt", 0), "newton_its": its.get("newton", 0), "distinct": found.distinct,
                 "active_firms": int(best.support.sum()) if best else 0,
                 "lambda_max": best.lambda_max if best else float("nan")})
    multi = default_starts(data)[:n_multi]
    t0 = time.perf_counter()
    found = solve_equilibria(data, multi, mcp=mcp)
    seconds = time.perf_counter() - t0
    best = found.solutions[0] if found.solutions else None
    its = found.iterations
    rows.append({"J": J, "method": f"mcp_{len(multi)}starts", "variables": 12 * J, "starts": len(multi),
                 "build_s": build, "solve_s": seconds, "status": found.status,
                 "residual": max((s.residual for s in found.solutions), default=float("nan")),
                 "ipopt_its": its.get("ipopt", 0), "newton_its": its.get("newton", 0), "distinct": found.distinct,
                 "active_firms": int(best.support.sum()) if best else 0,
                 "lambda_max": best.lambda_max if best else float("nan")})
    mcp_fb = build_mcp_model(data)
    t0 = time.perf_counter()
    try:
        result = solve_fb_scipy(mcp_fb.model, start=mcp_fb.start(start))
        status, nfev = result.status, int(result.iterations.get("function_evaluations", 0))
    except Exception as exc:  # the baseline may break down; record it, do not stop the benchmark
        status, nfev = f"error: {type(exc).__name__}", 0
    seconds = time.perf_counter() - t0
    residual, active = numpy_check(data, mcp_fb, status in ("solved", "solved_loose"))
    rows.append({"J": J, "method": "fb_scipy", "variables": 12 * J, "starts": 1, "build_s": build,
                 "solve_s": seconds, "status": status, "residual": residual, "ipopt_its": 0,
                 "newton_its": nfev, "distinct": int(status in ("solved", "solved_loose")),
                 "active_firms": active, "lambda_max": float("nan")})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,5,10,20,50")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = []
    for J in (int(s) for s in args.sizes.split(",")):
        rows += bench_one(J, args.seed)
        print(pd.DataFrame(rows[-3:]).to_string(index=False, header=len(rows) == 3), flush=True)
    table = pd.DataFrame(rows)
    write_csv(args.out / "kim_scaling.csv", table)
    md = ("# Kim free entry: MCP layer vs scipy Fischer-Burmeister root, by number of regions J\n\n"
          f"Seed {args.seed}; residual = numpy natural residual max|min(xt, G)| (largest over the distinct "
          "solutions for the multistart row).\n\n"
          + markdown_table(table, floatfmt=".3g"))
    (args.out / "kim_scaling.md").write_text(md)
    print(f"wrote {args.out / 'kim_scaling.csv'} and {args.out / 'kim_scaling.md'}")


if __name__ == "__main__":
    main()
