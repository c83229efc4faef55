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
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from trade_opt.errors import SolveError, TradeOptError
from trade_opt.melitz.industry import IndustryState, theta_o_of_u
from trade_opt.melitz.instance import MelitzData

__all__ = ["build_model", "row_scaling", "guess", "autarky_start", "starting_points", "read_state", "solve_mcp", "solve_mcp_from", "MelitzMCPSolution"]


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
        Built by :func:`build_model` (its ``me_scale``, ``u_scale`` are used).
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
        Built by :func:`build_model`, with values loaded.

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


@dataclass(frozen=True)
class MelitzMCPSolution:
    """MCP solution: the state per industry and the solver's report."""

    state: IndustryState
    status: str
    residual: float
    iterations: dict[str, int]
    seconds: float
    active_set: Any
    message: str


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


def _candidate_states(data: MelitzData, theta_factors: tuple[float, ...]) -> Iterator[tuple[str, IndustryState]]:
    for factor in theta_factors:
        yield f"theta*={factor:g}b", guess(data, factor)
    yield "autarky cutoff", autarky_start(data)


def solve_mcp(data: MelitzData, tol: float = 1e-10, theta_factors: tuple[float, ...] = (1.2, 2.0, 4.0)) -> MelitzMCPSolution:
    """Solve the MCP E1-E6 for every industry with :func:`trade_opt.mcp.solve`.

    Starts are tried one at a time (the equilibrium is unique, so the first solved point is it):
    the crude starts of :func:`guess`, then the fallback :func:`autarky_start`.  The model's scales
    (``me_scale``, ``u_scale``) are taken from the start being tried.

    Parameters
    ----------
    data : MelitzData
        The instance.
    tol : float
        Natural-residual tolerance passed to the MCP layer.
    theta_factors : tuple of float
        Starting cutoffs as multiples of b (see :func:`guess`).

    Returns
    -------
    MelitzMCPSolution
        ``message`` names the start that succeeded.

    Raises
    ------
    SolveError
        If no start reaches ``status == "solved"``.
    TradeOptError
        If the productivity distribution has no algebraic Pyomo form (e.g. log-normal).
    """
    _require_algebraic(data)
    failures: list[str] = []
    history: list[Any] = []  # every MCPResult, for the iteration and time totals
    for label, state in _candidate_states(data, theta_factors):
        try:
            model, result = _solve_from(data, state, tol, certify=False)
            history.append(result)
            if result.status != "failed":
                model, result = _certify(data, model, tol, history)
        except (ArithmeticError, ValueError, RuntimeError) as exc:  # e.g. PyNumero evaluation errors
            failures.append(f"{label}: {type(exc).__name__}")
            continue
        if result.status == "solved":
            return _solution(model, result, history, label)
        failures.append(f"{label}: {result.status}, residual {result.residual:.3g}")
    raise SolveError("melitz MCP: no start solved (" + "; ".join(failures) + ")")


def solve_mcp_from(data: MelitzData, start: IndustryState, tol: float = 1e-10) -> MelitzMCPSolution:
    """Solve the MCP E1-E6 of all industries as one model from a given ``start``.

    E.g. the 1-D reduction's state, as PATH users pass a good start.  The model's scales are taken
    from ``start`` and the rows scaled by :func:`row_scaling`, so the MCP layer's warm Newton polish
    (sparse, block-diagonal Jacobian: industries do not interact) usually certifies the point in a
    step or two; Ipopt runs only if that polish fails.  The residual reported is the MCP layer's own
    natural residual.

    Parameters
    ----------
    data : MelitzData
        The instance.
    start : IndustryState
        The start (unscaled).
    tol : float
        Natural-residual tolerance passed to the MCP layer.

    Returns
    -------
    MelitzMCPSolution
        The certified solution (``message`` names "given start").

    Raises
    ------
    SolveError
        If the model is not solved from ``start`` (callers fall back to :func:`solve_mcp`).
    TradeOptError
        If the productivity distribution has no algebraic Pyomo form (e.g. log-normal).
    """
    _require_algebraic(data)
    history: list[Any] = []
    try:
        model, result = _solve_from(data, start, tol, certify=True)
        history.append(result)
        if result.status == "solved" and not _scales_ok(data, model):
            model, result = _certify(data, model, tol, history)
    except (ArithmeticError, ValueError, RuntimeError) as exc:
        raise SolveError(f"melitz MCP from the given start: {type(exc).__name__}") from exc
    if result.status != "solved":
        raise SolveError(f"melitz MCP from the given start: {result.status}, residual {result.residual:.3g}")
    return _solution(model, result, history, "given start")


def _solution(model: Any, result: Any, history: list[Any], label: str) -> MelitzMCPSolution:
    iterations: dict[str, int] = {}
    for item in history:
        for key, value in item.iterations.items():
            iterations[key] = iterations.get(key, 0) + int(value)
    return MelitzMCPSolution(
        state=read_state(model), status=result.status, residual=float(result.residual),
        iterations=iterations, seconds=float(sum(item.seconds for item in history)),
        active_set=result.active_set, message=f"start {label}: {result.message}",
    )


def _solve_from(data: MelitzData, state: IndustryState, tol: float, certify: bool) -> tuple[Any, Any]:
    """Build the model with scales taken from ``state`` and solve it from ``state``.

    ``certify=False`` lets the MCP layer scale rows by its default (Jacobian row norms), which its
    Newton steps like best; ``certify=True`` uses :func:`row_scaling`, the residual we report.
    """
    from trade_opt.mcp import solve

    theta_pow = state.theta_star ** (-data.s)
    u_scale = np.maximum(np.where(state.u > 0, state.u, theta_pow), data.u_min)
    model = build_model(data, me_scale=state.M_e, u_scale=u_scale)
    scaling = row_scaling(model, data) if certify else None
    result = solve(model, starts=starting_points(model, [state]), tol=tol, scaling=scaling)
    return model, result


#: Scaled variables me, uh must end within this factor of 1 for the natural residual to measure
#: E4 and E2 (``min(x - lb, F)`` is small whenever a badly scaled x is tiny).
SCALE_BAND = 10.0


def _scales_ok(data: MelitzData, model: Any) -> bool:
    me = np.array([model.me[i].value for i in model.I])
    uh = np.array([model.uh[i].value for i in model.I])
    uh_lb = np.array([model.uh[i].lb for i in model.I])
    interior_u = (data.omega > 0) & (uh > uh_lb * (1 + 1e-8) + 1e-300)  # at its bound the scale is moot
    bad = (me > SCALE_BAND) | (me < 1 / SCALE_BAND) | (interior_u & ((uh > SCALE_BAND) | (uh < 1 / SCALE_BAND)))
    return not bad.any()


def _certify(data: MelitzData, model: Any, tol: float, history: list[Any], rounds: int = 3) -> tuple[Any, Any]:
    """Re-solve from the point found, with the scales ``me_scale``, ``u_scale`` taken from it (so
    ``me``, ``uh`` are ~1) and the rows scaled by :func:`row_scaling`: a Newton polish from the
    point whose natural residual is the one reported.  Repeated while the scaled variables end
    outside :data:`SCALE_BAND` (``min(x - lb, F)`` is small whenever a badly scaled x is tiny)."""
    result = None
    for _ in range(rounds):
        model, result = _solve_from(data, read_state(model), tol, certify=True)
        history.append(result)
        if result.status != "solved" or _scales_ok(data, model):
            break
    return model, result
