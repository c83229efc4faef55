"""The terminal report of the main Gomory job: a few lines from its summary dict."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def _pattern(x) -> str:
    return "".join(map(str, x))


def summary_lines(s: dict[str, Any], out_dir: Path) -> list[str]:
    """The lines :func:`print_summary` prints.

    Parameters
    ----------
    s : dict
        The job's summary (:func:`trade_opt.gomory.job.build_summary`).
    out_dir : pathlib.Path
        The results folder.

    Returns
    -------
    list of str
    """
    lines = [f"Gomory (1991) instance '{s['name']}': n = {s['n']} goods, L = {list(map(float, s['labor']))}; status {s['status']}"]
    production = s.get("production") or {"kind": "power"}
    if production["kind"] != "power":
        ramp = f", ramp {production['ramp']}" if "ramp" in production else ""
        lines.append(f"  production: {production['kind']} (set-up labor s_ij per [production] setup{ramp})")
    if s["count"]:
        b1, b2 = s["best_equilibrium_country1"], s["best_equilibrium_country2"]
        lines += [
            f"  specialized equilibria: {s['count']} of {s['patterns']} patterns"
            + (f" ({s['degenerate_patterns']} degenerate skipped)" if s["degenerate_patterns"] else ""),
            f"  best for country 1: x = {_pattern(b1['x'])}, Y = {b1['Y']:.6f}, u1 = {b1['u1']:.6f}",
            f"  best for country 2: x = {_pattern(b2['x'])}, Y = {b2['Y']:.6f}, u2 = {b2['u2']:.6f}",
        ]
    rs = s["ricardo_solution"]
    lines += [
        f"  autarky log-utilities: u1 = {s['autarky']['u1']:.6f}, u2 = {s['autarky']['u2']:.6f}",
        f"  Ricardo level Y_R = {s['ricardo_level']:.10f} (w1/w2 = {s['ricardo_wage_ratio']:.6f}); "
        + ("Ricardo solution " + _pattern(rs) if rs else "no Ricardo solution (g jumps over 0 at Y_R)"),
    ]
    b = s.get("boundary")
    if b:
        lines.append(f"  boundary on {b['grid_points']} Y: max|B_greedy - B_lp| = {b['max_abs_B_greedy_minus_B_lp']:.2e}, "
                     f"max|B1_dp - B1_mip| = {b['max_abs_B1_dp_minus_B1_mip']:.2e}, MIP status {b['status_mip']}")
    if s.get("theorem3"):
        t3 = s["theorem3"]
        lines.append(f"  Theorem 3 (u1 <= B1 <= B, B1 by {s['theorem3_b1_method']}): {t3['checked']} of {t3['equilibria']} "
                     f"specialized equilibria checked, {t3['violations']} violations")
    if s.get("theorem2"):
        t2 = s["theorem2"]
        how = "every pattern searched" if t2["B"]["exhaustive"] and t2["B1"]["exhaustive"] else "candidate search"
        lines.append(f"  Theorem 2 as stated ({how}): B holds at {t2['B']['holds']} of {t2['points']} grid points, "
                     f"B1 at {t2['B1']['holds']}; worst ratio to the bounds {t2['B']['worst_ratio']:.3f} (B), "
                     f"{t2['B1']['worst_ratio']:.3f} (B1); rounding the greedy solution works at "
                     f"{t2['rounding_conjecture_holds']}")
    mx = s["mixed"]
    if mx.get("max_shared"):
        census = "full census" if mx.get("complete") else f"1..{mx['max_shared']} shared goods"
        per_k = ", ".join(f"{k}: {v['equilibria']}" for k, v in mx["by_shared_goods"].items())
        lines += [
            f"  mixed equilibria ({census}): {mx['equilibria']} roots in {mx['patterns_searched']} patterns "
            f"(by shared goods {per_k}); patterns by root count {mx['patterns_by_root_count']}, {mx['stable']} stable; "
            f"Theorem 1 bound 3^n - 2^(n+1) + 1 = {mx['theorem1_bound']}",
            f"  max residuals: trade {mx['max_abs_trade_residual']:.1e}, cost {mx['max_abs_cost_residual']:.1e}",
        ]
        if s.get("theorem3_mixed"):
            t3m = s["theorem3_mixed"]
            lines.append(f"  Theorem 3 on mixed equilibria: {t3m['checked']} of {t3m['equilibria']} checked, {t3m['violations']} violations")
        pc = s["mixed_pyomo_cross_check"]
        if pc and pc.get("patterns"):
            lines.append(f"  Pyomo MCP cross-check: {pc['patterns']} patterns, {pc['pyomo_roots_found']} of {pc['fast_roots']} roots found, "
                         f"max |dY| = {pc['max_abs_Y_difference']:.1e}, max |dx| = {pc['max_abs_x_difference']:.1e}")
    if s.get("theorems_4_5_one_shared_good") and "pairs_by_root_count" in s["theorems_4_5_one_shared_good"]:
        t45 = s["theorems_4_5_one_shared_good"]["pairs_by_root_count"]
        lines.append(f"  one shared good: pairs by root count, Theorem 4 condition holds {t45['condition_holds']}, fails {t45['condition_fails']}")
    if s.get("special_case"):
        sc = s["special_case"]
        lines.append(f"  special case: max|Eq.4 - B| = {sc['max_abs_eq4_minus_B_greedy']:.1e}; {sc['equilibria_on_B']} / {sc['equilibria_on_once_B1']} of "
                     f"{sc['equilibria_checked']} equilibria on B / once-for-all B1; fig3.png")
    for name, st in s["stages"].items():
        if st["status"] != "ok":
            lines.append(f"  stage {name}: {st['status']}")
    return lines  # the runner prints where the complete folder is


def print_summary(s: dict[str, Any], out_dir: Path) -> None:
    """Print the job's summary on stdout (a few lines).

    Parameters
    ----------
    s : dict
        The job's summary (:func:`trade_opt.gomory.job.build_summary`).
    out_dir : pathlib.Path
        The results folder.
    """
    print("\n".join(summary_lines(s, out_dir)))
