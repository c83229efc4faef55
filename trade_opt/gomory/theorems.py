"""Theorems 2 and 3 of Gomory (1991) as computable checks.

Theorem 2 (as read in ``models/gomory.md``): for each Y' there is an integer x with

    |Y' - Y(x)| <= delta / (1 - rho)   and   |B(Y') - u(x, Y(x))| <= delta K(Y', alpha, beta, rho),

delta = max_i d_i1, alpha = max_i alpha_i, beta = max_i L_2 e_i2 / (L_1 e_i1),
rho = sum of (d_i1 - d_i2) over goods with d_i1 > d_i2, and
K = alpha ln(Y(x) beta / (1 - Y(x))) + sum_i d_i1 alpha_i (1/Y(x) + 1/(1 - Y')).
The witness x is the greedy solution of B(Y') with its fractional good rounded down or up.

Theorem 3: u(x, Y(x)) <= B1(Y(x)) <= B(Y(x)) for every equilibrium, specialized or mixed
(:func:`theorem3_points` takes any (Y, u1) arrays, e.g. :mod:`~trade_opt.gomory.mixed` roots).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy
from trade_opt.gomory.equilibria import EquilibriumBatch, evaluate_patterns, nondegenerate
from trade_opt.gomory.instance import GomoryData


@dataclass(frozen=True)
class Theorem2Constants:
    """delta, alpha, beta, rho of Theorem 2 (alpha_i = max over countries when alpha_ij differ)."""

    delta: float
    alpha: float
    beta: float
    rho: float
    alpha_i: np.ndarray


def theorem2_constants(data: GomoryData) -> Theorem2Constants:
    d1, d2 = data.d
    alpha_i = data.alpha.max(axis=0)
    diff = d1 - d2
    return Theorem2Constants(
        delta=float(d1.max()),
        alpha=float(alpha_i.max()),
        beta=float(np.max(data.L[1] * data.e[1] / (data.L[0] * data.e[0]))),
        rho=float(diff[diff > 0].sum()),
        alpha_i=alpha_i,
    )


@dataclass(frozen=True)
class Theorem2Check:
    """One rounding of the greedy solution at Y' and whether it satisfies both inequalities."""

    Y_prime: float
    B: float
    x: list[int]
    Y_x: float
    u_x: float
    income_gap: float
    income_bound: float
    utility_gap: float
    utility_bound: float

    @property
    def holds(self) -> bool:
        return self.income_gap <= self.income_bound and self.utility_gap <= self.utility_bound


def theorem2_witnesses(data: GomoryData, Y_prime: float) -> list[Theorem2Check]:
    """Both roundings of the greedy B(Y') solution's fractional good, each checked against Theorem 2."""
    const = theorem2_constants(data)
    B, x = boundary_B_greedy(data, Y_prime)
    B, x = float(B[0]), x[0]
    fractional = np.flatnonzero((x > 1e-12) & (x < 1 - 1e-12))
    base = x > 0.5
    candidates = []
    if len(fractional) == 0:
        candidates.append(base)
    else:
        f = fractional[0]
        for bit in (False, True):
            cand = base.copy()
            cand[f] = bit
            candidates.append(cand)
    checks = []
    for cand in candidates:
        if not (0 < cand.sum() < data.n) or not nondegenerate(data, cand[None])[0]:
            continue
        eq = evaluate_patterns(data, cand[None])
        Y_x, u_x = float(eq.Y[0]), float(eq.u1[0])
        K = const.alpha * np.log(Y_x * const.beta / (1 - Y_x)) + float(
            np.sum(data.d[0] * const.alpha_i * (1 / Y_x + 1 / (1 - Y_prime)))
        )
        checks.append(Theorem2Check(
            Y_prime=float(Y_prime), B=B, x=cand.astype(int).tolist(), Y_x=Y_x, u_x=u_x,
            income_gap=abs(Y_prime - Y_x), income_bound=const.delta / (1 - const.rho),
            utility_gap=abs(B - u_x), utility_bound=const.delta * K,
        ))
    return checks


@dataclass(frozen=True)
class Theorem3Report:
    """Theorem 3 on a set of equilibria: counts of u1 > B1 and B1 > B (beyond ``tol``)."""

    checked: int
    violations_u_above_B1: int
    violations_B1_above_B: int
    max_u_minus_B1: float
    tol: float

    @property
    def violations(self) -> int:
        return self.violations_u_above_B1 + self.violations_B1_above_B


def theorem3_points(data: GomoryData, Y: np.ndarray, u1: np.ndarray, tol: float = 1e-10) -> Theorem3Report:
    """Check u1 <= B1(Y) <= B(Y) at equilibria given by (Y, u1), specialized or mixed (Theorem 3).

    B1 by the exact DP (smaller of both relaxation directions), B by the greedy rule.  For a mixed
    equilibrium the bound holds because each shared good's output Q_i is at most min(q_i1(Y), q_i2(Y))
    (both producers sell at a price no lower than their full-scale average cost), so u1 is at most
    u(x', Y) for x' equal to x with every shared good rounded to 0 (feasible for "<=") or to 1
    (feasible for ">=")."""
    Y = np.asarray(Y, dtype=float)
    u1 = np.asarray(u1, dtype=float)
    if len(Y) == 0:
        return Theorem3Report(0, 0, 0, float("nan"), tol)
    B1 = boundary_B1_dp(data, Y)
    B, _ = boundary_B_greedy(data, Y)
    return Theorem3Report(
        checked=len(Y),
        violations_u_above_B1=int(np.sum(u1 > B1 + tol)),
        violations_B1_above_B=int(np.sum(B1 > B + tol)),
        max_u_minus_B1=float(np.max(u1 - B1)),
        tol=tol,
    )


def theorem3_check(data: GomoryData, batch: EquilibriumBatch, tol: float = 1e-10) -> Theorem3Report:
    """Check u1(x) <= B1(Y(x)) <= B(Y(x)) for every equilibrium in ``batch`` (B1 by the exact DP)."""
    return theorem3_points(data, batch.Y, batch.u1, tol)
