"""Checks of the main Gomory job: Theorems 4-5 over all one-shared-good pairs, the Pyomo MCP
cross-check of the mixed equilibria, and the special case (Eq. 4, Fig. 3); see ``models/gomory.md``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from trade_opt.gomory.equilibria import EquilibriumBatch
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed import MixedEquilibria, one_shared_all, solve_pattern_pyomo
from trade_opt.gomory.plots import figure3
from trade_opt.gomory.special_case import identical_curve, is_identical, special_curves

#: Patterns cross-checked with the Pyomo MCP solve (trade_opt.mcp) in the main job.
PYOMO_CHECK_PATTERNS = 8


def one_shared_summary(data: GomoryData) -> dict[str, Any]:
    """Theorems 4 and 5 over every (pattern, good) pair: root counts against Theorem 4's condition."""
    counts: dict[str, dict[str, int]] = {"condition_holds": {}, "condition_fails": {}}
    stable_ok = multi = 0
    for part in one_shared_all(data):
        cond = part.theorem4_condition
        for key, sel in (("condition_holds", cond), ("condition_fails", ~cond)):
            for k, c in enumerate(np.bincount(part.n_roots[sel])):
                if c:
                    counts[key][str(k)] = counts[key].get(str(k), 0) + int(c)
        stable = np.bincount(part.pair, weights=part.stable.astype(float), minlength=len(part.n_roots))
        many = part.n_roots > 1
        multi += int(many.sum())
        stable_ok += int(np.sum(stable[many] == (part.n_roots[many] - 1) // 2))
    return {"pairs_by_root_count": counts, "pairs_with_several_roots": multi,
            "several_roots_with_(k-1)/2_stable": stable_ok}


def pyomo_cross_check(data: GomoryData, me: MixedEquilibria, patterns: int = PYOMO_CHECK_PATTERNS) -> dict[str, Any]:
    """Solve a spread of patterns with the Pyomo MCP (trade_opt.mcp) and compare with the fast path."""
    if not len(me):
        return {"patterns": 0}
    firsts = np.flatnonzero(me.root == 0)
    several = firsts[me.n_roots[firsts] > 1]
    pick = list(firsts[np.linspace(0, len(firsts) - 1, max(1, patterns - min(2, len(several)))).astype(int)])
    pick += list(several[:2])
    rows, max_dY, max_dx, agree = [], 0.0, 0.0, 0
    for k in pick:
        owner = me.owner[k]
        fast = np.flatnonzero((me.pattern_index == me.pattern_index[k]))
        res = solve_pattern_pyomo(data, owner)
        fast_Y = np.sort(me.Y[fast])
        # match every Pyomo root to the nearest fast root
        for sol in res.solutions:
            j = fast[np.argmin(np.abs(me.Y[fast] - sol["Y"]))]
            max_dY = max(max_dY, abs(me.Y[j] - sol["Y"]))
            max_dx = max(max_dx, float(np.max(np.abs(me.x[j][owner == 2] - np.array(sol["x"])))))
        agree += int(len(res.solutions) <= len(fast))
        rows.append({"pattern": res.owner, "fast_roots": len(fast), "pyomo_interior_roots": len(res.solutions),
                     "pyomo_boundary_points": res.boundary, "status": res.status, "seconds": res.seconds,
                     "fast_Y": fast_Y.tolist(), "pyomo_Y": [s["Y"] for s in res.solutions],
                     "pyomo_max_residual": max([s["residual"] for s in res.solutions], default=None)})
    return {"patterns": len(rows), "max_abs_Y_difference": max_dY, "max_abs_x_difference": max_dx,
            "pyomo_roots_found": int(sum(r["pyomo_interior_roots"] for r in rows)),
            "fast_roots": int(sum(r["fast_roots"] for r in rows)), "details": rows}



def special_case_outputs(data: GomoryData, sample: EquilibriumBatch, path: Path, title: str) -> dict[str, Any]:
    """Fig. 3 and the special-case identities (Eq. 4 = B, equilibria on the curves)."""
    from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy

    grid = np.linspace(0.002, 0.998, 499)
    sc = special_curves(data, grid)
    sc2 = special_curves(data.mirrored(), 1.0 - grid)
    B, _ = boundary_B_greedy(data, grid)
    B1_dp = boundary_B1_dp(data, grid)
    at = special_curves(data, sample.Y)
    figure3(path, grid, sc.eq4, sc2.eq4, title + " (special case, Eq. 4)", sample.Y, sample.u1, sample.u2, sc.B1)
    out = {
        "identical_countries": is_identical(data),
        "max_abs_eq4_minus_B_greedy": float(np.max(np.abs(sc.eq4 - B))),
        "max_abs_once_B1_minus_dp_B1": float(np.max(np.abs(sc.B1 - B1_dp))),
        "equilibria_on_B": int(np.sum(np.abs(at.B - sample.u1) <= 1e-10)),
        "equilibria_on_once_B1": int(np.sum(np.abs(at.B1 - sample.u1) <= 1e-10)),
        "equilibria_checked": len(sample),
        "density_nondecreasing": bool(np.all(np.diff(sc.density) >= -1e-12)),
    }
    if is_identical(data):
        out["max_abs_eq4_minus_identical_curve"] = float(np.max(np.abs(sc.eq4 - identical_curve(grid, float(data.alpha[0, 0]), sc.eq4[0] - identical_curve(grid[:1], float(data.alpha[0, 0]))[0]))))
    return out
