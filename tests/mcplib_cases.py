"""Loading the vendored MCPLIB problems (tests/data/mcplib, see its README) and their start points.

Used by tests/test_mcplib.py and benchmarks/bench_mcp.py.  Pyomo is imported here before
trade_opt, as a Pyomo user would.  The loaders live in :mod:`trade_opt.bench.mcplib` (shared with
``trade-opt bench --family mcp``); this module re-exports them and runs the cases.
"""
from __future__ import annotations

import pyomo.environ as pyo

from trade_opt.bench.mcplib import (DATA, PROBLEMS, START_TABLES, cases, independent_residual,  # noqa: F401
                                    load, starts)


def solve_case(name: str, index: int, tol: float = 1e-10) -> dict:
    """Load ``name``, apply start ``index``, solve through ``SolverFactory("trade_opt_mcp")``."""
    import time

    model = load(name)
    for var_name, value in starts(name, model)[index].items():
        model.find_component(var_name).set_value(value)
    opt = pyo.SolverFactory("trade_opt_mcp")
    t0 = time.perf_counter()
    results = opt.solve(model, options={"tol": tol})
    seconds = time.perf_counter() - t0
    info = results.solver
    return {"problem": name, "start": index + 1, "termination": str(info.termination_condition),
            "residual": float(info.residual), "independent_residual": independent_residual(model),
            "seconds": seconds, "newton": int(info.newton_iterations), "ipopt_solves": int(info.ipopt_solves)}


if __name__ == "__main__":  # one JSON line per case: python tests/mcplib_cases.py [problem ...]
    import json
    import sys

    import trade_opt.mcp  # noqa: F401  (after Pyomo, as a Pyomo user writes it)

    for problem in sys.argv[1:] or PROBLEMS:
        for k in range(len(starts(problem, load(problem)))):
            print(json.dumps(solve_case(problem, k)), flush=True)
