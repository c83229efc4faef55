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

Modules (every name is importable from here): :mod:`~trade_opt.solvers.common` (names, interface,
result, status words), :mod:`~trade_opt.solvers.choice` (:func:`get_solver`, availability),
:mod:`~trade_opt.solvers.highs`, :mod:`~trade_opt.solvers.executables` (cbc, glpk),
:mod:`~trade_opt.solvers.scip`, :mod:`~trade_opt.solvers.report` (``trade-opt doctor``).

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

from trade_opt.solvers.choice import check_solver, get_solver, solver_available  # noqa: F401
from trade_opt.solvers.common import (  # noqa: F401
    _LEGACY_STATUS,
    _STATUS,
    HIGHS_LARGE_MATRIX_VALUE,
    HIGHS_SMALL_MATRIX_VALUE,
    PROVIDERS,
    SOLVERS,
    MipResult,
    PyomoSolver,
    matrix_range_note,
    relative_gap,
    with_status_note,
)
from trade_opt.solvers.executables import _active_objective, _ShellSolver  # noqa: F401
from trade_opt.solvers.highs import HighsPersistent, _highs_refused_to_run, _reset_highs_thread_scheduler  # noqa: F401
from trade_opt.solvers.report import ipopt_available, solver_report  # noqa: F401
from trade_opt.solvers.scip import _ScipSolver  # noqa: F401
