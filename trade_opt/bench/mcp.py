"""MCP solvers side by side: ``trade-opt bench --family mcp`` and ``benchmarks/bench_mcp.py``.

Solvers (each on a freshly built model, from the same start, in this process):

* ``trade_opt_mcp``: ``pyo.SolverFactory("trade_opt_mcp")`` (:mod:`trade_opt.mcp`: warm Newton
  polish, Scholtes relaxation + Ipopt, active-set Newton polish), tol 1e-10, ``time_limit`` the timeout;
* ``mpec_nlp``: Pyomo's ``mpec.simple_nonlinear`` transformation (what the ``mpec_nlp``
  meta-solver applies; the meta-solver itself passes an option cyipopt rejects) + a constant
  objective + ``SolverFactory("cyipopt")`` (tol 1e-10, at most 3000 iterations, ``max_cpu_time``
  the timeout);
* ``fb_scipy``: :func:`trade_opt.mcp.baseline.solve_fb_scipy` (``scipy.optimize.root`` hybr on the
  Fischer-Burmeister system; not run above :data:`FB_MAX_N` unknowns: MINPACK's dense QR).

Instances: Pyomo's MCPLIB problems from every initial point of their data files
(:mod:`trade_opt.bench.mcplib`; the files ship with the source tree) and the Kim, Melitz and
Krugman MCPs of the shipped instances.  ``residual``: the unscaled natural residual from the Pyomo
expressions, the same function for every solver (:func:`trade_opt.bench.mcplib.independent_residual`
for MCPLIB; ``max |x - mid(lb, ub, x - F)|, |h|`` of the layer's system for the trade models); a
case is ``solved`` when it is at most :data:`SOLVED`.  Dolan-More profile (Math. Program. 91
(2002) 201-213): for each solver the share of cases it solved within ``tau`` times the fastest
solver's time on that case.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

#: A case is solved when the independent unscaled natural residual is at most this.
SOLVED = 1e-8
#: The solvers, in table order.
MCP_SOLVERS = ("trade_opt_mcp", "mpec_nlp", "fb_scipy")
#: ``fb_scipy`` is not run above this many unknowns.
FB_MAX_N = 500
#: Profile points (ratios to the fastest time).
TAUS = (1, 2, 4, 10, 100)
#: Columns of ``results.csv``.
COLUMNS = ("family", "problem", "start", "solver", "status", "residual", "solved", "seconds")
ROOT = Path(__file__).resolve().parents[2]
#: Named suites: MCPLIB problems (every start) and trade models.  ``tiny`` is for tests.
MCP_SUITES: dict[str, dict[str, tuple[str, ...]]] = {
    "tiny": {"mcplib": ("josephy", "munson1"), "trade": ("kim_nafta3",), "max_starts": (1,)},
    "small": {"mcplib": ("billups", "choi", "josephy", "kojshin", "munson1", "nash", "pies"),
              "trade": ("kim_nafta3", "melitz_default", "krugman_default")},
    "standard": {"mcplib": ("billups", "choi", "ehl_kost", "josephy", "kojshin", "munson1", "nash", "obstacle", "pies"),
                 "trade": ("kim_nafta3", "melitz_default", "krugman_default")},
}


@dataclass(frozen=True)
class Case:
    """One (problem, start): ``build() -> (model, start dict)`` and the residual function."""

    family: str
    problem: str
    start: int
    build: Callable[[], tuple[Any, dict]]
    residual: Callable[[Any], float]


def _layer_residual(model: Any) -> float:
    from trade_opt.mcp.residual import unscaled_residual_at
    from trade_opt.mcp.system import build_system

    system = build_system(model)
    try:
        return unscaled_residual_at(system, system.x_from_model())
    finally:
        system.restore()


def _trade_builders(root: Path) -> dict[str, Callable[[], tuple[Any, dict]]]:
    from trade_opt.instances import load_instance

    def kim():
        from trade_opt.kim.equilibrium import default_starts
        from trade_opt.kim.mcp_model import build_mcp_model

        data = load_instance(root / "instances" / "kim_nafta3.toml").data()
        mcp = build_mcp_model(data)
        return mcp.model, mcp.start(default_starts(data)[0])

    def melitz():
        from trade_opt.melitz.mcp_model import autarky_start, build_model, starting_points

        data = load_instance(root / "instances" / "melitz_default.toml").data()
        model = build_model(data)
        return model, starting_points(model, [autarky_start(data)])[0]

    def krugman():
        from trade_opt.krugman.mcp_model import build_north_south_model, north_south_start

        data = load_instance(root / "instances" / "krugman_default.toml").data()
        return build_north_south_model(data, north_south_start(data)), {}

    return {"kim_nafta3": kim, "melitz_default": melitz, "krugman_default": krugman}


def mcp_cases(suite: str, root: Path = ROOT) -> tuple[list[Case], list[str]]:
    """The cases of a suite and notes on what is missing (MCPLIB files, instance files).

    Parameters
    ----------
    suite : str
        A key of :data:`MCP_SUITES`.
    root : pathlib.Path
        Source tree holding ``tests/data/mcplib`` and ``instances``.

    Returns
    -------
    cases : list of Case
        One per (MCPLIB problem, start) (at most ``max_starts`` starts where the suite sets it),
        then one per trade instance.
    notes : list of str
        One line per problem or instance file that is missing (its cases are left out).
    """
    from trade_opt.bench import mcplib

    spec = MCP_SUITES[suite]
    max_starts = spec.get("max_starts", (None,))[0]
    cases: list[Case] = []
    notes: list[str] = []
    folder = root / "tests" / "data" / "mcplib"
    for name in spec["mcplib"]:
        if not (folder / f"{name}.py").exists():
            notes.append(f"MCPLIB {name}: no file {folder / (name + '.py')} (the problems ship with the source tree)")
            continue
        n_starts = len(mcplib.starts(name, mcplib.load(name, folder)))
        for k in range(n_starts if max_starts is None else min(n_starts, max_starts)):
            def build(name=name, k=k):
                model = mcplib.load(name, folder)
                return model, mcplib.starts(name, model)[k]
            cases.append(Case("mcplib", name, k + 1, build, mcplib.independent_residual))
    builders = _trade_builders(root)
    for name in spec["trade"]:
        if not (root / "instances" / f"{name}.toml").exists():
            notes.append(f"{name}: no instance file under {root / 'instances'}")
            continue
        cases.append(Case("trade", name, 1, builders[name], _layer_residual))
    return cases, notes


# --- solvers ------------------------------------------------------------------------------------------------
def _apply(model: Any, start: Any) -> None:
    for key, value in (start.items() if hasattr(start, "items") else start):
        var = key if hasattr(key, "set_value") else model.find_component(key)
        var.set_value(float(value), skip_validation=True)


def run_layer(model: Any, timeout: float) -> str:
    """Solve with ``SolverFactory("trade_opt_mcp")`` (tol 1e-10, ``time_limit`` = ``timeout``).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A freshly built case model at its start point (it is changed in place).
    timeout : float
        Seconds the solver is given as its own limit.

    Returns
    -------
    str
        Pyomo's termination condition.
    """
    import pyomo.environ as pyo

    res = pyo.SolverFactory("trade_opt_mcp").solve(model, options={"tol": 1e-10, "time_limit": timeout})
    return str(res.solver.termination_condition)


def run_mpec_nlp(model: Any, timeout: float) -> str:
    """Apply ``mpec.simple_nonlinear``, replace the objective by 0 and solve with cyipopt.

    Ipopt options: tol 1e-10, max_iter 3000, ``max_cpu_time`` = ``timeout``.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A freshly built case model at its start point (it is changed in place).
    timeout : float
        Seconds the solver is given as its own limit.

    Returns
    -------
    str
        Pyomo's termination condition.
    """
    import pyomo.environ as pyo

    pyo.TransformationFactory("mpec.simple_nonlinear").apply_to(model)
    for obj in model.component_data_objects(pyo.Objective, active=True):
        obj.deactivate()
    model._bench_obj = pyo.Objective(expr=0.0)
    res = pyo.SolverFactory("cyipopt").solve(model, options={"tol": 1e-10, "max_iter": 3000, "max_cpu_time": timeout,
                                                             "print_level": 0})
    return str(res.solver.termination_condition)


def run_fb(model: Any, timeout: float) -> str:
    """The Fischer-Burmeister baseline (:func:`trade_opt.mcp.baseline.solve_fb_scipy`).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A freshly built case model at its start point (it is changed in place).
    timeout : float
        Ignored (the baseline has no time limit).

    Returns
    -------
    str
        The baseline's status, or ``"skipped (n > FB_MAX_N)"`` above :data:`FB_MAX_N` unknowns.
    """
    import pyomo.environ as pyo

    from trade_opt.mcp.baseline import solve_fb_scipy

    n = sum(1 for v in model.component_data_objects(pyo.Var) if not v.fixed)
    if n > FB_MAX_N:
        return f"skipped (n > {FB_MAX_N})"
    return solve_fb_scipy(model).status


RUNNERS = {"trade_opt_mcp": run_layer, "mpec_nlp": run_mpec_nlp, "fb_scipy": run_fb}


def run_case(case: Case, solver: str, timeout: float, repeat: int = 1) -> dict[str, Any]:
    """One (case, solver): status, independent residual, fastest of ``repeat`` wall times.

    Parameters
    ----------
    case : Case
        The problem and start (built afresh for every run).
    solver : str
        A key of :data:`RUNNERS` (= :data:`MCP_SOLVERS`).
    timeout : float
        Seconds given to the solver as its own limit.
    repeat : int
        Runs; the fastest is recorded.

    Returns
    -------
    dict
        Keys :data:`COLUMNS`: ``status`` (termination, or ``error: <exception type>`` when the
        solver raised), ``residual`` (the case's independent residual of the final point copied
        into a fresh model; inf if it cannot be computed), ``solved`` (residual <= :data:`SOLVED`
        and no error/skip), ``seconds`` (wall time of the solver call).
    """
    import pyomo.environ as pyo

    best: dict[str, Any] | None = None
    for _ in range(repeat):
        model, point = case.build()
        _apply(model, point)
        t0 = time.perf_counter()
        try:
            status = RUNNERS[solver](model, timeout)
        except Exception as exc:  # noqa: BLE001  (a solver breaking down is a result, not a crash)
            status = f"error: {type(exc).__name__}"
        seconds = time.perf_counter() - t0
        try:  # the point in a fresh model (the transformation changed this one)
            fresh, _ = case.build()
            values = {v.name: v.value for v in model.component_data_objects(pyo.Var) if v.value is not None}
            for v in fresh.component_data_objects(pyo.Var):
                if v.name in values:
                    v.set_value(values[v.name], skip_validation=True)
            residual = float(case.residual(fresh))
        except Exception:  # noqa: BLE001
            residual = math.inf
        row = {"family": case.family, "problem": case.problem, "start": case.start, "solver": solver,
               "status": status, "residual": residual,
               "solved": bool(residual <= SOLVED) and not status.startswith(("error", "skipped")), "seconds": seconds}
        if best is None or row["seconds"] < best["seconds"]:
            best = row
    assert best is not None
    return best


def iter_rows(cases: list[Case], solvers: list[str], timeout: float, repeat: int = 1) -> Iterator[dict[str, Any]]:
    """Rows of every (case, solver), after one unrecorded warm-up run of each solver on the first
    case (the first solve loads PyNumero's ASL library and Ipopt: ~2 s that no case should carry).

    Parameters
    ----------
    cases : list of Case
    solvers : list of str
        Names from :data:`MCP_SOLVERS`.
    timeout : float
        Seconds per solver run.
    repeat : int
        Runs per (case, solver).

    Yields
    ------
    dict
        :func:`run_case`'s row, cases in order, solvers inner.
    """
    for solver in solvers[:] if cases else []:
        run_case(cases[0], solver, timeout)
    for case in cases:
        for solver in solvers:
            yield run_case(case, solver, timeout, repeat)


# --- summaries ----------------------------------------------------------------------------------------------
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

    from trade_opt.bench.harness import plot_profile
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
