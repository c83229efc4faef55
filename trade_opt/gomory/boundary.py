"""Upper boundary of the utility-vs-income array (Gomory 1991, "Two Countries: The Array of Solutions").

At a fixed normalized income Y, country 1's log-utility of a pattern x is linear in x::

    u(x, Y) = C(Y) + sum_i c_i(Y) x_i,
    c_i(Y) = d_i1 ln(q_i2(Y) / q_i1(Y)),                     (value of giving good i to country 2)
    C(Y)   = sum_i d_i1 ln F_i(Y) + sum_i d_i1 ln q_i1(Y),
    V_i(Y) = d_i1 Y + d_i2 (1 - Y)                            (length of good i),

and the trade equation (Eq. 2) reads sum_i V_i(Y) x_i = 1 - Y (capacity).

* B(Y): max u over continuous x in [0, 1]^n with the trade equation as an equality; by the greedy
  rule (vectorized over a grid of Y), or as the LP relaxation of the Pyomo knapsack solved by HiGHS
  in both inequality directions (the smaller optimum; it equals the equality optimum).
* B1(Y): max u over x in {0,1}^n with the trade equation relaxed to an inequality.  The paper takes
  "<=" above the Ricardo level and ">=" below it; both relaxations are valid upper bounds for every
  integer equilibrium at Y, so B1(Y) is the smaller of the two 0-1 knapsack optima (this needs no
  Ricardo level and is never weaker).  Solved by the exact DP and by the Pyomo MIP (HiGHS).

Theorem 3: every equilibrium satisfies u(x, Y(x)) <= B1(Y(x)) <= B(Y(x)).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from trade_opt.gomory.equilibria import evaluate_patterns, log_quantities, nondegenerate
from trade_opt.gomory.instance import GomoryData
from trade_opt.knapsack import (
    KnapsackMIP,
    KnapsackSolution,
    continuous_greedy,
    knapsack_brute_force,
    knapsack_dp,
    knapsack_dp_ge,
)

METHODS = ("greedy", "lp", "dp", "mip")


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
    """c_i(Y), V_i(Y), capacity 1 - Y and constant C(Y) for each Y in (0, 1), vectorized."""
    Y = np.atleast_1d(np.asarray(Y, dtype=float))
    if np.any((Y <= 0) | (Y >= 1)) or not np.all(np.isfinite(Y)):
        raise ValueError("Y must lie in the open interval (0, 1)")
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


def _greedy_trade(kd: KnapsackData) -> tuple[np.ndarray, np.ndarray]:
    """Greedy fill of the trade equation sum_i V_i x_i = 1 - Y; returns (value c.x, x).

    For Y < 1/2 the complement y = 1 - x is filled instead (sum_i V_i y_i = Y, since sum_i V_i = 1):
    the fractional good then comes from Y itself, not from 1 - Y, which loses Y's digits as Y -> 0
    (with a good of length V_f ~ 1e-13 the direct fill misplaced x_f by ~eps/V_f ~ 1e-3)."""
    value, x = continuous_greedy(kd.c, kd.V, kd.capacity)
    low = kd.Y < 0.5
    if np.any(low):
        c, V = kd.c[low], kd.V[low]
        value_y, y = continuous_greedy(-c, V, kd.Y[low])
        value[low], x[low] = c.sum(axis=1) + value_y, 1.0 - y
    return value, x


def boundary_B_greedy(data: GomoryData, Y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """B(Y) by the greedy rule (fill 1 - Y by c_i / V_i), vectorized; returns (B, x)."""
    kd = knapsack_data(data, Y)
    value, x = _greedy_trade(kd)
    return kd.constant + value, x


@dataclass
class BoundaryPoint:
    """Boundary values at one Y: B by greedy and LP, B1 by DP and MIP, with the maximizing x.

    ``B1_*`` is the smaller of the ``<=`` and ``>=`` 0-1 knapsack optima plus C(Y); ``x_B1_*`` is
    the maximizer of that direction; ``eq_Y``/``eq_u1`` are the actual equilibrium (Y(x), u1) of
    ``x_B1_dp`` (an integer solution near the boundary).  NaN where a method was not run."""

    Y: float
    B_greedy: float = np.nan
    B_lp: float = np.nan
    B1_dp: float = np.nan
    B1_mip: float = np.nan
    x_B: list[float] | None = None
    x_B1_dp: list[int] | None = None
    x_B1_mip: list[int] | None = None
    direction_dp: str | None = None
    status_lp: str | None = None
    status_mip: str | None = None
    eq_Y: float = np.nan
    eq_u1: float = np.nan
    seconds: dict[str, float] = field(default_factory=dict)


def _smaller(le: KnapsackSolution, ge: KnapsackSolution) -> tuple[KnapsackSolution, str]:
    return (le, "<=") if le.value <= ge.value else (ge, ">=")


class BoundarySolver:
    """Computes B(Y) and B1(Y) at many Y with the chosen methods.

    Holds one persistent Pyomo model per (relaxation, direction) so that a Y grid re-solves the
    same models with new mutable parameters instead of rebuilding them.  ``solver`` names the
    LP/MIP solver of the ``lp`` and ``mip`` methods (:data:`trade_opt.solvers.SOLVERS`; default
    persistent HiGHS), always run with a zero optimality gap so B1 is exact."""

    def __init__(self, data: GomoryData, methods: tuple[str, ...] = METHODS, solver: str = "highs"):
        unknown = set(methods) - set(METHODS)
        if unknown:
            raise ValueError(f"unknown boundary method(s) {sorted(unknown)}; choose from {METHODS}")
        self.data = data
        self.methods = tuple(methods)
        n = data.n
        self.solver = solver
        self._lp = (KnapsackMIP(n, "<=", integer=False, solver=solver), KnapsackMIP(n, ">=", integer=False, solver=solver)) if "lp" in methods else None
        self._mip = (KnapsackMIP(n, "<=", solver=solver), KnapsackMIP(n, ">=", solver=solver)) if "mip" in methods else None

    def at(self, Y: float) -> BoundaryPoint:
        """All requested boundary values at one Y."""
        kd = knapsack_data(self.data, Y)
        c, V, cap, C = kd.c[0], kd.V[0], float(kd.capacity[0]), float(kd.constant[0])
        point = BoundaryPoint(Y=float(Y))
        if "greedy" in self.methods:
            t = time.perf_counter()
            value, x = _greedy_trade(kd)
            point.B_greedy, point.x_B = C + float(value[0]), x[0].tolist()
            point.seconds["greedy"] = time.perf_counter() - t
        if self._lp is not None:
            le, ge = (model.solve(c, V, cap) for model in self._lp)
            best, _ = _smaller(le, ge)
            point.B_lp = C + best.value
            point.status_lp = f"{le.status}/{ge.status}"
            point.seconds["lp"] = le.seconds + ge.seconds
        if "dp" in self.methods:
            le, ge = knapsack_dp(c, V, cap), knapsack_dp_ge(c, V, cap)
            best, direction = _smaller(le, ge)
            point.B1_dp, point.direction_dp = C + best.value, direction
            point.x_B1_dp = best.x.astype(int).tolist()
            point.seconds["dp"] = le.seconds + ge.seconds
            x = best.x.astype(bool)
            if nondegenerate(self.data, x[None])[0] and 0 < x.sum() < len(x):
                eq = evaluate_patterns(self.data, x[None])
                point.eq_Y, point.eq_u1 = float(eq.Y[0]), float(eq.u1[0])
        if self._mip is not None:
            le, ge = (model.solve(c, V, cap) for model in self._mip)
            best, _ = _smaller(le, ge)
            point.B1_mip = C + best.value
            point.x_B1_mip = best.x.astype(int).tolist()
            point.status_mip = f"{le.status}/{ge.status}"
            point.seconds["mip"] = le.seconds + ge.seconds
        return point


def boundary_B1_dp(data: GomoryData, Y: np.ndarray | float) -> np.ndarray:
    """B1(Y) by the exact DP at each Y (the smaller of the two relaxation directions)."""
    kd = knapsack_data(data, Y)
    out = np.empty(len(kd.Y))
    for k in range(len(kd.Y)):
        le = knapsack_dp(kd.c[k], kd.V[k], kd.capacity[k])
        ge = knapsack_dp_ge(kd.c[k], kd.V[k], kd.capacity[k])
        out[k] = kd.constant[k] + min(le.value, ge.value)
    return out


def boundary_B1_brute_force(data: GomoryData, Y: float) -> float:
    """B1(Y) by enumerating all 2^n patterns in both directions (n <= 20; for tests)."""
    kd = knapsack_data(data, Y)
    c, V, cap = kd.c[0], kd.V[0], float(kd.capacity[0])
    le = knapsack_brute_force(c, V, cap, "<=")
    ge = knapsack_brute_force(c, V, cap, ">=")
    return float(kd.constant[0]) + min(le.value, ge.value)


def default_grid(Y_low: float, Y_high: float, points: int) -> np.ndarray:
    """``points`` equally spaced Y in [Y_low, Y_high], clipped into (1e-9, 1 - 1e-9)."""
    lo, hi = max(Y_low, 1e-9), min(Y_high, 1 - 1e-9)
    return np.linspace(lo, hi, points)
