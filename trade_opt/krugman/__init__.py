"""Krugman (1979) / Dixit-Stiglitz with A production stages and North-South outsourcing (seed 000).

The system as implemented: ``models/krugman_outsourcing.md``.

* :mod:`~trade_opt.krugman.instance`: the instance file type (closed or North-South) and :class:`KrugmanData`.
* :mod:`~trade_opt.krugman.mu`: the South's share mu(z): power, polynomial, or a PCHIP-interpolated table.
* :mod:`~trade_opt.krugman.closed`: closed economy, Eqs. 1-12 (SS, DD, closed form, MCP pairs).
* :mod:`~trade_opt.krugman.outsourcing`: North-South, Eqs. 13-19 (closed form, reduced form, pairs, elasticities).
* :mod:`~trade_opt.krugman.mcp_model`: both economies as Pyomo MCPs, solved by :mod:`trade_opt.mcp`.
* :mod:`~trade_opt.krugman.economy`: MCP + closed form + reduced form, with every consistency check.
* :mod:`~trade_opt.krugman.sweep`, :mod:`~trade_opt.krugman.plots`: comparative statics and figures.

The verbs (:mod:`~trade_opt.krugman.interface`): ``load_instance(path)``, ``build_model(instance, ...)``
(a Pyomo model), ``solve(instance, ...)`` and ``run(instance, out_dir)`` (both return
:class:`trade_opt.result.Result`).
"""

from trade_opt._lazy import model_package_exports

__getattr__, __dir__, __all__ = model_package_exports(__name__, ('KrugmanData', 'KrugmanInstance'))
