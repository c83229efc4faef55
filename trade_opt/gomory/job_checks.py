"""Checks of the main Gomory job: Theorems 4-5 over all one-shared-good pairs, the Pyomo MCP
cross-check of the mixed equilibria, and the special case (Eq. 4, Fig. 3); see ``models/gomory.md``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from trade_opt.gomory.equilibria import EquilibriumBatch
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed import OWNER_2, SHARED, MixedEquilibria, one_shared_all, solve_pattern_pyomo
from trade_opt.gomory.mixed.equations import cost_constants
from trade_opt.gomory.plots import figure3
from trade_opt.gomory.special_case import identical_curve, is_identical, special_curves
from trade_opt.progress import progress_bar

#: Patterns cross-checked with the Pyomo MCP solve (trade_opt.mcp) in the main job.
PYOMO_CHECK_PATTERNS = 8


class OneSharedCensus:
    """Theorems 4 and 5 from the census: root counts of the one-shared-good patterns.

    For each pattern with one shared good g (the other goods fixed at 0/1), Theorem 4's condition
    (as read in ``models/gomory.md``) is that the cost comparison s_g (Eq. 1.1 without the
    own-scale terms) has the same sign at the two specialized end points x(0) and x(1); it
    should give exactly one root.  Theorem 5: several roots when it fails and the exponents are
    close to 1, of which (k - 1)/2 stable.  Fed chunk by chunk by the census
    (:func:`~trade_opt.gomory.job_tables.mixed_to_csv`), so no second root search is needed.

    Parameters
    ----------
    data : GomoryData
        The instance; the counts apply to production of form 3 (f = e l^alpha) only.

    Attributes
    ----------
    counts : dict
        ``{"condition_holds" | "condition_fails": {str(roots): patterns}}``.
    pairs : int
        One-shared-good patterns counted.
    multi : int
        Of those, patterns with more than one root.
    stable_ok : int
        Of those, patterns with exactly (k - 1)/2 stable roots (Theorem 5).
    """

    def __init__(self, data: GomoryData):
        self.data = data
        self.counts: dict[str, dict[str, int]] = {"condition_holds": {}, "condition_fails": {}}
        self.pairs = self.multi = self.stable_ok = 0

    def condition(self, owner: np.ndarray) -> np.ndarray:
        """Theorem 4's condition for one-shared-good patterns ``owner`` (m, n): same sign of s_g at x(0), x(1).

        Parameters
        ----------
        owner : numpy.ndarray
            (m, n) patterns with exactly one shared good (0 country 1, 1 country 2, 2 shared).

        Returns
        -------
        numpy.ndarray
            (m,) bool.
        """
        data = self.data
        d1, d2 = data.d
        g = np.argmax(owner == SHARED, axis=1)
        X = owner == OWNER_2                                    # the other goods; g at 0
        A0 = X.astype(float) @ d1
        B0 = (~X).astype(float) @ d2 - d2[g]
        a1, a2 = data.alpha[0][g], data.alpha[1][g]
        k = cost_constants(data)[g]
        gaps = []
        for xg in (0.0, 1.0):
            A = A0 + d1[g] * xg
            B = B0 + d2[g] * (1.0 - xg)
            D = A + B
            lY, l1mY = np.log(B / D), np.log(A / D)
            lV = np.log((d1[g] * B + d2[g] * A) / D)
            gaps.append(a1 * lY - a2 * l1mY + (a2 - a1) * lV + k)
        return np.sign(gaps[0]) == np.sign(gaps[1])

    def add(self, owner: np.ndarray, part: MixedEquilibria) -> None:
        """Count the one-shared-good patterns of a census chunk (``part`` = its roots).

        Parameters
        ----------
        owner : numpy.ndarray
            (m, n) the chunk's patterns.
        part : MixedEquilibria
            Their roots (:func:`~trade_opt.gomory.mixed.pattern_roots` of ``owner``).
        """
        one = (owner == SHARED).sum(axis=1) == 1
        if not one.any() or not self.data.production.is_power:   # Theorems 4, 5: form 3 (f = e l^alpha) only
            return
        roots = part.roots_per_pattern[one]
        cond = self.condition(owner[one])
        for key, sel in (("condition_holds", cond), ("condition_fails", ~cond)):
            for c, count in enumerate(np.bincount(roots[sel])):
                if count:
                    self.counts[key][str(c)] = self.counts[key].get(str(c), 0) + int(count)
        stable = np.bincount(part.pattern_index, weights=part.stable.astype(float), minlength=len(owner))[one]
        many = roots > 1
        self.pairs += int(one.sum())
        self.multi += int(many.sum())
        self.stable_ok += int(np.sum(stable[many] == (roots[many] - 1) // 2))

    def summary(self) -> dict[str, Any]:
        """Pairs by root count under Theorem 4's condition, and Theorem 5's stable share.

        Returns
        -------
        dict
            ``pairs_by_root_count`` ({condition_holds, condition_fails} -> {roots: pairs}),
            ``pairs_with_several_roots``, ``several_roots_with_(k-1)/2_stable``, ``pairs``;
            for production not of form 3, ``{"applies": False, "reason": ...}`` instead.
        """
        if not self.data.production.is_power:
            return {"applies": False, "reason": "Theorems 4, 5 are stated for production functions of form 3 "
                    f"(f = e l^alpha); production kind {self.data.production.kind}"}
        return {"pairs_by_root_count": self.counts, "pairs_with_several_roots": self.multi,
                "several_roots_with_(k-1)/2_stable": self.stable_ok, "pairs": self.pairs}


def one_shared_summary(data: GomoryData) -> dict[str, Any]:
    """Theorems 4 and 5 over every (pattern, good) pair by the independent z = logit x path.

    The main job takes the same counts from its census (:class:`OneSharedCensus`); this second
    root search along z (:func:`~trade_opt.gomory.mixed.one_shared_all`) is their cross-check.

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    dict
        As :meth:`OneSharedCensus.summary` (without ``pairs``).
    """
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
    """Solve a spread of patterns with the Pyomo MCP (trade_opt.mcp) and compare with the fast path.

    Parameters
    ----------
    data : GomoryData
        The instance.
    me : MixedEquilibria
        The census's mixed equilibria.
    patterns : int, optional
        How many patterns to solve with Pyomo.

    Returns
    -------
    dict
        Patterns, roots found by each path, max |dY| and |dx| between matched roots, details.
    """
    if not len(me):
        return {"patterns": 0}
    firsts = np.flatnonzero(me.root == 0)
    several = firsts[me.n_roots[firsts] > 1]
    pick = list(firsts[np.linspace(0, len(firsts) - 1, max(1, patterns - min(2, len(several)))).astype(int)])
    pick += list(several[:2])
    rows, max_dY, max_dx, agree = [], 0.0, 0.0, 0
    with progress_bar("Pyomo MCP cross-check", len(pick)) as bar:
        for k in pick:
            bar.advance()
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
    """Fig. 3 and the special-case identities (Eq. 4 = B, equilibria on the curves).

    Evaluates on 499 points Y in [0.002, 0.998] Gomory's special-case curves (Eq. 4,
    :func:`~trade_opt.gomory.special_case.special_curves`), the greedy B(Y) and the DP B1(Y), and
    draws Fig. 3.

    Parameters
    ----------
    data : GomoryData
        A special-case instance (symmetric demands, one exponent).
    sample : EquilibriumBatch
        Specialized equilibria to place on the curves.
    path : pathlib.Path
        Fig. 3's file.
    title : str
        The figure's title (" (special case, Eq. 4)" is appended).

    Returns
    -------
    dict
        ``identical_countries`` (bool), ``max_abs_eq4_minus_B_greedy`` (max |Eq. 4 - B| on the
        grid), ``max_abs_once_B1_minus_dp_B1`` (once-for-all B1 against the DP's),
        ``equilibria_on_B`` / ``equilibria_on_once_B1`` (sample equilibria whose u1 is within 1e-10
        of the curve), ``equilibria_checked`` (sample size), ``density_nondecreasing`` (bool); for
        identical countries also ``max_abs_eq4_minus_identical_curve``.
    """
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
