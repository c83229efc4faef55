"""The Melitz-offshoring equilibrium as one square MCP in Pyomo (note, "Equilibrium as a square MCP").

One model for all industries, indexed by industry ``i`` (industries interact only through w,
which the numeraire pins).  Profits are divided by w; ``s = sigma - 1``;
``J*, V*`` at theta*, ``J_o, V_o`` at ``theta_o = u^(-1/s)``.  The note's system:

========  =================  ======================================================================
variable  bounds             complementary condition (>= 0 unless an equation)
========  =================  ======================================================================
theta*    theta* >= b        E1  ``B theta*^s - f_d + theta*^s nu``            (ZCP, eq. 8)
u         u >= u_min         E2  ``(f_o - f_d) u - Omega B + nu``             (indifference, eq. 15)
nu        nu >= 0            E3  ``theta*^-s - u``                           (theta_o >= theta*)
M_e       M_e >= 0           E4  ``f_e - v(B)``                              (free entry, eqs. 9, 18)
ln B      free               E5  ``ln(sigma w (w/rho)^s) + ln B = ln H + (s - m) ln P``   (eq. 4)
ln P      free               E6  ``(M_e/delta)(rho/w)^s (V* + Omega V_o) P^s = 1``       (eqs. 3, 11)
========  =================  ======================================================================

with ``v(B) = (1/delta)[B V* - f_d J* + Omega B V_o - (f_o - f_d) J_o]``.  The three regimes
(no offshoring: u = u_min; interior; all offshore: u = theta*^-s with nu > 0) and the corner
theta* = b come out of the bounds: no regime is special-cased.

Scaling (the same solution set; the note asks for B and P in logs and a scaled M_e):

* ``lnB``, ``lnP`` are the variables of B and P;
* ``M_e = me_scale * me`` and ``u = u_scale * uh`` with the scales taken from the starting point
  (bounds ``me >= 0``, ``uh >= u_min/u_scale``);
* ``nu = nuh * theta*^-s`` (``nuh >= 0`` iff ``nu >= 0``), and rows E2, E3 are multiplied by
  ``theta*^s > 0``: E1 = ``B theta*^s - f_d + nuh``, E2 = ``theta*^s ((f_o-f_d) u - Omega B) + nuh``,
  E3 = ``1 - theta*^s u``.  All rows are then in units of the fixed costs, whatever the size of
  theta*^-s (it reaches 1e-6 for large sigma and w).

When ``Omega = 0`` (z = 0 or w = 1) the identically-zero term ``Omega V_o`` is left out of the
expressions (constant folding; the pairing is unchanged).

The starting points and the scaled <-> unscaled variables: :mod:`trade_opt.melitz.mcp_starts`; the
solve loop (starts tried one at a time, certification): :mod:`trade_opt.melitz.mcp_solve`.  Their
names are importable from here too (their former home).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from trade_opt.errors import TradeOptError
from trade_opt.melitz.instance import MelitzData
from trade_opt.melitz.mcp_starts import autarky_start, guess, read_state, starting_points  # noqa: F401  (re-exported)

__all__ = ["build_model", "row_scaling", "guess", "autarky_start", "starting_points", "read_state", "solve_mcp", "solve_mcp_from", "MelitzMCPSolution"]

#: Names of :mod:`trade_opt.melitz.mcp_solve` importable from here: loaded on first use (PEP 562),
#: since that module imports this one.
_SOLVE_NAMES = ("MelitzMCPSolution", "SCALE_BAND", "solve_mcp", "solve_mcp_from")


def __getattr__(name: str) -> Any:
    """The names of :data:`_SOLVE_NAMES`, from :mod:`trade_opt.melitz.mcp_solve` (PEP 562)."""
    if name in _SOLVE_NAMES:
        from trade_opt.melitz import mcp_solve

        return getattr(mcp_solve, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _require_algebraic(data: MelitzData) -> None:
    if not data.dist.has_pyomo_form:
        raise TradeOptError(
            f"{type(data.dist).__name__} productivity has no algebraic Pyomo form (its J, V need the "
            "normal cdf); the MCP takes pareto and truncated_pareto, use the 1-D reduction for it"
        )


def build_model(data: MelitzData, me_scale: np.ndarray | None = None, u_scale: np.ndarray | None = None) -> Any:
    """Pyomo ConcreteModel of the MCP E1-E6 for every industry (scaled as in the module docstring).

    Parameters
    ----------
    data : MelitzData
        Must have a productivity distribution with a Pyomo form (Pareto or truncated Pareto).
    me_scale, u_scale : (n,) arrays, optional
        ``M_e[i] = me_scale[i] * model.me[i]`` and ``u[i] = u_scale[i] * model.uh[i]`` (default 1).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``theta, uh, nuh, me, lnB, lnP`` indexed by ``model.I = range(n)``;
        complementarity blocks ``E1..E4``; equations ``E5, E6``; :func:`read_state` undoes the scaling.

    Raises
    ------
    TradeOptError
        If the productivity distribution has no algebraic Pyomo form (e.g. log-normal).
    """
    import pyomo.environ as pyo
    from pyomo.mpec import Complementarity, complements

    _require_algebraic(data)
    s, dist = data.s, data.dist
    b, u_min = dist.lower, data.u_min
    omega = data.omega
    me_sc = np.ones(data.n) if me_scale is None else np.asarray(me_scale, dtype=float)
    u_sc = np.ones(data.n) if u_scale is None else np.asarray(u_scale, dtype=float)
    dfix = data.f_o - data.f_d

    m = pyo.ConcreteModel(name="melitz_offshoring")
    m.I = pyo.RangeSet(0, data.n - 1)
    m.theta = pyo.Var(m.I, bounds=(b, None), initialize=1.5 * b)
    m.uh = pyo.Var(m.I, bounds=lambda m, i: (u_min / u_sc[i], None), initialize=lambda m, i: u_min / u_sc[i])
    m.nuh = pyo.Var(m.I, bounds=(0.0, None), initialize=0.0)
    m.me = pyo.Var(m.I, bounds=(0.0, None), initialize=1.0)
    m.lnB = pyo.Var(m.I, initialize=0.0)
    m.lnP = pyo.Var(m.I, initialize=0.0)

    def u(i: int) -> Any:
        """u_i = u_scale_i * uh_i (the unscaled offshoring variable).

        Parameters
        ----------
        i : int
            Industry index.

        Returns
        -------
        pyomo expression
        """
        return float(u_sc[i]) * m.uh[i]

    def JV(i: int) -> tuple[Any, Any, Any, Any]:
        """J*, V* at theta* and J_o, V_o at theta_o = u^(-1/s) (the distribution's Pyomo forms).

        Parameters
        ----------
        i : int
            Industry index.

        Returns
        -------
        tuple
            (J*, V*, J_o, V_o) as Pyomo expressions.
        """
        Js, Vs = dist.pyomo_JV_t(m.theta[i], s)
        Jo, Vo = dist.pyomo_JV_u(u(i), s)
        return Js, Vs, Jo, Vo

    def offshore_value(i: int, Vo: Any) -> Any:
        """Omega_i V_o, or the constant 0 when Omega_i = 0 (constant folding, module docstring).

        Parameters
        ----------
        i : int
            Industry index.
        Vo : pyomo expression
            V_o of industry i.

        Returns
        -------
        pyomo expression or float
        """
        return float(omega[i]) * Vo if omega[i] != 0.0 else 0.0

    def e1(m: Any, i: int) -> Any:
        """E1: theta* >= b complementary to ``B theta*^s - f_d + nuh`` (ZCP, eq. 8).

        Parameters
        ----------
        m : pyomo.environ.ConcreteModel
            The model being built.
        i : int
            Industry index.

        Returns
        -------
        tuple
            The ``complements`` pair.
        """
        return complements(m.theta[i] >= b, pyo.exp(m.lnB[i]) * m.theta[i] ** s - data.f_d + m.nuh[i] >= 0)

    def e2(m: Any, i: int) -> Any:
        """E2: u >= u_min complementary to ``theta*^s ((f_o-f_d) u - Omega B) + nuh`` (indifference, eq. 15).

        Parameters
        ----------
        m : pyomo.environ.ConcreteModel
            The model being built.
        i : int
            Industry index.

        Returns
        -------
        tuple
            The ``complements`` pair.
        """
        gap = dfix * u(i) - float(omega[i]) * pyo.exp(m.lnB[i])
        return complements(m.uh[i] >= u_min / u_sc[i], m.theta[i] ** s * gap + m.nuh[i] >= 0)

    def e3(m: Any, i: int) -> Any:
        """E3: nuh >= 0 complementary to ``1 - theta*^s u`` (theta_o >= theta*).

        Parameters
        ----------
        m : pyomo.environ.ConcreteModel
            The model being built.
        i : int
            Industry index.

        Returns
        -------
        tuple
            The ``complements`` pair.
        """
        return complements(m.nuh[i] >= 0, 1.0 - m.theta[i] ** s * u(i) >= 0)

    def e4(m: Any, i: int) -> Any:
        """E4: M_e >= 0 complementary to ``f_e - v(B)`` (free entry, eqs. 9, 18).

        Parameters
        ----------
        m : pyomo.environ.ConcreteModel
            The model being built.
        i : int
            Industry index.

        Returns
        -------
        tuple
            The ``complements`` pair.
        """
        Js, Vs, Jo, Vo = JV(i)
        B = pyo.exp(m.lnB[i])
        value = (B * Vs - data.f_d * Js + B * offshore_value(i, Vo) - dfix * Jo) / data.delta
        return complements(m.me[i] >= 0, data.f_e - value >= 0)

    def e5(m: Any, i: int) -> Any:
        """E5: ``ln(sigma w (w/rho)^s) + ln B = ln H + (s - m) ln P`` (eq. 4).

        Parameters
        ----------
        m : pyomo.environ.ConcreteModel
            The model being built.
        i : int
            Industry index.

        Returns
        -------
        pyomo relational expression
        """
        w = float(data.w[i])
        const = math.log(data.sigma * w) + s * math.log(w / data.rho) - math.log(data.H)
        return m.lnB[i] + const - data.e * m.lnP[i] == 0

    def e6(m: Any, i: int) -> Any:
        """E6: ``(M_e/delta)(rho/w)^s (V* + Omega V_o) P^s = 1`` (eqs. 3, 11).

        Parameters
        ----------
        m : pyomo.environ.ConcreteModel
            The model being built.
        i : int
            Industry index.

        Returns
        -------
        pyomo relational expression
        """
        _, Vs, _, Vo = JV(i)
        w = float(data.w[i])
        coef = float(me_sc[i]) / data.delta * math.exp(s * math.log(data.rho / w))
        return coef * m.me[i] * (Vs + offshore_value(i, Vo)) * pyo.exp(s * m.lnP[i]) == 1.0

    m.E1 = Complementarity(m.I, rule=e1)
    m.E2 = Complementarity(m.I, rule=e2)
    m.E3 = Complementarity(m.I, rule=e3)
    m.E4 = Complementarity(m.I, rule=e4)
    m.E5 = pyo.Constraint(m.I, rule=e5)
    m.E6 = pyo.Constraint(m.I, rule=e6)
    m.me_scale = me_sc
    m.u_scale = u_sc
    m.sigma_minus_1 = s
    return m


def row_scaling(model: Any, data: MelitzData) -> dict[str, float]:
    """Row divisors for the natural residual: every row in units of its own fixed cost.

    The rows are already scaled (module docstring), so the divisors are constants:
    E1 ``max(1, f_d)``, E2 ``max(1, f_o)``, E3 1, E4 ``max(1, f_e)``, E5 and E6 1.  The MCP
    layer's default (Jacobian row norms) would divide E4 by ~``theta*^(sigma-1)`` and let a raw
    free-entry error of 1e-6 pass for large sigma; these fixed divisors do not.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        Built by :func:`build_model`.
    data : MelitzData
        The instance.

    Returns
    -------
    dict of str to float
        Row name -> divisor, the ``scaling`` argument of :func:`trade_opt.mcp.solve`.
    """
    divisor = {"E1": max(1.0, data.f_d), "E2": max(1.0, data.f_o), "E3": 1.0, "E4": max(1.0, data.f_e),
               "E5": 1.0, "E6": 1.0}
    return {getattr(model, block)[i].name: value for block, value in divisor.items() for i in model.I}
