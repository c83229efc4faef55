"""``trade-opt run`` for a Krugman instance: solve, check, print a summary, write the equilibrium table + SS/DD figure."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trade_opt.krugman.instance import KrugmanInstance
from trade_opt.krugman.economy import solve_economy
from trade_opt.outputs import write_csv

#: Quantities printed by :func:`run_job`, in this order.
_PRINTED = ("p", "omega", "Y", "n", "c", "c_star", "real_wage_N", "real_wage_S", "E_S", "l", "x", "U_N", "U_S")


def solve_summary(instance: KrugmanInstance, source: str) -> dict[str, Any]:
    """Solve ``instance`` (:func:`solve_economy`) and return the JSON-ready summary.

    Parameters
    ----------
    instance : KrugmanInstance
        The validated instance.
    source : str
        The instance file, for the summary.

    Returns
    -------
    dict
        ``source``, ``name``, ``instance`` parameters, ``mu`` formula, ``b_A``, ``normalization`` and
        the solve report (equilibrium, closed form, MCP status and residuals, elasticities).
    """
    data = instance.data()
    report = solve_economy(data)
    params = instance.model_dump(exclude_none=True)
    mu_text = data.mu_fn.describe() if data.mu_fn is not None else None
    normalization = ("Northern wage omega = 1" if data.economy == "closed"
                     else "Southern wage = 1 (paper); the MCP is solved with the Northern wage = 1")
    return {"source": source, "name": instance.name, "instance": params, "mu": mu_text, "b_A": data.b_A,
            "normalization": normalization, **report.summary()}


def print_summary(summary: dict[str, Any]) -> None:
    """Print a short human-readable account of :func:`solve_summary`'s result on stdout.

    Parameters
    ----------
    summary : dict
        The result of :func:`solve_summary`.

    Returns
    -------
    None
    """
    eq = summary["equilibrium"]
    typer.echo(f"Krugman ({summary['economy']}): {summary['name']}  [{summary['normalization']}]")
    if summary["mu"]:
        typer.echo(f"  {summary['mu']}")
    for key in _PRINTED:
        if key in eq:
            typer.echo(f"  {key:12s} {eq[key]:.10g}")
    el = summary["elasticities"]
    if "eps_z" in el:
        typer.echo(f"  eps_z        {el['eps_z']:.10g} (finite difference {el['eps_z_fd']:.10g})")
    mcp = summary["mcp"]
    its = mcp["iterations"]
    its = ", ".join(f"{k} {v}" for k, v in its.items()) if isinstance(its, dict) else str(its)
    typer.echo(f"  MCP {mcp['status']}: natural residual {summary['natural_residual']:.2e} "
               f"(scaled, trade_opt.mcp: {mcp['residual']:.2e}); iterations: {its}; {mcp['seconds']:.3f} s")
    typer.echo(f"  Walras residual {summary['walras_residual']:.2e}; max rel. diff MCP vs closed form "
               f"{summary['max_rel_diff_mcp_closed_form']:.2e}")


def run_job(instance: KrugmanInstance, out_dir: Path, *, source: str) -> dict[str, Any]:
    """Main job: solve the instance, print the equilibrium, write ``equilibrium.csv`` and ``ss_dd.png``.

    ``equilibrium.csv`` has one row per route: MCP, closed form, reduced form (the ``routes`` of the
    summary).

    Parameters
    ----------
    instance : KrugmanInstance
        The validated instance.
    out_dir : Path
        The (staging) folder to write into (:func:`trade_opt.runner.run_job_in_folder`).
    source : str
        The instance file, for the summary.

    Returns
    -------
    dict
        The summary (the runner adds the contract fields and writes summary.json).
    """
    from trade_opt.krugman.plots import ss_dd_figure

    import pandas as pd

    summary = solve_summary(instance, source)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    routes = [{"route": "mcp", **summary["equilibrium"]}, {"route": "closed_form", **summary["closed_form"]}]
    if summary.get("reduced_form"):
        routes.append({"route": "reduced_form", **summary["reduced_form"]})
    summary["routes"] = routes
    summary["status"] = summary["mcp"]["status"]
    write_csv(out_dir / "equilibrium.csv", pd.DataFrame.from_records(routes))
    ss_dd_figure([(instance.name, instance.data())], out_dir / "ss_dd.png")
    print_summary(summary)
    return summary
