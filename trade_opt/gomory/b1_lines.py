"""Pattern values as lines in t = logit(Y): the structure the exact B1 trace relies on.

With one exponent per good, c_i(Y) = d_i1 (k_i + alpha_i t), k_i = ln(e_i2/e_i1) + alpha_i ln(L_2/L_1),
so every pattern's value is a line in t: K_x + S_x t (:class:`_Lines`), and x is feasible for "<="
exactly when t <= logit Y(x) (its own equilibrium income, Eq. 2) and for ">=" when t >= logit Y(x)
(``_Lines.t_own``; where the exact DP's row, with its slack, starts or stops accepting x:
``_Lines.t_dp``).  Used by :class:`trade_opt.gomory.b1_trace.B1Trace` (models/gomory.md, the B1 row).
"""
from __future__ import annotations

import math

import numpy as np

from trade_opt.gomory.instance import GomoryData
from trade_opt.knapsack import capacity_slack


def _logit(Y: float) -> float:
    return math.log(Y) - math.log1p(-Y)


def _expit(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))


class _Lines:
    """K_x + S_x t of a pattern (one exponent per good), and t_x = logit Y(x)."""

    def __init__(self, data: GomoryData):
        d1, d2 = data.d
        alpha = data.alpha[0]
        self.K = d1 * (np.log(data.e[1] / data.e[0]) + alpha * math.log(data.L[1] / data.L[0]))
        self.S = d1 * alpha
        self.d1, self.d2 = d1, d2

    def value(self, x: np.ndarray, t: float) -> float:
        return float(self.K @ x + t * (self.S @ x))

    def t_dp(self, x: np.ndarray, k: int) -> float:
        """Where the exact DP's row starts (">=", k = 1) or stops ("<=", k = 0) accepting x: t_own
        moved by the row's slack (:func:`trade_opt.knapsack.capacity_slack`, relative to min(Y, 1 - Y),
        the rhs of the formulation used) over the row's slope in t, (a + d2.(1 - x)) Y (1 - Y)."""
        own = self.t_own(x)
        if not math.isfinite(own):
            return own
        Y = _expit(own)
        slope = (float(self.d1 @ x) + float(self.d2 @ (1.0 - x))) * Y * (1.0 - Y)
        shift = capacity_slack(min(Y, 1.0 - Y), len(x)) / slope
        return own - shift if k == 1 else own + shift

    def t_own(self, x: np.ndarray) -> float:
        """logit of the pattern's equilibrium Y: ln((1 - b) / a); +-inf for all-0 / all-1."""
        a, omb = float(self.d1 @ x), float(self.d2 @ (1.0 - x))
        if a <= 0:
            return math.inf
        if omb <= 0:
            return -math.inf
        return math.log(omb) - math.log(a)

