"""Finding PyNumero's compiled ASL library, whatever was imported first.

PyNumero (Pyomo's AMPL-Solver-Library interface, used for exact derivatives and by Ipopt through
cyipopt) loads ``libpynumero_ASL.so``.  ``scripts/setup.sh`` builds it into
``<sys.prefix>/pyomo_config/lib``.  Pyomo reads ``PYOMO_CONFIG_DIR`` only once, when
``pyomo.common.envvar`` is first imported, so setting the variable from ``import trade_opt`` works
only when trade_opt is imported before Pyomo.  PyNumero, however, looks the library up lazily
through the class attribute ``AmplInterface.libname`` (``find_library('pynumero_ASL')`` on first
use); :func:`locate_pynumero_asl` points that attribute at the built library when Pyomo's own
search fails, so a solve works in any import order.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

#: The library file PyNumero loads (Linux name; ``.dylib``/``.dll`` elsewhere).
ASL_LIBRARY = "libpynumero_ASL.so" if sys.platform.startswith("linux") else (
    "libpynumero_ASL.dylib" if sys.platform == "darwin" else "pynumero_ASL.dll")
#: The one command that builds it (and installs cyipopt-wheels).
SETUP_COMMAND = "bash scripts/setup.sh"


def default_config_dir() -> Path:
    """Where ``scripts/setup.sh`` builds PyNumero's library.

    Returns
    -------
    pathlib.Path
        ``<sys.prefix>/pyomo_config``.

    Examples
    --------
    >>> default_config_dir().name
    'pyomo_config'
    """
    return Path(sys.prefix) / "pyomo_config"


def ensure_pyomo_config_dir() -> Path:
    """Set ``PYOMO_CONFIG_DIR`` to ``<sys.prefix>/pyomo_config`` unless the user set it.

    Effective only if Pyomo is not imported yet; if it is, the ASL library is located directly
    (:func:`locate_pynumero_asl`), which works in every import order.

    Returns
    -------
    pathlib.Path
        The config folder in effect (the user's ``PYOMO_CONFIG_DIR`` if set).
    """
    current = os.environ.get("PYOMO_CONFIG_DIR")
    path = Path(current) if current else default_config_dir()
    if not current:
        os.environ["PYOMO_CONFIG_DIR"] = str(path)
    if "pyomo.common.envvar" in sys.modules:  # Pyomo came first: its config dir is already read
        locate_pynumero_asl()
    return path


def asl_candidates() -> list[Path]:
    """Places searched for the library beyond Pyomo's own search path, in order.

    Returns
    -------
    list of pathlib.Path
        ``$PYOMO_CONFIG_DIR/lib/<ASL_LIBRARY>`` (when the variable is set), then the same under
        :func:`default_config_dir`.
    """
    dirs = []
    if os.environ.get("PYOMO_CONFIG_DIR"):
        dirs.append(Path(os.environ["PYOMO_CONFIG_DIR"]))
    dirs.append(default_config_dir())
    return [d / "lib" / ASL_LIBRARY for d in dirs]


def locate_pynumero_asl() -> str | None:
    """Path of PyNumero's ASL library, made known to PyNumero; None if it is not built.

    Pyomo's own lookup first (``AmplInterface.available()``); if that fails, the first existing
    :func:`asl_candidates` entry is written into ``AmplInterface.libname``.

    Returns
    -------
    str or None
        The library's path, or None if it is not built.
    """
    from pyomo.contrib.pynumero.asl import AmplInterface

    if AmplInterface.available():
        return str(AmplInterface.libname)
    for candidate in asl_candidates():
        if candidate.is_file():
            AmplInterface.libname = str(candidate)
            return str(candidate)
    return None


def missing_asl_message() -> str:
    """The one-line message for a machine without the library (plain ``pip install``, no set-up script).

    Returns
    -------
    str
        Names the library, the places looked in and the set-up command (:data:`SETUP_COMMAND`).
    """
    where = ", ".join(str(p) for p in asl_candidates())
    return (f"PyNumero's ASL library ({ASL_LIBRARY}, needed for exact derivatives and Ipopt) is not "
            f"built for this Python (looked in Pyomo's search path and {where}); run `{SETUP_COMMAND}`")


#: The name of the complementarity layer in ``pyo.SolverFactory``.
MCP_SOLVER_NAME = "trade_opt_mcp"
_MCP_DOC = "trade_opt's MCP solver: Newton polish + Scholtes/Ipopt, natural residual (trade_opt.mcp)"


def _make_mcp_solver(**kwds):
    """Factory registered in Pyomo's SolverFactory: imports the solver only when one is made."""
    from trade_opt.mcp.plugin import TradeOptMCP

    return TradeOptMCP(**kwds)


def _register_in(factory) -> None:
    if MCP_SOLVER_NAME not in factory._cls:
        factory.register(MCP_SOLVER_NAME, doc=_MCP_DOC)(_make_mcp_solver)


class _RegisterWhenPyomoLoads:
    """A ``sys.meta_path`` finder that registers the plugin right after Pyomo's SolverFactory
    module executes (so ``import trade_opt`` does not import Pyomo itself)."""

    target = "pyomo.opt.base.solvers"

    def find_spec(self, name, path=None, target=None):
        """The import system's hook: wrap the loader of Pyomo's SolverFactory module.

        For any other module returns None (the next finder handles it).  For :attr:`target` the
        finder removes itself from ``sys.meta_path`` and returns the module's regular spec with
        ``exec_module`` wrapped to register the plugin after the module body has run.

        Parameters
        ----------
        name : str
            Fully qualified module name being imported.
        path : list of str, optional
            The parent package's ``__path__`` (unused).
        target : module, optional
            The module object on reload (unused).

        Returns
        -------
        importlib.machinery.ModuleSpec or None
        """
        if name != self.target:
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            """Run the module body, then register the plugin in its SolverFactory.

            Parameters
            ----------
            module : module
                The module being executed (``pyomo.opt.base.solvers``).

            Returns
            -------
            None
            """
            run(module)
            _register_in(module.SolverFactory)

        spec.loader.exec_module = exec_module
        return spec


def register_mcp_plugin() -> None:
    """Make ``pyo.SolverFactory("trade_opt_mcp")`` available, whether Pyomo is imported yet or not.

    If Pyomo's SolverFactory module is loaded, registers at once; otherwise installs (once) a
    ``sys.meta_path`` finder that registers right after that module executes.

    Returns
    -------
    None
    """
    module = sys.modules.get(_RegisterWhenPyomoLoads.target)
    if module is not None and hasattr(module, "SolverFactory"):
        _register_in(module.SolverFactory)
    elif not any(isinstance(f, _RegisterWhenPyomoLoads) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterWhenPyomoLoads())
