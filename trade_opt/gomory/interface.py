"""The verbs of the Gomory model: ``load_instance``, ``build_model``, ``solve``, ``run``.

``solve`` computes the upper boundary of the utility-vs-income array at given normalized incomes Y
(Gomory 1991, "Two Countries: The Array of Solutions"; ``models/gomory.md``): B(Y), the continuous
knapsack (``method`` ``greedy`` or ``lp``), or B1(Y), the 0-1 knapsack (``dp`` or ``mip``), each the
smaller optimum of the two relaxation directions of the trade equation (Eq. 2)::

    max  C(Y) + sum_i c_i(Y) x_i   s.t.  sum_i V_i(Y) x_i (<= | >=) 1 - Y,   x in {0,1}^n  (B1)

``run`` is the main job (:func:`trade_opt.gomory.job.run_job`) in a complete-or-absent folder.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

import numpy as np

from trade_opt.errors import OptionError
from trade_opt.runner import instance_loader, job_runner
from trade_opt.result import Result, Solution, SolverInfo, status_of, worst_termination

MODEL = "gomory"
#: ``method`` of :func:`solve`: which boundary and how.
METHODS = ("greedy", "lp", "dp", "mip")
#: solvers that can solve the LP/MIP of the ``lp`` and ``mip`` methods
LP_MIP_SOLVERS = ("highs", "cbc", "glpk", "scip")
#: The x-form rows of :func:`build_models` (right-hand side 1 - Y) lose Y's digits once Y < this; the
#: library's own boundary code switches to the complement y = 1 - x there
#: (:func:`trade_opt.gomory.boundary.trade_knapsacks`).
EXPORT_Y_MIN = 1e-9


def knapsack_model(c: np.ndarray, V: np.ndarray, capacity: float, constant: float, sense: str,
                   integer: bool = True):
    """max constant + c.x s.t. V.x (sense) capacity as a Pyomo model.

    :func:`trade_opt.knapsack.build_knapsack_model` with the data set and the constant C(Y) added to
    the objective.  The row is rescaled by :func:`trade_opt.knapsack.scale_row` (right-hand side 1
    when capacity < 1), so a solver's absolute feasibility tolerance acts relative to the capacity,
    as in the library's own MIP/LP solves.

    Parameters
    ----------
    c, V : ndarray, shape (n,)
        Values c_i(Y) (log-utility of country 1) and lengths V_i(Y) of the goods.
    capacity : float
        1 - Y.
    constant : float
        C(Y), the part of u1 that does not depend on x.
    sense : {"<=", ">="}
    integer : bool
        x in {0, 1} (else 0 <= x <= 1).

    Returns
    -------
    pyomo.environ.ConcreteModel
    """
    import pyomo.environ as pyo

    from trade_opt.knapsack import _set_data, build_knapsack_model, scale_row

    model = build_knapsack_model(len(c), sense, integer)
    weights, rhs = scale_row(np.asarray(V, float), float(capacity), integer)
    _set_data(model, np.asarray(c, float), weights, rhs)
    model.C = pyo.Param(mutable=True, initialize=float(constant))
    model.value.set_value(model.value.expr + model.C)
    return model


def build_models(instance, *, Y: float | None = None, relaxation: bool = False) -> dict:
    """B1(Y) (or, with ``relaxation``, B(Y)'s LP) of a Gomory instance: ``{"le": ..., "ge": ...}``.

    The registry hook of the embedding API (:func:`trade_opt.api.build_problem`) and of
    ``trade-opt gomory export``.  Variables are x_i (1: country 2 makes good i), rows
    V.x <= 1 - Y and V.x >= 1 - Y rescaled to right-hand side 1.  Y below :data:`EXPORT_Y_MIN` is
    refused: 1 - Y then no longer carries Y's digits, so these x-form rows cannot say which patterns
    are feasible (use :func:`solve`, which works in the complement there).

    Parameters
    ----------
    instance : GomoryInstance
    Y : float
        Normalized income N1 / (N1 + N2) in [EXPORT_Y_MIN, 1).
    relaxation : bool
        LP relaxation (B) instead of the 0-1 knapsack (B1).

    Returns
    -------
    dict of str to pyomo.environ.ConcreteModel
        ``{"le": ..., "ge": ...}``, the two relaxation directions of the trade equation (Eq. 2).

    Raises
    ------
    OptionError
        If ``Y`` is missing, outside (0, 1) or below :data:`EXPORT_Y_MIN`.
    """
    from trade_opt.gomory.boundary import knapsack_data

    if Y is None:
        raise OptionError("gomory: give the normalized income Y (e.g. --y 0.6)")
    if not 0.0 < Y < 1.0:
        raise OptionError(f"gomory: Y must lie in (0, 1), got {Y}")
    if Y < EXPORT_Y_MIN:
        raise OptionError(f"gomory: Y = {Y:g} < {EXPORT_Y_MIN:g}: the x-form trade row (right-hand side 1 - Y) "
                          "cannot resolve it in double precision; use `trade-opt gomory boundary` (complement form)")
    kd = knapsack_data(instance.data(), Y)
    c, V, cap, C = kd.c[0], kd.V[0], float(kd.capacity[0]), float(kd.constant[0])
    return {key: knapsack_model(c, V, cap, C, sense, integer=not relaxation)
            for key, sense in (("le", "<="), ("ge", ">="))}


def build_model(instance, *, Y: float, direction: str = "le", relaxation: bool = False):
    """The Pyomo knapsack of B1(Y) (or B(Y)'s LP with ``relaxation``) in one direction.

    Parameters
    ----------
    instance : GomoryInstance
        A validated instance.
    Y : float
        Normalized income of country 1, N1 / (N1 + N2), in [1e-9, 1).
    direction : {"le", "ge"}
        The relaxation of the trade equation (Eq. 2): ``V.x <= 1 - Y`` or ``>=``.  B1(Y) is the
        smaller of the two optima (:func:`solve` solves both).
    relaxation : bool
        0 <= x <= 1 instead of x in {0, 1}.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``x[i]`` (1: country 2 makes good i+1), objective ``value`` = u1 (log-utility of
        country 1) including the constant C(Y), one rescaled knapsack row.

    Raises
    ------
    OptionError
        If ``direction`` is not ``le``/``ge``, or ``Y`` is refused (:func:`build_models`).
    """
    if direction not in ("le", "ge"):
        raise OptionError(f"gomory.build_model: direction must be 'le' or 'ge', got {direction!r}")
    return build_models(instance, Y=Y, relaxation=relaxation)[direction]


@dataclass
class BoundaryPoints(Solution):
    """B(Y) or B1(Y) at each requested Y.

    One row per Y: ``Y``, ``bound`` (``B`` or ``B1``), ``value`` (u1 = ln U1 on the boundary),
    ``x`` (the maximizer as a 0/1 string, good 1 first; for B the fractional good is rounded down),
    ``fractional_good`` (1-based index of B's fractional good, 0 if none), ``fractional_share``,
    ``direction`` (``<=``/``>=`` of the trade equation that gave the smaller optimum),
    ``termination`` and ``gap`` of that point."""

    table_key: ClassVar[str] = "points"
    method: str = "mip"
    points: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """The table: one record per requested Y.

        Returns
        -------
        list of dict
            Copies of :attr:`points` (keys as in the class docstring).
        """
        return list(self.points)

    def scalars(self) -> dict[str, Any]:
        """The method and which boundary it computes.

        Returns
        -------
        dict
            ``method`` and ``bound`` (``B`` for greedy/lp, ``B1`` for dp/mip).
        """
        return {"method": self.method, "bound": "B" if self.method in ("greedy", "lp") else "B1"}


def _pattern(x: np.ndarray) -> tuple[str, int, float]:
    """(0/1 string with fractions rounded down, 1-based fractional good or 0, its share)."""
    x = np.asarray(x, dtype=float)
    frac = np.flatnonzero((x > 1e-12) & (x < 1 - 1e-12))
    good, share = (int(frac[0]) + 1, float(x[frac[0]])) if len(frac) else (0, 0.0)
    return "".join("1" if v >= 1 - 1e-12 else "0" for v in x), good, share


def _check_y(Y: Any) -> list[float]:
    if Y is None:
        raise OptionError("gomory.solve: give Y, the normalized income(s) in (0, 1), e.g. Y=0.6 or Y=[0.3, 0.5]")
    values = [Y] if np.isscalar(Y) else list(Y)
    if not values:
        raise OptionError("gomory.solve: Y is empty")
    out = []
    for v in values:
        try:
            v = float(v)
        except (TypeError, ValueError):
            raise OptionError(f"gomory.solve: Y must be numbers in (0, 1), got {v!r}") from None
        if not (0.0 < v < 1.0) or math.isnan(v):
            raise OptionError(f"gomory.solve: Y must lie in (0, 1), got {v!r}")
        out.append(v)
    return out


def solve(instance, *, Y: float | Sequence[float] | None = None, method: str = "mip", solver: str = "highs",
          time_limit: float | None = None) -> Result:
    """B(Y) or B1(Y) of a Gomory instance at one or more normalized incomes Y.

    Parameters
    ----------
    instance : GomoryInstance
        A validated instance.
    Y : float or sequence of float
        Normalized incomes N1 / (N1 + N2) in (0, 1).
    method : {"mip", "dp", "lp", "greedy"}
        ``mip``: B1 by the Pyomo 0-1 knapsack (gap 0) and ``solver``; ``dp``: B1 by the exact
        Nemhauser-Ullmann DP; ``lp``: B by the LP relaxation and ``solver``; ``greedy``: B by the
        greedy rule (exact for the continuous knapsack).
    solver : {"highs", "cbc", "glpk", "scip"}
        LP/MIP solver of the ``lp`` and ``mip`` methods (must be left at its default otherwise).
    time_limit : float, optional
        Seconds per LP/MIP solve.

    Returns
    -------
    Result
        ``solution`` is a :class:`BoundaryPoints`; ``residual`` the largest relative MIP gap (0 for
        the exact DP and greedy); ``termination`` the worst over the points.

    Raises
    ------
    OptionError
        If ``Y`` is missing, empty, not numbers or outside (0, 1), ``method`` is unknown, ``solver``
        is given for an exact method (greedy, dp), or ``solver`` cannot solve LPs/MIPs.

    Examples
    --------
    >>> inst = load_instance("instances/gomory_table1.toml")
    >>> r = solve(inst, Y=0.6, method="dp")
    >>> r.status, r.solution.points[0]["bound"]
    ('ok', 'B1')
    """
    from trade_opt.gomory.boundary import _greedy_trade, _smaller, _solve_dp, _to_x, knapsack_data, trade_knapsacks

    Ys = _check_y(Y)
    if method not in METHODS:
        raise OptionError(f"gomory.solve: method must be one of {', '.join(METHODS)}, got {method!r}")
    solver = str(solver).strip().lower()
    if method in ("greedy", "dp") and solver != "highs":
        raise OptionError(f"gomory.solve: solver {solver!r} does not apply to method {method!r} "
                          "(an exact algorithm of its own); use method='mip' or 'lp' to choose a solver")
    if solver not in LP_MIP_SOLVERS:
        raise OptionError(f"gomory.solve: solver {solver!r} cannot solve the Gomory knapsacks (LP/MIP); "
                          f"choose from {', '.join(LP_MIP_SOLVERS)}")
    start = time.perf_counter()
    data = instance.data()
    models = None
    if method in ("lp", "mip"):
        from trade_opt.knapsack import KnapsackMIP

        integer = method == "mip"
        models = (KnapsackMIP(data.n, "<=", integer=integer, solver=solver, time_limit=time_limit),
                  KnapsackMIP(data.n, ">=", integer=integer, solver=solver, time_limit=time_limit))
    points = []
    for value_Y in Ys:
        kd = knapsack_data(data, value_Y)
        C = float(kd.constant[0])
        if method == "greedy":
            value, x = _greedy_trade(kd)
            best_value, best_x, direction, termination, gap = C + float(value[0]), x[0], "=", "optimal", 0.0
        else:
            problems = trade_knapsacks(kd)
            if method == "dp":
                le, ge = (_solve_dp(p) for p in problems)
            else:
                le, ge = (_to_x(p, (models[0] if p.sense == "<=" else models[1]).solve(p.values, p.weights, p.rhs))
                          for p in problems)
            best, direction = _smaller(le, ge)
            statuses = [le.status, ge.status]
            bad = [s for s in statuses if status_of(s) != "ok" and s != "infeasible"]
            termination = bad[0].split(" ")[0] if bad else ("optimal" if np.isfinite(best.value) else "infeasible")
            gaps = [r.mip.gap for r in (le, ge) if r.mip is not None and r.mip.gap is not None]
            gap = max(gaps) if gaps else 0.0
            best_value, best_x = C + float(best.value), best.x
        pattern, good, share = _pattern(best_x)
        points.append({"Y": value_Y, "bound": "B" if method in ("greedy", "lp") else "B1", "value": best_value,
                       "x": pattern, "fractional_good": good, "fractional_share": share, "direction": direction,
                       "termination": termination, "gap": gap})
    termination = worst_termination([p["termination"] for p in points])
    gaps = [p["gap"] for p in points if p["gap"] is not None]
    name = "greedy" if method == "greedy" else ("dp" if method == "dp" else solver)
    options: dict[str, Any] = {"method": method}
    if time_limit is not None:
        options["time_limit"] = time_limit
    return Result(model=MODEL, name=instance.name, status=status_of(termination), termination=termination,
                  seconds=time.perf_counter() - start, solver=SolverInfo(name, options),
                  residual=max(gaps) if gaps else 0.0, solution=BoundaryPoints(method=method, points=points),
                  message="" if status_of(termination) == "ok" else f"{termination} at some Y")


#: the shared verbs: read a file of this model, run its main job
load_instance = instance_loader(MODEL)
run = job_runner(MODEL)
