"""``trade-opt gomory ...``: single tasks on a Gomory instance, each with ``--json`` for scripting."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer

from trade_opt.commandline import parse_float_list, print_json, table_file_option
from trade_opt.errors import InputError
from trade_opt.instances import load_instance

app = typer.Typer(no_args_is_help=True, help="Gomory (1991): equilibria, boundary curves, Ricardo level.")

#: Largest n whose equilibria are printed as JSON (2^20 - 2 rows, as JSON Lines); beyond, write --csv / --parquet.
JSON_MAX_N = 20


def _equilibria_json(data, autarky, batch_rows: int) -> None:
    """``--json`` without a table file: one JSON document up to ``outputs.MAX_JSON_ROWS``
    equilibria, JSON Lines (one equilibrium per line) beyond."""
    import sys

    from trade_opt import outputs
    from trade_opt.gomory.equilibria import all_specialized, specialized_equilibria

    if batch_rows <= outputs.MAX_JSON_ROWS:
        batch = all_specialized(data)
        print_json({
            "n": data.n, "count": len(batch), "autarky": {"u1": autarky[0], "u2": autarky[1]},
            "equilibria": [
                {"x": x, "Y": y, "w_ratio": w, "u1": a, "u2": b}
                for x, y, w, a, b in zip(batch.X.astype(int).tolist(), batch.Y.tolist(), batch.w_ratio.tolist(), batch.u1.tolist(), batch.u2.tolist())
            ],
        })
        return
    import os

    try:
        sys.stdout.flush()
        for batch in specialized_equilibria(data):
            sys.stdout.buffer.write(outputs.jsonl_bytes({"x": batch.X, "Y": batch.Y, "w_ratio": batch.w_ratio,
                                                         "u1": batch.u1, "u2": batch.u2}))
        sys.stdout.buffer.flush()
    except BrokenPipeError:                          # the reader stopped (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@app.command()
def equilibria(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout: one document {n, count, autarky, equilibria: [{x, Y, w_ratio, u1, u2}]} "
                                 "up to 200000 equilibria; beyond, JSON Lines (one equilibrium object {x, Y, w_ratio, u1, u2} per line, "
                                 "nothing else), up to n = 20 (1048574 lines, about 190 MB); larger n is refused: use --csv or --parquet. "
                                 "With --csv/--parquet/--out: a summary."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Stream all equilibria to this table file (CSV; with --table-format parquet: FILE with suffix .parquet)."),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="Stream all equilibria to this Parquet file (suffix set to .parquet)."),
    table_format: Optional[str] = typer.Option(None, "--table-format", help="Format of the --csv table: csv (default) or parquet (typed, exact)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Enumerate into this folder: Parquet parts per code range, manifest (resumable), summary.json (best patterns, Y envelope)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="With --out: local Dask worker processes (0: no Dask, this process)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --out: address of a running Dask scheduler."),
    device: str = typer.Option("cpu", "--device", help="Where the enumeration kernel runs: cpu (NumPy) or cuda (CuPy or PyTorch: pip install 'trade_opt[gpu]'); cuda:cupy / cuda:torch pick the library. cuda needs --out."),
) -> None:
    """All 2^n - 2 specialized equilibria: pattern x (1: country 2 makes the good), Y, w1/w2, u1, u2."""
    from trade_opt.gomory.array_backend import DeviceError, get_backend
    from trade_opt.gomory.equilibria import all_specialized, autarky_log_utilities, pattern_count

    try:
        get_backend(device)
    except DeviceError as exc:
        raise InputError("<command line>", "--device", exc.reason) from None
    if device != "cpu" and out is None:
        raise InputError("<command line>", "--device", f"{device} runs the enumeration into --out DIR; give --out")

    table, fmt = table_file_option(csv, parquet, table_format)
    if out is None and (workers is not None or scheduler is not None):
        raise InputError("<command line>", "--workers/--scheduler", "need --out DIR (the enumeration folder)")
    if workers is not None and scheduler is not None:
        raise InputError("<command line>", "--workers/--scheduler", "give at most one of --workers N and --scheduler ADDR")
    if workers is not None and workers < 0:
        raise InputError("<command line>", "--workers", f"must be >= 0, got {workers}")
    if out is not None and table is not None:
        raise InputError("<command line>", "--out/--csv", "give at most one of --out DIR and --csv/--parquet FILE")
    if out is not None and fmt == "csv" and table_format is not None:
        raise InputError("<command line>", "--table-format", "--out DIR always writes Parquet parts; csv does not apply")
    if table is None and out is None and table_format is not None:
        raise InputError("<command line>", "--table-format", "needs --csv FILE (the table to write)")
    instance = load_instance(instance_file, model="gomory")
    data = instance.data()
    autarky = autarky_log_utilities(data)
    if out is not None and not data.production.specialized_as_power:
        raise InputError(instance_file, "production.kind", f"--out enumerates with the closed-form kernel (f = e l^alpha; "
                         f"kinds power, barrier); kind {data.production.kind} needs --csv FILE")
    if out is not None:
        from trade_opt.gomory.enumerate_dask import run_enumeration

        summary = run_enumeration(data, out, workers=workers, scheduler=scheduler, device=device)
        if as_json:
            print_json({k: summary[k] for k in ("n", "count", "patterns", "ranges", "best")} | {"out": str(out)})
        else:
            best = summary["best"]["country1"][0]
            typer.echo(f"{summary['count']} equilibria of {summary['patterns']} patterns in {summary['ranges']} range(s) "
                       f"written to {out}; best for country 1: {best['pattern']} (u1 = {best['u']:.6f})")
        return
    if table is not None:
        from trade_opt.gomory.job_tables import enumerate_to_csv
        from trade_opt.outputs import table_format as tables_in, table_path

        written = table if fmt == "csv" else table_path(table, fmt)
        with tables_in(fmt):
            _, stats = enumerate_to_csv(data, table)
        if as_json:
            print_json({"n": data.n, "count": stats["count"], "autarky": {"u1": autarky[0], "u2": autarky[1]},
                        "csv" if fmt == "csv" else "parquet": str(written)})
        else:
            typer.echo(f"{stats['count']} equilibria of {pattern_count(data.n)} patterns written to {written}")
        return
    if data.n > JSON_MAX_N:
        raise InputError(instance_file, "demand", f"n = {data.n} gives {pattern_count(data.n)} equilibria; "
                         f"use --csv FILE or --parquet FILE for n > {JSON_MAX_N}")
    if as_json:
        _equilibria_json(data, autarky, pattern_count(data.n))
        return
    batch = all_specialized(data)
    order = np.argsort(-batch.u1)
    typer.echo(f"{len(batch)} specialized equilibria (n = {data.n}); autarky u1 = {autarky[0]:.6f}, u2 = {autarky[1]:.6f}")
    typer.echo("best 10 for country 1:   pattern      Y         w1/w2      u1          u2")
    for k in order[:10]:
        typer.echo(f"  {''.join(map(str, batch.X[k].astype(int)))}  {batch.Y[k]:.6f}  {batch.w_ratio[k]:9.5f}  {batch.u1[k]: .6f}  {batch.u2[k]: .6f}")


@app.command()
def solve(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    y: str = typer.Option(..., "--y", help="Comma-separated normalized incomes Y in (0, 1), e.g. 0.3,0.5."),
    method: str = typer.Option("mip", "--method", help="mip | dp (B1, the 0-1 knapsack) or lp | greedy (B, continuous)."),
    solver: str = typer.Option("highs", "--solver", help="LP/MIP solver of mip and lp: highs | cbc | glpk | scip."),
    as_json: bool = typer.Option(False, "--json", help="Print the Result as JSON."),
) -> None:
    """B1(Y) (0-1 knapsack) or B(Y) (continuous) at the given Y: the boundary of the utility-income array."""
    from trade_opt.commandline import echo_result, exit_code_of
    from trade_opt.gomory.interface import LP_MIP_SOLVERS, METHODS
    from trade_opt.gomory.interface import load_instance as load_gomory, solve as solve_gomory

    values = parse_float_list(y, "--y")
    for value in values:
        if not 0 < value < 1:
            raise InputError("<command line>", "--y", f"Y must lie in (0, 1), got {value}")
    if method not in METHODS:
        raise InputError("<command line>", "--method", f"unknown method {method!r} ({', '.join(METHODS)})")
    if solver not in LP_MIP_SOLVERS:
        raise InputError("<command line>", "--solver", f"unknown solver {solver!r}; choose from {', '.join(LP_MIP_SOLVERS)}")
    if method in ("dp", "greedy") and solver != "highs":
        raise InputError("<command line>", "--solver", f"does not apply to --method {method} (an exact algorithm of its own)")
    result = solve_gomory(load_gomory(instance_file), Y=values, method=method, solver=solver)
    echo_result(result, as_json)
    raise typer.Exit(exit_code_of(result))


@app.command()
def boundary(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    y: Optional[str] = typer.Option(None, "--y", help="Comma-separated Y values in (0, 1), e.g. 0.3,0.5."),
    grid: Optional[int] = typer.Option(None, "--grid", help="K equally spaced Y = k/(K+1), k = 1..K."),
    method: str = typer.Option("all", "--method", help="greedy | lp | dp | mip | all (comma-separated allowed)."),
    solver: str = typer.Option("highs", "--solver", help="LP/MIP solver of the lp and mip methods: highs | cbc | glpk | scip."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """B(Y) (greedy, LP) and B1(Y) (DP, MIP) with their maximizing x at given Y."""
    from trade_opt.gomory.boundary import METHODS, BoundarySolver
    from trade_opt.progress import progress_bar

    if (y is None) == (grid is None):
        raise InputError("<command line>", "--y/--grid", "give exactly one of --y LIST or --grid K")
    if grid is not None:
        if grid < 1:
            raise InputError("<command line>", "--grid", f"must be >= 1, got {grid}")
        Ys = [k / (grid + 1) for k in range(1, grid + 1)]
    else:
        Ys = parse_float_list(y, "--y")
        for value in Ys:
            if not 0 < value < 1:
                raise InputError("<command line>", "--y", f"Y must lie in (0, 1), got {value}")
    methods = METHODS if method == "all" else tuple(m.strip() for m in method.split(","))
    for m in methods:
        if m not in METHODS:
            raise InputError("<command line>", "--method", f"unknown method {m!r} (greedy, lp, dp, mip, all)")
    from trade_opt.solvers import SOLVERS

    if solver not in SOLVERS:
        raise InputError("<command line>", "--solver", f"unknown solver {solver!r}; choose from {', '.join(SOLVERS)}")
    boundary_solver = BoundarySolver(load_instance(instance_file, model="gomory").data(), methods, solver=solver)
    points = []
    with progress_bar("boundary", len(Ys)) as bar:
        for value in Ys:
            points.append(boundary_solver.at(value))
            bar.advance()
    rows = [{"Y": p.Y, "B_greedy": p.B_greedy, "B_lp": p.B_lp, "B1_dp": p.B1_dp, "B1_mip": p.B1_mip,
             "x_B1_dp": p.x_B1_dp, "x_B1_mip": p.x_B1_mip, "status_mip": p.status_mip} for p in points]
    if as_json:
        print_json(rows)
        return
    typer.echo("Y           B_greedy     B_lp         B1_dp        B1_mip       x_B1_dp")
    for r in rows:
        x = "".join(map(str, r["x_B1_dp"])) if r["x_B1_dp"] is not None else "-"
        typer.echo(f"{r['Y']:.6f}  {r['B_greedy']: .6e} {r['B_lp']: .6e} {r['B1_dp']: .6e} {r['B1_mip']: .6e} {x}")


@app.command()
def ricardo(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Ricardo level Y_R (bisection on the efficient-assignment gap) and the Ricardo solution, if any."""
    from trade_opt.gomory.ricardo import ricardo as compute

    r = compute(load_instance(instance_file, model="gomory").data())
    if as_json:
        print_json({"ricardo_level": r.ricardo_level, "ricardo_solution": r.ricardo_solution,
                    "wage_ratio": r.wage_ratio, "gap_below": r.gap_below, "gap_above": r.gap_above})
        return
    typer.echo(f"Ricardo level Y_R = {r.ricardo_level:.12f} (w1/w2 = {r.wage_ratio:.6f}); "
               f"g jumps from {r.gap_below:.6f} to {r.gap_above:.6f} there")
    if r.ricardo_solution is None:
        typer.echo("no Ricardo solution: the efficient assignment jumps over the trade equation at Y_R")
    else:
        typer.echo(f"Ricardo solution x = {''.join(map(str, r.ricardo_solution))} at Y = {r.solution_Y:.12f}, u1 = {r.solution_u1:.6f}")


@app.command("mixed")
def mixed_command(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    max_shared: int = typer.Option(1, "--max-shared", help="Patterns with 1..k shared goods (count grows like 3^n)."),
    pattern: Optional[str] = typer.Option(None, "--pattern", help="One pattern, e.g. 01S10S011 (0: country 1, 1: country 2, S: shared); also solved with the Pyomo MCP."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Stream every mixed equilibrium to this table file (CSV; with --table-format parquet: FILE with suffix .parquet)."),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="Stream every mixed equilibrium to this Parquet file (suffix set to .parquet)."),
    table_format: Optional[str] = typer.Option(None, "--table-format", help="Format of the --csv table: csv (default) or parquet (typed, exact)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Mixed equilibria (goods made by both countries): roots per pattern, stability, residuals, Theorem 3."""
    from trade_opt.gomory.b1_lookup import theorem3_all
    from trade_opt.gomory.mixed import mixed_pattern_count, parse_owner, pattern_roots, solve_pattern_pyomo
    from trade_opt.outputs import to_jsonable

    table, fmt = table_file_option(csv, parquet, table_format)
    if table_format is not None and table is None:
        raise InputError("<command line>", "--table-format", "needs --csv FILE (the table to write)")
    if pattern is not None and table is not None:
        raise InputError("<command line>", "--pattern", "solves one pattern and writes no table; drop --csv/--parquet")
    data = load_instance(instance_file, model="gomory").data()
    if pattern is not None:
        try:
            owner = parse_owner(pattern)
        except ValueError as exc:
            raise InputError("<command line>", "--pattern", str(exc)) from None
        if len(owner) != data.n or not ((owner == 0).any() and (owner == 1).any() and (owner == 2).any()):
            raise InputError("<command line>", "--pattern", f"needs n = {data.n} characters with at least one 0, one 1 and one S")
        fast = pattern_roots(data, owner[None])
        pyomo = solve_pattern_pyomo(data, owner)
        out = {"pattern": pattern, "fast": [{"Y": y, "x_shared": x[owner == 2].tolist(), "u1": a, "u2": b, "stability": s,
                                              "trade_residual": t, "cost_residual": c}
                                             for y, x, a, b, s, t, c in zip(fast.Y.tolist(), fast.x, fast.u1.tolist(), fast.u2.tolist(),
                                                                            fast.stability.tolist(), fast.trade_residual.tolist(), fast.cost_residual.tolist())],
               "pyomo": to_jsonable(pyomo)}
        if as_json:
            print_json(out)
            return
        typer.echo(f"pattern {pattern}: {len(fast)} root(s) by bracketing; Pyomo MCP ({pyomo.status}, {pyomo.starts} starts): "
                   f"{len(pyomo.solutions)} interior, {pyomo.boundary} at a bound, {pyomo.seconds:.2f} s")
        for r in out["fast"]:
            typer.echo(f"  Y = {r['Y']:.12f}  x_S = {' '.join(f'{v:.10f}' for v in r['x_shared'])}  u1 = {r['u1']:.6f}  "
                       f"{'stable' if r['stability'] < 0 else 'unstable'}  residuals {abs(r['trade_residual']):.1e}, {r['cost_residual']:.1e}")
        for s in pyomo.solutions:
            typer.echo(f"  Pyomo: Y = {s['Y']:.12f}  x_S = {' '.join(f'{v:.10f}' for v in s['x'])}  residual {s['residual']:.1e}")
        return
    if max_shared < 1:
        raise InputError("<command line>", "--max-shared", f"must be >= 1, got {max_shared}")
    from trade_opt.gomory.job_tables import mixed_to_csv

    from trade_opt.outputs import table_format as tables_in

    if table is None and mixed_pattern_count(data.n, max_shared) > 1 << 20:
        raise InputError("<command line>", "--max-shared", f"{mixed_pattern_count(data.n, max_shared)} patterns: write them with --csv FILE or --parquet FILE")
    if table is not None:
        with tables_in(fmt):
            me, stats = mixed_to_csv(data, table, max_shared)
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            me, stats = mixed_to_csv(data, Path(tmp) / "mixed.csv", max_shared)
    th3 = theorem3_all(data, me.Y, me.u1)
    stats["theorem3_violations"] = th3.violations
    stats["theorem3_checked"] = th3.checked
    if as_json:
        print_json(stats)
        return
    typer.echo(f"{stats['equilibria']} mixed equilibria in {stats['patterns_searched']} patterns (1..{max_shared} shared goods); "
               f"patterns by root count {stats['patterns_by_root_count']}; {stats['stable']} stable")
    per_k = ", ".join(f"{k}: {v['equilibria']} ({v['stable']} stable)" for k, v in stats["by_shared_goods"].items())
    typer.echo(f"by number of shared goods: {per_k}; Theorem 1 bound 3^n - 2^(n+1) + 1 = {stats['theorem1_bound']}")
    typer.echo(f"max residuals: trade {stats['max_abs_trade_residual']:.1e}, cost {stats['max_abs_cost_residual']:.1e}; "
               f"Theorem 3: {th3.violations} violations of {th3.checked}")


# commands in their own modules (the file would be too long), registered in this order
from trade_opt.gomory.cli_analysis import graph_command, observations_command, special_command  # noqa: E402

app.command("special")(special_command)
app.command("observations")(observations_command)
app.command("graph")(graph_command)

from trade_opt.gomory.cli_trace import trace_command  # noqa: E402  (its own module: the command is long)

app.command("trace")(trace_command)
