"""Mixed (non-specialized) equilibria of Gomory (1991): goods produced by both countries.

A *pattern* gives each good to country 1 alone (``0``), country 2 alone (``1``) or to both (``S``,
the shared set S12, 0 < x_i < 1).  Unknowns (x_S, Y); the trade equation (Eq. 2) and equal
average cost of every shared good (Eq. 1.1).  One concept per module (``models/gomory.md``):

* :mod:`~trade_opt.gomory.mixed.patterns`: the patterns of Theorem 1, counts and generators;
* :mod:`~trade_opt.gomory.mixed.equations`: the cost gap H_i, the comparison s_i, z_i(Y);
* :mod:`~trade_opt.gomory.mixed.brackets`: vectorized bracketing and safeguarded refinement;
* :mod:`~trade_opt.gomory.mixed.one_shared`: one shared good along z = logit x (Theorems 4, 5);
* :mod:`~trade_opt.gomory.mixed.census`: any number of shared goods, reduced to T(Y) = 0;
* :mod:`~trade_opt.gomory.mixed.evaluate`: utilities, residuals, stability at given roots;
* :mod:`~trade_opt.gomory.mixed.pyomo_check`: the same system as a Pyomo MCP (cross-check).

Stability: the adjustment process dx_i/dt = H_i for the shared goods, Y following the trade
equation instantaneously; a root is stable iff every eigenvalue of dH_S/dx_S has a negative real
part (one shared good: dH/dz < 0).
"""
from trade_opt.gomory.mixed.census import GRID_Y, MixedEquilibria, concat_mixed, mixed_equilibria, pattern_roots
from trade_opt.gomory.mixed.equations import cost_comparison, cost_constants, log_cost_gap
from trade_opt.gomory.mixed.evaluate import evaluate_mixed
from trade_opt.gomory.mixed.one_shared import OneSharedRoots, one_shared_all, one_shared_roots
from trade_opt.gomory.mixed.patterns import (
    OWNER_1,
    OWNER_2,
    SHARED,
    mixed_pattern_count,
    mixed_patterns,
    one_shared_pairs,
    owner_strings,
    parse_owner,
    theorem1_count,
)
from trade_opt.gomory.mixed.pyomo_check import PyomoPatternResult, mixed_pyomo_model, solve_pattern_pyomo

__all__ = [
    "GRID_Y", "MixedEquilibria", "OWNER_1", "OWNER_2", "OneSharedRoots", "PyomoPatternResult", "SHARED",
    "concat_mixed", "cost_comparison", "cost_constants", "evaluate_mixed", "log_cost_gap", "mixed_equilibria",
    "mixed_pattern_count", "mixed_patterns", "mixed_pyomo_model", "one_shared_all", "one_shared_pairs",
    "one_shared_roots", "owner_strings", "parse_owner", "pattern_roots", "solve_pattern_pyomo", "theorem1_count",
]
