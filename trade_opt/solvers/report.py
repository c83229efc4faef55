"""Which solvers are installed, with versions or install hints (``trade-opt doctor``)."""
from __future__ import annotations

import shutil

import pyomo.environ as pyo
from pyomo.contrib.appsi.solvers import Highs

from trade_opt.errors import SolverUnavailableError
from trade_opt.solvers.common import PROVIDERS
from trade_opt.solvers.scip import _ScipSolver


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
