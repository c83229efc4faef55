"""Ricardo level and Ricardo solution (Gomory 1991, "Two Countries: The Array of Solutions").

At income Y, good i is made more efficiently by country 2 iff c_i(Y) > 0 (q_i2(Y) > q_i1(Y)).
Assigning every good to its more efficient producer fills the trade equation only at the Ricardo
level Y_R, the root of

    g(Y) = sum_{i: c_i(Y) > 0} V_i(Y) - (1 - Y),

which runs from -1 (Y -> 0: country 1 is cheapest for everything) to +1 (Y -> 1).  g is piecewise
smooth with jumps where some c_i changes sign; Y_R is found by bisection on the sign of g.

A Ricardo solution is a pattern x with x_i = 1 iff c_i(Y(x)) > 0, Y(x) from the trade equation.
It exists iff g does not jump over zero at Y_R; the candidates are the efficient patterns just
below and just above Y_R, and each is checked for the fixed-point property.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.gomory.boundary import knapsack_data
from trade_opt.gomory.equilibria import evaluate_patterns, nondegenerate
from trade_opt.gomory.instance import GomoryData
from trade_opt.errors import SolveError


def efficient_pattern(data: GomoryData, Y: float) -> np.ndarray:
    """x_i = 1 iff country 2 is the more efficient producer of good i at income Y (c_i(Y) > 0).

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float
        Country 1's share of world income, in (0, 1).

    Returns
    -------
    numpy.ndarray
        Shape (n,), bool: True where country 2 makes good i (x_i = 1).
    """
    return knapsack_data(data, Y).c[0] > 0


def ricardo_gap(data: GomoryData, Y: float) -> float:
    """g(Y) = sum of V_i(Y) over goods with c_i(Y) > 0, minus (1 - Y).

    The Ricardo level is the sign change of g (models/gomory.md, "Ricardo level").

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float
        Country 1's share of world income, in (0, 1).

    Returns
    -------
    float
        g(Y), in [-1, 1]: excess of the efficient assignment's demand on country 2 over what
        the trade equation (Eq. 2) allows at Y.
    """
    kd = knapsack_data(data, Y)
    return float(kd.V[0][kd.c[0] > 0].sum() - kd.capacity[0])


@dataclass(frozen=True)
class RicardoResult:
    """Ricardo level Y_R, the one-sided limits of g there, and the Ricardo solution (or None).

    Attributes
    ----------
    ricardo_level : float
        Y_R, country 1's income share where g changes sign.
    wage_ratio : float
        w1/w2 at Y_R: Y_R L_2 / ((1 - Y_R) L_1).
    gap_below, gap_above : float
        g just below and just above Y_R (the bisection's final bracket); a jump over zero means
        there is no Ricardo solution.
    ricardo_solution : list of int or None
        The Ricardo pattern x (0/1, good 1 first) if one exists.
    solution_Y, solution_u1, solution_u2 : float or None
        Its income share Y(x) and log-utilities u1, u2 (None without a solution).
    """

    ricardo_level: float
    wage_ratio: float
    gap_below: float
    gap_above: float
    ricardo_solution: list[int] | None
    solution_Y: float | None
    solution_u1: float | None
    solution_u2: float | None


def ricardo(data: GomoryData, tol: float = 1e-15) -> RicardoResult:
    """Ricardo level by bisection on sign(g) and the Ricardo solution if one exists.

    Parameters
    ----------
    data : GomoryData
        The instance.
    tol : float
        Relative width of the final bisection bracket on Y (stops earlier at two ulps).

    Returns
    -------
    RicardoResult
        Y_R, w1/w2 there, g on both sides, and the Ricardo solution: the efficient pattern just
        below or just above Y_R that is a non-degenerate fixed point x_i = 1 iff c_i(Y(x)) > 0.

    Raises
    ------
    trade_opt.errors.SolveError
        g does not change sign on [1e-12, 1 - 1e-12] (scales too extreme for double precision).
    """
    lo, hi = 1e-12, 1 - 1e-12
    g_lo, g_hi = ricardo_gap(data, lo), ricardo_gap(data, hi)
    if g_lo >= 0 or g_hi <= 0:  # g runs from -1 to +1 in exact arithmetic; rounding at extreme data can break it
        raise SolveError(
            f"Ricardo level: g(Y) does not change sign on [1e-12, 1 - 1e-12] "
            f"(g = {g_lo:.3g} and {g_hi:.3g}); the instance's scales are too extreme for double precision"
        )
    while hi - lo > tol * max(1.0, hi):
        mid = 0.5 * (lo + hi)
        if ricardo_gap(data, mid) < 0:
            lo = mid
        else:
            hi = mid
        if mid in (lo, hi) and hi - lo <= np.spacing(hi) * 2:
            break
    Y_R = 0.5 * (lo + hi)
    solution = None
    for candidate in (efficient_pattern(data, lo), efficient_pattern(data, hi)):
        if not (0 < candidate.sum() < data.n) or not nondegenerate(data, candidate[None])[0]:
            continue
        eq = evaluate_patterns(data, candidate[None])
        if np.array_equal(efficient_pattern(data, float(eq.Y[0])), candidate):
            solution = (candidate, eq)
            break
    wage_ratio = Y_R * data.L[1] / ((1 - Y_R) * data.L[0])
    if solution is None:
        return RicardoResult(Y_R, wage_ratio, ricardo_gap(data, lo), ricardo_gap(data, hi), None, None, None, None)
    x, eq = solution
    return RicardoResult(
        Y_R, wage_ratio, ricardo_gap(data, lo), ricardo_gap(data, hi), x.astype(int).tolist(),
        float(eq.Y[0]), float(eq.u1[0]), float(eq.u2[0]),
    )
