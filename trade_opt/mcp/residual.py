"""The scaled natural residual of an MCP (Ferris & Pang 1997; Facchinei & Pang 2003, Sec. 1.5).

For a pair ``lb <= x_i <= ub perp F_i`` the natural (projection) residual is the mid form

    r_i = x_i - mid(lb_i, ub_i, x_i - F_i / s_i),

which for a lower bound only is ``min(x_i - lb_i, F_i / s_i)``; for an equality row ``h_j = 0`` it
is ``h_j / s_j``.  The reported residual is ``max_i |r_i|`` (infinity norm).

Three divisors ``d_i`` of the same natural residual are used (see ``models/mcp.md``):

* **point-local** (:func:`row_scales`, :func:`residual_at` with a dict or no ``scaling``): ``d_i =
  max(1, max_j |dF_i/dx_j|)`` at the evaluated point.  A *diagnostic only*: at a wrong point where
  the Jacobian blows up it makes any residual look small, so :func:`trade_opt.mcp.solve` never
  decides a status with it.
* **acceptance** (:class:`Acceptance`, the status rule of :func:`trade_opt.mcp.solve`):
  ``d_i = min(s_i, sigma_i(x))`` with ``s_i = max(1, max over the reference points of
  max_j |dF_i/dx_j|)`` fixed once per solve call (reference points: the start points of that call,
  :func:`reference_scales`) and ``sigma_i(x) = max(1, sum_k |t_ik(x)|)``, the magnitude of the
  additive terms ``t_ik`` of row ``i`` at the candidate (:meth:`MCPSystem.term_sums`; the
  floating-point scale to which ``F_i`` can be evaluated at all).  The smaller divisor gives the
  larger residual, so a point passes only if it passes *both* the fixed-Jacobian test and the
  term-relative test: gaming it needs a badly scaled reference point *and* exploding terms.
* **unscaled**: ``d_i = 1`` (reported as ``residual_unscaled``).

The variable side ``x_i - lb_i`` is never scaled.  A user ``scaling`` dict overrides ``s_i`` (and
then ``d_i = s_i``: the user's divisor is used as given) by key: the complementarity variable's
name or the Complementarity's name for a pair row, the Constraint's name for an equality row; the
value is the positive divisor.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import scipy.sparse as sp

from trade_opt.errors import TradeOptError


def _row_abs_max(jac: Any) -> np.ndarray:
    """``max_j |J_ij|`` per row of a dense or sparse Jacobian; non-finite entries count as 0."""
    if sp.issparse(jac):
        jac = jac.tocsr(copy=True)
        with np.errstate(invalid="ignore"):
            jac.data = np.where(np.isfinite(jac.data), np.abs(jac.data), 0.0)
        return np.asarray(jac.max(axis=1).todense()).ravel()
    with np.errstate(invalid="ignore"):
        a = np.abs(jac)
    a[~np.isfinite(a)] = 0.0
    return a.max(axis=1)


def row_scales(system: Any, jac: Any, scaling: Mapping[str, float] | None = None) -> np.ndarray:
    """Point-local divisors ``max(1, max_j |J_ij|)`` of the rows, with user overrides (module docstring).

    A diagnostic only (module docstring): a row with a non-finite Jacobian entry gets divisor 1.

    Parameters
    ----------
    system : MCPSystem
        The compiled system (:func:`trade_opt.mcp.system.build_system`).
    jac : numpy.ndarray or scipy.sparse matrix
        Jacobian at the evaluated point, shape (n, n).
    scaling : dict, optional
        Row key -> positive finite divisor (module docstring); overrides the computed divisor.

    Returns
    -------
    numpy.ndarray
        Divisors >= 1 (or the user's), shape (n,).

    Raises
    ------
    TradeOptError
        If a ``scaling`` value is not positive and finite, or names no pair, variable or equality.
    """
    if sp.issparse(jac):
        scales = np.maximum(1.0, _row_abs_max(jac)) if jac.shape[0] else np.ones(system.n)
        csr = jac.tocsr()
        bad = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))[~np.isfinite(csr.data)]
        scales[bad] = 1.0  # as the dense rule: a row with a non-finite entry gets divisor 1
        return _override(system, scales, scaling)
    scales = np.maximum(1.0, np.abs(jac).max(axis=1)) if jac.size else np.ones(system.n)
    scales[~np.isfinite(scales)] = 1.0
    return _override(system, scales, scaling)


def user_rows(system: Any, scaling: Mapping[str, float] | None) -> np.ndarray:
    """Boolean mask of the rows whose divisor the user's ``scaling`` dict sets.

    Parameters
    ----------
    system : MCPSystem
        The compiled system (:func:`trade_opt.mcp.system.build_system`).
    scaling : dict, optional
        Row key -> positive finite divisor (module docstring); overrides the computed divisor.

    Returns
    -------
    numpy.ndarray
        Boolean mask, shape (n,).

    Raises
    ------
    TradeOptError
        If a ``scaling`` value is not positive and finite, or names no pair, variable or equality.
    """
    mask = np.zeros(system.n, dtype=bool)
    if scaling:
        ones = _override(system, np.zeros(system.n), scaling)
        mask = ones > 0.0
    return mask


def reference_scales(system: Any, points: Any, scaling: Mapping[str, float] | None = None) -> np.ndarray:
    """Fixed divisors ``s_i = max(1, max over points of max_j |dF_i/dx_j|)`` (module docstring).

    Jacobian entries that are not finite at a point are ignored.

    Parameters
    ----------
    system : MCPSystem
        The compiled system (:func:`trade_opt.mcp.system.build_system`).
    points : iterable of array_like
        The reference points (the start points of a solve call), each of shape (n,).
    scaling : dict, optional
        Row key -> positive finite divisor (module docstring); overrides the computed divisor.

    Returns
    -------
    numpy.ndarray
        Divisors s_i >= 1 (or the user's), shape (n,).

    Raises
    ------
    TradeOptError
        If a ``scaling`` value is not positive and finite, or names no pair, variable or equality.
    """
    scales = np.ones(system.n)
    for x in points:
        if system.n:
            scales = np.maximum(scales, _row_abs_max(system.J_sparse(np.asarray(x, dtype=float))))
    return _override(system, scales, scaling)


def _override(system: Any, scales: np.ndarray, scaling: Mapping[str, float] | None) -> np.ndarray:
    if scaling:
        for key, value in scaling.items():
            name = getattr(key, "name", str(key))
            if not (float(value) > 0.0 and np.isfinite(float(value))):
                raise TradeOptError(f"scaling[{name!r}] must be a positive finite number, got {value!r}")
            hits = system.rows_named(name)
            if not hits:
                raise TradeOptError(f"scaling names {name!r}, which is no complementarity variable, pair or equality")
            scales[hits] = float(value)
    return scales


def natural_residual_components(x: Any, F: Any, lb: Any = 0.0, ub: Any = np.inf) -> np.ndarray:
    """Componentwise natural residual ``r_i = x_i - mid(lb_i, ub_i, x_i - F_i)`` of box-constrained pairs.

    Evaluated as ``r_i = max(x_i - ub_i, min(x_i - lb_i, F_i))``, the same number without the
    cancellation of ``x - (x - F)``: exactly ``min(x_i, F_i)`` for ``lb = 0, ub = inf``,
    ``max(x_i - ub_i, F_i)`` for an upper bound only, ``F_i`` for a free pair.

    Parameters
    ----------
    x : array_like
        Variable values (any shape).
    F : array_like
        Paired function values, broadcastable with ``x`` (for a scaled residual pass ``F / s``).
    lb, ub : array_like or float
        Lower and upper bounds, broadcastable with ``x``; ``-inf`` / ``inf`` for no bound.

    Returns
    -------
    numpy.ndarray
        ``r`` (NaN where an input is NaN).
    """
    x, F = np.asarray(x, dtype=float), np.asarray(F, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.maximum(x - ub, np.minimum(x - lb, F))


def natural_residual_array(x: Any, F: Any, lb: Any = 0.0, ub: Any = np.inf) -> float:
    """Natural residual ``max_i |x_i - mid(lb_i, ub_i, x_i - F_i)|`` of box-constrained pairs (numpy).

    The pair ``lb_i <= x_i <= ub_i perp F_i`` holds iff ``x_i = mid(lb_i, ub_i, x_i - F_i)``
    (Facchinei & Pang 2003, Prop. 1.5.8; ``models/mcp.md``), so the residual is 0 exactly at a
    solution.  Unscaled; the model-level, scaled residual is :func:`natural_residual`.

    Parameters
    ----------
    x : array_like
        Variable values (any shape).
    F : array_like
        Paired function values, broadcastable with ``x``.
    lb, ub : array_like or float
        Bounds (default ``0`` and ``inf``: the nonlinear complementarity problem
        ``x >= 0, F >= 0, x F = 0``, residual ``max |min(x, F)|``).

    Returns
    -------
    float
        The residual (0.0 for empty input; NaN if a component is NaN).

    Examples
    --------
    >>> natural_residual_array([2.0, 0.0], [1e-9, 3.0])
    1e-09
    >>> natural_residual_array([1.0], [-0.5], lb=0.0, ub=1.0)
    0.0
    """
    r = natural_residual_components(x, F, lb, ub)
    return float(np.max(np.abs(r))) if r.size else 0.0


def natural_residual_vector(x: np.ndarray, rows: np.ndarray, lb: np.ndarray, ub: np.ndarray,
                            scales: np.ndarray) -> np.ndarray:
    """:func:`natural_residual_components` of ``F/s`` (``F/s`` where ``lb, ub`` are infinite); non-finite -> inf.

    Parameters
    ----------
    x : numpy.ndarray
        Unknowns in system order, shape (n,).
    rows : numpy.ndarray
        Row values ``(F(x), h(x))``, shape (n,).
    lb, ub : numpy.ndarray
        Bounds of the unknowns (``-inf``/``inf`` for free variables), shape (n,).
    scales : numpy.ndarray
        Row divisors s_i > 0, shape (n,).

    Returns
    -------
    numpy.ndarray
        Componentwise residual r_i, shape (n,); ``inf`` where not finite.
    """
    with np.errstate(invalid="ignore"):
        r = natural_residual_components(x, rows / scales, lb, ub)
    r[~np.isfinite(r)] = np.inf
    return r


def residual_at(system: Any, x: np.ndarray, scaling: Any = None) -> float:
    """Scaled natural residual ``max_i |r_i|`` of ``system`` at ``x``.

    Parameters
    ----------
    system : MCPSystem
        The compiled system (:func:`trade_opt.mcp.system.build_system`).
    x : numpy.ndarray
        Unknowns in system order, shape (n,).
    scaling : None, dict, numpy.ndarray or callable
        None or a user dict (point-local divisors, :func:`row_scales`), an array of fixed
        divisors, or a callable ``scaling(x) -> residual`` (e.g. an :class:`Acceptance`), returned as is.

    Returns
    -------
    float
        The residual (``inf`` if a row cannot be evaluated at ``x``; 0.0 for an empty system).

    Raises
    ------
    TradeOptError
        If a ``scaling`` value is not positive and finite, or names no pair, variable or equality.
    """
    if callable(scaling):
        return float(scaling(x))
    rows = system.F(x)
    if not np.all(np.isfinite(rows)):
        return float("inf")
    if isinstance(scaling, np.ndarray):
        scales = scaling
    else:
        scales = row_scales(system, system.J_sparse(x), scaling)
    r = natural_residual_vector(x, rows, system.lb, system.ub, scales)
    return float(np.max(np.abs(r))) if r.size else 0.0


class Acceptance:
    """The status rule of :func:`trade_opt.mcp.solve`: natural residual with ``d_i = min(s_i, sigma_i(x))``.

    ``s`` are fixed divisors (:func:`reference_scales`); ``sigma_i(x) = max(1, sum_k |t_ik(x)|)``
    (term magnitudes at the candidate).  Rows named in the user's ``scaling`` use ``s_i`` alone.
    Calling the object returns the residual; :meth:`parts` returns all three residuals.

    Parameters
    ----------
    system : MCPSystem
        The compiled system.
    scales : numpy.ndarray
        Fixed divisors s_i > 0, shape (n,) (:func:`reference_scales`).
    user : numpy.ndarray, optional
        Boolean mask, shape (n,), of the rows whose divisor the user set (:func:`user_rows`);
        default none.
    """

    def __init__(self, system: Any, scales: np.ndarray, user: np.ndarray | None = None):
        self.system, self.scales = system, np.asarray(scales, dtype=float)
        self.user = np.zeros(system.n, dtype=bool) if user is None else user

    def divisors(self, x: np.ndarray) -> np.ndarray:
        """``min(s_i, sigma_i(x))`` (``s_i`` where the user set the row's scale).

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order, shape (n,).

        Returns
        -------
        numpy.ndarray
            Divisors d_i, shape (n,).
        """
        sigma = np.maximum(1.0, self.system.term_sums(x))
        sigma[~np.isfinite(sigma)] = np.inf
        return np.where(self.user, self.scales, np.minimum(self.scales, sigma))

    def parts(self, x: np.ndarray) -> dict[str, float]:
        """All three residuals at ``x``.

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order, shape (n,).

        Returns
        -------
        dict of str to float
            ``{"residual": acceptance, "residual_scaled": fixed s only, "residual_unscaled": d = 1}``
            (all ``inf`` if a row cannot be evaluated).
        """
        rows = self.system.F(x)
        if not np.all(np.isfinite(rows)):
            return {"residual": float("inf"), "residual_scaled": float("inf"), "residual_unscaled": float("inf")}
        out = {}
        for key, d in (("residual", self.divisors(x)), ("residual_scaled", self.scales),
                       ("residual_unscaled", np.ones(self.system.n))):
            r = natural_residual_vector(x, rows, self.system.lb, self.system.ub, d)
            out[key] = float(np.max(np.abs(r))) if r.size else 0.0
        return out

    def __call__(self, x: np.ndarray) -> float:
        rows = self.system.F(x)
        if not np.all(np.isfinite(rows)):
            return float("inf")
        r = natural_residual_vector(x, rows, self.system.lb, self.system.ub, self.divisors(x))
        return float(np.max(np.abs(r))) if r.size else 0.0


def unscaled_residual_at(system: Any, x: np.ndarray) -> float:
    """``max_i |x_i - mid(lb_i, ub_i, x_i - F_i)|`` (no scaling at all).

    Parameters
    ----------
    system : MCPSystem
        The compiled system (:func:`trade_opt.mcp.system.build_system`).
    x : numpy.ndarray
        Unknowns in system order, shape (n,).

    Returns
    -------
    float
        The unscaled natural residual (``inf`` if a row cannot be evaluated).
    """
    return residual_at(system, x, np.ones(system.n))


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

    Raises
    ------
    TradeOptError
        If the model is not a square MCP (:func:`trade_opt.mcp.system.build_system`) or ``scaling``
        is invalid.
    """
    from trade_opt.mcp.system import build_system

    system = build_system(model)
    try:
        return residual_at(system, system.x_from_model(), scaling)
    finally:
        system.restore()
