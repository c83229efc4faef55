"""Solver choice and solver results: the one module that knows solver-specific details.

Choose a MIP/LP solver by name (linopy style) and get the same result type whatever it is::

    solver = get_solver("cbc", time_limit=60)      # highs (default) | cbc | glpk | scip
    result = solver.solve(model)                   # MipResult; the solution is loaded into model

* :class:`MipResult`: solver name, status, termination condition, objective, bound, relative gap
  and wall time of one MIP/LP solve, the same fields whatever the solver.
* :func:`get_solver` / :data:`SOLVERS`: the solvers by name, each behind the same
  ``solve(model) -> MipResult`` interface (:class:`PyomoSolver`):

  ========  ====================================================  ================================
  name      route                                                 provided by
  ========  ====================================================  ================================
  highs     :class:`HighsPersistent`, Pyomo APPSI ``Highs``        pip ``highspy`` (a dependency)
            (in-memory, persistent: only changed params are
            pushed on a re-solve)
  cbc       Pyomo ``SolverFactory('cbc')`` (writes an LP file,     Debian ``coinor-cbc``
            runs the ``cbc`` executable, reads its solution)
  glpk      Pyomo ``SolverFactory('glpk')`` (``glpsol``, same)     Debian ``glpk-utils``
  scip      Pyomo's ``scip_direct`` (``pyomo.contrib.solver``,     pip ``pyscipopt``
            Pyomo >= 6.10), which builds the model in SCIP         (``pip install trade_opt[scip]``)
            through PySCIPOpt in memory, no files
  ========  ====================================================  ================================

  SCIP: Pyomo's own direct PySCIPOpt interface was chosen over a hand-written PySCIPOpt path
  (one expression walker fewer to maintain) and over the executable route ``SolverFactory('scip')``
  (the PyPI wheel ships no ``scip`` binary, so that route is unavailable here).

* :func:`solver_report`: which solvers are installed (``trade-opt doctor``).

Exactness.  B1(Y) must be exact, so every solver runs with a zero optimality gap by default
(``mip_rel_gap=0``), mapped to each solver's own options:

=================  ==========================================  =================================
option             meaning                                     solver options set
=================  ==========================================  =================================
``mip_rel_gap``    stop when |bound - obj| <= gap * |obj|      highs ``mip_rel_gap`` (and
                                                               ``mip_abs_gap`` = 0 when gap = 0);
                                                               cbc ``ratioGap`` (and
                                                               ``allowableGap`` = 0, cutoff
                                                               ``increment`` = 1e-12); glpk
                                                               ``--mipgap``; scip ``limits/gap``
                                                               (and ``limits/absgap`` = 0)
``time_limit``     seconds of solver time                      highs ``time_limit``; cbc ``sec``;
                                                               glpk ``--tmlim`` (whole seconds,
                                                               rounded up); scip ``limits/time``
``threads``        solver threads (1: reproducible timings)    highs ``threads``; cbc ``threads``;
                                                               glpk/scip: single-threaded
``feasibility_tol``  primal / integer feasibility              highs ``primal_feasibility_tolerance``
                                                               and ``mip_feasibility_tolerance``;
                                                               cbc ``primalT``; glpk and scip keep
                                                               their defaults (1e-7 and 1e-6)
=================  ==========================================  =================================

What "exact" means per solver (measured on the benchmark families, ``trade_opt.bench``): HiGHS,
SCIP and CBC (with the cutoff increment above) agree with the exact DP to ~1e-15 relative; GLPK
prunes nodes within its objective tolerance ``tol_obj`` = 1e-7 (relative), which glpsol does not
expose, and returned a real-weight knapsack optimum 6.4e-8 (relative) short of the DP's at n = 10^4.

Defaults differ without these options: HiGHS stops at a 1e-4 relative gap (a 1000-item knapsack
once came back 2 short of the optimum); CBC, GLPK and SCIP default to
gap 0 but are set explicitly anyway.
"""
from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass, replace
from typing import Any, Protocol

import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs
from pyomo.opt import TerminationCondition as LegacyTC

from trade_opt.errors import SolverUnavailableError

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


class HighsPersistent:
    """HiGHS attached to one Pyomo model; re-solves after mutable-parameter changes.

    ``mip_rel_gap=0`` by default: B1(Y) must be exact.  ``feasibility_tol`` tightens HiGHS's
    primal and MIP feasibility tolerances (default 1e-7) so that knapsack rows hold to ~1e-9.

    Parameters
    ----------
    mip_rel_gap : float, optional
        HiGHS ``mip_rel_gap`` (0: prove optimality; ``mip_abs_gap`` is then 0 too, else 1e-6).
    feasibility_tol : float, optional
        HiGHS ``mip_feasibility_tolerance`` and ``primal_feasibility_tolerance``.
    time_limit : float or None, optional
        Seconds per solve, or None for no limit.
    threads : int, optional
        HiGHS threads.

    Raises
    ------
    SolverUnavailableError
        If highspy is not installed.
    """

    name = "highs"

    def __init__(self, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9, time_limit: float | None = None,
                 threads: int = 1):
        opt = Highs()
        if not opt.available():
            raise SolverUnavailableError(f"solver 'highs' is not available: install the {PROVIDERS['highs']}")
        opt.config.stream_solver = False
        opt.config.load_solution = False
        opt.config.mip_gap = mip_rel_gap
        if time_limit is not None:
            opt.config.time_limit = time_limit
        opt.highs_options = {
            "mip_rel_gap": mip_rel_gap,
            "mip_abs_gap": 0.0 if mip_rel_gap == 0.0 else 1e-6,
            "mip_feasibility_tolerance": feasibility_tol,
            "primal_feasibility_tolerance": feasibility_tol,
            "output_flag": False,
            "threads": threads,
        }
        self._opt = opt
        self._model: Any = None

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` (set on first call; later calls push only what changed) and load the solution.

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        if self._model is not model:
            self._opt.set_instance(model)
            self._model = model
        start = time.perf_counter()
        results = self._opt.solve(model)
        if results.termination_condition not in _STATUS and _highs_refused_to_run(self._opt):
            # HiGHS >= 1.16 keeps one task scheduler per user thread and refuses a run whose
            # ``threads`` option differs from the scheduler's (another HiGHS instance in this
            # process, e.g. the user's own highspy, ran first with other threads); the model status
            # then stays "not set".  Shut this thread's scheduler down and run once more; a second
            # refusal, or any error of a run that did start, is reported as is (never solved twice).
            _reset_highs_thread_scheduler()
            results = self._opt.solve(model)
        seconds = time.perf_counter() - start
        status = _STATUS.get(results.termination_condition, "error")
        if results.best_feasible_objective is not None:
            results.solution_loader.load_vars()
        return MipResult(
            solver=self.name,
            status=status,
            termination=str(results.termination_condition.name),
            objective=results.best_feasible_objective,
            bound=results.best_objective_bound,
            seconds=seconds,
        )


def _highs_refused_to_run(opt: Any) -> bool:
    """Whether the last run of the persistent HiGHS ``opt`` stopped before solving anything.

    Parameters
    ----------
    opt : pyomo.contrib.appsi.solvers.Highs
        The persistent interface after a run that ended in error or unknown.

    Returns
    -------
    bool
        True when HiGHS's model status is still ``kNotset`` (the thread-scheduler clash refuses
        the run before presolve); False for a run that started and then failed.
    """
    import highspy

    solver_model = getattr(opt, "_solver_model", None)
    return solver_model is not None and solver_model.getModelStatus() == highspy.HighsModelStatus.kNotset


def _reset_highs_thread_scheduler() -> None:
    """Shut down HiGHS's task scheduler of the calling thread (the next run starts a new one)."""
    import highspy

    highspy.Highs.resetThreadScheduler(True)


def _active_objective(model: pyo.ConcreteModel) -> Any:
    return next(model.component_data_objects(pyo.Objective, active=True))


class _ShellSolver:
    """CBC or GLPK through Pyomo's executable interface (LP file out, solution file back)."""

    def __init__(self, name: str, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9,
                 time_limit: float | None = None, threads: int = 1):
        self.name = name
        self._opt = pyo.SolverFactory(name)
        if not self._opt.available(exception_flag=False):
            raise SolverUnavailableError(f"solver {name!r} is not available: install the {PROVIDERS[name]}")
        if name == "cbc":
            options: dict[str, Any] = {"ratioGap": mip_rel_gap, "threads": threads, "primalT": feasibility_tol}
            if mip_rel_gap == 0.0:
                # allowableGap 0 and a cutoff increment of ~0: CBC's automatic increment pruned
                # a node 4.8e-6 better than its incumbent on a real-weight knapsack (n = 10^4)
                options["allowableGap"] = 0.0
                options["increment"] = 1e-12
            if time_limit is not None:
                options["sec"] = float(time_limit)
        else:
            options = {"mipgap": mip_rel_gap}
            if time_limit is not None:
                options["tmlim"] = max(1, math.ceil(time_limit))
        self._options = options
        self._time_limit = time_limit

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` with CBC/GLPK (LP file out, solution file back) and load the solution, if any.

        The objective is recomputed from the loaded x; a printed bound within 1e-6 relative of an optimal
        objective is replaced by it (:class:`MipResult`).

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        start = time.perf_counter()
        results = self._opt.solve(model, load_solutions=False, options=self._options)
        seconds = time.perf_counter() - start
        tc = results.solver.termination_condition
        status = _LEGACY_STATUS.get(tc, "error")
        if status == "error" and self._time_limit is not None and seconds >= 0.95 * self._time_limit:
            # glpsol stopped by --tmlim is reported by Pyomo as 'feasible' (incumbent) or 'other'
            status = "time_limit"
        has_solution = len(results.solution) > 0 and status not in ("infeasible", "unbounded", "infeasible_or_unbounded")
        objective = bound = None
        objective_data = _active_objective(model)
        maximize = objective_data.sense == pyo.maximize
        if has_solution:
            model.solutions.load_from(results)
            # recompute from the loaded x: the solvers print the objective with ~12 digits only
            objective = float(pyo.value(objective_data))
        raw_bound = results.problem.upper_bound if maximize else results.problem.lower_bound
        if raw_bound is not None and math.isfinite(float(raw_bound)):
            bound = float(raw_bound)
            if status == "optimal" and objective is not None and abs(bound - objective) <= 1e-6 * max(1.0, abs(objective)):
                # proven at gap 0; the solution file prints it with ~7 significant digits (CBC)
                bound = objective
        return MipResult(self.name, status, str(tc), objective, bound, seconds)


class _ScipSolver:
    """SCIP through Pyomo's direct PySCIPOpt interface (``pyomo.contrib.solver`` ``scip_direct``)."""

    name = "scip"

    def __init__(self, mip_rel_gap: float = 0.0, feasibility_tol: float = 1e-9,
                 time_limit: float | None = None, threads: int = 1):
        try:
            from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory

            opt = ContribFactory("scip_direct")
            ok = bool(opt.available())
        except Exception:  # Pyomo < 6.10 has no scip_direct; pyscipopt missing
            ok = False
        if not ok:
            raise SolverUnavailableError(f"solver 'scip' is not available: install the {PROVIDERS['scip']}")
        self._opt = opt
        self._time_limit = time_limit
        self._options: dict[str, Any] = {"limits/gap": mip_rel_gap}
        if mip_rel_gap == 0.0:
            self._options["limits/absgap"] = 0.0

    def solve(self, model: pyo.ConcreteModel) -> MipResult:
        """Solve ``model`` with SCIP (Pyomo ``scip_direct``) and load the solution, if any.

        Parameters
        ----------
        model : pyomo.environ.ConcreteModel
            A MIP/LP with one active objective (max or min).

        Returns
        -------
        MipResult
            Status, solver termination word, objective, bound, gap and wall time (seconds).
        """
        from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition as TC

        status_map = {
            TC.convergenceCriteriaSatisfied: "optimal",
            TC.provenInfeasible: "infeasible",
            TC.locallyInfeasible: "infeasible",
            TC.unbounded: "unbounded",
            TC.infeasibleOrUnbounded: "infeasible_or_unbounded",
            TC.maxTimeLimit: "time_limit",
            TC.iterationLimit: "iteration_limit",
        }
        start = time.perf_counter()
        results = self._opt.solve(model, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                                  time_limit=self._time_limit, solver_options=dict(self._options))
        seconds = time.perf_counter() - start
        objective = None
        if results.solution_status in (SolutionStatus.feasible, SolutionStatus.optimal):
            results.solution_loader.load_vars()
            objective = results.incumbent_objective
        bound = results.objective_bound
        bound = float(bound) if bound is not None and math.isfinite(bound) else None
        tc = results.termination_condition
        return MipResult(self.name, status_map.get(tc, "error"), tc.name, objective, bound, seconds)


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


def ipopt_available() -> tuple[bool, str]:
    """Whether Ipopt is usable through Pyomo's ``SolverFactory('cyipopt')``.

    Needs PyNumero's ASL library, located in any import order by
    :func:`trade_opt._config.locate_pynumero_asl`.  ``SolverFactory('ipopt')`` (the AMPL executable)
    is not provided by the set-up; the name that works is ``cyipopt``.

    Returns
    -------
    tuple of (bool, str)
        ``(ok, detail)``; when not ok, ``detail`` is one line naming what is missing and the command
        that installs it.
    """
    from trade_opt._config import SETUP_COMMAND, locate_pynumero_asl, missing_asl_message

    try:
        if locate_pynumero_asl() is None:
            return False, missing_asl_message()
        if not pyo.SolverFactory("cyipopt").available(exception_flag=False):
            return False, f"the Python module cyipopt is not importable (pip package cyipopt-wheels); run `{SETUP_COMMAND}`"
    except Exception as exc:  # pragma: no cover - depends on the machine
        return False, f"Ipopt check failed ({type(exc).__name__}: {exc}); run `{SETUP_COMMAND}`"
    import cyipopt

    return True, f"Ipopt via cyipopt {getattr(cyipopt, '__version__', '?')} (PyNumero ASL; SolverFactory('cyipopt'))"


def solver_report() -> dict[str, tuple[bool, str]]:
    """Availability of every solver trade_opt can use (``trade-opt solvers``).

    Returns
    -------
    dict of str to (bool, str)
        Name (``highs``, ``ipopt``, ``cbc``, ``glpk``, ``scip``) -> (available, detail: version or path,
        else the install hint).
    """
    report: dict[str, tuple[bool, str]] = {}
    highs = Highs()
    report["highs"] = (True, f"HiGHS {'.'.join(map(str, highs.version()))} (appsi, persistent)") if highs.available() else (False, PROVIDERS["highs"])
    report["ipopt"] = ipopt_available()
    for name, exe in (("cbc", "cbc"), ("glpk", "glpsol")):
        path = shutil.which(exe)
        report[name] = (True, path) if path else (False, f"optional: {PROVIDERS[name]}")
    try:
        _ScipSolver()
        import pyscipopt

        report["scip"] = (True, f"SCIP via PySCIPOpt {pyscipopt.__version__} (Pyomo scip_direct)")
    except SolverUnavailableError:
        report["scip"] = (False, f"optional: {PROVIDERS['scip']}")
    return report
