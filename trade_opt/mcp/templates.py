"""Vectorized evaluation of many Pyomo expressions, grouped by expression template.

Large MCPs repeat a few expression *shapes* many times: the rows of one indexed Constraint differ
only in their leaves (which variable, which number), and a long sum usually adds terms of one
shape.  This module reads every row's expression tree once (no ``.nl`` file, no ASL), groups the
rows by shape, and evaluates each group with numpy over all its rows at once:

* a row is encoded by one depth-first walk into an *op sequence* (node types and arities) and
  its leaves (numbers, fixed Vars and Params as numbers; unfixed Vars as columns of ``x``);
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
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import (DivisionExpression, MonomialTermExpression, NegationExpression, PowExpression,
                                          ProductExpression, SumExpression, UnaryFunctionExpression)

#: Give up when the grouped templates still have more nodes than this (rows that share no shape:
#: numpy would then evaluate node by node, slower than ASL's compiled code).
MAX_EVALUATION_NODES = 5000
#: Give up (PyNumero/ASL compiles the system instead) past this many expression nodes in all
#: rows (named Expressions shared by many rows are inlined: a tree can be much larger than the DAG).
MAX_NODES = 20_000_000

_CONST, _VAR, _SUM, _PROD, _DIV, _POW, _NEG, _FUNC, _NPV, _NAMED, _BOUND, _END, _MONO = range(13)


#: VarData classes met so far (the monomial shortcut of :func:`_walk` checks the class only).
_VAR_CLASSES: set = set()


class Unsupported(Exception):
    """An expression node the templates do not evaluate (the caller falls back to PyNumero/ASL)."""


# --- one row -> (ops, constants, variables) -----------------------------------------------------------------
def _classify(node: Any) -> int:
    cls = node.__class__
    if cls is list:  # the walk's own marks (see _walk)
        return _BOUND
    if cls is tuple:
        return _END
    if cls in native_numeric_types:
        return _CONST
    if isinstance(node, VarData):
        _VAR_CLASSES.add(cls)
        return _VAR
    if getattr(node, "is_named_expression_type", lambda: False)():
        return _NAMED
    if not node.is_potentially_variable():
        return _NPV  # Params, NPV expressions: numbers
    if isinstance(node, SumExpression):
        return _SUM
    if isinstance(node, MonomialTermExpression):
        return _MONO
    if isinstance(node, ProductExpression):
        return _PROD
    if isinstance(node, DivisionExpression):
        return _DIV
    if isinstance(node, PowExpression):
        return _POW
    if isinstance(node, NegationExpression):
        return _NEG
    if isinstance(node, UnaryFunctionExpression):  # the function's name is checked per node
        return _FUNC
    raise Unsupported(f"{cls.__name__} ({node.getname() if hasattr(node, 'getname') else ''})")


#: Sums with at least this many summands have their summands ordered by shape (a sum is
#: commutative), so rows whose summands differ in order (Kim: the diagonal term T = 1, whose
#: ``log T = 0`` Pyomo drops, sits at the row's own index) share one template.  Shorter sums (the
#: linear forms inside ``exp``) keep the order they were written in: sorting them cost Kim J = 100
#: a quarter of the walk.
SORT_MIN_ARGS = 5


def _walk(root: Any, ops: list, consts: list, variables: list, kinds: dict) -> None:
    """Depth-first walk of one expression into ``ops`` (operand sequences follow their operator,
    the operands of ``* / ^`` last to first) and its leaves.

    The summands of a sum with :data:`SORT_MIN_ARGS` or more terms are put in a canonical order
    (by op sequence): the walk pushes a boundary mark (the sum's frame, a list of positions)
    between summands and an end mark (a 1-tuple holding the frame) after the last one.
    """
    op, const, var = ops.append, consts.append, variables.append
    var_classes = _VAR_CLASSES
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        kind = kinds.get(node.__class__)
        if kind is None:
            kind = kinds[node.__class__] = _classify(node)
        if kind == _VAR:
            if node.fixed:
                op("c")
                const(node.value)
            else:
                op("v")
                var(node)
        elif kind == _MONO:  # coefficient * Var, the commonest node: both leaves here when they are plain
            coef, v = node._args_
            op("*")
            if v.__class__ in var_classes:
                if v.fixed:
                    op("c")
                    const(v.value)
                else:
                    op("v")
                    var(v)
            else:
                extend(node._args_)  # the Var popped first (second operand first, as for any product)
                continue
            if coef.__class__ in native_numeric_types:
                op("c")
                const(coef)
            else:
                push(coef)
        elif kind == _PROD:
            op("*")
            extend(node._args_)
        elif kind == _CONST:
            op("c")
            const(node)
        elif kind == _SUM:
            args = node.args
            op("s%d" % len(args))
            if len(args) < SORT_MIN_ARGS:
                extend(args)
                continue
            frame = [(len(ops), len(consts), len(variables))]
            push((frame,))
            for arg in reversed(args[1:]):
                push(arg)
                push(frame)
            push(args[0])
        elif kind == _BOUND:
            node.append((len(ops), len(consts), len(variables)))
        elif kind == _END:
            frame = node[0]
            frame.append((len(ops), len(consts), len(variables)))
            _sort_summands(frame, ops, consts, variables)
        elif kind == _FUNC:
            name = node.getname()
            if name not in _FUNCS:
                raise Unsupported(f"function {name}")
            op(name)
            push(node._args_[0])
        elif kind == _DIV:
            op("/")
            extend(node._args_)
        elif kind == _POW:
            op("^")
            extend(node._args_)
        elif kind == _NEG:
            op("-")
            push(node._args_[0])
        elif kind == _NAMED:
            push(node.expr)
        else:  # _NPV
            op("c")
            const(pyo.value(node))


def _sort_summands(frame: list, ops: list, consts: list, variables: list) -> None:
    """Reorder the summands between the frame's positions by their op sequences (stable)."""
    parts = []
    for (o0, c0, v0), (o1, c1, v1) in zip(frame, frame[1:]):
        parts.append((tuple(ops[o0:o1]), consts[c0:c1], variables[v0:v1]))
    parts.sort(key=_first)
    o0, c0, v0 = frame[0]
    del ops[o0:], consts[c0:], variables[v0:]
    for o, c, v in parts:
        ops.extend(o)
        consts.extend(c)
        variables.extend(v)


def _first(part: tuple) -> tuple:
    return part[0]


def _encode(expr: Any, kinds: dict, count: list[int]) -> tuple[list, list, list]:
    """One row: op sequence, constant leaves, variable leaves (see :func:`_walk`)."""
    ops: list = []
    consts: list = []
    variables: list = []
    _walk(expr, ops, consts, variables, kinds)
    count[0] += len(ops)
    if count[0] > MAX_NODES:
        raise Unsupported(f"more than {MAX_NODES} expression nodes")
    return ops, consts, variables


# --- template trees -------------------------------------------------------------------------------------------
def _d_sqrt(a, v):
    return 0.5 / v


_FUNCS = {  # name -> (numpy function, derivative(argument, value))
    "exp": (np.exp, lambda a, v: v),
    "log": (np.log, lambda a, v: 1.0 / a),
    "log10": (np.log10, lambda a, v: 1.0 / (a * math.log(10.0))),
    "sqrt": (np.sqrt, _d_sqrt),
    "sin": (np.sin, lambda a, v: np.cos(a)),
    "cos": (np.cos, lambda a, v: -np.sin(a)),
    "tan": (np.tan, lambda a, v: 1.0 + v * v),
    "asin": (np.arcsin, lambda a, v: 1.0 / np.sqrt(1.0 - a * a)),
    "acos": (np.arccos, lambda a, v: -1.0 / np.sqrt(1.0 - a * a)),
    "atan": (np.arctan, lambda a, v: 1.0 / (1.0 + a * a)),
    "sinh": (np.sinh, lambda a, v: np.cosh(a)),
    "cosh": (np.cosh, lambda a, v: np.sinh(a)),
    "tanh": (np.tanh, lambda a, v: 1.0 - v * v),
    "asinh": (np.arcsinh, lambda a, v: 1.0 / np.sqrt(a * a + 1.0)),
    "acosh": (np.arccosh, lambda a, v: 1.0 / np.sqrt(a * a - 1.0)),
    "atanh": (np.arctanh, lambda a, v: 1.0 / (1.0 - a * a)),
    "abs": (np.abs, lambda a, v: np.sign(a)),
}


class _Node:
    """A template node; ``nc``/``nv``: its constant/variable leaves, addressed from 0 within it."""

    __slots__ = ("op", "children", "offsets", "nc", "nv", "sig", "has_var", "k")

    def __init__(self, op, children=(), nc=0, nv=0, sig=None, k=0):
        self.op, self.children, self.nc, self.nv, self.sig, self.k = op, list(children), nc, nv, sig, k
        self.offsets: list[tuple[int, int]] = []
        self.has_var = nv > 0


def _parse(ops: Sequence, signatures: dict) -> _Node:
    """The template tree of one op sequence (iterative: no recursion limit on deep expressions)."""
    pos = 0

    def sig_of(key):
        return signatures.setdefault(key, len(signatures))

    stack: list[list] = []  # open operators: [code, arity, operands in sequence order]
    result = None
    n_ops = len(ops)
    while pos < n_ops:
        code = ops[pos]
        pos += 1
        if code == "c":
            node = _Node("c", nc=1, sig=sig_of(("c",)))
        elif code == "v":
            node = _Node("v", nv=1, sig=sig_of(("v",)))
        else:
            if code[0] == "s" and code[1:].isdigit():
                arity = int(code[1:])
                code = "s"
            elif code in ("*", "/", "^"):
                arity = 2
            else:
                arity = 1
            stack.append([code, arity, []])
            continue
        while True:  # attach the finished node, closing every operator it completes
            if not stack:
                result = node
                break
            frame = stack[-1]
            frame[2].append(node)
            if len(frame[2]) < frame[1]:
                break
            stack.pop()
            node = _make(frame[0], frame[2], sig_of)
    if result is None or stack:
        raise Unsupported("malformed expression encoding")
    return result


def _make(code: str, children: list[_Node], sig_of) -> _Node:
    """A node over its operands (in sequence order, i.e. as their leaves are stored); a run of
    >= 2 identically shaped summands becomes a reduce node."""
    if code == "s":
        grouped: list[_Node] = []
        i = 0
        while i < len(children):
            j = i
            while j + 1 < len(children) and children[j + 1].sig == children[i].sig:
                j += 1
            if j > i:
                child = children[i]
                k = j - i + 1
                grouped.append(_Node("r", [child], nc=k * child.nc, nv=k * child.nv,
                                     sig=sig_of(("r", child.sig, k)), k=k))
            else:
                grouped.append(children[i])
            i = j + 1
        children = grouped
        if len(children) == 1:
            return children[0]
    node = _Node(code, children, nc=sum(c.nc for c in children), nv=sum(c.nv for c in children),
                 sig=sig_of((code,) + tuple(c.sig for c in children)))
    c_off = v_off = 0
    for child in children:
        node.offsets.append((c_off, v_off))
        c_off += child.nc
        v_off += child.nv
    if code in ("*", "/", "^"):  # the walk stored the second operand first
        node.children.reverse()
        node.offsets.reverse()
    return node


# --- evaluation ---------------------------------------------------------------------------------------------
def _fwd(node: _Node, C: np.ndarray, X: np.ndarray, cache: dict) -> np.ndarray:
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
            value = _FUNCS[op][0](vals[0])
    cache[id(node)] = value
    return value


def _bwd(node: _Node, C: np.ndarray, X: np.ndarray, G: np.ndarray, adj: Any, cache: dict) -> None:
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
    _bwd(ch, c, x, g, adj * _FUNCS[op][1](cache[id(ch)], cache[id(node)]), cache)


def _terms(node: _Node, C: np.ndarray, X: np.ndarray, coef: Any, cache: dict) -> np.ndarray:
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


def _tree_size(root: _Node) -> int:
    """Nodes of a template tree (a reduce node and its one child: the numpy operations per evaluation)."""
    size, stack = 0, [root]
    while stack:
        node = stack.pop()
        size += 1
        stack.extend(node.children)
    return size


class _Group:
    """Rows of one op sequence: their template, leaf arrays and positions in the system."""

    def __init__(self, rows: np.ndarray, root: _Node, consts: np.ndarray, columns: np.ndarray):
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
            ops, consts, variables = _encode(expr, kinds, count)
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
            root = _parse(key, signatures)
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
        self.evaluation_nodes = sum(_tree_size(g.root) for g in self.groups)
        self._pattern: tuple | None = None
        if self.evaluation_nodes > MAX_EVALUATION_NODES:
            raise Unsupported(f"{len(self.groups)} row shapes with {self.evaluation_nodes} template nodes "
                              f"(more than {MAX_EVALUATION_NODES}: ASL evaluates such rows faster)")

    def values(self, x: np.ndarray) -> np.ndarray:
        """``expr_i(x) - rhs_i`` (non-finite where the expression cannot be evaluated)."""
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
        whether every row value was finite at ``x``."""
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
        """``sum_k |c_k t_k(x)|`` per row plus ``|rhs_i|`` (:mod:`trade_opt.mcp.terms`); inf where not finite."""
        out = np.empty(self.n_rows)
        with np.errstate(all="ignore"):
            for g in self.groups:
                _, X, cache = g.forward(x)
                out[g.rows] = _terms(g.root, g.consts, X, 1.0, cache)
            out = out + np.abs(self.rhs)
        out[~np.isfinite(out)] = math.inf
        return out
