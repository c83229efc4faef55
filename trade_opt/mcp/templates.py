"""Vectorized evaluation of many Pyomo expressions, grouped by expression template.

Large MCPs repeat a few expression *shapes* many times: the rows of one indexed Constraint differ
only in their leaves (which variable, which number), and a long sum usually adds terms of one
shape.  This module reads every row's expression tree once (no ``.nl`` file, no ASL), groups the
rows by shape, and evaluates each group with numpy over all its rows at once:

* a row is encoded by one depth-first walk into an *op sequence* (node types and arities;
  :mod:`trade_opt.mcp.shapes`) and its leaves (numbers, fixed Vars and Params as numbers; unfixed Vars as columns of ``x``);
  rows with equal op sequences form one group, whose leaves become a ``(rows, leaves)`` array;
* the group's template tree is compressed: a run of identically shaped summands becomes one
  *reduce* node evaluated on a ``(rows, terms, leaves)`` view and summed over the terms axis
  (Kim J = 100: ~1.5 million expression nodes become a few hundred numpy operations);
* values by one forward pass, the exact Jacobian by reverse-mode differentiation of the
  template (adjoints of every variable leaf, scattered into a CSR matrix whose pattern and
  duplicate-summing map are computed once);
* the term magnitudes ``sum_k |c_k t_k|`` of the acceptance rule
  (:mod:`trade_opt.mcp.terms`: sums, negations and products/quotients by constants opened) from
  the same forward values.

Expressions with other node types (``Expr_if``, external functions, ``max``/``min``, ``floor``)
raise :class:`Unsupported`, and :func:`trade_opt.mcp.system.build_system` compiles the system
with PyNumero/ASL instead.  Named ``Expression`` components are inlined.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from trade_opt.mcp.shapes import FUNCTIONS, Node, Unsupported, encode, parse, tree_size

__all__ = ["TemplateEvaluator", "Unsupported"]

#: Give up when the grouped templates still have more nodes than this (rows that share no shape:
#: numpy would then evaluate node by node, slower than ASL's compiled code).
MAX_EVALUATION_NODES = 5000


# --- evaluation ---------------------------------------------------------------------------------------------
def _fwd(node: Node, C: np.ndarray, X: np.ndarray, cache: dict) -> np.ndarray:
    """Values of ``node`` over the leading axes of its leaf arrays (stored in ``cache``)."""
    op = node.op
    if op == "c":
        value = C[..., 0]
    elif op == "v":
        value = X[..., 0]
    elif op == "r":
        child, k = node.children[0], node.k
        shape = C.shape[:-1] + (k,)
        value = _fwd(child, C.reshape(shape + (child.nc,)), X.reshape(shape + (child.nv,)), cache).sum(axis=-1)
    else:
        vals = [_fwd(ch, C[..., a:a + ch.nc], X[..., b:b + ch.nv], cache)
                for ch, (a, b) in zip(node.children, node.offsets)]
        if op == "s":
            value = vals[0]
            for v in vals[1:]:
                value = value + v
        elif op == "*":
            value = vals[0] * vals[1]
        elif op == "/":
            value = vals[0] / vals[1]
        elif op == "^":
            value = np.power(vals[0], vals[1])
        elif op == "-":
            value = -vals[0]
        else:
            value = FUNCTIONS[op][0](vals[0])
    cache[id(node)] = value
    return value


def _bwd(node: Node, C: np.ndarray, X: np.ndarray, G: np.ndarray, adj: Any, cache: dict) -> None:
    """Add ``adj * d node / d leaf`` to the variable-leaf adjoints ``G`` (same shape as ``X``)."""
    if not node.has_var:
        return
    op = node.op
    if op == "v":
        G[..., 0] += adj
        return
    if op == "r":
        child, k = node.children[0], node.k
        shape = C.shape[:-1] + (k,)
        sub = G.reshape(shape + (child.nv,))
        write_back = not np.may_share_memory(sub, G)  # reshape made a copy: write it back
        _bwd(child, C.reshape(shape + (child.nc,)), X.reshape(shape + (child.nv,)), sub,
             np.broadcast_to(np.asarray(adj)[..., None], shape), cache)
        if write_back:
            G[...] = sub.reshape(G.shape)
        return
    parts = [(ch, C[..., a:a + ch.nc], X[..., b:b + ch.nv], G[..., b:b + ch.nv])
             for ch, (a, b) in zip(node.children, node.offsets)]
    if op == "s":
        for ch, c, x, g in parts:
            _bwd(ch, c, x, g, adj, cache)
        return
    if op == "-":
        ch, c, x, g = parts[0]
        _bwd(ch, c, x, g, -adj, cache)
        return
    if op in ("*", "/", "^"):
        (a, ca, xa, ga), (b, cb, xb, gb) = parts
        va, vb = cache[id(a)], cache[id(b)]
        if op == "*":
            da, db = vb, va
        elif op == "/":
            da = 1.0 / vb
            db = -cache[id(node)] / vb
        else:
            da = vb * np.power(va, vb - 1.0) if a.has_var else None
            db = cache[id(node)] * np.log(va) if b.has_var else None
        if a.has_var:
            _bwd(a, ca, xa, ga, adj * da, cache)
        if b.has_var:
            _bwd(b, cb, xb, gb, adj * db, cache)
        return
    ch, c, x, g = parts[0]  # a unary function
    _bwd(ch, c, x, g, adj * FUNCTIONS[op][1](cache[id(ch)], cache[id(node)]), cache)


def _terms(node: Node, C: np.ndarray, X: np.ndarray, coef: Any, cache: dict) -> np.ndarray:
    """``sum_k |coef c_k t_k|`` over the additive terms of ``node`` (as :func:`trade_opt.mcp.terms.row_terms`
    opens them: sums, negations, products and quotients by constants), from the forward values."""
    op = node.op
    if op == "r":
        child, k = node.children[0], node.k
        shape = C.shape[:-1] + (k,)
        return _terms(child, C.reshape(shape + (child.nc,)), X.reshape(shape + (child.nv,)),
                      np.asarray(coef)[..., None], cache).sum(axis=-1)
    if op in ("s", "-") or (op in ("*", "/") and node.has_var):
        parts = [(ch, C[..., a:a + ch.nc], X[..., b:b + ch.nv]) for ch, (a, b) in zip(node.children, node.offsets)]
        if op == "s":
            total = 0.0
            for ch, c, x in parts:
                total = total + _terms(ch, c, x, coef, cache)
            return total
        if op == "-":
            ch, c, x = parts[0]
            return _terms(ch, c, x, -coef, cache)
        (a, ca, xa), (b, cb, xb) = parts
        if op == "*" and not a.has_var:
            return _terms(b, cb, xb, coef * cache[id(a)], cache)
        if op == "*" and not b.has_var:
            return _terms(a, ca, xa, coef * cache[id(b)], cache)
        if op == "/" and not b.has_var:
            vb = cache[id(b)]
            with np.errstate(all="ignore"):
                return np.where(vb != 0, _terms(a, ca, xa, coef / np.where(vb != 0, vb, 1.0), cache),
                                np.abs(coef * cache[id(node)]))
    return np.abs(coef * cache[id(node)])


class _Group:
    """Rows of one op sequence: their template, leaf arrays and positions in the system."""

    def __init__(self, rows: np.ndarray, root: Node, consts: np.ndarray, columns: np.ndarray):
        self.rows, self.root, self.consts, self.columns = rows, root, consts, columns

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
        X = x[self.columns]
        cache: dict = {}
        return _fwd(self.root, self.consts, X, cache), X, cache


class TemplateEvaluator:
    """All rows ``expr_i - rhs_i`` of a system, evaluated by expression templates (module docstring).

    Parameters
    ----------
    exprs : sequence of Pyomo expressions, one per row.
    rhs : array of constants subtracted from the rows.
    columns : VarData in ``x`` order; unfixed Vars met in the rows but not listed are appended
        (in order of first appearance) and returned by :attr:`extra_vars`.

    Raises
    ------
    Unsupported
        For an expression node type without a template (the caller uses PyNumero/ASL).
    """

    def __init__(self, exprs: Sequence[Any], rhs: np.ndarray, columns: Sequence[Any]):
        kinds: dict = {}
        count = [0]
        by_shape: dict[tuple, list] = {}
        for i, expr in enumerate(exprs):
            ops, consts, variables = encode(expr, kinds, count)
            key = tuple(ops)
            entry = by_shape.get(key)
            if entry is None:
                by_shape[key] = entry = [[], [], []]
            entry[0].append(i)
            entry[1].append(consts)
            entry[2].append(variables)
        position = {id(v): k for k, v in enumerate(columns)}
        self.extra_vars: list[Any] = []
        signatures: dict = {}
        self.groups: list[_Group] = []
        for key, (rows, consts, variables) in by_shape.items():
            root = parse(key, signatures)
            try:
                const_arr = np.array(consts, dtype=float).reshape(len(rows), root.nc)
            except (TypeError, ValueError):
                raise Unsupported("a constant leaf without a numeric value") from None
            flat = [v for row in variables for v in row]
            ids = list(map(id, flat))
            for i, v in dict(zip(ids, flat)).items():  # unfixed Vars not in ``columns``, first seen first
                if i not in position:
                    position[i] = len(columns) + len(self.extra_vars)
                    self.extra_vars.append(v)
            cols = np.fromiter(map(position.__getitem__, ids), dtype=np.int64,
                               count=len(ids)).reshape(len(rows), root.nv)
            self.groups.append(_Group(np.asarray(rows, dtype=np.int64), root, const_arr, cols))
        self.n_rows = len(exprs)
        self.rhs = np.asarray(rhs, dtype=float)
        self.template_nodes = len(signatures)
        self.expression_nodes = count[0]
        self.evaluation_nodes = sum(tree_size(g.root) for g in self.groups)
        self._pattern: tuple | None = None
        if self.evaluation_nodes > MAX_EVALUATION_NODES:
            raise Unsupported(f"{len(self.groups)} row shapes with {self.evaluation_nodes} template nodes "
                              f"(more than {MAX_EVALUATION_NODES}: ASL evaluates such rows faster)")

    def values(self, x: np.ndarray) -> np.ndarray:
        """``expr_i(x) - rhs_i`` (non-finite where the expression cannot be evaluated).

        Parameters
        ----------
        x : numpy.ndarray
            Values of the columns (system unknowns, then the evaluator's extra variables), shape
            (n_cols,).

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,): each row's value minus its right-hand side.
        """
        out = np.empty(self.n_rows)
        with np.errstate(all="ignore"):
            for g in self.groups:
                value, _, _ = g.forward(x)
                out[g.rows] = value
            return out - self.rhs

    def _csr_pattern(self, n_cols: int):
        rows = np.concatenate([np.repeat(g.rows, g.root.nv) for g in self.groups]) if self.groups else np.zeros(0, int)
        cols = np.concatenate([g.columns.ravel() for g in self.groups]) if self.groups else np.zeros(0, int)
        keys, inverse = np.unique(rows * n_cols + cols, return_inverse=True)
        indptr = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys // n_cols, minlength=self.n_rows), out=indptr[1:])
        return keys % n_cols, indptr, inverse.ravel(), keys.size

    def jacobian(self, x: np.ndarray, n_cols: int) -> tuple[sp.csr_matrix, bool]:
        """Exact ``d rows / d x`` (reverse mode on each template; duplicate leaves summed), and
        whether every row value was finite at ``x``.

        Parameters
        ----------
        x : numpy.ndarray
            Column values, shape (n_cols,).
        n_cols : int
            Number of columns of the Jacobian (its sparsity pattern is computed once, on the
            first call, for this width).

        Returns
        -------
        jacobian : scipy.sparse.csr_matrix
            Shape (n_rows, n_cols).
        finite : bool
            True when every row value was finite at ``x``.
        """
        if self._pattern is None:
            self._pattern = self._csr_pattern(n_cols)
        indices, indptr, inverse, nnz = self._pattern
        pieces = []
        finite = True
        with np.errstate(all="ignore"):
            for g in self.groups:
                value, X, cache = g.forward(x)
                finite = finite and bool(np.all(np.isfinite(value)))
                G = np.zeros_like(X)
                _bwd(g.root, g.consts, X, G, np.ones(X.shape[:-1]), cache)
                pieces.append(G.ravel())
        coo = np.concatenate(pieces) if pieces else np.zeros(0)
        data = np.bincount(inverse, weights=coo, minlength=nnz) if nnz else np.zeros(0)
        return sp.csr_matrix((data, indices.copy(), indptr.copy()), shape=(self.n_rows, n_cols)), finite

    def term_sums(self, x: np.ndarray) -> np.ndarray:
        """``sum_k |c_k t_k(x)|`` per row plus ``|rhs_i|`` (:mod:`trade_opt.mcp.terms`); inf where not finite.

        Parameters
        ----------
        x : numpy.ndarray
            Column values, shape (n_cols,).

        Returns
        -------
        numpy.ndarray
            Shape (n_rows,): the term magnitudes sigma_i of the acceptance rule (before max(1, .)).
        """
        out = np.empty(self.n_rows)
        with np.errstate(all="ignore"):
            for g in self.groups:
                _, X, cache = g.forward(x)
                out[g.rows] = _terms(g.root, g.consts, X, 1.0, cache)
            out = out + np.abs(self.rhs)
        out[~np.isfinite(out)] = math.inf
        return out
