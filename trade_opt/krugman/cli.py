"""``trade-opt krugman ...``: solve one economy or sweep a parameter; each command has ``--json``."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from trade_opt.commandline import print_json, table_format_option
from trade_opt.instances import load_instance

app = typer.Typer(no_args_is_help=True, help="Krugman (1979) with A stages and North-South outsourcing, as MCPs.")


@app.command()
def solve(
    instance_file: Path = typer.Argument(..., help="A krugman instance (.toml/.json)."),
    json_out: bool = typer.Option(False, "--json", help="Print the Result as JSON."),
    solver: str = typer.Option("trade_opt_mcp", "--solver", help="Complementarity solver: trade_opt_mcp (Ipopt + active-set Newton)."),
    tol: float = typer.Option(1e-10, "--tol", help="Natural-residual target (> 0)."),
    verbose: bool = typer.Option(False, "--verbose", help="Also print every check (elasticities, conditions, residuals)."),
) -> None:
    """Solve the economy (MCP), check it against the closed and reduced forms; exit 1 if it fails."""
    import math

    from trade_opt.commandline import echo_result, exit_code_of
    from trade_opt.errors import InputError
    from trade_opt.krugman.interface import load_instance as load_krugman, solve as solve_krugman

    instance = load_krugman(instance_file)
    if solver != "trade_opt_mcp":
        raise InputError("<command line>", "--solver", f"{solver!r} cannot solve krugman (a complementarity problem); use trade_opt_mcp")
    if not (tol > 0 and math.isfinite(tol)):
        raise InputError("<command line>", "--tol", f"must be a finite number > 0, got {tol!r}")
    result = solve_krugman(instance, tol=tol, solver=solver)
    echo_result(result, json_out)
    if verbose and not json_out:
        from trade_opt.krugman.job import print_summary, solve_summary

        print_summary(solve_summary(instance, str(instance_file)))
    raise typer.Exit(exit_code_of(result))


@app.command()
def sweep(
    instance_file: Path = typer.Argument(..., help="A krugman instance (.toml/.json)."),
    param: str = typer.Option(..., "--param", help="z, A, L, L_star or theta."),
    start: float = typer.Option(..., "--from", help="First value of the parameter."),
    stop: float = typer.Option(..., "--to", help="Last value of the parameter."),
    steps: int = typer.Option(45, "--num", help="Number of grid points (>= 2)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default results/<name>_sweep_<param>)."),
    no_figures: bool = typer.Option(False, "--no-figures", help="Write the table and sweep.json only."),
    json_out: bool = typer.Option(False, "--json", help="Print sweep.json's content as JSON."),
    table_format: str = table_format_option("Format of the sweep table: csv (default: sweep.csv) or parquet (sweep.parquet)."),
) -> None:
    """Comparative statics: solve along linspace(--from, --to, --num), warm-started; sweep.csv row by row + figures."""
    from trade_opt.krugman.sweep import run_sweep
    from trade_opt.outputs import check_table_format, table_format as tables_in

    check_table_format(table_format)
    instance = load_instance(instance_file, model="krugman")
    out_dir = out if out is not None else Path("results") / f"{instance.name}_sweep_{param}"
    with tables_in(table_format):
        summary = run_sweep(instance, param, start, stop, steps, out_dir, source=str(instance_file), figures=not no_figures)
    if json_out:
        print_json(summary)
        return
    typer.echo(f"{summary['solved']}/{steps} points solved; max natural residual {summary['max_natural_residual']:.2e}; "
               f"max rel. diff MCP vs closed form {summary['max_rel_diff_mcp_closed_form']:.2e}")
    for key, trend in summary["monotone"].items():
        typer.echo(f"  {key:12s} {trend}")
    typer.echo(f"wrote {out_dir}: {', '.join(summary['files'])}")
