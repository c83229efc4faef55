"""Knapsack machinery behind Gomory's boundary curves B(Y) and B1(Y), usable on its own.

All problems are maximizations with real-valued values c_i (any sign), positive real weights w_i
and a real capacity W:

* :func:`continuous_greedy`: max c.x s.t. w.x = W, 0 <= x <= 1 (Dantzig's greedy by c_i / w_i,
  filling the capacity exactly), vectorized over a batch of instances.
* :func:`knapsack_dp`: max c.x s.t. w.x <= W, x in {0,1}^n, exact for real weights:
  Nemhauser-Ullmann list of non-dominated (weight, value) states, pruned with Dantzig's LP bound
  (Martello & Toth, *Knapsack Problems*, 1990, ch. 2).  No rounding of weights to a grid.
* :func:`knapsack_brute_force`: the same by enumeration of all 2^n vectors (n <= 20).
* :class:`KnapsackMIP`: the same as a Pyomo model with mutable ``Param`` s for c, w and W, solved
  by a solver chosen by name (:func:`trade_opt.solvers.get_solver`: HiGHS through a persistent
  interface by default, or CBC, GLPK, SCIP; change the params, re-solve), in either direction
  (``<=`` or ``>=``) and optionally as its LP relaxation; :func:`solve_knapsack_mip_rebuilt`
  builds a fresh model and solver per call (the baseline a persistent model is measured against).
* :func:`knapsack_dp_ge`: the ``>=`` direction by the complement y = 1 - x.

Feasibility is w.x <= W + ``tol`` with ``tol`` = 1e-12 (relative to max(1, W)): an assignment that
fills the capacity exactly in exact arithmetic must not be lost to rounding.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from trade_opt.solvers import MipResult, get_solver

#: Absolute feasibility slack on the capacity row, relative to max(1, capacity).
CAPACITY_TOL = 1e-12


@dataclass(frozen=True)
class KnapsackSolution:
    """Optimal value and an optimal x of one knapsack; ``method`` names how it was obtained.

    ``value`` is -inf when no feasible x exists (only possible in the ``>=`` direction); for the
    0-1 MIP it is sum c_i over the rounded x (``mip.objective`` keeps the solver's number);
    ``states`` is the largest Nemhauser-Ullmann list kept (DP only); ``mip`` the solver result
    (MIP only)."""

    value: float
    x: np.ndarray
    method: str
    seconds: float = 0.0
    states: int = 0
    mip: MipResult | None = field(default=None, compare=False)

    @property
    def status(self) -> str:
        return self.mip.status if self.mip is not None else ("optimal" if np.isfinite(self.value) else "infeasible")


def _tol(capacity: float) -> float:
    return CAPACITY_TOL * max(1.0, abs(capacity))


# --------------------------------------------------------------------------- continuous (greedy)
def continuous_greedy(values: np.ndarray, weights: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Continuous knapsack with the capacity filled exactly, for a batch of instances.

    Parameters
    ----------
    values, weights : (k, n) arrays (weights > 0)
    capacity : (k,) array with 0 <= capacity <= sum of weights

    Returns
    -------
    value : (k,) optimal values of max c.x s.t. w.x = W, 0 <= x <= 1
    x : (k, n) optimal x (at most one fractional entry per row)
    """
    values, weights = np.atleast_2d(values), np.atleast_2d(weights)
    capacity = np.atleast_1d(np.asarray(capacity, dtype=float))
    order = np.argsort(-(values / weights), axis=1, kind="stable")
    w_sorted = np.take_along_axis(weights, order, axis=1)
    filled_before = np.cumsum(w_sorted, axis=1) - w_sorted
    x_sorted = np.clip((capacity[:, None] - filled_before) / w_sorted, 0.0, 1.0)
    x = np.empty_like(x_sorted)
    np.put_along_axis(x, order, x_sorted, axis=1)
    return (values * x).sum(axis=1), x


# --------------------------------------------------------------------------- exact 0-1 DP
def _dantzig_bound(cum_w: np.ndarray, cum_v: np.ndarray, ratio: np.ndarray, room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on the value that items (sorted by ratio, prefix sums cum_w/cum_v) add in ``room``.

    Returns (lower, upper): ``lower`` packs the whole items of the ratio order that fit before the
    first one that does not (a feasible completion), ``upper`` adds that item's fraction (LP bound)."""
    if len(cum_w) == 0:
        return np.zeros_like(room), np.zeros_like(room)
    idx = np.searchsorted(cum_w, room, side="right")            # items fully packed
    full_w = np.where(idx > 0, cum_w[np.maximum(idx - 1, 0)], 0.0)
    full_v = np.where(idx > 0, cum_v[np.maximum(idx - 1, 0)], 0.0)
    frac = np.where(idx < len(cum_w), (room - full_w) * ratio[np.minimum(idx, len(ratio) - 1)], 0.0)
    return full_v, full_v + np.maximum(frac, 0.0)


def knapsack_dp(values: np.ndarray, weights: np.ndarray, capacity: float) -> KnapsackSolution:
    """Exact 0-1 knapsack max c.x s.t. w.x <= W by Nemhauser-Ullmann with LP-bound pruning.

    Items with c_i <= 0 or w_i > W are never packed.  The remaining items are processed in
    order of decreasing c_i / w_i; after each item the list of non-dominated states (weight
    ascending, value strictly ascending) is kept, minus states whose Dantzig bound cannot reach
    the best value seen.  The optimal x is recovered by back-pointers.  Exact for real weights
    (no grid); the list can grow exponentially in adversarial cases (e.g. subset-sum).
    """
    start = time.perf_counter()
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(values)
    cap = float(capacity) + _tol(capacity)
    items = np.flatnonzero((values > 0) & (weights <= cap))
    items = items[np.argsort(-(values[items] / weights[items]), kind="stable")]
    v_it, w_it = values[items], weights[items]
    m = len(items)
    # suffix data for the bound of items k+1..m-1, computed from global prefix sums
    cum_w_all, cum_v_all = np.cumsum(w_it), np.cumsum(v_it)
    ratio = v_it / w_it if m else np.zeros(0)

    state_w = np.zeros(1)
    state_v = np.zeros(1)
    parents: list[np.ndarray] = []
    took: list[np.ndarray] = []
    best = 0.0
    max_states = 1
    for k in range(m):
        add_w, add_v = state_w + w_it[k], state_v + v_it[k]
        fits = add_w <= cap
        cand_w = np.concatenate([state_w, add_w[fits]])
        cand_v = np.concatenate([state_v, add_v[fits]])
        cand_parent = np.concatenate([np.arange(len(state_w)), np.flatnonzero(fits)])
        cand_took = np.concatenate([np.zeros(len(state_w), bool), np.ones(int(fits.sum()), bool)])
        order = np.lexsort((-cand_v, cand_w))                    # weight asc, value desc on ties
        cand_w, cand_v, cand_parent, cand_took = cand_w[order], cand_v[order], cand_parent[order], cand_took[order]
        running = np.maximum.accumulate(cand_v)
        keep = np.empty(len(cand_v), bool)
        keep[0] = True
        keep[1:] = cand_v[1:] > running[:-1]                     # strictly better than every lighter state
        # bounds over the items still to come (k+1..m-1): a feasible completion and Dantzig's LP bound
        lower, upper = _dantzig_bound(
            cum_w_all[k + 1:] - cum_w_all[k], cum_v_all[k + 1:] - cum_v_all[k], ratio[k + 1:], cap - cand_w
        )
        best = max(best, float(np.max(cand_v + lower)))
        keep &= cand_v + upper >= best - 1e-12 * max(1.0, abs(best))
        state_w, state_v = cand_w[keep], cand_v[keep]
        parents.append(cand_parent[keep])
        took.append(cand_took[keep])
        max_states = max(max_states, len(state_w))

    x = np.zeros(n)
    idx = int(np.argmax(state_v))
    value = float(state_v[idx])
    for k in range(m - 1, -1, -1):
        if took[k][idx]:
            x[items[k]] = 1.0
        idx = int(parents[k][idx])
    return KnapsackSolution(value, x, "dp", time.perf_counter() - start, max_states)


def knapsack_dp_ge(values: np.ndarray, weights: np.ndarray, capacity: float) -> KnapsackSolution:
    """Exact 0-1 knapsack max c.x s.t. w.x >= W, via y = 1 - x: max (-c).y s.t. w.y <= sum(w) - W."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    total = float(weights.sum())
    if total < capacity - _tol(capacity):
        return KnapsackSolution(-np.inf, np.ones(len(values)), "dp")
    comp = knapsack_dp(-values, weights, max(total - capacity, 0.0))
    return KnapsackSolution(float(values.sum()) + comp.value, 1.0 - comp.x, "dp", comp.seconds, comp.states)


def knapsack_brute_force(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=") -> KnapsackSolution:
    """0-1 knapsack by enumerating all 2^n vectors (n <= 20), either direction."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    n = len(values)
    if n > 20:
        raise ValueError("brute force is limited to n <= 20")
    X = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(float)
    load = X @ weights
    tol = _tol(capacity)
    feasible = load <= capacity + tol if sense == "<=" else load >= capacity - tol
    if not feasible.any():
        return KnapsackSolution(-np.inf, np.zeros(n), "brute_force")
    objective = np.where(feasible, X @ values, -np.inf)
    best = int(np.argmax(objective))
    return KnapsackSolution(float(objective[best]), X[best], "brute_force")


# --------------------------------------------------------------------------- Pyomo MIP
def build_knapsack_model(n: int, sense: str = "<=", integer: bool = True) -> pyo.ConcreteModel:
    """Pyomo model max sum_i c_i x_i s.t. sum_i w_i x_i (<= or >=) W with mutable c, w, W.

    ``integer=False`` gives the LP relaxation (0 <= x <= 1)."""
    if sense not in ("<=", ">="):
        raise ValueError(f"sense must be '<=' or '>=', got {sense!r}")
    m = pyo.ConcreteModel(name=f"knapsack_{'01' if integer else 'lp'}_{'le' if sense == '<=' else 'ge'}")
    m.I = pyo.RangeSet(0, n - 1)
    m.c = pyo.Param(m.I, mutable=True, initialize=0.0)
    m.w = pyo.Param(m.I, mutable=True, initialize=1.0)
    m.W = pyo.Param(mutable=True, initialize=0.0)
    m.x = pyo.Var(m.I, domain=pyo.Binary if integer else pyo.UnitInterval)
    m.value = pyo.Objective(expr=sum(m.c[i] * m.x[i] for i in m.I), sense=pyo.maximize)
    load = sum(m.w[i] * m.x[i] for i in m.I)
    m.capacity = pyo.Constraint(expr=load <= m.W if sense == "<=" else load >= m.W)
    return m


def _set_data(m: pyo.ConcreteModel, values: np.ndarray, weights: np.ndarray, capacity: float) -> None:
    for i, (c, w) in enumerate(zip(values.tolist(), weights.tolist())):
        m.c[i] = c
        m.w[i] = w
    m.W = float(capacity)


def _read_solution(m: pyo.ConcreteModel, result: MipResult, method: str, n: int) -> KnapsackSolution:
    if result.objective is None:
        return KnapsackSolution(-np.inf, np.zeros(n), method, result.seconds, mip=result)
    x = np.array([pyo.value(m.x[i]) for i in range(n)])
    value = float(result.objective)
    if method.startswith("mip"):
        # 0-1 x: round the solver's x (integrality tolerance) and sum c over it exactly
        x = np.round(x)
        value = math.fsum(pyo.value(m.c[i]) for i in range(n) if x[i] == 1.0)
    return KnapsackSolution(value, x, method, result.seconds, mip=result)


class KnapsackMIP:
    """One Pyomo knapsack model + one solver (persistent HiGHS by default), re-solved for new (c, w, W).

    ``solver`` is a name of :data:`trade_opt.solvers.SOLVERS`; ``mip_rel_gap=0`` (exact) and
    ``time_limit`` (seconds) are mapped to the solver's options by :func:`trade_opt.solvers.get_solver`.

    Examples
    --------
    >>> mip = KnapsackMIP(3)
    >>> float(mip.solve(np.array([3.0, 2.0, 2.0]), np.array([2.0, 1.5, 1.5]), 3.0).value)
    4.0
    """

    def __init__(self, n: int, sense: str = "<=", integer: bool = True, mip_rel_gap: float = 0.0,
                 solver: str = "highs", time_limit: float | None = None):
        self.n = n
        self.model = build_knapsack_model(n, sense, integer)
        self.solver = get_solver(solver, mip_rel_gap=mip_rel_gap, time_limit=time_limit)
        self.method = "mip" if integer else "lp"

    def solve(self, values: np.ndarray, weights: np.ndarray, capacity: float) -> KnapsackSolution:
        _set_data(self.model, np.asarray(values, float), np.asarray(weights, float), capacity)
        return _read_solution(self.model, self.solver.solve(self.model), self.method, self.n)


def solve_knapsack_mip_rebuilt(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=",
                               integer: bool = True, solver: str = "highs", time_limit: float | None = None) -> KnapsackSolution:
    """Build a fresh Pyomo model and solver instance (by name, default HiGHS), solve once.

    The non-persistent baseline; ``seconds`` includes building the model."""
    start = time.perf_counter()
    n = len(values)
    m = build_knapsack_model(n, sense, integer)
    _set_data(m, np.asarray(values, float), np.asarray(weights, float), capacity)
    result = get_solver(solver, time_limit=time_limit).solve(m)
    sol = _read_solution(m, result, "mip_rebuilt" if integer else "lp_rebuilt", n)
    return KnapsackSolution(sol.value, sol.x, sol.method, time.perf_counter() - start, mip=sol.mip)
