"""The 1-D reduction of the Melitz-offshoring equilibrium.

models/melitz_offshoring.md, "Equations → functions", 1-D reduction in B.

A second method, independent of the MCP, valid for any G (it uses only ``J`` and ``V``).  For a
given demand level ``B`` the firm problem fixes the cutoffs (profits per unit of Northern labour,
``pi_d/w = B theta^s - f_d`` and ``pi_o/w = (1+Omega) B theta^s - f_o``, eqs. 8, 13):

* ``theta_dd = (f_d/B)^(1/s)`` (ZCP, eq. 8), ``theta_x = ((f_o-f_d)/(Omega B))^(1/s)``
  (indifference, eq. 15), ``theta_oo = (f_o/((1+Omega) B))^(1/s)``;
* if ``Omega f_d < f_o - f_d``: ``theta* = max(b, theta_dd)``, ``theta_o = max(theta_x, theta*)``;
  otherwise ``theta* = theta_o = max(b, theta_oo)``;
  ``theta_o`` is capped at the support's upper end.

The value of entry (free entry, eq. 18)
``v(B) = (1/delta)[B V* - f_d J* + Omega B V_o - (f_o-f_d) J_o]`` is continuous and strictly
increasing in ``B`` (envelope: ``dv/dB = (V* + Omega V_o)/delta > 0``), so ``v(B) = f_e`` has one
root, found by vectorized bisection on ``ln B`` down to adjacent floats.  Then ``P`` follows from
E5 (``sigma w B (w/rho)^s = H P^(s-m)``), ``M_e`` from E6 and ``nu`` from E2.
"""
from __future__ import annotations

import numpy as np

from trade_opt.melitz.industry import IndustryState
from trade_opt.melitz.instance import MelitzData
from trade_opt.errors import SolveError

__all__ = ["cutoffs_given_B", "entry_value", "solve_reduction"]


def cutoffs_given_B(data: MelitzData, log_B: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Firms' cutoffs ``(theta*, theta_o)`` for a demand level ``B = exp(log_B)`` (eqs. 8, 13, 15).

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries; any G).
    log_B : ndarray
        ln B per industry, B the demand level (``pi_d/w = B theta^s - f_d``).

    Returns
    -------
    tuple of ndarray
        ``(theta_star, theta_o)``: exit cutoff (>= the support's lower end) and offshoring cutoff
        (>= theta*, capped at the support's upper end; inf when nobody offshores under unbounded G).
    """
    s, lo, hi = data.s, data.dist.lower, data.dist.upper
    Omega = data.omega
    dfix = data.f_o - data.f_d
    log_dd = (np.log(data.f_d) - log_B) / s
    with np.errstate(divide="ignore"):
        log_x = np.where(Omega > 0, (np.log(dfix) - np.log(np.where(Omega > 0, Omega, 1.0)) - log_B) / s, np.inf)
    log_oo = (np.log(data.f_o) - np.log1p(Omega) - log_B) / s
    log_lo = np.log(lo) if lo > 0 else -np.inf
    sorting = Omega * data.f_d < dfix
    theta_star = np.exp(np.maximum(log_lo, np.where(sorting, log_dd, log_oo)))
    theta_o = np.where(sorting, np.maximum(np.exp(log_x), theta_star), theta_star)
    return theta_star, np.minimum(theta_o, hi)


def entry_value(data: MelitzData, log_B: np.ndarray) -> np.ndarray:
    """Expected value of entry per unit of Northern labour, ``v(B)`` (eq. 18 divided by w).

    ``v(B) = (1/delta)[B V* - f_d J* + Omega B V_o - (f_o-f_d) J_o]``, strictly increasing in B.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries; any G).
    log_B : ndarray
        ln B per industry, B the demand level (``pi_d/w = B theta^s - f_d``).

    Returns
    -------
    ndarray
        v(B) per industry (Northern labour units); free entry is ``v(B) = f_e``.
    """
    s, dist = data.s, data.dist
    theta_star, theta_o = cutoffs_given_B(data, log_B)
    B = np.exp(log_B)
    Js, Vs, Jo, Vo = dist.J(theta_star), dist.V(theta_star, s), dist.J(theta_o), dist.V(theta_o, s)
    return (B * Vs - data.f_d * Js + data.omega * B * Vo - (data.f_o - data.f_d) * Jo) / data.delta


def _bracket(data: MelitzData) -> tuple[np.ndarray, np.ndarray]:
    """``ln B`` bounds with ``v(lo) < f_e < v(hi)`` for every industry (widened geometrically)."""
    lo = np.full(data.n, -5.0)
    hi = np.full(data.n, 5.0)
    for _ in range(200):
        low_bad = entry_value(data, lo) >= data.f_e
        high_bad = entry_value(data, hi) <= data.f_e
        if not (low_bad.any() or high_bad.any()):
            return lo, hi
        lo = np.where(low_bad, 2 * lo - 1.0, lo)
        hi = np.where(high_bad, 2 * hi + 1.0, hi)
    raise SolveError("Melitz 1-D reduction: could not bracket the free-entry root (ln B in [-2^200, 2^200])")


def solve_reduction(data: MelitzData, max_iter: int = 400) -> IndustryState:
    """Equilibrium of every industry by the 1-D reduction (any G): bisection on ln B for ``v(B) = f_e``.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries; any G).
    max_iter : int, optional
        Bisection steps cap (default 400); the loop stops earlier once every bracket is two adjacent
        floats.

    Returns
    -------
    IndustryState
        theta*, u, nu, M_e, B, P per industry.

    Raises
    ------
    SolveError
        If the free-entry root cannot be bracketed.

    Examples
    --------
    >>> from trade_opt.melitz.distributions import Pareto
    >>> d = MelitzData.build(sigma=3, mu=0.6, w=2, f_d=1, f_o=6, f_e=2, delta=0.1, H=25,
    ...                      z=[0.0, 0.5], dist=Pareto(b=1, k=4))
    >>> np.round(solve_reduction(d).theta_star, 5).tolist()
    [1.49535, 1.56508]
    """
    lo, hi = _bracket(data)
    for _ in range(max_iter):
        mid = 0.5 * (lo + hi)
        done = (mid <= lo) | (mid >= hi)
        if done.all():
            break
        above = entry_value(data, mid) > data.f_e
        hi = np.where(~done & above, mid, hi)
        lo = np.where(~done & ~above, mid, lo)
    # pick the end of the final bracket with the smaller free-entry gap
    gap_lo = np.abs(entry_value(data, lo) - data.f_e)
    gap_hi = np.abs(entry_value(data, hi) - data.f_e)
    log_B = np.where(gap_lo <= gap_hi, lo, hi)
    return _complete(data, log_B)


def _complete(data: MelitzData, log_B: np.ndarray) -> IndustryState:
    """The remaining unknowns from B: P by E5, M_e by E6, u and nu by E2/E3."""
    s, dist = data.s, data.dist
    theta_star, theta_o = cutoffs_given_B(data, log_B)
    B = np.exp(log_B)
    log_P = (np.log(data.sigma * data.w) + log_B + s * np.log(data.w / data.rho) - np.log(data.H)) / data.e
    P = np.exp(log_P)
    weight = dist.V(theta_star, s) + data.omega * dist.V(theta_o, s)
    M_e = data.delta * np.exp(-s * log_P + s * np.log(data.w / data.rho)) / weight
    with np.errstate(divide="ignore"):
        u = np.where(np.isfinite(theta_o), np.exp(-s * np.log(theta_o)), 0.0)
    all_off = theta_o <= theta_star
    nu = np.where(all_off, np.maximum(0.0, data.omega * B - (data.f_o - data.f_d) * u), 0.0)
    return IndustryState(theta_star=theta_star, u=u, nu=nu, M_e=M_e, B=B, P=P)
