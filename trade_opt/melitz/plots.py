"""Figure of the autarky-vs-offshoring comparison against z and against w (matplotlib, Agg).

A 4 x 3 grid (about 1150 px wide as PNG): the upper two rows against the offshore intensity z at the
instance's wage; the lower two rows against the wage w, one line per industry of the instance (at its z).  Panels: cutoff ratio theta*_t/theta*_a (eq. 15
context), productivity ratio theta~_t/theta~_a (eqs. 12, 17), price ratio P_t/P_a (eq. 16),
variety ratio M_t/M_a (eq. 20), market-share ratios s_o,t/s_a and s_d,t/s_a (§2.4) and the
change in consumer surplus.  The instance's industries are marked with dots.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from trade_opt.plotting import save_figure  # noqa: E402

__all__ = ["comparison_figure", "PANELS"]

#: (column, title, reference line) of each panel.
PANELS: tuple[tuple[str, str, float | None], ...] = (
    ("cutoff_ratio", r"cutoff $\theta^*_t/\theta^*_a$", 1.0),
    ("productivity_ratio", r"productivity $\tilde\theta_t/\tilde\theta_a$", 1.0),
    ("price_ratio", r"price index $P_t/P_a$", 1.0),
    ("variety_ratio", r"variety $M_t/M_a$", 1.0),
    ("share_ratio_offshore", r"market share $s_{o,t}/s_a$ (solid), $s_{d,t}/s_a$ (dashed)", 1.0),
    ("CS_change", r"consumer surplus $CS_t - CS_a$", 0.0),
)


def comparison_figure(by_z: pd.DataFrame, by_w: list[pd.DataFrame], points: pd.DataFrame, path: str | Path,
                      formats: tuple[str, ...] | None = None) -> Path:
    """Draw the 12-panel figure (4 x 3) and save it to ``path`` (PNG, or each of ``formats``).

    Parameters
    ----------
    by_z : DataFrame
        :func:`~trade_opt.melitz.compare.sweep` over z (column ``z``).
    by_w : list of DataFrame
        One sweep over w per industry (column ``w``; its z in column ``z``).
    points : DataFrame
        The instance's comparison table (dots at its z and w).
    path : path
    formats : tuple of str
        Any of ``trade_opt.plotting.FIGURE_FORMATS``.

    Returns
    -------
    Path of the first format written.
    """
    path = Path(path)
    ncol = 3
    rows = -(-len(PANELS) // ncol)
    fig, axes = plt.subplots(2 * rows, ncol, figsize=(10.5, 3.1 * 2 * rows), constrained_layout=True)
    for col, (name, title, ref) in enumerate(PANELS):
        top, bottom = axes[col // ncol, col % ncol], axes[rows + col // ncol, col % ncol]
        top.plot(by_z["z"], by_z[name], color="C0")
        if name == "share_ratio_offshore":
            top.plot(by_z["z"], by_z["share_ratio_domestic"], color="C0", ls="--")
        top.plot(points["z"], points[name], "o", color="k", ms=4)
        for j, table in enumerate(by_w):
            label = f"z = {table['z'].iloc[0]:g}"
            bottom.plot(table["w"], table[name], color=f"C{j}", label=label)
            if name == "share_ratio_offshore":
                bottom.plot(table["w"], table["share_ratio_domestic"], color=f"C{j}", ls="--")
        bottom.plot(points["w"], points[name], "o", color="k", ms=4)
        for ax in (top, bottom):
            if ref is not None:
                ax.axhline(ref, color="0.6", lw=0.8)
            ax.grid(alpha=0.3)
        top.set_title(title + " vs z", fontsize=9)
        bottom.set_title(title + " vs w", fontsize=9)
        top.set_xlabel(f"z (w = {by_z['w'].iloc[0]:g})")
        bottom.set_xlabel("w (Northern wage)")
        bottom.set_xscale("log")
        if name == "variety_ratio":
            bottom.set_yscale("log")
    axes[rows, 0].legend(fontsize=8)
    fig.suptitle("Melitz with offshoring: offshoring vs autarky (upper rows: against z; lower rows: against w)", fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path, formats, dpi=110)
