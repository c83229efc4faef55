"""Knapsacks solved once for all capacities: the special case of Gomory (1991) (Eq. 4, B and B1).

In the special case (:mod:`trade_opt.gomory.special_case`) the knapsack part of u(x, Y) has
weights d_i and values d_i ln rho_i that do not depend on Y, so each knapsack is solved once and
read off at every capacity c = 1 - Y (``models/gomory.md``, Special case):

* B(Y): the continuous knapsack G(c) = max {v.x : w.x = c, 0 <= x <= 1}, a concave
  piecewise-linear function of c from one sort by v_i / w_i (:func:`continuous_knapsack_once`);
* B1(Y): the 0-1 knapsacks in both directions ("<=" and ">=") from the Pareto list of all subsets,
  one Nemhauser-Ullmann pass per direction (:func:`pareto_list`); B1 = the smaller of the two
  optima, as in :mod:`~trade_opt.gomory.boundary`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.errors import TradeOptError


@dataclass(frozen=True)
class ContinuousKnapsack:
    """G(c) for all capacities, as a piecewise-linear function (call it to evaluate).

    Attributes
    ----------
    c : numpy.ndarray, shape (n + 1,)
        Breakpoints: cumulative weights in greedy order, from 0 to sum w.
    G : numpy.ndarray, shape (n + 1,)
        G at the breakpoints (cumulative values).
    order : numpy.ndarray, shape (n,)
        The greedy order (decreasing v_i / w_i).
    """

    c: np.ndarray
    G: np.ndarray
    order: np.ndarray

    def __call__(self, capacity: np.ndarray) -> np.ndarray:
        """G at the given capacities, by linear interpolation between the breakpoints.

        Parameters
        ----------
        capacity : array_like
            Capacities c in [0, sum w] (clamped to the ends outside).

        Returns
        -------
        numpy.ndarray
            G(c), same shape as ``capacity``.
        """
        return np.interp(np.asarray(capacity, dtype=float), self.c, self.G)


def continuous_knapsack_once(weights: np.ndarray, values: np.ndarray) -> ContinuousKnapsack:
    """The continuous knapsack G(c) = max {v.x : w.x = c, x in [0, 1]^n} for every c in [0, sum w].

    One sort: items in decreasing v_i / w_i (every item, also negative ones: the equality must be
    filled); G is the piecewise-linear interpolation of the cumulative sums (concave).  B(Y) of the
    special case is G(1 - Y) plus the pattern-free terms.

    Parameters
    ----------
    weights : numpy.ndarray
        Item weights w_i > 0 (the demand shares d_i), shape (n,).
    values : numpy.ndarray
        Item values v_i (d_i ln rho_i), shape (n,).

    Returns
    -------
    ContinuousKnapsack
        Breakpoints ``c`` (cumulative weights in greedy order, from 0), ``G`` at them, and the
        greedy ``order``; call it to evaluate G.

    Examples
    --------
    >>> ks = continuous_knapsack_once(np.array([0.25, 0.75]), np.array([0.5, -0.25]))
    >>> ks.c.tolist(), ks.G.tolist()
    ([0.0, 0.25, 1.0], [0.0, 0.5, 0.25])
    >>> ks(np.array([0.25, 1.0])).tolist()
    [0.5, 0.25]
    """
    ratio = values / weights
    order = np.argsort(-ratio, kind="stable")
    c = np.concatenate([[0.0], np.cumsum(weights[order])])
    G = np.concatenate([[0.0], np.cumsum(values[order])])
    return ContinuousKnapsack(c, G, order)


@dataclass(frozen=True)
class ParetoList:
    """Non-dominated subsets (weight, value, bitmask) of a 0-1 knapsack, both directions.

    ``le(c)`` = best value with weight <= c; ``ge(c)`` (from the mirror list) = best value with
    weight >= c.

    Attributes
    ----------
    w_le, v_le, mask_le : numpy.ndarray
        The '<=' list: weights increasing, values strictly increasing, bitmasks (bit i: item i).
    w_ge, v_ge, mask_ge : numpy.ndarray
        The '>=' list: weights increasing, values decreasing, bitmasks.
    tol : float
        Capacity tolerance of :meth:`le` and :meth:`ge`.
    """

    w_le: np.ndarray
    v_le: np.ndarray
    mask_le: np.ndarray
    w_ge: np.ndarray
    v_ge: np.ndarray
    mask_ge: np.ndarray
    tol: float

    def le(self, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best 0-1 knapsack value with weight <= capacity (up to ``tol``).

        Parameters
        ----------
        capacity : array_like
            Capacities c >= 0.

        Returns
        -------
        value : numpy.ndarray
            max {v.x : w.x <= c, x in {0, 1}^n} at each c.
        mask : numpy.ndarray
            Bitmask of a maximizer (bit i: item i taken).
        """
        k = np.searchsorted(self.w_le, np.asarray(capacity, float) + self.tol, side="right") - 1
        return self.v_le[k], self.mask_le[k]

    def ge(self, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best 0-1 knapsack value with weight >= capacity (up to ``tol``).

        Parameters
        ----------
        capacity : array_like
            Capacities c.

        Returns
        -------
        value : numpy.ndarray
            max {v.x : w.x >= c, x in {0, 1}^n} at each c; -inf where c exceeds the total weight.
        mask : numpy.ndarray
            Bitmask of a maximizer (bit i: item i taken; meaningless where the value is -inf).
        """
        k = np.searchsorted(self.w_ge, np.asarray(capacity, float) - self.tol, side="left")
        ok = k < len(self.w_ge)
        k = np.minimum(k, len(self.w_ge) - 1)
        return np.where(ok, self.v_ge[k], -np.inf), self.mask_ge[k]


def _frontier(weights: np.ndarray, values: np.ndarray, sign: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nemhauser-Ullmann pass: subsets non-dominated for (sign * weight smaller, value larger)."""
    w = np.zeros(1)
    v = np.zeros(1)
    mask = np.zeros(1, dtype=np.int64)
    for i, (wi, vi) in enumerate(zip(sign * weights, values)):
        W = np.concatenate([w, w + wi])
        Vv = np.concatenate([v, v + vi])
        M = np.concatenate([mask, mask | (np.int64(1) << i)])
        order = np.lexsort((-Vv, W))
        W, Vv, M = W[order], Vv[order], M[order]
        best = np.maximum.accumulate(Vv)
        keep = np.concatenate([[True], Vv[1:] > best[:-1]])
        w, v, mask = W[keep], Vv[keep], M[keep]
    return sign * w, v, mask


def pareto_list(weights: np.ndarray, values: np.ndarray, tol: float = 1e-12) -> ParetoList:
    """Both directions' non-dominated subsets, once for all capacities (Nemhauser-Ullmann).

    B1 of the special case is min(le, ge) at capacity 1 - Y (``models/gomory.md``, Special case;
    note the finding there: this once-for-all B1 is not the DP's B1 in general).

    Parameters
    ----------
    weights : numpy.ndarray
        Item weights (the demand shares d_i), shape (n,), n <= 62 (masks are int64).
    values : numpy.ndarray
        Item values (d_i ln rho_i), shape (n,).
    tol : float, optional
        Capacity tolerance of :meth:`ParetoList.le` and :meth:`ParetoList.ge`.

    Returns
    -------
    ParetoList
        The "<=" list (weights increasing, values strictly increasing) and the ">=" list (weights
        increasing, values decreasing), with bitmasks.

    Raises
    ------
    TradeOptError
        If n > 62.

    Examples
    --------
    >>> pl = pareto_list(np.array([0.25, 0.75]), np.array([0.5, -0.25]))
    >>> pl.le(np.array([0.5])), pl.ge(np.array([0.5]))
    ((array([0.5]), array([1])), (array([0.25]), array([3])))
    """
    if len(weights) > 62:
        raise TradeOptError("pareto_list supports n <= 62 goods")
    w_le, v_le, m_le = _frontier(weights, values, 1.0)
    w_ge, v_ge, m_ge = _frontier(weights, values, -1.0)   # larger weight better: sorted decreasing
    return ParetoList(w_le, v_le, m_le, w_ge[::-1], v_ge[::-1], m_ge[::-1], tol)
