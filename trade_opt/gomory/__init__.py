"""Gomory (1991), "A Ricardo model with economies of scale" (seed 003).

Two countries, n goods, production f_ij(l) = e_ij l^alpha_ij with alpha > 1, Cobb-Douglas demand;
optionally with a set-up interval or a barrier to entry (:mod:`~trade_opt.gomory.production`).

* :mod:`~trade_opt.gomory.instance`: the instance file type and its numpy data (:class:`GomoryData`).
* :mod:`~trade_opt.gomory.production`: production functions (:class:`Production`: power, power_with_setup, barrier).
* :mod:`~trade_opt.gomory.equilibria`: the 2^n - 2 specialized equilibria (trade equation, Eq. 2).
* :mod:`~trade_opt.gomory.boundary`: knapsack coefficients c_i(Y), V_i(Y) and the curves B(Y), B1(Y).
* :mod:`~trade_opt.gomory.b1_trace`, :mod:`~trade_opt.gomory.b1_pieces`: the exact parametric B1(Y), every
  breakpoint certified by the DP, and B1 as (Y interval, x) pieces (``trade-opt gomory trace``).
* :mod:`~trade_opt.gomory.ricardo`: Ricardo level and Ricardo solution.
* :mod:`~trade_opt.gomory.theorems`: Theorem 2's bound, Theorem 3's check.

The verbs (:mod:`~trade_opt.gomory.interface`): ``load_instance(path)``, ``build_model(instance, ...)``
(a Pyomo model), ``solve(instance, ...)`` and ``run(instance, out_dir)`` (both return
:class:`trade_opt.result.Result`).
"""

from trade_opt._lazy import model_package_exports

__getattr__, __dir__, __all__ = model_package_exports(__name__, ('GomoryData', 'GomoryInstance', 'Production'))
