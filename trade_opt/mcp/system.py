"""The MCP as a numeric square system ``x -> (F(x), h(x))`` with an exact sparse Jacobian.

Compiled once per call, without cloning the user's model: a small evaluator model references the
user's Vars and expressions, with every standard pair function ``F_i`` (see
:mod:`trade_opt.mcp.pairs`), every equality (the model's equality Constraints, equations written in
Complementarity, slack equations) as rows.  PyNumero's :class:`PyomoNLP` (AMPL Solver Library
automatic differentiation) evaluates all rows and their Jacobian in compiled code; the values and
bounds of the user's Vars touched during a solve are restored by :meth:`MCPSystem.restore`.

Unknown vector ``x``: the complementarity variables in pair order, then the free variables (every
other unfixed Var of the compiled rows).  Rows: ``F`` in pair order, then the equality rows
written ``body - rhs``.  The system is square when the numbers agree.

The compiled system itself, :class:`~trade_opt.mcp.compiled.MCPSystem` (evaluation and the maps
between ``x`` and the model's Vars), is in :mod:`trade_opt.mcp.compiled` (re-exported here).
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC
from pyomo.contrib.pynumero.interfaces.pyomo_nlp import PyomoNLP
from pyomo.mpec import Complementarity

from trade_opt.errors import TradeOptError
from trade_opt.mcp.compiled import MCPSystem
from trade_opt.mcp.pairs import Pair, complementarity_pairs, has_no_free_var
from trade_opt.mcp.templates import TemplateEvaluator, Unsupported
from trade_opt.mcp.terms import compile_terms, row_term_list

EVAL_BLOCK = "_mcp_eval"
_BIG = 1e300
#: Systems with at least this many rows, or expressions of at least :data:`TEMPLATE_MIN_NODES`
#: nodes, are evaluated by expression templates (:mod:`trade_opt.mcp.templates`: numpy, no ``.nl``
#: file) when every node type has a template; the others by PyNumero/ASL, whose compile costs
#: little there (and whose arithmetic small systems keep, bit for bit).  Measured (issue 17): Kim
#: J = 100 (1200 rows, 1.5 million nodes) 5.8 s of PyNumero compiles vs ~1 s of templates; MCPLIB
#: ehl_kost (101 rows, 286000 nodes) 5.3 s vs 2.6 s end to end.
TEMPLATE_MIN_ROWS = 200
TEMPLATE_MIN_NODES = 20_000



def fix_degenerate_bounds(work: pyo.Block) -> list[Any]:
    """Fix every unfixed Var with ``lb == ub`` at that value (data, as AMPL's presolve treats it).

    A complementarity pair whose variable is so fixed is dropped like any fixed pair.

    Parameters
    ----------
    work : pyomo.environ.Block
        The model (searched recursively).

    Returns
    -------
    list
        The Vars fixed (the caller unfixes them).
    """
    fixed = []
    for v in work.component_data_objects(pyo.Var, descend_into=True):
        if not v.fixed and v.lb is not None and v.ub is not None and float(v.lb) == float(v.ub):
            v.fix(float(v.lb))
            fixed.append(v)
    return fixed


def _equality_constraints(work: pyo.Block) -> list[Any]:
    rows = []
    for con in work.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        if not con.equality:
            raise TradeOptError(f"{con.name}: inequality constraints are not part of an MCP; pair the "
                                "bound with a variable: complements(x >= 0, g >= 0)")
        rows.append(con)
    return rows


def _nonconstant(pair: Pair) -> Pair:
    """A constant ``F`` (e.g. ``-1``) written as ``x - x + c`` so Pyomo keeps it as a row."""
    expr = pair.expr
    if not has_no_free_var(expr) or pair.var is None:
        return pair
    return replace(pair, expr=pair.var - pair.var + float(pyo.value(expr)))


def build_system(model: pyo.Block) -> MCPSystem:
    """Read ``model``'s pairs, check squareness and compile the evaluator once (no model clone).

    The evaluator is a small auxiliary model that *references* the user's variables and
    expressions: the pair rows ``F``, the equality rows, the slack equations, compiled by one
    PyNumero/ASL ``PyomoNLP``; the additive terms of every row (for the acceptance rule) by a
    second one, evaluated as one vector.  Vars with ``lb == ub`` are fixed only while compiling
    (and while Ipopt runs); every user Var's value and bounds are restored by :meth:`MCPSystem.restore`.

    Parameters
    ----------
    model : pyomo.environ.Block
        A model with at least one active ``pyomo.mpec`` Complementarity condition.

    Returns
    -------
    MCPSystem
        The compiled square system.

    Raises
    ------
    TradeOptError
        If the model has no complementarity conditions, is not square, pairs a variable with more
        than one condition, has an inequality Constraint, or uses a form PyNumero/ASL cannot compile.
    """
    if next(model.component_data_objects(Complementarity, active=True, descend_into=True), None) is None:
        raise TradeOptError("the model has no active Complementarity condition (pyomo.mpec); "
                            "trade_opt.mcp solves complementarity problems only")
    degenerate = fix_degenerate_bounds(model)
    try:
        return _build(model, degenerate)
    finally:
        for v in degenerate:
            v.unfix()


def _build(model: pyo.Block, degenerate: list[Any]) -> MCPSystem:
    entries = complementarity_pairs(model, include_equations=True)
    pairs = [_nonconstant(p) for p in entries if p.kind != "equation"]
    equations = [p for p in entries if p.kind == "equation"]
    user_equalities = _equality_constraints(model)

    work = pyo.ConcreteModel(name=f"{model.name}_mcp")
    eval_block = pyo.Block()
    work.add_component(EVAL_BLOCK, eval_block)
    pair_vars: list[Any] = []
    slack_rows = []
    for k, pair in enumerate(pairs):
        if pair.kind == "slack":
            slack = pyo.Var(bounds=(None if math.isinf(pair.lb) else pair.lb, None if math.isinf(pair.ub) else pair.ub))
            eval_block.add_component(f"slack_{k}", slack)
            row = pyo.Constraint(expr=slack - pair.slack_expr == 0)
            eval_block.add_component(f"slack_eq_{k}", row)
            pair_vars.append(slack)
            slack_rows.append((row, slack - pair.slack_expr, 0.0))
        else:
            pair_vars.append(pair.var)
    seen: set[int] = set()
    for pair, v in zip(pairs, pair_vars):
        if id(v) in seen:
            raise TradeOptError(f"{pair.name}: variable {v.name} is paired with more than one condition")
        seen.add(id(v))
    # equality rows: the model's equality Constraints, equations written in Complementarity, slack equations
    work.equalities = pyo.ConstraintList()
    eq_rows: list[tuple[Any, Any, float, str]] = []
    for con in user_equalities:
        rhs = float(pyo.value(con.upper))
        eq_rows.append((work.equalities.add(con.body == rhs), con.body, rhs, con.name))
    for entry in equations:
        eq_rows.append((work.equalities.add(entry.expr == 0), entry.expr, 0.0, entry.name))
    for (row, body, rhs), pair in zip(slack_rows, [p for p in pairs if p.kind == "slack"]):
        eq_rows.append((row, body, rhs, f"{pair.name}.slack_eq"))
    eval_block.F = pyo.Constraint(range(len(pairs)), rule=lambda b, k: pairs[k].expr == 0)
    try:
        # the walk allocates millions of small lists and tuples next to a freshly built model: the
        # cyclic collector would traverse that model again and again (Kim J = 100: 0.78 s -> 0.44 s
        # paused), so it is paused as Pyomo's own .nl writer does
        with PauseGC():
            templates = TemplateEvaluator([p.expr for p in pairs] + [r[1] for r in eq_rows],
                                          np.array([0.0] * len(pairs) + [r[2] for r in eq_rows]), pair_vars)
    except Unsupported:
        templates = None  # a node type without a template: PyNumero/ASL compiles the rows
    if templates is not None and (len(pairs) + len(eq_rows) < TEMPLATE_MIN_ROWS
                                  and templates.expression_nodes < TEMPLATE_MIN_NODES):
        templates = None  # small: ASL as before (the walk cost ~1 microsecond per node)
    if templates is not None:
        nlp, free = None, list(templates.extra_vars)
    else:
        # (an objective with every pair variable keeps a variable whose row is constant in the NLP)
        work.obj = pyo.Objective(expr=sum(v ** 2 for v in pair_vars))
        try:
            nlp = PyomoNLP(work)
        except Exception as exc:  # noqa: BLE001  (e.g. an expression ASL cannot take, a constant row)
            raise TradeOptError(f"the MCP could not be compiled by PyNumero/ASL: {type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        work.obj.deactivate()
        # free variables: every unfixed variable of the compiled rows that is not a pair variable
        free = [v for v in nlp.get_pyomo_variables() if id(v) not in seen]
    n_vars, n_rows = len(pair_vars) + len(free), len(pairs) + len(eq_rows)
    if n_vars != n_rows:
        raise TradeOptError(
            f"the MCP is not square: {n_vars} unfixed variables ({len(pair_vars)} complementarity, "
            f"{len(free)} free) but {n_rows} conditions ({len(pairs)} complementarity pairs, "
            f"{len(eq_rows)} equality constraints)"
        )
    all_vars = pair_vars + free
    gperm = xperm = rhs = None
    if nlp is not None:
        rows = [eval_block.F[k] for k in range(len(pairs))] + [r[0] for r in eq_rows]
        gperm = np.asarray(nlp.get_constraint_indices(rows), dtype=int)
        xperm = np.asarray(nlp.get_primal_indices(all_vars), dtype=int)
        rhs = np.asarray(nlp.constraints_lb())[gperm]

    orig_vars, names = [], []
    for k, v in enumerate(all_vars):
        if k < len(pairs) and pairs[k].kind == "slack":
            orig_vars.append(None)
            names.append(f"{pairs[k].name}.slack")
        else:
            orig_vars.append(v)
            names.append(v.name)
    lb = np.array([p.lb for p in pairs] + [-math.inf] * len(free))
    ub = np.array([p.ub for p in pairs] + [math.inf] * len(free))
    saved = [(v, v.value, v.lb, v.ub) for v in orig_vars if v is not None] + [(v, v.value, v.lb, v.ub) for v in degenerate]
    system = MCPSystem(
        model=model, work=work, pairs=pairs, work_vars=all_vars, orig_vars=orig_vars, names=names,
        lb=lb, ub=ub, row_names=[p.name for p in pairs] + [r[3] for r in eq_rows],
        row_keys=names[: len(pairs)] + [r[3] for r in eq_rows],
        nlp=nlp, _xperm=xperm, _gperm=gperm, _rhs=rhs, templates=templates,
    )
    system._name_index = {name: k for k, name in enumerate(names)}
    system._saved = saved
    system.degenerate = degenerate
    if templates is None:  # term magnitudes: templates evaluate them with F, ASL needs its own compile
        system.term_exprs = [row_term_list(p.expr) for p in pairs] + [row_term_list(r[1], r[2]) for r in eq_rows]
        compile_terms(system)
    return system
