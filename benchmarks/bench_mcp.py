"""MCP solvers side by side on MCPLIB and the trade models, plus the Kim / Melitz scaling rows.

Solvers (each on a freshly loaded model, from the same start):

* ``trade_opt_mcp``: ``pyo.SolverFactory("trade_opt_mcp")`` (warm Newton polish, Scholtes +
  Ipopt, active-set Newton polish; ``trade_opt.mcp``), tol 1e-10;
* ``mpec_nlp``: Pyomo's ``mpec.simple_nonlinear`` transformation (what the ``mpec_nlp``
  meta-solver applies; the meta-solver itself passes an option cyipopt rejects) + a constant
  objective + ``SolverFactory("cyipopt")`` (tol 1e-10, at most 3000 iterations / 60 s);
* ``fb_scipy``: :func:`trade_opt.mcp.baseline.solve_fb_scipy` (``scipy.optimize.root`` hybr on the
  Fischer-Burmeister system; skipped above 500 unknowns: MINPACK's dense QR).

``residual``: the unscaled natural residual computed from the Pyomo expressions, the same
function for every solver (``tests/mcplib_cases.independent_residual``; for the trade models the
layer's unscaled residual ``max |x - mid(lb, ub, x - F)|``, ``|h|``), ``solved`` when <= 1e-8.
Dolan-More profile: for each solver the share of cases it solved within ``tau`` times the fastest
solver's time on that case.  Scaling rows: Kim J regions end to end (model build + solve) with the
share of the MCP layer's ``build_system``; Melitz with 1000 industries by the MCP route and by its
1-D reduction.  Pyomo is imported first, as a Pyomo user does.

    .venv/bin/python benchmarks/bench_mcp.py [--quick] [--kim 20,50,100] [--melitz 1000]
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import pyomo.environ as pyo  # noqa: I001  (Pyomo first, as its users write it)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import mcplib_cases  # noqa: E402
import trade_opt.mcp  # noqa: E402,F401
from trade_opt.outputs import markdown_table  # noqa: E402

import logging  # noqa: E402

logging.getLogger("pyomo.core").setLevel(logging.ERROR)  # Ipopt's bound round-off warnings on load

SOLVED = 1e-8
SOLVERS = ("trade_opt_mcp", "mpec_nlp", "fb_scipy")
TAUS = (1, 2, 4, 10, 100)


# --- instances: (family, name, start label, builder returning (model, start dict), residual fn) ----------
def mcplib_instances(quick: bool):
    for name in mcplib_cases.PROBLEMS:
        if quick and name in ("ehl_kost", "obstacle"):
            continue
        for k in range(len(mcplib_cases.starts(name, mcplib_cases.load(name)))):
            def build(name=name, k=k):
                model = mcplib_cases.load(name)
                return model, mcplib_cases.starts(name, model)[k]
            yield "mcplib", name, k + 1, build, mcplib_cases.independent_residual


def _layer_residual(model) -> float:
    from trade_opt.mcp.residual import unscaled_residual_at
    from trade_opt.mcp.system import build_system

    system = build_system(model)
    try:
        return unscaled_residual_at(system, system.x_from_model())
    finally:
        system.restore()


def trade_instances():
    from trade_opt.instances import load_instance

    def kim():
        from trade_opt.kim.equilibrium import default_starts
        from trade_opt.kim.mcp_model import build_mcp_model

        data = load_instance(ROOT / "instances" / "kim_nafta3.toml").data()
        mcp = build_mcp_model(data)
        return mcp.model, mcp.start(default_starts(data)[0])

    def melitz():
        from trade_opt.melitz.mcp_model import autarky_start, build_model, starting_points

        data = load_instance(ROOT / "instances" / "melitz_default.toml").data()
        model = build_model(data)
        return model, starting_points(model, [autarky_start(data)])[0]

    def krugman():
        from trade_opt.krugman.mcp_model import build_north_south_model, north_south_start

        data = load_instance(ROOT / "instances" / "krugman_default.toml").data()
        start = north_south_start(data)
        return build_north_south_model(data, start), {}

    yield "trade", "kim_nafta3", 1, kim, _layer_residual
    yield "trade", "melitz_default", 1, melitz, _layer_residual
    yield "trade", "krugman_default", 1, krugman, _layer_residual


# --- solvers --------------------------------------------------------------------------------------------
def _apply(model, start) -> None:
    for key, value in (start.items() if hasattr(start, "items") else start):
        var = key if hasattr(key, "set_value") else model.find_component(key)
        var.set_value(float(value), skip_validation=True)


def run_layer(model):
    res = pyo.SolverFactory("trade_opt_mcp").solve(model, options={"tol": 1e-10})
    return str(res.solver.termination_condition)


def run_mpec_nlp(model):
    pyo.TransformationFactory("mpec.simple_nonlinear").apply_to(model)
    for obj in model.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()
    model._bench_obj = pyo.Objective(expr=0.0)
    res = pyo.SolverFactory("cyipopt").solve(model, options={"tol": 1e-10, "max_iter": 3000, "max_cpu_time": 60.0,
                                                             "print_level": 0})
    return str(res.solver.termination_condition)


def run_fb(model):
    from trade_opt.mcp.baseline import solve_fb_scipy

    n = sum(1 for v in model.component_data_objects(pyo.Var) if not v.fixed)
    if n > 500:
        return "skipped (n > 500)"
    return solve_fb_scipy(model).status


RUNNERS = {"trade_opt_mcp": run_layer, "mpec_nlp": run_mpec_nlp, "fb_scipy": run_fb}


def side_by_side(quick: bool) -> pd.DataFrame:
    rows = []
    for family, name, start, build, residual_fn in [*mcplib_instances(quick), *trade_instances()]:
        for solver in SOLVERS:
            model, point = build()
            _apply(model, point)
            t0 = time.perf_counter()
            try:
                status = RUNNERS[solver](model)
            except Exception as exc:  # a solver breaking down is a result, not a crash of the benchmark
                status = f"error: {type(exc).__name__}"
            seconds = time.perf_counter() - t0
            try:
                fresh, _ = build()
                values = {v.name: v.value for v in model.component_data_objects(pyo.Var) if v.value is not None}
                for v in fresh.component_data_objects(pyo.Var):
                    if v.name in values:
                        v.set_value(values[v.name], skip_validation=True)
                residual = float(residual_fn(fresh))
            except Exception:  # noqa: BLE001
                residual = math.inf
            rows.append({"family": family, "problem": name, "start": start, "solver": solver, "status": status,
                         "residual": residual, "solved": bool(residual <= SOLVED) and not status.startswith(("error", "skipped")),
                         "seconds": seconds})
            print(f"{name:16s} {start:2d} {solver:14s} {status:22s} {residual:9.2e} {seconds:8.3f} s", flush=True)
    return pd.DataFrame(rows)


def dolan_more(table: pd.DataFrame) -> pd.DataFrame:
    """Share of cases each solver solves within tau times the best time on the case."""
    cases = table.groupby(["problem", "start"])
    out = {solver: [] for solver in SOLVERS}
    for tau in TAUS:
        for solver in SOLVERS:
            hits = 0
            for _, case in cases:
                ok = case[case.solved]
                if ok.empty:
                    continue
                best = ok.seconds.min()
                mine = ok[ok.solver == solver]
                hits += int(not mine.empty and mine.seconds.iloc[0] <= tau * best)
            out[solver].append(hits / len(cases))
    return pd.DataFrame(out, index=[f"tau={t}" for t in TAUS])


# --- scaling rows -----------------------------------------------------------------------------------------
def kim_rows(sizes):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_kim import random_instance

    from trade_opt.kim.equilibrium import default_starts, solve_equilibria
    from trade_opt.kim.mcp_model import build_mcp_model
    from trade_opt.mcp.system import build_system

    rows = []
    for J in sizes:
        data = random_instance(J, 0)
        t0 = time.perf_counter()
        mcp = build_mcp_model(data)
        model_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        system = build_system(mcp.model)  # the layer's build, timed alone (then rebuilt inside the solve)
        system.restore()
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        found = solve_equilibria(data, [default_starts(data)[0]], mcp=mcp)
        solve_s = time.perf_counter() - t0
        total = model_s + solve_s
        residual = found.solutions[0].residual if found.solutions else math.nan
        rows.append({"case": f"Kim J = {J}", "unknowns": 12 * J, "status": found.status, "residual": residual,
                     "end_to_end_s": total, "build_system_s": build_s, "build_share": build_s / total})
        print(rows[-1], flush=True)
    return rows


def melitz_rows(n, chunked=True):
    from trade_opt.instances import load_instance
    from trade_opt.melitz.equilibrium import max_rel_diff, solve_equilibrium

    base = load_instance(ROOT / "instances" / "melitz_default.toml").data()
    rng = np.random.default_rng(0)
    data = base.replace(z=rng.uniform(0.0, 1.0, n))
    import trade_opt.mcp  # noqa: F401  (import time is not the route's: both MCP rows run after it)
    rows = []
    t0 = time.perf_counter()
    red = solve_equilibrium(data, "reduction")
    red_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    mcp = solve_equilibrium(data, "mcp")
    mcp_s = time.perf_counter() - t0
    rows.append({"case": f"Melitz {n} industries, MCP route (one model, reduction start)", "unknowns": 4 * n,
                 "status": mcp.report["status"], "residual": mcp.report["residual"], "end_to_end_s": mcp_s,
                 "build_system_s": math.nan, "build_share": math.nan})
    print(rows[-1], flush=True)
    if chunked:  # the baseline: models of MCP_CHUNK industries from the crude starts (the route before)
        from trade_opt.melitz.equilibrium import _solve_mcp_chunked

        t0 = time.perf_counter()
        state, report = _solve_mcp_chunked(data, 1e-10)
        rows.append({"case": f"Melitz {n} industries, MCP route ({report['models']} models, crude starts)",
                     "unknowns": 4 * n, "status": report["status"], "residual": report["residual"],
                     "end_to_end_s": time.perf_counter() - t0, "build_system_s": math.nan, "build_share": math.nan})
        print(rows[-1], f"one model vs chunked: {rows[-1]['end_to_end_s'] / mcp_s:.1f}x faster, "
              f"max rel diff {max_rel_diff(mcp.state, state):.1e}", flush=True)
    rows.append({"case": f"Melitz {n} industries, 1-D reduction", "unknowns": n, "status": "solved",
                 "residual": math.nan, "end_to_end_s": red_s, "build_system_s": math.nan, "build_share": math.nan})
    print(rows[-1], f"MCP vs reduction max rel diff {max_rel_diff(mcp, red):.1e}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip ehl_kost and obstacle in the side-by-side")
    parser.add_argument("--kim", default="20,50,100", help="Kim J sizes ('' to skip)")
    parser.add_argument("--melitz", type=int, default=1000, help="Melitz industries (0 to skip)")
    parser.add_argument("--melitz-no-baseline", action="store_true",
                        help="skip the Melitz baseline row (models of MCP_CHUNK industries, crude starts)")
    parser.add_argument("--skip-side-by-side", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    md = ["# MCP solvers side by side\n"]
    if not args.skip_side_by_side:
        table = side_by_side(args.quick)
        table.to_csv(args.out / "mcp_solvers.csv", index=False)
        summary = table.groupby("solver").agg(solved=("solved", "sum"), cases=("solved", "size"),
                                              total_s=("seconds", "sum")).reindex(SOLVERS)
        profile = dolan_more(table)
        print(summary.to_string())
        print(profile.to_string())
        md += [markdown_table(table, floatfmt=".3g"), "\n\n", markdown_table(summary.reset_index(), floatfmt=".3g"),
               "\n\nDolan-More profile (share of cases solved within tau x the best time)\n\n",
               markdown_table(profile.reset_index(names="tau"), floatfmt=".2f"), "\n"]
    rows = kim_rows([int(s) for s in args.kim.split(",") if s]) if args.kim else []
    if args.melitz:
        rows += melitz_rows(args.melitz, chunked=not args.melitz_no_baseline)
    if rows:
        scaling = pd.DataFrame(rows)
        print(scaling.to_string(index=False))
        scaling.to_csv(args.out / "mcp_scaling.csv", index=False)
        md += ["\n# Scaling\n\n", markdown_table(scaling, floatfmt=".3g"), "\n"]
    (args.out / "mcp_solvers.md").write_text("".join(md))
    print(f"wrote {args.out / 'mcp_solvers.md'}")


if __name__ == "__main__":
    main()
