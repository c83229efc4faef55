"""Starting points of the Melitz-offshoring MCP, and its scaled variables read back as a state.

Crude starts that use no solution method (:func:`guess`: theta* a multiple of b, B from the ZCP,
eq. 8; P from E5, eq. 4; M_e from E6, eqs. 3, 11), the autarky-cutoff fallback
(:func:`autarky_start`, the 1-D reduction with Omega = 0), and the map between an
:class:`~trade_opt.melitz.industry.IndustryState` and the scaled variables of
:func:`trade_opt.melitz.mcp_model.build_model` (``uh = u/u_scale``, ``nuh = nu theta*^s``,
``me = M_e/me_scale``, ``lnB``, ``lnP``: the scaling of the :mod:`~trade_opt.melitz.mcp_model`
docstring).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from trade_opt.melitz.industry import IndustryState, theta_o_of_u
from trade_opt.melitz.instance import MelitzData


def guess(data: MelitzData, theta_factor: float) -> IndustryState:
    """A crude starting state that uses no solution method.

    theta* = theta_factor * b (capped at the middle of a bounded support), then
    :func:`_complete_guess` (u halfway into the offshoring range, B from the ZCP, P from E5, M_e from E6).

    Parameters
    ----------
    data : MelitzData
        The instance.
    theta_factor : float
        Cutoff as a multiple of the support's lower end b (of 1 when b = 0).

    Returns
    -------
    IndustryState
        One state per industry.
    """
    dist = data.dist
    base = dist.lower if dist.lower > 0 else 1.0
    theta = np.full(data.n, theta_factor * base)
    if math.isfinite(dist.upper):
        theta = np.minimum(theta, dist.lower + 0.5 * (dist.upper - dist.lower))
    return _complete_guess(data, theta)


def _complete_guess(data: MelitzData, theta: np.ndarray) -> IndustryState:
    """Start from cutoffs theta: u halfway into the offshoring range, B from the ZCP at theta,
    P from E5 and M_e from E6."""
    s, dist = data.s, data.dist
    u_cap = theta ** (-s)
    u = np.where(data.omega > 0, np.clip(0.5 * u_cap, data.u_min, u_cap), data.u_min)
    B = data.f_d * theta ** (-s)
    log_P = (np.log(data.sigma * data.w * B) + s * np.log(data.w / data.rho) - math.log(data.H)) / data.e
    theta_o = theta_o_of_u(u, s)
    weight = dist.V(theta, s) + data.omega * dist.V(np.minimum(theta_o, dist.upper), s)
    M_e = data.delta * np.exp(-s * log_P + s * np.log(data.w / data.rho)) / weight
    return IndustryState(theta_star=theta, u=u, nu=np.zeros(data.n), M_e=M_e, B=B, P=np.exp(log_P))


def starting_points(model: Any, states: list[IndustryState]) -> list[dict[Any, float]]:
    """``trade_opt.mcp.solve`` starts from industry states, in the model's scaled variables.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        Built by :func:`~trade_opt.melitz.mcp_model.build_model` (its ``me_scale``, ``u_scale`` are used).
    states : list of IndustryState
        Unscaled states.

    Returns
    -------
    list of dict
        One start per state: variable name such as ``"theta[2]"`` -> value.
    """
    s = model.sigma_minus_1
    starts = []
    for st in states:
        start: dict[Any, float] = {}
        for i in model.I:
            start[model.theta[i].name] = float(st.theta_star[i])
            start[model.uh[i].name] = float(st.u[i] / model.u_scale[i])
            start[model.nuh[i].name] = float(st.nu[i] * st.theta_star[i] ** s)
            start[model.me[i].name] = float(st.M_e[i] / model.me_scale[i])
            start[model.lnB[i].name] = float(np.log(st.B[i]))
            start[model.lnP[i].name] = float(np.log(st.P[i]))
        starts.append(start)
    return starts


def read_state(model: Any) -> IndustryState:
    """The solution loaded in ``model`` as an :class:`IndustryState` (scaling undone).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        Built by :func:`~trade_opt.melitz.mcp_model.build_model`, with values loaded.

    Returns
    -------
    IndustryState
        theta*, u, nu, M_e, B, P per industry.
    """
    idx = list(model.I)

    def vals(var: Any) -> np.ndarray:
        """Values of an indexed Var over the industries.

        Parameters
        ----------
        var : pyomo Var
            Indexed by ``model.I``.

        Returns
        -------
        numpy.ndarray
            Shape (n,).
        """
        return np.array([var[i].value for i in idx], dtype=float)

    theta = vals(model.theta)
    return IndustryState(
        theta_star=theta, u=vals(model.uh) * model.u_scale, nu=vals(model.nuh) * theta ** (-model.sigma_minus_1),
        M_e=vals(model.me) * model.me_scale, B=np.exp(vals(model.lnB)), P=np.exp(vals(model.lnP)),
    )


def autarky_start(data: MelitzData) -> IndustryState:
    """Fallback start: the autarky cutoff of each industry (1-D reduction with Omega = 0).

    u halfway into the offshoring range, P from E5 and M_e from E6 as in :func:`guess`.  Used only
    when every crude start of :func:`guess` fails.

    Parameters
    ----------
    data : MelitzData
        The instance.

    Returns
    -------
    IndustryState
        One state per industry.
    """
    from trade_opt.melitz.reduction import solve_reduction

    theta_a = solve_reduction(data.autarky()).theta_star
    return _complete_guess(data, theta_a)
