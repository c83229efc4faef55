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

The knapsack data c(Y), V(Y), C(Y) and the exact formulation of both directions at Y -> 0 and
Y -> 1 (:func:`trade_knapsacks`, the one formulation used by the DP, brute force, LP and MIP) are in
:mod:`trade_opt.gomory.boundary_knapsacks`; their names are importable from here too (their former home).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.boundary_knapsacks import (  # noqa: F401  (re-exported)
    KnapsackData,
    TradeKnapsack,
    _solve_dp,
    _to_x,
    knapsack_data,
    trade_knapsacks,
)
from trade_opt.gomory.equilibria import evaluate_patterns, nondegenerate
from trade_opt.gomory.instance import GomoryData
from trade_opt.knapsack import (
    KnapsackMIP,
    KnapsackSolution,
    continuous_greedy,
    knapsack_brute_force,
)

METHODS = ("greedy", "lp", "dp", "mip")


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
    """B(Y) by the greedy rule (fill 1 - Y by c_i / V_i), vectorized.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float or numpy.ndarray
        Country 1's share of world income, Y = N_1 in (0, 1) (N_1 + N_2 = 1).

    Returns
    -------
    B : numpy.ndarray
        B(Y) (log-utility of country 1), shape (k,).
    x : numpy.ndarray
        The continuous maximizers, shape (k, n).

    Raises
    ------
    ValueError
        If some Y is not in (0, 1) (:func:`knapsack_data`).
    """
    kd = knapsack_data(data, Y)
    value, x = _greedy_trade(kd)
    return kd.constant + value, x


@dataclass
class BoundaryPoint:
    """Boundary values at one Y: B by greedy and LP, B1 by DP and MIP, with the maximizing x.

    ``B1_*`` is the smaller of the ``<=`` and ``>=`` 0-1 knapsack optima plus C(Y); ``x_B1_*`` is
    the maximizer of that direction; ``eq_Y``/``eq_u1`` are the actual equilibrium (Y(x), u1) of
    ``x_B1_dp`` (an integer solution near the boundary).  ``status_lp``/``status_mip`` are the
    solver statuses of the ``<=``/``>=`` directions, with a note such as ``optimal (coefficients
    dropped)`` when HiGHS would not keep the rhs-scaled row as given.  NaN where a method was not run."""

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
    persistent HiGHS), always run with a zero optimality gap so B1 is exact.

    Parameters
    ----------
    data : GomoryData
        The instance.
    methods : tuple of str
        Subset of :data:`METHODS` (``greedy``, ``lp``, ``dp``, ``mip``); the LP and MIP models
        are built only when their method is listed.
    solver : str
        LP/MIP solver name for the ``lp`` and ``mip`` methods.

    Raises
    ------
    ValueError
        An unknown method.
    """

    def __init__(self, data: GomoryData, methods: tuple[str, ...] = METHODS, solver: str = "highs"):
        unknown = set(methods) - set(METHODS)
        if unknown:
            raise ArgumentError("methods", f"unknown boundary method(s) {sorted(unknown)}; choose from {METHODS}")
        self.data = data
        self.methods = tuple(methods)
        n = data.n
        self.solver = solver
        self._lp = (KnapsackMIP(n, "<=", integer=False, solver=solver), KnapsackMIP(n, ">=", integer=False, solver=solver)) if "lp" in methods else None
        self._mip = (KnapsackMIP(n, "<=", solver=solver), KnapsackMIP(n, ">=", solver=solver)) if "mip" in methods else None

    @staticmethod
    def _solve_model(models: tuple[KnapsackMIP, KnapsackMIP], problem: TradeKnapsack) -> KnapsackSolution:
        """Solve one formulated direction with the model of its sense (models[0]: "<=", [1]: ">=")."""
        model = models[0] if problem.sense == "<=" else models[1]
        return _to_x(problem, model.solve(problem.values, problem.weights, problem.rhs))

    def at(self, Y: float) -> BoundaryPoint:
        """All requested boundary values at one Y.

        Parameters
        ----------
        Y : float
            Country 1's income share in (0, 1).

        Returns
        -------
        BoundaryPoint
            B and B1 by the solver's methods (NaN where a method was not run), maximizers, statuses, seconds.

        Raises
        ------
        ValueError
            If Y is not in (0, 1) (:func:`knapsack_data`).
        """
        kd = knapsack_data(self.data, Y)
        C = float(kd.constant[0])
        problems = trade_knapsacks(kd)
        point = BoundaryPoint(Y=float(Y))
        if "greedy" in self.methods:
            t = time.perf_counter()
            value, x = _greedy_trade(kd)
            point.B_greedy, point.x_B = C + float(value[0]), x[0].tolist()
            point.seconds["greedy"] = time.perf_counter() - t
        if self._lp is not None:
            le, ge = (self._solve_model(self._lp, p) for p in problems)
            best, _ = _smaller(le, ge)
            point.B_lp = C + best.value
            point.status_lp = f"{le.status}/{ge.status}"
            point.seconds["lp"] = le.seconds + ge.seconds
        if "dp" in self.methods:
            le, ge = (_solve_dp(p) for p in problems)
            best, direction = _smaller(le, ge)
            point.B1_dp, point.direction_dp = C + best.value, direction
            point.x_B1_dp = best.x.astype(int).tolist()
            point.seconds["dp"] = le.seconds + ge.seconds
            x = best.x.astype(bool)
            if nondegenerate(self.data, x[None])[0] and 0 < x.sum() < len(x):
                eq = evaluate_patterns(self.data, x[None])
                point.eq_Y, point.eq_u1 = float(eq.Y[0]), float(eq.u1[0])
        if self._mip is not None:
            le, ge = (self._solve_model(self._mip, p) for p in problems)
            best, _ = _smaller(le, ge)
            point.B1_mip = C + best.value
            point.x_B1_mip = best.x.astype(int).tolist()
            point.status_mip = f"{le.status}/{ge.status}"
            point.seconds["mip"] = le.seconds + ge.seconds
        return point


def b1_directions_dp(data: GomoryData, Y: float) -> tuple[KnapsackSolution, KnapsackSolution, float]:
    """The exact DP of both relaxation directions at one Y.

    Values are c(Y).x of the optimal x (``-inf`` where ">=" is infeasible), so
    B1(Y) = C(Y) + min of the two values (:func:`boundary_B1_dp`).

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float
        Country 1's income share in (0, 1).

    Returns
    -------
    tuple
        ("<=" solution, ">=" solution, C(Y)), solutions as :class:`~trade_opt.knapsack.KnapsackSolution`.
    """
    kd = knapsack_data(data, Y)
    le, ge = (_solve_dp(p) for p in trade_knapsacks(kd))
    return le, ge, float(kd.constant[0])


def mixed_direction_dp(data: GomoryData, Y_value: float, Y_feasible: float, direction: str,
                       incumbent: np.ndarray | None = None, data_at=None) -> KnapsackSolution:
    """max c(Y_value).x over x in {0,1}^n with V(Y_f).x (direction) 1 - Y_f, Y_f = ``Y_feasible``, by the exact DP.

    The values of one income and the trade-equation row of another: the certificate of
    :mod:`trade_opt.gomory.b1_trace` that no pattern feasible at one end of an interval beats the
    traced optimum at the other end.  Value = c(Y_value).x (same exact formulation as :func:`trade_knapsacks`).

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y_value : float
        Income share whose values c(Y) are maximized.
    Y_feasible : float
        Income share whose trade-equation row V(Y).x vs 1 - Y constrains x.
    direction : {"<=", ">="}
        Relaxation direction of the trade equation in x.
    incumbent : numpy.ndarray, optional
        A known pattern x, a lower bound that speeds the DP up (:func:`_solve_dp`).
    data_at : callable, optional
        ``data_at(Y)`` returns :func:`knapsack_data` of one Y (e.g. from a cache; default: computed).

    Returns
    -------
    KnapsackSolution
        Optimal value c(Y_value).x and x.
    """
    data_at = data_at or (lambda Y: knapsack_data(data, Y))
    value = data_at(Y_value)
    feas = value if Y_feasible == Y_value else data_at(Y_feasible)
    kd = KnapsackData(feas.Y, value.c, feas.V, feas.capacity, value.constant)
    return _solve_dp(trade_knapsacks(kd)[0 if direction == "<=" else 1], incumbent)


def boundary_B1_dp(data: GomoryData, Y: np.ndarray | float) -> np.ndarray:
    """B1(Y) by the exact DP at each Y (the smaller of the two relaxation directions).

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float or numpy.ndarray
        Country 1's share of world income, Y = N_1 in (0, 1) (N_1 + N_2 = 1).

    Returns
    -------
    numpy.ndarray
        B1(Y) (log-utility of country 1), shape (k,).
    """
    kd = knapsack_data(data, Y)
    out = np.empty(len(kd.Y))
    for k in range(len(kd.Y)):
        le, ge = (_solve_dp(p) for p in trade_knapsacks(kd, k))
        out[k] = kd.constant[k] + min(le.value, ge.value)
    return out


def boundary_B1_brute_force(data: GomoryData, Y: float) -> float:
    """B1(Y) by enumerating all 2^n patterns in both directions (n <= 20; for tests).

    Same exact formulation as the DP (:func:`trade_knapsacks`), independent arithmetic: every
    pattern's load is summed directly from its positive weights and compared with the rhs.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : float
        Country 1's income share in (0, 1).

    Returns
    -------
    float
        B1(Y).
    """
    kd = knapsack_data(data, Y)
    le, ge = (p.offset + knapsack_brute_force(p.values, p.weights, p.rhs, p.sense).value for p in trade_knapsacks(kd))
    return float(kd.constant[0]) + min(le, ge)


def default_grid(Y_low: float, Y_high: float, points: int) -> np.ndarray:
    """``points`` equally spaced Y in [Y_low, Y_high], clipped into (1e-9, 1 - 1e-9).

    Parameters
    ----------
    Y_low, Y_high : float
        Ends of the grid.
    points : int
        Number of grid points.

    Returns
    -------
    numpy.ndarray
        The grid, shape (points,).

    Examples
    --------
    >>> default_grid(0.0, 0.5, 3).tolist()
    [1e-09, 0.2500000005, 0.5]
    """
    lo, hi = max(Y_low, 1e-9), min(Y_high, 1 - 1e-9)
    return np.linspace(lo, hi, points)
