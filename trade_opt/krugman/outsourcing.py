"""North-South with outsourcing (seed Eqs. 13-19): closed form, reduced form, MCP pairs, elasticities.

Two normalizations are used (``models/krugman_outsourcing.md``, "Parameters and normalization"):

* the paper's: Southern wage = 1, Northern wage omega (all results are reported this way);
* the MCP's: Northern wage = 1, Southern wage ``w_S`` a variable (rules out the no-income point).
  Converting: ``omega = 1/w_S``, ``p_paper = p_mcp/w_S``; real quantities (Y, n, c, c*) agree.

Blocks (function names as in ``models/krugman_outsourcing.md``):

* SS (Eq. 15) / DD (Eq. 16) in the (c, p/omega) plane -- :func:`ss_curve`, :func:`dd_curve`;
* closed form (Eqs. 17-18) -- :func:`closed_form`;
* reduced form (4 equations in logs, Newton/Powell via scipy) -- :func:`reduced_form`;
* the six MCP pairs, natural residual, Walras' law -- :func:`pair_values`, :func:`natural_residual_np`,
  :func:`walras_residual`;
* elasticities eps_z (Eq. 19) and eps_x (Eq. 4), analytic and by finite differences.
"""
from __future__ import annotations

import logging
import math

import numpy as np
from scipy.optimize import root

from trade_opt.errors import SolveError
from trade_opt.krugman.closed import Equilibrium, intermediate_per_firm
from trade_opt.krugman.instance import KrugmanData

log = logging.getLogger(__name__)

#: MCP variables of the North-South economy, in this order.
VARIABLES = ("Y", "n", "p", "c", "c_star", "w_S")


def marginal_cost(data: KrugmanData, w_S):
    """Marginal cost mc = [(1-z) omega + z w_S] b_A with omega = 1 (MCP normalization), Eq. (13).

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    w_S : float or array_like
        Southern wage in Northern labour (>= 0).

    Returns
    -------
    float or ndarray
        mc in Northern labour per unit of final output.
    """
    return ((1.0 - data.z) + data.z * w_S) * data.b_A


def ss_curve(data: KrugmanData, c):
    """SS (Eq. 15 with Eq. 14): ``p/omega = (1-z) b_A/(theta - mu)``, horizontal in c.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    c : float or array_like
        Consumption of each variety per Northern person (> 0).

    Returns
    -------
    ndarray
        p/omega (price in Northern labour), same shape as ``c``.
    """
    return np.full_like(np.asarray(c, dtype=float), (1.0 - data.z) * data.b_A / (data.theta - data.mu))


def dd_curve(data: KrugmanData, c):
    """DD (Eq. 16): ``p/omega = alpha/(L c) + (1-z) b_A/(1-mu)``.

    From ``p/omega = [alpha/Y + (1-z) b_A]/(1-mu)`` with ``Y = L c/(1-mu)`` (Eq. 14').

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    c : float or array_like
        Consumption of each variety per Northern person (> 0).

    Returns
    -------
    ndarray
        p/omega (price in Northern labour), same shape as ``c``.
    """
    return data.alpha / (data.L * np.asarray(c, dtype=float)) + (1.0 - data.z) * data.b_A / (1.0 - data.mu)


def closed_form(data: KrugmanData) -> Equilibrium:
    """Eqs. (17)-(18) in the paper's normalization (Southern wage 1).

    ``Y = alpha (theta - mu)/((1-theta)(1-z) b_A)``, ``c = (1-mu) Y/L``, ``c* = mu Y/L*``,
    ``1/p = mu/(z b_A)``, ``omega = z (theta - mu)/((1-z) mu)``, ``n = (1-theta) L/(alpha (1-mu))``,
    ``E_S = n z b_A Y``.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).

    Returns
    -------
    Equilibrium
        Prices and omega in Southern labour; utilities U_N, U_S (Eq. 1).

    Examples
    --------
    >>> from trade_opt.krugman.instance import KrugmanData
    >>> from trade_opt.krugman.mu import PowerMu
    >>> d = KrugmanData("north_south", 0.75, 3.0, 1.0, 1.0, 4.0, 100.0, 1000.0, 0.5, PowerMu(0.4, 2.0))
    >>> e = closed_form(d)
    >>> round(e.p, 12), round(e.omega, 12), round(e.Y, 12)
    (2.5, 6.5, 10.4)
    """
    th, z, b, mu = data.theta, data.z, data.b_A, data.mu
    Y = data.alpha * (th - mu) / ((1.0 - th) * (1.0 - z) * b)
    p = z * b / mu
    omega = z * (th - mu) / ((1.0 - z) * mu)
    n = (1.0 - th) * data.L / (data.alpha * (1.0 - mu))
    c = (1.0 - mu) * Y / data.L
    c_star = mu * Y / data.L_star
    return Equilibrium(
        p=p, omega=omega, Y=Y, n=n, c=c, real_wage_N=omega / p, l=data.alpha + (1.0 - z) * b * Y,
        x=float(intermediate_per_firm(data, Y)), U_N=n * c**th,
        c_star=c_star, real_wage_S=1.0 / p, E_S=n * z * b * Y, U_S=n * c_star**th,
    )


def to_mcp_values(eq: Equilibrium) -> dict[str, float]:
    """Paper normalization -> MCP variables (Northern wage 1): ``w_S = 1/omega``, ``p = p/omega``.

    Parameters
    ----------
    eq : Equilibrium
        A North-South equilibrium in the paper's normalization (Southern wage 1).

    Returns
    -------
    dict of str to float
        Values of :data:`VARIABLES`.
    """
    return {"Y": eq.Y, "n": eq.n, "p": eq.p / eq.omega, "c": eq.c, "c_star": eq.c_star, "w_S": 1.0 / eq.omega}


def equilibrium_from_values(data: KrugmanData, v: dict[str, float]) -> Equilibrium:
    """MCP variables (Northern wage 1) -> :class:`Equilibrium` in the paper's normalization (Southern wage 1).

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    v : dict of str to float
        MCP variable values (Northern wage 1): ``Y`` output per variety, ``n`` varieties, ``p`` price
        in Northern labour, ``c``/``c_star`` consumption per variety per Northern/Southern person,
        ``w_S`` Southern wage in Northern labour.

    Returns
    -------
    Equilibrium
        ``omega = 1/w_S``, ``p = p_mcp/w_S``; l, x, E_S, real wages and utilities derived.
    """
    w = v["w_S"]
    p, omega = v["p"] / w, 1.0 / w
    th, b = data.theta, data.b_A
    Y, n, c, cs = v["Y"], v["n"], v["c"], v["c_star"]
    return Equilibrium(
        p=p, omega=omega, Y=Y, n=n, c=c, real_wage_N=omega / p, l=data.alpha + (1.0 - data.z) * b * Y,
        x=float(intermediate_per_firm(data, Y)), U_N=n * c**th,
        c_star=cs, real_wage_S=1.0 / p, E_S=n * data.z * b * Y, U_S=n * cs**th,
    )


def pair_values(data: KrugmanData, v: dict[str, float]) -> dict[str, float]:
    """F of the six MCP pairs (Northern wage 1), keyed by the paired variable.

    The table of models/krugman_outsourcing.md, "North–South (Eqs. 13–19)":

    ``Y _|_ mc - theta p`` (15), ``n _|_ alpha + mc Y - p Y`` (16), ``p _|_ Y - L c - L* c*`` (goods),
    ``c _|_ n p c - 1`` (Northern budget), ``c* _|_ L* c* - mu Y`` (14'),
    ``w_S _|_ w_S z b_A Y - p L* c*`` (14, balance of trade).

    The last pair is written as "the South's export earnings cover its imports".  The settled spec
    writes it the other way round (``p L* c* - w_S z b_A Y >= 0``); that orientation admits a
    spurious corner with ``w_S = 0`` (see :func:`note_trade_pair` and ``models/krugman_outsourcing.md``,
    "Deviation from the note").

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    v : dict of str to float
        MCP variable values (Northern wage 1): ``Y`` output per variety, ``n`` varieties, ``p`` price
        in Northern labour, ``c``/``c_star`` consumption per variety per Northern/Southern person,
        ``w_S`` Southern wage in Northern labour.

    Returns
    -------
    dict of str to float
        F per variable of :data:`VARIABLES`; a solution has min(x, F) = 0 for each.
    """
    mc = marginal_cost(data, v["w_S"])
    Y, p, Ls = v["Y"], v["p"], data.L_star
    return {
        "Y": mc - data.theta * p,
        "n": data.alpha + mc * Y - p * Y,
        "p": Y - data.L * v["c"] - Ls * v["c_star"],
        "c": v["n"] * p * v["c"] - 1.0,
        "c_star": Ls * v["c_star"] - data.mu * Y,
        "w_S": v["w_S"] * data.z * data.b_A * Y - p * Ls * v["c_star"],
    }


def note_trade_pair(data: KrugmanData, v: dict[str, float]) -> float:
    """The settled spec's orientation of the balance-of-trade pair: ``p L* c* - w_S z b_A Y`` (>= 0 with w_S).

    See ``models/krugman_outsourcing.md``, "Deviation from the note (sign of the last pair)".

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    v : dict of str to float
        MCP variable values (Northern wage 1): ``Y`` output per variety, ``n`` varieties, ``p`` price
        in Northern labour, ``c``/``c_star`` consumption per variety per Northern/Southern person,
        ``w_S`` Southern wage in Northern labour.

    Returns
    -------
    float
        Minus ``pair_values(data, v)["w_S"]``.
    """
    return -pair_values(data, v)["w_S"]


def natural_residual_np(values: dict[str, float], F: dict[str, float]) -> float:
    """Natural residual max_i |min(x_i, F_i)| over pairs with lower bound 0 (all variables here are >= 0).

    The dict form of :func:`trade_opt.mcp.residual.natural_residual_array` (``lb = 0, ub = inf``).

    Parameters
    ----------
    values : dict of str to float
        Variable values x_i.
    F : dict of str to float
        Paired function values F_i (same keys; :func:`pair_values`).

    Returns
    -------
    float
        The residual (0 at an exact MCP solution).

    Examples
    --------
    >>> natural_residual_np({"Y": 2.0, "n": 0.0}, {"Y": 1e-9, "n": 3.0})
    1e-09
    """
    from trade_opt.mcp.residual import natural_residual_array  # lazy: trade_opt.mcp imports Pyomo

    keys = list(F)
    return natural_residual_array([values[k] for k in keys], [F[k] for k in keys])


def walras_residual(data: KrugmanData, v: dict[str, float]) -> float:
    """Northern labour market ``L = n (alpha + (1-z) b_A Y)`` (not imposed): relative residual.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    v : dict of str to float
        MCP variable values (Northern wage 1): ``Y`` output per variety, ``n`` varieties, ``p`` price
        in Northern labour, ``c``/``c_star`` consumption per variety per Northern/Southern person,
        ``w_S`` Southern wage in Northern labour.

    Returns
    -------
    float
        |n (alpha + (1-z) b_A Y)/L - 1| (dimensionless).
    """
    return abs(v["n"] * (data.alpha + (1.0 - data.z) * data.b_A * v["Y"]) / data.L - 1.0)


def reduced_form_residual(data: KrugmanData, u: np.ndarray) -> np.ndarray:
    """The reduced form in ratio/log form, ``u = ln(Y, n, p, w_S)`` (Northern wage 1).

    models/krugman_outsourcing.md, "North–South (Eqs. 13–19)", reduced form row.

    With ``c = 1/(n p)`` and ``c* = w_S z b_A Y/(p L*)`` substituted:
    (15) ``ln(theta p) - ln mc``; (16) ``ln(p Y) - ln(alpha + mc Y)``;
    goods ``ln Y - ln(L/(n p) + w_S z b_A Y/p)``; (14) ``ln(z b_A w_S) - ln(mu p)``.
    Ratio form keeps the no-income ray (p, w_S -> inf, Y -> 0) from looking like a solution.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    u : ndarray, shape (4,)
        ln Y, ln n, ln p, ln w_S.

    Returns
    -------
    ndarray, shape (4,)
        Log residuals of (15), (16), goods market, (14).
    """
    Y, n, p, w = np.exp(u)
    z, b = data.z, data.b_A
    mc = marginal_cost(data, w)
    return np.array([
        math.log(data.theta * p) - math.log(mc),
        math.log(p * Y) - math.log(data.alpha + mc * Y),
        math.log(Y) - math.log(data.L / (n * p) + w * z * b * Y / p),
        math.log(z * b * w) - math.log(data.mu * p),
    ])


def reduced_form(data: KrugmanData, start: dict[str, float] | None = None, tol: float = 1e-14) -> dict[str, float]:
    """Solve the reduced form (4 equations, logs) with scipy's hybrid Powell method.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    start : dict of str to float, optional
        MCP-normalized values (keys Y, n, p, w_S); default the closed economy at the same parameters
        (w_S = 1).
    tol : float, optional
        ``xtol`` of ``scipy.optimize.root`` (default 1e-14).

    Returns
    -------
    dict of str to float
        All six MCP variables of :data:`VARIABLES` (c, c* recovered from the substitutions).

    Raises
    ------
    SolveError
        If the max log residual is not below 1e-12.

    Examples
    --------
    >>> from trade_opt.krugman.instance import KrugmanData
    >>> from trade_opt.krugman.mu import PowerMu
    >>> d = KrugmanData("north_south", 0.75, 3.0, 1.0, 1.0, 4.0, 100.0, 1000.0, 0.5, PowerMu(0.4, 2.0))
    >>> round(reduced_form(d)["Y"], 9)
    10.4
    """
    if start is None:
        th, b = data.theta, data.b_A
        start = {"Y": data.alpha * th / ((1 - th) * b), "n": (1 - th) * data.L / data.alpha, "p": b / th, "w_S": 1.0}
    u0 = np.log([start["Y"], start["n"], start["p"], start["w_S"]])
    sol = root(lambda u: reduced_form_residual(data, u), u0, method="hybr", options={"xtol": tol})
    res = float(np.max(np.abs(reduced_form_residual(data, sol.x))))
    if not res <= 1e-12:
        raise SolveError(f"reduced form did not converge (max log residual {res:.3g}): {sol.message}")
    Y, n, p, w = (float(v) for v in np.exp(sol.x))
    return {"Y": Y, "n": n, "p": p, "c": 1.0 / (n * p), "c_star": w * data.z * data.b_A * Y / (p * data.L_star), "w_S": w}


def eps_z(data: KrugmanData) -> float:
    """Eq. (19)'s elasticity ``eps_z = dln Y/dln z = z/(1-z) - z mu'(z)/(theta - mu)`` (from Eq. 17).

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).

    Returns
    -------
    float
        eps_z (dimensionless).
    """
    z, mu = data.z, data.mu
    return z / (1.0 - z) - z * data.mu_slope / (data.theta - mu)


def eps_z_fd(data: KrugmanData, h: float = 1e-5, start: dict[str, float] | None = None) -> float:
    """eps_z by a central difference of ln Y over ln z, Y from the (numerically solved) reduced form.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).
    h : float, optional
        Step in logs for the central difference (default 1e-5).
    start : dict of str to float, optional
        MCP-normalized start values (keys Y, n, p, w_S) for the reduced form.

    Returns
    -------
    float
        The finite-difference eps_z (check of :func:`eps_z`).

    Raises
    ------
    SolveError
        If the reduced form fails at a perturbed z.
    """
    lo = reduced_form(data.replace(z=data.z * math.exp(-h)), start)["Y"]
    hi = reduced_form(data.replace(z=data.z * math.exp(h)), start)["Y"]
    return (math.log(hi) - math.log(lo)) / (2.0 * h)


def eps_x_fd(data: KrugmanData, h: float = 1e-5, start: dict[str, float] | None = None) -> float:
    """Eq. (4) along the equilibrium, ``-dln x/dln A``, by a central difference.

    x from Eq. 6 and the reduced-form Y; the closed economy uses Eq. 11's Y.

    Parameters
    ----------
    data : KrugmanData
        Parameters (closed or North-South).
    h : float, optional
        Step in logs for the central difference (default 1e-5).
    start : dict of str to float, optional
        MCP-normalized start values (keys Y, n, p, w_S) for the reduced form.

    Returns
    -------
    float
        The finite-difference eps_x (1 along the equilibrium, :func:`~trade_opt.krugman.closed.eps_x_equilibrium`).

    Raises
    ------
    SolveError
        If the reduced form fails at a perturbed A (North-South).
    """
    def ln_x(A: float) -> float:
        """ln x at the equilibrium with ``A`` stages.

        Parameters
        ----------
        A : float
            Number of stages (>= 1).

        Returns
        -------
        float
        """
        d = data.replace(A=A)
        if data.economy == "closed":
            Y = d.alpha * d.theta / ((1 - d.theta) * d.b_A)
        else:
            Y = reduced_form(d, start)["Y"]
        return math.log(float(intermediate_per_firm(d, Y)))
    A = data.A
    return -(ln_x(A * math.exp(h)) - ln_x(A * math.exp(-h))) / (2.0 * h)


def variety_condition(data: KrugmanData) -> dict[str, float | bool]:
    """Eq. (19): ``dn/dz > 0 <=> eps_z < z/(1-z)``, and the paper's premise ``0 < eps_z < 1``.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).

    Returns
    -------
    dict
        ``eps_z``, ``bound`` (z/(1-z)), ``holds`` (bool) and ``premise_0_lt_eps_z_lt_1`` (bool).
    """
    e, z = eps_z(data), data.z
    return {"eps_z": e, "bound": z / (1.0 - z), "holds": e < z / (1.0 - z), "premise_0_lt_eps_z_lt_1": 0.0 < e < 1.0}


def derivative_conditions(data: KrugmanData) -> dict[str, bool]:
    """The exact conditions for the comparative statics in z (from Eq. 17).

    models/krugman_outsourcing.md, "North–South (Eqs. 13–19)", conditions row:

    ``d(omega/p)/dz > 0 <=> mu'(1-z) < theta - mu``; ``dc/dz > 0 <=> 1/(1-z) > mu'/(1-mu) + mu'/(theta-mu)``;
    ``d(1/p)/dz > 0 <=> d(mu/z)/dz > 0 <=> z mu' > mu``; ``omega > 1 <=> mu < theta z``.

    Parameters
    ----------
    data : KrugmanData
        Parameters of a North-South economy (``z``, ``L_star``, ``mu_fn`` set).

    Returns
    -------
    dict of str to bool
        ``real_wage_N_rises``, ``c_rises``, ``real_wage_S_rises``, ``omega_gt_1``, ``mu_lt_z``,
        ``mu_slope_lt_1``.
    """
    z, th, mu, s = data.z, data.theta, data.mu, data.mu_slope
    return {
        "real_wage_N_rises": s * (1 - z) < th - mu,
        "c_rises": 1 / (1 - z) > s / (1 - mu) + s / (th - mu),
        "real_wage_S_rises": z * s > mu,
        "omega_gt_1": mu < th * z,
        "mu_lt_z": mu < z,
        "mu_slope_lt_1": s < 1.0,
    }
