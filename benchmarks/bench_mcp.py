"""MCP solvers side by side on MCPLIB and the trade models, plus the Kim / Melitz scaling rows.

Side by side: :mod:`trade_opt.bench.mcp` (the same code as ``trade-opt bench --family mcp``):
``trade_opt_mcp`` (``pyo.SolverFactory("trade_opt_mcp")``, tol 1e-10), ``mpec_nlp`` (Pyomo's
``mpec.simple_nonlinear`` + ``SolverFactory("cyipopt")``, tol 1e-10, 3000 iterations / 60 s CPU) and
``fb_scipy`` (:func:`trade_opt.mcp.baseline.solve_fb_scipy`, skipped above 500 unknowns), each on a
freshly loaded model from the same start; ``residual`` the unscaled natural residual from the Pyomo
expressions, ``solved`` when <= 1e-8; Dolan-More profile.  Suite ``standard`` (``--quick``: ``small``).

Scaling rows, each evaluator of the MCP layer in the same run (``--kim-evaluators asl,templates``:
``asl`` = PyNumero/ASL for every system, the layer before its expression templates; ``templates``
= the default, :mod:`trade_opt.mcp.templates`): Kim J regions end to end (model build +
``solve_equilibria`` from one start) with the MCP layer's ``build_system`` timed alone on the same
model and its share of the end-to-end time, and the largest difference of the answers (scaled firm
numbers) from the ``asl`` run; Melitz with 1000 industries by the MCP route (one model started at
the 1-D reduction) and by the reduction.  Pyomo is imported first, as a Pyomo user does.

    .venv/bin/python benchmarks/bench_mcp.py [--quick] [--skip-side-by-side] [--kim 25,50,100] [--melitz 1000]
"""
from __future__ import annotations

import argparse
import gc
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

import trade_opt.mcp  # noqa: E402,F401
from trade_opt.bench.mcp import MCP_SOLVERS as SOLVERS, iter_rows, mcp_cases, summarize  # noqa: E402
from trade_opt.outputs import markdown_table  # noqa: E402

import logging  # noqa: E402

logging.getLogger("pyomo.core").setLevel(logging.ERROR)  # Ipopt's bound round-off warnings on load



# --- side by side: trade_opt.bench.mcp (also `trade-opt bench --family mcp`) ------------------------------
def side_by_side(quick: bool) -> pd.DataFrame:
    cases, notes = mcp_cases("small" if quick else "standard", ROOT)
    for note in notes:
        print(note, flush=True)
    rows = []
    for row in iter_rows(cases, list(SOLVERS), timeout=60.0):
        rows.append(row)
        print(f"{row['problem']:16s} {row['start']:2d} {row['solver']:14s} {row['status']:22s} "
              f"{row['residual']:9.2e} {row['seconds']:8.3f} s", flush=True)
    return pd.DataFrame(rows)


# --- scaling rows -----------------------------------------------------------------------------------------
def _use_evaluator(system_module, evaluator, defaults) -> None:
    """``asl``: PyNumero/ASL for every system (the layer before its templates); ``templates``: the default."""
    if evaluator == "asl":
        system_module.TEMPLATE_MIN_ROWS, system_module.TEMPLATE_MIN_NODES = 10**9, 10**12
    else:
        system_module.TEMPLATE_MIN_ROWS, system_module.TEMPLATE_MIN_NODES = defaults


def kim_rows(sizes, evaluators=("asl", "templates")):
    """Kim J regions end to end (model build + ``solve_equilibria`` from one start) with the MCP
    layer's ``build_system`` timed alone on the same model, for each evaluator of the layer in the
    same run: ``asl`` = PyNumero/ASL (.nl writer, the path before issue 17's templates),
    ``templates`` = :mod:`trade_opt.mcp.templates` (the default from 200 rows)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_kim import random_instance

    from trade_opt.kim.equilibrium import default_starts, solve_equilibria
    from trade_opt.kim.mcp_model import build_mcp_model
    from trade_opt.mcp import system as system_module

    defaults = system_module.TEMPLATE_MIN_ROWS, system_module.TEMPLATE_MIN_NODES
    rows = []
    for J in sizes:
        data = random_instance(J, 0)
        answers = {}
        for evaluator in evaluators:
            _use_evaluator(system_module, evaluator, defaults)
            try:
                t0 = time.perf_counter()
                mcp = build_mcp_model(data)
                model_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                system = system_module.build_system(mcp.model)  # the layer's build, timed alone
                system.restore()
                build_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                found = solve_equilibria(data, [default_starts(data)[0]], mcp=mcp)
                solve_s = time.perf_counter() - t0
            finally:
                system_module.TEMPLATE_MIN_ROWS, system_module.TEMPLATE_MIN_NODES = defaults
            total = model_s + solve_s
            residual = found.solutions[0].residual if found.solutions else math.nan
            answers[evaluator] = found.solutions[0].xt if found.solutions else None
            rows.append({"case": f"Kim J = {J}", "evaluator": evaluator, "unknowns": 12 * J, "status": found.status,
                         "residual": residual, "end_to_end_s": total, "model_s": model_s, "build_system_s": build_s,
                         "build_share": build_s / total, "max_abs_diff_vs_asl": math.nan})
            if evaluator != "asl" and answers.get("asl") is not None and answers[evaluator] is not None:
                rows[-1]["max_abs_diff_vs_asl"] = float(np.max(np.abs(answers[evaluator] - answers["asl"])))
            print(rows[-1], flush=True)
            del mcp, system, found  # each run starts from the same heap (Pyomo's build slows with garbage)
            gc.collect()
    return rows


def melitz_rows(n, chunked=True, evaluators=("asl", "templates")):
    """Melitz with ``n`` industries: the MCP route (one model from the reduction's state) with each
    evaluator of the layer, the route before (models of MCP_CHUNK industries from crude starts),
    and the 1-D reduction, in the same run."""
    from trade_opt.instances import load_instance
    from trade_opt.mcp import system as system_module
    from trade_opt.melitz.equilibrium import max_rel_diff, solve_equilibrium

    base = load_instance(ROOT / "instances" / "melitz_default.toml").data()
    rng = np.random.default_rng(0)
    data = base.replace(z=rng.uniform(0.0, 1.0, n))
    import trade_opt.mcp  # noqa: F401  (import time is not the route's: both MCP rows run after it)
    nan = {"model_s": math.nan, "build_system_s": math.nan, "build_share": math.nan, "max_abs_diff_vs_asl": math.nan}
    rows = []
    t0 = time.perf_counter()
    red = solve_equilibrium(data, "reduction")
    red_s = time.perf_counter() - t0
    answers = {}
    defaults = system_module.TEMPLATE_MIN_ROWS, system_module.TEMPLATE_MIN_NODES
    for evaluator in evaluators:
        _use_evaluator(system_module, evaluator, defaults)
        try:
            t0 = time.perf_counter()
            mcp = solve_equilibrium(data, "mcp")
            mcp_s = time.perf_counter() - t0
        finally:
            system_module.TEMPLATE_MIN_ROWS, system_module.TEMPLATE_MIN_NODES = defaults
        answers[evaluator] = mcp
        rows.append({"case": f"Melitz {n} industries, MCP route (one model, reduction start)", "evaluator": evaluator,
                     "unknowns": 6 * n, "status": mcp.report["status"], "residual": mcp.report["residual"],
                     "end_to_end_s": mcp_s, **nan})
        if evaluator != "asl" and "asl" in answers:
            rows[-1]["max_abs_diff_vs_asl"] = max_rel_diff(mcp, answers["asl"])
        print(rows[-1], f"MCP vs reduction max rel diff {max_rel_diff(mcp, red):.1e}", flush=True)
        del mcp
        gc.collect()
    if chunked:  # the baseline: models of MCP_CHUNK industries from the crude starts (the route before)
        from trade_opt.melitz.equilibrium import _solve_mcp_chunked

        t0 = time.perf_counter()
        state, report = _solve_mcp_chunked(data, 1e-10)
        rows.append({"case": f"Melitz {n} industries, MCP route ({report['models']} models, crude starts)",
                     "evaluator": "default", "unknowns": 6 * n, "status": report["status"], "residual": report["residual"],
                     "end_to_end_s": time.perf_counter() - t0, **nan})
        print(rows[-1], flush=True)
    rows.append({"case": f"Melitz {n} industries, 1-D reduction", "evaluator": "-", "unknowns": n, "status": "solved",
                 "residual": math.nan, "end_to_end_s": red_s, **nan})
    print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="suite 'small' (no ehl_kost, obstacle) in the side-by-side")
    parser.add_argument("--kim", default="25,50,100", help="Kim J sizes ('' to skip)")
    parser.add_argument("--kim-evaluators", default="asl,templates",
                        help="the layer's evaluators for the Kim rows, in the same run (asl, templates)")
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
        summary, profile = summarize(table, list(SOLVERS))
        print(summary.to_string())
        print(profile.to_string())
        md += [markdown_table(table, floatfmt=".3g"), "\n\n", markdown_table(summary.reset_index(), floatfmt=".3g"),
               "\n\nDolan-More profile (share of cases solved within tau x the best time)\n\n",
               markdown_table(profile.reset_index(names="tau"), floatfmt=".2f"), "\n"]
    rows = kim_rows([int(s) for s in args.kim.split(",") if s], args.kim_evaluators.split(",")) if args.kim else []
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
