"""The special case of Gomory (1991): symmetric demands and one production exponent (Eq. 4, Fig. 3).

With d_i1 = d_i2 = d_i and f_ij(l) = e_ij l^alpha for all i, j: V_i(Y) = d_i, F_i = Y, the trade
equation (Eq. 2) is sum_i d_i x_i = 1 - Y, and on it country 1's log-utility is

    u(x, Y) = u1_aut + (alpha - 1) ln(1/Y) + alpha (1 - Y) ln(Y / (1 - Y)) + sum_i x_i d_i ln rho_i,
    rho_i = L_2^alpha e_i2 / (L_1^alpha e_i1),  u1_aut = sum_i d_i ln(e_i1 (d_i L_1)^alpha)

(``models/gomory.md``, Special case; the seed's printed K is OCR-damaged: K is country 1's autarky
log-utility).  The knapsack part has weights d_i and values d_i ln rho_i that do not depend on Y,
so it is solved once for all capacities 1 - Y (:mod:`trade_opt.gomory.special_knapsacks`):

* B(Y): the continuous knapsack G(c) = max {sum x_i d_i ln rho_i : sum x_i d_i = c, 0 <= x <= 1},
  a concave piecewise-linear function of the capacity c = 1 - Y (one sort by ln rho_i);
* B1(Y): the 0-1 knapsacks in both directions from the Pareto list of all subsets (one
  Nemhauser-Ullmann pass), B1 = the smaller of the "<=" and ">=" optima, as in
  :mod:`~trade_opt.gomory.boundary`.

Eq. 4: U(Y) = e^K Y {(1/Y)^Y (1/(1 - Y))^(1 - Y)}^alpha exp((1 - Y) d(Y)) with the density
d(Y) = G(1 - Y) / (1 - Y); identical countries (rho_i = 1) give d = 0 and Fig. 3's curve.
Country 2's curves are the mirror images: swap the countries and Y <-> 1 - Y.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.errors import TradeOptError
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.special_knapsacks import (  # noqa: F401  (re-exported: their former home)
    ContinuousKnapsack,
    ParetoList,
    continuous_knapsack_once,
    pareto_list,
)


def is_special(data: GomoryData, tol: float = 0.0) -> bool:
    """Whether an instance is the special case: symmetric demands and one production exponent.

    Parameters
    ----------
    data : GomoryData
        The instance.
    tol : float, optional
        Largest absolute difference allowed between d_i1 and d_i2 and between the exponents.

    Returns
    -------
    bool
        True if d_i1 = d_i2 for every good, alpha_ij = alpha for every good and country (Eq. 3),
        and the specialized equilibria are those of f = e l^alpha (production kind power or
        barrier; False for power_with_setup).

    Examples
    --------
    >>> data = GomoryData.from_arrays([[0.5, 0.5], [0.5, 0.5]], [[1.0, 1.0], [2.0, 1.0]], [1.5, 1.5])
    >>> is_special(data), is_identical(data)
    (True, False)
    """
    if not data.production.specialized_as_power:
        return False
    return bool(np.all(np.abs(data.d[0] - data.d[1]) <= tol) and np.all(np.abs(data.alpha - data.alpha.flat[0]) <= tol))


def is_identical(data: GomoryData) -> bool:
    """Whether an instance is the special case with identical countries (Fig. 3).

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    bool
        True if :func:`is_special` (exactly) and e_i1 = e_i2 for every good and L_1 = L_2.
    """
    return is_special(data) and bool(np.all(data.e[0] == data.e[1]) and data.L[0] == data.L[1])


def _require(data: GomoryData) -> tuple[np.ndarray, float]:
    if not is_special(data):
        raise TradeOptError("the special case needs symmetric demands (d_i1 = d_i2) and one exponent alpha")
    return data.d[0], float(data.alpha.flat[0])


def log_rho(data: GomoryData, country: int = 1) -> np.ndarray:
    """Log comparative advantage ln rho_i = ln(L_2^alpha e_i2 / (L_1^alpha e_i1)) of each good.

    Country 1's knapsack values per unit of weight d_i (``models/gomory.md``, Special case).

    Parameters
    ----------
    data : GomoryData
        A special-case instance.
    country : {1, 2}, optional
        1 gives ln rho_i; 2 gives the mirror -ln rho_i (country 2's values).

    Returns
    -------
    numpy.ndarray
        Shape (n,).

    Raises
    ------
    TradeOptError
        If the instance is not the special case (:func:`is_special`).

    Examples
    --------
    >>> data = GomoryData.from_arrays([[0.5, 0.5], [0.5, 0.5]], [[1.0, 1.0], [2.0, 1.0]], [1.5, 1.5])
    >>> log_rho(data).round(6).tolist()
    [0.693147, 0.0]
    """
    d, alpha = _require(data)
    lr = alpha * (np.log(data.L[1]) - np.log(data.L[0])) + np.log(data.e[1]) - np.log(data.e[0])
    return lr if country == 1 else -lr


def autarky_u(data: GomoryData, country: int = 1) -> float:
    """Autarky log-utility u_j,aut = sum_i d_i ln(e_ij (d_i L_j)^alpha): K of Eq. 4.

    Parameters
    ----------
    data : GomoryData
        A special-case instance.
    country : {1, 2}, optional
        The country j.

    Returns
    -------
    float
        u_j,aut (log of Cobb-Douglas utility).

    Raises
    ------
    TradeOptError
        If the instance is not the special case (:func:`is_special`).
    """
    d, alpha = _require(data)
    j = country - 1
    return float(np.sum(d * (np.log(data.e[j]) + alpha * np.log(d * data.L[j]))))


def shape_term(Y: np.ndarray, alpha: float) -> np.ndarray:
    """The Y-dependent part of u on the trade equation, independent of the pattern.

    (alpha - 1) ln(1/Y) + alpha (1 - Y) ln(Y / (1 - Y)) = ln Y + alpha H(Y), H the binary entropy
    (natural logarithm).

    Parameters
    ----------
    Y : array_like
        Country 1's income share, in (0, 1).
    alpha : float
        The common production exponent (> 1).

    Returns
    -------
    numpy.ndarray
        The term at each Y (same shape as ``Y``).

    Examples
    --------
    >>> float(shape_term(0.5, 2.0))  # ln(1/2) + 2 ln 2
    0.6931471805599453
    """
    Y = np.asarray(Y, dtype=float)
    return (alpha - 1.0) * -np.log(Y) + alpha * (1.0 - Y) * (np.log(Y) - np.log1p(-Y))


def u_on_trade_equation(data: GomoryData, X: np.ndarray, Y: np.ndarray, country: int = 1) -> np.ndarray:
    """Closed-form log-utility u_j(x, Y) on the trade equation (``models/gomory.md``, Special case).

    Country 1: u_1 = u1_aut + shape(Y) + sum_i x_i d_i ln rho_i;
    country 2: u_2 = u2_aut + shape(1 - Y) + sum_i (1 - x_i) d_i ln(1/rho_i)
    (:func:`autarky_u`, :func:`shape_term`, :func:`log_rho`).  The caller supplies Y on the trade
    equation (Eq. 2: sum_i d_i x_i = 1 - Y); it is not checked.

    Parameters
    ----------
    data : GomoryData
        A special-case instance.
    X : numpy.ndarray
        Patterns, shape (m, n) (or (n,)), 0/1 or fractional; x_i = 1: country 2 makes good i.
    Y : numpy.ndarray
        Country 1's income share of each pattern, shape (m,).
    country : {1, 2}, optional
        Whose log-utility.

    Returns
    -------
    numpy.ndarray
        u_j, shape (m,).

    Raises
    ------
    TradeOptError
        If the instance is not the special case (:func:`is_special`).
    """
    d, alpha = _require(data)
    X = np.atleast_2d(np.asarray(X, dtype=float))
    if country == 1:
        return autarky_u(data, 1) + shape_term(Y, alpha) + (X * d) @ log_rho(data, 1)
    return autarky_u(data, 2) + shape_term(1.0 - np.asarray(Y), alpha) + ((1.0 - X) * d) @ log_rho(data, 2)


@dataclass(frozen=True)
class SpecialCurves:
    """The special case's boundary curves on a grid of Y (all log-utilities of country 1).

    Attributes
    ----------
    Y : numpy.ndarray
        The grid.
    B : numpy.ndarray
        B(Y) (greedy, once for all Y).
    B1, B1_le, B1_ge : numpy.ndarray
        B1 = min(``B1_le``, ``B1_ge``) (Pareto list, once for all Y) and the two directions.
    density : numpy.ndarray
        d(Y) = G(1 - Y)/(1 - Y).
    eq4 : numpy.ndarray
        ln of Eq. 4 (equal to B).
    x_B1 : numpy.ndarray of int
        Bitmasks of the B1 maximizers in the chosen direction (:func:`masks_to_X`).
    """

    Y: np.ndarray
    B: np.ndarray
    B1: np.ndarray
    B1_le: np.ndarray
    B1_ge: np.ndarray
    density: np.ndarray
    eq4: np.ndarray
    x_B1: np.ndarray


def special_curves(data: GomoryData, Y: np.ndarray) -> SpecialCurves:
    """B(Y), B1(Y), the density d(Y) and Eq. 4 of the special case, from one sort and one Pareto pass.

    Parameters
    ----------
    data : GomoryData
        A special-case instance.
    Y : numpy.ndarray
        Grid of country 1's income share, in (0, 1).

    Returns
    -------
    SpecialCurves
        Country 1's log-utility curves on the grid: ``B`` (greedy), ``B1``, ``B1_le``, ``B1_ge``,
        ``density`` d(Y) = G(1 - Y)/(1 - Y), ``eq4`` (ln of Eq. 4, equal to ``B``) and ``x_B1``.

    Raises
    ------
    TradeOptError
        If the instance is not the special case (:func:`is_special`).
    """
    d, alpha = _require(data)
    Y = np.asarray(Y, dtype=float)
    values = d * log_rho(data, 1)
    base = autarky_u(data, 1) + shape_term(Y, alpha)
    cap = 1.0 - Y
    G = continuous_knapsack_once(d, values)(cap)
    pl = pareto_list(d, values)
    le, m_le = pl.le(cap)
    ge, m_ge = pl.ge(cap)
    B1 = np.minimum(le, ge)
    density = G / cap
    eq4 = autarky_u(data, 1) + np.log(Y) + alpha * (-Y * np.log(Y) - cap * np.log(cap)) + cap * density
    return SpecialCurves(Y, base + G, base + B1, base + le, base + ge, density, eq4, np.where(le <= ge, m_le, m_ge))


def identical_curve(Y: np.ndarray, alpha: float, K: float = 0.0) -> np.ndarray:
    """Log of Fig. 3's curve U(Y) = e^K Y {(1/Y)^Y (1/(1 - Y))^(1 - Y)}^alpha (identical countries).

    Eq. 4 with density d = 0.

    Parameters
    ----------
    Y : array_like
        Country 1's income share, in (0, 1).
    alpha : float
        The common production exponent.
    K : float, optional
        Country 1's autarky log-utility (:func:`autarky_u`).

    Returns
    -------
    numpy.ndarray
        u = ln U(Y), same shape as ``Y``.

    Examples
    --------
    >>> float(identical_curve(0.5, 1.0))  # ln(1/2) + ln 2
    0.0
    """
    Y = np.asarray(Y, dtype=float)
    return K + np.log(Y) + alpha * (-Y * np.log(Y) - (1.0 - Y) * np.log1p(-Y))


def masks_to_X(masks: np.ndarray, n: int) -> np.ndarray:
    """Bitmasks to a boolean pattern array.

    Parameters
    ----------
    masks : array_like of int
        Bitmasks, shape (m,); bit i set: good i + 1 made by country 2 (x_i = 1).
    n : int
        Number of goods.

    Returns
    -------
    numpy.ndarray of bool
        Patterns, shape (m, n).

    Examples
    --------
    >>> masks_to_X(np.array([5, 2]), 3).astype(int).tolist()
    [[1, 0, 1], [0, 1, 0]]
    """
    return ((np.asarray(masks, dtype=np.int64)[:, None] >> np.arange(n)) & 1).astype(bool)
