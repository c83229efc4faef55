"""``trade-opt gomory special|observations|graph``: the paper's special case, observations and the
specialization graph.

The command functions are registered on :data:`trade_opt.gomory.cli.app` by that module (in this
order, after ``mixed``), as ``trace`` is from :mod:`trade_opt.gomory.cli_trace`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer

from trade_opt.commandline import print_json, table_format_option
from trade_opt.errors import InputError
from trade_opt.instances import load_instance


def special_command(
    instance_file: Path = typer.Argument(..., help="Gomory instance with symmetric demands and one exponent."),
    points: int = typer.Option(99, "--points", help="Y grid points."),
    fig: Optional[Path] = typer.Option(None, "--fig", help="Write Fig. 3 (Eq. 4) to this PNG."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Special case (Eq. 4): B and B1 once for all Y vs the greedy / DP curves, density d(Y)."""
    from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy
    from trade_opt.gomory.special_case import is_special, special_curves

    data = load_instance(instance_file, model="gomory").data()
    if not is_special(data):
        raise InputError(instance_file, "demand/exponent", "the special case needs d_i1 = d_i2 and one exponent for all goods")
    if points < 2:
        raise InputError("<command line>", "--points", f"must be >= 2, got {points}")
    Y = np.linspace(0.01, 0.99, points)
    sc = special_curves(data, Y)
    B, _ = boundary_B_greedy(data, Y)
    B1 = boundary_B1_dp(data, Y)
    out = {"max_abs_eq4_minus_B_greedy": float(np.max(np.abs(sc.eq4 - B))),
           "max_abs_once_B1_minus_dp_B1": float(np.max(np.abs(sc.B1 - B1))),
           "Y": Y, "B": sc.B, "B1_once": sc.B1, "B1_dp": B1, "density": sc.density}
    if fig is not None:
        from trade_opt.gomory.plots import figure3

        grid = np.linspace(0.002, 0.998, 499)
        figure3(fig, grid, special_curves(data, grid).eq4, special_curves(data.mirrored(), 1 - grid).eq4, f"Gomory (1991) Fig. 3: {instance_file.name}")
        out["fig"] = str(fig)
    if as_json:
        print_json(out)
        return
    typer.echo(f"max |Eq. 4 - B_greedy| = {out['max_abs_eq4_minus_B_greedy']:.2e}; max |B1 once-for-all - B1 DP| = "
               f"{out['max_abs_once_B1_minus_dp_B1']:.2e} (equal only at Y = 1/2, see models/gomory.md)")


def observations_command(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    factor: float = typer.Option(2.0, "--factor", help="Factor on country 2's labor for observation (a)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """The paper's observations: (a) larger country 2, (b) one-good moves, (c) mixed vs specialized near the frontier,
    (d) the larger country does less well relative to autarky."""
    from trade_opt.gomory.observations import (
        boundary_shape, frontier_gaps, larger_country2, larger_country_does_less_well, one_good_moves,
    )

    if not factor > 0:
        raise InputError("<command line>", "--factor", f"must be > 0, got {factor}")
    data = load_instance(instance_file, model="gomory").data()
    out = {"larger_country2": larger_country2(data, factor), "one_good_moves": one_good_moves(data),
           "frontier": frontier_gaps(data), "larger_country_gains": larger_country_does_less_well(data, factor),
           "boundary_shape": boundary_shape(data)}
    if as_json:
        print_json(out)
        return
    a, b, c = out["larger_country2"], out["one_good_moves"], out["frontier"]
    typer.echo(f"(a) L2 x {factor}: u1 rose in {a['u1_increased']} of {a['patterns']} specialized equilibria (Y unchanged)")
    typer.echo(f"(b) {b['pairs']} one-good moves to country 2: Y fell in {b['Y_decreases']}; u1 up {b['u1_up']} / down {b['u1_down']}, "
               f"u2 up {b['u2_up']} / down {b['u2_down']}")
    typer.echo(f"(c) gap B1 - u1, median: specialized {c['specialized']['gap']['median']:.4f}, mixed {c['mixed']['gap']['median']:.4f}; "
               f"near the frontier (gap <= {c['near_threshold']}): {c['specialized']['near_frontier']} of {c['specialized']['count']} specialized, "
               f"{c['mixed']['near_frontier']} of {c['mixed']['count']} mixed")
    g, x = out["larger_country_gains"]["growth"], out["larger_country_gains"]["cross_section"]
    typer.echo(f"(d) gain from trade g_j = u_j - u_j(autarky): L2 x {factor} lowers g2 in {g['gain2_down']} and raises g1 in "
               f"{g['gain1_up']} of {g['patterns']} specialized equilibria")
    if x["larger"] is None:
        typer.echo("    equal labor: no larger country")
    else:
        typer.echo(f"    as given (larger: country {x['larger']}, L = {x['labor']}): best gain g1 = {x['best_gain'][0]:.4f}, "
                   f"g2 = {x['best_gain'][1]:.4f}; larger below smaller in {x['equilibria_larger_below_smaller']} of "
                   f"{x['equilibria']} equilibria")
    sh = out["boundary_shape"]
    typer.echo(f"(e) B(Y) peaks at Y = {sh['Y_peak']:.4f} and is {'unimodal' if sh['unimodal'] else 'not unimodal'} on the grid "
               "(utility falls after a certain income)")


def graph_command(
    instance_file: Path = typer.Argument(..., help="Gomory instance (.toml/.json)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write local_maxima.csv, paths.csv, conflict_by_good.csv (or .parquet), graph_summary.json, graph_fig1.png here."),
    starts: int = typer.Option(3, "--starts", help="Seeded random start patterns for the improving paths (>= 0)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the start patterns."),
    method: str = typer.Option("auto", "--method", help="auto | networkx (n <= 16) | table (XOR gathers, n <= 24) | stream (any n)."),
    table_format: str = table_format_option(),
) -> None:
    """The specialization graph (patterns differing in one good are neighbours): local maxima of each
    country's utility, their distance below B1, improving-move paths, and the conflict share."""
    from trade_opt.gomory.boundary import boundary_B1_dp
    from trade_opt.gomory.graph import METHODS, graph_report, paths_frame
    from trade_opt.gomory.graph.report import pattern_of
    from trade_opt.gomory.plots import figure_specialization_graph
    from trade_opt.outputs import check_table_format, table_format as tables_in, write_csv, write_json

    check_table_format(table_format)
    if method not in METHODS:
        raise InputError("<command line>", "--method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if starts < 0:
        raise InputError("<command line>", "--starts", f"must be >= 0, got {starts}")
    instance = load_instance(instance_file, model="gomory")
    data = instance.data()
    limits = {"networkx": 16, "table": 24}
    if method in limits and data.n > limits[method]:
        raise InputError(instance_file, "demand", f"n = {data.n} goods: --method {method} needs n <= {limits[method]} (use stream)")
    report = graph_report(data, n_starts=starts, seed=seed, method=method)
    summary = {"instance": instance.name, "source": str(instance_file), **report.summary}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        with tables_in(table_format):
            files = {"local_maxima": write_csv(out / "local_maxima.csv", report.local_maxima),
                     "paths": write_csv(out / "paths.csv", paths_frame(report.paths, data.n)),
                     "conflict_by_good": write_csv(out / "conflict_by_good.csv", report.conflict_by_good)}
        if report.table is not None:
            tab = report.table
            codes = tab.codes
            Y, u = tab.Y[codes], tab.u[:, codes]
            index = {int(k): r for r, k in enumerate(codes)}
            local = tuple(np.array([index[int(k)] for k in codes_c], dtype=np.int64) for codes_c in report.local_codes)
            grid = np.linspace(max(1e-3, Y.min() - 0.02), min(1 - 1e-3, Y.max() + 0.02), 121)
            B1 = np.vstack([boundary_B1_dp(data, grid), boundary_B1_dp(data.mirrored(), 1.0 - grid)])
            drawn = [(p.country, f"{p.rule} from {pattern_of(p.codes[0], data.n)} ({len(p.goods)} moves)", p.Y, p.u[:, p.country - 1])
                     for p in report.paths]
            files["figure"] = figure_specialization_graph(
                out / "graph_fig1.png", Y, u, local, drawn,
                title=f"{instance.name}: specialized equilibria, local maxima and improving paths (n = {data.n})", grid=grid, B1=B1)
        summary["outputs"] = {k: str(v) for k, v in files.items()}
        write_json(out / "graph_summary.json", summary)
    if as_json:
        print_json(summary)
        return
    typer.echo(f"{summary['equilibria']} specialized equilibria, {summary['edges']} neighbour pairs (method {summary['method']})")
    for c, info in summary["countries"].items():
        typer.echo(f"country {c}: {info['local_maxima']} local maxima, {info['on_B1']} on B1, gap to B1 in "
                   f"[{info['gap_min']:.3e}, {info['gap_max']:.3e}]; global max ({info['global_max_pattern']}) "
                   f"is a local max: {info['global_max_is_local']}")
    typer.echo(f"conflict share {summary['conflict_share']:.4f} ({summary['conflict']} of {summary['edges']} pairs: "
               f"one country gains, the other loses); aligned {summary['aligned']}, ties {summary['ties']}")
    for p in summary["paths"]:
        typer.echo(f"  country {p['country']} {p['rule']:>8}: {p['start']} -> {p['end']} in {p['moves']} moves, "
                   f"u {p['u_start']:.5f} -> {p['u_end']:.5f}")
    if out is not None:
        typer.echo("wrote " + ", ".join(summary["outputs"].values()) + f", {out / 'graph_summary.json'}")
