"""What every MIP/LP solver shares: the names, the interface, the result and its status words.

:data:`SOLVERS` and :data:`PROVIDERS` (names and where each comes from), :class:`PyomoSolver`
(``solve(model) -> MipResult``), :class:`MipResult` with :func:`relative_gap`, the maps from Pyomo's
termination conditions to the status words, and the HiGHS matrix-range notes
(:func:`matrix_range_note`, :func:`with_status_note`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Protocol

import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.opt import TerminationCondition as LegacyTC

#: MIP/LP solvers selectable by name (``--solver NAME``); the first is the default.
SOLVERS = ("highs", "cbc", "glpk", "scip")

#: Solver name -> the package that provides it (for error messages).
PROVIDERS = {
    "highs": "pip package highspy (a trade_opt dependency: pip install highspy)",
    "ipopt": "pip package cyipopt-wheels plus PyNumero's ASL library (bash scripts/setup.sh builds it)",
    "cbc": "Debian package coinor-cbc (apt-get install coinor-cbc)",
    "glpk": "Debian package glpk-utils (apt-get install glpk-utils)",
    "scip": "pip package pyscipopt (pip install 'trade_opt[scip]') with Pyomo >= 6.10 (its scip_direct interface)",
}

_STATUS = {
    TerminationCondition.optimal: "optimal",
    TerminationCondition.infeasible: "infeasible",
    TerminationCondition.unbounded: "unbounded",
    TerminationCondition.infeasibleOrUnbounded: "infeasible_or_unbounded",
    TerminationCondition.maxTimeLimit: "time_limit",
    TerminationCondition.maxIterations: "iteration_limit",
}

_LEGACY_STATUS = {
    LegacyTC.optimal: "optimal",
    LegacyTC.locallyOptimal: "optimal",
    LegacyTC.globallyOptimal: "optimal",
    LegacyTC.infeasible: "infeasible",
    LegacyTC.unbounded: "unbounded",
    LegacyTC.infeasibleOrUnbounded: "infeasible_or_unbounded",
    LegacyTC.maxTimeLimit: "time_limit",
    LegacyTC.maxIterations: "iteration_limit",
}


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap |bound - objective| / max(|objective|, 1e-10).

    Parameters
    ----------
    objective : float or None
        Best feasible objective value.
    bound : float or None
        Best proven bound.

    Returns
    -------
    float or None
        The gap (0 for equal values); None if either is unknown or not finite.

    Examples
    --------
    >>> relative_gap(100.0, 101.0), relative_gap(None, 1.0), relative_gap(5.0, 5.0)
    (0.01, None, 0.0)
    """
    if objective is None or bound is None or not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    diff = abs(bound - objective)
    return 0.0 if diff == 0.0 else diff / max(abs(objective), 1e-10)


#: HiGHS's default ``small_matrix_value``: matrix entries with |a| <= this are zeroed (a warning only).
HIGHS_SMALL_MATRIX_VALUE = 1e-9
#: HiGHS's default ``large_matrix_value``: a matrix entry with |a| >= this makes adding the row an error.
HIGHS_LARGE_MATRIX_VALUE = 1e15


def matrix_range_note(solver: str, coefficients: Any) -> str | None:
    """A status note when ``solver`` would not keep the row ``coefficients`` as given, else None.

    HiGHS zeroes nonzero entries with |a| <= :data:`HIGHS_SMALL_MATRIX_VALUE` ("coefficients
    dropped") and rejects |a| >= :data:`HIGHS_LARGE_MATRIX_VALUE` ("coefficients too large");
    callers append the note to the solve status (e.g. ``optimal (coefficients dropped)``) so that a
    changed model never passes silently.  Other solvers: None (their thresholds are far smaller).

    Parameters
    ----------
    solver : str
        Normalized solver name (``"highs"``, ``"cbc"``, ...).
    coefficients : iterable of float
        The row's matrix coefficients.

    Returns
    -------
    str or None
        ``"coefficients too large"``, ``"coefficients dropped"`` or None.

    Examples
    --------
    >>> matrix_range_note("highs", [1.0, 1e-12]), matrix_range_note("cbc", [1e-12])
    ('coefficients dropped', None)
    """
    if solver != "highs":
        return None
    a = [abs(float(v)) for v in coefficients]
    if any(v >= HIGHS_LARGE_MATRIX_VALUE for v in a):
        return "coefficients too large"
    if any(0.0 < v <= HIGHS_SMALL_MATRIX_VALUE for v in a):
        return "coefficients dropped"
    return None


def with_status_note(result: "MipResult", note: str | None) -> "MipResult":
    """``result`` with `` (note)`` appended to its status (unchanged when note is None).

    Parameters
    ----------
    result : MipResult
        A solve result.
    note : str or None
        The note (:func:`matrix_range_note`).

    Returns
    -------
    MipResult
        A copy with status ``"<status> (<note>)"``, or ``result`` itself when ``note`` is None.
    """
    return result if note is None else replace(result, status=f"{result.status} ({note})")


@dataclass(frozen=True)
class MipResult:
    """Outcome of one MIP/LP solve (maximization or minimization as the model says).

    ``status`` is one of ``optimal``, ``infeasible``, ``unbounded``, ``infeasible_or_unbounded``,
    ``time_limit``, ``iteration_limit``, ``error``; ``termination`` is the solver's own word;
    ``objective`` the best feasible objective (None if none), ``bound`` the best proven bound,
    ``gap`` = :func:`relative_gap` (objective, bound) (filled in when not given), ``seconds`` the
    wall time of the solve call (for cbc/glpk this includes writing and reading files).

    cbc/glpk: ``objective`` is recomputed from the loaded x (their solution files print it with
    ~7-12 significant digits); ``bound`` is the printed number, except that for status
    ``optimal`` (proved at gap 0) a printed bound within 1e-6 relative of the objective is
    replaced by the objective."""

    solver: str
    status: str
    termination: str
    objective: float | None
    bound: float | None
    seconds: float
    gap: float | None = None

    def __post_init__(self) -> None:
        if self.gap is None:
            object.__setattr__(self, "gap", relative_gap(self.objective, self.bound))

    @property
    def ok(self) -> bool:
        """Whether the solve proved optimality (``status == "optimal"``).

        Returns
        -------
        bool
            True only for status ``optimal`` (a status with a note, e.g. ``optimal (coefficients
            dropped)``, is not ok).
        """
        return self.status == "optimal"


class PyomoSolver(Protocol):
    """What every solver returned by :func:`get_solver` offers."""

    name: str

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model``, load the best solution found (if any) into it, return the result.

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        ...
