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
