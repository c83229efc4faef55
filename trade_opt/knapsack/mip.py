"""The knapsack as a Pyomo model with mutable parameters, solved by a solver chosen by name
(:class:`KnapsackMIP`: persistent HiGHS by default; CBC, GLPK, SCIP).
"""
from __future__ import annotations

import math
import time

import numpy as np
import pyomo.environ as pyo

from trade_opt.knapsack.core import KnapsackSolution
from trade_opt.solvers import MipResult, get_solver, matrix_range_note, with_status_note
from trade_opt.errors import ArgumentError


# --------------------------------------------------------------------------- Pyomo MIP
def build_knapsack_model(n: int, sense: str = "<=", integer: bool = True) -> pyo.ConcreteModel:
    """Pyomo model max sum_i c_i x_i s.t. sum_i w_i x_i (<= or >=) W with mutable c, w, W.

    Parameters
    ----------
    n : int
        Number of items; x, c and w are indexed by ``m.I`` = 0..n-1.
    sense : {"<=", ">="}
        Direction of the capacity row.
    integer : bool
        True: x binary; False: the LP relaxation 0 <= x <= 1.

    Returns
    -------
    pyomo.environ.ConcreteModel
        With mutable params ``c`` (init 0), ``w`` (init 1), ``W`` (init 0), variables ``x``,
        objective ``value`` (maximize) and constraint ``capacity``.

    Raises
    ------
    ValueError
        ``sense`` is neither ``"<="`` nor ``">="``.
    """
    if sense not in ("<=", ">="):
        raise ArgumentError("sense", f"must be '<=' or '>=', got {sense!r}")
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


#: Largest |coefficient| of the scaled LP row (HiGHS rejects >= 1e15; see :func:`scale_row`).
MAX_ROW_COEFFICIENT = 1e12


def scale_row(weights: np.ndarray, capacity: float, integer: bool) -> tuple[np.ndarray, float]:
    """The knapsack row w.x (sense) W rescaled so that a solver's *absolute* feasibility tolerance
    (HiGHS: 1e-9) acts relative to W.

    Returns (w / W, 1) for 0 < W < 1, and the row unchanged for W >= 1 (there the absolute
    tolerance is already at most relative; integer weights, e.g. Pisinger's families with W up to
    ~1e8, stay integers, so a 1e-9 tolerance never confuses two integer loads) or W <= 0.  For 0-1 x (``integer``) each scaled
    weight is then capped at 2, which leaves the feasible set unchanged in both senses (an item
    heavier than twice the rhs can never be packed under "<=" and covers alone under ">=") and
    keeps the row well scaled however small W is.  For the LP relaxation no cap is exact, so if
    max w / W exceeds :data:`MAX_ROW_COEFFICIENT` the row is scaled by MAX_ROW_COEFFICIENT / max w
    instead (rhs W * that factor < 1): the tolerance then acts relative to W only up to the factor
    (1e-9 max w / (1e12 W), i.e. 1e-6 of W at W = 1e-15 with max w = 1), which bounds the LP value
    error by that load error times max |c_i| / w_i.

    Parameters
    ----------
    weights : numpy.ndarray
        Weights w_i > 0, shape (n,).
    capacity : float
        Right-hand side W.
    integer : bool
        True for 0-1 x (scaled weights capped at 2), False for the LP relaxation.

    Returns
    -------
    weights : numpy.ndarray
        The row's coefficients to give the solver.
    capacity : float
        Its right-hand side (1.0 when scaled by 1/W; W * factor when capped by
        :data:`MAX_ROW_COEFFICIENT`; W unchanged outside 0 < W < 1).
    """
    weights = np.asarray(weights, dtype=float)
    W = float(capacity)
    if not 0 < W < 1:
        return weights, W
    scaled = weights / W
    if integer:
        return np.minimum(scaled, 2.0), 1.0
    top = float(np.max(np.abs(weights))) if len(weights) else 0.0
    if top / W <= MAX_ROW_COEFFICIENT:
        return scaled, 1.0
    factor = MAX_ROW_COEFFICIENT / top
    return weights * factor, W * factor


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

    Parameters
    ----------
    n : int
        Number of items.
    sense : {"<=", ">="}
        Direction of the capacity row.
    integer : bool
        True: 0-1 x (``method`` ``"mip"``); False: the LP relaxation (``method`` ``"lp"``).
    mip_rel_gap : float
        Relative MIP gap (0: exact), passed to the solver.
    solver : str
        A name of :data:`trade_opt.solvers.SOLVERS` (highs, cbc, glpk, scip).
    time_limit : float, optional
        Seconds per solve; ``mip_rel_gap`` and ``time_limit`` are mapped to the solver's options
        by :func:`trade_opt.solvers.get_solver`.

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
        self.integer = integer

    def solve(self, values: np.ndarray, weights: np.ndarray, capacity: float) -> KnapsackSolution:
        """Solve with the row scaled by its rhs (:func:`scale_row`); a status note (e.g.
        ``optimal (coefficients dropped)``) says when the solver would not keep the scaled row.

        Parameters
        ----------
        values : numpy.ndarray
            Item values c_i, shape (n,).
        weights : numpy.ndarray
            Item weights w_i > 0, shape (n,).
        capacity : float
            Right-hand side W.

        Returns
        -------
        KnapsackSolution
            ``value``: for 0-1 x, sum of c_i over the rounded x (the solver's objective stays in
            ``mip.objective``); for the LP, the solver's objective.  -inf with x = 0 when the
            solver returned no objective (infeasible, time limit without incumbent); ``mip`` holds
            status, termination, bound, gap and seconds.
        """
        w, W = scale_row(weights, capacity, self.integer)
        _set_data(self.model, np.asarray(values, float), w, W)
        result = with_status_note(self.solver.solve(self.model), matrix_range_note(self.solver.name, w))
        return _read_solution(self.model, result, self.method, self.n)


def solve_knapsack_mip_rebuilt(values: np.ndarray, weights: np.ndarray, capacity: float, sense: str = "<=",
                               integer: bool = True, solver: str = "highs", time_limit: float | None = None) -> KnapsackSolution:
    """Build a fresh Pyomo model and solver instance (by name, default HiGHS), solve once.

    The non-persistent baseline that :class:`KnapsackMIP` is measured against.

    Parameters
    ----------
    values, weights, capacity
        As :meth:`KnapsackMIP.solve`.
    sense, integer, solver, time_limit
        As :class:`KnapsackMIP` (the MIP gap is the solver's default here).

    Returns
    -------
    KnapsackSolution
        As :meth:`KnapsackMIP.solve`, with ``method`` ``"mip_rebuilt"`` or ``"lp_rebuilt"`` and
        ``seconds`` including building the model and the solver.
    """
    start = time.perf_counter()
    n = len(values)
    m = build_knapsack_model(n, sense, integer)
    w, W = scale_row(weights, capacity, integer)
    _set_data(m, np.asarray(values, float), w, W)
    engine = get_solver(solver, time_limit=time_limit)
    result = with_status_note(engine.solve(m), matrix_range_note(engine.name, w))
    sol = _read_solution(m, result, "mip_rebuilt" if integer else "lp_rebuilt", n)
    return KnapsackSolution(sol.value, sol.x, sol.method, time.perf_counter() - start, mip=sol.mip)
