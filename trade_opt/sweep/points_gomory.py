"""Gomory (1991) sweep points: the specialized equilibria of an instance, and the Theorem 2 gap.

* :class:`GomoryEquilibria` (``evaluator = "equilibria"``): all 2^n - 2 specialized equilibria
  (Eq. 2, :func:`trade_opt.gomory.equilibria.specialized_equilibria`) summarized in one row:
  count, size of the Pareto frontier in (u1, u2), best log-utility of each country and its Y, range
  of Y, largest trade-equation residual, autarky, and the Ricardo level.
* :class:`GomoryTheorem2` (``evaluator = "theorem2"``): a random instance with n goods whose
  demand shares are of order 1/n (so delta = max_i d_i1 -> 0 while alpha, beta and 1/(1 - rho) stay
  bounded); on a grid of Y' the vertical distance |B(Y') - u(x, Y(x))| from the boundary B to the
  nearest specialized equilibrium found (the greedy B(Y') solution with its fractional good rounded
  down or up, and, up to ``dp_max_n`` goods, the exact B1 DP trace maximizer) next to the
  Theorem 2 bound delta K (``models/gomory.md``, "Theorem 2, as we read it").
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from trade_opt.errors import InputError
from trade_opt.gomory.boundary import BoundarySolver, boundary_B_greedy
from trade_opt.gomory.equilibria import autarky_log_utilities, pattern_count, specialized_equilibria
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.ricardo import ricardo
from trade_opt.gomory.theorems import theorem2_constants, theorem2_search, theorem2_witnesses
from trade_opt.sweep.evaluators import Evaluator


def pareto_frontier_size(u1: np.ndarray, u2: np.ndarray) -> int:
    """Size of the Pareto frontier of a cloud of utility pairs.

    Parameters
    ----------
    u1, u2 : numpy.ndarray
        Log-utilities of countries 1 and 2, one entry per equilibrium (same length).

    Returns
    -------
    int
        Number of points (u1, u2) not weakly dominated by another point (a pair present several
        times is counted once).

    Examples
    --------
    >>> pareto_frontier_size(np.array([1.0, 2.0, 2.0, 0.0]), np.array([3.0, 1.0, 1.0, 0.0]))
    2
    """
    if len(u1) == 0:
        return 0
    order = np.lexsort((-u2, -u1))            # u1 descending, then u2 descending
    v = np.asarray(u2)[order]
    before = np.maximum.accumulate(np.concatenate([[-np.inf], v[:-1]]))
    return int(np.count_nonzero(v > before))


class GomoryEquilibria(Evaluator):
    """Summary of all specialized equilibria of one instance (n <= ``max_n``)."""

    model = "gomory"
    name = "equilibria"
    options = {"max_n": 20, "ricardo": True}

    def columns(self, base: Any) -> dict[str, str]:
        """The row's columns (the same for every instance).

        Parameters
        ----------
        base : GomoryInstance or None
            The base instance (unused).

        Returns
        -------
        dict[str, str]
            Column name -> type (see the class docstring for their meaning).
        """
        return {
            "n": "int", "count": "int", "degenerate": "int", "frontier": "int",
            "max_u1": "float", "Y_max_u1": "float", "max_u2": "float", "Y_max_u2": "float",
            "Y_min": "float", "Y_max": "float", "max_trade_residual": "float",
            "autarky_u1": "float", "autarky_u2": "float", "ricardo_level": "float", "ricardo_exists": "bool",
        }

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """Enumerate the specialized equilibria of one instance and summarize them (Eq. 2).

        Parameters
        ----------
        instance : GomoryInstance
            The point's instance.
        options : dict
            ``max_n`` (largest number of goods enumerated, 2^n - 2 patterns) and ``ricardo`` (add
            the Ricardo level, :func:`trade_opt.gomory.ricardo.ricardo`).
        state : Any
            Unused (no warm start).

        Returns
        -------
        row : dict
            Count, degenerate patterns, Pareto frontier size, best log-utility of each country and
            its Y, range of Y, largest trade-equation residual, autarky log-utilities, Ricardo
            level; ``status = "nonfinite"`` if a maximum or the residual is not finite.
        state : None

        Raises
        ------
        InputError
            If the instance has more than ``max_n`` goods.
        """
        data = instance.data()
        if data.n > int(options["max_n"]):
            raise InputError("<point>", "demand", f"n = {data.n} goods gives {pattern_count(data.n)} patterns; "
                             f"this evaluator enumerates n <= max_n = {options['max_n']}")
        u1, u2, Y, res = [], [], [], []
        for batch in specialized_equilibria(data):
            u1.append(batch.u1), u2.append(batch.u2), Y.append(batch.Y), res.append(np.abs(batch.trade_residual))
        u1, u2, Y = np.concatenate(u1), np.concatenate(u2), np.concatenate(Y)
        autarky = autarky_log_utilities(data)
        i1, i2 = int(np.argmax(u1)), int(np.argmax(u2))
        row = {
            "n": data.n, "count": len(Y), "degenerate": pattern_count(data.n) - len(Y),
            "frontier": pareto_frontier_size(u1, u2),
            "max_u1": float(u1[i1]), "Y_max_u1": float(Y[i1]), "max_u2": float(u2[i2]), "Y_max_u2": float(Y[i2]),
            "Y_min": float(Y.min()), "Y_max": float(Y.max()), "max_trade_residual": float(np.concatenate(res).max()),
            "autarky_u1": float(autarky[0]), "autarky_u2": float(autarky[1]),
        }
        if options["ricardo"]:
            r = ricardo(data)
            row.update(ricardo_level=r.ricardo_level, ricardo_exists=r.ricardo_solution is not None)
        if not np.all(np.isfinite([row["max_u1"], row["max_u2"], row["max_trade_residual"]])):
            row["status"] = "nonfinite"
        return row, None


def random_theorem2_instance(n: int, seed: int, alpha_low: float = 1.1, alpha_high: float = 2.0,
                             efficiency_spread: float = 2.0) -> GomoryData:
    """A random Gomory instance whose demand shares are of order 1/n.

    d_ij proportional to U(0.5, 1.5) (so max_i d_i1 <= 3/n), alpha_i ~ U(alpha_low, alpha_high)
    (the same in both countries), e_ij log-uniform on [1/spread, spread], L = (1, 1):
    beta <= spread^2 and, the two countries' shares being independent,
    rho = sum_i (d_i1 - d_i2)^+ ~ 0.1 stays away from 1.

    Parameters
    ----------
    n : int
        Number of goods.
    seed : int
        Replicate number; the draws come from ``numpy.random.default_rng([seed, n])``.
    alpha_low, alpha_high : float, optional
        Range of the production exponents alpha_i > 1 (Eq. 3).
    efficiency_spread : float, optional
        Efficiencies e_ij lie in [1/spread, spread].

    Returns
    -------
    GomoryData
        The instance (demand rows sum to 1, ``demand_row_sums = (1, 1)``).

    Examples
    --------
    >>> data = random_theorem2_instance(50, seed=0)
    >>> data.n, bool(data.d.max() <= 3 / 50), bool(np.allclose(data.d.sum(axis=1), 1.0))
    (50, True, True)
    """
    rng = np.random.default_rng([int(seed), int(n)])
    demand = rng.uniform(0.5, 1.5, size=(2, n))
    log_s = np.log(efficiency_spread)
    efficiency = np.exp(rng.uniform(-log_s, log_s, size=(2, n)))
    exponent = rng.uniform(alpha_low, alpha_high, size=n)
    d = demand / demand.sum(axis=1, keepdims=True)
    return GomoryData(d=d, e=efficiency, alpha=np.vstack([exponent, exponent]), L=np.ones(2),
                      demand_row_sums=np.ones(2))


class GomoryTheorem2(Evaluator):
    """Theorem 2 gap vs bound on one random instance (no base instance: ``n`` and ``replicate`` are options).

    Per Y' on ``grid`` equally spaced points of [``y_low``, ``y_high``]:
    gap(Y') = min over the equilibria found of |B(Y') - u(x, Y(x))| (B by the greedy rule);
    bound(Y') = delta K(Y', ...) of the better greedy rounding.  The row holds the maxima over Y',
    ``theorem2_failures``: the number of Y' at which no witness of Theorem 2 as stated was found
    (:func:`trade_opt.gomory.theorems.theorem2_search`, all patterns for n <= 16, else its candidate
    set), ``max_witness_ratio``: the worst over Y' of the best candidate's ratio to the bounds (<= 1:
    a witness), ``max_gap_witness``: the worst over Y' of the smallest |B(Y') - u| among the witnesses,
    and ``rounding_failures``: the Y' at which both greedy roundings fail (our old
    witness conjecture, not the theorem); ``*_B1``: the same with B1(Y') in place of B(Y')."""

    model = "gomory"
    name = "theorem2"
    needs_base = False
    options = {"n": None, "replicate": 0, "grid": 17, "y_low": 0.1, "y_high": 0.9, "dp_max_n": 4096,
               "alpha_low": 1.1, "alpha_high": 2.0, "efficiency_spread": 2.0}

    def columns(self, base: Any) -> dict[str, str]:
        """The row's columns (the same for every instance).

        Parameters
        ----------
        base : None
            No base instance (the instance is generated from the options).

        Returns
        -------
        dict[str, str]
            Column name -> type (see the class docstring for their meaning).
        """
        return {
            "n": "int", "delta": "float", "alpha": "float", "beta": "float", "rho": "float",
            "max_gap": "float", "max_gap_rounding": "float", "max_gap_dp": "float", "max_bound": "float",
            "max_gap_over_bound": "float", "max_income_gap": "float", "income_bound": "float",
            "theorem2_failures": "int", "max_witness_ratio": "float", "rounding_failures": "int",
            "theorem2_failures_B1": "int", "max_witness_ratio_B1": "float", "max_gap_witness": "float",
            "dp_used": "bool", "dp_seconds": "float",
        }

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """Measure the Theorem 2 gap and bound on one random instance.

        Parameters
        ----------
        instance : None
            No base instance: :func:`random_theorem2_instance` draws it from the options.
        options : dict
            ``n`` (goods, required), ``replicate`` (seed), ``grid``, ``y_low``, ``y_high`` (the Y'
            grid), ``dp_max_n`` (largest n for the exact B1 DP), ``alpha_low``, ``alpha_high``,
            ``efficiency_spread`` (see :func:`random_theorem2_instance`).
        state : Any
            Unused (no warm start).

        Returns
        -------
        row : dict
            The constants delta, alpha, beta, rho of Theorem 2 and the maxima over Y' described in
            the class docstring (utilities in logs); ``dp_seconds`` is the DP's time in s.
        state : None

        Raises
        ------
        InputError
            If ``n < 2``.
        """
        n = int(options["n"])
        if n < 2:
            raise InputError("<point>", "options.n", f"needs n >= 2 goods, got {n}")
        data = random_theorem2_instance(n, int(options["replicate"]), float(options["alpha_low"]),
                                        float(options["alpha_high"]), float(options["efficiency_spread"]))
        const = theorem2_constants(data)
        grid = np.linspace(float(options["y_low"]), float(options["y_high"]), int(options["grid"]))
        use_dp = n <= int(options["dp_max_n"])
        solver = BoundarySolver(data, ("dp",)) if use_dp else None
        B_all, _ = boundary_B_greedy(data, grid)
        gaps, gaps_round, gaps_dp, bounds, ratios, income = [], [], [], [], [], []
        searches = theorem2_search(data, grid, "B", exhaustive_max_n=16)
        searches_B1 = theorem2_search(data, grid, "B1", exhaustive_max_n=16)
        failures = sum(not s.holds for s in searches)
        rounding_failures, dp_seconds = 0, 0.0
        for Yp, B in zip(grid, B_all):
            checks = theorem2_witnesses(data, float(Yp))
            if not any(c.holds for c in checks):
                rounding_failures += 1
            best = min(checks, key=lambda c: c.utility_gap)
            g_round = best.utility_gap
            g_dp = np.nan
            if solver is not None:
                t0 = time.perf_counter()
                point = solver.at(float(Yp))
                dp_seconds += time.perf_counter() - t0
                if np.isfinite(point.eq_u1):
                    g_dp = abs(float(B) - point.eq_u1)
            gap = min(g_round, g_dp) if np.isfinite(g_dp) else g_round
            gaps.append(gap), gaps_round.append(g_round), gaps_dp.append(g_dp)
            bounds.append(best.utility_bound), ratios.append(gap / best.utility_bound), income.append(best.income_gap)
        return {
            "n": n, "delta": const.delta, "alpha": const.alpha, "beta": const.beta, "rho": const.rho,
            "max_gap": float(np.max(gaps)), "max_gap_rounding": float(np.max(gaps_round)),
            "max_gap_dp": float(np.nanmax(gaps_dp)) if use_dp and np.isfinite(gaps_dp).any() else np.nan, "max_bound": float(np.max(bounds)),
            "max_gap_over_bound": float(np.max(ratios)), "max_income_gap": float(np.max(income)),
            "income_bound": const.delta / (1.0 - const.rho), "theorem2_failures": failures,
            "max_witness_ratio": max(s.best_ratio for s in searches), "rounding_failures": rounding_failures,
            "theorem2_failures_B1": sum(not s.holds for s in searches_B1),
            "max_witness_ratio_B1": max(s.best_ratio for s in searches_B1),
            "max_gap_witness": max((s.best_utility_witness.utility_gap if s.holds else np.inf) for s in searches),
            "dp_used": use_dp, "dp_seconds": dp_seconds,
        }, None
