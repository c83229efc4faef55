"""Pyomo's MCPLIB problems (vendored in ``tests/data/mcplib`` of the source tree): loading a problem,
its initial points, and the natural residual computed straight from the Pyomo expressions.

Used by ``trade-opt bench --family mcp`` (:mod:`trade_opt.bench.mcp`), ``benchmarks/bench_mcp.py``
and the tests (``tests/mcplib_cases.py``).  Nothing here imports :mod:`trade_opt.mcp`: the residual
is independent of the solver it checks.
"""
from __future__ import annotations

import importlib.util
import logging
import math
from pathlib import Path

import pyomo.environ as pyo
from pyomo.core.base.var import VarData
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from pyomo.mpec import Complementarity

#: The vendored problem files in a source checkout (absent from an installed wheel).
DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "mcplib"
PROBLEMS = ("billups", "choi", "ehl_kost", "josephy", "kojshin", "munson1", "nash", "obstacle", "pies")
#: problem -> (start-point parameter, variable it sets) for the files with a table of starts
START_TABLES = {"josephy": ("xinit", "x"), "kojshin": ("xinit", "x"), "nash": ("initval", "q")}


def _module(name: str, folder: Path | None = None):
    spec = importlib.util.spec_from_file_location(f"mcplib_{name}", (folder or DATA) / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(name: str, folder: Path | None = None) -> pyo.ConcreteModel:
    """The problem's instance, with its .dat file when it has one (files in ``folder``, default :data:`DATA`).

    Parameters
    ----------
    name : str
        One of :data:`PROBLEMS` (the file ``<name>.py``).
    folder : pathlib.Path, optional
        Where the problem files are.

    Returns
    -------
    pyomo.environ.ConcreteModel
        The model with its ``Complementarity`` components, at the file's initial values.
    """
    module = _module(name, folder)
    if hasattr(module, "pyomo_create_model"):
        return module.pyomo_create_model()
    model = module.model
    if isinstance(model, pyo.AbstractModel):
        dat = (folder or DATA) / f"{name}.dat"
        logging.getLogger("pyomo.core").disabled = True
        try:
            model = model.create_instance(str(dat) if dat.exists() else None)
        finally:
            logging.getLogger("pyomo.core").disabled = False
    return model


def starts(name: str, model: pyo.ConcreteModel) -> list[dict[str, float]]:
    """Every initial point in the problem's data file (``{}``: the model's own initial values).

    Parameters
    ----------
    name : str
        Problem name; those in :data:`START_TABLES` have a table of starts.
    model : pyomo.environ.ConcreteModel
        The loaded problem (:func:`load`).

    Returns
    -------
    list of dict
        One ``{variable name: value}`` per start, in the table's order; ``[{}]`` for a problem
        with one start.
    """
    if name not in START_TABLES:
        return [{}]
    table, var = START_TABLES[name]
    param, v = getattr(model, table), getattr(model, var)
    points = sorted({index[-1] for index in param})
    return [{v[i].name: float(param[i, k]) for i in v.index_set()} for k in points]


def cases() -> list[tuple[str, int]]:
    """(problem, start index) for every vendored problem (:data:`PROBLEMS`) and each of its starts.

    Returns
    -------
    list of (str, int)
        Start indices from 0 (each problem is loaded from :data:`DATA` to count them).
    """
    out = []
    for name in PROBLEMS:
        out += [(name, k) for k in range(len(starts(name, load(name))))]
    return out


def _side(e):
    """('eq', value) | ('ge', value >= 0 form) | ('range', lo, value, hi) | ('expr', value, var)."""
    value = pyo.value
    if isinstance(e, EqualityExpression):
        return ("eq", value(e.args[0]) - value(e.args[1]))
    if isinstance(e, RangedExpression):
        lo, body, hi = e.args
        lo = -math.inf if lo is None else value(lo)
        hi = math.inf if hi is None else value(hi)
        return ("range", lo, value(body), hi)
    if isinstance(e, InequalityExpression):
        lhs, rhs = e.args  # lhs <= rhs; sign: +1 for "l <= body", -1 for "body <= u"
        return ("ge", value(rhs) - value(lhs), 1.0 if lhs.__class__ in (int, float) or lhs.is_fixed() else -1.0)
    return ("expr", value(e), e if isinstance(e, VarData) else None)


def independent_residual(model: pyo.ConcreteModel) -> float:
    """Unscaled natural residual of every Complementarity condition, read straight from the
    Pyomo expressions at the model's values (no trade_opt code): ``|h|`` for an equality side,
    ``|min(a, b)|`` for two one-sided conditions ``a >= 0, b >= 0``, ``|v - mid(l, u, v - F)|`` for
    ``l <= v <= u`` against an expression ``F`` (the bounds of a bare variable come from its
    declaration), plus any violation of a Var's declared bounds.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        An MCPLIB problem with values set on its variables.

    Returns
    -------
    float
        The largest of those residuals (0 at an exact solution; unscaled).

    Raises
    ------
    AssertionError
        A complementarity form the check does not cover.
    """
    worst = 0.0
    for data in model.component_data_objects(Complementarity, active=True):
        s0, s1 = (_side(a) for a in data._args)
        kinds = {s0[0], s1[0]}
        if "eq" in kinds:
            r = abs(s0[1] if s0[0] == "eq" else s1[1])
        elif s0[0] == "ge" and s1[0] == "ge":
            r = abs(min(s0[1], s1[1]))
        elif kinds == {"range", "expr"}:
            (_, lo, v, hi), (_, F, _) = (s0, s1) if s0[0] == "range" else (s1, s0)
            r = abs(v - min(max(v - F, lo), hi))
        elif kinds == {"ge", "expr"}:
            (_, g, sign), (_, v, var) = (s0, s1) if s0[0] == "ge" else (s1, s0)
            if var is not None and var.lb is not None and var.ub is None:  # v (declared >= lb) vs g >= 0
                r = abs(min(v - var.lb, g))
            else:  # l <= v (or v <= u) against the expression F: lower (upper) MCP pair
                r = abs(min(g, sign * v))
        else:
            raise AssertionError(f"{data.name}: form not covered by the independent check")
        worst = max(worst, r)
    for v in model.component_data_objects(pyo.Var):
        if v.value is None:
            continue
        if v.lb is not None:
            worst = max(worst, v.lb - v.value)
        if v.ub is not None:
            worst = max(worst, v.value - v.ub)
    return worst
