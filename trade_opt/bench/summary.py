"""The knapsack benchmark's summaries from ``results.csv``: ``results.md`` and the performance profile.

:func:`write_summary` writes ``results.md`` (the headline table, :func:`headline_table`: wall time per
family, size and method, and its ratio to the fastest method that proved optimality on that
instance, plus the objectives' agreement) and ``profile.png``, the Dolan-More performance profile
(E. D. Dolan, J. J. More, "Benchmarking optimization software with performance profiles", Math.
Program. 91 (2002) 201-213): for instance p and method s, r_ps = t_ps / min_s t_ps (inf when s did
not prove optimality), rho_s(tau) = share of instances with r_ps <= tau, plotted over log2(tau)
(:func:`performance_profile`, :func:`plot_profile`).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def load_results(out: str | Path):
    """``results.csv`` as a DataFrame.

    Parameters
    ----------
    out : str or pathlib.Path
        The benchmark's output folder.

    Returns
    -------
    pandas.DataFrame
        One row per (instance, method) run, columns :data:`trade_opt.bench.isolation.COLUMNS`.
    """
    import pandas as pd

    return pd.read_csv(Path(out) / "results.csv")


def solved_times(df):
    """Pivot (instance rows, method columns) of ``seconds`` where status is optimal, else inf.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv`` (:func:`load_results`).

    Returns
    -------
    pandas.DataFrame
        Index ``instance``, one column per method: wall seconds of the optimal runs (the minimum
        if an instance appears twice), inf where the method did not prove optimality, NaN where
        it did not run.
    """
    import numpy as np

    t = df.assign(t=np.where(df["status"] == "optimal", df["seconds"], np.inf))
    return t.pivot_table(index="instance", columns="method", values="t", aggfunc="min")


def performance_profile(df, taus):
    """Dolan-More rho_s(tau) for each method (module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv``.
    taus : array_like
        Ratios tau >= 1 at which to evaluate the profile.

    Returns
    -------
    methods : list of str
        Method names (columns of :func:`solved_times`).
    rho : numpy.ndarray
        Shape (len(methods), len(taus)): share of instances on which the method's time is within
        tau of the fastest optimal time (instances nobody solved count as failures for all).
    """
    import numpy as np

    times = solved_times(df)
    best = times.min(axis=1).replace(np.inf, np.nan)
    ratios = times.div(best, axis=0).fillna(np.inf)          # unsolved by all: inf for everyone
    taus = np.asarray(taus, dtype=float)
    rho = np.array([[(ratios[m] <= tau).mean() for tau in taus] for m in times.columns])
    return list(times.columns), rho


def plot_profile(df, path: Path) -> Path:
    """Write the performance profile plot (log2 tau axis).

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv``.
    path : pathlib.Path
        PNG file to write (120 dpi).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    times = solved_times(df)
    finite = times.replace(np.inf, np.nan)
    ratio_max = float(np.nanmax(finite.div(finite.min(axis=1), axis=0).to_numpy())) if finite.notna().any().any() else 2.0
    taus = np.exp2(np.linspace(0.0, max(1.0, math.log2(max(ratio_max, 1.0)) * 1.05), 400))
    methods, rho = performance_profile(df, taus)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for method, curve in zip(methods, rho):
        ax.step(np.log2(taus), curve, where="post", label=method)
    ax.set_xlabel(r"$\log_2 \tau$  (time within a factor $\tau$ of the fastest)")
    ax.set_ylabel(r"share of instances solved, $\rho_s(\tau)$")
    ax.set_ylim(0.0, 1.02)
    ax.set_title(f"Performance profile ({times.shape[0]} instances)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def headline_table(df):
    """(family, n) rows; per method 'seconds (ratio to fastest)' or the status if not optimal.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``family``, ``n``, one per method among dp, ortools, highs, cbc, glpk, scip, brute
        that ran, and ``max rel. obj. diff``: the largest
        |obj - obj_ref| / max(1, |obj_ref|) over the optimal methods (reference: the DP, else
        the first optimal one) and the method attaining it.
    """
    import numpy as np
    import pandas as pd

    methods = [m for m in ("dp", "ortools", "highs", "cbc", "glpk", "scip", "brute") if m in set(df["method"])]
    rows = []
    for (family, n), group in df.groupby(["family", "n"], sort=False):
        ok = group[group["status"] == "optimal"]
        fastest = ok["seconds"].min() if len(ok) else np.nan
        # agreement: each optimal method's objective against the DP's (else the first optimal one)
        ref_rows = ok[ok["method"] == "dp"] if (ok["method"] == "dp").any() else ok.head(1)
        spread, worst = np.nan, ""
        if len(ok):
            ref = float(ref_rows["objective"].iloc[0])
            diffs = np.abs(ok["objective"].to_numpy(dtype=float) - ref) / max(1.0, abs(ref))
            spread = float(diffs.max())
            worst = str(ok["method"].iloc[int(np.argmax(diffs))]) if spread > 0 else ""
        row: dict[str, Any] = {"family": family, "n": int(n)}
        for method in methods:
            r = group[group["method"] == method]
            if r.empty:
                row[method] = "-"
            elif r["status"].iloc[0] == "optimal":
                s = float(r["seconds"].iloc[0])
                row[method] = f"{s:.3g} s ({s / fastest:.3g}x)"
            else:
                row[method] = str(r["status"].iloc[0])
        row["max rel. obj. diff"] = (f"{spread:.1e}" + (f" ({worst})" if worst else "")) if np.isfinite(spread) else "-"
        rows.append(row)
    return pd.DataFrame(rows)


def write_summary(out: str | Path, skipped: dict[str, str] | None = None) -> str:
    """Write ``results.md`` and ``profile.png`` from ``results.csv``; return the Markdown.

    Parameters
    ----------
    out : str or pathlib.Path
        The benchmark's output folder (holds ``results.csv``).
    skipped : dict of str to str, optional
        Methods not installed -> reason, listed under the table.

    Returns
    -------
    str
        The Markdown written (atomically) to ``results.md``.
    """
    from trade_opt.outputs import _atomic_write_text, markdown_table

    out = Path(out)
    df = load_results(out)
    table = headline_table(df)
    lines = ["# Knapsack solver benchmark", "",
             "Wall time of the whole method call (fastest of `repeat` runs) and its ratio to the fastest "
             "method that proved optimality on the instance; otherwise the status "
             "(`timeout`: killed by the harness; `time_limit`: the solver stopped itself). "
             "Last column: largest relative difference |obj - obj_DP| / max(1, |obj_DP|) over the methods that "
             "reported optimality (reference: the DP, else the first optimal method), and which method it is.", "",
             markdown_table(table)]
    if skipped:
        lines += ["", "Skipped (not installed):"] + [f"- {m}: {reason}" for m, reason in skipped.items()]
    if len(df):
        plot_profile(df, out / "profile.png")
        lines += ["", "Performance profile (Dolan & More 2002): `profile.png`."]
    text = "\n".join(lines) + "\n"
    _atomic_write_text(out / "results.md", text)
    return text
