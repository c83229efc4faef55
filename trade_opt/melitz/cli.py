"""``trade-opt melitz ...``: solve and compare on a Melitz-offshoring instance, each with ``--json``."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from trade_opt.commandline import print_json, table_format_option
from trade_opt.errors import InputError
from trade_opt.instances import load_instance

app = typer.Typer(no_args_is_help=True, help="Melitz (2003) with North-South offshoring: cutoffs, free entry, regimes.")


def _method(data, method: Optional[str]) -> str:
    from trade_opt.melitz.equilibrium import METHODS
    from trade_opt.melitz.job import default_method

    if method is None:
        return default_method(data)
    if method not in METHODS:
        raise InputError("<command line>", "--method", f"unknown method {method!r} (one of: {', '.join(METHODS)})")
    return method


@app.command()
def solve(
    instance_file: Path = typer.Argument(..., help="Melitz instance (.toml/.json)."),
    method: Optional[str] = typer.Option(None, "--method", help="mcp (default), reduction or closed_form."),
    solver: Optional[str] = typer.Option(None, "--solver", help="The MCP's solver (method mcp only): trade_opt_mcp."),
    tol: float = typer.Option(1e-10, "--tol", help="Natural-residual target of the MCP (> 0)."),
    as_json: bool = typer.Option(False, "--json", help="Print the Result as JSON."),
) -> None:
    """Equilibrium per industry with offshoring: theta*, theta_o, nu, M_e, B, P, R, M, M_o, theta~_t, regime."""
    import math

    from trade_opt.commandline import echo_result, exit_code_of
    from trade_opt.melitz.interface import load_instance as load_melitz, solve as solve_melitz

    instance = load_melitz(instance_file)
    chosen = _method(instance.data(), method)
    if solver is not None and (solver != "trade_opt_mcp" or chosen != "mcp"):
        raise InputError("<command line>", "--solver", f"{solver!r} cannot solve melitz by method {chosen!r} "
                         "(the MCP's solver is trade_opt_mcp; reduction and closed_form take none)")
    if not (tol > 0 and math.isfinite(tol)):
        raise InputError("<command line>", "--tol", f"must be a finite number > 0, got {tol!r}")
    result = solve_melitz(instance, method=chosen, tol=tol, solver=solver)
    echo_result(result, as_json)
    raise typer.Exit(exit_code_of(result))


@app.command()
def compare(
    instance_file: Path = typer.Argument(..., help="Melitz instance (.toml/.json)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for comparison.csv/.md, sweeps and comparison.png."),
    method: Optional[str] = typer.Option(None, "--method", help="mcp (default), reduction or closed_form."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
    table_format: str = table_format_option(),
) -> None:
    """Autarky vs offshoring per industry (cutoffs, productivity, price, variety, shares, surplus)."""
    from trade_opt.melitz.compare import compare as run_compare
    from trade_opt.melitz.job import _sweeps, format_table
    from trade_opt.outputs import check_table_format, markdown_table, table_format as tables_in, write_csv

    check_table_format(table_format)
    if out is None and table_format != "csv":
        raise InputError("<command line>", "--table-format", "needs --out DIR (the folder of the tables)")
    instance = load_instance(instance_file, model="melitz")
    data = instance.data()
    chosen = _method(data, method)
    comp = run_compare(data, chosen)
    if out is not None:
        from trade_opt.melitz.plots import comparison_figure

        by_z, by_w = _sweeps(data, chosen)
        out.mkdir(parents=True, exist_ok=True)
        with tables_in(table_format):
            write_csv(out / "comparison.csv", comp.table)
            write_csv(out / "sweep_z.csv", by_z)
            write_csv(out / "sweep_w.csv", by_w)
        (out / "comparison.md").write_text(markdown_table(comp.table, floatfmt=".6g"), encoding="utf-8")
        comparison_figure(by_z, [g for _, g in by_w.groupby("z", sort=True)], comp.table, out / "comparison.png")
    if as_json:
        print_json({"name": instance.name, "method": chosen, "out": str(out) if out is not None else None,
                    "comparison": comp.table.to_dict(orient="records")})
        return
    typer.echo(format_table(comp))
    if out is not None:
        typer.echo(f"outputs: {out}")
