"""Reading ``pyomo.mpec`` Complementarity components into standard MCP pairs.

A mixed complementarity problem (Dirkse & Ferris 1995; Ferris & Pang 1997, SIAM Review 39) pairs
each variable with one function: find ``lb <= x <= ub`` such that for every pair ``i``

* ``x_i = lb_i``  and ``F_i(x) >= 0``, or
* ``x_i = ub_i``  and ``F_i(x) <= 0``, or
* ``lb_i < x_i < ub_i`` and ``F_i(x) = 0``.

:func:`complementarity_pairs` turns every active ``Complementarity`` data object into one
:class:`Pair` ``(var, expr, lb, ub)`` in this standard orientation.  Supported forms (``g`` an
expression, ``x`` an unfixed Var, ``a``/``b`` constants):

=========================================  ===============================  ============
``complements(...)``                         standard pair                    kind
=========================================  ===============================  ============
``x >= a,  g >= b``  (or ``g <= b``)         ``a <= x``  with F = g - b (b - g)  ``lower``
``x <= a,  g >= b``  (or ``g <= b``)         ``x <= a``  with F = b - g (g - b)  ``upper``
``a <= x <= b,  g``                          ``a <= x <= b`` with F = g        ``box``
``x,  g == b``                               ``x`` free with F = g - b        ``free``
``g1 >= a,  g2 >= b``  (no single Var)       slack ``s = g1 - a >= 0``, F = g2 - b  ``slack``
=========================================  ===============================  ============

The arguments may come in either order (the one that is a single Var with constant bounds is the
variable).  The ``slack`` form introduces, only in the solver's private copy of the model, a
variable ``s >= 0`` with the equation ``s = g1 - a``.  A pair whose variable is *fixed* is dropped
together with its function (the GAMS convention: fixing a numeraire price drops its market).
Anything else raises :class:`~trade_opt.errors.TradeOptError` naming the component.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo
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
        """``(var, expr, lb, ub)``."""
        return (self.var, self.expr, self.lb, self.ub)


def _const(value: Any) -> float | None:
    """Numeric value of a constant bound, None for a missing one."""
    if value is None:
        return None
    number = float(pyo.value(value))
    return number if math.isfinite(number) else None


def _is_constant(e: Any) -> bool:
    """Numbers, Params and expressions of fixed data; a (even fixed) Var is never a constant here."""
    if e is None or not hasattr(e, "is_fixed"):
        return True
    return e.is_fixed() and not isinstance(e, VarData)


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


def _var_form(canon: tuple[Any, ...]) -> bool:
    """Whether a canonical argument is a single unfixed-or-fixed Var with constant bounds."""
    if len(canon) != 3:
        return False
    lo, body, hi = canon
    return isinstance(body, VarData) and _is_constant(lo) and _is_constant(hi)


def _one_sided(canon: tuple[Any, ...], where: str) -> Any:
    """``g - b`` for ``g >= b`` and ``b - g`` for ``g <= b`` (the 'condition >= 0' form)."""
    lo, body, hi = canon
    lo, hi = _const(lo), _const(hi)
    if lo is not None and hi is None:
        return body - lo if lo != 0.0 else body
    if hi is not None and lo is None:
        return hi - body
    raise TradeOptError(
        f"{where}: the condition must have exactly one bound (g >= b or g <= b) when the variable "
        "has one bound; supported forms: complements(x >= a, g >= b), complements(a <= x <= b, g), "
        "complements(x, g == b), complements(g1 >= a, g2 >= b)"
    )


def _pair_from(data: Any) -> Pair:
    """Standard pair of one Complementarity data object (see the module docstring)."""
    name = data.name
    a0, a1 = data._args
    c0, c1 = _canonical(a0), _canonical(a1)
    if not _var_form(c0) and _var_form(c1):
        c0, c1 = c1, c0
    if not _var_form(c0):
        if len(c0) == 3 and len(c1) == 3:
            return Pair(name, None, _one_sided(c1, name), 0.0, math.inf, "slack", _one_sided(c0, name))
        raise TradeOptError(f"{name}: unsupported complementarity form; one argument must be a Var "
                            "with constant bounds, or both must be one-sided inequalities")
    vlo, var, vhi = _const(c0[0]), c0[1], _const(c0[2])
    if len(c1) == 2:
        if vlo is not None or vhi is not None:
            raise TradeOptError(f"{name}: an equality condition (g == b) must be paired with an unbounded variable")
        rhs = _const(c1[0]) or 0.0
        return Pair(name, var, c1[1] - rhs if rhs else c1[1], -math.inf, math.inf, "free")
    glo, gbody, ghi = c1
    expr_bounded = _const(glo) is not None or _const(ghi) is not None
    if vlo is not None and vhi is not None:
        if expr_bounded:
            raise TradeOptError(f"{name}: a variable with two bounds must be paired with an unbounded expression g")
        return Pair(name, var, gbody, vlo, vhi, "box")
    if vlo is not None:
        return Pair(name, var, _one_sided(c1, name), vlo, math.inf, "lower")
    if vhi is not None:
        return Pair(name, var, -_one_sided(c1, name), -math.inf, vhi, "upper")
    if not expr_bounded:
        raise TradeOptError(f"{name}: neither the variable nor the condition has a bound; "
                            "write complements(x, g == 0) for a free variable")
    raise TradeOptError(f"{name}: a free variable paired with an inequality is not an MCP pair; "
                        "put the bound on the variable: complements(x >= 0, g >= 0)")


def complementarity_pairs(model: pyo.Block, *, include_fixed: bool = False) -> list[Pair]:
    """Every active complementarity condition of ``model`` as a standard :class:`Pair`.

    Parameters
    ----------
    model : pyomo Block
        A model with ``pyomo.mpec.Complementarity`` components.
    include_fixed : bool
        Also list pairs whose variable is fixed (the solver drops them).

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
        if pair.var is not None and pair.var.fixed and not include_fixed:
            continue
        pairs.append(pair)
    return pairs
