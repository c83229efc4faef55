"""``trade-opt melitz ...``: solve and compare on a Melitz-offshoring instance, each with ``--json``."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from trade_opt.cli.common import print_json
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
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Equilibrium per industry with offshoring: theta*, theta_o, nu, M_e, B, P, R, M, M_o, theta~_t, regime."""
    from trade_opt.melitz.equilibrium import solve_equilibrium
    from trade_opt.melitz.job import solution_records

    instance = load_instance(instance_file, model="melitz")
    data = instance.data()
    sol = solve_equilibrium(data, _method(data, method))
    records = solution_records(sol)
    if as_json:
        print_json({"name": instance.name, "method": sol.method, "solver": sol.report, "industries": records})
        return
    typer.echo(f"{instance.name}: method {sol.method}" + (f", residual {sol.report['residual']:.2e}" if "residual" in sol.report else ""))
    for rec in records:
        typer.echo(f"{rec['name']:<12} z={rec['z']:<5g} {rec['regime']:<11} theta*={rec['theta_star']:.6g} "
                   f"theta_o={rec['theta_o']:.6g} P={rec['P']:.6g} R={rec['R']:.6g} M={rec['M']:.6g} "
                   f"M_o={rec['M_o']:.6g} theta~_t={rec['theta_tilde_t']:.6g}")


@app.command()
def compare(
    instance_file: Path = typer.Argument(..., help="Melitz instance (.toml/.json)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for comparison.csv/.md, sweeps and comparison.png."),
    method: Optional[str] = typer.Option(None, "--method", help="mcp (default), reduction or closed_form."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout."),
) -> None:
    """Autarky vs offshoring per industry (cutoffs, productivity, price, variety, shares, surplus)."""
    from trade_opt.melitz.compare import compare as run_compare
    from trade_opt.melitz.job import _sweeps, format_table
    from trade_opt.outputs import markdown_table, write_csv

    instance = load_instance(instance_file, model="melitz")
    data = instance.data()
    chosen = _method(data, method)
    comp = run_compare(data, chosen)
    if out is not None:
        from trade_opt.melitz.plots import comparison_figure

        by_z, by_w = _sweeps(data, chosen)
        out.mkdir(parents=True, exist_ok=True)
        write_csv(out / "comparison.csv", comp.table)
        (out / "comparison.md").write_text(markdown_table(comp.table, floatfmt=".6g"), encoding="utf-8")
        write_csv(out / "sweep_z.csv", by_z)
        write_csv(out / "sweep_w.csv", by_w)
        comparison_figure(by_z, [g for _, g in by_w.groupby("z", sort=True)], comp.table, out / "comparison.png")
    if as_json:
        print_json({"name": instance.name, "method": chosen, "out": str(out) if out is not None else None,
                    "comparison": comp.table.to_dict(orient="records")})
        return
    typer.echo(format_table(comp))
    if out is not None:
        typer.echo(f"outputs: {out}")
