"""Figures 1, 2 and 3 of Gomory (1991) and the specialization-graph figure, redrawn from computed
equilibria and boundary curves.

Every function takes ``formats`` (any of ``trade_opt.plotting.FIGURE_FORMATS``; default: the formats in force,
:func:`trade_opt.plotting.figure_formats`, PNG unless set)
and returns the path of the first format written.  Point clouds go through
:func:`trade_opt.plotting.scatter` (rasterized from 1e5 points on).  Legends sit outside the axes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from trade_opt.plotting import save_figure, scatter  # noqa: E402

#: Candidate tick values of the wage-ratio axis; ticks closer than MIN_TICK_GAP (in Y) are dropped.
WAGE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
MIN_TICK_GAP = 0.07


def wage_ticks(L: np.ndarray, lo: float = 0.0, hi: float = 1.0, min_gap: float = MIN_TICK_GAP) -> list[float]:
    """Wage-ratio ticks for the top axis of a figure against Y.

    The candidates :data:`WAGE_TICKS` r = w1/w2 sit at Y = r L1 / (L2 + r L1); those in (lo, hi) are
    kept at least ``min_gap`` apart in Y, ratios near 1 first, so 0.5, 1, 2 survive and 10, 20, 50
    do not crowd Y -> 1.

    Parameters
    ----------
    L : numpy.ndarray
        Labor supplies (L_1, L_2).
    lo, hi : float, optional
        The axis range in Y.
    min_gap : float, optional
        Smallest distance in Y between two ticks.

    Returns
    -------
    list of float
        The kept ratios, increasing.

    Examples
    --------
    >>> wage_ticks(np.array([1.0, 1.0]))
    [0.02, 0.1, 0.2, 0.5, 1, 2, 5, 10, 50]
    """
    pos = {r: r * L[0] / (L[1] + r * L[0]) for r in WAGE_TICKS}
    inside = sorted((r for r in WAGE_TICKS if lo < pos[r] < hi), key=lambda r: abs(np.log(r)))
    kept: list[float] = []
    for r in inside:
        if all(abs(pos[r] - pos[k]) >= min_gap for k in kept):
            kept.append(r)
    return sorted(kept)


def _legend_below(ax, handles=None, ncol: int = 3, fontsize: float = 7.5) -> None:
    """The legend under the axes (never over data)."""
    kw = {} if handles is None else {"handles": handles}
    ax.legend(fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=ncol, frameon=False, **kw)


def _wage_axis(ax, L: np.ndarray) -> None:
    """Top axis with the wage ratio w1/w2 = Y L2 / ((1 - Y) L1) (a monotone map of Y)."""
    def to_ratio(Y):
        """Y -> w1/w2 (Y clipped to [1e-9, 1 - 1e-9]).

        Parameters
        ----------
        Y : array_like
            Country 1's income share.

        Returns
        -------
        numpy.ndarray
            The wage ratio.
        """
        Y = np.clip(np.asarray(Y, dtype=float), 1e-9, 1 - 1e-9)
        return Y * L[1] / ((1 - Y) * L[0])

    def to_Y(r):
        """w1/w2 -> Y (negative ratios clipped to 0).

        Parameters
        ----------
        r : array_like
            The wage ratio.

        Returns
        -------
        numpy.ndarray
            Country 1's income share.
        """
        r = np.maximum(np.asarray(r, dtype=float), 0.0)
        return r * L[0] / (L[1] + r * L[0])

    lo, hi = ax.get_xlim()
    top = ax.secondary_xaxis("top", functions=(to_ratio, to_Y))
    ticks = wage_ticks(L, lo, hi)
    top.set_xticks(ticks)
    top.set_xticklabels([f"{r:g}" for r in ticks])
    top.set_xlabel("wage ratio $w_1/w_2$")


def figure1(path: Path, Y: np.ndarray, u1: np.ndarray, grid: np.ndarray, B: np.ndarray, B1: np.ndarray,
            ricardo_level: float, autarky_u1: float, L: np.ndarray, title: str,
            mixed_Y: np.ndarray | None = None, mixed_u1: np.ndarray | None = None,
            formats: Sequence[str] | None = None, ricardo_point: tuple[float, float] | None = None) -> Path:
    """Fig. 1: country 1's utility U1 = exp(u1) of each equilibrium against Y.

    Boundary curves B and B1 dotted, the Ricardo level as a thin vertical bar, autarky as a
    horizontal bar on the right, the wage ratio w1/w2 on the top axis.

    Parameters
    ----------
    path : pathlib.Path
        Output file; its suffix is replaced by each format's.
    Y, u1 : numpy.ndarray
        Income share and log-utility of country 1 of each specialized equilibrium.
    grid : numpy.ndarray
        The Y grid of the boundary curves.
    B, B1 : numpy.ndarray
        B(Y) and B1(Y) on ``grid`` (log-utilities).
    ricardo_level : float
        The Ricardo level Y_R.
    autarky_u1 : float
        Country 1's autarky log-utility.
    L : numpy.ndarray
        Labor supplies (L_1, L_2), for the wage-ratio axis.
    title : str
        Figure title.
    mixed_Y, mixed_u1 : numpy.ndarray, optional
        Mixed equilibria (small grey points).
    formats : sequence of str, optional
        Any of :data:`trade_opt.plotting.FIGURE_FORMATS` (default PNG only).
    ricardo_point : (float, float), optional
        (Y, u1) of the Ricardo solution, if any (black square).

    Returns
    -------
    pathlib.Path
        The file of the first format written.
    """
    fig, ax = plt.subplots(figsize=(7.5, 5.6))
    if mixed_Y is not None and len(mixed_Y):
        scatter(ax, mixed_Y, np.exp(mixed_u1), marker=".", ms=1.5, color="0.6", label="mixed equilibria", zorder=1)
    scatter(ax, Y, np.exp(u1), ms=3.5, color="black", label="specialized equilibria", zorder=2)
    ax.plot(grid, np.exp(B), ":", color="tab:blue", lw=1.5, label="$B(Y)$, continuous knapsack", zorder=3)
    ax.plot(grid, np.exp(B1), ":", color="tab:red", lw=1.5, label="$B_1(Y)$, 0-1 knapsack", zorder=3)
    ax.axvline(ricardo_level, color="tab:green", lw=0.9, ls="--", label=f"Ricardo level $Y_R$ = {ricardo_level:.4f}", zorder=0)
    if ricardo_point is not None:
        ax.plot([ricardo_point[0]], [np.exp(ricardo_point[1])], "s", color="black", ms=7, mfc="black",
                label="Ricardo point", zorder=4)
    ax.set_xlim(0.0, 1.0)
    ax.hlines(np.exp(autarky_u1), 0.96, 1.0, color="tab:orange", lw=2.5, label="autarky (bar at right)", zorder=3)
    ax.set_xlabel("normalized national income $Y$ of country 1")
    ax.set_ylabel("utility $U_1$ (Cobb-Douglas)")
    ax.set_title(title, fontsize=10)
    _legend_below(ax, ncol=3)
    _wage_axis(ax, L)
    fig.tight_layout()
    return save_figure(fig, path, formats)


def figure2(path: Path, Y: np.ndarray, u1: np.ndarray, u2: np.ndarray, autarky: np.ndarray,
            ricardo_points: tuple[float, float, float] | None, title: str, formats: Sequence[str] | None = None) -> Path:
    """Fig. 2: U1 and U2 of each equilibrium against Y, each normalized to its maximum 1.

    Autarky levels dashed; the Ricardo points (Y_R, U1) and (Y_R, U2) as two black squares when a
    Ricardo solution exists, as in the paper.

    Parameters
    ----------
    path : pathlib.Path
        Output file; its suffix is replaced by each format's.
    Y : numpy.ndarray
        Country 1's income share of each specialized equilibrium.
    u1, u2 : numpy.ndarray
        The two countries' log-utilities.
    autarky : numpy.ndarray
        Autarky log-utilities (u1, u2).
    ricardo_points : (float, float, float) or None
        (Y, u1, u2) of the Ricardo solution.
    title : str
        Figure title.
    formats : sequence of str, optional
        Any of :data:`trade_opt.plotting.FIGURE_FORMATS` (default PNG only).

    Returns
    -------
    pathlib.Path
        The file of the first format written.
    """
    m1, m2 = u1.max(), u2.max()
    fig, ax1 = plt.subplots(figsize=(7.5, 5.4))
    ax2 = ax1.twinx()
    scatter(ax1, Y, np.exp(u2 - m2), ms=3, color="tab:blue", label="country 2 ($U_2$, left axis)")
    scatter(ax2, Y, np.exp(u1 - m1), ms=3, color="tab:red", label="country 1 ($U_1$, right axis)")
    ax1.axhline(np.exp(autarky[1] - m2), color="tab:blue", ls="--", lw=1, label="autarky 2")
    ax2.axhline(np.exp(autarky[0] - m1), color="tab:red", ls="--", lw=1, label="autarky 1")
    if ricardo_points is not None:
        Y_R, r1, r2 = ricardo_points
        ax1.plot([Y_R], [np.exp(r2 - m2)], "s", color="black", ms=8, zorder=5, label="Ricardo points")
        ax2.plot([Y_R], [np.exp(r1 - m1)], "s", color="black", ms=8, zorder=5)
    ax1.set_xlim(0.0, 1.0)
    ax1.set_xlabel("$Y$ (country 2's income is $1 - Y$)")
    ax1.set_ylabel("$U_2 / \\max U_2$")
    ax2.set_ylabel("$U_1 / \\max U_1$")
    ax1.set_ylim(0, 1.05)
    ax2.set_ylim(0, 1.05)
    handles = ax1.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    _legend_below(ax1, handles=handles, ncol=3)
    ax1.set_title(title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, formats)


def figure3(path: Path, grid: np.ndarray, curve1: np.ndarray, curve2: np.ndarray, title: str,
            Y: np.ndarray | None = None, u1: np.ndarray | None = None, u2: np.ndarray | None = None,
            B1: np.ndarray | None = None, formats: Sequence[str] | None = None) -> Path:
    """Fig. 3 (special case, Eq. 4): U_1(Y) (solid) and U_2(Y) (dashed), each normalized to its maximum 1.

    Optional integer equilibria (dots) and B1 of country 1 (dotted).

    Parameters
    ----------
    path : pathlib.Path
        Output file; its suffix is replaced by each format's.
    grid : numpy.ndarray
        The Y grid.
    curve1, curve2 : numpy.ndarray
        Log-utility curves of countries 1 and 2 on ``grid`` (Eq. 4 and its mirror image).
    title : str
        Figure title.
    Y, u1, u2 : numpy.ndarray, optional
        Specialized equilibria: income share and the two log-utilities.
    B1 : numpy.ndarray, optional
        Country 1's once-for-all B1 on ``grid`` (log-utility).
    formats : sequence of str, optional
        Any of :data:`trade_opt.plotting.FIGURE_FORMATS` (default PNG only).

    Returns
    -------
    pathlib.Path
        The file of the first format written.
    """
    m1, m2 = np.max(curve1), np.max(curve2)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    ax.plot(grid, np.exp(curve1 - m1), "-", color="black", lw=1.6, label="country 1, Eq. 4 ($B(Y)$)")
    ax.plot(grid, np.exp(curve2 - m2), "--", color="black", lw=1.6, label="country 2 (mirror)")
    if B1 is not None:
        ax.plot(grid, np.exp(B1 - m1), ":", color="tab:red", lw=1.2, label="country 1, $B_1(Y)$ once for all $Y$")
    if Y is not None and u1 is not None:
        scatter(ax, Y, np.exp(u1 - m1), ms=3, color="tab:red", label="specialized equilibria, $U_1$")
    if Y is not None and u2 is not None:
        scatter(ax, Y, np.exp(u2 - m2), marker="s", ms=3, color="tab:blue", mfc="none", label="specialized equilibria, $U_2$")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("$Y$ (country 2's income is $1 - Y$)")
    ax.set_ylabel("$U_j / \\max U_j$")
    ax.set_title(title, fontsize=10)
    _legend_below(ax, ncol=2)
    fig.tight_layout()
    return save_figure(fig, path, formats)


def figure_specialization_graph(path: Path, Y: np.ndarray, u: np.ndarray, local: tuple[np.ndarray, np.ndarray],
                                paths: list[tuple[int, str, np.ndarray, np.ndarray]], title: str,
                                grid: np.ndarray | None = None, B1: np.ndarray | None = None,
                                max_points: int = 1 << 16, formats: Sequence[str] | None = None) -> Path:
    """Fig. 1's array on the specialization graph (issue 10; ``trade_opt.gomory.graph``).

    Two panels, U_1 = exp(u_1) and U_2 = exp(u_2) of every specialized equilibrium against Y
    (grey; a uniform subsample beyond ``max_points``, rasterized from 1e5 points).  Filled stars: the local maxima of that
    panel's country (no single-good move improves it); hollow triangles: the other country's local
    maxima.  Lines with arrows: improving-move paths, each given as (country, label, Y along the
    path, u of that country along the path).  Dotted: B1 of that country as a function of Y
    (``B1`` of shape (2, len(grid)); country 2's is B1 of the mirrored instance at 1 - Y).

    Parameters
    ----------
    path : pathlib.Path
        Output file; its suffix is replaced by each format's.
    Y : numpy.ndarray
        Country 1's income share of each specialized equilibrium, shape (m,).
    u : numpy.ndarray
        Log-utilities, shape (2, m).
    local : (numpy.ndarray, numpy.ndarray)
        Index arrays into ``Y`` / ``u`` of the local maxima of countries 1 and 2.
    paths : list of (int, str, numpy.ndarray, numpy.ndarray)
        Improving-move paths: (country, label, Y along the path, u of that country along it).
    title : str
        Figure title.
    grid : numpy.ndarray, optional
        Y grid of ``B1``.
    B1 : numpy.ndarray, optional
        B1 of each country on ``grid``, shape (2, len(grid)).
    max_points : int, optional
        Largest number of grey points drawn (uniform subsample beyond).
    formats : sequence of str, optional
        Any of :data:`trade_opt.plotting.FIGURE_FORMATS` (default PNG only).

    Returns
    -------
    pathlib.Path
        The file of the first format written.
    """
    stride = max(1, -(-len(Y) // max_points))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, ax in enumerate(axes):
        uj = u[j]
        scatter(ax, Y[::stride], np.exp(uj[::stride]), ms=3, color="0.65", label="specialized equilibria", zorder=1)
        if grid is not None and B1 is not None:
            ax.plot(grid, np.exp(B1[j]), ":", color="tab:red", lw=1.5, label=f"B1 (country {j + 1})")
        other = local[1 - j]
        ax.plot(Y[other], np.exp(uj[other]), "^", ms=7, mfc="none", color="tab:blue",
                label=f"local maxima of $U_{2 - j}$", zorder=3)
        mine = local[j]
        ax.plot(Y[mine], np.exp(uj[mine]), "*", ms=13, color="tab:red", mec="black",
                label=f"local maxima of $U_{j + 1}$ ({len(mine)})", zorder=4)
        k = 0
        for country, label, Yp, up in paths:
            if country != j + 1:
                continue
            color = colors[(k + 2) % len(colors)]
            k += 1
            Up = np.exp(np.asarray(up))
            ax.plot(Yp, Up, "-", color=color, lw=1.2, alpha=0.9, label=label, zorder=2)
            for a in range(len(Yp) - 1):
                ax.annotate("", xy=(Yp[a + 1], Up[a + 1]), xytext=(Yp[a], Up[a]),
                            arrowprops=dict(arrowstyle="->", color=color, lw=1.2), zorder=2)
        ax.set_xlim(0.0, 1.0)
        ax.set_xlabel("normalized national income $Y$ of country 1")
        ax.set_ylabel(f"utility $U_{j + 1}$")
        _legend_below(ax, ncol=2, fontsize=7)
        ax.grid(alpha=0.25)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, formats)
