"""The scaled natural residual of an MCP (Ferris & Pang 1997; Facchinei & Pang 2003, Sec. 1.5).

For a pair ``lb <= x_i <= ub perp F_i`` the natural (projection) residual is the mid form

    r_i = x_i - mid(lb_i, ub_i, x_i - F_i / s_i),

which for a lower bound only is ``min(x_i - lb_i, F_i / s_i)``; for an equality row ``h_j = 0`` it
is ``h_j / s_j``.  The reported residual is ``max_i |r_i|`` (infinity norm).

Scaling ``s``: by default each row is divided by ``max(1, max_j |dF_i/dx_j|)``, the infinity norm
of its Jacobian row at the point where the residual is evaluated (so a row of prices in the
thousands is not compared in raw units, and rows never get *larger* than they are).  The variable
side ``x_i - lb_i`` is not scaled.  A user ``scaling`` dict overrides rows by key: the
complementarity variable's name or the Complementarity's name for a pair row, the Constraint's
name for an equality row; the value is the positive divisor ``s_i``.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from trade_opt.errors import TradeOptError


def row_scales(system: Any, jac: np.ndarray, scaling: Mapping[str, float] | None = None) -> np.ndarray:
    """Divisors ``s_i`` of the rows (see the module docstring)."""
    scales = np.maximum(1.0, np.abs(jac).max(axis=1)) if jac.size else np.ones(system.n)
    scales[~np.isfinite(scales)] = 1.0
    if scaling:
        keys = [system.row_keys, system.row_names]
        for key, value in scaling.items():
            name = getattr(key, "name", str(key))
            if not (float(value) > 0.0 and np.isfinite(float(value))):
                raise TradeOptError(f"scaling[{name!r}] must be a positive finite number, got {value!r}")
            hits = [i for row_keys in keys for i, k in enumerate(row_keys) if k == name]
            if not hits:
                raise TradeOptError(f"scaling names {name!r}, which is no complementarity variable, pair or equality")
            scales[hits] = float(value)
    return scales


def natural_residual_vector(x: np.ndarray, rows: np.ndarray, lb: np.ndarray, ub: np.ndarray,
                            scales: np.ndarray) -> np.ndarray:
    """``x - mid(lb, ub, x - F/s)`` componentwise (equals ``F/s`` where ``lb, ub`` are infinite)."""
    with np.errstate(invalid="ignore"):
        scaled = rows / scales
        r = x - np.clip(x - scaled, lb, ub)
        free = np.isinf(lb) & np.isinf(ub)
        r[free] = scaled[free]
    r[~np.isfinite(r)] = np.inf
    return r


def residual_at(system: Any, x: np.ndarray, scaling: Mapping[str, float] | None = None) -> float:
    """Scaled natural residual ``max_i |r_i|`` of ``system`` at ``x``."""
    rows = system.F(x)
    if not np.all(np.isfinite(rows)):
        return float("inf")
    scales = row_scales(system, system.J(x), scaling)
    r = natural_residual_vector(x, rows, system.lb, system.ub, scales)
    return float(np.max(np.abs(r))) if r.size else 0.0


def natural_residual(model: Any, scaling: Mapping[str, float] | None = None) -> float:
    """Scaled natural residual of the MCP in ``model`` at the model's current variable values.

    Parameters
    ----------
    model : pyomo Block
        A square MCP (``Complementarity`` pairs plus equality constraints).
    scaling : dict, optional
        Row name -> positive divisor (see the module docstring); default: Jacobian row norms.

    Returns
    -------
    float
        ``max_i |x_i - mid(lb_i, ub_i, x_i - F_i(x)/s_i)|`` over pairs and ``|h_j|/s_j`` over
        equalities; ``inf`` if the model cannot be evaluated there.
    """
    from trade_opt.mcp.system import build_system

    system = build_system(model)
    return residual_at(system, system.x_from_model(), scaling)
