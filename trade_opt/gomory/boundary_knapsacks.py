"""The boundary problems at one income Y as knapsacks, formulated so that no digit of Y is lost.

At a fixed normalized income Y, country 1's log-utility of a pattern x is C(Y) + c(Y).x and the
trade equation (Eq. 2) is the capacity row V(Y).x = 1 - Y (:func:`knapsack_data`; the derivation is
in :mod:`trade_opt.gomory.boundary`).  :func:`trade_knapsacks` poses its two relaxation directions
("<=", ">=") as 0-1/LP knapsacks (:class:`TradeKnapsack`) for the methods of
:mod:`trade_opt.gomory.boundary`; ``_solve_dp`` solves one by the exact DP.

Accuracy at Y -> 0 and Y -> 1 (:func:`trade_knapsacks`, the one formulation used by the DP, brute
force, LP and MIP).  The trade equation's right-hand side is 1 - Y.  For Y < 1/2 the digits of Y are
lost in 1 - Y (at Y = 1e-15 only ~1 digit survives), so both directions are posed in the complement
y = 1 - x, using sum_i V_i = 1: "V.x <= 1 - Y" is the covering row "V.y >= Y", "V.x >= 1 - Y" is
"V.y <= Y", with value sum_i c_i + (-c).y; Y is then the right-hand side itself, exact.  For
Y >= 1/2, 1 - Y is exact (Sterbenz) and x is kept.  Every method then compares sums of positive
weights with that exact right-hand side with a slack relative to it
(:func:`trade_opt.knapsack.capacity_slack`), and the LP/MIP row is scaled by it
(:class:`trade_opt.knapsack.KnapsackMIP`), so no tolerance is absolute.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.equilibria import log_quantities
from trade_opt.gomory.instance import GomoryData
from trade_opt.knapsack import KnapsackSolution, knapsack_cover_dp, knapsack_dp


@dataclass(frozen=True)
class KnapsackData:
    """Knapsack data of the boundary problems on a grid of Y (row k is Y[k]).

    ``c`` (k, n) values c_i(Y); ``V`` (k, n) lengths V_i(Y); ``capacity`` (k,) = 1 - Y;
    ``constant`` (k,) = C(Y)."""

    Y: np.ndarray
    c: np.ndarray
    V: np.ndarray
    capacity: np.ndarray
    constant: np.ndarray


def knapsack_data(data: GomoryData, Y: np.ndarray | float) -> KnapsackData:
    """Knapsack data c_i(Y), V_i(Y), capacity 1 - Y and constant C(Y) at each Y, vectorized.

    c_i(Y) = d_i1 ln(q_i2(Y) / q_i1(Y)), V_i(Y) = d_i1 Y + d_i2 (1 - Y),
    C(Y) = sum_i d_i1 ln F_i(Y) + sum_i d_i1 ln q_i1(Y) (trade equation Eq. 2 as the capacity row).

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float or numpy.ndarray
        Country 1's share of world income, Y = N_1 in (0, 1) (N_1 + N_2 = 1).

    Returns
    -------
    KnapsackData
        One row per Y.

    Raises
    ------
    ValueError
        If some Y is not finite or not in the open interval (0, 1).
    """
    Y = np.atleast_1d(np.asarray(Y, dtype=float))
    if np.any((Y <= 0) | (Y >= 1)) or not np.all(np.isfinite(Y)):
        raise ArgumentError("Y", "must lie in the open interval (0, 1)")
    d1, d2 = data.d
    Yc = Y[:, None]
    V = d1 * Yc + d2 * (1.0 - Yc)
    log_V = np.log(V)
    log_q1, log_q2 = log_quantities(data, log_V, np.log(Yc), np.log1p(-Yc))
    c = d1 * (log_q2 - log_q1)
    safe_d1 = np.where(d1 > 0, d1, 1.0)
    log_F = np.log(safe_d1) + np.log(Yc) - log_V
    constant = np.where(d1 > 0, d1 * (log_F + log_q1), 0.0).sum(axis=1)
    return KnapsackData(Y, c, V, 1.0 - Y, constant)


@dataclass(frozen=True)
class TradeKnapsack:
    """One relaxation direction of the trade equation at one Y, in the variable z that is exact there.

    The 0-1 (or LP) problem is max ``values``.z s.t. ``weights``.z (``sense``) ``rhs``; the pattern
    is x = 1 - z when ``complemented`` (else x = z) and u = C(Y) + ``offset`` + optimum.
    ``direction`` is the paper's sense of the trade equation in x ("<=": V.x <= 1 - Y)."""

    direction: str
    sense: str
    values: np.ndarray
    weights: np.ndarray
    rhs: float
    complemented: bool
    offset: float

    def to_x(self, z: np.ndarray) -> np.ndarray:
        """Map the formulation's variable z back to the pattern x.

        Parameters
        ----------
        z : numpy.ndarray
            Solution in the formulated variable.

        Returns
        -------
        numpy.ndarray
            x = 1 - z when ``complemented``, else z (the map is its own inverse).
        """
        return 1.0 - z if self.complemented else z


def trade_knapsacks(kd: KnapsackData, k: int = 0) -> tuple[TradeKnapsack, TradeKnapsack]:
    """The "<=" and ">=" relaxations of the trade equation (Eq. 2) at Y = kd.Y[k], formulated exactly.

    For Y < 1/2: z = y = 1 - x, "<=" becomes max (-c).y s.t. V.y >= Y and ">=" becomes
    max (-c).y s.t. V.y <= Y (offset sum_i c_i; uses sum_i V_i = 1), so the right-hand side is Y
    itself and never sum(V) - (1 - Y).  For Y >= 1/2: z = x, right-hand side 1 - Y (exact).

    Parameters
    ----------
    kd : KnapsackData
        Knapsack data on a grid of Y (:func:`knapsack_data`).
    k : int
        Row of ``kd`` to formulate.

    Returns
    -------
    tuple of TradeKnapsack
        The ("<=", ">=") directions.
    """
    Y, c, V = float(kd.Y[k]), kd.c[k], kd.V[k]
    if Y < 0.5:
        offset = math.fsum(c.tolist())
        return (TradeKnapsack("<=", ">=", -c, V, Y, True, offset), TradeKnapsack(">=", "<=", -c, V, Y, True, offset))
    cap = float(kd.capacity[k])
    return (TradeKnapsack("<=", "<=", c, V, cap, False, 0.0), TradeKnapsack(">=", ">=", c, V, cap, False, 0.0))


def _solve_dp(problem: TradeKnapsack, incumbent: np.ndarray | None = None) -> KnapsackSolution:
    """The exact DP of one formulated direction, mapped back to x (value includes ``offset``).

    ``incumbent``: a known pattern x (0/1), a lower bound for the DP's reduced-cost fixing (the
    optimal value does not depend on it)."""
    dp = knapsack_dp if problem.sense == "<=" else knapsack_cover_dp
    z = None if incumbent is None else problem.to_x(np.asarray(incumbent, dtype=float))   # to_x is its own inverse
    sol = dp(problem.values, problem.weights, problem.rhs, z)
    return _to_x(problem, sol)


def _to_x(problem: TradeKnapsack, sol: KnapsackSolution) -> KnapsackSolution:
    return KnapsackSolution(problem.offset + sol.value, problem.to_x(sol.x), sol.method, sol.seconds, sol.states, sol.mip)

