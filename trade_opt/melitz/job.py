"""Main job of ``trade-opt run <melitz instance>``: equilibrium per industry, checks, comparison.

Solves every industry with and without offshoring (MCP; the 1-D reduction for G without an
algebraic form), cross-checks against the 1-D reduction and (untruncated Pareto) the closed forms,
evaluates the identities (10), (12), (15), (16), (19) and ``R = w ell_N + ell_S``, and writes into
``out_dir``:

* ``summary.json``: parameters, solver report, per-industry equilibrium and autarky, checks;
* ``comparison.csv`` / ``comparison.md``: the autarky-vs-offshoring table (:mod:`~trade_opt.melitz.compare`);
* ``sweep_z.csv``, ``sweep_w.csv`` and ``comparison.png``: the same against z and against w.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trade_opt.melitz.compare import W_GRID, Z_GRID, Comparison, compare, sweep
from trade_opt.melitz.equilibrium import Solution, cross_check
from trade_opt.melitz.industry import identity_residuals
from trade_opt.melitz.instance import MelitzData, MelitzInstance
from trade_opt.outputs import markdown_table, write_csv

__all__ = ["run_job", "default_method", "summarize", "solution_records", "format_table"]

#: Columns of the printed per-industry solution table and their labels.
TABLE_COLUMNS = (("theta_star", "theta*"), ("theta_o", "theta_o"), ("P", "P"), ("R", "R"), ("M", "M"),
                 ("M_o", "M_o"), ("theta_tilde_t", "theta~_t"))


def default_method(data: MelitzData) -> str:
    """The solve method for ``data``: ``"mcp"`` when G has an algebraic Pyomo form, else ``"reduction"``.

    Parameters
    ----------
    data : MelitzData
        Industry data.

    Returns
    -------
    str
        ``"mcp"`` (Pareto, truncated Pareto) or ``"reduction"`` (lognormal).
    """
    return "mcp" if data.dist.has_pyomo_form else "reduction"


def solution_records(sol: Solution) -> list[dict[str, Any]]:
    """Per-industry dicts of the state and the main outcomes of a solution.

    Parameters
    ----------
    sol : Solution
        A solved set of industries.

    Returns
    -------
    list of dict
        One dict per industry: ``name``, ``z``, ``w``, ``regime`` and floats ``theta_star``,
        ``theta_o``, ``u``, ``nu``, ``M_e``, ``B``, ``P``, ``Omega``, ``A``, ``R``, masses, revenues,
        ``s_o``, aggregate productivities, ``ell_N``, ``ell_S``, ``CS``.
    """
    out = sol.out.as_dict()
    keys = ("theta_star", "theta_o", "u", "nu", "M_e", "B", "P", "Omega", "A", "R", "M", "M_o", "M_d",
            "R_d", "R_o", "s_o", "theta_tilde_t", "theta_tilde_d", "theta_tilde_o", "theta_tilde_dd",
            "ell_N", "ell_S", "CS")
    return [
        {"name": name, "z": float(sol.data.z[i]), "w": float(sol.data.w[i]), "regime": str(out["regime"][i]),
         **{k: float(out[k][i]) for k in keys}}
        for i, name in enumerate(sol.data.names)
    ]


def _max_abs(values: np.ndarray) -> float | None:
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    return float(np.max(np.abs(finite))) if finite.size else None


def summarize(data: MelitzData, comp: Comparison, *, source: str = "", name: str = "") -> dict[str, Any]:
    """The summary dict written to summary.json and printed by ``--json``.

    Parameters
    ----------
    data : MelitzData
        Industry data of the offshoring regime.
    comp : Comparison
        Offshoring and autarky solutions (:func:`~trade_opt.melitz.compare.compare`).
    source : str, optional
        The instance file (for the record).
    name : str, optional
        The instance name.

    Returns
    -------
    dict
        ``model``, ``name``, ``source``, ``method``, ``parameters``, ``solver`` reports, per-industry
        ``industries`` and ``autarky`` records, ``comparison`` rows, ``checks`` (cross-checks between
        methods, max |identity residual|) and ``numeraire`` (labour totals vs endowments).
    """
    t, a = comp.offshoring, comp.autarky
    identities = identity_residuals(data, t.out, a.out)
    ell_N, ell_S = float(np.sum(t.out.ell_N)), float(np.sum(t.out.ell_S))
    numeraire: dict[str, Any] = {"ell_N_total": ell_N, "ell_S_total": ell_S, "L_N": data.L_N, "L_S": data.L_S}
    if data.L_N is not None and data.L_S is not None:
        numeraire["numeraire_made_in_both"] = bool(data.L_N > ell_N and data.L_S > ell_S)
    return {
        "model": "melitz", "name": name, "source": source, "method": t.method,
        "parameters": {"sigma": data.sigma, "mu": data.mu, "w": data.w, "f_d": data.f_d, "f_o": data.f_o,
                       "f_e": data.f_e, "delta": data.delta, "H": data.H, "productivity": data.dist.describe()},
        "solver": {"offshoring": t.report, "autarky": a.report},
        "industries": solution_records(t),
        "autarky": solution_records(a),
        "comparison": comp.table.to_dict(orient="records"),
        "checks": {
            "cross_check_offshoring": cross_check(t),
            "cross_check_autarky": cross_check(a),
            "identities_max_abs": {k: _max_abs(v) for k, v in identities.items()},
        },
        "numeraire": numeraire,
    }


def format_table(comp: Comparison) -> str:
    """Human-readable per-industry table (offshoring), the autarky lines, and eq. (20).

    Parameters
    ----------
    comp : Comparison
        Offshoring and autarky solutions.

    Returns
    -------
    str
        The table (one line per industry, then one autarky line per industry).
    """
    t, a = comp.offshoring.out, comp.autarky.out
    head = f"{'industry':<12} {'z':>5} {'regime':<11}" + "".join(f" {lab:>11}" for _, lab in TABLE_COLUMNS) + f" {'M_a/M_t':>11}"
    lines = [head]
    for i, name in enumerate(comp.offshoring.data.names):
        row = f"{name:<12.12} {comp.offshoring.data.z[i]:>5g} {t.regime[i]:<11}"
        row += "".join(f" {getattr(t, key)[i]:>11.6g}" for key, _ in TABLE_COLUMNS)
        row += f" {comp.table['M_a_over_M_t_eq20'].iloc[i]:>11.6g}"
        lines.append(row)
    for i, name in enumerate(comp.autarky.data.names):
        lines.append(f"autarky {name:<12.12}: theta*_a = {a.theta_star[i]:.6g}, theta~_a = {a.theta_tilde_d[i]:.6g}, "
                     f"P_a = {a.P[i]:.6g}, R_a = {a.R[i]:.6g}, M_a = {a.M[i]:.6g}")
    return "\n".join(lines)


def _sweeps(data: MelitzData, method: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comparison over z (instance w) and over w (each industry's z), one solve each."""
    by_z = sweep(data, z=Z_GRID, w=float(data.w[0]), method=method)
    zs = np.unique(data.z)
    by_w = sweep(data, z=np.repeat(zs, W_GRID.size), w=np.tile(W_GRID, zs.size), method=method)
    return by_z, by_w


def run_job(instance: MelitzInstance, out_dir: Path, *, source: str) -> dict[str, Any]:
    """Solve, check, compare; print the per-industry equilibrium and write the outputs (module docstring).

    Parameters
    ----------
    instance : MelitzInstance
        The validated instance.
    out_dir : Path
        Folder for ``comparison.csv``, ``comparison.md``, ``sweep_z.csv``, ``sweep_w.csv``,
        ``comparison.png`` (created if needed).
    source : str
        The instance file (for the record).

    Returns
    -------
    dict
        :func:`summarize` plus ``status``; the caller writes it as summary.json.
    """
    from trade_opt.melitz.plots import comparison_figure

    out_dir = Path(out_dir)
    data = instance.data()
    method = default_method(data)
    comp = compare(data, method)
    summary = summarize(data, comp, source=source, name=instance.name)
    summary["status"] = str(comp.offshoring.report.get("status", "solved"))
    by_z, by_w = _sweeps(data, method)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "comparison.csv", comp.table)
    (out_dir / "comparison.md").write_text(markdown_table(comp.table, floatfmt=".6g"), encoding="utf-8")
    write_csv(out_dir / "sweep_z.csv", by_z)
    write_csv(out_dir / "sweep_w.csv", by_w)
    comparison_figure(by_z, [g for _, g in by_w.groupby("z", sort=True)], comp.table, out_dir / "comparison.png")
    report = comp.offshoring.report
    print(f"melitz: {instance.name} ({source}), {data.n} industries, method {method}"
          + (f", natural residual {report['residual']:.2e}" if "residual" in report else ""))
    print(format_table(comp))
    checks = summary["checks"]
    print("checks: cross-check max rel. diff " + ", ".join(
        f"{k} {v:.1e}" if v is not None else f"{k} n/a" for k, v in checks["cross_check_offshoring"].items())
        + "; identities max |res| " + ", ".join(
        f"{k} {v:.1e}" for k, v in checks["identities_max_abs"].items() if v is not None))
    return summary
