"""Additive terms of the MCP rows and their magnitudes ``sum_k |c_k t_k|`` (the acceptance rule's
``sigma_i``, :class:`trade_opt.mcp.residual.Acceptance`): splitting a row into terms, and compiling
the magnitudes once per system (:meth:`trade_opt.mcp.system.MCPSystem.term_sums` evaluates them).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.contrib.pynumero.interfaces.pyomo_nlp import PyomoNLP
from pyomo.core.expr.numeric_expr import (DivisionExpression, MonomialTermExpression, NegationExpression,
                                          ProductExpression, SumExpression)
from pyomo.core.base.var import VarData

from trade_opt.mcp.pairs import has_no_free_var

#: The term magnitudes of the acceptance rule are compiled (one row ``sum_k |c_k t_k|`` per system
#: row; Kim J = 50: 600 rows, not 22900 term rows, the .nl writer's cost being per row) from this
#: many unknowns, or when there are more than :data:`PYTHON_TERMS_MAX` non-constant terms (MCPLIB
#: ehl_kost: 101 unknowns, 40000 terms, 3 s per Python evaluation).  Otherwise each term is
#: evaluated in Python and summed with ``np.add.at`` in term order, bit for bit the former Python
#: sum (the Melitz random-instance Newton paths from crude starts are sensitive to its last bits,
#: and Melitz's many small solves would pay a compile each).
ROWWISE_TERMS_MIN_N = 200
PYTHON_TERMS_MAX = 2000


def _flatten(expr: Any, coef: float, out: list[tuple[float, Any]]) -> None:
    """Append ``(coefficient, term)`` for the additive terms of ``expr`` (sums, negations and
    products/quotients by constants are opened; anything else is one term)."""
    if expr.__class__ in native_numeric_types:
        out.append((coef, float(expr)))
        return
    if not getattr(expr, "is_expression_type", lambda: False)():
        out.append((coef, expr))
        return
    if isinstance(expr, SumExpression):
        for arg in expr.args:
            _flatten(arg, coef, out)
    elif isinstance(expr, NegationExpression):
        _flatten(expr.args[0], -coef, out)
    elif isinstance(expr, MonomialTermExpression):
        out.append((coef, expr))
    elif isinstance(expr, ProductExpression) and _fixed(expr.args[0]):
        _flatten(expr.args[1], coef * pyo.value(expr.args[0]), out)
    elif isinstance(expr, ProductExpression) and _fixed(expr.args[1]):
        _flatten(expr.args[0], coef * pyo.value(expr.args[1]), out)
    elif isinstance(expr, DivisionExpression) and _fixed(expr.args[1]) and pyo.value(expr.args[1]) != 0:
        _flatten(expr.args[0], coef / pyo.value(expr.args[1]), out)
    else:
        out.append((coef, expr))


def _fixed(e: Any) -> bool:
    return e.__class__ in native_numeric_types or (not isinstance(e, VarData) and has_no_free_var(e))


def row_terms(expr: Any) -> list[tuple[float, Any]]:
    """The additive terms ``(coefficient, expression)`` of a row ``F_i`` (see :func:`_flatten`).

    Parameters
    ----------
    expr : Pyomo expression
        The row F_i.

    Returns
    -------
    list of (float, Pyomo expression)
        Sums and negations flattened, constant factors and divisors folded into the coefficient;
        ``sum(c * t)`` equals ``expr``.
    """
    out: list[tuple[float, Any]] = []
    _flatten(expr, 1.0, out)
    return out


def row_term_list(expr: Any, rhs: float = 0.0) -> list[tuple[float, Any]]:
    """The terms ``(c_k, t_k)`` of the row ``expr - rhs`` whose magnitudes ``|c_k t_k|`` are summed
    (the right-hand side last, as the constant ``|rhs|``).

    Parameters
    ----------
    expr : Pyomo expression
        The row's body.
    rhs : float
        Its right-hand side (an equality row ``expr = rhs``); 0 adds no term.

    Returns
    -------
    list of (float, Pyomo expression or float)
        :func:`row_terms` of ``expr``, then ``(1.0, |rhs|)`` when ``rhs`` is non-zero.
    """
    terms = row_terms(expr)
    if rhs:
        terms.append((1.0, abs(float(rhs))))
    return terms


def _is_constant_term(t: Any) -> bool:
    if isinstance(t, MonomialTermExpression):
        return has_no_free_var(t.args[1])
    return has_no_free_var(t)


def compile_terms(system: MCPSystem) -> None:
    """Prepare :meth:`MCPSystem.term_sums`: store the constant terms' values and, for large systems,
    compile the magnitudes with ASL.

    Constant terms are evaluated once (inf where they cannot be).  From
    :data:`ROWWISE_TERMS_MIN_N` unknowns, or with more than :data:`PYTHON_TERMS_MAX` non-constant
    terms, the non-constant terms of each row are compiled as one PyomoNLP row
    ``sum_k |c_k t_k|`` (one ASL call per evaluation); otherwise, or if ASL cannot compile them,
    they are evaluated in Python term by term (module comment on :data:`ROWWISE_TERMS_MIN_N`).

    Parameters
    ----------
    system : MCPSystem
        The compiled system; its ``term_exprs`` are read and its ``_term_*`` attributes (and
        ``term_nlp`` when compiled) are set in place.
    """
    n_terms = sum(len(terms) for terms in system.term_exprs)
    row_of = np.empty(n_terms, dtype=int)
    coef = np.empty(n_terms)
    const = np.full(n_terms, np.nan)
    live_exprs, live_pos = [], []
    k = 0
    for i, terms in enumerate(system.term_exprs):
        for c, t in terms:
            row_of[k], coef[k] = i, float(c)
            if _is_constant_term(t):
                try:
                    const[k] = float(pyo.value(t))
                except (ArithmeticError, ValueError, TypeError):
                    const[k] = math.inf
            else:
                live_exprs.append(t)
                live_pos.append(k)
            k += 1
    system._term_row, system._term_coef, system._term_value = row_of, coef, const
    system._term_live = np.asarray(live_pos, dtype=int)
    if not live_exprs:
        return
    if system.n < ROWWISE_TERMS_MIN_N and len(live_exprs) <= PYTHON_TERMS_MAX:
        return  # small: evaluated in Python per term (cheaper than a compile for few evaluations)
    block = pyo.ConcreteModel(name=f"{system.model.name}_mcp_terms")
    if True:  # one row sum_k |c_k t_k| per system row: the .nl writer's cost is per row
        live_rows = sorted(set(row_of[live_pos].tolist()))
        by_row: dict[int, list[Any]] = {i: [] for i in live_rows}
        for k, t in zip(live_pos, live_exprs):
            by_row[int(row_of[k])].append(abs(coef[k] * t))
        live_exprs = [sum(by_row[i]) for i in live_rows]
        system._term_rowwise = np.asarray(live_rows, dtype=int)
        with np.errstate(all="ignore"):
            consts = np.where(np.isnan(const), 0.0, np.abs(coef * const))
        system._term_row_const = np.zeros(system.n)
        np.add.at(system._term_row_const, row_of, consts)
    block.ts = pyo.Constraint(range(len(live_exprs)), rule=lambda b, j: live_exprs[j] == 0)
    block.obj = pyo.Objective(expr=0.0)
    try:
        term_nlp = PyomoNLP(block)
    except Exception:  # noqa: BLE001  (an expression ASL cannot compile: use the Python path)
        return
    g_index = np.asarray(term_nlp.get_constraint_indices([block.ts[j] for j in range(len(live_exprs))]), dtype=int)
    system._term_g = g_index
    system._term_lb = -np.asarray(term_nlp.constraints_lb())[g_index]  # constants the writer moved out
    primal_pos = {id(v): j for j, v in enumerate(system.work_vars)}
    tvars = term_nlp.get_pyomo_variables()
    system._term_xperm = np.asarray([primal_pos[id(v)] for v in tvars], dtype=int)
    system.term_nlp = term_nlp
