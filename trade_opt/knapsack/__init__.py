"""Knapsack machinery behind Gomory's boundary curves B(Y) and B1(Y), usable on its own.

All problems are maximizations with real-valued values c_i (any sign), positive real weights w_i
and a real capacity W:

* :func:`continuous_greedy`: max c.x s.t. w.x = W, 0 <= x <= 1 (Dantzig's greedy by c_i / w_i,
  filling the capacity exactly), vectorized over a batch of instances.
* :func:`knapsack_dp`: max c.x s.t. w.x <= W, x in {0,1}^n, exact for real weights:
  Nemhauser-Ullmann list of non-dominated (weight, value) states, pruned with Dantzig's LP bound
  (Martello & Toth, *Knapsack Problems*, 1990, ch. 2).  No rounding of weights to a grid.
* :func:`knapsack_brute_force`: the same by enumeration of all 2^n vectors (n <= 20).
* :class:`KnapsackMIP`: the same as a Pyomo model with mutable ``Param`` s for c, w and W, solved
  by a solver chosen by name (:func:`trade_opt.solvers.get_solver`: HiGHS through a persistent
  interface by default, or CBC, GLPK, SCIP; change the params, re-solve), in either direction
  (``<=`` or ``>=``) and optionally as its LP relaxation; :func:`solve_knapsack_mip_rebuilt`
  builds a fresh model and solver per call (the baseline a persistent model is measured against).
* :func:`knapsack_cover_dp` (= :func:`knapsack_dp_ge`): the ``>=`` direction max c.x s.t. w.x >= W
  directly (a covering DP; never through the complement sum(w) - W, which loses W's digits when W
  is small against sum(w)).

Feasibility slack (:func:`capacity_slack`): w.x <= W + s, or w.x >= W - s, with
s = |W| (CAPACITY_TOL + (n + 2) eps), *relative to the right-hand side*.  Argument: the weights are
positive and each carries a relative rounding error of a few ulps (u = eps / 2); a load is a sum of
at most n of them, so a computed load differs from its exact value by at most ~(n + 2) u times the
load, and near the boundary the load is ~|W|.  Hence s covers every assignment that meets the row
exactly in exact arithmetic, whatever the magnitude of W (an absolute slack such as 1e-12 would
accept loads that exceed W = 1e-15 a thousandfold).  CAPACITY_TOL = 1e-12 dominates for n < ~2000.
Integer weights sum exactly, and s < 1 for |W| < 1e11, so integer instances are unaffected.

Modules: :mod:`~trade_opt.knapsack.core` (result type, slack, greedy), :mod:`~trade_opt.knapsack.reduce`
(LP bounds and fixing), :mod:`~trade_opt.knapsack.mitm` (meet in the middle), :mod:`~trade_opt.knapsack.exact`
(the DPs), :mod:`~trade_opt.knapsack.ortools_knapsack` (OR-Tools), :mod:`~trade_opt.knapsack.mip` (Pyomo model);
everything public is importable from ``trade_opt.knapsack``.  The Pyomo model is imported lazily, so
the exact DPs do not import Pyomo.
"""
from __future__ import annotations

from typing import Any

from trade_opt.knapsack.core import CAPACITY_TOL, KnapsackSolution, capacity_slack, continuous_greedy
from trade_opt.knapsack.exact import knapsack_brute_force, knapsack_cover_dp, knapsack_dp, knapsack_dp_ge
from trade_opt.knapsack.ortools_knapsack import ORTOOLS_SCALE_BITS, knapsack_ortools, knapsack_ortools_bounded
from trade_opt.knapsack.reduce import FEASIBLE_MARGIN, FIXING_MARGIN

#: Names of :mod:`trade_opt.knapsack.mip`, imported on first use (it imports Pyomo).
_MIP_NAMES = ("KnapsackMIP", "build_knapsack_model", "scale_row", "solve_knapsack_mip_rebuilt",
              "MAX_ROW_COEFFICIENT", "_set_data")

__all__ = ["CAPACITY_TOL", "FEASIBLE_MARGIN", "FIXING_MARGIN", "ORTOOLS_SCALE_BITS", "KnapsackMIP",
           "KnapsackSolution", "MAX_ROW_COEFFICIENT", "build_knapsack_model", "capacity_slack",
           "continuous_greedy", "knapsack_brute_force", "knapsack_cover_dp", "knapsack_dp", "knapsack_dp_ge",
           "knapsack_ortools", "knapsack_ortools_bounded", "scale_row", "solve_knapsack_mip_rebuilt"]


def __getattr__(name: str) -> Any:
    """The Pyomo model's names on first use (PEP 562)."""
    if name in _MIP_NAMES:
        from trade_opt.knapsack import mip

        return getattr(mip, name)
    raise AttributeError(f"module 'trade_opt.knapsack' has no attribute {name!r}")
