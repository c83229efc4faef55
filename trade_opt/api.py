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

* ``gomory`` (:func:`trade_opt.gomory.interface.build_models`): B1(Y) of Gomory (1991) at a given normalized income Y, as two
  Pyomo 0-1 knapsacks ``models["le"]`` / ``models["ge"]`` (trade equation Eq. 2 relaxed to ``<=``
  and ``>=``): max C(Y) + sum_i c_i(Y) x_i s.t. sum_i V_i(Y) x_i (<= / >=) 1 - Y, x in {0,1}^n,
  ``x[i] = 1`` meaning country 2 makes good i (index i = good i+1 in file order; ``m.I`` = range(n)).
  B1(Y) is the smaller of the two optima (:mod:`trade_opt.gomory.boundary`), so a constraint added
  with :meth:`Problem.add_constraint` goes into both models and the result is their minimum: an
  upper bound on country 1's log-utility u1 over every equilibrium at Y satisfying the constraint.
  ``relaxation=True`` gives B(Y)'s LP relaxation (0 <= x <= 1).
* ``kim``, ``melitz``, ``krugman``: the complementarity model the package solves
  (``trade_opt.<model>.build_model``) as
  ``models["mcp"]``; :meth:`Problem.solve` calls :func:`trade_opt.mcp.solve` (Ipopt + active-set
  polish) from the model's current values.  Fixing variables (``m.var.fix(v)``) keeps the system
  square only if you also deactivate the paired condition; adding rows makes it non-square.

The models come from each registry entry's ``build_models`` hook (:data:`trade_opt.registry.MODELS`),
which is also what ``trade-opt <model> export`` writes (:mod:`trade_opt.export`).
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

    Edit the models freely (add components, fix variables) or use :meth:`add_constraint`, which
    adds the same constraint to every model.

    Attributes
    ----------
    name : str
        The instance's name (its model name when it has none).
    kind : str
        ``"knapsack"`` (Gomory) or ``"mcp"`` (complementarity models).
    models : dict of str to pyomo.environ.ConcreteModel
        Gomory: ``le``, ``ge`` (Gomory's constant C(Y) is already inside each objective); MCPs:
        ``mcp``.
    meta : dict
        The build options (e.g. ``Y``, ``relaxation``) and ``integer`` (False for the LP
        relaxation: :meth:`solve` then does not round x).
    """

    name: str
    kind: str
    models: dict[str, pyo.ConcreteModel]
    meta: dict[str, Any] = field(default_factory=dict)

    def add_constraint(self, name: str, rule: ConstraintRule) -> None:
        """Add ``pyo.Constraint(rule=rule)`` named ``name`` to every model.

        ``rule(model)`` is called once per model, so it may refer to the model's own components,
        e.g. ``m.x[2]``.

        Parameters
        ----------
        name : str
            Component name (must be new in every model).
        rule : callable
            ``rule(model) -> relational expression`` (or ``pyo.Constraint.Skip``).

        Returns
        -------
        None

        Raises
        ------
        TradeOptError
            If a model already has a component named ``name``.
        """
        for model in self.models.values():
            if model.component(name) is not None:
                raise TradeOptError(f"model {model.name!r} already has a component named {name!r}")
            model.add_component(name, pyo.Constraint(rule=rule))

    def solve(self, solver: str | None = None, *, time_limit: float | None = None, mip_rel_gap: float = 0.0,
              **mcp_options: Any) -> ProblemResult:
        """Solve every model.

        Knapsacks (Gomory): each direction's B1(Y) knapsack is solved and the smaller optimum is B1(Y)
        (models/gomory.md, 'B1: why "the smaller of both directions"'); MCPs: the one ``mcp`` model
        through :func:`trade_opt.mcp.solve`.

        Parameters
        ----------
        solver : str, optional
            Knapsacks: one of :data:`trade_opt.solvers.SOLVERS` (default ``highs``); MCPs:
            ``trade_opt_mcp`` (the default; :func:`trade_opt.mcp.solve`).
        time_limit : float, optional
            Knapsacks only: seconds per model (default no limit).
        mip_rel_gap : float, optional
            Knapsacks only: relative gap (default 0: B1 exact).
        **mcp_options
            MCPs only, passed to :func:`trade_opt.mcp.solve` (e.g. ``tol``).

        Returns
        -------
        ProblemResult
            Knapsacks: ``value`` = the smaller direction's optimum (log-utility of country 1; -inf when a
            direction is infeasible or unsolved), ``x`` the rounded solution, ``direction``; MCPs:
            ``value`` NaN and the layer's status.  ``results`` per model, ``seconds`` wall time.

        Raises
        ------
        OptionError
            An option that does not apply to this kind of problem, or a solver that cannot solve it.
        SolverUnavailableError
            The knapsack solver is unknown or not installed.
        """
        from trade_opt.errors import OptionError

        start = time.perf_counter()
        if self.kind == "mcp":
            if solver not in (None, "trade_opt_mcp"):
                raise OptionError(f"solver {solver!r} cannot solve {self.name!r} (a complementarity problem); "
                                  "use 'trade_opt_mcp'")
            if time_limit is not None or mip_rel_gap != 0.0:
                raise OptionError("time_limit/mip_rel_gap apply to knapsack problems only")
            from trade_opt.mcp import solve as mcp_solve

            res = mcp_solve(self.models["mcp"], **mcp_options)
            return ProblemResult(float("nan"), res.status, results={"mcp": res}, seconds=time.perf_counter() - start)
        if mcp_options:
            raise OptionError(f"unknown option(s) {', '.join(sorted(mcp_options))} for a knapsack problem; "
                              "allowed: solver, time_limit, mip_rel_gap")
        solver = "highs" if solver is None else solver
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


def build_models(instance: Any, **options: Any) -> dict[str, pyo.ConcreteModel]:
    """The Pyomo model(s) of ``instance`` through its registry entry's ``build_models`` hook.

    Parameters
    ----------
    instance : InstanceBase
        A loaded instance (its ``model`` field picks the registry entry).
    **options
        Passed to the hook (Gomory: ``Y`` normalized income of country 1, N1/(N1+N2) in (0, 1);
        ``relaxation``).

    Returns
    -------
    dict of str to pyomo.environ.ConcreteModel
        Gomory: ``le``, ``ge``; complementarity models: ``mcp``.
    """
    from trade_opt.registry import MODELS, resolve

    return resolve(MODELS[instance.model].build_models)(instance, **options)


def build_problem(instance: Any, **options: Any) -> Problem:
    """A :class:`Problem` for ``instance`` (Gomory needs ``Y=...``; ``relaxation=True`` for B's LP).

    Parameters
    ----------
    instance : InstanceBase
        A loaded instance.
    **options
        Passed to :func:`build_models` (Gomory: ``Y`` normalized income of country 1, N1/(N1+N2) in
        (0, 1); ``relaxation``), and recorded in ``Problem.meta``.

    Returns
    -------
    Problem
        ``kind`` ``"mcp"`` or ``"knapsack"``; the models open for edits.

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
