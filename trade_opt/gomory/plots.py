"""Figures 1 and 2 of Gomory (1991), redrawn from computed equilibria and boundary curves."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _wage_axis(ax, L: np.ndarray) -> None:
    """Top axis with the wage ratio w1/w2 = Y L2 / ((1 - Y) L1) (a monotone map of Y)."""
    def to_ratio(Y):
        Y = np.clip(np.asarray(Y, dtype=float), 1e-9, 1 - 1e-9)
        return Y * L[1] / ((1 - Y) * L[0])

    def to_Y(r):
        r = np.maximum(np.asarray(r, dtype=float), 0.0)
        return r * L[0] / (L[1] + r * L[0])

    lo, hi = ax.get_xlim()
    top = ax.secondary_xaxis("top", functions=(to_ratio, to_Y))
    ticks = [r for r in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if lo < to_Y(r) < hi]
    top.set_xticks(ticks)
    top.set_xticklabels([f"{r:g}" for r in ticks])
    top.set_xlabel("wage ratio $w_1/w_2$")


def figure1(path: Path, Y: np.ndarray, u1: np.ndarray, grid: np.ndarray, B: np.ndarray, B1: np.ndarray,
            ricardo_level: float, autarky_u1: float, L: np.ndarray, title: str,
            mixed_Y: np.ndarray | None = None, mixed_u1: np.ndarray | None = None) -> Path:
    """Fig. 1: country 1's utility U1 = exp(u1) of each equilibrium vs Y, boundary curves dotted,
    Ricardo level as a vertical bar, autarky as a horizontal bar on the right."""
    fig, ax = plt.subplots(figsize=(7.5, 5))
    ax.plot(Y, np.exp(u1), "o", ms=4, color="black", label="specialized equilibria")
    if mixed_Y is not None and len(mixed_Y):
        ax.plot(mixed_Y, np.exp(mixed_u1), ".", ms=1.5, color="0.4", label="mixed equilibria")
    ax.plot(grid, np.exp(B), ":", color="tab:blue", lw=1.5, label="B(Y) continuous knapsack")
    ax.plot(grid, np.exp(B1), ":", color="tab:red", lw=1.5, label="B1(Y) 0-1 knapsack")
    ax.axvline(ricardo_level, color="tab:green", lw=3, alpha=0.6, label=f"Ricardo level {ricardo_level:.3f}")
    ax.set_xlim(0.0, 1.0)
    ax.hlines(np.exp(autarky_u1), 0.95, 1.0, color="tab:orange", lw=3, label="autarky (right)")
    ax.set_xlabel("normalized national income $Y$ of country 1")
    ax.set_ylabel("utility $U_1$ (Cobb-Douglas)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower center")
    _wage_axis(ax, L)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def figure2(path: Path, Y: np.ndarray, u1: np.ndarray, u2: np.ndarray, autarky: np.ndarray,
            ricardo_points: tuple[float, float, float] | None, title: str) -> Path:
    """Fig. 2: U1 and U2 of each equilibrium vs Y, each normalized to its maximum 1; autarky levels;
    Ricardo points as black squares when a Ricardo solution exists."""
    m1, m2 = u1.max(), u2.max()
    fig, ax1 = plt.subplots(figsize=(7.5, 5))
    ax2 = ax1.twinx()
    ax1.plot(Y, np.exp(u2 - m2), "o", ms=3, color="tab:blue", label="country 2 ($U_2$, left)")
    ax2.plot(Y, np.exp(u1 - m1), "o", ms=3, color="tab:red", label="country 1 ($U_1$, right)")
    ax1.axhline(np.exp(autarky[1] - m2), color="tab:blue", ls="--", lw=1, label="autarky 2")
    ax2.axhline(np.exp(autarky[0] - m1), color="tab:red", ls="--", lw=1, label="autarky 1")
    if ricardo_points is not None:
        Y_R, r1, r2 = ricardo_points
        ax1.plot([Y_R], [np.exp(r2 - m2)], "s", color="black", ms=8, label="Ricardo point")
        ax2.plot([Y_R], [np.exp(r1 - m1)], "s", color="black", ms=8)
    ax1.set_xlim(0.0, 1.0)
    ax1.set_xlabel("$Y$ (country 2's income is $1 - Y$)")
    ax1.set_ylabel("$U_2 / \\max U_2$")
    ax2.set_ylabel("$U_1 / \\max U_1$")
    ax1.set_ylim(0, 1.05)
    ax2.set_ylim(0, 1.05)
    handles = ax1.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax1.legend(handles=handles, fontsize=7, loc="lower center")
    ax1.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def figure3(path: Path, grid: np.ndarray, curve1: np.ndarray, curve2: np.ndarray, title: str,
            Y: np.ndarray | None = None, u1: np.ndarray | None = None, u2: np.ndarray | None = None,
            B1: np.ndarray | None = None) -> Path:
    """Fig. 3 (special case, Eq. 4): U_1(Y) (solid) and U_2(Y) (dashed), each normalized to its
    maximum 1 on the grid; optional integer equilibria (dots) and B1 of country 1 (dotted)."""
    m1, m2 = np.max(curve1), np.max(curve2)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    ax.plot(grid, np.exp(curve1 - m1), "-", color="black", lw=1.6, label="country 1, Eq. 4 ($B(Y)$)")
    ax.plot(grid, np.exp(curve2 - m2), "--", color="black", lw=1.6, label="country 2 (mirror)")
    if B1 is not None:
        ax.plot(grid, np.exp(B1 - m1), ":", color="tab:red", lw=1.2, label="country 1, $B_1(Y)$ once for all $Y$")
    if Y is not None and u1 is not None:
        ax.plot(Y, np.exp(u1 - m1), "o", ms=3, color="tab:red", label="specialized equilibria, $U_1$")
    if Y is not None and u2 is not None:
        ax.plot(Y, np.exp(u2 - m2), "s", ms=3, color="tab:blue", mfc="none", label="specialized equilibria, $U_2$")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("$Y$ (country 2's income is $1 - Y$)")
    ax.set_ylabel("$U_j / \\max U_j$")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower center")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path


def figure_specialization_graph(path: Path, Y: np.ndarray, u: np.ndarray, local: tuple[np.ndarray, np.ndarray],
                                paths: list[tuple[int, str, np.ndarray, np.ndarray]], title: str,
                                grid: np.ndarray | None = None, B1: np.ndarray | None = None,
                                max_points: int = 1 << 16) -> Path:
    """Fig. 1's array on the specialization graph (issue 10; ``trade_opt.gomory.graph``).

    Two panels, U_1 = exp(u_1) and U_2 = exp(u_2) of every specialized equilibrium against Y
    (grey; a uniform subsample beyond ``max_points``).  Filled stars: the local maxima of that
    panel's country (no single-good move improves it); hollow triangles: the other country's local
    maxima.  Lines with arrows: improving-move paths, each given as (country, label, Y along the
    path, u of that country along the path).  Dotted: B1 of that country as a function of Y
    (``B1`` of shape (2, len(grid)); country 2's is B1 of the mirrored instance at 1 - Y).

    ``u`` has shape (2, m); ``local`` holds index arrays into Y / u for countries 1 and 2.
    """
    stride = max(1, -(-len(Y) // max_points))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, ax in enumerate(axes):
        uj = u[j]
        ax.plot(Y[::stride], np.exp(uj[::stride]), "o", ms=3, color="0.65", label="specialized equilibria", zorder=1)
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
        ax.legend(fontsize=6.5, loc="best")
        ax.grid(alpha=0.25)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
    return path
