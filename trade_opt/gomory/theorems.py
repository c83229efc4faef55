"""Theorems 2 and 3 of Gomory (1991) as computable checks.

Theorem 2 (as read in ``models/gomory.md``): for each Y' there is an integer x with

    |Y' - Y(x)| <= delta / (1 - rho)   and   |B(Y') - u(x, Y(x))| <= delta K(Y', alpha, beta, rho),

delta = max_i d_i1, alpha = max_i alpha_i, beta = max_i L_2 e_i2 / (L_1 e_i1),
rho = sum of (d_i1 - d_i2) over goods with d_i1 > d_i2, and K as printed,
K = alpha ln(Y(x) beta / (1 - Y(x))) + sum_i d_i1 alpha_i (1/Y(x) + 1/(1 - Y')).
The same with B1(Y') in place of B(Y') ("the same result holds with B1").

The theorem names no witness.  :func:`theorem2_search` tests it as stated: every specialized
pattern is a candidate (n <= ``exhaustive_max_n``), else a candidate set (:func:`theorem2_candidates`,
where a witness found proves the statement at Y' and none found is inconclusive).
:func:`theorem2_witnesses` checks only the two roundings of the greedy B(Y') solution, our own
conjecture of a witness; it fails on some instances (``models/gomory.md``), which refutes the
conjecture, not the theorem.

Theorem 3: u(x, Y(x)) <= B1(Y(x)) <= B(Y(x)) for every equilibrium, specialized or mixed
(:func:`theorem3_points` takes any (Y, u1) arrays, e.g. :mod:`~trade_opt.gomory.mixed` roots).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy, knapsack_data, trade_knapsacks
from trade_opt.gomory.equilibria import (
    EquilibriumBatch, all_specialized, evaluate_patterns, nondegenerate, pattern_count,
)
from trade_opt.knapsack import knapsack_cover_dp, knapsack_dp
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
    """delta, alpha, beta, rho of Theorem 2.

    Its bound K is stated for f = e l^alpha (Eq. 3); kind barrier has the same specialized
    equilibria and curves, so it applies there too.

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    Theorem2Constants
        delta = max_i d_i1, alpha = max_i alpha_i, beta = max_i L_2 e_i2 / (L_1 e_i1),
        rho = sum of (d_i1 - d_i2) over goods with d_i1 > d_i2, and alpha_i (max over countries).

    Raises
    ------
    ArgumentError
        For production kind ``power_with_setup``.
    """
    if not data.production.specialized_as_power:
        raise ArgumentError("data.production", "Theorem 2's constants (alpha, beta) are stated for f = e l^alpha, "
                            f"not kind {data.production.kind}")
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
    """One candidate pattern x at Y' against Theorem 2's two inequalities (``B``: the boundary value at Y')."""

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
        """Whether x satisfies both of Theorem 2's inequalities at Y'.

        Returns
        -------
        bool
            income_gap <= income_bound and utility_gap <= utility_bound.
        """
        return self.income_gap <= self.income_bound and self.utility_gap <= self.utility_bound


def theorem2_witnesses(data: GomoryData, Y_prime: float) -> list[Theorem2Check]:
    """Our rounding conjecture (not the theorem's claim), checked against Theorem 2.

    Both roundings of the greedy B(Y') solution's fractional good, each checked against Theorem 2's
    two inequalities.  The theorem asserts only that *some* specialized x satisfies both; use
    :func:`theorem2_search` to test it.  Kept to document that the conjecture fails (random n = 12
    instance, seed 500, Y' = 0.25: both roundings fail while 466 of the 4094 patterns are witnesses).

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y_prime : float
        The point Y' in (0, 1) of the boundary curve.

    Returns
    -------
    list of Theorem2Check
        One per non-degenerate rounding (at most two).

    Raises
    ------
    ArgumentError
        For production kind ``power_with_setup`` (:func:`theorem2_constants`).
    """
    const = theorem2_constants(data)
    B = float(boundary_B_greedy(data, Y_prime)[0][0])
    checks = []
    for cand in _greedy_roundings(data, Y_prime):
        if not (0 < cand.sum() < data.n) or not nondegenerate(data, cand[None])[0]:
            continue
        eq = evaluate_patterns(data, cand[None])
        Y_x, u_x = float(eq.Y[0]), float(eq.u1[0])
        K = float(printed_K(const, data.d[0], np.array([Y_x]), Y_prime)[0])
        checks.append(Theorem2Check(
            Y_prime=float(Y_prime), B=B, x=cand.astype(int).tolist(), Y_x=Y_x, u_x=u_x,
            income_gap=abs(Y_prime - Y_x), income_bound=const.delta / (1 - const.rho),
            utility_gap=abs(B - u_x), utility_bound=const.delta * K,
        ))
    return checks


@dataclass(frozen=True)
class Theorem2Search:
    """Theorem 2 at one Y' for one form (``"B"``: B(Y') by the greedy rule; ``"B1"``: B1(Y') by the DP).

    ``candidates`` patterns were checked (all 2^n - 2 when ``exhaustive``); ``witnesses`` of them
    satisfy both inequalities, so the theorem holds at Y' iff ``witnesses > 0`` (a failure of a
    non-exhaustive search is inconclusive).  ``best`` is the candidate with the smallest ``ratio``
    = max(income gap / income bound, utility gap / utility bound) (<= 1 iff it is a witness;
    +inf where delta K <= 0 and the utility gap is positive); ``best_utility_witness`` is the
    witness with the smallest utility gap (None without one).  ``negative_K``: candidates whose
    printed K(Y', ...) is <= 0, for which the utility inequality cannot hold unless u = B."""

    Y_prime: float
    form: str
    bound_value: float
    candidates: int
    exhaustive: bool
    witnesses: int
    negative_K: int
    best: Theorem2Check
    best_ratio: float
    best_utility_witness: Theorem2Check | None

    @property
    def holds(self) -> bool:
        """Whether Theorem 2 holds at Y' (some candidate is a witness).

        Returns
        -------
        bool
            ``witnesses > 0`` (a False from a non-exhaustive search is inconclusive).
        """
        return self.witnesses > 0


def printed_K(const: Theorem2Constants, d1: np.ndarray, Y_x: np.ndarray, Y_prime: float) -> np.ndarray:
    """K(Y', alpha, beta, rho) of Theorem 2 as printed.

    K = alpha ln(Y(x) beta / (1 - Y(x))) + sum_i d_i1 alpha_i (1/Y(x) + 1/(1 - Y')), vectorized over
    the candidates' Y(x).  rho is among its printed arguments but not in its formula; the log term is
    negative when Y(x) beta < 1 - Y(x) (``models/gomory.md``, Theorem 2).

    Parameters
    ----------
    const : Theorem2Constants
        The constants (:func:`theorem2_constants`).
    d1 : numpy.ndarray
        Country 1's demand shares d_i1, shape (n,).
    Y_x : numpy.ndarray
        Income shares Y(x) of the candidates.
    Y_prime : float
        The point Y' of the boundary curve.

    Returns
    -------
    numpy.ndarray
        K for each candidate, shape of ``Y_x``.
    """
    Y_x = np.asarray(Y_x, dtype=float)
    A = float(np.sum(d1 * const.alpha_i))
    return const.alpha * (np.log(Y_x) + np.log(const.beta) - np.log1p(-Y_x)) + A * (1.0 / Y_x + 1.0 / (1.0 - Y_prime))


def _greedy_roundings(data: GomoryData, Y_prime: float) -> np.ndarray:
    """The greedy B(Y') solution with its fractional good (if any) rounded down and up, shape (k, n)."""
    _, x = boundary_B_greedy(data, Y_prime)
    x = x[0]
    base = x > 0.5
    fractional = np.flatnonzero((x > 1e-12) & (x < 1 - 1e-12))
    if len(fractional) == 0:
        return base[None]
    out = np.vstack([base, base])
    out[0, fractional[0]], out[1, fractional[0]] = False, True
    return out


def theorem2_candidates(data: GomoryData, Y_prime: float) -> np.ndarray:
    """Candidate witnesses of Theorem 2 for large n (not a proof of sufficiency).

    The two greedy roundings, every pattern one good away from them, and the B1 DP maximizer of each
    relaxation direction at Y'.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y_prime : float
        The point Y' in (0, 1).

    Returns
    -------
    numpy.ndarray
        Boolean (k, n) array of distinct non-degenerate specialized patterns.
    """
    base = _greedy_roundings(data, Y_prime)
    n = data.n
    flips = np.repeat(base, n, axis=0)
    idx = np.arange(len(flips))
    flips[idx, idx % n] = ~flips[idx, idx % n]
    kd = knapsack_data(data, Y_prime)
    dp = []
    for problem in trade_knapsacks(kd):            # the exact 0-1 optimum of each direction ("<=", ">=")
        solve = knapsack_dp if problem.sense == "<=" else knapsack_cover_dp
        dp.append(problem.to_x(solve(problem.values, problem.weights, problem.rhs).x).astype(bool))
    X = np.unique(np.vstack([base, flips, np.array(dp)]), axis=0)
    ok = (X.sum(axis=1) > 0) & (X.sum(axis=1) < n)
    X = X[ok]
    return X[nondegenerate(data, X)]


def boundary_value(data: GomoryData, Y_prime: np.ndarray | float, form: str) -> np.ndarray:
    """B(Y') (greedy) for ``form = "B"``, B1(Y') (exact DP) for ``form = "B1"``.

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y_prime : float or numpy.ndarray
        Points in (0, 1).
    form : {"B", "B1"}
        Which boundary.

    Returns
    -------
    numpy.ndarray
        The boundary values (log-utility of country 1), one per Y'.

    Raises
    ------
    ValueError
        If ``form`` is neither "B" nor "B1".
    """
    if form == "B":
        return boundary_B_greedy(data, Y_prime)[0]
    if form == "B1":
        return boundary_B1_dp(data, Y_prime)
    raise ArgumentError("form", f"Theorem 2's form must be 'B' or 'B1', got {form!r}")


def theorem2_search(data: GomoryData, Y_prime: np.ndarray | float, form: str = "B",
                    exhaustive_max_n: int = 20, batch: EquilibriumBatch | None = None) -> list[Theorem2Search]:
    """Theorem 2 as stated, at each Y'.

    Is there a specialized equilibrium x satisfying both |Y' - Y(x)| <= delta/(1 - rho) and
    |B(Y') - u(x, Y(x))| <= delta K (K as printed)?

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y_prime : float or array of floats in (0, 1)
        The points Y' of the boundary curve.
    form : {"B", "B1"}
        Which boundary the theorem is applied to (the paper: "the same result holds with B1").
    exhaustive_max_n : int
        Up to this many goods every one of the 2^n - 2 patterns is a candidate (the search is then
        a proof either way); above, :func:`theorem2_candidates` at each Y' (a witness found proves
        the theorem at Y', none found is inconclusive).
    batch : EquilibriumBatch, optional
        Precomputed specialized equilibria to search (e.g. all of them, reused over calls); the
        search counts as exhaustive iff it holds all 2^n - 2 patterns.

    Returns
    -------
    list of Theorem2Search
        One per Y'.

    Raises
    ------
    ArgumentError
        For production kind ``power_with_setup`` (:func:`theorem2_constants`).
    ValueError
        If ``form`` is neither "B" nor "B1".
    """
    Y_all = np.atleast_1d(np.asarray(Y_prime, dtype=float))
    const = theorem2_constants(data)
    bound_values = boundary_value(data, Y_all, form)
    if batch is None and data.n <= exhaustive_max_n:
        batch = all_specialized(data)
    exhaustive = batch is not None and len(batch) == pattern_count(data.n)
    income_bound = const.delta / (1.0 - const.rho)
    out = []
    for Yp, Bv in zip(Y_all, bound_values):
        eq = batch if batch is not None else evaluate_patterns(data, theorem2_candidates(data, float(Yp)))
        income_gap = np.abs(Yp - eq.Y)
        utility_gap = np.abs(Bv - eq.u1)
        utility_bound = const.delta * printed_K(const, data.d[0], eq.Y, float(Yp))
        holds = (income_gap <= income_bound) & (utility_gap <= utility_bound)
        with np.errstate(divide="ignore", invalid="ignore"):
            u_ratio = np.where(utility_bound > 0, utility_gap / utility_bound, np.where(utility_gap == 0, 0.0, np.inf))
        ratio = np.maximum(income_gap / income_bound, u_ratio)
        k = int(np.argmin(ratio))

        def check(i: int) -> Theorem2Check:
            """Theorem 2's check of candidate ``i`` at this Y'.

            Parameters
            ----------
            i : int
                Index of the candidate in the searched batch.

            Returns
            -------
            Theorem2Check
                Its gaps and bounds.
            """
            return Theorem2Check(Y_prime=float(Yp), B=float(Bv), x=eq.X[i].astype(int).tolist(), Y_x=float(eq.Y[i]),
                                 u_x=float(eq.u1[i]), income_gap=float(income_gap[i]), income_bound=income_bound,
                                 utility_gap=float(utility_gap[i]), utility_bound=float(utility_bound[i]))

        witness = None
        if holds.any():
            w = np.flatnonzero(holds)
            witness = check(int(w[np.argmin(utility_gap[w])]))
        out.append(Theorem2Search(
            Y_prime=float(Yp), form=form, bound_value=float(Bv), candidates=len(eq), exhaustive=exhaustive,
            witnesses=int(holds.sum()), negative_K=int(np.sum(utility_bound <= 0)), best=check(k),
            best_ratio=float(ratio[k]), best_utility_witness=witness))
    return out


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
        """Total number of violations of Theorem 3.

        Returns
        -------
        int
            ``violations_u_above_B1 + violations_B1_above_B``.
        """
        return self.violations_u_above_B1 + self.violations_B1_above_B


def theorem3_points(data: GomoryData, Y: np.ndarray, u1: np.ndarray, tol: float = 1e-10) -> Theorem3Report:
    """Check u1 <= B1(Y) <= B(Y) at equilibria given by (Y, u1), specialized or mixed (Theorem 3).

    B1 by the exact DP (smaller of both relaxation directions), B by the greedy rule.  For a mixed
    equilibrium the bound holds because each shared good's output Q_i is at most min(q_i1(Y), q_i2(Y))
    (both producers sell at a price no lower than their full-scale average cost), so u1 is at most
    u(x', Y) for x' equal to x with every shared good rounded to 0 (feasible for "<=") or to 1
    (feasible for ">=").

    Parameters
    ----------
    data : GomoryData
        The instance.
    Y : numpy.ndarray
        Income shares Y = N_1 of the equilibria, in (0, 1).
    u1 : numpy.ndarray
        Country 1's log-utilities at them.
    tol : float
        Absolute tolerance on both inequalities (log-utility units).

    Returns
    -------
    Theorem3Report
        Counts of violations (all zero when the theorem holds).
    """
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
    """Check u1(x) <= B1(Y(x)) <= B(Y(x)) for every equilibrium in ``batch`` (Theorem 3; B1 by the exact DP).

    Parameters
    ----------
    data : GomoryData
        The instance.
    batch : EquilibriumBatch
        Specialized equilibria.
    tol : float
        Absolute tolerance (log-utility units).

    Returns
    -------
    Theorem3Report
        Counts of violations.
    """
    return theorem3_points(data, batch.Y, batch.u1, tol)
