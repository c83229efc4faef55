"""``trade-opt bench``: the knapsack solver benchmark (:mod:`trade_opt.bench.harness`) and, with
``--family mcp``, the MCP solvers side by side (:mod:`trade_opt.bench.mcp`)."""
from __future__ import annotations

from pathlib import Path

import typer


KNAPSACK_DEFAULT = "dp,ortools,highs,cbc,glpk,scip"


def bench(
    family: str = typer.Option("knapsack", "--family", help="What to benchmark: knapsack (B1 solvers) | mcp (complementarity solvers)."),
    suite: str = typer.Option("small", "--suite", help="Instance suite: tiny | small | standard (trade_opt.bench.families.SUITES; for mcp trade_opt.bench.mcp.MCP_SUITES)."),
    solvers: str = typer.Option(None, "--solvers", help=f"Comma-separated methods. knapsack: dp, brute, ortools, highs, cbc, glpk, scip (default {KNAPSACK_DEFAULT}); mcp: trade_opt_mcp, mpec_nlp, fb_scipy (default all three)."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds per run of a method (knapsack: the child is killed after repeat x timeout x 1.1 + 1 s; mcp: the solver's own limit, Ipopt max_cpu_time / the layer's time_limit)."),
    repeat: int = typer.Option(1, "--repeat", help="Runs per (instance, method) in the same process; the fastest is recorded."),
    out: Path = typer.Option(Path("benchmarks/out/bench"), "--out", help="Output folder (results.csv, results.md, profile.png); a rerun resumes."),
    memory_mb: int = typer.Option(None, "--memory-mb", help="knapsack only: resident-memory cap of each child process in MB (default 4096; 0: none); the child is killed above it."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Run every (instance, method) pair of a suite; write CSV, Markdown and a performance profile.

    knapsack: each pair in its own process.  mcp: MCPLIB and the trade MCPs, each solver in this process with the timeout as its own limit (status, independent residual, time, Dolan-More profile).
    """
    from trade_opt.commandline import print_json
    from trade_opt.errors import InputError

    if family not in ("knapsack", "mcp"):
        raise InputError("<command line>", "--family", f"unknown family {family!r}; choose from knapsack, mcp")
    if family == "mcp":
        _bench_mcp(suite, solvers, timeout, repeat, out, memory_mb, as_json)
        return
    from trade_opt.bench.families import SUITES
    from trade_opt.bench.harness import run_benchmark

    solvers = KNAPSACK_DEFAULT if solvers is None else solvers
    memory_mb = 4096 if memory_mb is None else memory_mb
    if suite not in SUITES:
        raise InputError("<command line>", "--suite", f"unknown suite {suite!r}; choose from {', '.join(SUITES)}")
    if timeout <= 0:
        raise InputError("<command line>", "--timeout", f"must be > 0, got {timeout}")
    if repeat < 1:
        raise InputError("<command line>", "--repeat", f"must be >= 1, got {repeat}")
    methods = [m.strip().lower() for m in solvers.split(",") if m.strip()]
    if not methods:
        raise InputError("<command line>", "--solvers", "no methods given")
    from trade_opt.bench.harness import NATIVE_METHODS
    from trade_opt.solvers import SOLVERS

    for method in methods:
        if method not in NATIVE_METHODS + SOLVERS:
            raise InputError("<command line>", "--solvers", f"unknown method {method!r}; "
                                                            f"choose from {', '.join(NATIVE_METHODS + SOLVERS)}")
    report = run_benchmark(SUITES[suite], methods, out, timeout=timeout, repeat=repeat, memory_mb=memory_mb or None)
    if as_json:
        print_json({"out": str(report.out), "ran": report.ran, "skipped_done": report.skipped_done,
                    "skipped_methods": report.skipped_methods})
        return
    typer.echo(report.table)
    typer.echo(f"{report.ran} pair(s) run, {report.skipped_done} already recorded; outputs in {report.out}")


def _bench_mcp(suite: str, solvers: str | None, timeout: float, repeat: int, out: Path, memory_mb: int | None,
               as_json: bool) -> None:
    """``trade-opt bench --family mcp``: :func:`trade_opt.bench.mcp.run_mcp_benchmark`."""
    from trade_opt.bench.mcp import MCP_SOLVERS, MCP_SUITES, run_mcp_benchmark
    from trade_opt.commandline import print_json
    from trade_opt.errors import InputError

    if suite not in MCP_SUITES:
        raise InputError("<command line>", "--suite", f"unknown MCP suite {suite!r}; choose from {', '.join(MCP_SUITES)}")
    if memory_mb is not None:
        raise InputError("<command line>", "--memory-mb", "applies to --family knapsack only (MCP solvers run in this process)")
    if not timeout > 0:
        raise InputError("<command line>", "--timeout", f"must be > 0, got {timeout}")
    if repeat < 1:
        raise InputError("<command line>", "--repeat", f"must be >= 1, got {repeat}")
    methods = list(MCP_SOLVERS) if solvers is None else [m.strip().lower() for m in solvers.split(",") if m.strip()]
    if not methods:
        raise InputError("<command line>", "--solvers", "no solvers given")
    for method in methods:
        if method not in MCP_SOLVERS:
            raise InputError("<command line>", "--solvers", f"unknown MCP solver {method!r}; choose from {', '.join(MCP_SOLVERS)}")
    report = run_mcp_benchmark(suite, methods, out, timeout=timeout, repeat=repeat)
    if as_json:
        print_json({"out": str(report.out), "ran": report.ran, "notes": report.notes})
        return
    typer.echo(report.table)
    typer.echo(f"{report.ran} pair(s) run; outputs in {report.out}")
