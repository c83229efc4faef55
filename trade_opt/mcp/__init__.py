"""The shared complementarity layer: Pyomo MCPs solved by Ipopt plus an active-set Newton polish.

Write the model with ``pyomo.mpec.Complementarity`` (``complements(x >= 0, F >= 0)``) and free
variables with equality ``Constraint`` s, then::

    from trade_opt.mcp import solve
    result = solve(model, starts=[{"p[1]": 1.0}], tol=1e-10)
    result.status, result.residual, result.active_set, result.solutions

Algorithm (``models/mcp.md``): Scholtes relaxation solved by Ipopt (:mod:`.reformulate`), active
set identified from the natural residual and a Newton solve of the support system with exact
PyNumero/ASL derivatives (:mod:`.polish`), semismooth mid / Fischer-Burmeister fallbacks, scaled
natural residual (:mod:`.residual`).  :mod:`.baseline` holds the plain scipy FB baseline.
"""
from trade_opt._config import locate_pynumero_asl as _locate_pynumero_asl
from trade_opt._config import register_mcp_plugin as _register_mcp_plugin

_locate_pynumero_asl()  # PyNumero's library in any import order (also for SolverFactory('cyipopt'))
_register_mcp_plugin()  # pyo.SolverFactory("trade_opt_mcp")

from trade_opt.mcp.pairs import Pair, complementarity_pairs
from trade_opt.mcp.multistart import multistart
from trade_opt.mcp.residual import natural_residual, natural_residual_array
from trade_opt.mcp.result import MCPResult, MCPSolution
from trade_opt.mcp.solve import generic_stability, solve

__all__ = ["solve", "multistart", "natural_residual_array", "MCPResult", "MCPSolution", "natural_residual", "complementarity_pairs", "Pair",
           "generic_stability"]
