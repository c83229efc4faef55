"""Autarky vs offshoring, industry by industry (seed §2.2-§2.4).

models/melitz_offshoring.md, "Equations → functions", autarky vs offshoring row.

"Autarky" is the same industry with offshoring unavailable (z = 0, so Omega = 0) and the same
consumers.  Per industry the comparison reports:

* cutoffs: ``theta*_t/theta*_a`` and ``theta_o/theta*_t`` (eq. 15);
* productivity: ``theta~_t/theta~_a`` (eqs. 12, 17), ``theta~_d``, ``theta~_o`` and the exclusive
  mean of non-offshorers ``theta~_dd`` (P4' in models/melitz_offshoring.md, "Findings against the note");
* price index ``P_t/P_a`` (eqs. 11, 16), spending ``R_t/R_a``;
* variety: ``M_a/M_t`` by eq. (20) and directly;
* firms (§2.4): at a fixed theta, revenue ratios ``r_d,t/r_a = A_t/A_a``,
  ``r_o,t/r_a = (1+Omega) A_t/A_a`` and market-share ratios ``s_d,t/s_a = (A_t/A_a)(R_a/R_t)``,
  ``s_o,t/s_a = (1+Omega) s_d,t/s_a``;
* welfare: consumer surplus ``CS_t - CS_a``.

:func:`sweep` recomputes the table over a grid of z (at fixed w) or of w (at fixed z): each grid
point is one more "industry" of the same model, so a sweep is one solve.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from trade_opt.melitz.equilibrium import Solution, solve_equilibrium
from trade_opt.melitz.industry import IndustryState, outcomes
from trade_opt.melitz.instance import MelitzData

__all__ = ["Comparison", "compare", "solve_autarky", "comparison_table", "eq20_variety_ratio", "sweep", "Z_GRID", "W_GRID"]

#: Default sweep grids: z in [0.02, 1] at the instance's w; w in [1.02, 14] at fixed z.
Z_GRID = np.linspace(0.02, 1.0, 50)
W_GRID = np.geomspace(1.02, 14.0, 50)


@dataclass(frozen=True)
class Comparison:
    """Offshoring and autarky solutions of the same industries and their comparison table."""

    offshoring: Solution
    autarky: Solution
    table: pd.DataFrame


def eq20_variety_ratio(data: MelitzData, t: Solution, a: Solution) -> np.ndarray:
    """Eq. (20): the variety ratio M_a/M_t from cutoffs and spending.

    ``M_a/M_t = (R_a/R_t) [J(theta*_a)/J(theta*_t)] [f_d (J*_t - J_o) + f_o J_o + delta f_e]
    / [f_d J(theta*_a) + delta f_e]`` (with ``1 - G = J``).

    Parameters
    ----------
    data : MelitzData
        Industry data of the offshoring regime.
    t : Solution
        Offshoring equilibrium of ``data``.
    a : Solution
        Autarky equilibrium (z = 0) of the same industries (:func:`solve_autarky`).

    Returns
    -------
    ndarray
        M_a/M_t per industry (dimensionless).
    """
    dist = data.dist
    Ja, Jt, Jo = dist.J(a.out.theta_star), dist.J(t.out.theta_star), dist.J(t.out.theta_o)
    num = data.f_d * (Jt - Jo) + data.f_o * Jo + data.delta * data.f_e
    return (a.out.R / t.out.R) * (Ja / Jt) * num / (data.f_d * Ja + data.delta * data.f_e)


def comparison_table(data: MelitzData, t: Solution, a: Solution) -> pd.DataFrame:
    """One row per industry: levels in both regimes and the ratios listed in the module docstring.

    Parameters
    ----------
    data : MelitzData
        Industry data of the offshoring regime.
    t : Solution
        Offshoring equilibrium of ``data``.
    a : Solution
        Autarky equilibrium (z = 0) of the same industries (:func:`solve_autarky`).

    Returns
    -------
    pandas.DataFrame
        Columns ``industry``, ``z``, ``w``, ``regime``, cutoffs, productivities, ``P``, ``R``,
        masses, variety ratios (direct and eq. 20), revenue and market-share ratios (§2.4),
        consumer surplus and labour (suffix ``_a`` autarky, ``_t`` offshoring).
    """
    ot, oa = t.out, a.out
    demand = ot.A / oa.A
    spend = oa.R / ot.R
    return pd.DataFrame({
        "industry": list(data.names), "z": data.z, "w": data.w, "regime": ot.regime,
        "theta_star_a": oa.theta_star, "theta_star_t": ot.theta_star,
        "cutoff_ratio": ot.theta_star / oa.theta_star,
        "theta_o": ot.theta_o, "theta_o_over_theta_star": ot.theta_o / ot.theta_star,
        "theta_tilde_a": oa.theta_tilde_d, "theta_tilde_t": ot.theta_tilde_t,
        "productivity_ratio": ot.theta_tilde_t / oa.theta_tilde_d,
        "theta_tilde_d": ot.theta_tilde_d, "theta_tilde_o": ot.theta_tilde_o, "theta_tilde_dd": ot.theta_tilde_dd,
        "P_a": oa.P, "P_t": ot.P, "price_ratio": ot.P / oa.P,
        "R_a": oa.R, "R_t": ot.R, "spending_ratio": ot.R / oa.R,
        "M_a": oa.M, "M_t": ot.M, "M_o": ot.M_o, "variety_ratio": ot.M / oa.M,
        "M_a_over_M_t_eq20": eq20_variety_ratio(data, t, a),
        "revenue_ratio_domestic": demand, "revenue_ratio_offshore": (1.0 + ot.Omega) * demand,
        "share_ratio_domestic": demand * spend, "share_ratio_offshore": (1.0 + ot.Omega) * demand * spend,
        "offshore_revenue_share": ot.s_o,
        "CS_a": oa.CS, "CS_t": ot.CS, "CS_change": ot.CS - oa.CS,
        "ell_N": ot.ell_N, "ell_S": ot.ell_S,
    })


def solve_autarky(data: MelitzData, method: str = "mcp", tol: float = 1e-10) -> Solution:
    """Autarky (z = 0) of every industry, one solve per distinct w.

    Autarky depends on the industry only through w, so one industry per distinct w is solved and the
    solution is copied to the others.

    Parameters
    ----------
    data : MelitzData
        Industry data of the offshoring regime.
    method : str, optional
        ``"mcp"`` (default), ``"reduction"`` or ``"closed_form"`` (:data:`trade_opt.melitz.equilibrium.METHODS`).
    tol : float, optional
        Natural-residual tolerance of the MCP (default 1e-10).

    Returns
    -------
    Solution
        On ``data.autarky()``, with the state and outcomes of every industry.

    Raises
    ------
    TradeOptError
        For an unknown ``method`` (from :func:`~trade_opt.melitz.equilibrium.solve_equilibrium`).
    """
    autarky = data.autarky()
    w_unique, inverse = np.unique(data.w, return_inverse=True)
    small = solve_equilibrium(data.replace(z=np.zeros(w_unique.size), w=w_unique, names=None), method, tol=tol)
    state = IndustryState(**{name: value[inverse] for name, value in small.state.as_dict().items()})
    return Solution(data=autarky, method=method, state=state, out=outcomes(autarky, state), report=small.report)


def compare(data: MelitzData, method: str = "mcp", tol: float = 1e-10) -> Comparison:
    """Solve the industries with and without offshoring and tabulate the comparison.

    Parameters
    ----------
    data : MelitzData
        Industry data of the offshoring regime.
    method : str, optional
        ``"mcp"`` (default), ``"reduction"`` or ``"closed_form"`` (:data:`trade_opt.melitz.equilibrium.METHODS`).
    tol : float, optional
        Natural-residual tolerance of the MCP (default 1e-10).

    Returns
    -------
    Comparison
        Both solutions and :func:`comparison_table`.

    Examples
    --------
    >>> from trade_opt.melitz.distributions import Pareto
    >>> d = MelitzData.build(sigma=3, mu=0.6, w=2, f_d=1, f_o=6, f_e=2, delta=0.1, H=25,
    ...                      z=[0.5], dist=Pareto(b=1, k=4))
    >>> round(float(compare(d, "closed_form").table["cutoff_ratio"][0]), 5)
    1.04664
    """
    t = solve_equilibrium(data, method, tol=tol)
    a = solve_autarky(data, method, tol=tol)
    return Comparison(offshoring=t, autarky=a, table=comparison_table(data, t, a))


def sweep(data: MelitzData, *, z: np.ndarray | float | None = None, w: np.ndarray | float | None = None,
          method: str = "mcp", tol: float = 1e-10) -> pd.DataFrame:
    """Comparison table over a grid of z (w fixed) or of w (z fixed); each grid point is one industry of one model.

    Parameters
    ----------
    data : MelitzData
        Industry data of the offshoring regime.
    z : ndarray or float, optional
        Offshored share of stages, in [0, 1] (default the instance's first z).
    w : ndarray or float, optional
        Northern wage >= 1 (default the instance's first w).
    method : str, optional
        ``"mcp"`` (default), ``"reduction"`` or ``"closed_form"`` (:data:`trade_opt.melitz.equilibrium.METHODS`).
    tol : float, optional
        Natural-residual tolerance of the MCP (default 1e-10).

    Returns
    -------
    pandas.DataFrame
        :func:`comparison_table` with one row per grid point.
    """
    z_val = data.z[0] if z is None else z
    w_val = data.w[0] if w is None else w
    grid = data.replace(z=np.asarray(z_val, dtype=float), w=np.asarray(w_val, dtype=float), names=None)
    return compare(grid, method, tol=tol).table
