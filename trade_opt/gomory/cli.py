"""``trade-opt gomory ...``: single tasks on a Gomory instance, each with ``--json`` for scripting."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer

from trade_opt.cli.common import parse_float_list, print_json
from trade_opt.errors import InputError
from trade_opt.instances import load_instance

app = typer.Typer(no_args_is_help=True, help="Gomory (1991): equilibria, boundary curves, Ricardo level.")

#: Largest n whose equilibria are printed as JSON (2^20 - 2 rows); beyond, write --csv.
JSON_MAX_N = 20


@app.command()
def equilibria(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    csv: Optional[Path] = typer.Option(None, "--csv", help="Stream all equilibria to this CSV file."),
) -> None:
    """All 2^n - 2 specialized equilibria: pattern x (1: country 2 makes the good), Y, w1/w2, u1, u2."""
    from trade_opt.gomory.equilibria import all_specialized, autarky_log_utilities, pattern_count
    from trade_opt.gomory.job import enumerate_to_csv

    instance = load_instance(instance_file, model="gomory")
    data = instance.data()
    autarky = autarky_log_utilities(data)
    if csv is not None:
        _, stats = enumerate_to_csv(data, csv)
        if as_json:
            print_json({"n": data.n, "count": stats["count"], "autarky": {"u1": autarky[0], "u2": autarky[1]}, "csv": str(csv)})
        else:
            typer.echo(f"{stats['count']} equilibria of {pattern_count(data.n)} patterns written to {csv}")
        return
    if data.n > JSON_MAX_N:
        raise InputError(instance_file, "demand", f"n = {data.n} gives {pattern_count(data.n)} equilibria; use --csv FILE for n > {JSON_MAX_N}")
    batch = all_specialized(data)
    if as_json:
        print_json({
            "n": data.n, "count": len(batch), "autarky": {"u1": autarky[0], "u2": autarky[1]},
            "equilibria": [
                {"x": x, "Y": y, "w_ratio": w, "u1": a, "u2": b}
                for x, y, w, a, b in zip(batch.X.astype(int).tolist(), batch.Y.tolist(), batch.w_ratio.tolist(), batch.u1.tolist(), batch.u2.tolist())
            ],
        })
        return
    order = np.argsort(-batch.u1)
    typer.echo(f"{len(batch)} specialized equilibria (n = {data.n}); autarky u1 = {autarky[0]:.6f}, u2 = {autarky[1]:.6f}")
    typer.echo("best 10 for country 1:   pattern      Y         w1/w2      u1          u2")
    for k in order[:10]:
        typer.echo(f"  {''.join(map(str, batch.X[k].astype(int)))}  {batch.Y[k]:.6f}  {batch.w_ratio[k]:9.5f}  {batch.u1[k]: .6f}  {batch.u2[k]: .6f}")


@app.command()
def boundary(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    y: Optional[str] = typer.Option(None, "--y", help="Comma-separated Y values in (0, 1), e.g. 0.3,0.5."),
    grid: Optional[int] = typer.Option(None, "--grid", help="K equally spaced Y = k/(K+1), k = 1..K."),
    method: str = typer.Option("all", "--method", help="greedy | lp | dp | mip | all (comma-separated allowed)."),
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
    solver = BoundarySolver(load_instance(instance_file, model="gomory").data(), methods)
    points = []
    with progress_bar("boundary", len(Ys)) as bar:
        for value in Ys:
            points.append(solver.at(value))
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
