"""Improving-move paths on Gomory (1991)'s specialization hypercube.

From a start pattern, steepest ascent (move to the best neighbour) or first improvement (the
lowest-numbered good whose move improves); each step raises u_j by more than ``tol``, so every path
is finite and ends at a local maximum (``models/gomory.md``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from trade_opt.gomory.equilibria import evaluate_patterns, pattern_bits, pattern_strings
from trade_opt.gomory.graph.stream import kernel_neighbour_utilities, valid_codes
from trade_opt.gomory.graph.table import TIE_TOL, UtilityTable, check_country, neighbour_codes
from trade_opt.gomory.instance import GomoryData
from trade_opt.errors import ArgumentError

Rule = Literal["steepest", "first"]


@dataclass(frozen=True)
class ImprovingPath:
    """An improving-move path for one country: codes[0] = start, codes[-1] a local maximum.

    ``u`` (len, 2) has (u_1, u_2) along the path, ``Y`` country 1's income share, ``goods`` the good
    (1-based) moved at each step (len - 1 entries)."""

    country: int
    rule: str
    codes: np.ndarray
    u: np.ndarray
    Y: np.ndarray
    goods: np.ndarray


def improving_path(data: GomoryData, start: int, country: int, rule: Rule = "steepest",
                   table: UtilityTable | None = None, tol: float = TIE_TOL, max_steps: int | None = None) -> ImprovingPath:
    """Improving single-good moves from ``start`` until no move raises u_country by more than ``tol``.

    ``rule = "steepest"``: move to the neighbour with the largest u_country; ``"first"``: move the
    lowest-numbered good whose move improves.  Neighbour utilities come from ``table`` when given,
    else from the kernel (:func:`kernel_neighbour_utilities`; any n).  Each step raises u_country by
    more than ``tol``, so the path visits distinct patterns and ends at a local maximum.

    Parameters
    ----------
    data : GomoryData
        The instance.
    start : int
        Code of a specialized equilibrium.
    country : 1 or 2.
    rule : str, optional
        ``"steepest"`` or ``"first"``.
    table : UtilityTable, optional
        The dense utility table, or None (kernel neighbours, any n).
    tol : float, optional
        Improvement threshold (log-utility units).
    max_steps : int, optional
        Step limit (None: 2^n).

    Returns
    -------
    ImprovingPath
    """
    j = check_country(country)
    if rule not in ("steepest", "first"):
        raise ArgumentError("rule", f"must be 'steepest' or 'first', got {rule!r}")
    n = data.n
    start = int(start)
    x0 = pattern_bits(np.array([start]), n)
    if not valid_codes(data, x0, np.array([start], np.int64))[0]:
        raise ArgumentError("start", f"code {start} is not a specialized equilibrium")

    def utilities(code: int) -> np.ndarray:
        if table is not None:
            return table.u[:, code]
        b = evaluate_patterns(data, pattern_bits(np.array([code]), n), np.array([code], np.int64))
        return np.array([b.u1[0], b.u2[0]])

    def neighbours(code: int) -> np.ndarray:
        if table is not None:
            return table.u[:, neighbour_codes(np.array([code]), n)[0]].T     # (n, 2)
        return kernel_neighbour_utilities(data, np.array([code]))[0]

    codes, us, goods = [start], [utilities(start)], []
    limit = (1 << n) if max_steps is None else max_steps
    while len(goods) < limit:
        nbu = neighbours(codes[-1])
        gain = nbu[:, j] - us[-1][j]
        gain = np.where(np.isnan(gain), -np.inf, gain)
        improving = np.flatnonzero(gain > tol)
        if improving.size == 0:
            break
        i = int(improving[np.argmax(gain[improving])]) if rule == "steepest" else int(improving[0])
        codes.append(codes[-1] ^ (1 << i))
        us.append(nbu[i])
        goods.append(i + 1)
    codes_a = np.array(codes, dtype=np.int64)
    Y = evaluate_patterns(data, pattern_bits(codes_a, n), codes_a).Y if table is None else table.Y[codes_a]
    return ImprovingPath(country, rule, codes_a, np.array(us), np.asarray(Y), np.array(goods, dtype=np.int64))



def paths_frame(paths: list[ImprovingPath], n: int):
    """One row per visited pattern: path id, country, rule, step, pattern (0/1, good 1 first, as in
    ``equilibria.csv``), good moved (1-based: the pattern's character that changed), Y, u1, u2.

    Parameters
    ----------
    paths : list of ImprovingPath
        Improving-move paths (:func:`improving_path`).
    n : int
        Number of goods (length of the pattern strings).

    Returns
    -------
    pandas.DataFrame
        Columns ``path`` (index in ``paths``), ``country`` (1 or 2, whose utility improves),
        ``rule``, ``step`` (0 = start), ``pattern``, ``good_moved`` (None at step 0), ``Y``
        (country 1's income share), ``u1``, ``u2`` (log-utilities); the rows of ``paths.csv``.
    """
    import pandas as pd

    rows = []
    for pid, p in enumerate(paths):
        strings = pattern_strings(pattern_bits(p.codes, n))
        for step in range(len(p.codes)):
            rows.append({"path": pid, "country": p.country, "rule": p.rule, "step": step,
                         "pattern": strings[step], "good_moved": int(p.goods[step - 1]) if step else None,
                         "Y": float(p.Y[step]), "u1": float(p.u[step, 0]), "u2": float(p.u[step, 1])})
    return pd.DataFrame(rows)
