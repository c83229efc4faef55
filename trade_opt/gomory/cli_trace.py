"""``trade-opt gomory trace``: the exact parametric B1 boundary as (Y interval, x) pieces."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer

from trade_opt.commandline import parse_float_list, print_json, table_file_option
from trade_opt.errors import InputError
from trade_opt.instances import load_instance


def trace_command(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json), one exponent per good."),
    y_range: Optional[str] = typer.Option(None, "--range", help="LO,HI with 0 < LO < HI < 1 (default: the Y range of all specialized equilibria)."),
    solver: str = typer.Option("dp", "--solver", help="dp (exact DP for every knapsack) | ortools (OR-Tools B&B within a proven value bound, else the DP)."),
    grid: int = typer.Option(33, "--grid", help="Points of the initial grid in logit(Y) (>= 2)."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Write the pieces to this table file (CSV; parquet with --table-format parquet)."),
    parquet: Optional[Path] = typer.Option(None, "--parquet", help="Write the pieces to this Parquet file."),
    table_format: Optional[str] = typer.Option(None, "--table-format", help="Format of the --csv table: csv (default) or parquet (typed, exact)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout (the pieces and the trace's counts)."),
) -> None:
    """B1(Y) as exact pieces: every Y where the optimal 0-1 pattern changes, each certified by the
    exact DP on both sides (models/gomory.md, "The exact B1 trace"); columns piece, Y_from, Y_to, x,
    direction, B1_from, B1_to."""
    from trade_opt.gomory.b1_pieces import PIECE_COLUMNS, b1_pieces, piece_rows
    from trade_opt.gomory.b1_trace import SOLVERS, B1Trace
    from trade_opt.gomory.h_table import reachable_Y_range
    from trade_opt.outputs import write_table
    from trade_opt.progress import progress_bar

    out, fmt = table_file_option(csv, parquet, table_format)
    if solver not in SOLVERS:
        raise InputError("<command line>", "--solver", f"must be one of {', '.join(SOLVERS)}, got {solver!r}")
    if grid < 2:
        raise InputError("<command line>", "--grid", f"must be >= 2, got {grid}")
    data = load_instance(instance_file, model="gomory").data()
    if np.any(data.alpha[0] != data.alpha[1]):
        raise InputError(instance_file, "alpha", "the exact B1 trace needs one exponent per good (the same alpha "
                         "in both countries); use `trade-opt gomory boundary` point by point")
    if not data.production.specialized_as_power:
        raise InputError(instance_file, "production", f"the exact B1 trace needs f = e l^alpha (kind power or barrier), "
                         f"not {data.production.kind}; use `trade-opt gomory boundary` point by point")
    if y_range is None:
        low, high = reachable_Y_range(data)
    else:
        values = parse_float_list(y_range, "--range")
        if len(values) != 2 or not 0 < values[0] < values[1] < 1:
            raise InputError("<command line>", "--range", f"need LO,HI with 0 < LO < HI < 1, got {y_range!r}")
        low, high = values
    with progress_bar("B1 trace", 1.0) as bar:
        trace = B1Trace(data, low, high, grid=grid, solver=solver, progress=bar.advance)
    pieces = b1_pieces(trace)
    summary = {"n": data.n, "Y_from": low, "Y_to": high, "solver": solver, "pieces": len(pieces["piece"]),
               "direction_pieces": {d.direction: len(d.X) for d in trace.directions},
               "knapsacks": trace.dp_calls, "ortools_knapsacks": trace.ortools_calls,
               "value_error_bound": trace.value_error_bound, "seconds": trace.seconds}
    if out is not None:
        import pandas as pd

        written = write_table(out, pd.DataFrame({name: pieces[name] for name in PIECE_COLUMNS}), fmt)
        summary["table"] = str(written)
    if as_json:
        print_json({**summary, "rows": piece_rows(pieces)})
        return
    typer.echo(f"B1 on [{low:.6g}, {high:.6g}]: {summary['pieces']} pieces (\"<=\" {summary['direction_pieces']['<=']}, "
               f"\">=\" {summary['direction_pieces']['>=']}), {trace.dp_calls} knapsacks, {trace.seconds:.3g} s")
    if out is not None:
        typer.echo(f"wrote {summary['table']}")
        return
    typer.echo("piece  Y_from        Y_to          dir  B1_from        B1_to          x")
    for row in piece_rows(pieces):
        typer.echo(f"{row['piece']:5d}  {row['Y_from']:.10f}  {row['Y_to']:.10f}  {row['direction']:>3}  "
                   f"{row['B1_from']: .6e}  {row['B1_to']: .6e}  {row['x']}")
