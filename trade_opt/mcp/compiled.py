"""The compiled square system of an MCP (:class:`MCPSystem`): evaluation and the maps to the model.

Built by :func:`trade_opt.mcp.system.build_system`.  Rows ``(F(x), h(x))`` and their sparse
Jacobian come from expression templates (:mod:`trade_opt.mcp.templates`) or from PyNumero/ASL,
the row term magnitudes from the same or from a second compile (:mod:`trade_opt.mcp.terms`);
``x`` is read from and written to the user's Vars, which :meth:`MCPSystem.restore` puts back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import pyomo.environ as pyo
from pyomo.contrib.pynumero.exceptions import PyNumeroEvaluationError
from pyomo.core.base.var import VarData

from trade_opt.errors import TradeOptError
from trade_opt.mcp.pairs import Pair
from trade_opt.mcp.templates import TemplateEvaluator


@dataclass
class MCPSystem:
    """The evaluator model, index maps and compiled evaluators.

    Built by :func:`trade_opt.mcp.system.build_system`.

    Attributes
    ----------
    model : the user's model; work : the evaluator model (references the user's Vars).
    pairs : list[Pair]; n_pairs = len(pairs).
    work_vars : VarData in ``x`` order (slacks live in ``work``); orig_vars : the same, None for slacks.
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
    _term_row: np.ndarray = field(repr=False, default=None)
    _term_coef: np.ndarray = field(repr=False, default=None)
    _term_value: np.ndarray = field(repr=False, default=None)
    _term_live: np.ndarray = field(repr=False, default=None)
    _term_g: np.ndarray = field(repr=False, default=None)
    _term_lb: np.ndarray = field(repr=False, default=None)
    _row_sum_exprs: list = field(repr=False, default=None)
    _term_rowwise: np.ndarray = field(repr=False, default=None)
    _term_row_const: np.ndarray = field(repr=False, default=None)
    _saved: list = field(repr=False, default_factory=list)
    degenerate: list = field(repr=False, default_factory=list)
    _jrow: np.ndarray = field(repr=False, default=None)
    _jcol: np.ndarray = field(repr=False, default=None)
    _jkeep: np.ndarray = field(repr=False, default=None)
    _row_index: dict = field(repr=False, default=None)
    templates: TemplateEvaluator | None = field(repr=False, default=None)

    def rows_named(self, name: str) -> list[int]:
        """Rows whose key or name is ``name`` (a dict built once: user scalings name thousands of rows).

        Parameters
        ----------
        name : str
            A row key (variable name of a pair, equality constraint name) or a pair name.

        Returns
        -------
        list of int
            Row indices (empty if none).
        """
        if self._row_index is None:
            index: dict[str, list[int]] = {}
            for row_keys in (self.row_keys, self.row_names):
                for i, key in enumerate(row_keys):
                    index.setdefault(key, []).append(i)
            self._row_index = index
        return self._row_index.get(name, [])

    @property
    def n(self) -> int:
        """Number of unknowns (= number of rows).

        Returns
        -------
        int
            ``len(work_vars)``.
        """
        return len(self.work_vars)

    @property
    def n_pairs(self) -> int:
        """Number of complementarity pairs (the first rows and unknowns).

        Returns
        -------
        int
            ``len(pairs)``.
        """
        return len(self.pairs)

    # --- evaluation -------------------------------------------------------------------------
    def _set(self, x: np.ndarray) -> None:
        primals = self.nlp.get_primals()
        if np.array_equal(primals[self._xperm], x):
            return  # the same point: keep PyNumero's cached values and derivatives
        primals[self._xperm] = x
        self.nlp.set_primals(primals)

    def F(self, x: np.ndarray) -> np.ndarray:
        """All rows ``(F(x), h(x))``; ``+inf`` rows if the model cannot be evaluated at ``x``.

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        numpy.ndarray
            Row values, shape (n,): pair functions F in pair order, then equality rows ``body - rhs``.
        """
        if self.templates is not None:
            rows = self.templates.values(np.asarray(x, dtype=float))
            rows[~np.isfinite(rows)] = np.inf
            return rows
        self._set(x)
        try:
            g = self.nlp.evaluate_constraints()
        except (PyNumeroEvaluationError, ArithmeticError, ValueError):
            return np.full(self.n, np.inf)
        rows = g[self._gperm] - self._rhs
        rows[~np.isfinite(rows)] = np.inf
        return rows

    def J(self, x: np.ndarray) -> np.ndarray:
        """Dense Jacobian ``d rows / d x`` (rows and columns in system order).

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        numpy.ndarray
            Shape (n, n); all ``nan`` where the model cannot be differentiated at ``x``.
        """
        return self.J_sparse(x).toarray()

    def J_sparse(self, x: np.ndarray) -> sp.csr_matrix:
        """Sparse (CSR) Jacobian ``d rows / d x`` (rows and columns in system order).

        From the PyNumero/ASL COO matrix without densifying (non-finite entries kept as they are; all
        entries ``nan`` if the model cannot be differentiated at ``x``).

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape (n, n).
        """
        if self.templates is not None:
            jac, finite = self.templates.jacobian(np.asarray(x, dtype=float), self.n)
            if not finite:
                jac.data[:] = np.nan  # no derivative at this trial point (as the ASL path reports it)
            return jac
        self._set(x)
        try:
            # Values first: ASL's jacval at a point it has not evaluated yet calls exit(1) on a
            # deferred derivative error (e.g. pow(0, 1.3) for a variable at its bound 0) instead
            # of returning the error; after conval at the same point it reports it (PyNumero
            # raises PyNumeroEvaluationError).  At a point where F(x) was just evaluated
            # (the usual order) the values come from PyNumero's cache (:meth:`_set` keeps it).
            self.nlp.evaluate_constraints()
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
        """``T_i(x) = sum_k |c_k t_k(x)|`` over the additive terms of each row (:func:`trade_opt.mcp.terms.row_terms`).

        All non-constant terms of all rows are one compiled PyNumero/ASL vector (built once in
        :func:`trade_opt.mcp.system.build_system`), summed per row with ``np.add.at`` in term
        order; where ASL cannot evaluate the point, the terms are evaluated in Python so that only
        the failing rows are ``inf``.  The scale to which ``F_i`` is computable in floating point, used by the
        acceptance rule (:class:`trade_opt.mcp.residual.Acceptance`).  Systems evaluated by
        expression templates take the magnitudes from the same forward pass as ``F``.

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        numpy.ndarray
            T_i >= 0 per row, shape (n,); ``inf`` where a row cannot be evaluated.
        """
        if self.templates is not None:
            return self.templates.term_sums(np.asarray(x, dtype=float))
        if self._term_rowwise is not None and self.term_nlp is not None:
            self.term_nlp.set_primals(x[self._term_xperm])
            try:
                with np.errstate(all="ignore"):
                    g = np.asarray(self.term_nlp.evaluate_constraints())[self._term_g] + self._term_lb
            except (PyNumeroEvaluationError, ArithmeticError, ValueError):
                g = None  # ASL fails the whole vector: the per-term Python path marks only failing rows
            if g is not None:
                out = self._term_row_const.copy()
                out[self._term_rowwise] += g
                out[~np.isfinite(out)] = math.inf
                return out
        values = self._term_value.copy()
        live = self._term_live
        if live.size:
            g = None
            if self.term_nlp is not None and self._term_rowwise is None:
                self.term_nlp.set_primals(x[self._term_xperm])
                try:
                    with np.errstate(all="ignore"):
                        g = np.asarray(self.term_nlp.evaluate_constraints())[self._term_g] + self._term_lb
                except (PyNumeroEvaluationError, ArithmeticError, ValueError):
                    g = None
            if g is None:  # Python path: one expression sum_k |c_k t_k| per row (Vars put back after)
                return self._python_term_sums(x)
            values[live] = g
        with np.errstate(all="ignore"):
            mags = np.abs(self._term_coef * values)
        out = np.zeros(self.n)
        np.add.at(out, self._term_row, mags)
        out[~np.isfinite(out)] = math.inf
        return out

    def _python_term_sums(self, x: np.ndarray) -> np.ndarray:
        """``term_sums`` evaluated by Pyomo at ``x``, one expression per row (built once)."""
        if self._row_sum_exprs is None:
            self._row_sum_exprs = [sum(abs(c * t) for c, t in terms) for terms in self.term_exprs]
        before = [v.value for v in self.work_vars]
        self.load_work(x)
        out = np.empty(self.n)
        for i, expr in enumerate(self._row_sum_exprs):
            try:
                out[i] = float(pyo.value(expr))
            except (ArithmeticError, ValueError, TypeError):
                out[i] = math.inf
        for v, value in zip(self.work_vars, before):
            v.set_value(value, skip_validation=True)
        out[~np.isfinite(out)] = math.inf
        return out

    def restore(self) -> None:
        """Give every user Var touched by the solve its value and bounds of before the call.

        Returns
        -------
        None
        """
        for v, value, lb, ub in self._saved:
            v.setlb(lb)
            v.setub(ub)
            v.set_value(value, skip_validation=True)

    # --- values -----------------------------------------------------------------------------
    def current_x(self) -> np.ndarray:
        """``x`` from the current values of the system's Vars (None -> 0 projected onto the bounds).

        Returns
        -------
        numpy.ndarray
            Unknowns in system order, shape (n,).
        """
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
        """``x`` from the user's model values.

        Unset values: the projection of 0 onto the bounds; slacks: their defining expression.

        Returns
        -------
        numpy.ndarray
            Unknowns in system order, shape (n,).
        """
        x = np.array([0.0 if v is None or v.value is None else float(v.value) for v in self.orig_vars])
        x = self._project_missing(x, [v is not None and v.value is None for v in self.orig_vars])
        self.load_work(x)
        for k, pair in enumerate(self.pairs):
            if pair.kind == "slack":
                x[k] = float(pyo.value(pair.slack_expr))
        return x

    def load_work(self, x: np.ndarray) -> None:
        """Write ``x`` into the system's Vars (the user's, restored by :meth:`restore`).

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        None
        """
        for v, value in zip(self.work_vars, x):
            v.set_value(float(value), skip_validation=True)

    def load_model(self, x: np.ndarray) -> None:
        """Write ``x`` into the user's model variables (slacks are not user variables).

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        None
        """
        for v, value in zip(self.orig_vars, x):
            if v is not None:
                v.set_value(float(value), skip_validation=True)

    def values(self, x: np.ndarray) -> dict[str, float]:
        """User variable name -> value.

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order (complementarity variables in pair order, then free variables), shape (n,).

        Returns
        -------
        dict of str to float
            Values of the user's variables (slacks left out).
        """
        return {name: float(value) for name, value, v in zip(self.names, x, self.orig_vars) if v is not None}

    def index_of(self, key: Any) -> int:
        """Position in ``x`` of a user VarData or its name (``"n[2]"``).

        Parameters
        ----------
        key : VarData or str
            The variable or its name.

        Returns
        -------
        int
            Index into ``x``.

        Raises
        ------
        TradeOptError
            If ``key`` is not an unfixed variable of the MCP.
        """
        name = key.name if isinstance(key, VarData) else str(key)
        try:
            return self._name_index[name]
        except KeyError:
            raise TradeOptError(f"start names unknown variable {name!r} (not an unfixed variable of the MCP)") from None
