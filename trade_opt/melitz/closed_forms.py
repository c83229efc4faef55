"""Closed-form equilibrium under untruncated Pareto G (seed eqs. 10, 15, 19, 20).

models/melitz_offshoring.md, "Equations → functions", Pareto closed forms.

Independent of the MCP and of the 1-D reduction: only the Pareto algebra below.  With
``kappa = k/(k-s)``, ``q = k/s``, ``Lambda = (f_o - f_d)/f_d`` and ``s = sigma - 1``:

* autarky (``Omega = 0``): ``(b/theta*)^k = delta f_e / ((kappa-1) f_d)``;
* interior (``0 < Omega < Lambda``): ``Gamma = Lambda/Omega = (theta_o/theta*)^s`` and
  ``theta*^k = b^k (kappa-1) [f_d + (f_o-f_d) Gamma^-q] / (delta f_e)`` (eq. 15 for theta_o);
* all offshore (``Omega >= Lambda``): ``theta*^k = b^k (kappa-1) f_o/(delta f_e)``, theta_o = theta*.

Then ``B = f_d theta*^-s`` (``f_o/((1+Omega) theta*^s)`` all offshore), ``P = (A/H)^(1/e)``,
``R = H P^-m``, ``M = R/(sigma w kappa fbar)`` with ``fbar = f_d + (f_o-f_d)(theta*/theta_o)^k``,
``M_e = delta M (theta*/b)^k``, ``theta~_t^s = kappa theta*^s [1 + Omega (theta_o/theta*)^(s-k)]``.
Valid only when the cutoff formula gives ``theta* > b``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.errors import TradeOptError
from trade_opt.melitz.distributions import Pareto
from trade_opt.melitz.industry import IndustryState, demand_shifter
from trade_opt.melitz.instance import MelitzData

__all__ = ["ClosedForm", "closed_form"]


@dataclass(frozen=True)
class ClosedForm:
    """Closed-form solution per industry (arrays), including the quantities tabulated in models/melitz_offshoring.md.

    Attributes
    ----------
    state : IndustryState
        theta*, u, nu, M_e, B, P per industry.
    theta_o : ndarray
        Offshoring cutoff (inf when nobody offshores).
    R : ndarray
        Industry spending ``H P^-m`` (numeraire units).
    M, M_o : ndarray
        Stationary masses of producers and of offshorers.
    theta_tilde_t : ndarray
        Aggregate productivity (eq. 17).
    regime : ndarray of str
        ``"none"``, ``"interior"`` or ``"all"``.
    """

    state: IndustryState
    theta_o: np.ndarray
    R: np.ndarray
    M: np.ndarray
    M_o: np.ndarray
    theta_tilde_t: np.ndarray
    regime: np.ndarray


def closed_form(data: MelitzData) -> ClosedForm:
    """Equilibrium of every industry from the Pareto closed forms (eqs. 10, 15, 19, 20; module docstring).

    Parameters
    ----------
    data : MelitzData
        Industry data; must have an untruncated :class:`~trade_opt.melitz.distributions.Pareto` G.

    Returns
    -------
    ClosedForm
        The state and the tabulated quantities per industry.

    Raises
    ------
    TradeOptError
        If G is not untruncated Pareto, or if some cutoff would be at the corner ``theta* = b``.

    Examples
    --------
    >>> d = MelitzData.build(sigma=3, mu=0.6, w=2, f_d=1, f_o=6, f_e=2, delta=0.1, H=25,
    ...                      z=[0.0, 0.5], dist=Pareto(b=1, k=4))
    >>> np.round(closed_form(d).state.theta_star, 5).tolist()
    [1.49535, 1.56508]
    """
    dist = data.dist
    if not isinstance(dist, Pareto):
        raise TradeOptError("closed forms exist only for untruncated Pareto productivity")
    s, k, b = data.s, dist.k, dist.b
    kappa = k / (k - s)
    lam = (data.f_o - data.f_d) / data.f_d
    Omega = data.omega
    all_off = Omega >= lam
    with np.errstate(divide="ignore"):
        gamma = np.where(Omega > 0, lam / np.where(Omega > 0, Omega, 1.0), np.inf)  # (theta_o/theta*)^s
    gamma = np.where(all_off, 1.0, gamma)
    fixed = np.where(all_off, data.f_o, data.f_d + (data.f_o - data.f_d) * gamma ** (-k / s))
    log_theta = np.log(b) + np.log((kappa - 1.0) * fixed / (data.delta * data.f_e)) / k
    if np.any(log_theta <= np.log(b)):
        raise TradeOptError("closed forms need theta* > b; this instance has the corner theta* = b")
    theta = np.exp(log_theta)
    theta_o = theta * gamma ** (1.0 / s)
    B = np.where(all_off, data.f_o / ((1.0 + Omega) * theta**s), data.f_d * theta ** (-s))
    P = np.exp(np.log(demand_shifter(data, B) / data.H) / data.e)
    R = data.H * P ** (-data.m)
    share_o = (theta / theta_o) ** k  # J(theta_o)/J(theta*)
    fbar = data.f_d + (data.f_o - data.f_d) * share_o
    M = R / (data.sigma * data.w * kappa * fbar)
    M_e = data.delta * M * (theta / b) ** k
    with np.errstate(divide="ignore"):
        u = np.where(np.isfinite(theta_o), theta_o ** (-s), 0.0)
    nu = np.where(all_off, Omega * B - (data.f_o - data.f_d) * theta ** (-s), 0.0)
    theta_tilde_t = (kappa * theta**s * (1.0 + Omega * (theta_o / theta) ** (s - k))) ** (1.0 / s)
    label = np.where(Omega == 0, "none", np.where(all_off, "all", "interior"))
    return ClosedForm(
        state=IndustryState(theta_star=theta, u=u, nu=nu, M_e=M_e, B=B, P=P),
        theta_o=theta_o, R=R, M=M, M_o=M * share_o, theta_tilde_t=theta_tilde_t, regime=label,
    )
