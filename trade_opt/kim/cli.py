"""``trade-opt kim ...``: free-entry equilibrium (``solve``) and the liberalization sweep (``liberalize``)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer

from trade_opt.commandline import print_json, table_format_option
from trade_opt.errors import InputError
from trade_opt.instances import load_instance

app = typer.Typer(no_args_is_help=True, help="Kim (1999): J-region location model, free entry as an MCP.")

_FORMULATION = typer.Option("log", "--formulation", help="MCP formulation: 'log' (free log-index variables) or 'reduced'.")


def _check_formulation(value: str) -> str:
    from trade_opt.kim.mcp_model import FORMULATIONS

    if value not in FORMULATIONS:
        raise InputError("<command line>", "--formulation", f"must be one of {', '.join(FORMULATIONS)}, got {value!r}")
    return value


def _check_markup(option: str, value: float) -> float:
    if not math.isfinite(value) or value < 1.0:
        raise InputError("<command line>", option, f"transport markup must be a finite number >= 1, got {value!r}")
    return value


@app.command()
def solve(
    instance_file: Path = typer.Argument(..., help="A Kim instance file (.toml or .json)."),
    json_out: bool = typer.Option(False, "--json", help="Print the Result as JSON."),
    T: Optional[float] = typer.Option(None, "--T", help="Override: every off-diagonal markup set to T."),
    random_starts: int = typer.Option(10, "--random-starts", help="Seeded random starts added to the 2 + J standard ones."),
    formulation: str = _FORMULATION,
    solver: str = typer.Option("trade_opt_mcp", "--solver", help="Complementarity solver: trade_opt_mcp (Ipopt + active-set Newton)."),
    tol: float = typer.Option(1e-10, "--tol", help="Natural-residual target (> 0)."),
) -> None:
    """Free-entry equilibrium (MCP): the most stable of the distinct solutions found; exit 1 if none."""
    from trade_opt.commandline import echo_result, exit_code_of
    from trade_opt.kim.interface import load_instance as load_kim, solve as solve_kim

    instance = load_kim(instance_file)
    _check_formulation(formulation)
    if random_starts < 0:
        raise InputError("<command line>", "--random-starts", f"must be >= 0, got {random_starts}")
    if T is not None:
        _check_markup("--T", T)
    if solver != "trade_opt_mcp":
        raise InputError("<command line>", "--solver", f"{solver!r} cannot solve kim (a complementarity problem); use trade_opt_mcp")
    if not (tol > 0 and math.isfinite(tol)):
        raise InputError("<command line>", "--tol", f"must be a finite number > 0, got {tol!r}")
    result = solve_kim(instance, formulation=formulation, random_starts=random_starts, T=T, tol=tol, solver=solver)
    echo_result(result, json_out)
    if not json_out and result.solution.lambda_max is not None:
        typer.echo(f"lambda_max {result.solution.lambda_max:.4f}, {result.solution.distinct_solutions} distinct "
                   f"solution(s) from {result.solution.starts} starts")
    raise typer.Exit(exit_code_of(result))


@app.command()
def liberalize(
    instance_file: Path = typer.Argument(..., help="A Kim instance file (.toml or .json)."),
    t_from: float = typer.Option(2.0, "--from", help="First markup T (>= 1)."),
    t_to: float = typer.Option(1.0, "--to", help="Last markup T (>= 1)."),
    num: int = typer.Option(21, "--num", help="Number of markups from --from to --to, both included (2..10001)."),
    out: Path = typer.Option(Path("results/kim_liberalize"), "--out", help="Output folder (CSV, figure)."),
    multistart: bool = typer.Option(True, "--multistart/--warm-only", help="Also try the standard starts at every T."),
    formulation: str = _FORMULATION,
    json_out: bool = typer.Option(False, "--json", help="Print the table as JSON."),
    table_format: str = table_format_option(),
) -> None:
    """Lower T step by step, following the equilibrium by continuation; write a CSV (row by row) and a figure."""
    import pandas as pd

    from trade_opt.kim.liberalize import liberalize as run_sweep
    from trade_opt.kim.plots import plot_shares
    from trade_opt.outputs import CsvStream, check_table_format, table_format as tables_in
    from trade_opt.progress import progress_bar

    from trade_opt.commandline import parse_range

    check_table_format(table_format)
    t_values = [round(v, 12) for v in parse_range(t_from, t_to, num, low=1.0)]
    if num > 10001:
        raise InputError("<command line>", "--num", f"at most 10001 markups, got {num}")
    _check_formulation(formulation)
    instance = load_instance(instance_file, model="kim")
    data = instance.data()
    csv_path, fig_path = out / "kim_liberalize.csv", out / "kim_liberalize_shares.png"
    with tables_in(table_format), CsvStream(csv_path) as stream, progress_bar("liberalizing", len(t_values)) as bar:
        def on_row(row: dict) -> None:
            stream.write(pd.DataFrame([row]))
            bar.advance()

        rows = run_sweep(data, t_values, on_row=on_row, multistart=multistart, formulation=formulation)
    csv_path = stream.path
    table = pd.DataFrame(rows)
    plot_shares(table, tuple(instance.regions), fig_path)
    if json_out:
        print_json({"rows": rows, "csv": str(csv_path), "figure": str(fig_path)})
        return
    typer.echo(f"{len(rows)} markups from T = {t_values[0]:g} to {t_values[-1]:g}; max residual "
               f"{table['residual'].max():.2e}; max lambda_max {table['lambda_max'].max():.4f}; "
               f"max distinct solutions {int(table['distinct_solutions'].max())}")
    typer.echo(f"wrote {csv_path} and {fig_path}")


@app.command()
def scenario(
    instance_file: Path = typer.Argument(..., help="A Kim instance with [transport.network] and [scenarios.NAME]."),
    name: str = typer.Option(..., "--scenario", help="Name of the scenario ([scenarios.NAME] in the file)."),
    out: Path = typer.Option(Path("results/kim_scenario"), "--out", help="Output folder (CSV tables, JSON, figure)."),
    steps: int = typer.Option(4, "--steps", help="Continuation steps from the baseline markups to the scenario's (>= 1)."),
    random_starts: int = typer.Option(5, "--random-starts", help="Seeded random starts added to the 2 + J standard ones."),
    formulation: str = _FORMULATION,
    json_out: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    table_format: str = table_format_option(),
) -> None:
    """Baseline vs scenario equilibria on a transport network: firms, shares, profits per tier and region."""
    from trade_opt.errors import SolveError
    from trade_opt.kim.plots import plot_network_scenario
    from trade_opt.kim.scenario import solve_scenario
    from trade_opt.outputs import check_table_format, markdown_table, table_format as tables_in, write_csv, write_json

    check_table_format(table_format)
    instance = load_instance(instance_file, model="kim")
    _check_formulation(formulation)
    if steps < 1 or steps > 1000:
        raise InputError("<command line>", "--steps", f"must be in 1..1000, got {steps}")
    if random_starts < 0:
        raise InputError("<command line>", "--random-starts", f"must be >= 0, got {random_starts}")
    if instance.transport.network is None:
        raise InputError(instance_file, "transport.network", "this instance has no transport network (scenarios change the network)")
    if name not in instance.scenarios:
        known = ", ".join(instance.scenarios) or "none"
        raise InputError(instance_file, "scenarios", f"unknown scenario {name!r} (scenarios in the file: {known})")
    result = solve_scenario(instance, name, steps=steps, n_random=random_starts, formulation=formulation)
    if result.baseline.residual > 1e-8 or result.scenario.residual > 1e-8:
        raise SolveError(f"{instance_file}: scenario {name!r}: residuals {result.baseline.residual:.1e}, "
                         f"{result.scenario.residual:.1e} above 1e-8")
    table, totals, markups = result.table(), result.totals(), result.markup_table()
    with tables_in(table_format):
        paths = {
            "table": write_csv(out / "scenario_table.csv", table),
            "totals": write_csv(out / "scenario_totals.csv", totals),
            "markups": write_csv(out / "markups.csv", markups),
        }
    paths["figure"] = plot_network_scenario(
        result.base_graph, result.scen_graph, result.regions, result.baseline.x, result.scenario.x,
        out / "network.png", title=f"{instance.name}: scenario {name!r}: {result.description}")
    summary = {"model": "kim", "instance": instance.name, "source": str(instance_file), **result.summary(),
               "outputs": {k: str(v) for k, v in paths.items()}}
    paths["summary"] = write_json(out / "summary.json", summary)
    if json_out:
        print_json(summary)
        return
    typer.echo(f"Kim scenario {name!r} on {instance.name!r}: {result.description}")
    shown = table[["tier", "region", "firms_base", "firms_scen", "share_base", "share_scen", "impact_profit_rel"]].copy()
    wf = result.base_data.W[None, :] * result.base_data.fixed_labour[:, None]
    shown["profit_scen_rel"] = (result.scenario.state.profit / wf).ravel()  # <= 0; 0 (to 1e-12) where active
    shown["profit_scen_rel"] = shown["profit_scen_rel"].where(shown["profit_scen_rel"].abs() > 1e-12, 0.0)
    typer.echo("firms per tier and region; profits per firm relative to the fixed cost W f "
               "(impact: scenario markups at baseline firm numbers)")
    typer.echo(markdown_table(shown, floatfmt=".4f"), nl=False)
    typer.echo(markdown_table(totals, floatfmt=".4f"), nl=False)
    b, s = result.baseline, result.scenario
    typer.echo(f"baseline: {result.base_found.status}, residual {b.residual:.1e}, lambda_max {b.lambda_max:.4f}, "
               f"{result.base_found.distinct} distinct; scenario (continuation, {steps} steps): "
               f"{result.scen_found.status}, residual {s.residual:.1e}, lambda_max {s.lambda_max:.4f}, "
               f"{result.scen_found.distinct} distinct, branch is most stable: {result.branch_is_most_stable}; "
               f"{result.seconds:.1f} s")
    typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))
