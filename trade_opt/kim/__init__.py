"""Kim (1999), "A multiregional location model of monopolistically-competitive firms" (seed 004).

J regions, two assembled goods A_1, A_2, first-tier suppliers F and second-tier suppliers S, all
Dixit-Stiglitz monopolistic competitors; wages and incomes exogenous (partial equilibrium).  The
project closes the model by free entry, an MCP (``models/kim_location.md``).

* :mod:`~trade_opt.kim.instance`: the instance file type and its numpy data (:class:`KimData`).
* :mod:`~trade_opt.kim.model`: prices, demands, indices and profits at given firm numbers (eq. 11-29).
* :mod:`~trade_opt.kim.closed_forms`: the corrected closed forms (26'), (28'), (30').
* :mod:`~trade_opt.kim.mcp_model`: free entry as a Pyomo complementarity model.
* :mod:`~trade_opt.kim.equilibrium`: multi-start solves, verification, stability lambda_max.
* :mod:`~trade_opt.kim.liberalize`: the trade-liberalization sweep by continuation.

The verbs (:mod:`~trade_opt.kim.interface`): ``load_instance(path)``, ``build_model(instance, ...)``
(a Pyomo model), ``solve(instance, ...)`` and ``run(instance, out_dir)`` (both return
:class:`trade_opt.result.Result`).
"""

from trade_opt._lazy import model_package_exports

__getattr__, __dir__, __all__ = model_package_exports(__name__, ('KimData', 'KimInstance'))
