"""trade_opt: trade models as optimization and complementarity problems in Pyomo.

Models (one subpackage each, the same verbs in each): ``gomory`` (Gomory 1991), ``kim`` (Kim 1999),
``melitz`` (Melitz 2003 with offshoring), ``krugman`` (Krugman 1979 with outsourcing)::

    import trade_opt
    inst = trade_opt.load_instance("instances/kim_nafta3.toml")   # any model: the file's `model` key
    result = trade_opt.solve(inst)                                  # = trade_opt.kim.solve(inst)
    result.status, result.termination, result.residual, result.to_frame()
    trade_opt.run(inst, "results/nafta3")                           # the main job, complete or absent

Shared layers: ``instances`` (files -> validated instances), ``result`` (the one Result type),
``knapsack``, ``mcp`` (complementarity), ``solvers``, ``outputs``, ``runner``, ``cli``.
Attributes load lazily, so ``import trade_opt`` is cheap.
"""
from trade_opt._config import ensure_pyomo_config_dir as _ensure_pyomo_config_dir
from trade_opt._config import register_mcp_plugin as _register_mcp_plugin

_ensure_pyomo_config_dir()
_register_mcp_plugin()  # pyo.SolverFactory("trade_opt_mcp"), Pyomo imported before or after

from trade_opt._lazy import lazy_exports  # noqa: E402
from trade_opt._version import __version__  # noqa: E402
from trade_opt.errors import InputError, OptionError, TradeOptError  # noqa: E402

__getattr__, _dir = lazy_exports(__name__, {
    "load_instance": "instances", "Result": "result", "solve": "runner", "run": "runner",
})
__all__ = ["InputError", "OptionError", "Result", "TradeOptError", "load_instance", "run", "solve", "__version__"]


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(globals()))
