"""Expression shapes: reading Pyomo expression trees into op sequences and template trees.

One depth-first walk of a row's tree (:func:`encode`) gives its *op sequence* (node types and
arities; numbers, fixed Vars, Params and NPV sub-expressions are constant leaves, unfixed Vars
variable leaves) and its leaves; the summands of long sums are put in a canonical order (a sum is
commutative).  Rows with equal op sequences share one *template tree* (:func:`parse`), in which a
run of identically shaped summands becomes one *reduce* node.  :mod:`trade_opt.mcp.templates`
evaluates the templates with numpy.  Named ``Expression`` components are inlined; other node types
(``Expr_if``, external functions, ``max``/``min``, ``floor``) raise :class:`Unsupported`.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import (DivisionExpression, MonomialTermExpression, NegationExpression, PowExpression,
                                          ProductExpression, SumExpression, UnaryFunctionExpression)

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
            if name not in FUNCTIONS:
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


def encode(expr: Any, kinds: dict, count: list[int]) -> tuple[list, list, list]:
    """One row: op sequence, constant leaves, variable leaves (see :func:`_walk`).

    Parameters
    ----------
    expr : Pyomo expression
        The row's expression tree.
    kinds : dict
        Cache node class -> node kind, shared across rows (filled as classes are met).
    count : list of int
        One-element running total of op codes over all rows encoded so far (updated in place).

    Returns
    -------
    ops : list
        Op codes in walk order: ``"c"``/``"v"`` for constant/variable leaves, ``"s<k>"`` for a
        k-term sum, ``"*"``, ``"/"``, ``"^"``, unary operators and function names.
    consts : list of float
        Constant leaf values, in walk order.
    variables : list of VarData
        Unfixed variable leaves, in walk order.

    Raises
    ------
    Unsupported
        A node the templates do not evaluate, or more than :data:`MAX_NODES` nodes in all rows.
    """
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


FUNCTIONS = {  # name -> (numpy function, derivative(argument, value))
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


class Node:
    """A template node; ``nc``/``nv``: its constant/variable leaves, addressed from 0 within it.

    Parameters
    ----------
    op : str
        ``"c"``, ``"v"``, ``"s"`` (sum), ``"r"`` (reduce: ``k`` equal-shaped summands), a binary
        operator or a function name.
    children : sequence of Node
        Operands (``offsets`` gives each one's first constant and variable leaf within this node).
    nc, nv : int
        Number of constant / variable leaves under the node.
    sig : int, optional
        Shape signature: equal for equal subtrees.
    k : int
        Number of summands of a reduce node.
    """

    __slots__ = ("op", "children", "offsets", "nc", "nv", "sig", "has_var", "k")

    def __init__(self, op, children=(), nc=0, nv=0, sig=None, k=0):
        self.op, self.children, self.nc, self.nv, self.sig, self.k = op, list(children), nc, nv, sig, k
        self.offsets: list[tuple[int, int]] = []
        self.has_var = nv > 0


def parse(ops: Sequence, signatures: dict) -> Node:
    """The template tree of one op sequence (iterative: no recursion limit on deep expressions).

    Parameters
    ----------
    ops : sequence
        An op sequence from :func:`encode`.
    signatures : dict
        Shape key -> signature number, shared across rows (filled in place) so equal subtrees of
        different rows get equal ``sig``.

    Returns
    -------
    Node
        The root; runs of two or more identically shaped summands are reduce nodes.

    Raises
    ------
    Unsupported
        The sequence is malformed (an operator left without operands).
    """
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
            node = Node("c", nc=1, sig=sig_of(("c",)))
        elif code == "v":
            node = Node("v", nv=1, sig=sig_of(("v",)))
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


def _make(code: str, children: list[Node], sig_of) -> Node:
    """A node over its operands (in sequence order, i.e. as their leaves are stored); a run of
    >= 2 identically shaped summands becomes a reduce node."""
    if code == "s":
        grouped: list[Node] = []
        i = 0
        while i < len(children):
            j = i
            while j + 1 < len(children) and children[j + 1].sig == children[i].sig:
                j += 1
            if j > i:
                child = children[i]
                k = j - i + 1
                grouped.append(Node("r", [child], nc=k * child.nc, nv=k * child.nv,
                                     sig=sig_of(("r", child.sig, k)), k=k))
            else:
                grouped.append(children[i])
            i = j + 1
        children = grouped
        if len(children) == 1:
            return children[0]
    node = Node(code, children, nc=sum(c.nc for c in children), nv=sum(c.nv for c in children),
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


def tree_size(root: Node) -> int:
    """Nodes of a template tree (a reduce node and its one child: the numpy operations per evaluation).

    Parameters
    ----------
    root : Node
        A template tree (:func:`parse`).

    Returns
    -------
    int
        Number of nodes, a reduce node's child counted once.
    """
    size, stack = 0, [root]
    while stack:
        node = stack.pop()
        size += 1
        stack.extend(node.children)
    return size
