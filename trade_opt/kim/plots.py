"""Figures for the Kim model (matplotlib, Agg backend)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from trade_opt.kim.model import TIERS  # noqa: E402


def plot_shares(table: pd.DataFrame, regions: tuple[str, ...], path: str | Path) -> Path:
    """Regional shares of each tier (A_1, A_2, F, S) against the markup T, one panel per tier."""
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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
