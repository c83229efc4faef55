"""Melitz (2003) with North-South offshoring (Antràs-Helpman 2004) (seed 001).

Heterogeneous firms draw productivity from G; the more productive ones offshore the low-tech
input to the South.  The system as implemented:
``models/melitz_offshoring.md``.

* :mod:`~trade_opt.melitz.instance`: instance files and their numpy form (:class:`MelitzData`).
* :mod:`~trade_opt.melitz.distributions`: G through J(t) = 1 - G(t) and V(t) = int_t x^(sigma-1) dG.
* :mod:`~trade_opt.melitz.industry`: firm side (eqs. 6-8, 13-14), aggregation (10-12, 16-19), labour.
* :mod:`~trade_opt.melitz.mcp_model`: the equilibrium as one square MCP in Pyomo (solved by trade_opt.mcp
  in :mod:`~trade_opt.melitz.mcp_solve`, from the starts of :mod:`~trade_opt.melitz.mcp_starts`).
* :mod:`~trade_opt.melitz.closed_forms`, :mod:`~trade_opt.melitz.reduction`: two independent checks.
* :mod:`~trade_opt.melitz.compare`, :mod:`~trade_opt.melitz.plots`: autarky vs offshoring.

The verbs (:mod:`~trade_opt.melitz.interface`): ``load_instance(path)``, ``build_model(instance, ...)``
(a Pyomo model), ``solve(instance, ...)`` and ``run(instance, out_dir)`` (both return
:class:`trade_opt.result.Result`).
"""

from trade_opt._lazy import model_package_exports

__getattr__, __dir__, __all__ = model_package_exports(__name__, ('MelitzData', 'MelitzInstance'))
