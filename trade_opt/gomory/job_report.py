"""The terminal report of the main Gomory job: a few lines from its summary dict."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def print_summary(s: dict[str, Any], out_dir: Path) -> None:
    b1, b2 = s["best_equilibrium_country1"], s["best_equilibrium_country2"]
    rs = s["ricardo_solution"]
    lines = [
        f"Gomory (1991) instance '{s['name']}': n = {s['n']} goods, L = {list(map(float, s['labor']))}",
        f"  specialized equilibria: {s['count']} of {s['patterns']} patterns"
        + (f" ({s['degenerate_patterns']} degenerate skipped)" if s["degenerate_patterns"] else ""),
        f"  autarky log-utilities: u1 = {s['autarky']['u1']:.6f}, u2 = {s['autarky']['u2']:.6f}",
        f"  Ricardo level Y_R = {s['ricardo_level']:.10f} (w1/w2 = {s['ricardo_wage_ratio']:.6f}); "
        + ("Ricardo solution " + "".join(map(str, rs)) if rs else "no Ricardo solution (g jumps over 0 at Y_R)"),
        f"  best for country 1: x = {''.join(map(str, b1['x']))}, Y = {b1['Y']:.6f}, u1 = {b1['u1']:.6f}",
        f"  best for country 2: x = {''.join(map(str, b2['x']))}, Y = {b2['Y']:.6f}, u2 = {b2['u2']:.6f}",
        f"  boundary on {s['boundary']['grid_points']} Y: max|B_greedy - B_lp| = {s['boundary']['max_abs_B_greedy_minus_B_lp']:.2e}, "
        f"max|B1_dp - B1_mip| = {s['boundary']['max_abs_B1_dp_minus_B1_mip']:.2e}, MIP status {s['boundary']['status_mip']}",
        f"  Theorem 3 (u1 <= B1 <= B): {s['theorem3']['checked']} equilibria checked, {s['theorem3']['violations']} violations",
        f"  Theorem 2: holds at {s['theorem2']['holds']} of {s['theorem2']['points']} grid points",
    ]
    mx = s["mixed"]
    if mx.get("max_shared"):
        lines += [
            f"  mixed equilibria (1..{mx['max_shared']} shared goods): {mx['equilibria']} roots in {mx['patterns_searched']} patterns, "
            f"patterns by root count {mx['patterns_by_root_count']}, {mx['stable']} stable; max residuals trade {mx['max_abs_trade_residual']:.1e}, cost {mx['max_abs_cost_residual']:.1e}",
            f"  Theorem 3 on mixed equilibria: {s['theorem3_mixed']['checked']} checked, {s['theorem3_mixed']['violations']} violations",
        ]
        pc = s["mixed_pyomo_cross_check"]
        if pc.get("patterns"):
            lines.append(f"  Pyomo MCP cross-check: {pc['patterns']} patterns, {pc['pyomo_roots_found']} of {pc['fast_roots']} roots found, "
                         f"max |dY| = {pc['max_abs_Y_difference']:.1e}, max |dx| = {pc['max_abs_x_difference']:.1e}")
    if s.get("theorems_4_5_one_shared_good"):
        t45 = s["theorems_4_5_one_shared_good"]["pairs_by_root_count"]
        lines.append(f"  one shared good: pairs by root count, Theorem 4 condition holds {t45['condition_holds']}, fails {t45['condition_fails']}")
    if s.get("special_case"):
        sc = s["special_case"]
        lines.append(f"  special case: max|Eq.4 - B| = {sc['max_abs_eq4_minus_B_greedy']:.1e}; {sc['equilibria_on_B']} / {sc['equilibria_on_once_B1']} of "
                     f"{sc['equilibria_checked']} equilibria on B / once-for-all B1; fig3.png")
    lines.append(f"  outputs: {out_dir}/(equilibria.csv, mixed_equilibria.csv, boundary.csv, summary.json, fig1.png, fig2.png"
                 + (", fig3.png)" if s.get("special_case") else ")"))
    print("\n".join(lines))
