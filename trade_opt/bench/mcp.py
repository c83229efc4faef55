"""MCP solvers side by side: ``trade-opt bench --family mcp`` and ``benchmarks/bench_mcp.py``.

Solvers: :data:`MCP_SOLVERS` (``trade_opt_mcp``, ``mpec_nlp``, ``fb_scipy``; each on a freshly built
model, from the same start, in this process; :mod:`trade_opt.bench.mcp_runs` says how each is called).

Instances: Pyomo's MCPLIB problems from every initial point of their data files
(:mod:`trade_opt.bench.mcplib`; the files ship with the source tree) and the Kim, Melitz and
Krugman MCPs of the shipped instances.  ``residual``: the unscaled natural residual from the Pyomo
expressions, the same function for every solver (:func:`trade_opt.bench.mcplib.independent_residual`
for MCPLIB; ``max |x - mid(lb, ub, x - F)|, |h|`` of the layer's system for the trade models); a
case is ``solved`` when it is at most :data:`SOLVED`.  Dolan-More profile (Math. Program. 91
(2002) 201-213): for each solver the share of cases it solved within ``tau`` times the fastest
solver's time on that case.

The cases are :mod:`trade_opt.bench.mcp_cases`, the solvers and one (case, solver) run
:mod:`trade_opt.bench.mcp_runs`; their names are importable from here too (their former home).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from trade_opt.bench.mcp_cases import MCP_SUITES, ROOT, Case, _layer_residual, _trade_builders, mcp_cases  # noqa: F401  (re-exported)
from trade_opt.bench.mcp_runs import (COLUMNS, FB_MAX_N, MCP_SOLVERS, RUNNERS, SOLVED, _apply,  # noqa: F401  (re-exported)
                                      iter_rows, run_case, run_fb, run_layer, run_mpec_nlp)

#: Profile points (ratios to the fastest time).
TAUS = (1, 2, 4, 10, 100)


def dolan_more(table: Any, solvers: list[str], taus=TAUS):
    """Share of cases each solver solves within ``tau`` times the best time on the case.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`run_case` (``results.csv``).
    solvers : list of str
        Column order.
    taus : sequence of float
        Ratios to the fastest solved time.

    Returns
    -------
    pandas.DataFrame
        Index ``tau=<t>``, one column per solver: share (0..1) of (problem, start) cases it solved
        within tau times the fastest solver that solved the case.
    """
    import pandas as pd

    cases = table.groupby(["problem", "start"])
    out: dict[str, list[float]] = {solver: [] for solver in solvers}
    for tau in taus:
        for solver in solvers:
            hits = 0
            for _, case in cases:
                ok = case[case.solved]
                mine = ok[ok.solver == solver]
                hits += int(not mine.empty and mine.seconds.iloc[0] <= tau * ok.seconds.min())
            out[solver].append(hits / max(1, len(cases)))
    return pd.DataFrame(out, index=[f"tau={t}" for t in taus])


def summarize(table: Any, solvers: list[str]):
    """Per-solver totals and the Dolan-More profile.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`run_case`.
    solvers : list of str
        Row order of the summary.

    Returns
    -------
    summary : pandas.DataFrame
        Index ``solver``; ``solved`` (cases solved), ``cases``, ``total_s`` (wall seconds summed).
    profile : pandas.DataFrame
        :func:`dolan_more`.
    """
    summary = table.groupby("solver").agg(solved=("solved", "sum"), cases=("solved", "size"),
                                          total_s=("seconds", "sum")).reindex(solvers)
    return summary, dolan_more(table, solvers)


@dataclass
class MCPBenchReport:
    """What :func:`run_mcp_benchmark` did."""

    out: Path
    ran: int
    table: str
    notes: list[str]


def run_mcp_benchmark(suite: str, solvers: list[str], out: str | Path, *, timeout: float = 60.0, repeat: int = 1,
                      root: Path = ROOT, log: Callable[[str], None] | None = None,
                      progress: bool | None = None) -> MCPBenchReport:
    """Run every (case, solver) of ``suite``; write ``results.csv``, ``results.md``, ``profile.png``.

    Parameters
    ----------
    suite : str
        A key of :data:`MCP_SUITES`.
    solvers : list of str
        Names from :data:`MCP_SOLVERS`.
    out : str or pathlib.Path
        Output folder (created; the three files are replaced).
    timeout : float
        Seconds handed to each solver as its own limit (the layer's ``time_limit``, Ipopt's
        ``max_cpu_time``; the FB baseline has none); runs are in this process, never killed.
    repeat : int
        Runs per (case, solver); the fastest is recorded.
    root : pathlib.Path
        Source tree holding ``tests/data/mcplib`` and ``instances``.
    log : callable, optional
        Receives one line of text per finished pair (default: print to stderr).
    progress : bool, optional
        Rich progress bar (default: when stderr is a terminal).

    Returns
    -------
    MCPBenchReport
        The output folder, pairs run, the Markdown of ``results.md`` and the notes on missing files.
    """
    import sys

    import pandas as pd

    from trade_opt.bench.summary import plot_profile
    from trade_opt.outputs import _atomic_write_text, markdown_table, write_csv
    from trade_opt.progress import progress_bar

    import logging

    logging.getLogger("pyomo.core").setLevel(logging.ERROR)  # Ipopt's bound round-off warnings on load
    say = log or (lambda text: print(text, file=sys.stderr))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cases, notes = mcp_cases(suite, root)
    for note in notes:
        say(f"bench: {note}")
    rows = []
    with progress_bar("bench mcp", len(cases) * len(solvers), enabled=progress) as bar:
        for row in iter_rows(cases, solvers, timeout, repeat):
            rows.append(row)
            say(f"{row['problem']:16s} {row['start']:2d} {row['solver']:14s} {row['status']:22s} "
                f"{row['residual']:9.2e} {row['seconds']:8.3f} s")
            bar.advance()
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    write_csv(out / "results.csv", table)
    summary, profile = summarize(table, solvers)
    # the harness's profile plot: instance = case, method = solver, "optimal" = solved
    plot_df = table.assign(instance=table.problem + "#" + table.start.astype(str), method=table.solver,
                           status=table.solved.map({True: "optimal", False: "unsolved"}))
    if len(plot_df):
        plot_profile(plot_df, out / "profile.png")
    text = "\n".join([
        f"# MCP solvers side by side (suite {suite})", "",
        f"Status, unscaled natural residual from the Pyomo expressions (solved: <= {SOLVED:g}) and wall time "
        "per case and solver.", "", markdown_table(table, floatfmt=".3g"), "",
        markdown_table(summary.reset_index(), floatfmt=".3g"), "",
        "Dolan-More profile (share of cases solved within tau x the fastest time; plot: `profile.png`):", "",
        markdown_table(profile.reset_index(names="tau"), floatfmt=".2f"),
        *([""] + [f"- {note}" for note in notes] if notes else []), ""])
    _atomic_write_text(out / "results.md", text)
    return MCPBenchReport(out=out, ran=len(rows), table=text, notes=notes)
