"""Active-set identification and Newton polish of an approximate MCP solution.

Three damped Newton variants share one kernel (:func:`_damped_newton`: Newton direction from the
exact Jacobian, least squares if singular, Armijo backtracking on ``||Phi||_2``):

1. **Support Newton** (the main polish).  The active set is identified at the current point by the
   branch of the natural residual ``x - mid(lb, ub, x - F/s)``: a variable is *at its lower bound*
   if ``x_i - F_i/s_i <= lb_i``, *at its upper bound* if ``x_i - F_i/s_i >= ub_i``, otherwise
   *inactive* (then ``F_i = 0`` is imposed).  Degenerate pairs (``x_i = lb_i`` and ``F_i = 0``)
   go either way; both choices give a solution when the support system is consistent.  Newton
   then solves the square support system ``x_A = bound_A, F_I(x)/s_I = 0, h(x)/s_h = 0`` to
   ``1e-14``.  Signs are re-checked through the residual: if it exceeds ``tol`` the active set is
   re-identified at the new point (a wrongly active variable with ``F_i < 0`` becomes inactive, a
   wrongly inactive one with ``x_i < lb_i`` becomes active) and Newton repeats, for a few rounds.
2. **Semismooth Newton on the mid (min) function** (De Luca, Facchinei & Kanzow 1996; Qi 1993):
   the same equations, but the branch is re-chosen at every iteration.
3. **Semismooth Newton on the Fischer-Burmeister function** (Fischer 1992; Billups 1995 for box
   pairs), whose merit ``||Phi_FB||^2`` is continuously differentiable: the fallback for
   degenerate points where the active set is ambiguous.

All rows are divided by the fixed scales ``s`` (see :mod:`trade_opt.mcp.residual`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from trade_opt.mcp.residual import natural_residual_vector, residual_at

NEWTON_FTOL = 1e-14
#: Systems with at least this many unknowns use the sparse Jacobian and sparse LU (``splu``);
#: smaller ones use dense LAPACK LU.  Measured (2026-11-23, Kim J = 20 and 50): a dense 600 x 600
#: LU costs ~10-60 ms, and SuperLU on the exactly singular support systems met from far starts
#: prints BLAS ``xerbla`` errors ("DGEMV parameter 2 had an illegal value") or aborts the
#: factorization, so the sparse path is kept for really large systems only.
SPARSE_MIN_N = 1000
_SQRT_HALF = 1.0 - 1.0 / np.sqrt(2.0)


@dataclass
class PolishOutcome:
    """Point reached, its scaled natural residual, and the Newton iterations spent."""

    x: np.ndarray
    residual: float
    iterations: int
    method: str


def identify(x: np.ndarray, rows_scaled: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Branch of each variable in the natural residual ``x - mid(lb, ub, x - F/s)``.

    Parameters
    ----------
    x : numpy.ndarray
        Unknowns, shape (n,).
    rows_scaled : numpy.ndarray
        Scaled rows ``F/s``, shape (n,).
    lb, ub : numpy.ndarray
        Bounds (``-inf``/``inf`` for none), shape (n,).

    Returns
    -------
    numpy.ndarray
        int array: ``-1`` at lower bound, ``+1`` at upper bound, ``0`` inactive/free.

    Examples
    --------
    >>> identify(np.array([0.0, 1.0, 0.5]), np.array([2.0, -1.0, 0.0]),
    ...          np.zeros(3), np.array([np.inf, 1.0, 1.0])).tolist()
    [-1, 1, 0]
    """
    z = x - rows_scaled
    state = np.zeros(x.size, dtype=int)
    state[np.isfinite(lb) & (z <= lb)] = -1
    state[np.isfinite(ub) & (z >= ub)] = 1
    return state


def _scaled_jacobian(system: Any, x: np.ndarray, scales: np.ndarray):
    """``J(x) / s`` row-wise: dense below :data:`SPARSE_MIN_N` unknowns, CSR above."""
    if system.n >= SPARSE_MIN_N:
        return (sp.diags(1.0 / scales) @ system.J_sparse(x)).tocsr()
    return system.J(x) / scales[:, None]


def _identity_rows(jac, mask: np.ndarray):
    """``jac`` with the rows in ``mask`` replaced by the identity rows (a new matrix)."""
    if sp.issparse(jac):
        jac = jac.tocsr(copy=True)
        jac.data[np.repeat(mask, np.diff(jac.indptr))] = 0.0
        jac.eliminate_zeros()
        return (jac + sp.diags(mask.astype(float))).tocsr()
    jac = jac.copy()
    jac[mask] = np.eye(jac.shape[0])[mask]
    return jac


def _sparse_direction(jac: sp.spmatrix, phi: np.ndarray) -> np.ndarray:
    """Sparse LU Newton direction; regularized least squares (Levenberg-Marquardt with a tiny
    damping, the minimum-norm direction in the limit) if the matrix is singular."""
    if not np.all(np.isfinite(jac.data)):
        return np.zeros_like(phi)
    csc = jac.tocsc()
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error", spla.MatrixRankWarning)
            d = spla.splu(csc).solve(-phi)
        if np.all(np.isfinite(d)) and _norm(csc @ d + phi) <= 1e-8 * max(1.0, _norm(phi)):
            return d
    except (RuntimeError, ValueError, spla.MatrixRankWarning):
        pass
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", spla.MatrixRankWarning)
            normal = (csc.T @ csc).tocsc()
            damping = 1e-12 * max(1.0, float(normal.diagonal().max()))
            d = spla.splu((normal + damping * sp.identity(phi.size, format="csc")).tocsc()).solve(-(csc.T @ phi))
        return d if np.all(np.isfinite(d)) else np.zeros_like(phi)
    except (RuntimeError, ValueError):
        return np.zeros_like(phi)


def _direction(jac, phi: np.ndarray) -> np.ndarray:
    """Newton direction; least squares (minimum norm) when the Jacobian is singular or ill-conditioned."""
    if sp.issparse(jac):
        return _sparse_direction(jac, phi)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
            d = scipy.linalg.solve(jac, -phi, check_finite=True)
        if np.all(np.isfinite(d)):
            return d
    except (scipy.linalg.LinAlgError, scipy.linalg.LinAlgWarning, ValueError):
        pass
    if not (np.all(np.isfinite(jac)) and np.all(np.isfinite(phi))):
        return np.zeros_like(phi)  # no direction; LAPACK would only print DLASCL warnings
    try:
        return scipy.linalg.lstsq(jac, -phi, check_finite=False)[0]
    except (scipy.linalg.LinAlgError, ValueError):
        return np.zeros_like(phi)


def _norm(v: np.ndarray) -> float:
    """Euclidean norm; ``inf`` (without overflow warnings) for huge or non-finite vectors."""
    with np.errstate(all="ignore"):
        value = float(np.linalg.norm(v))
    return value if np.isfinite(value) else float("inf")


def _damped_newton(phi: Callable[[np.ndarray, bool], tuple[np.ndarray, np.ndarray | None]],
                   x: np.ndarray, max_iter: int = 50) -> tuple[np.ndarray, int]:
    """Newton on ``phi(x) = 0`` with Armijo backtracking on ``||phi||_2``; returns (x, iterations)."""
    value, jac = phi(x, True)
    norm = _norm(value)
    for it in range(max_iter):
        if not np.isfinite(norm) or np.max(np.abs(value)) <= NEWTON_FTOL:
            return x, it
        d = _direction(jac, value)
        step, accepted = 1.0, False
        while step > 1e-12:
            trial = x + step * d
            trial_value, _ = phi(trial, False)
            trial_norm = _norm(trial_value)
            if np.isfinite(trial_norm) and trial_norm <= (1.0 - 1e-4 * step) * norm:
                accepted = True
                break
            step *= 0.5
        if not accepted:
            return x, it + 1
        x = trial
        value, jac = phi(x, True)
        norm = _norm(value)
    return x, max_iter


def _support_phi(system: Any, scales: np.ndarray, state: np.ndarray):
    lb, ub = system.lb, system.ub
    fixed = state != 0
    bound = np.where(state < 0, lb, ub)

    def phi(x: np.ndarray, need_jac: bool):
        """Support system: F_I(x)/s_I on inactive rows, x_A - bound_A on active ones.

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order, shape (n,).
        need_jac : bool
            Also return the Jacobian.

        Returns
        -------
        tuple
            (Phi(x), dPhi(x) or None); the Jacobian dense below :data:`SPARSE_MIN_N` unknowns, CSR above.
        """
        value = system.F(x) / scales
        value[fixed] = x[fixed] - bound[fixed]
        if not need_jac:
            return value, None
        return value, _identity_rows(_scaled_jacobian(system, x, scales), fixed)

    return phi


def _mid_phi(system: Any, scales: np.ndarray):
    lb, ub = system.lb, system.ub

    def phi(x: np.ndarray, need_jac: bool):
        """Natural (mid) residual of the scaled rows, branch re-chosen at ``x``.

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order, shape (n,).
        need_jac : bool
            Also return the Jacobian.

        Returns
        -------
        tuple
            (Phi(x), dPhi(x) or None); the Jacobian dense below :data:`SPARSE_MIN_N` unknowns, CSR above.
        """
        rows = system.F(x) / scales
        value = natural_residual_vector(x, rows * scales, lb, ub, scales)
        if not need_jac:
            return value, None
        state = identify(x, rows, lb, ub)
        return value, _identity_rows(_scaled_jacobian(system, x, scales), state != 0)

    return phi


def _fb(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fischer-Burmeister ``a + b - sqrt(a^2 + b^2)`` and its partial derivatives."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf rows (evaluation failures) give nan/inf here
        r = np.hypot(a, b)
        safe = np.where(r > 0, r, 1.0)
        da = np.where(r > 0, 1.0 - a / safe, _SQRT_HALF)
        db = np.where(r > 0, 1.0 - b / safe, _SQRT_HALF)
        return a + b - r, da, db


def fb_function(x: np.ndarray, rows: np.ndarray, jac: np.ndarray | None, lb: np.ndarray, ub: np.ndarray):
    """Fischer-Burmeister reformulation ``Phi(x)`` of the MCP (Billups' composition for boxes).

    Free rows are passed through unchanged.

    Parameters
    ----------
    x : numpy.ndarray
        Unknowns, shape (n,).
    rows : numpy.ndarray
        The (scaled) ``F`` and equality rows, shape (n,).
    jac : numpy.ndarray, scipy.sparse matrix or None
        Their Jacobian (None: values only).
    lb, ub : numpy.ndarray
        Bounds (``-inf``/``inf`` for none), shape (n,).

    Returns
    -------
    tuple
        ``(Phi, dPhi)``; ``dPhi`` is None when ``jac`` is None, sparse when ``jac`` is.
    """
    if jac is not None and sp.issparse(jac):
        return _fb_sparse(x, rows, jac, lb, ub)
    n = x.size
    has_lb, has_ub = np.isfinite(lb), np.isfinite(ub)
    lower, upper, box = has_lb & ~has_ub, has_ub & ~has_lb, has_lb & has_ub
    value = rows.copy()
    dphi = None if jac is None else jac.copy()
    eye = np.eye(n)
    a_l = np.where(has_lb, x - lb, 0.0)
    a_u = np.where(has_ub, ub - x, 0.0)
    if lower.any():
        v, da, db = _fb(a_l[lower], rows[lower])
        value[lower] = v
        if jac is not None:
            dphi[lower] = da[:, None] * eye[lower] + db[:, None] * jac[lower]
    if upper.any():
        v, da, db = _fb(a_u[upper], -rows[upper])
        value[upper] = -v
        if jac is not None:
            dphi[upper] = da[:, None] * eye[upper] + db[:, None] * jac[upper]
    if box.any():
        inner, da2, db2 = _fb(a_u[box], -rows[box])
        outer, da1, db1 = _fb(a_l[box], -inner)
        value[box] = outer
        if jac is not None:
            dinner = -da2[:, None] * eye[box] - db2[:, None] * jac[box]
            dphi[box] = da1[:, None] * eye[box] - db1[:, None] * dinner
    return value, dphi


def _fb_sparse(x: np.ndarray, rows: np.ndarray, jac: sp.spmatrix, lb: np.ndarray, ub: np.ndarray):
    """:func:`fb_function` with a sparse Jacobian: ``dPhi = diag(A) + diag(B) J`` row-wise."""
    value, _ = fb_function(x, rows, None, lb, ub)
    has_lb, has_ub = np.isfinite(lb), np.isfinite(ub)
    lower, upper, box = has_lb & ~has_ub, has_ub & ~has_lb, has_lb & has_ub
    diag_a, diag_b = np.zeros(x.size), np.ones(x.size)
    a_l = np.where(has_lb, x - lb, 0.0)
    a_u = np.where(has_ub, ub - x, 0.0)
    if lower.any():
        _, diag_a[lower], diag_b[lower] = _fb(a_l[lower], rows[lower])
    if upper.any():
        _, diag_a[upper], diag_b[upper] = _fb(a_u[upper], -rows[upper])
    if box.any():
        inner, da2, db2 = _fb(a_u[box], -rows[box])
        _, da1, db1 = _fb(a_l[box], -inner)
        diag_a[box], diag_b[box] = da1 + db1 * da2, db1 * db2
    return value, (sp.diags(diag_a) + sp.diags(diag_b) @ jac).tocsr()


def _fb_phi(system: Any, scales: np.ndarray):
    def phi(x: np.ndarray, need_jac: bool):
        """Fischer-Burmeister function of the scaled rows (:func:`fb_function`).

        Parameters
        ----------
        x : numpy.ndarray
            Unknowns in system order, shape (n,).
        need_jac : bool
            Also return the Jacobian.

        Returns
        -------
        tuple
            (Phi(x), dPhi(x) or None); the Jacobian dense below :data:`SPARSE_MIN_N` unknowns, CSR above.
        """
        rows = system.F(x) / scales
        jac = _scaled_jacobian(system, x, scales) if need_jac else None
        return fb_function(x, rows, jac, system.lb, system.ub)

    return phi


def polish(system: Any, x0: np.ndarray, scales: np.ndarray, tol: float,
           scaling: Any = None, rounds: int = 6, fallback: bool = True) -> PolishOutcome:
    """Active-set Newton polish of ``x0`` (see the module docstring); returns the best point seen.

    Parameters
    ----------
    system : MCPSystem
        The compiled system.
    x0 : array
        Approximate solution (e.g. from the Ipopt reformulation).
    scales : array
        Fixed row divisors used inside Newton.
    tol : float
        Target scaled natural residual; stop as soon as a point reaches it.
    scaling : dict, array or callable, optional
        The measure that accepts points (:func:`residual_at`): :func:`trade_opt.mcp.solve` passes
        its :class:`trade_opt.mcp.residual.Acceptance` (fixed reference scales + term magnitudes);
        a dict / None means point-local Jacobian scaling (diagnostic only).
    rounds : int
        Re-identifications of the active set in the support Newton.
    fallback : bool
        Try the semismooth mid and Fischer-Burmeister Newton methods if the support Newton fails.

    Returns
    -------
    PolishOutcome
        The point with the smallest residual seen (``x0`` itself, method ``"start"``, if nothing
        improved), its residual under ``scaling``, the Newton iterations spent and the method.
    """
    best = PolishOutcome(x0.copy(), residual_at(system, x0, scaling), 0, "start")
    if best.residual <= tol and best.residual == 0.0:
        return best
    iterations = 0
    x = np.clip(x0, system.lb, system.ub)
    tried: list[np.ndarray] = []
    for _ in range(rounds):
        rows = system.F(x)
        if not np.all(np.isfinite(rows)):
            break
        state = identify(x, rows / scales, system.lb, system.ub)
        if any(np.array_equal(state, seen) for seen in tried):
            break
        tried.append(state)
        x, its = _damped_newton(_support_phi(system, scales, state), x)
        iterations += its
        res = residual_at(system, x, scaling)
        if res < best.residual:
            best = PolishOutcome(x.copy(), res, iterations, "support_newton")
        if res <= tol:
            break
        x = np.clip(x, system.lb, system.ub)
    best.iterations = iterations
    if best.residual <= tol or not fallback:
        return _snap_to_bounds(system, best, tol, scaling)
    for method, make in (("semismooth_mid", _mid_phi), ("semismooth_fb", _fb_phi)):
        x, its = _damped_newton(make(system, scales), best.x.copy(), max_iter=100)
        iterations += its
        res = residual_at(system, x, scaling)
        if res < best.residual:
            best = PolishOutcome(x.copy(), res, iterations, method)
        best.iterations = iterations
        if best.residual <= tol:
            break
    # a final support round from the best point (FB points identify the active set well)
    if best.residual > tol:
        x, its = _damped_newton(_support_phi(system, scales, identify(best.x, system.F(best.x) / scales,
                                                                        system.lb, system.ub)), best.x.copy())
        iterations += its
        res = residual_at(system, x, scaling)
        if res < best.residual:
            best = PolishOutcome(x.copy(), res, iterations, "support_newton")
    best.iterations = iterations
    return _snap_to_bounds(system, best, tol, scaling)


def _snap_to_bounds(system: Any, outcome: PolishOutcome, tol: float, scaling: Any) -> PolishOutcome:
    """Clip round-off bound violations (``x_i = -1e-16`` for ``x_i >= 0``) if the residual stays fine."""
    clipped = np.clip(outcome.x, system.lb, system.ub)
    if np.array_equal(clipped, outcome.x):
        return outcome
    res = residual_at(system, clipped, scaling)
    if res <= max(tol, outcome.residual):
        return PolishOutcome(clipped, res, outcome.iterations, outcome.method)
    return outcome
