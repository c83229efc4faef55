"""The knapsack result type, the feasibility slack and the continuous (greedy) knapsack."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from trade_opt.solvers import MipResult

#: Feasibility slack on the capacity row, relative to |capacity| (see :func:`capacity_slack`).
CAPACITY_TOL = 1e-12


@dataclass(frozen=True)
class KnapsackSolution:
    """Optimal value and an optimal x of one knapsack; ``method`` names how it was obtained.

    ``value`` is -inf when no feasible x exists (only possible in the ``>=`` direction); for the
    0-1 MIP it is sum c_i over the rounded x (``mip.objective`` keeps the solver's number);
    ``states`` is the largest Nemhauser-Ullmann list kept (DP only); ``mip`` the solver result
    (MIP only)."""

    value: float
    x: np.ndarray
    method: str
    seconds: float = 0.0
    states: int = 0
    mip: MipResult | None = field(default=None, compare=False)

    @property
    def status(self) -> str:
        """The MIP solver's status when a MIP produced this, else ``"optimal"`` (finite value) or
        ``"infeasible"`` (value -inf)."""
        return self.mip.status if self.mip is not None else ("optimal" if np.isfinite(self.value) else "infeasible")


def capacity_slack(capacity: float, n: int) -> float:
    """Feasibility slack |W| (CAPACITY_TOL + (n + 2) eps) of a row with n positive weights and rhs W.

    Relative to the right-hand side: see the :mod:`trade_opt.knapsack` package docstring for the
    rounding argument.

    Parameters
    ----------
    capacity : float
        Right-hand side W of the row (any sign).
    n : int
        Number of items (weights) in the row.

    Returns
    -------
    float
        The slack s >= 0: ``<=`` rows accept loads up to W + s, ``>=`` rows down to W - s.

    Examples
    --------
    >>> float(capacity_slack(0.0, 5))
    0.0
    """
    return abs(float(capacity)) * (CAPACITY_TOL + (n + 2) * np.finfo(float).eps)


# --------------------------------------------------------------------------- continuous (greedy)
def continuous_greedy(values: np.ndarray, weights: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Continuous knapsack with the capacity filled exactly, for a batch of instances.

    Parameters
    ----------
    values, weights : numpy.ndarray
        (k, n) arrays (weights > 0)
    capacity : numpy.ndarray
        (k,) array with 0 <= capacity <= sum of weights.

    Returns
    -------
    value : (k,) optimal values of max c.x s.t. w.x = W, 0 <= x <= 1
    x : (k, n) optimal x (at most one fractional entry per row)
    """
    values, weights = np.atleast_2d(values), np.atleast_2d(weights)
    capacity = np.atleast_1d(np.asarray(capacity, dtype=float))
    order = np.argsort(-(values / weights), axis=1, kind="stable")
    w_sorted = np.take_along_axis(weights, order, axis=1)
    filled_before = np.cumsum(w_sorted, axis=1) - w_sorted
    x_sorted = np.clip((capacity[:, None] - filled_before) / w_sorted, 0.0, 1.0)
    x = np.empty_like(x_sorted)
    np.put_along_axis(x, order, x_sorted, axis=1)
    return (values * x).sum(axis=1), x


