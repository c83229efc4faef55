"""Benchmark harness: every (instance, method) pair in its own process, with a time limit.

``trade-opt bench --suite NAME --solvers highs,cbc,glpk,scip,dp --timeout S --repeat R --out DIR``
(:func:`run_benchmark`) writes into ``DIR``:

* ``results.csv``: one row per (instance, method), appended (and fsync'ed) as each pair finishes;
  a rerun skips the pairs already recorded (resumable).  Columns: :data:`COLUMNS`.
* ``results.md``: the headline table (wall time per family, size and method, and its ratio to the
  fastest method that proved optimality on that instance) plus notes (skipped solvers, agreement).
* ``profile.png``: the Dolan-More performance profile (E. D. Dolan, J. J. More, "Benchmarking
  optimization software with performance profiles", Math. Program. 91 (2002) 201-213):
  for instance p and method s, r_ps = t_ps / min_s t_ps (inf when s did not prove optimality),
  rho_s(tau) = share of instances with r_ps <= tau, plotted over log2(tau).

Methods: ``dp`` (:func:`trade_opt.knapsack.knapsack_dp`, exact Nemhauser-Ullmann), ``brute``
(enumeration, n <= 20), ``ortools`` (:func:`trade_opt.knapsack.knapsack_ortools`: OR-Tools' branch and
bound on integer-scaled data with a float feasibility re-check; optional extra ``ortools``), and every MIP solver of :data:`trade_opt.solvers.SOLVERS` solving the
Pyomo model :func:`trade_opt.knapsack.build_knapsack_model` with a zero gap.

Each pair runs in its own process with a time limit and a memory cap (:mod:`trade_opt.bench.isolation`:
:func:`run_pair`, the timing and memory columns); the summaries (``results.md``, the profile) are
:mod:`trade_opt.bench.summary`.  Their names are importable from here too (their former home).
"""
from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from trade_opt.bench.isolation import COLUMNS, STARTUP_LIMIT, PairSpec, run_pair  # noqa: F401  (re-exported)
from trade_opt.bench.summary import (headline_table, load_results, performance_profile,  # noqa: F401  (re-exported)
                                     plot_profile, solved_times, write_summary)

#: Methods that are not MIP solvers.
NATIVE_METHODS = ("dp", "brute", "ortools")


@dataclass
class BenchReport:
    """What :func:`run_benchmark` did: rows of this run, pairs skipped as done, methods skipped."""

    out: Path
    ran: int = 0
    skipped_done: int = 0
    skipped_methods: dict[str, str] = field(default_factory=dict)
    table: str = ""


def _read_done(path: Path) -> set[tuple[str, int, int, str]]:
    if not path.exists() or path.stat().st_size == 0:
        return set()
    with open(path, newline="", encoding="utf-8") as handle:
        return {(r["family"], int(r["n"]), int(r["seed"]), r["method"]) for r in csv.DictReader(handle)}


def available_methods(methods: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Split ``methods`` into those that can run here and {absent solver: install hint}.

    Parameters
    ----------
    methods : sequence of str
        Names from :data:`NATIVE_METHODS` and :data:`trade_opt.solvers.SOLVERS`.

    Returns
    -------
    runnable : list of str
        The methods available here, in the given order.
    skipped : dict of str to str
        Absent method -> why / how to install it.

    Raises
    ------
    trade_opt.errors.TradeOptError
        An unknown method name.
    """
    from trade_opt.errors import TradeOptError
    from trade_opt.solvers import SOLVERS, solver_available

    ok, skipped = [], {}
    for method in methods:
        if method == "ortools":
            import importlib.util

            if importlib.util.find_spec("ortools") is None:
                skipped[method] = "pip install ortools (the extra trade-opt[ortools])"
            else:
                ok.append(method)
        elif method in NATIVE_METHODS:
            ok.append(method)
        elif method in SOLVERS:
            available, reason = solver_available(method)
            if available:
                ok.append(method)
            else:
                skipped[method] = reason
        else:
            raise TradeOptError(f"unknown method {method!r}; choose from {', '.join(NATIVE_METHODS + SOLVERS)}")
    return ok, skipped


def run_benchmark(instances: Iterable[tuple[str, int, int]], methods: Sequence[str], out: str | Path, *,
                  timeout: float = 60.0, repeat: int = 1, memory_mb: int | None = 4096,
                  progress: bool | None = None, log: Any = None, brute_max_n: int = 20) -> BenchReport:
    """Run every (instance, method) pair not yet in ``out/results.csv``; write CSV, Markdown, plot.

    Parameters
    ----------
    instances : iterable of (str, int, int)
        (family, n, seed) triples (:func:`trade_opt.bench.families.make_instance`).
    methods : sequence of str
        ``dp``, ``brute``, ``ortools`` and/or MIP solver names; absent ones are skipped with a note.
    out : str or pathlib.Path
        Output folder (created); ``results.csv`` there is appended to, so a rerun resumes.
    timeout : float
        Seconds per run of a method (see :mod:`trade_opt.bench.isolation` for how it is enforced).
    repeat : int
        Runs per pair in the same process; the fastest is recorded.
    memory_mb : int or None
        Resident-memory cap of each child in MB (None: no cap).
    progress : bool, optional
        Rich progress bar (default: when stderr is a terminal).
    log : callable, optional
        Takes one line of text (default: print to stderr).
    brute_max_n : int
        ``brute`` is not run above this n (recorded as status ``skipped``).

    Returns
    -------
    BenchReport
        Pairs run, pairs skipped as already recorded, methods skipped (absent), and the Markdown
        written to ``results.md``.

    Raises
    ------
    trade_opt.errors.TradeOptError
        An unknown method name.
    """
    import pandas as pd

    from trade_opt.outputs import CsvStream
    from trade_opt.progress import progress_bar

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = log or (lambda text: print(text, file=sys.stderr))
    csv_path = out / "results.csv"
    runnable, skipped = available_methods(methods)
    for method, reason in skipped.items():
        say(f"bench: skipping {method}: {reason}")
    report = BenchReport(out, skipped_methods=skipped)
    done = _read_done(csv_path)
    todo = []
    for family, n, seed in instances:
        for method in runnable:
            if (family, int(n), int(seed), method) in done:
                report.skipped_done += 1
            else:
                todo.append(PairSpec(family, int(n), int(seed), method))
    if report.skipped_done:
        say(f"bench: {report.skipped_done} pair(s) already in {csv_path}, skipped")
    with progress_bar("bench", len(todo), enabled=progress) as bar, \
            CsvStream(csv_path, append=True, columns=list(COLUMNS)) as results:
        for spec in todo:
            if spec.method == "brute" and spec.n > brute_max_n:
                row = {"family": spec.family, "n": spec.n, "seed": spec.seed, "method": spec.method,
                       "instance": spec.instance, "status": "skipped", "timeout": timeout, "repeat": repeat,
                       "note": f"brute force only for n <= {brute_max_n}"}
            else:
                row = run_pair(spec, timeout, repeat, memory_mb)
            results.write(pd.DataFrame([row]))
            report.ran += 1
            bar.advance()
    report.table = write_summary(out, skipped)
    return report
