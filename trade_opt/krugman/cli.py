"""``trade-opt krugman ...``: solve one economy or sweep a parameter; each command has ``--json``."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from trade_opt.cli.common import print_json
from trade_opt.instances import load_instance

app = typer.Typer(no_args_is_help=True, help="Krugman (1979) with A stages and North-South outsourcing, as MCPs.")


@app.command()
def solve(
    instance_file: Path = typer.Argument(..., help="A krugman instance (.toml/.json)."),
    json_out: bool = typer.Option(False, "--json", help="Print the full summary as JSON."),
) -> None:
    """Solve the economy (MCP, closed form, reduced form) and print the equilibrium (paper normalization)."""
    from trade_opt.krugman.job import print_summary, solve_summary

    summary = solve_summary(load_instance(instance_file, model="krugman"), str(instance_file))
    if json_out:
        print_json(summary)
    else:
        print_summary(summary)


@app.command()
def sweep(
    instance_file: Path = typer.Argument(..., help="A krugman instance (.toml/.json)."),
    param: str = typer.Option(..., "--param", help="z, A, L, L_star or theta."),
    start: float = typer.Option(..., "--from", help="First value of the parameter."),
    stop: float = typer.Option(..., "--to", help="Last value of the parameter."),
    steps: int = typer.Option(45, "--steps", help="Number of grid points (>= 2)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default results/<name>_sweep_<param>)."),
    no_figures: bool = typer.Option(False, "--no-figures", help="Write the table and sweep.json only."),
    json_out: bool = typer.Option(False, "--json", help="Print sweep.json's content as JSON."),
) -> None:
    """Comparative statics: solve along linspace(--from, --to, --steps), warm-started; sweep.csv row by row + figures."""
    from trade_opt.krugman.sweep import run_sweep

    instance = load_instance(instance_file, model="krugman")
    out_dir = out if out is not None else Path("results") / f"{instance.name}_sweep_{param}"
    summary = run_sweep(instance, param, start, stop, steps, out_dir, source=str(instance_file), figures=not no_figures)
    if json_out:
        print_json(summary)
        return
    typer.echo(f"{summary['solved']}/{steps} points solved; max natural residual {summary['max_natural_residual']:.2e}; "
               f"max rel. diff MCP vs closed form {summary['max_rel_diff_mcp_closed_form']:.2e}")
    for key, trend in summary["monotone"].items():
        typer.echo(f"  {key:12s} {trend}")
    typer.echo(f"wrote {out_dir}: {', '.join(summary['files'])}")
