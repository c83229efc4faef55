"""Figures for the Kim model (matplotlib, Agg backend)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from trade_opt.kim.model import TIERS  # noqa: E402
from trade_opt.plotting import save_figure  # noqa: E402


def plot_shares(table: pd.DataFrame, regions: tuple[str, ...], path: str | Path, formats: tuple[str, ...] | None = None) -> Path:
    """Regional shares of each tier (A_1, A_2, F, S) against the markup T, one panel per tier.

    Parameters
    ----------
    table : pandas.DataFrame
        Liberalization rows (:func:`trade_opt.kim.liberalize.sweep_row`): column ``T`` and
        ``share_{tier}_{region}``.
    regions : tuple of str
        Region names (one line each).
    path : str or Path
        The figure file to write (its suffix is replaced per format).
    formats : tuple of str, optional
        Any of ``trade_opt.plotting.FIGURE_FORMATS`` (default: the formats in force, :func:`trade_opt.plotting.current_figure_formats`).

    Returns
    -------
    Path
        The first file written.
    """
    path = Path(path)
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4), sharey=True)
    for ax, tier in zip(axes, TIERS):
        for region in regions:
            ax.plot(table["T"], table[f"share_{tier}_{region}"], marker=".", label=region)
        ax.set_title(f"{tier} firms")
        ax.set_xlabel("transport markup T")
        ax.invert_xaxis()
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of the tier's firms")
    axes[-1].legend(loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path, formats, dpi=120)


def plot_network_scenario(base_graph, scen_graph, regions: tuple[str, ...], x_base, x_scen, path: str | Path,
                          title: str = "", formats: tuple[str, ...] | None = None) -> Path:
    """The transport network before and after a scenario, regions sized by their firm numbers.

    Node area is proportional to the region's total firm number m_1 + m_2 + n + r (same scale in
    both panels); the region's name sits on its node, its (m_1 + m_2, n, r) in a box below it.  Links:
    grey, red when a tariff is levied (label "length / +tariff"), dashed when the scenario removed
    the tariff, green when the scenario added the link; a legend under the panels explains the
    colours.  Positions: Kamada-Kawai layout of the baseline graph with the freight lengths as
    distances (same positions in both panels).

    Parameters
    ----------
    base_graph, scen_graph : networkx.Graph
        Validated graphs (:func:`trade_opt.kim.network.network_graph`) of baseline and scenario.
    regions : tuple of str
        Region names, in the column order of the firm arrays.
    x_base, x_scen : array_like, shape (4, J)
        Firm numbers (rows A_1, A_2, F, S) at the baseline and scenario equilibria.
    path : str or Path
        The figure file to write.
    title : str, optional
        Figure title (default none).
    formats : tuple of str, optional
        Any of ``trade_opt.plotting.FIGURE_FORMATS`` (default: the formats in force, :func:`trade_opt.plotting.current_figure_formats`).

    Returns
    -------
    Path
        The first file written.
    """
    import networkx as nx
    import numpy as np
    from matplotlib.lines import Line2D

    path = Path(path)
    G0 = base_graph
    pos = nx.kamada_kawai_layout(G0, weight="length") if G0.number_of_edges() else nx.circular_layout(G0)
    totals = [np.asarray(x_base).sum(axis=0), np.asarray(x_scen).sum(axis=0)]
    scale = 2500.0 / max(float(max(t.max() for t in totals)), 1e-12)
    fig, axes = plt.subplots(1, 2, figsize=(12, 6.0))
    for ax, G, x, tot, label in zip(axes, (base_graph, scen_graph), (x_base, x_scen), totals, ("baseline", "scenario")):
        x = np.asarray(x)
        for a, b, e in G.edges(data=True):
            was = G0.edges[a, b] if G0.has_edge(a, b) else None
            color, style = "0.55", "solid"
            if e.get("added"):
                color = "tab:green"
            elif e["tariff"] > 0:
                color = "tab:red"
            if was is not None and was["tariff"] > 0 and e["tariff"] == 0:
                style = "dashed"
            (xa, ya), (xb, yb) = pos[a], pos[b]
            ax.plot([xa, xb], [ya, yb], color=color, ls=style, lw=2.5, zorder=1)
            text = f"{e['length']:g}" + (f" / +{e['tariff']:g}" if e["tariff"] > 0 else "")
            frac = 0.35 if e.get("added") else 0.5  # keep a new link's label off crossing links' labels
            ax.text(xa + frac * (xb - xa), ya + frac * (yb - ya), text, fontsize=6.5, ha="center", va="center",
                    color=color if color != "0.55" else "0.3", bbox=dict(fc="white", ec="none", alpha=0.85, pad=0.5),
                    zorder=2)
        xy = np.array([pos[r] for r in regions])
        ax.scatter(xy[:, 0], xy[:, 1], s=np.maximum(tot * scale, 20.0), color="tab:blue", alpha=0.55,
                   edgecolor="black", zorder=3)
        for k, region in enumerate(regions):
            ax.text(xy[k, 0], xy[k, 1], region, fontsize=8, fontweight="bold", ha="center", va="center", zorder=4)
            ax.annotate(f"{x[0, k] + x[1, k]:.2f} / {x[2, k]:.2f} / {x[3, k]:.2f}", xy[k], xytext=(0, -16),
                        textcoords="offset points", fontsize=6.5, ha="center", va="top", zorder=4,
                        bbox=dict(fc="lightyellow", ec="0.7", lw=0.5, pad=1.0))
        ax.set_title(f"{label}: node area ~ firms (label m1+m2 / n / r)", fontsize=9)
        ax.set_axis_off()
        ax.margins(0.15)
    handles = [Line2D([], [], color="0.55", lw=2.5, label="link (label: freight length)"),
               Line2D([], [], color="tab:red", lw=2.5, label="tariff levied (length / +tariff)"),
               Line2D([], [], color="0.55", lw=2.5, ls="dashed", label="tariff removed by the scenario"),
               Line2D([], [], color="tab:green", lw=2.5, label="link added by the scenario")]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path, formats, dpi=120)


def plot_equilibrium(table: pd.DataFrame, path: str | Path, formats: tuple[str, ...] | None = None) -> Path:
    """Firm numbers of the free-entry equilibrium by region, one bar group per tier (m_1, m_2, n, r).

    Parameters
    ----------
    table : DataFrame
        One row per region with columns ``region``, ``m_1``, ``m_2``, ``n``, ``r``
        (:func:`trade_opt.kim.interface.region_rows`).
    path : str or Path
        The PNG to write.
    formats : tuple of str
        Any of ``trade_opt.plotting.FIGURE_FORMATS`` (the first is returned).

    Returns
    -------
    Path
    """
    import numpy as np

    path = Path(path)
    tiers = (("m_1", "assemblers A_1"), ("m_2", "assemblers A_2"), ("n", "first tier F"), ("r", "second tier S"))
    regions = list(table["region"])
    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    width = 0.8 / len(regions)
    positions = np.arange(len(tiers))
    for k, region in enumerate(regions):
        ax.bar(positions + (k - (len(regions) - 1) / 2) * width, [float(table[col].iloc[k]) for col, _ in tiers],
               width, label=region)
    ax.set_xticks(positions, [label for _, label in tiers])
    ax.set_ylabel("number of firms")
    ax.set_title("Free-entry equilibrium by region")
    ax.legend(title="region", frameon=False, ncols=min(len(regions), 6))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path, formats, dpi=120)
