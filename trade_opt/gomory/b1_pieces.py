"""Gomory's 0-1 boundary B1(Y) as exact pieces: (Y interval, optimal pattern x) instead of a grid.

:class:`~trade_opt.gomory.b1_trace.B1Trace` traces each relaxation direction of the trade equation
(Eq. 2) separately: "<=" (patterns with Y <= Y(x)) and ">=" (Y >= Y(x)), each a list of pieces on
which one x is optimal.  B1(Y) = C(Y) + min(OPT_<=(Y), OPT_>=(Y)) (models/gomory.md, "B1: why the
smaller of both directions"), so the boundary itself changes its x where either direction does or
where the two directions' optimal values cross.  With one exponent per good each value c(Y).x is a
line in t = logit(Y), so on an interval where both directions keep their x their difference is a line
too and the crossing is found exactly, by linear interpolation in t of the difference at the ends.

:func:`b1_pieces` returns these pieces as columns (one row per piece; JSON keys = CSV columns):

``piece``, ``Y_from``, ``Y_to``, ``x`` (0/1 string, good 1 first, as ``equilibria.csv``),
``direction`` (the relaxation whose optimum B1 takes there), ``B1_from``, ``B1_to`` (C(Y) + c(Y).x
of the piece's own x at its ends: B1 jumps where a direction's optimum leaves its feasible set, so
a piece's end value can differ from the next piece's start value).
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit   # 1 / (1 + e^-t), without overflow

from trade_opt.gomory.b1_trace import B1Trace
from trade_opt.gomory.boundary import knapsack_data
from trade_opt.gomory.pattern_coding import pattern_strings

#: The columns of :func:`b1_pieces`, in order.
PIECE_COLUMNS = ("piece", "Y_from", "Y_to", "x", "direction", "B1_from", "B1_to")


def b1_pieces(trace: B1Trace) -> dict[str, np.ndarray]:
    """B1(Y) on the traced range as pieces of constant optimal x (the envelope of both directions).

    Parameters
    ----------
    trace : B1Trace
        An exact trace of both directions over [Y_low, Y_high] (one exponent per good).

    Returns
    -------
    dict of str to numpy.ndarray
        The columns :data:`PIECE_COLUMNS`, one row per piece, ascending in Y; the pieces tile
        [trace.Y_low, trace.Y_high].  ``x`` is the 0/1 pattern string (good 1 first), ``direction``
        "<=" or ">=", ``B1_from``/``B1_to`` the piece's value C(Y) + c(Y).x at its ends (log-utility
        of country 1, as :func:`~trade_opt.gomory.boundary.boundary_B1_dp`).
    """
    low, high = trace.directions
    edges = np.union1d(low.edges, high.edges)                     # both share the two ends
    mid = 0.5 * (edges[:-1] + edges[1:])
    x_low = low.X[np.clip(np.searchsorted(low.edges, mid, side="right") - 1, 0, len(low.X) - 1)]
    x_high = high.X[np.clip(np.searchsorted(high.edges, mid, side="right") - 1, 0, len(high.X) - 1)]
    # c(Y).x is a line in t for every x: so is the gap between the two directions on each interval
    c_from = knapsack_data(trace.data, expit(edges[:-1])).c
    c_to = knapsack_data(trace.data, expit(edges[1:])).c
    gap_from = np.einsum("ij,ij->i", c_from, x_low - x_high)       # OPT_<= - OPT_>= at the left end
    gap_to = np.einsum("ij,ij->i", c_to, x_low - x_high)
    t_from, t_to, X, direction = [], [], [], []
    for i in range(len(mid)):
        a, b = float(edges[i]), float(edges[i + 1])
        ga, gb = float(gap_from[i]), float(gap_to[i])
        if np.array_equal(x_low[i], x_high[i]):
            parts = [(a, b, True)]                                # ties go to "<=", as B1Trace.evaluate
        elif (ga <= 0) == (gb <= 0):
            parts = [(a, b, ga <= 0)]
        else:                                                     # the two values cross inside (a, b)
            cross = a + (b - a) * ga / (ga - gb)
            parts = [(a, cross, ga <= 0), (cross, b, gb <= 0)]
        for ta, tb, take_low in parts:
            if tb <= ta:
                continue
            x = x_low[i] if take_low else x_high[i]
            label = "<=" if take_low else ">="
            if X and direction[-1] == label and np.array_equal(X[-1], x):
                t_to[-1] = tb                                     # same x, same direction: one piece
                continue
            t_from.append(ta)
            t_to.append(tb)
            X.append(x)
            direction.append(label)
    X_arr = np.array(X, dtype=float).reshape(len(X), trace.data.n)
    Y_from, Y_to = expit(np.array(t_from)), expit(np.array(t_to))
    Y_from[0], Y_to[-1] = trace.Y_low, trace.Y_high               # the traced ends exactly, not expit(logit(Y))
    at_from, at_to = knapsack_data(trace.data, Y_from), knapsack_data(trace.data, Y_to)
    return {
        "piece": np.arange(1, len(X) + 1),
        "Y_from": Y_from,
        "Y_to": Y_to,
        "x": pattern_strings(X_arr),
        "direction": np.array(direction),
        "B1_from": at_from.constant + np.einsum("ij,ij->i", at_from.c, X_arr),
        "B1_to": at_to.constant + np.einsum("ij,ij->i", at_to.c, X_arr),
    }


def b1_from_pieces(pieces: dict[str, np.ndarray], data, Y: np.ndarray) -> np.ndarray:
    """B1 at each Y by lookup in the pieces of :func:`b1_pieces` (C(Y) + c(Y).x of the piece holding Y).

    Parameters
    ----------
    pieces : dict of str to numpy.ndarray
        The output of :func:`b1_pieces`.
    data : GomoryData
        The instance the pieces were traced for.
    Y : numpy.ndarray
        Incomes N_1 in [Y_from of the first piece, Y_to of the last].

    Returns
    -------
    numpy.ndarray
        B1(Y), shape (m,).
    """
    Y = np.atleast_1d(np.asarray(Y, dtype=float))
    idx = np.clip(np.searchsorted(pieces["Y_from"], Y, side="right") - 1, 0, len(pieces["Y_from"]) - 1)
    X = np.array([[ch == "1" for ch in s] for s in pieces["x"]], dtype=float)[idx]
    kd = knapsack_data(data, Y)
    return kd.constant + np.einsum("ij,ij->i", kd.c, X)


def piece_rows(pieces: dict[str, np.ndarray]) -> list[dict]:
    """The pieces as JSON rows (keys = :data:`PIECE_COLUMNS` = the CSV columns).

    Parameters
    ----------
    pieces : dict of str to numpy.ndarray
        The output of :func:`b1_pieces`.

    Returns
    -------
    list of dict
        One dict per piece; numbers as Python floats and ints.
    """
    rows = []
    for i in range(len(pieces["piece"])):
        row = {}
        for name in PIECE_COLUMNS:
            value = pieces[name][i]
            row[name] = value.item() if hasattr(value, "item") else value
        rows.append(row)
    return rows
