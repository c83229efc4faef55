"""Theorem 2 convergence study (Gomory 1991): the boundary B(Y) is approached by specialized
equilibria as the largest demand share delta -> 0.

Random instances (``trade_opt.sweep.points_gomory.random_theorem2_instance``) with n = 4 .. 4096
goods, demand shares of order 1/n (delta ~ 1.5/n), alpha in [1.1, 2], beta <= 4 and rho ~ 0.15
(so alpha, beta and 1/(1 - rho) stay bounded); 5 replicates per n.  For each instance and each of
17 values of Y' in [0.1, 0.9]: B(Y') by the greedy rule, and the vertical distance to

* the better of the two greedy roundings (our old witness conjecture, ``models/gomory.md``),
* the equilibrium x_B1(Y') of the exact B1 DP trace (Nemhauser-Ullmann, all n here), and
* the nearest witness of Theorem 2 as stated (``trade_opt.gomory.theorems.theorem2_search``: every
  pattern for n <= 16, else the candidate set: both roundings, their one-good neighbours, the B1
  maximizer of each direction) for B and for B1;

``gap`` is the smallest of the first two (the nearest equilibrium found), maximized over Y'.  Both are actual
specialized equilibria, so each distance is an upper bound on the distance from (Y', B(Y')) to the
nearest equilibrium in the vertical sense of Theorem 2.  The Theorem 2 bound delta K is reported
next to it.  Slopes are least-squares fits of ln(gap) on ln(delta) over all instances.

Runs as a Dask sweep (spec ``instances/sweeps/theorem2_convergence.toml``, 2 local workers); the
output folder is resumable.  Writes ``benchmarks/out/theorem2_convergence.{csv,md}`` and
``benchmarks/theorem2_convergence.png``.

Run: ``.venv/bin/python benchmarks/theorem2_convergence.py [--workers 2] [--max-n 1024] [--out benchmarks/out]``
(``--max-n`` drops the larger n of the spec to keep the run short).
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import trade_opt  # noqa: F401  (sets PYOMO_CONFIG_DIR)
import numpy as np
import pandas as pd

from trade_opt.outputs import markdown_table, write_csv
from trade_opt.sweep import load_results, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "instances" / "sweeps" / "theorem2_convergence.toml"


def fit_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope and intercept of ln y on ln x."""
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    return float(slope), float(intercept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--fresh", action="store_true", help="discard a previous (possibly partial) sweep output")
    parser.add_argument("--max-n", type=int, default=4096, help="largest n of the spec to run (default: all)")
    args = parser.parse_args()
    sweep_dir = args.out / "theorem2_sweep"
    spec = SPEC
    if args.max_n < 4096:
        import re

        kept = [n for n in (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096) if n <= args.max_n]
        text = re.sub(r"values = \[4, 8, [0-9, ]*\]", f"values = {kept}", SPEC.read_text())
        args.out.mkdir(parents=True, exist_ok=True)
        spec = args.out / f"theorem2_convergence_max{args.max_n}.toml"
        spec.write_text(text)
        sweep_dir = args.out / f"theorem2_sweep_max{args.max_n}"
    if args.fresh and sweep_dir.exists():
        shutil.rmtree(sweep_dir)
    summary = run_sweep(spec, sweep_dir, workers=args.workers)
    if not summary["complete"]:
        raise SystemExit(f"sweep incomplete ({summary['points_done']}/{summary['total_points']}); rerun to resume")
    table = load_results(sweep_dir)
    bad = table[table["status"] != "ok"]
    if len(bad):
        raise SystemExit(f"{len(bad)} points failed:\n{bad[['point_id', 'status', 'error']]}")
    table = table.rename(columns={"options.n": "n_goods", "options.replicate": "replicate"})
    per_n = table.groupby("n_goods").agg(
        instances=("replicate", "size"), delta=("delta", "mean"), rho=("rho", "max"), alpha=("alpha", "max"),
        beta=("beta", "max"), gap=("max_gap", "mean"), gap_max=("max_gap", "max"),
        gap_rounding=("max_gap_rounding", "mean"), gap_dp=("max_gap_dp", "mean"), bound=("max_bound", "mean"),
        gap_over_bound=("max_gap_over_bound", "max"), income_gap=("max_income_gap", "max"),
        income_bound=("income_bound", "mean"), theorem2_failures=("theorem2_failures", "sum"),
        witness_ratio=("max_witness_ratio", "max"), gap_witness=("max_gap_witness", "mean"),
        theorem2_failures_B1=("theorem2_failures_B1", "sum"), witness_ratio_B1=("max_witness_ratio_B1", "max"),
        rounding_failures=("rounding_failures", "sum"),
        dp_seconds=("dp_seconds", "mean"), seconds=("seconds", "mean"),
    ).reset_index()
    slopes = {}
    for name, column in (("gap (nearest found)", "max_gap"), ("gap (greedy rounding)", "max_gap_rounding"),
                         ("gap (B1 DP trace)", "max_gap_dp"), ("gap (nearest Theorem 2 witness)", "max_gap_witness"),
                         ("bound delta K", "max_bound")):
        ok = table[column] > 0
        slopes[name] = fit_slope(table.loc[ok, "delta"].to_numpy(), table.loc[ok, column].to_numpy())[0]
    big = table["n_goods"] >= 64
    slopes["gap (nearest found), n >= 64"] = fit_slope(table.loc[big, "delta"].to_numpy(), table.loc[big, "max_gap"].to_numpy())[0]
    slopes["gap (greedy rounding), n >= 64"] = fit_slope(table.loc[big, "delta"].to_numpy(), table.loc[big, "max_gap_rounding"].to_numpy())[0]
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "theorem2_convergence.csv", per_n)
    slope_table = pd.DataFrame({"series": list(slopes), "slope of ln(gap) on ln(delta)": list(slopes.values())})
    run = summary["run"]
    text = ("# Theorem 2 convergence (Gomory 1991)\n\n"
            f"{len(table)} random instances ({table.groupby('n_goods').size().max()} per n), 17 values of Y' in [0.1, 0.9] each; Dask sweep "
            f"({run['executor']}, {run['computed_points']} points computed in this run, "
            f"{run['seconds']:.1f} s). Shared 2-core machine.\n\n"
            + markdown_table(per_n, ".3g") + "\n" + markdown_table(slope_table, ".3f"))
    (args.out / "theorem2_convergence.md").write_text(text)
    print(text)
    plot(table, per_n, slopes, ROOT / "benchmarks" / "theorem2_convergence.png")


def plot(table: pd.DataFrame, per_n: pd.DataFrame, slopes: dict[str, float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    series = (("max_gap_witness", "nearest Theorem 2 witness (as stated)", "tab:blue", "gap (nearest Theorem 2 witness)"),
              ("max_gap_rounding", "greedy rounding (old conjecture)", "tab:orange", "gap (greedy rounding)"),
              ("max_gap_dp", "B1 DP trace equilibrium", "tab:green", "gap (B1 DP trace)"),
              ("max_bound", "Theorem 2 bound delta K", "tab:gray", "bound delta K"))
    for column, label, color, key in series:
        ax.scatter(table["delta"], table[column], s=9, color=color, alpha=0.5)
        x = np.array([table["delta"].min(), table["delta"].max()])
        ok = table[column] > 0
        slope, icpt = np.polyfit(np.log(table.loc[ok, "delta"]), np.log(table.loc[ok, column]), 1)
        ax.plot(x, np.exp(icpt) * x ** slope, color=color, label=f"{label}: slope {slopes[key]:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"$\\delta = \\max_i d_{{i1}}$  (n = {int(table['n_goods'].min())} ... {int(table['n_goods'].max())} goods)")
    ax.set_ylabel("$\\max_{Y'}\\, |B(Y') - u(x, Y(x))|$")
    ax.set_title("Theorem 2: distance from B to specialized equilibria", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
