"""Reading ``pyomo.mpec`` Complementarity components into standard MCP pairs.

A mixed complementarity problem (Dirkse & Ferris 1995; Ferris & Pang 1997, SIAM Review 39) pairs
each variable with one function: find ``lb <= x <= ub`` such that for every pair ``i``

* ``x_i = lb_i``  and ``F_i(x) >= 0``, or
* ``x_i = ub_i``  and ``F_i(x) <= 0``, or
* ``lb_i < x_i < ub_i`` and ``F_i(x) = 0``.

:func:`complementarity_pairs` turns every active ``Complementarity`` data object into one
:class:`Pair` ``(var, expr, lb, ub)`` in this standard orientation.  Each side is read as Pyomo's
``_canonical_expression`` does (``(lo, body, hi)``; ``(rhs, body)`` for an equality); infinite or
missing ends are no bound.  Supported forms (``x`` a Var, ``g`` expressions, ``a, b, l, u``
constants), in either order:

==============================================  ==========================================  =========
``complements(...)``                              standard pair                                kind
==============================================  ==========================================  =========
``x >= a, g >= b``  (or ``g <= b``)               ``a <= x`` with F = g - b (b - g)            lower
``x <= a, g >= b``  (or ``g <= b``)               ``x <= a`` with F = b - g (g - b)            upper
``inequality(l, x, u), g`` (an end may be inf)    ``l <= x <= u`` with F = g                   box/lower/upper
``x, 0 <= g`` / ``x, g <= 0``                     x's *declared* bound (domain, bounds=) perp  lower/upper
``x, g``                                          x's declared bounds (none: free) perp F = g  any
``x, g == b``                                     ``x`` free with F = g - b                    free
``inequality(l, g1, u), g2``                      slack ``s = g1`` in ``[l, u]`` perp F = g2     slack
``g1 >= a, g2 >= b`` (no Var side)                slack ``s = g1 - a >= 0`` perp F = g2 - b     slack
``g == b, h`` (h no Var)                          the equation ``g = b`` (Pyomo ignores h)     equation
==============================================  ==========================================  =========

Slack variables exist only in the solver's evaluator model.  A pair whose variable is *fixed* is
dropped together with its function (the GAMS convention: fixing a numeraire price drops its
market).  Anything else raises :class:`~trade_opt.errors.TradeOptError` naming the component and
the forms of its two sides.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.var import VarData
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from pyomo.mpec import Complementarity

from trade_opt.errors import TradeOptError


@dataclass(frozen=True)
class Pair:
    """One standard MCP pair ``lb <= var <= ub  perp  expr``.

    Attributes
    ----------
    name : str
        The Complementarity data object's name, e.g. ``"cc[2]"``.
    var : VarData or None
        The complementarity variable (None for the ``slack`` kind, whose variable exists only in
        the solver's copy).
    expr : Pyomo expression
        ``F_i`` in the standard orientation above.
    lb, ub : float
        Bounds of the variable (``-inf``/``inf`` when absent).
    kind : str
        ``lower``, ``upper``, ``box``, ``free`` or ``slack``.
    slack_expr : Pyomo expression or None
        For ``slack`` pairs: the expression ``g1 - a`` that the slack equals.
    """

    name: str
    var: Any
    expr: Any
    lb: float
    ub: float
    kind: str
    slack_expr: Any = None

    def as_tuple(self) -> tuple[Any, Any, float, float]:
        """The pair as a plain tuple.

        Returns
        -------
        tuple
            ``(var, expr, lb, ub)``: the variable, F_i, and its bounds (``-inf``/``inf`` when absent).
        """
        return (self.var, self.expr, self.lb, self.ub)


def _const(value: Any) -> float | None:
    """Numeric value of a constant bound, None for a missing one."""
    if value is None:
        return None
    number = float(pyo.value(value))
    return number if math.isfinite(number) else None


def has_no_free_var(e: Any) -> bool:
    """True if ``e`` contains no unfixed Var (stops at the first one: cheap on big expressions).

    Parameters
    ----------
    e : Pyomo expression, VarData or number
        The expression to search.

    Returns
    -------
    bool
        False at the first unfixed variable found (depth first); True when there is none (fixed
        variables and params count as constants).
    """
    stack = [e]
    while stack:  # depth-first, returning at the first unfixed Var (Pyomo's is_fixed walks it all)
        node = stack.pop()
        if node.__class__ in native_numeric_types:
            continue
        if isinstance(node, VarData):
            if not node.fixed:
                return False
            continue
        if not node.is_potentially_variable():
            continue
        if node.is_expression_type():
            stack.extend(node.args)
    return True


def _is_constant(e: Any) -> bool:
    """Numbers, Params and expressions of fixed data; a (even fixed) Var is never a constant here."""
    if e is None or not hasattr(e, "is_fixed"):
        return True
    return not isinstance(e, VarData) and has_no_free_var(e)


def _canonical(e: Any) -> tuple[Any, ...]:
    """``(lo, body, hi)`` for inequalities/ranges/bare expressions, ``(rhs, body)`` for equalities."""
    if isinstance(e, EqualityExpression):
        lhs, rhs = e.args
        if _is_constant(rhs):
            return (rhs, lhs)
        if _is_constant(lhs):
            return (lhs, rhs)
        return (0.0, lhs - rhs)
    if isinstance(e, RangedExpression):
        lo, body, hi = e.args
        return (lo, body, hi)
    if isinstance(e, InequalityExpression):
        lhs, rhs = e.args  # lhs <= rhs
        if _is_constant(rhs):
            return (None, lhs, rhs)
        if _is_constant(lhs):
            return (lhs, rhs, None)
        return (0.0, rhs - lhs, None)
    return (None, e, None)


def _var_of(body: Any) -> Any:
    """The Var that ``body`` is, else None (a fixed one too: its pair is then dropped)."""
    return body if isinstance(body, VarData) else None


def _bounds(canon: tuple[Any, ...], name: str) -> tuple[float | None, Any, float | None]:
    """``(lo, body, hi)`` with constant finite bounds (infinite ends -> None)."""
    lo, body, hi = canon
    for end in (lo, hi):
        if not _is_constant(end):
            raise TradeOptError(f"{name}: unsupported complementarity form: a bound of "
                                f"{_show(body)} depends on variables; move it into the expression")
    return _const(lo), body, _const(hi)


def _declared(var: Any) -> tuple[float | None, float | None]:
    """A Var's own bounds (from its domain, ``bounds=``, ``setlb``/``setub``); None when absent."""
    return _const(var.lb), _const(var.ub)


def _count(lo: float | None, hi: float | None) -> int:
    return (lo is not None) + (hi is not None)


def _oriented(lo: float | None, body: Any, hi: float | None) -> Any:
    """``body - lo`` for ``body >= lo``, ``hi - body`` for ``body <= hi`` (the ``>= 0`` form)."""
    if lo is not None:
        return body - lo if lo != 0.0 else body
    return hi - body


def _show(body: Any) -> str:
    text = str(body)
    return text if len(text) <= 60 else text[:57] + "..."


def _form(side: tuple[Any, ...]) -> str:
    """A short description of one side for error messages."""
    if len(side) == 2:
        return "an equality"
    lo, body, hi = side
    what = f"variable {body.name}" if _var_of(body) is not None else "an expression"
    n = sum(1 for end in (lo, hi) if not (_is_constant(end) and _const(end) is None))
    return f"{what} with {n} finite bound{'s' if n != 1 else ''}"


def _var_pair(name: str, var: Any, lo: float | None, hi: float | None, F: Any) -> Pair:
    """The pair ``lo <= var <= hi  perp  F`` (box semantics; missing bounds infinite)."""
    lb = -math.inf if lo is None else lo
    ub = math.inf if hi is None else hi
    kind = {(True, True): "box", (True, False): "lower", (False, True): "upper"}.get(
        (lo is not None, hi is not None), "free")
    return Pair(name, var, F, lb, ub, kind)


def _slack_pair(name: str, expr: Any, lo: float | None, hi: float | None, F: Any) -> Pair:
    """A slack ``s = expr`` with ``lo <= s <= hi`` paired with ``F`` (the slack exists only in the
    solver's private copy of the model)."""
    return Pair(name, None, F, -math.inf if lo is None else lo, math.inf if hi is None else hi, "slack", expr)


UNSUPPORTED = ("supported: a variable (bounds written or declared) against an expression, "
               "l <= g(x) <= u against an unbounded side, one-sided g1 >= a against g2 >= b, or an "
               "equality matched with a variable")


def _pair_from(data: Any) -> Pair:
    """Standard pair of one Complementarity data object (see the module docstring)."""
    name = data.name
    a0, a1 = data._args
    c0, c1 = _canonical(a0), _canonical(a1)
    if len(c0) == 2 or len(c1) == 2:  # an equality: an equation, matched with the other side's variable
        if len(c0) == 2 and len(c1) == 2:
            raise TradeOptError(f"{name}: unsupported complementarity form: both sides are equalities; {UNSUPPORTED}")
        (rhs, body), other = (c0, c1) if len(c0) == 2 else (c1, c0)
        lo, obody, hi = _bounds(other, name)
        F = body - rhs if _const(rhs) else body
        if _count(lo, hi):
            raise TradeOptError(f"{name}: unsupported complementarity form: an equality paired with "
                                f"{_form(other)}; an equality is matched with a free variable")
        var = _var_of(obody)
        if var is not None:
            return Pair(name, var, F, -math.inf, math.inf, "free")
        return Pair(name, None, F, -math.inf, math.inf, "equation")
    lo0, b0, hi0 = _bounds(c0, name)
    lo1, b1, hi1 = _bounds(c1, name)
    n0, n1 = _count(lo0, hi0), _count(lo1, hi1)
    v0, v1 = _var_of(b0), _var_of(b1)
    if n0 + n1 > 2:
        raise TradeOptError(f"{name}: unsupported complementarity form: {_form(c0)} against "
                            f"{_form(c1)} (more than two finite bounds); {UNSUPPORTED}")
    if n0 == 2 or n1 == 2:  # l <= v <= u perp g   or   l <= g(x) <= u perp h
        (lo, body, hi, var), other = ((lo0, b0, hi0, v0), b1) if n0 == 2 else ((lo1, b1, hi1, v1), b0)
        if var is not None:
            return _var_pair(name, var, lo, hi, other)
        return _slack_pair(name, body, lo, hi, other)
    if n0 == 1 and n1 == 1:  # x >= a perp g >= b  (either order), or g1 >= a perp g2 >= b
        if v0 is not None:
            F = _oriented(lo1, b1, hi1)
            return _var_pair(name, v0, lo0, hi0, F if lo0 is not None else -F)
        if v1 is not None:
            F = _oriented(lo0, b0, hi0)
            return _var_pair(name, v1, lo1, hi1, F if lo1 is not None else -F)
        return _slack_pair(name, _oriented(lo0, b0, hi0), 0.0, None, _oriented(lo1, b1, hi1))
    if n0 + n1 == 1:
        if n0 == 1:
            (lo, body, hi, var), (ubody, uvar) = (lo0, b0, hi0, v0), (b1, v1)
        else:
            (lo, body, hi, var), (ubody, uvar) = (lo1, b1, hi1, v1), (b0, v0)
        if var is not None:  # inequality(l, v, inf) perp g: the box form with one infinite end
            return _var_pair(name, var, lo, hi, ubody)
        if uvar is not None:  # v perp 0 <= g: the variable's bounds come from its declaration
            dlo, dhi = _declared(uvar)
            if _count(dlo, dhi) == 0:
                raise TradeOptError(f"{name}: a free variable paired with an inequality is not an MCP "
                                    f"pair; put the bound on the variable: complements({uvar.name} >= 0, g >= 0)")
            if _count(dlo, dhi) == 2:
                raise TradeOptError(f"{name}: unsupported complementarity form: variable {uvar.name} has two "
                                    f"declared bounds but is paired with a one-sided inequality; {UNSUPPORTED}")
            F = _oriented(lo, body, hi)
            return _var_pair(name, uvar, dlo, dhi, F if dlo is not None else -F)
        return _slack_pair(name, _oriented(lo, body, hi), 0.0, None, ubody)
    # no written bounds: a variable against an expression, bounds from its declaration (GAMS style)
    var, other = (v0, b1) if v0 is not None else (v1, b0)
    if var is None:
        raise TradeOptError(f"{name}: unsupported complementarity form: {_form(c0)} against {_form(c1)}; {UNSUPPORTED}")
    dlo, dhi = _declared(var)
    return _var_pair(name, var, dlo, dhi, other)


def complementarity_pairs(model: pyo.Block, *, include_fixed: bool = False,
                          include_equations: bool = False) -> list[Pair]:
    """Every active complementarity condition of ``model`` as a standard :class:`Pair`.

    Parameters
    ----------
    model : pyomo Block
        A model with ``pyomo.mpec.Complementarity`` components.
    include_fixed : bool
        Also list pairs whose variable is fixed (the solver drops them).
    include_equations : bool
        Also list ``equation`` entries: an equality side whose other side is no variable (Pyomo
        ignores that other side; the equation becomes an equality row of the system).

    Returns
    -------
    list of Pair
        In model order; each has ``.var, .expr, .lb, .ub`` (``pair.as_tuple()`` gives the 4-tuple).

    Raises
    ------
    TradeOptError
        For an unsupported form, naming the component.

    Examples
    --------
    >>> import trade_opt, pyomo.environ as pyo
    >>> from pyomo.mpec import Complementarity, complements
    >>> m = pyo.ConcreteModel(); m.x = pyo.Var()
    >>> m.c = Complementarity(expr=complements(m.x >= 0, m.x - 1 >= 0))
    >>> [(p.var.name, p.lb, p.kind) for p in complementarity_pairs(m)]
    [('x', 0.0, 'lower')]
    """
    pairs = []
    for data in model.component_data_objects(Complementarity, active=True, descend_into=True):
        pair = _pair_from(data)
        if pair.kind == "equation" and not include_equations:
            continue
        if pair.var is not None and pair.var.fixed and not include_fixed:
            continue
        pairs.append(pair)
    return pairs
