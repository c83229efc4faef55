"""Redraw the figures of a finished Gomory result folder from its tables, without recomputing.

A folder written by :func:`trade_opt.gomory.job.run_job` holds ``summary.json`` (written last: its
presence marks the folder complete), ``equilibria.csv`` (Y, u1, u2 of the specialized equilibria),
``boundary.csv`` (Y, B_greedy, B1_dp) and, when mixed equilibria were solved,
``mixed_equilibria.csv`` (Y, u1).  From these :func:`redraw` draws Fig. 1 and Fig. 2 again
(``trade-opt plot DIR``), in any of ``trade_opt.plotting.FIGURE_FORMATS``.  Fig. 3 (special case)
needs the instance's curves; it is redrawn only when the instance file named in the summary still
exists and is a special case (the curves are closed forms, no equilibrium is recomputed).
A ``.parquet`` table is read in place of its ``.csv`` when present.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from trade_opt.errors import InputError
from trade_opt.outputs import read_table
from trade_opt.plotting import check_formats


def _table(folder: Path, stem: str, columns: list[str], required: bool = True) -> pd.DataFrame | None:
    """The table ``stem`` (.parquet preferred, else .csv) with ``columns``; None if absent and optional."""
    for suffix in (".parquet", ".csv"):
        path = folder / (stem + suffix)
        if path.exists():
            frame = read_table(path)
            missing = sorted(set(columns) - set(frame.columns))
            if missing:
                raise InputError(str(path), missing[0], "column missing: not a Gomory result table")
            return frame[columns]
    if required:
        raise InputError(str(folder), f"{stem}.csv / {stem}.parquet", "missing: not a complete Gomory result folder")
    return None


def redraw(results_dir: str | Path, formats: str | Sequence[str] = ("png",)) -> list[Path]:
    """Redraw fig1, fig2 (and fig3 where possible) of a Gomory result folder from its tables.

    Parameters
    ----------
    results_dir : str or Path
        A folder written by ``trade-opt gomory run`` (must contain ``summary.json``).
    formats : str or sequence of str
        Figure formats (png, pdf, svg).

    Returns
    -------
    list of Path
        The files written (every format of every figure).

    Raises
    ------
    InputError
        If ``formats`` names an unknown format, or the folder is not a complete Gomory result
        folder (``summary.json`` missing, unreadable, of another model or lacking a key; a table or
        one of its columns missing).
    """
    from trade_opt.gomory.plots import figure1, figure2

    folder = Path(results_dir)
    formats = check_formats(formats, source=str(folder), field="formats")
    summary_path = folder / "summary.json"
    if not summary_path.exists():
        raise InputError(str(folder), "summary.json", "missing: the result folder is incomplete or not a result folder")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(str(summary_path), "<file>", f"not valid JSON ({exc.msg})") from None
    if summary.get("model") != "gomory":
        raise InputError(str(summary_path), "model", f"expected 'gomory', got {summary.get('model')!r}")
    for key in ("name", "n", "labor", "autarky", "ricardo_level"):
        if key not in summary:
            raise InputError(str(summary_path), key, "missing: not a Gomory job summary")
    eq = _table(folder, "equilibria", ["Y", "u1", "u2"])
    boundary = _table(folder, "boundary", ["Y", "B_greedy", "B1_dp"])
    mixed = _table(folder, "mixed_equilibria", ["Y", "u1"], required=False)
    L = np.asarray(summary["labor"], dtype=float)
    autarky = np.array([summary["autarky"]["u1"], summary["autarky"]["u2"]])
    title = f"Gomory (1991) {summary['name']}: n = {summary['n']}, L = {L.tolist()}"
    valid = np.isfinite(boundary["B1_dp"].to_numpy())
    ricardo_eq = summary.get("ricardo_solution_equilibrium")
    point1 = None if not ricardo_eq else (ricardo_eq["Y"], ricardo_eq["u1"])
    point2 = None if not ricardo_eq else (ricardo_eq["Y"], ricardo_eq["u1"], ricardo_eq["u2"])
    Y, u1, u2 = (eq[c].to_numpy() for c in ("Y", "u1", "u2"))
    written = []
    figure1(folder / "fig1.png", Y, u1, boundary["Y"].to_numpy()[valid], boundary["B_greedy"].to_numpy()[valid],
            boundary["B1_dp"].to_numpy()[valid], float(summary["ricardo_level"]), float(autarky[0]), L, title,
            mixed_Y=None if mixed is None else mixed["Y"].to_numpy(), mixed_u1=None if mixed is None else mixed["u1"].to_numpy(),
            formats=formats, ricardo_point=point1)
    figure2(folder / "fig2.png", Y, u1, u2, autarky, point2, title, formats=formats)
    written += [folder / f"fig{k}.{f}" for k in (1, 2) for f in formats]
    written += _redraw_figure3(folder, summary, Y, u1, u2, title, formats)
    return written


def _redraw_figure3(folder: Path, summary: dict, Y: np.ndarray, u1: np.ndarray, u2: np.ndarray, title: str,
                    formats: tuple[str, ...]) -> list[Path]:
    """Fig. 3 from the closed-form special-case curves, when the summary's instance file is readable."""
    source = summary.get("source_file")
    if not summary.get("special_case") or not source or not Path(source).exists():
        return []
    from trade_opt.gomory.plots import figure3
    from trade_opt.gomory.special_case import special_curves
    from trade_opt.instances import load_instance

    data = load_instance(Path(source), model="gomory").data()
    grid = np.linspace(0.002, 0.998, 499)
    sc = special_curves(data, grid)
    sc2 = special_curves(data.mirrored(), 1.0 - grid)
    figure3(folder / "fig3.png", grid, sc.eq4, sc2.eq4, title + " (special case, Eq. 4)", Y, u1, u2, sc.B1, formats=formats)
    return [folder / f"fig3.{f}" for f in formats]
