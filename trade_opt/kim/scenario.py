"""Network scenarios of the Kim (1999) model: baseline vs scenario free-entry equilibria.

A scenario (``[scenarios.NAME]`` of an instance with a ``[transport.network]``) changes the
transport network (open a bloc border, add a corridor, scale freight; :mod:`trade_opt.kim.network`);
the markups of every network-built class are rebuilt from the changed graph, and the free-entry MCP
(models/kim_location.md, 'Free entry as an MCP') is solved with the existing Kim solve (:func:`trade_opt.kim.equilibrium.solve_equilibria`).

Which scenario equilibrium is compared (the model can have several, models/kim_location.md, 'Free entry as an MCP'): the baseline
is the most stable of the distinct equilibria found from the standard starts; the scenario
equilibrium is the one reached by **continuation** from the baseline along the log-linear markup
path T(lambda) = T0^(1 - lambda) T1^lambda, lambda = 1/steps, ..., 1 (each step warm-started from
the previous solution, the closest solution kept: the branch the economy follows when the network
changes gradually).  At lambda = 1 the standard starts are tried as well; the number of distinct
scenario equilibria and whether the branch is also the most stable one are reported.

The comparison table has one row per (tier, region): firm numbers, shares of the tier, profits per
firm at both equilibria (0 for active firms, <= 0 for absent ones: free entry), and the *impact*
profit: the profit per firm under the scenario's markups at the baseline firm numbers (before entry
and exit respond; its sign says where entry is attracted), also relative to the fixed cost W f
(``impact_profit_rel``, dimensionless: -G of models/kim_location.md, 'Free entry as an MCP').  Units: firm numbers are counts, profits
in the numeraire (W, I units).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from trade_opt.errors import SolveError
from trade_opt.kim.equilibrium import KimEquilibria, KimSolution, default_starts, solve_equilibria
from trade_opt.kim.instance import KimData, KimInstance
from trade_opt.kim.model import TIERS, chain
from trade_opt.kim.network import CLASSES, NetworkMarkups, network_graph

#: Continuation steps from the baseline markups to the scenario's.
DEFAULT_STEPS = 4
#: Seeded random starts added to the standard ones for the baseline and the final scenario solve.
DEFAULT_RANDOM_STARTS = 5


def interpolate_markups(base: KimData, target: KimData, lam: float) -> KimData:
    """Markups T(lambda) = T0^(1 - lambda) T1^lambda (elementwise, every class) on the log-linear path.

    Parameters
    ----------
    base : KimData
        Baseline data (markups T0; every other array is taken from it).
    target : KimData
        Scenario data (markups T1).
    lam : float
        Path parameter lambda in [0, 1] (0 = baseline, 1 = scenario).

    Returns
    -------
    KimData
        ``base`` with the interpolated markups T_A, T_F, T_S.
    """
    def mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Elementwise geometric interpolation a^(1 - lam) b^lam.

        Parameters
        ----------
        a, b : ndarray
            Markup arrays (> 0) of the same shape.

        Returns
        -------
        ndarray
            The interpolated markups.
        """
        return np.exp((1.0 - lam) * np.log(a) + lam * np.log(b))

    return base.replace(T_A=mix(base.T_A, target.T_A), T_F=mix(base.T_F, target.T_F), T_S=mix(base.T_S, target.T_S))


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Baseline and scenario equilibria of one network scenario.

    Attributes
    ----------
    name, description : the scenario.
    regions : region names.
    base_data, scen_data : instance arrays with the baseline and the scenario markups.
    base_markups, scen_markups : the network markups (routes, freight costs, tariff factors).
    base_graph, scen_graph : the validated networkx graphs (edge length, tariff, border, added).
    baseline : the baseline equilibrium (most stable found); base_found : all baseline equilibria.
    scenario : the scenario equilibrium on the continuation branch; scen_found : the equilibria found
        from the standard starts (plus the branch) at the scenario's markups.
    branch_is_most_stable : the branch solution is the most stable scenario equilibrium found.
    impact_profit : (4, J) profit per firm at the baseline firm numbers and the scenario markups.
    steps : continuation steps; seconds : wall time.
    """

    name: str
    description: str
    regions: tuple[str, ...]
    base_data: KimData
    scen_data: KimData
    base_markups: NetworkMarkups
    scen_markups: NetworkMarkups
    base_graph: nx.Graph
    scen_graph: nx.Graph
    baseline: KimSolution
    base_found: KimEquilibria
    scenario: KimSolution
    scen_found: KimEquilibria
    branch_is_most_stable: bool
    impact_profit: np.ndarray
    steps: int
    seconds: float

    def table(self) -> pd.DataFrame:
        """The comparison table: one row per (tier, region).

        Returns
        -------
        pandas.DataFrame
            Columns ``tier``, ``region``, ``firms_base``, ``firms_scen``, ``firms_change`` (counts),
            ``share_base``, ``share_scen``, ``share_change`` (share of the tier's firms), ``profit_base``,
            ``profit_scen``, ``impact_profit`` (numeraire per firm) and ``impact_profit_rel``
            (impact profit / W f, dimensionless).
        """
        rows = []
        b, s = self.baseline, self.scenario
        wf = self.base_data.W[None, :] * self.base_data.fixed_labour[:, None]
        for t, tier in enumerate(TIERS):
            for k, region in enumerate(self.regions):
                rows.append({
                    "tier": tier, "region": region,
                    "firms_base": b.x[t, k], "firms_scen": s.x[t, k], "firms_change": s.x[t, k] - b.x[t, k],
                    "share_base": b.shares[t, k], "share_scen": s.shares[t, k],
                    "share_change": s.shares[t, k] - b.shares[t, k],
                    "profit_base": b.state.profit[t, k], "profit_scen": s.state.profit[t, k],
                    "impact_profit": self.impact_profit[t, k],
                    "impact_profit_rel": self.impact_profit[t, k] / wf[t, k],
                })
        return pd.DataFrame(rows)

    def totals(self) -> pd.DataFrame:
        """Firm totals per tier at both equilibria and their relative change.

        Returns
        -------
        pandas.DataFrame
            Columns ``tier``, ``total_base``, ``total_scen`` (counts) and ``relative_change``
            (total_scen / total_base - 1).
        """
        base, scen = self.baseline.x.sum(axis=1), self.scenario.x.sum(axis=1)
        return pd.DataFrame({"tier": TIERS, "total_base": base, "total_scen": scen, "relative_change": scen / base - 1.0})

    def markup_table(self) -> pd.DataFrame:
        """Markups of every network-built class and ordered pair k != g, baseline and scenario.

        Returns
        -------
        pandas.DataFrame
            Columns ``class``, ``origin``, ``destination`` and, for tag in {base, scen}, ``T_tag``
            (markup >= 1), ``freight_tag`` (freight cost, sum of lengths), ``tariff_factor_tag``
            (prod (1 + tariff)) and ``route_tag`` (region names joined by "-").
        """
        rows = []
        for c in self.base_markups.T:
            for k, origin in enumerate(self.regions):
                for g, dest in enumerate(self.regions):
                    if g == k:
                        continue
                    row = {"class": c, "origin": origin, "destination": dest}
                    for tag, M in (("base", self.base_markups), ("scen", self.scen_markups)):
                        row[f"T_{tag}"] = M.T[c][k, g]
                        row[f"freight_{tag}"] = M.freight_cost[c][k, g]
                        row[f"tariff_factor_{tag}"] = M.tariff_factor[c][k, g]
                        row[f"route_{tag}"] = "-".join(M.paths[c][k][g])
                    rows.append(row)
        return pd.DataFrame(rows)

    def headline(self) -> dict:
        """Short summary: per tier the totals and the regions gaining and losing the most share.

        Returns
        -------
        dict
            {tier: {"total_base", "total_scen", "largest_gain": {"region", "share_change"},
            "largest_loss": {"region", "share_change"}}}.
        """
        out = {}
        d_share = self.scenario.shares - self.baseline.shares
        for t, tier in enumerate(TIERS):
            up, down = int(np.argmax(d_share[t])), int(np.argmin(d_share[t]))
            out[tier] = {
                "total_base": float(self.baseline.x[t].sum()), "total_scen": float(self.scenario.x[t].sum()),
                "largest_gain": {"region": self.regions[up], "share_change": float(d_share[t, up])},
                "largest_loss": {"region": self.regions[down], "share_change": float(d_share[t, down])},
            }
        return out

    def summary(self) -> dict:
        """The ``trade-opt kim scenario --json`` contract.

        Returns
        -------
        dict
            Scenario name, description, regions, baseline and scenario equilibria (with status, distinct
            solutions and starts), ``branch_is_most_stable``, ``continuation_steps``, ``impact_profit``
            per tier, :meth:`headline` and ``seconds``.
        """
        def sol(s: KimSolution, found: KimEquilibria) -> dict:
            """Summary of one equilibrium with the solve's status and counts.

            Parameters
            ----------
            s : KimSolution
                The equilibrium reported.
            found : KimEquilibria
                The solve that found it.

            Returns
            -------
            dict
                ``s.summary()`` plus ``status``, ``distinct_solutions`` and ``starts``.
            """
            return {**s.summary(), "status": found.status, "distinct_solutions": found.distinct, "starts": found.starts}

        return {
            "scenario": self.name, "description": self.description, "regions": list(self.regions),
            "baseline": sol(self.baseline, self.base_found), "scenario_equilibrium": sol(self.scenario, self.scen_found),
            "branch_is_most_stable": self.branch_is_most_stable, "continuation_steps": self.steps,
            "impact_profit": {tier: self.impact_profit[t].tolist() for t, tier in enumerate(TIERS)},
            "headline": self.headline(), "seconds": self.seconds,
        }


def solve_scenario(instance: KimInstance, name: str, *, steps: int = DEFAULT_STEPS,
                   n_random: int = DEFAULT_RANDOM_STARTS, formulation: str = "log", tol: float = 1e-10) -> ScenarioResult:
    """Solve the baseline and the named scenario's free-entry equilibria (models/kim_location.md, 'Network scenarios').

    The baseline is the most stable equilibrium from the standard starts; the scenario equilibrium is
    reached by continuation along :func:`interpolate_markups` (module docstring).

    Parameters
    ----------
    instance : KimInstance
        An instance with a ``[transport.network]`` and the scenario.
    name : str
        Scenario name (a key of ``instance.scenarios``).
    steps : int, optional
        Continuation steps from baseline to scenario markups (default :data:`DEFAULT_STEPS`).
    n_random : int, optional
        Seeded random starts added to the standard ones (default :data:`DEFAULT_RANDOM_STARTS`).
    formulation : str, optional
        MCP formulation, ``"log"`` (default) or ``"reduced"``.
    tol : float, optional
        Natural-residual tolerance (default 1e-10).

    Returns
    -------
    ScenarioResult
        Both equilibria, markups, graphs, the impact profit and wall time (seconds).

    Raises
    ------
    FieldError
        For an unknown scenario or an instance without a network.
    SolveError
        When no equilibrium is found (baseline, a continuation step or the final scenario solve).
    """
    t0 = time.perf_counter()
    base_markups, scen_markups = instance.markups(None), instance.markups(name)
    base_data, scen_data = instance.data(None), instance.data(name)
    base_found = solve_equilibria(base_data, n_random=n_random, formulation=formulation, tol=tol)
    if not base_found.solutions:
        raise SolveError(f"scenario {name!r}: no baseline equilibrium from {base_found.starts} starts ({base_found.message})")
    baseline = base_found.best
    previous = baseline
    for step in range(1, steps):
        found = solve_equilibria(interpolate_markups(base_data, scen_data, step / steps), [previous.xt],
                                 formulation=formulation, tol=tol)
        if not found.solutions:
            raise SolveError(f"scenario {name!r}: continuation lost at lambda = {step / steps:g} ({found.message})")
        previous = min(found.solutions, key=lambda s: float(np.max(np.abs(s.xt - previous.xt))))
    scen_found = solve_equilibria(scen_data, [previous.xt] + default_starts(scen_data, n_random=n_random),
                                  formulation=formulation, tol=tol)
    if not scen_found.solutions:
        raise SolveError(f"scenario {name!r}: no scenario equilibrium from {scen_found.starts} starts ({scen_found.message})")
    branch = min(scen_found.solutions, key=lambda s: float(np.max(np.abs(s.xt - previous.xt))))
    x0 = baseline.x
    impact = chain(scen_data, x0[:2], x0[2], x0[3]).profit
    sc = instance.scenarios[name]
    return ScenarioResult(
        name=name, description=sc.description, regions=tuple(instance.regions), base_data=base_data,
        scen_data=scen_data, base_markups=base_markups, scen_markups=scen_markups,
        base_graph=network_graph(instance.transport.network, instance.regions),
        scen_graph=network_graph(instance.transport.network, instance.regions, sc), baseline=baseline,
        base_found=base_found, scenario=branch, scen_found=scen_found,
        branch_is_most_stable=branch is scen_found.best, impact_profit=impact, steps=steps,
        seconds=time.perf_counter() - t0,
    )


__all__ = ["CLASSES", "DEFAULT_RANDOM_STARTS", "DEFAULT_STEPS", "ScenarioResult", "interpolate_markups", "solve_scenario"]
