"""Firm side and aggregation of the Melitz-offshoring industry (numpy, vectorized over industries).

Seed: ``seeds/001_387f931a0ea0409f.txt``; equations as reconstructed in
``models/melitz_offshoring.md``.  Units: prices and revenues in the numeraire (Southern wage = 1),
fixed costs ``f_d, f_o, f_e`` in Northern labour, ``w`` the Northern wage.

The equilibrium state of an industry is six numbers (the MCP's unknowns, models/melitz_offshoring.md,
"The MCP"): the exit cutoff ``theta_star``, ``u = theta_o^-(sigma-1)``, the multiplier
``nu`` of ``theta_o >= theta_star``, the entry flow ``M_e``, the demand level ``B`` and the price
index ``P``.  :func:`outcomes` derives everything else from them (masses, revenues, aggregate
productivities, market shares, labour use, consumer surplus); :func:`identity_residuals` checks
the paper's identities (10), (12)/(16), (15), (19) and the resource identity ``R = w ell_N + ell_S``.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from trade_opt.melitz.instance import MelitzData

__all__ = [
    "IndustryState", "Outcomes", "price_domestic", "price_offshore", "revenue_domestic",
    "revenue_offshore", "profit_domestic", "profit_offshore", "demand_shifter", "outcomes",
    "regime", "identity_residuals", "consumer_surplus",
]


# ----------------------------------------------------------------------------- firm side
def price_domestic(theta: Any, w: Any, rho: float) -> np.ndarray:
    """Eq. (6): price of a domestic firm ``p_d = w/(rho theta)`` (numeraire units).

    Parameters
    ----------
    theta : float or array_like
        Firm productivity (> 0).
    w : float or array_like
        Northern wage, relative to the Southern wage (= numeraire); >= 1.
    rho : float
        ``rho = (sigma - 1)/sigma`` in (0, 1), the CES parameter.

    Returns
    -------
    ndarray
        p_d > 0, broadcast shape of ``theta`` and ``w``.

    Examples
    --------
    >>> float(price_domestic(2.0, 1.5, 0.75))
    1.0
    """
    return np.asarray(w) / (rho * np.asarray(theta))


def price_offshore(theta: Any, w: Any, z: Any, rho: float) -> np.ndarray:
    """Eq. (14): price of an offshoring firm ``p_o = w^(1-z)/(rho theta)``, so ``p_d/p_o = w^z``.

    Parameters
    ----------
    theta : float or array_like
        Firm productivity (> 0).
    w : float or array_like
        Northern wage, relative to the Southern wage (= numeraire); >= 1.
    z : float or array_like
        Share of the production stages that are offshored, in [0, 1].
    rho : float
        ``rho = (sigma - 1)/sigma`` in (0, 1), the CES parameter.

    Returns
    -------
    ndarray
        p_o > 0 (numeraire units), broadcast shape of the inputs.
    """
    return np.exp((1.0 - np.asarray(z)) * np.log(w)) / (rho * np.asarray(theta))


def revenue_domestic(theta: Any, B: Any, w: Any, sigma: float) -> np.ndarray:
    """Eq. (7): ``r_d(theta) = A (rho theta/w)^(sigma-1) = sigma w B theta^(sigma-1)``.

    Parameters
    ----------
    theta : float or array_like
        Firm productivity (> 0).
    B : float or array_like
        Demand level (> 0): ``r_d = sigma w B theta^(sigma-1)``.
    w : float or array_like
        Northern wage, relative to the Southern wage (= numeraire); >= 1.
    sigma : float
        Elasticity of substitution between varieties (> 1).

    Returns
    -------
    ndarray
        Revenue per period of a domestic firm (numeraire units).
    """
    return sigma * np.asarray(w) * np.asarray(B) * np.asarray(theta, dtype=float) ** (sigma - 1.0)


def revenue_offshore(theta: Any, B: Any, w: Any, z: Any, sigma: float) -> np.ndarray:
    """Eq. (13): ``r_o(theta) = w^(z (sigma-1)) r_d(theta) = (1 + Omega) r_d(theta)``.

    Parameters
    ----------
    theta : float or array_like
        Firm productivity (> 0).
    B : float or array_like
        Demand level (> 0): ``r_d = sigma w B theta^(sigma-1)``.
    w : float or array_like
        Northern wage, relative to the Southern wage (= numeraire); >= 1.
    z : float or array_like
        Share of the production stages that are offshored, in [0, 1].
    sigma : float
        Elasticity of substitution between varieties (> 1).

    Returns
    -------
    ndarray
        Revenue per period of an offshoring firm (numeraire units).
    """
    gain = np.exp(np.asarray(z) * (sigma - 1.0) * np.log(w))
    return gain * revenue_domestic(theta, B, w, sigma)


def profit_domestic(theta: Any, B: Any, w: Any, sigma: float, f_d: float) -> np.ndarray:
    """Eq. (8): ``pi_d = r_d/sigma - w f_d`` (numeraire units per period).

    Parameters
    ----------
    theta : float or array_like
        Firm productivity (> 0).
    B : float or array_like
        Demand level (> 0): ``r_d = sigma w B theta^(sigma-1)``.
    w : float or array_like
        Northern wage, relative to the Southern wage (= numeraire); >= 1.
    sigma : float
        Elasticity of substitution between varieties (> 1).
    f_d : float
        Fixed cost of domestic production (Northern labour units, > 0).

    Returns
    -------
    ndarray
        Operating profit per period of a domestic firm (numeraire units).
    """
    return revenue_domestic(theta, B, w, sigma) / sigma - np.asarray(w) * f_d


def profit_offshore(theta: Any, B: Any, w: Any, z: Any, sigma: float, f_o: float) -> np.ndarray:
    """Eq. (13): ``pi_o = r_o/sigma - w f_o`` (numeraire units per period).

    Parameters
    ----------
    theta : float or array_like
        Firm productivity (> 0).
    B : float or array_like
        Demand level (> 0): ``r_d = sigma w B theta^(sigma-1)``.
    w : float or array_like
        Northern wage, relative to the Southern wage (= numeraire); >= 1.
    z : float or array_like
        Share of the production stages that are offshored, in [0, 1].
    sigma : float
        Elasticity of substitution between varieties (> 1).
    f_o : float
        Fixed cost of offshoring production (Northern labour units, > f_d).

    Returns
    -------
    ndarray
        Operating profit per period of an offshoring firm (numeraire units).
    """
    return revenue_offshore(theta, B, w, z, sigma) / sigma - np.asarray(w) * f_o


def demand_shifter(data: MelitzData, B: Any) -> np.ndarray:
    """Demand shifter ``A = R P^(sigma-1) = sigma w B (w/rho)^(sigma-1)`` (eq. 4 with eq. 7), in logs.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries).
    B : float or array_like
        Demand level (> 0): ``r_d = sigma w B theta^(sigma-1)``.

    Returns
    -------
    ndarray
        A > 0 per industry (numeraire units).
    """
    log_A = np.log(data.sigma * data.w) + np.log(np.asarray(B, dtype=float)) + data.s * np.log(data.w / data.rho)
    return np.exp(log_A)


def consumer_surplus(data: MelitzData, R: Any, P: Any) -> np.ndarray:
    """Consumer surplus of an industry (models/melitz_offshoring.md, "Equations → functions", consumer surplus row).

    ``CS = ((1-mu)/mu) R`` for ``mu > 0``: each of H consumers with ``x0 + X^mu/mu`` buys
    ``X = P^(-1/(1-mu))`` and keeps ``X^mu/mu - P X = (1/mu - 1) P X``.  For ``mu = 0`` (upper tier
    ``x0 + ln X``, our extension, models/melitz_offshoring.md, "Conventions") each buys ``X = 1/P``
    and ``CS = H (-ln P - 1)``.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries).
    R : float or array_like
        Industry spending per period (numeraire units), ``R = H P^-m``.
    P : float or array_like
        Industry price index (numeraire units, > 0); used only when ``mu = 0``.

    Returns
    -------
    ndarray
        CS per industry (numeraire units per period).
    """
    R = np.asarray(R, dtype=float)
    if data.mu > 0:
        return (1.0 - data.mu) / data.mu * R
    return data.H * (-np.log(np.asarray(P, dtype=float)) - 1.0)


# ----------------------------------------------------------------------------- state and outcomes
@dataclass(frozen=True)
class IndustryState:
    """The six equilibrium unknowns per industry (arrays of length n; models/melitz_offshoring.md, "The MCP").

    Attributes
    ----------
    theta_star : exit cutoff theta* (>= b).
    u : theta_o^-(sigma-1) (>= u_min; 0 means nobody offshores under untruncated G).
    nu : multiplier of theta_o >= theta* (> 0 iff every survivor offshores).
    M_e : mass of entrants per period.
    B : demand level, ``r_d(theta) = sigma w B theta^(sigma-1)`` (per unit of Northern labour).
    P : industry price index (numeraire units).
    """

    theta_star: np.ndarray
    u: np.ndarray
    nu: np.ndarray
    M_e: np.ndarray
    B: np.ndarray
    P: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """The six unknowns as a dict of float arrays.

        Returns
        -------
        dict of str to ndarray
            Keys ``theta_star``, ``u``, ``nu``, ``M_e``, ``B``, ``P``.
        """
        return {f.name: np.asarray(getattr(self, f.name), dtype=float) for f in fields(self)}

    @classmethod
    def stack(cls, **arrays: Any) -> "IndustryState":
        """Build a state from scalars or arrays (each made a 1-D float array).

        Parameters
        ----------
        **arrays
            ``theta_star``, ``u``, ``nu``, ``M_e``, ``B``, ``P`` (floats or array_like).

        Returns
        -------
        IndustryState

        Examples
        --------
        >>> IndustryState.stack(theta_star=1.5, u=0.0, nu=0.0, M_e=1.0, B=0.1, P=1.0).theta_star
        array([1.5])
        """
        return cls(**{k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in arrays.items()})


@dataclass(frozen=True)
class Outcomes:
    """Everything reported for an industry, derived from an :class:`IndustryState` (arrays of length n).

    Masses are stationary masses of producers (``M = M_e J(theta*)/delta``); revenues per period;
    aggregate productivities as in eqs. (12) and (17); labour in Northern/Southern workers.
    """

    theta_star: np.ndarray
    theta_o: np.ndarray
    u: np.ndarray
    nu: np.ndarray
    M_e: np.ndarray
    B: np.ndarray
    P: np.ndarray
    Omega: np.ndarray
    A: np.ndarray
    R: np.ndarray
    M: np.ndarray
    M_o: np.ndarray
    M_d: np.ndarray
    R_d: np.ndarray
    R_o: np.ndarray
    s_d: np.ndarray
    s_o: np.ndarray
    theta_tilde_t: np.ndarray
    theta_tilde_d: np.ndarray
    theta_tilde_o: np.ndarray
    theta_tilde_dd: np.ndarray
    ell_N: np.ndarray
    ell_S: np.ndarray
    CS: np.ndarray
    regime: np.ndarray

    def as_dict(self) -> dict[str, np.ndarray]:
        """All outcome arrays by field name.

        Returns
        -------
        dict of str to ndarray
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}


def theta_o_of_u(u: Any, s: float) -> np.ndarray:
    """Offshoring cutoff ``theta_o = u^(-1/(sigma-1))`` (``inf`` at ``u = 0``).

    Parameters
    ----------
    u : float or array_like
        ``u = theta_o^-s`` (>= 0).
    s : float
        ``s = sigma - 1`` (> 0).

    Returns
    -------
    ndarray
        theta_o (> 0, possibly inf), shape of ``u``.

    Examples
    --------
    >>> theta_o_of_u([0.25, 0.0], 2.0).tolist()
    [2.0, inf]
    """
    u = np.asarray(u, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(u > 0, np.exp(-np.log(np.where(u > 0, u, 1.0)) / s), np.inf)


def regime(data: MelitzData, state: IndustryState, tol: float = 1e-9) -> np.ndarray:
    """Label of each industry's regime, read off the active bounds (reporting only).

    See models/melitz_offshoring.md, "The MCP".

    ``"none"`` (u at u_min: nobody offshores), ``"all"`` (theta_o = theta*: every survivor
    offshores) or ``"interior"``; ``"+b"`` is appended when theta* sits at the support's lower end.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries).
    state : IndustryState
        The equilibrium unknowns per industry.
    tol : float, optional
        Relative tolerance for a bound to count as active (default 1e-9).

    Returns
    -------
    ndarray of str
        One label per industry.
    """
    s = data.s
    at_umin = state.u <= data.u_min * (1 + tol) + tol * np.abs(state.theta_star) ** (-s)
    at_all = state.u >= state.theta_star ** (-s) * (1 - tol)
    label = np.where(at_umin, "none", np.where(at_all, "all", "interior")).astype(object)
    at_b = state.theta_star <= data.dist.lower * (1 + tol) + tol
    return np.where(at_b, label + "+b", label).astype(str)


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def outcomes(data: MelitzData, state: IndustryState) -> Outcomes:
    """Masses, revenues, productivities, shares, labour and surplus at an equilibrium state.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries).
    state : IndustryState
        theta*, u, nu, M_e, B, P per industry.

    Returns
    -------
    Outcomes
        With ``M = M_e J*/delta`` and ``M_o = M_e J_o/delta`` (stationary masses, eq. 19's
        numerator), ``R_d = (M_e/delta) sigma w B (V* - V_o)`` and ``R_o = (1+Omega)(M_e/delta)
        sigma w B V_o`` (eqs. 7, 13), ``R = H P^-m`` (eq. 4), aggregate productivities
        ``theta~_t^(s) = (V* + Omega V_o)/J*`` (eq. 17), ``theta~_d = theta~(theta*)``,
        ``theta~_o = theta~(theta_o)`` (eq. 12), ``theta~_dd`` the exclusive mean over
        ``[theta*, theta_o)`` (diagnostic, P4' in models/melitz_offshoring.md, "Findings against the
        note"), labour ``ell_N, ell_S`` (Northern, Southern workers; labour row of
        models/melitz_offshoring.md, "Equations → functions").
    """
    s, dist = data.s, data.dist
    theta_o = np.minimum(theta_o_of_u(state.u, s), dist.upper)
    Js, Vs = dist.J(state.theta_star), dist.V(state.theta_star, s)
    Jo, Vo = dist.J(theta_o), dist.V(theta_o, s)
    Omega = data.omega
    A = demand_shifter(data, state.B)
    scale = state.M_e / data.delta
    M, M_o = scale * Js, scale * Jo
    R_d = scale * data.sigma * data.w * state.B * (Vs - Vo)
    R_o = scale * data.sigma * data.w * state.B * (1.0 + Omega) * Vo
    R = data.H * np.exp(-data.m * np.log(state.P))
    ell_N = state.M_e * data.f_e + (M - M_o) * data.f_d + M_o * data.f_o + data.rho * (R_d + (1 - data.z) * R_o) / data.w
    ell_S = data.rho * data.z * R_o
    return Outcomes(
        theta_star=state.theta_star, theta_o=theta_o, u=state.u, nu=state.nu, M_e=state.M_e, B=state.B,
        P=state.P, Omega=Omega, A=A, R=R, M=M, M_o=M_o, M_d=M - M_o, R_d=R_d, R_o=R_o,
        s_d=R_d / (R_d + R_o), s_o=R_o / (R_d + R_o),
        theta_tilde_t=((Vs + Omega * Vo) / Js) ** (1.0 / s),
        theta_tilde_d=(Vs / Js) ** (1.0 / s),
        theta_tilde_o=_safe_ratio(Vo, Jo) ** (1.0 / s),
        theta_tilde_dd=_safe_ratio(Vs - Vo, Js - Jo) ** (1.0 / s),
        ell_N=ell_N, ell_S=ell_S, CS=consumer_surplus(data, R, state.P), regime=regime(data, state),
    )


def identity_residuals(data: MelitzData, out: Outcomes, autarky: Outcomes | None = None) -> dict[str, np.ndarray]:
    """Relative residuals of the paper's identities at a solution (each should be ~1e-15..1e-12).

    * ``eq19``: ``M = J* R / (sigma w [f_d (J* - J_o) + f_o J_o + delta f_e])``;
    * ``eq16``: ``P = M^(1/(1-sigma)) p_d(theta~_t)`` with ``theta~_t`` from eq. (17);
    * ``eq15``: ``theta_o/theta* = [(f_o - f_d)/(f_d Omega)]^(1/(sigma-1))`` where it applies
      (interior regime with theta* > b; NaN elsewhere);
    * ``resources``: ``R = w ell_N + ell_S`` (zero expected profits);
    * ``eq10`` and ``eq12``: eqs. (19) and (16) specialised to autarky, on ``autarky`` if given.

    Parameters
    ----------
    data : MelitzData
        Industry data (arrays over the n industries).
    out : Outcomes
        Outcomes of the offshoring equilibrium (:func:`outcomes`).
    autarky : Outcomes, optional
        Outcomes of the autarky equilibrium (z = 0) for ``eq10`` and ``eq12``.

    Returns
    -------
    dict of str to ndarray
        Relative residual (dimensionless) per identity and industry.
    """
    s, dist = data.s, data.dist
    Js, Jo = dist.J(out.theta_star), dist.J(out.theta_o)
    denom = data.sigma * data.w * (data.f_d * (Js - Jo) + data.f_o * Jo + data.delta * data.f_e)
    res = {
        "eq19": out.M / (Js * out.R / denom) - 1.0,
        "eq16": out.P / (out.M ** (1.0 / (1.0 - data.sigma)) * price_domestic(out.theta_tilde_t, data.w, data.rho)) - 1.0,
        "resources": (data.w * out.ell_N + out.ell_S) / out.R - 1.0,
    }
    interior = (out.regime == "interior") & (out.Omega > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio15 = ((data.f_o - data.f_d) / (data.f_d * out.Omega)) ** (1.0 / s)
    res["eq15"] = np.where(interior, (out.theta_o / out.theta_star) / ratio15 - 1.0, np.nan)
    if autarky is not None:
        Ja = dist.J(autarky.theta_star)
        res["eq10"] = autarky.M / (Ja * autarky.R / (data.sigma * data.w * (data.f_d * Ja + data.delta * data.f_e))) - 1.0
        res["eq12"] = autarky.P / (autarky.M ** (1.0 / (1.0 - data.sigma))
                                   * price_domestic(autarky.theta_tilde_d, data.w, data.rho)) - 1.0
    return res
