"""``trade-opt bench``: the knapsack solver benchmark (:mod:`trade_opt.bench.harness`)."""
from __future__ import annotations

from pathlib import Path

import typer


def bench(
    suite: str = typer.Option("small", "--suite", help="Instance suite: tiny | small | standard (see trade_opt.bench.families.SUITES)."),
    solvers: str = typer.Option("dp,highs,cbc,glpk,scip", "--solvers", help="Comma-separated methods: dp, brute, highs, cbc, glpk, scip."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds per run of a method (the child is killed after repeat x timeout x 1.1 + 1 s)."),
    repeat: int = typer.Option(1, "--repeat", help="Runs per (instance, method) in the same process; the fastest is recorded."),
    out: Path = typer.Option(Path("benchmarks/out/bench"), "--out", help="Output folder (results.csv, results.md, profile.png); a rerun resumes."),
    memory_mb: int = typer.Option(4096, "--memory-mb", help="Resident-memory cap of each child process in MB (0: none); the child is killed above it."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Run every (instance, method) pair of a suite in its own process; write CSV, Markdown and a performance profile."""
    from trade_opt.bench.families import SUITES
    from trade_opt.bench.harness import run_benchmark
    from trade_opt.commandline import print_json
    from trade_opt.errors import InputError

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
