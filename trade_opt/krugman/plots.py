"""Figures of the Krugman model (matplotlib, Agg backend): comparative statics and the SS/DD diagram.

* :func:`sweep_figures`: real wages, per-capita consumption, varieties, utilities along a sweep;
* :func:`ss_dd_figure`: the SS and DD curves in the (c, p/omega) plane (the paper's Figs. 2-3;
  Eqs. 9-10 closed, Eqs. 15-16 North-South) at several parameter values, equilibria marked.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from trade_opt.krugman import closed as cl  # noqa: E402
from trade_opt.krugman import outsourcing as ns  # noqa: E402
from trade_opt.krugman.instance import KrugmanData  # noqa: E402
from trade_opt.plotting import save_figure  # noqa: E402

#: y-axis label of each panel of :data:`_PANELS`.
_Y_LABELS = {
    "real_wages.png": "real wage (wage / price of a variety)",
    "consumption.png": "consumption per variety per capita",
    "varieties.png": "number of varieties $n$",
    "utilities.png": r"utility per capita $n c^\theta$",
}

_PANELS = {
    "real_wages.png": ("Real wages", [("real_wage_N", "North omega/p"), ("real_wage_S", "South 1/p"),
                                      ("closed_real_wage_N", "closed economy omega/p")]),
    "consumption.png": ("Per-capita consumption of each variety", [("c", "North c"), ("c_star", "South c*"),
                                                                    ("closed_c", "closed economy c")]),
    "varieties.png": ("Number of varieties n", [("n", "n"), ("closed_n", "closed economy n")]),
    "utilities.png": ("Per-capita utility n c^theta", [("U_N", "North U_N"), ("U_S", "South U_S"),
                                                       ("closed_U_N", "closed economy U")]),
}


def sweep_figures(table: pd.DataFrame, param: str, out_dir: Path, economy: str,
                  formats: tuple[str, ...] | None = None) -> list[str]:
    """Comparative-statics figures along a sweep: real wages, consumption, varieties, utilities.

    One figure per panel of ``_PANELS`` (consumption and utilities on a log scale); series absent
    in the table (or all NaN) are skipped, and so are the ``closed_*`` reference series in a closed
    economy.

    Parameters
    ----------
    table : pandas.DataFrame
        The sweep's rows (``sweep.csv``): the swept parameter and the equilibrium columns
        (``real_wage_N``, ``c``, ``n``, ``U_N``, ...; ``closed_*`` for the closed-economy reference).
    param : str
        The swept column, on the x axis (``z``, ``A``, ``L``, ``L_star`` or ``theta``).
    out_dir : pathlib.Path
        Folder of the figures.
    economy : {"closed", "north_south"}
        The economy, named in the titles.
    formats : tuple of str, optional
        Image formats (:func:`trade_opt.plotting.save_figure`).

    Returns
    -------
    list of str
        The PNG-style names of the panels written (``real_wages.png``, ``consumption.png``,
        ``varieties.png``, ``utilities.png``), whatever ``formats``.
    """
    written = []
    for name, (title, series) in _PANELS.items():
        fig, ax = plt.subplots(figsize=(6, 4))
        for col, label in series:
            if economy == "closed" and col.startswith("closed_"):
                continue
            if col in table and table[col].notna().any():
                ax.plot(table[param], table[col], marker=".", label=label)
        ax.set_xlabel(param)
        ax.set_ylabel(_Y_LABELS[name])
        ax.set_title(f"{title} ({economy.replace('_', '-')})")
        if name in ("consumption.png", "utilities.png"):
            ax.set_yscale("log")
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        save_figure(fig, Path(out_dir) / name, formats)
        written.append(name)
    return written


def _curves(data: KrugmanData):
    if data.economy == "closed":
        eq = cl.closed_form(data)
        return eq.c, eq.p, cl.ss_curve, cl.dd_curve
    eq = ns.closed_form(data)
    return eq.c, eq.p / eq.omega, ns.ss_curve, ns.dd_curve


def ss_dd_figure(cases: list[tuple[str, KrugmanData]], path: Path, formats: tuple[str, ...] | None = None) -> str:
    """The SS (horizontal) and DD (falling) curves of each case in the (c, p/omega) plane (Figs. 2-3).

    Closed economy: SS Eq. 9, DD Eq. 10; North-South: SS Eq. 15, DD Eq. 16.  Each case's
    closed-form equilibrium (Eqs. 11-12 / 17-18) is marked by a dot.

    Parameters
    ----------
    cases : list of (str, KrugmanData)
        Legend label and economy of each case (e.g. two values of z).
    path : pathlib.Path
        Output file; its suffix is replaced per format.
    formats : tuple of str, optional
        Image formats (:func:`trade_opt.plotting.save_figure`).

    Returns
    -------
    str
        The file name of ``path`` (without its folder).
    """
    fig, ax = plt.subplots(figsize=(6, 4.5))
    c_all = [_curves(d)[0] for _, d in cases]
    c = np.linspace(0.3 * min(c_all), 2.5 * max(c_all), 400)
    for k, (label, data) in enumerate(cases):
        c_eq, p_eq, ss, dd = _curves(data)
        color = f"C{k}"
        ax.plot(c, ss(data, c), color=color, linestyle="-", label=f"SS, {label}")
        ax.plot(c, dd(data, c), color=color, linestyle="--", label=f"DD, {label}")
        ax.plot([c_eq], [p_eq], "o", color=color)
    ax.set_xlabel("$c$ (Northern consumption per variety)")
    ax.set_ylabel(r"$p / \omega$")
    top = max(_curves(d)[1] for _, d in cases)
    ax.set_ylim(0, 2.5 * top)
    ax.set_title("SS and DD (Figs. 2-3)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path, formats)
    return Path(path).name
