"""The figure of a finished sweep: the ``[plot]`` table of the spec (columns ``y`` against ``x``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def sweep_figure(table: pd.DataFrame, plot: Any, path: Path, title: str = "", formats: tuple[str, ...] | None = None) -> Path:
    """Draw a finished sweep: one panel per column in ``plot.y`` against ``plot.x``.

    One line per value of ``plot.by`` (one line in all when ``plot.by`` is None).  Points whose status
    is not ok (invalid, failed, error) are left out (gaps in the lines); their number goes into the
    title.

    Parameters
    ----------
    table : pandas.DataFrame
        The sweep's rows (:func:`trade_opt.sweep.run.load_results`), with a ``status`` column.
    plot : trade_opt.sweep.spec.Plot
        The spec's ``[plot]`` table: ``x``, ``y`` (list of columns), ``by``, ``logx``, ``logy``,
        ``title``.
    path : pathlib.Path
        Output file; its suffix is replaced per format.
    title : str, optional
        Figure title used when ``plot.title`` is empty.
    formats : tuple of str, optional
        Image formats (png, pdf, svg), each saved by :func:`trade_opt.plotting.save_figure`.

    Returns
    -------
    pathlib.Path
        The first file written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from trade_opt.plotting import save_figure
    from trade_opt.sweep.run import OK_STATUSES

    ok = table[table["status"].isin(OK_STATUSES)]
    k = len(plot.y)
    cols = min(k, 3)
    rows = -(-k // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    groups = [(None, ok)] if plot.by is None else list(ok.groupby(plot.by, sort=True))
    for ax, column in zip(axes.ravel(), plot.y):
        for value, group in groups:
            if column not in group:
                continue
            g = group.sort_values(plot.x)
            label = None if value is None else f"{plot.by} = {value:.4g}" if isinstance(value, float) else f"{plot.by} = {value}"
            ax.plot(g[plot.x], g[column], marker=".", label=label)
        ax.set_xlabel(plot.x)
        ax.set_ylabel(column)
        if plot.logx:
            ax.set_xscale("log")
        if plot.logy:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        if plot.by is not None:
            ax.legend(fontsize=7)
    for ax in axes.ravel()[k:]:
        ax.set_visible(False)
    failed = len(table) - len(ok)
    fig.suptitle((plot.title or title) + (f"  ({failed} points not solved)" if failed else ""), fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, formats)
