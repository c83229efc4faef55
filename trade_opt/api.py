"""Embedding API: the Pyomo model of any trade_opt problem, open for the user's own constraints.

Build once from a validated instance object, add constraints, solve with a solver chosen by name::

    import pyomo.environ as pyo
    import trade_opt
    from trade_opt.api import build_problem

    inst = trade_opt.load_instance("instances/gomory_table1.toml")
    problem = build_problem(inst, Y=0.6)                     # B1(Y): two 0-1 knapsacks (<= and >=)
    problem.add_constraint("keep_good_3", lambda m: m.x[2] == 0)          # country 1 keeps good 3
    problem.add_constraint("at_most_2", lambda m: sum(m.x[i] for i in m.I) <= 2)  # <= 2 goods to country 2
    result = problem.solve("highs")                          # or "cbc", "glpk", "scip"
    result.value, result.x, result.status

What each problem is:

* ``gomory`` (:func:`build_gomory`): B1(Y) of Gomory (1991) at a given normalized income Y, as two
  Pyomo 0-1 knapsacks ``models["le"]`` / ``models["ge"]`` (trade equation Eq. 2 relaxed to ``<=``
  and ``>=``): max C(Y) + sum_i c_i(Y) x_i s.t. sum_i V_i(Y) x_i (<= / >=) 1 - Y, x in {0,1}^n,
  ``x[i] = 1`` meaning country 2 makes good i (index i = good i+1 in file order; ``m.I`` = range(n)).
  B1(Y) is the smaller of the two optima (:mod:`trade_opt.gomory.boundary`), so a constraint added
  with :meth:`Problem.add_constraint` goes into both models and the result is their minimum: an
  upper bound on country 1's log-utility u1 over every equilibrium at Y satisfying the constraint.
  ``relaxation=True`` gives B(Y)'s LP relaxation (0 <= x <= 1).
* ``kim``, ``melitz``, ``krugman``: the complementarity model the package solves
  (:func:`trade_opt.kim.mcp_model.build_mcp_model`, :func:`trade_opt.melitz.mcp_model.build_model`,
  :func:`trade_opt.krugman.mcp_model.build_closed_model` / ``build_north_south_model``) as
  ``models["mcp"]``; :meth:`Problem.solve` calls :func:`trade_opt.mcp.solve` (Ipopt + active-set
  polish) from the model's current values.  Fixing variables (``m.var.fix(v)``) keeps the system
  square only if you also deactivate the paired condition; adding rows makes it non-square.

Every builder is also the ``build_model`` hook of its :data:`trade_opt.registry.MODELS` entry, which
is what ``trade-opt <model> export`` writes (:mod:`trade_opt.export`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from trade_opt import _config  # noqa: F401  (PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo

from trade_opt.errors import TradeOptError
from trade_opt.solvers import MipResult, get_solver

#: A user constraint: called with one Pyomo model, returns a relational expression (or a
#: ``pyo.Constraint.Skip``), as the ``rule`` of a scalar ``pyo.Constraint``.
ConstraintRule = Callable[[pyo.ConcreteModel], Any]


@dataclass
class ProblemResult:
    """Outcome of :meth:`Problem.solve`.

    ``value``: the problem's optimum (Gomory: B1(Y) or B(Y) in log-utility of country 1,
    the minimum over the two directions; MCPs: NaN), ``x``: the maximizer of the direction that
    gave it (Gomory; None otherwise), ``status``: ``optimal`` when every model was solved to
    optimality (MCPs: the layer's ``solved``/``solved_loose``/``failed``), ``direction``: ``le`` or
    ``ge`` (Gomory), ``results``: per model the :class:`trade_opt.solvers.MipResult` or
    :class:`trade_opt.mcp.MCPResult`, ``seconds``: wall time of :meth:`Problem.solve`."""

    value: float
    status: str
    x: np.ndarray | None = None
    direction: str | None = None
    results: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Problem:
    """Pyomo model(s) of one trade_opt problem, built from an instance, open for edits.

    ``models`` maps a name to a Pyomo ``ConcreteModel`` (Gomory: ``le``, ``ge``; MCPs: ``mcp``);
    edit them freely (add components, fix variables) or use :meth:`add_constraint`, which adds the
    same constraint to every model.  ``kind`` is ``knapsack`` or ``mcp``; ``constant`` the part of
    the objective that does not depend on x (Gomory's C(Y), already inside each objective)."""

    name: str
    kind: str
    models: dict[str, pyo.ConcreteModel]
    meta: dict[str, Any] = field(default_factory=dict)

    def add_constraint(self, name: str, rule: ConstraintRule) -> None:
        """Add ``pyo.Constraint(rule=rule)`` named ``name`` to every model (``rule(model)`` is
        called once per model, so it may refer to the model's own components, e.g. ``m.x[2]``)."""
        for model in self.models.values():
            if model.component(name) is not None:
                raise TradeOptError(f"model {model.name!r} already has a component named {name!r}")
            model.add_component(name, pyo.Constraint(rule=rule))

    def solve(self, solver: str = "highs", *, time_limit: float | None = None, mip_rel_gap: float = 0.0,
              **mcp_options: Any) -> ProblemResult:
        """Solve every model; knapsacks by ``solver`` (:data:`trade_opt.solvers.SOLVERS`, gap 0 by
        default), MCPs by :func:`trade_opt.mcp.solve` (``mcp_options`` passed on, e.g. ``tol``)."""
        start = time.perf_counter()
        if self.kind == "mcp":
            from trade_opt.mcp import solve as mcp_solve

            res = mcp_solve(self.models["mcp"], **mcp_options)
            return ProblemResult(float("nan"), res.status, results={"mcp": res}, seconds=time.perf_counter() - start)
        results: dict[str, MipResult] = {}
        for key, model in self.models.items():
            results[key] = get_solver(solver, mip_rel_gap=mip_rel_gap, time_limit=time_limit).solve(model)
        bad = [r.status for r in results.values() if r.status not in ("optimal", "infeasible")]
        if bad or any(r.objective is None for r in results.values()):
            # an infeasible direction leaves no equilibrium at Y (each one satisfies both): -inf
            status = bad[0] if bad else "infeasible"
            return ProblemResult(-np.inf, status, results=results, seconds=time.perf_counter() - start)
        feasible = results
        direction = min(feasible, key=lambda k: feasible[k].objective)  # B1: the smaller direction
        model = self.models[direction]
        x = np.array([pyo.value(model.x[i]) for i in model.I])
        if self.meta.get("integer", True):
            x = np.round(x)
        return ProblemResult(float(feasible[direction].objective), "optimal", x, direction, results,
                             time.perf_counter() - start)


# --------------------------------------------------------------------------- builders (registry hooks)
#: The x-form rows below (right-hand side 1 - Y) lose Y's digits once Y < this; the library's own
#: boundary code switches to the complement y = 1 - x there (trade_opt.gomory.boundary.trade_knapsacks).
EXPORT_Y_MIN = 1e-9


def gomory_knapsack_model(c: np.ndarray, V: np.ndarray, capacity: float, constant: float, sense: str,
                          integer: bool = True) -> pyo.ConcreteModel:
    """max constant + c.x s.t. V.x (sense) capacity as a Pyomo model (:func:`trade_opt.knapsack.build_knapsack_model`
    with the data set and the constant ``C`` added to the objective).  The row is rescaled by
    :func:`trade_opt.knapsack.scale_row` (right-hand side 1 when capacity < 1), so a solver's absolute
    feasibility tolerance acts relative to the capacity, as in the library's own MIP/LP solves."""
    from trade_opt.knapsack import _set_data, build_knapsack_model, scale_row

    model = build_knapsack_model(len(c), sense, integer)
    weights, rhs = scale_row(np.asarray(V, float), float(capacity), integer)
    _set_data(model, np.asarray(c, float), weights, rhs)
    model.C = pyo.Param(mutable=True, initialize=float(constant))
    model.value.set_value(model.value.expr + model.C)
    return model


def build_gomory(instance: Any, *, Y: float | None = None, relaxation: bool = False) -> dict[str, pyo.ConcreteModel]:
    """B1(Y) (or, with ``relaxation``, B(Y)'s LP) of a Gomory instance: ``{"le": ..., "ge": ...}``.

    Variables are x_i (1: country 2 makes good i), rows V.x <= 1 - Y and V.x >= 1 - Y rescaled to
    right-hand side 1.  Y below :data:`EXPORT_Y_MIN` is refused: 1 - Y then no longer carries Y's
    digits, so these x-form rows cannot say which patterns are feasible (use
    ``trade_opt.gomory.boundary.BoundarySolver``, which works in the complement there)."""
    from trade_opt.gomory.boundary import knapsack_data

    if Y is None:
        raise TradeOptError("gomory: give the normalized income Y (e.g. --y 0.6)")
    if not 0.0 < Y < 1.0:
        raise TradeOptError(f"gomory: Y must lie in (0, 1), got {Y}")
    if Y < EXPORT_Y_MIN:
        raise TradeOptError(f"gomory: Y = {Y:g} < {EXPORT_Y_MIN:g}: the x-form trade row (right-hand side 1 - Y) "
                            "cannot resolve it in double precision; use `trade-opt gomory boundary` (complement form)")
    kd = knapsack_data(instance.data(), Y)
    c, V, cap, C = kd.c[0], kd.V[0], float(kd.capacity[0]), float(kd.constant[0])
    return {key: gomory_knapsack_model(c, V, cap, C, sense, integer=not relaxation)
            for key, sense in (("le", "<="), ("ge", ">="))}


def build_kim(instance: Any, **options: Any) -> dict[str, pyo.ConcreteModel]:
    """Kim (1999) free entry as an MCP (log formulation): ``{"mcp": model}``."""
    from trade_opt.kim.mcp_model import build_mcp_model

    _no_options("kim", options)
    return {"mcp": build_mcp_model(instance.data()).model}


def build_melitz(instance: Any, **options: Any) -> dict[str, pyo.ConcreteModel]:
    """Melitz (2003) with offshoring, E1-E6 for every industry as an MCP: ``{"mcp": model}``."""
    from trade_opt.melitz.mcp_model import build_model

    _no_options("melitz", options)
    return {"mcp": build_model(instance.data())}


def build_krugman(instance: Any, **options: Any) -> dict[str, pyo.ConcreteModel]:
    """Krugman (1979) closed economy or North-South outsourcing as an MCP: ``{"mcp": model}``."""
    from trade_opt.krugman.mcp_model import build_closed_model, build_north_south_model

    _no_options("krugman", options)
    data = instance.data()
    return {"mcp": build_closed_model(data) if data.economy == "closed" else build_north_south_model(data)}


def _no_options(model: str, options: dict[str, Any]) -> None:
    given = sorted(k for k, v in options.items() if v not in (None, False))
    if given:
        raise TradeOptError(f"{model}: option(s) {', '.join(given)} apply to gomory only")


def build_models(instance: Any, **options: Any) -> dict[str, pyo.ConcreteModel]:
    """The Pyomo model(s) of ``instance`` through its registry entry's ``build_model`` hook."""
    from trade_opt.registry import MODELS, resolve

    entry = MODELS[instance.model]
    if entry.build_model is None:
        raise TradeOptError(f"model {instance.model!r} has no Pyomo model builder")
    return resolve(entry.build_model)(instance, **options)


def build_problem(instance: Any, **options: Any) -> Problem:
    """A :class:`Problem` for ``instance`` (Gomory needs ``Y=...``; ``relaxation=True`` for B's LP).

    Examples
    --------
    >>> import trade_opt
    >>> p = build_problem(trade_opt.load_instance("instances/gomory_table1.toml"), Y=0.6)
    >>> sorted(p.models), p.kind
    (['ge', 'le'], 'knapsack')
    """
    models = build_models(instance, **options)
    kind = "mcp" if "mcp" in models else "knapsack"
    return Problem(getattr(instance, "name", instance.model), kind, models,
                   {"integer": not options.get("relaxation", False), **{k: v for k, v in options.items()}})
