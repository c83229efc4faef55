"""trade_opt: trade models as optimization and complementarity problems in Pyomo.

Models (one subpackage each): ``gomory`` (Gomory 1991, Ricardo model with economies of scale).
Shared layers: ``instances`` (files -> validated instance objects), ``knapsack`` (B, B1 machinery),
``solvers`` (solver choice and results), ``outputs`` (tables and JSON), ``cli``.
"""
from trade_opt._config import ensure_pyomo_config_dir as _ensure_pyomo_config_dir
from trade_opt._config import register_mcp_plugin as _register_mcp_plugin

_ensure_pyomo_config_dir()
_register_mcp_plugin()  # pyo.SolverFactory("trade_opt_mcp"), Pyomo imported before or after

from trade_opt.errors import InputError, TradeOptError  # noqa: E402
from trade_opt.instances import load_instance  # noqa: E402

__version__ = "0.1.0"
__all__ = ["InputError", "TradeOptError", "load_instance", "__version__"]
