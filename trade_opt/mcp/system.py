"""The MCP as a numeric square system ``x -> (F(x), h(x))`` with an exact sparse Jacobian.

The user's model is cloned once per call; in the clone the Complementarity components are
deactivated and every standard pair function ``F_i`` (see :mod:`trade_opt.mcp.pairs`) becomes an
equality row of an auxiliary block.  PyNumero's :class:`PyomoNLP` (AMPL Solver Library
automatic differentiation) then evaluates all rows and their Jacobian in compiled code.

Unknown vector ``x``: the complementarity variables in pair order, then the free variables (every
other unfixed Var appearing in an active equality Constraint).  Rows: ``F`` in pair order, then
the equality constraints written ``body - rhs``.  The system is square when the numbers agree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
import pyomo.environ as pyo
from pyomo.contrib.pynumero.exceptions import PyNumeroEvaluationError
from pyomo.contrib.pynumero.interfaces.pyomo_nlp import PyomoNLP
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import (DivisionExpression, MonomialTermExpression, NegationExpression,
                                          ProductExpression, SumExpression)
from pyomo.core.expr.visitor import identify_variables
from pyomo.mpec import Complementarity

from trade_opt.errors import TradeOptError
from trade_opt.mcp.pairs import Pair, complementarity_pairs

EVAL_BLOCK = "_mcp_eval"
TERMS_BLOCK = "_mcp_terms"
#: Systems with at least this many unknowns evaluate the term magnitudes (acceptance rule) in
#: compiled ASL code instead of Python (Kim J = 20: 0.16 s -> 0.7 ms per call; J = 50: ~1 s per
#: call before).  Below it the Python evaluation is kept: ASL and Python round differently
#: (relative 1e-11 on Melitz rows with cancelling terms), and the Melitz random-instance test's
#: Newton paths from crude starts turned out sensitive to that.
COMPILE_TERMS_MIN_N = 200
_BIG = 1e300


@dataclass
class MCPSystem:
    """A cloned model plus index maps and a compiled evaluator (built by :func:`build_system`).

    Attributes
    ----------
    model : the user's model; work : the private clone.
    pairs : list[Pair] on the clone; n_pairs = len(pairs).
    work_vars : clone VarData in ``x`` order; orig_vars : the user's VarData (None for slacks).
    names : variable names in ``x`` order (slacks named ``"<pair>.slack"``).
    lb, ub : bounds of the complementarity variables (``-inf``/``inf`` for free variables).
    row_names : pair names (rows ``< n_pairs``) then equality constraint names.
    """

    model: Any
    work: Any
    pairs: list[Pair]
    work_vars: list[Any]
    orig_vars: list[Any]
    names: list[str]
    lb: np.ndarray
    ub: np.ndarray
    row_names: list[str]
    row_keys: list[str]
    nlp: Any = field(repr=False, default=None)
    _xperm: np.ndarray = field(repr=False, default=None)
    _gperm: np.ndarray = field(repr=False, default=None)
    _rhs: np.ndarray = field(repr=False, default=None)
    term_exprs: list = field(repr=False, default=None)
    term_nlp: Any = field(repr=False, default=None)
    _term_xperm: np.ndarray = field(repr=False, default=None)
    _term_rows: np.ndarray = field(repr=False, default=None)
    _term_const: np.ndarray = field(repr=False, default=None)
    _jrow: np.ndarray = field(repr=False, default=None)
    _jcol: np.ndarray = field(repr=False, default=None)
    _jkeep: np.ndarray = field(repr=False, default=None)

    @property
    def n(self) -> int:
        return len(self.work_vars)

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)

    # --- evaluation -------------------------------------------------------------------------
    def _set(self, x: np.ndarray) -> None:
        primals = self.nlp.get_primals()
        primals[self._xperm] = x
        self.nlp.set_primals(primals)

    def F(self, x: np.ndarray) -> np.ndarray:
        """All rows ``(F(x), h(x))``; ``+inf`` rows if the model cannot be evaluated at ``x``."""
        self._set(x)
        try:
            g = self.nlp.evaluate_constraints()
        except (PyNumeroEvaluationError, ArithmeticError, ValueError):
            return np.full(self.n, np.inf)
        rows = g[self._gperm] - self._rhs
        rows[~np.isfinite(rows)] = np.inf
        return rows

    def J(self, x: np.ndarray) -> np.ndarray:
        """Dense Jacobian ``d rows / d x`` (rows and columns in system order)."""
        return self.J_sparse(x).toarray()

    def J_sparse(self, x: np.ndarray) -> sp.csr_matrix:
        """Sparse (CSR) Jacobian ``d rows / d x`` (rows and columns in system order), from the
        PyNumero/ASL COO matrix without densifying (non-finite entries kept as they are; all
        entries ``nan`` if the model cannot be differentiated at ``x``)."""
        self._set(x)
        try:
            coo = self.nlp.evaluate_jacobian()
        except (PyNumeroEvaluationError, ArithmeticError, ValueError):
            # no derivative at this trial point: an all-nan matrix that every caller treats as unusable
            return sp.csr_matrix(np.full((self.n, self.n), np.nan))
        if self._jkeep is None or self._jkeep.size != coo.nnz:  # the ASL structure is fixed
            inv_g = np.full(self.nlp.n_constraints(), -1)
            inv_g[self._gperm] = np.arange(self._gperm.size)
            inv_x = np.full(self.nlp.n_primals(), -1)
            inv_x[self._xperm] = np.arange(self._xperm.size)
            rows, cols = inv_g[coo.row], inv_x[coo.col]
            keep = (rows >= 0) & (cols >= 0)
            self._jrow, self._jcol, self._jkeep = rows[keep], cols[keep], keep
        data = np.asarray(coo.data)[self._jkeep]
        return sp.csr_matrix((data, (self._jrow, self._jcol)), shape=(self.n, self.n))

    def term_sums(self, x: np.ndarray) -> np.ndarray:
        """``T_i(x) = sum_k |t_ik(x)|`` over the additive terms of each row (:func:`row_terms`).

        Compiled by PyNumero/ASL (a second evaluator on the same clone, built in
        :func:`build_system`), else evaluated in Python on the clone; ``inf`` where a row cannot
        be evaluated.  The scale to which ``F_i`` is computable in floating point, used by the
        acceptance rule (:class:`trade_opt.mcp.residual.Acceptance`).
        """
        if self.term_nlp is not None:
            primals = self.term_nlp.get_primals()
            primals[self._term_xperm] = x
            self.term_nlp.set_primals(primals)
            out = self._term_const.copy()
            try:
                with np.errstate(all="ignore"):
                    g = np.asarray(self.term_nlp.evaluate_constraints())
            except (PyNumeroEvaluationError, ArithmeticError, ValueError):
                pass  # ASL fails the whole vector; the Python path below marks only the failing rows
            else:
                out[self._term_rows[0]] = g[self._term_rows[1]] + self._term_const[self._term_rows[0]]
                out[~np.isfinite(out)] = math.inf
                return out
        self.load_work(x)
        out = np.empty(self.n)
        for i, expr in enumerate(self.term_exprs):
            try:
                out[i] = float(pyo.value(expr))
            except (ArithmeticError, ValueError, TypeError):
                out[i] = math.inf
        out[~np.isfinite(out)] = math.inf
        return out

    # --- values -----------------------------------------------------------------------------
    def current_x(self) -> np.ndarray:
        """``x`` from the clone's current variable values (None -> 0 projected onto the bounds)."""
        x = np.array([0.0 if v.value is None else float(v.value) for v in self.work_vars])
        return self._project_missing(x, [v.value is None for v in self.work_vars])

    def _project_missing(self, x: np.ndarray, unset: list[bool]) -> np.ndarray:
        """Unset values start at the projection of 0 onto the variable's bounds (as PATH does):
        the pair bounds for complementarity variables, the declared bounds for free ones."""
        for k in np.flatnonzero(unset):
            lo, hi = self.lb[k], self.ub[k]
            if k >= self.n_pairs:
                v = self.work_vars[k]
                lo = -math.inf if v.lb is None else float(v.lb)
                hi = math.inf if v.ub is None else float(v.ub)
            x[k] = min(max(0.0, lo), hi)
        return x

    def x_from_model(self) -> np.ndarray:
        """``x`` from the user's model values (unset: projection of 0 onto the bounds; slacks:
        their defining expression)."""
        x = np.array([0.0 if v is None or v.value is None else float(v.value) for v in self.orig_vars])
        x = self._project_missing(x, [v is not None and v.value is None for v in self.orig_vars])
        self.load_work(x)
        for k, pair in enumerate(self.pairs):
            if pair.kind == "slack":
                x[k] = float(pyo.value(pair.slack_expr))
        return x

    def load_work(self, x: np.ndarray) -> None:
        """Write ``x`` into the clone's variables."""
        for v, value in zip(self.work_vars, x):
            v.set_value(float(value), skip_validation=True)

    def load_model(self, x: np.ndarray) -> None:
        """Write ``x`` into the user's model variables (slacks are not user variables)."""
        for v, value in zip(self.orig_vars, x):
            if v is not None:
                v.set_value(float(value), skip_validation=True)

    def values(self, x: np.ndarray) -> dict[str, float]:
        """User variable name -> value."""
        return {name: float(value) for name, value, v in zip(self.names, x, self.orig_vars) if v is not None}

    def index_of(self, key: Any) -> int:
        """Position in ``x`` of a user VarData or its name (``"n[2]"``)."""
        name = key.name if isinstance(key, VarData) else str(key)
        try:
            return self._name_index[name]
        except KeyError:
            raise TradeOptError(f"start names unknown variable {name!r} (not an unfixed variable of the MCP)") from None


def fix_degenerate_bounds(work: pyo.Block) -> list[Any]:
    """Fix every unfixed Var with ``lb == ub`` at that value (data, as AMPL's presolve treats it);
    a complementarity pair whose variable is so fixed is dropped like any fixed pair.  Returns
    the Vars fixed."""
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


def _free_variables(bodies: list[Any], taken: set[int]) -> list[Any]:
    """Unfixed variables of ``bodies`` that are not complementarity variables, in first-seen order."""
    seen: dict[int, Any] = {}
    for body in bodies:
        for v in identify_variables(body, include_fixed=False):
            if id(v) not in taken and id(v) not in seen:
                seen[id(v)] = v
    return list(seen.values())


def _nonconstant(pair: Pair) -> Pair:
    """A constant ``F`` (e.g. ``-1``) written as ``x - x + c`` so Pyomo keeps it as a row."""
    expr = pair.expr
    if not (expr.__class__ in native_numeric_types or expr.is_fixed()) or pair.var is None:
        return pair
    return replace(pair, expr=pair.var - pair.var + float(pyo.value(expr)))


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
    return e.__class__ in native_numeric_types or (not isinstance(e, VarData) and e.is_fixed())


def row_terms(expr: Any) -> list[tuple[float, Any]]:
    """The additive terms ``(coefficient, expression)`` of a row ``F_i`` (see :func:`_flatten`)."""
    out: list[tuple[float, Any]] = []
    _flatten(expr, 1.0, out)
    return out


def _term_sum_expr(expr: Any, rhs: float = 0.0) -> Any:
    """A Pyomo expression ``sum_k |c_k t_k| + |rhs|`` for the row ``expr - rhs``."""
    return sum(abs(c * t) for c, t in row_terms(expr)) + abs(float(rhs))


def build_system(model: pyo.Block) -> MCPSystem:
    """Clone ``model``, read its pairs, check squareness and compile the evaluator.

    Raises
    ------
    TradeOptError
        If the model has no complementarity conditions or equations, is not square, or uses an
        unsupported form.
    """
    if next(model.component_data_objects(Complementarity, active=True, descend_into=True), None) is None:
        raise TradeOptError("the model has no active Complementarity condition (pyomo.mpec); "
                            "trade_opt.mcp solves complementarity problems only")
    work = model.clone()
    fix_degenerate_bounds(work)
    entries = complementarity_pairs(work, include_equations=True)
    pairs = [_nonconstant(p) for p in entries if p.kind != "equation"]
    equations = [p for p in entries if p.kind == "equation"]
    for comp in list(work.component_objects(Complementarity, active=True, descend_into=True)):
        comp.deactivate()
    for obj in work.component_data_objects(pyo.Objective, active=True, descend_into=True):
        obj.deactivate()
    equalities = _equality_constraints(work)

    eval_block = pyo.Block()
    work.add_component(EVAL_BLOCK, eval_block)
    for k, entry in enumerate(equations):  # an equality side whose other side is no variable
        eval_block.add_component(f"equation_{k}", pyo.Constraint(expr=entry.expr == 0))
    pair_vars: list[Any] = []
    for k, pair in enumerate(pairs):
        if pair.kind == "slack":
            slack = pyo.Var(bounds=(None if math.isinf(pair.lb) else pair.lb, None if math.isinf(pair.ub) else pair.ub))
            eval_block.add_component(f"slack_{k}", slack)
            eval_block.add_component(f"slack_eq_{k}", pyo.Constraint(expr=slack - pair.slack_expr == 0))
            pair_vars.append(slack)
        else:
            pair_vars.append(pair.var)
    seen: set[int] = set()
    for pair, v in zip(pairs, pair_vars):
        if id(v) in seen:
            raise TradeOptError(f"{pair.name}: variable {v.name} is paired with more than one condition")
        seen.add(id(v))
    equalities = _equality_constraints(work)
    free = _free_variables([p.expr for p in pairs] + [c.body for c in equalities], seen)
    n_vars, n_rows = len(pair_vars) + len(free), len(pairs) + len(equalities)
    if n_rows == 0:
        raise TradeOptError("the model has no complementarity conditions and no equality constraints")
    if n_vars != n_rows:
        raise TradeOptError(
            f"the MCP is not square: {n_vars} unfixed variables ({len(pair_vars)} complementarity, "
            f"{len(free)} free) but {n_rows} conditions ({len(pairs)} complementarity pairs, "
            f"{len(equalities)} equality constraints)"
        )

    eval_block.F = pyo.Constraint(range(len(pairs)), rule=lambda b, k: pairs[k].expr == 0)
    all_vars = pair_vars + free
    eval_block.obj = pyo.Objective(expr=sum(v**2 for v in all_vars))
    nlp = PyomoNLP(work)
    eval_block.obj.deactivate()

    rows = [eval_block.F[k] for k in range(len(pairs))] + equalities
    gperm = np.asarray(nlp.get_constraint_indices(rows), dtype=int)
    xperm = np.asarray(nlp.get_primal_indices(all_vars), dtype=int)
    rhs = np.asarray(nlp.constraints_lb())[gperm]

    orig_vars, names = [], []
    for k, v in enumerate(all_vars):
        if k < len(pairs) and pairs[k].kind == "slack":
            orig_vars.append(None)
            names.append(f"{pairs[k].name}.slack")
        else:
            orig = model.find_component(v.name)
            orig_vars.append(orig)
            names.append(v.name)
    lb = np.array([p.lb for p in pairs] + [-math.inf] * len(free))
    ub = np.array([p.ub for p in pairs] + [math.inf] * len(free))
    system = MCPSystem(
        model=model, work=work, pairs=pairs, work_vars=all_vars, orig_vars=orig_vars, names=names,
        lb=lb, ub=ub, row_names=[p.name for p in pairs] + [c.name for c in equalities],
        row_keys=names[: len(pairs)] + [c.name for c in equalities],
        nlp=nlp, _xperm=xperm, _gperm=gperm, _rhs=rhs,
        term_exprs=[_term_sum_expr(p.expr) for p in pairs] + [_term_sum_expr(c.body, float(pyo.value(c.upper)))
                                                              for c in equalities],
    )
    system._name_index = {name: k for k, name in enumerate(names)}
    if system.n >= COMPILE_TERMS_MIN_N:
        _compile_terms(system)
    return system


def _compile_terms(system: MCPSystem) -> None:
    """Compile the term-magnitude rows (:meth:`MCPSystem.term_sums`) with a second PyomoNLP.

    A block of constraints ``sum_k |c_k t_k| == 0`` (one per row that has variables) is added to
    the clone and compiled with everything else deactivated, then deactivated itself; rows without
    variables keep their constant.  If compilation fails, ``term_sums`` evaluates in Python.
    """
    work, n = system.work, system.n
    const = np.zeros(n)
    live: list[int] = []
    for i, expr in enumerate(system.term_exprs):
        # every row has a variable (constant pair functions were rewritten x - x + c), so only plain
        # numbers are constants here; a row of fixed variables only makes the compile fail -> Python path
        if expr.__class__ in native_numeric_types:
            try:
                const[i] = float(pyo.value(expr))
            except (ArithmeticError, ValueError, TypeError):
                const[i] = math.inf
        else:
            live.append(i)
    system._term_const = const
    if not live:
        system._term_rows = (np.zeros(0, dtype=int), np.zeros(0, dtype=int))
        return
    block = pyo.Block()
    work.add_component(TERMS_BLOCK, block)
    others = [c for c in work.component_data_objects((pyo.Constraint, pyo.Objective), active=True,
                                                     descend_into=True)]
    for c in others:
        c.deactivate()
    try:
        block.ts = pyo.Constraint(range(len(live)), rule=lambda b, k: system.term_exprs[live[k]] == 0)
        block.obj = pyo.Objective(expr=sum(v**2 for v in system.work_vars))
        term_nlp = PyomoNLP(work)
    except Exception:  # noqa: BLE001  (an expression ASL cannot compile: use the Python path)
        term_nlp = None
    finally:
        for c in others:
            c.activate()
        block.deactivate()
    if term_nlp is None:
        return
    g_index = np.asarray(term_nlp.get_constraint_indices([block.ts[k] for k in range(len(live))]), dtype=int)
    system._term_const[live] = -np.asarray(term_nlp.constraints_lb())[g_index]
    system._term_rows = (np.asarray(live, dtype=int), g_index)
    system._term_xperm = np.asarray(term_nlp.get_primal_indices(system.work_vars), dtype=int)
    system.term_nlp = term_nlp
