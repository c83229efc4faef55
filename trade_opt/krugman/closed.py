"""The closed Northern economy with A production stages (seed Eqs. 1-12).

Normalization: the Northern wage is the numeraire, omega = 1; prices are in Northern labour.
Quantities: Y output per variety, c consumption of each variety per person, n varieties (firms),
l Northern labour per firm, x quantity of each of the A intermediates per firm.

* SS (Eq. 9, FOC in Y): ``p/omega = b_A/theta`` -- :func:`ss_curve`;
* DD (Eq. 10, zero profit with Y = L c): ``p/omega = alpha/(L c) + b_A`` -- :func:`dd_curve`;
* the intersection (Eqs. 11-12) in closed form -- :func:`closed_form`;
* the complementarity pairs of the MCP (models/krugman_outsourcing.md, "Closed economy (Eqs. 1–12)")
  -- :func:`pair_values`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from trade_opt.krugman.instance import KrugmanData


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium in the paper's normalization.

    Closed economy: Northern wage omega = 1.  North-South: Southern wage = 1 (seed, before Eq. 13),
    so ``omega`` is the Northern wage in Southern labour and ``real_wage_S = 1/p``.
    Fields that do not exist in the closed economy are ``None``.

    Attributes
    ----------
    p : float
        Price of a final good.
    omega : float
        Northern wage.
    Y : float
        Output per variety.
    n : float
        Number of varieties.
    c, c_star : float
        Consumption per variety per Northern / Southern person (``c_star`` None when closed).
    real_wage_N : float
        omega/p.
    real_wage_S : float or None
        1/p.
    l : float
        Northern labour per firm.
    x : float
        Quantity of each intermediate per firm.
    E_S : float or None
        Southern labour in outsourcing.
    U_N, U_S : float
        Per-capita utility n c^theta, n c*^theta (Eq. 1; ``U_S`` None when closed).
    """

    p: float
    omega: float
    Y: float
    n: float
    c: float
    real_wage_N: float
    l: float
    x: float
    U_N: float
    c_star: float | None = None
    real_wage_S: float | None = None
    E_S: float | None = None
    U_S: float | None = None

    def as_dict(self) -> dict[str, float]:
        """The defined fields as a dict (``None`` fields left out).

        Returns
        -------
        dict of str to float
        """
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def intermediate_per_firm(data: KrugmanData, Y):
    """Quantity of each intermediate per firm, x = Y A^(eps/(1-eps)) (Eq. 6).

    Computed in logs so large A or eps near 1 do not overflow.

    Parameters
    ----------
    data : KrugmanData
        Parameters (uses ``A`` stages and ``eps`` > 1).
    Y : float or array_like
        Output per variety (final-good units).

    Returns
    -------
    float or ndarray
        x, same shape as ``Y``.
    """
    return Y * np.exp(data.eps / (1.0 - data.eps) * np.log(data.A))


def ss_curve(data: KrugmanData, c):
    """SS (Eq. 9): ``p/omega = b_A/theta`` for every c (a horizontal line).

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).
    c : float or array_like
        Consumption of each variety per Northern person (> 0).

    Returns
    -------
    ndarray
        p/omega (price in Northern labour), same shape as ``c``.
    """
    return np.full_like(np.asarray(c, dtype=float), data.b_A / data.theta)


def dd_curve(data: KrugmanData, c):
    """DD (Eq. 10): zero profit with Y = L c, ``p/omega = alpha/(L c) + b_A``.

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).
    c : float or array_like
        Consumption of each variety per Northern person (> 0).

    Returns
    -------
    ndarray
        p/omega (price in Northern labour), same shape as ``c``.
    """
    return data.alpha / (data.L * np.asarray(c, dtype=float)) + data.b_A


def closed_form(data: KrugmanData) -> Equilibrium:
    """Eqs. (11)-(12): the SS-DD intersection, omega = 1.

    ``p = b_A/theta``, ``c = alpha theta/((1-theta) b_A L)``, ``Y = L c``,
    ``n = (1-theta) L/alpha``, ``l = alpha/(1-theta)``.

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).

    Returns
    -------
    Equilibrium
        Prices in Northern labour; North-South fields are None.

    Examples
    --------
    >>> from trade_opt.krugman.instance import KrugmanData
    >>> d = KrugmanData("closed", 0.75, 3.0, 1.0, 1.0, 4.0, 100.0, None, None, None)
    >>> e = closed_form(d)
    >>> round(e.p, 12), round(e.c, 12), round(e.n, 12)
    (0.666666666667, 0.06, 25.0)
    """
    b, th = data.b_A, data.theta
    p = b / th
    Y = data.alpha * th / ((1.0 - th) * b)
    c = Y / data.L
    n = (1.0 - th) * data.L / data.alpha
    return Equilibrium(
        p=p, omega=1.0, Y=Y, n=n, c=c, real_wage_N=1.0 / p, l=data.alpha + b * Y,
        x=float(intermediate_per_firm(data, Y)), U_N=n * c**th,
    )


def eps_x_fixed_output(eps: float) -> float:
    """Eq. (4) at fixed Y, from Eq. (6): ``-dln x/dln A = eps/(eps-1)`` (> 1, the paper's premise).

    Parameters
    ----------
    eps : float
        Elasticity of substitution between stages (> 1).

    Returns
    -------
    float

    Examples
    --------
    >>> eps_x_fixed_output(3.0)
    1.5
    """
    return eps / (eps - 1.0)


def eps_x_equilibrium(eps: float) -> float:
    """Eq. (4) along the equilibrium: ``eps/(eps-1) - dln Y/dln A = eps/(eps-1) - 1/(eps-1) = 1``.

    Y = alpha theta/((1-theta) b_A) with b_A proportional to A^(1/(1-eps)) gives dln Y/dln A = 1/(eps-1);
    the same holds in North-South (Eq. 17), where mu does not depend on A.

    Parameters
    ----------
    eps : float
        Elasticity of substitution between stages (> 1).

    Returns
    -------
    float
        1 (up to rounding).

    Examples
    --------
    >>> eps_x_equilibrium(3.0)
    1.0
    """
    return eps / (eps - 1.0) - 1.0 / (eps - 1.0)


def dn_dA(data: KrugmanData, eq: Equilibrium, eps_x: float) -> float:
    """The paper's Eq. (12): ``dn/dA = (n beta x/l)(eps_x - 1)`` (change in varieties per stage).

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).
    eq : Equilibrium
        The equilibrium (n, x, l).
    eps_x : float
        Elasticity -dln x/dln A (Eq. 4): :func:`eps_x_fixed_output` or :func:`eps_x_equilibrium`.

    Returns
    -------
    float
        dn/dA (0 with eps_x = 1: claim K2).
    """
    return eq.n * data.beta * eq.x / eq.l * (eps_x - 1.0)


def pair_values(data: KrugmanData, v: dict[str, float]) -> dict[str, float]:
    """F of the closed-economy MCP pairs (models/krugman_outsourcing.md, "Closed economy (Eqs. 1–12)"), omega = 1.

    ``Y _|_ b_A - theta p`` (9), ``n _|_ alpha + b_A Y - p Y`` (10), ``p _|_ Y - L c`` (goods),
    ``c _|_ n p c - 1`` (budget, income omega L = L spent on n varieties).

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).
    v : dict of str to float
        MCP variable values: ``Y`` (output per variety), ``n`` (varieties), ``p`` (price in Northern
        labour), ``c`` (consumption per variety per person).

    Returns
    -------
    dict of str to float
        F by paired variable (``Y``, ``n``, ``p``, ``c``); a solution has min(x, F) = 0 for each.
    """
    b = data.b_A
    return {
        "Y": b - data.theta * v["p"],
        "n": data.alpha + b * v["Y"] - v["p"] * v["Y"],
        "p": v["Y"] - data.L * v["c"],
        "c": v["n"] * v["p"] * v["c"] - 1.0,
    }


def walras_residual(data: KrugmanData, v: dict[str, float]) -> float:
    """Northern labour market ``L = n (alpha + b_A Y)``, not imposed in the MCP: relative residual.

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).
    v : dict of str to float
        MCP variable values: ``Y`` (output per variety), ``n`` (varieties), ``p`` (price in Northern
        labour), ``c`` (consumption per variety per person).

    Returns
    -------
    float
        |n (alpha + b_A Y)/L - 1| (dimensionless).
    """
    return abs(v["n"] * (data.alpha + data.b_A * v["Y"]) / data.L - 1.0)


def equilibrium_from_values(data: KrugmanData, v: dict[str, float]) -> Equilibrium:
    """An :class:`Equilibrium` from MCP variable values (omega = 1).

    Parameters
    ----------
    data : KrugmanData
        Parameters of the economy (``economy = "closed"``; omega = 1).
    v : dict of str to float
        MCP variable values: ``Y`` (output per variety), ``n`` (varieties), ``p`` (price in Northern
        labour), ``c`` (consumption per variety per person).

    Returns
    -------
    Equilibrium
        With l, x, real wage and utility U_N = n c^theta (Eq. 1) derived.
    """
    th = data.theta
    return Equilibrium(
        p=v["p"], omega=1.0, Y=v["Y"], n=v["n"], c=v["c"], real_wage_N=1.0 / v["p"],
        l=data.alpha + data.b_A * v["Y"], x=float(intermediate_per_firm(data, v["Y"])), U_N=v["n"] * v["c"] ** th,
    )
