"""Choosing a MIP/LP solver by name (:func:`get_solver`) and checking that it can be used."""
from __future__ import annotations

from trade_opt.errors import SolverUnavailableError
from trade_opt.solvers.common import SOLVERS, PyomoSolver
from trade_opt.solvers.executables import _ShellSolver
from trade_opt.solvers.highs import HighsPersistent
from trade_opt.solvers.scip import _ScipSolver


def get_solver(name: str = "highs", *, mip_rel_gap: float = 0.0, time_limit: float | None = None,
               threads: int = 1, feasibility_tol: float = 1e-9) -> PyomoSolver:
    """A MIP/LP solver by name with the options mapped as in the module docstring.

    Parameters
    ----------
    name : str, optional
        One of :data:`SOLVERS` (``highs``, ``cbc``, ``glpk``, ``scip``); case and surrounding spaces
        ignored.  Default ``"highs"``.
    mip_rel_gap : float, optional
        Relative optimality gap (default 0: prove optimality; what B1 needs).
    time_limit : float or None, optional
        Seconds, or None (default) for no limit.
    threads : int, optional
        Solver threads where the solver takes the option (default 1).
    feasibility_tol : float, optional
        Primal / integer feasibility tolerance where the solver takes the option (default 1e-9).

    Returns
    -------
    PyomoSolver
        An object with ``name`` and ``solve(model) -> MipResult``.

    Raises
    ------
    SolverUnavailableError
        The solver is unknown, or not installed (the message names the package that provides it).
    """
    key = name.strip().lower()
    kwargs = dict(mip_rel_gap=mip_rel_gap, time_limit=time_limit, threads=threads, feasibility_tol=feasibility_tol)
    if key == "highs":
        return HighsPersistent(**kwargs)
    if key in ("cbc", "glpk"):
        return _ShellSolver(key, **kwargs)
    if key == "scip":
        return _ScipSolver(**kwargs)
    raise SolverUnavailableError(f"unknown solver {name!r}; choose from {', '.join(SOLVERS)}")


def check_solver(name: str) -> str:
    """The normalized solver name if it is known and installed.

    Parameters
    ----------
    name : str
        Solver name (:data:`SOLVERS`).

    Returns
    -------
    str
        ``name`` stripped and lower-cased.

    Raises
    ------
    SolverUnavailableError
        The solver is unknown or not installed.
    """
    get_solver(name)
    return name.strip().lower()


def solver_available(name: str) -> tuple[bool, str]:
    """Whether a solver can be used, with the reason when not.

    Parameters
    ----------
    name : str
        Solver name (:data:`SOLVERS`).

    Returns
    -------
    tuple of (bool, str)
        ``(available, reason)``: reason is empty when available, else the install hint.

    Examples
    --------
    >>> solver_available("highs")
    (True, '')
    """
    try:
        get_solver(name)
    except SolverUnavailableError as exc:
        return False, str(exc)
    return True, ""
