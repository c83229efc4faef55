"""Knapsack instance families for benchmarking the B1 machinery the way the knapsack literature does.

Pisinger's classes (D. Pisinger, "Where are the hard knapsack problems?", *Computers & Operations
Research* 32 (2005) 2271-2284, section 2), with data range R (default 1000) and the weights w_j
integers drawn uniformly from [1, R]:

* ``uncorrelated``: p_j uniform in [1, R].
* ``weakly_correlated``: p_j uniform in [w_j - R/10, w_j + R/10], kept >= 1.
* ``strongly_correlated``: p_j = w_j + R/10.
* ``inverse_strongly_correlated``: p_j uniform in [1, R], w_j = p_j + R/10.
* ``subset_sum``: p_j = w_j.

plus, beyond Pisinger,

* ``real``: real-valued weights and profits, both uniform in [1, R) (no integrality to exploit:
  the DP's states are genuinely real, as in trade_opt's B1(Y));
* ``gomory``: the B1(Y) knapsack of a seeded random Gomory (1991) instance with n goods at a given
  Y (values c_i(Y), lengths V_i(Y), capacity 1 - Y from
  :func:`trade_opt.gomory.boundary.knapsack_data`; real and of either sign).

Capacity: Pisinger's h-th instance of a series of H has c = floor(h/(H+1) sum_j w_j); we use
h = 50, H = 100 (c ~ 0.495 sum w, the middle of his series) unless told otherwise; ``real`` uses
the same fraction without the floor.

Mapping onto trade_opt's model.  trade_opt's knapsack (:func:`trade_opt.knapsack.build_knapsack_model`)
is max c.x s.t. w.x (<= or >=) W, x in {0,1}^n, with real c, w, W.  Pisinger's integer classes are
maximizations with ``<=`` and map onto it unchanged (integers stored as floats, exact in doubles
for R <= 10^6).  B1(Y) of a Gomory instance is the *smaller* of the ``<=`` and ``>=`` optima plus
the constant C(Y); a :class:`KnapsackInstance` carries ``senses`` (``("<=",)`` or ``("<=", ">=")``)
and ``constant``, and its objective is ``constant + min over senses`` of the knapsack optima.
Every instance is seeded: ``np.random.default_rng([seed, n, family code])``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from trade_opt.errors import ArgumentError

#: Pisinger's integer classes, then real-valued weights, then the Gomory B1(Y) knapsack.
FAMILIES = ("uncorrelated", "weakly_correlated", "strongly_correlated", "inverse_strongly_correlated",
            "subset_sum", "real", "gomory")

_CODE = {name: k for k, name in enumerate(FAMILIES)}


@dataclass(frozen=True)
class KnapsackInstance:
    """One benchmark knapsack: objective = ``constant`` + min over ``senses`` of
    max values.x s.t. weights.x (sense) capacity, x in {0,1}^n."""

    name: str
    family: str
    n: int
    values: np.ndarray
    weights: np.ndarray
    capacity: float
    senses: tuple[str, ...] = ("<=",)
    constant: float = 0.0
    seed: int = 0


def _capacity(weights: np.ndarray, h: int, H: int, integer: bool) -> float:
    cap = h / (H + 1) * float(weights.sum())
    return float(math.floor(cap)) if integer else cap


def pisinger(family: str, n: int, seed: int = 0, R: int = 1000, h: int = 50, H: int = 100) -> KnapsackInstance:
    """An instance of one of Pisinger's (2005) classes, or ``real`` (see the module docstring).

    Parameters
    ----------
    family : str
        ``uncorrelated``, ``weakly_correlated``, ``strongly_correlated``,
        ``inverse_strongly_correlated``, ``subset_sum`` or ``real``
    n : int
        Number of items (>= 1)
    seed : int, optional
        Random seed.
    R : int, optional
        Data range (coefficients in [1, R] before the R/10 shifts)
    h, H : int, optional
        Capacity c = floor(h / (H + 1) * sum w)

    Returns
    -------
    KnapsackInstance
        Named ``<family>_n<n>_s<seed>``, sense ``<=`` only, constant 0; integer data stored as
        floats (``real``: real data, capacity without the floor).

    Raises
    ------
    ValueError
        An unknown family (or ``gomory``: use :func:`gomory`), or n < 1.

    Examples
    --------
    >>> inst = pisinger("strongly_correlated", 5, seed=1)
    >>> bool(np.all(inst.values == inst.weights + 100))
    True
    """
    if family not in _CODE or family == "gomory":
        raise ArgumentError("family", f"unknown family {family!r}; choose from {FAMILIES[:-1]}")
    if n < 1:
        raise ArgumentError("n", f"must be >= 1, got {n}")
    rng = np.random.default_rng([seed, n, _CODE[family]])
    shift = R // 10
    if family == "real":
        w = rng.uniform(1.0, R, n)
        p = rng.uniform(1.0, R, n)
        return KnapsackInstance(f"real_n{n}_s{seed}", family, n, p, w, _capacity(w, h, H, False), seed=seed)
    w = rng.integers(1, R, n, endpoint=True).astype(float)
    if family == "uncorrelated":
        p = rng.integers(1, R, n, endpoint=True).astype(float)
    elif family == "weakly_correlated":
        p = np.maximum(1.0, w + rng.integers(-shift, shift, n, endpoint=True))
    elif family == "strongly_correlated":
        p = w + shift
    elif family == "inverse_strongly_correlated":
        p = rng.integers(1, R, n, endpoint=True).astype(float)
        w = p + shift
    else:  # subset_sum
        p = w.copy()
    return KnapsackInstance(f"{family}_n{n}_s{seed}", family, n, p, w, _capacity(w, h, H, True), seed=seed)


def random_gomory_data(n: int, seed: int = 0):
    """Seeded random Gomory instance (as ``benchmarks/bench_gomory.py``): demands uniform(0.05, 1)
    renormalized, efficiencies uniform(0.3, 1.5), exponents alpha_ij uniform(1.1, 2.2), labor
    uniform(1, 10); drawn from ``np.random.default_rng([seed, n])``.

    Parameters
    ----------
    n : int
        Number of goods.
    seed : int
        Random seed (with ``n``, the generator's seed sequence).

    Returns
    -------
    trade_opt.gomory.instance.GomoryData
        Production of kind ``power`` (f_ij = e_ij l^alpha_ij).
    """
    from trade_opt.gomory.instance import GomoryData

    rng = np.random.default_rng([seed, n])
    demand = rng.uniform(0.05, 1.0, (2, n))
    demand /= demand.sum(axis=1, keepdims=True)
    efficiency = rng.uniform(0.3, 1.5, (2, n))
    exponent = rng.uniform(1.1, 2.2, (2, n))
    labor = rng.uniform(1.0, 10.0, 2)
    return GomoryData.from_arrays(demand, efficiency, exponent, labor)


def gomory(n: int, seed: int = 0, Y: float = 0.6) -> KnapsackInstance:
    """The B1(Y) knapsack of :func:`random_gomory_data` (n, seed): both senses, constant C(Y).

    Parameters
    ----------
    n : int
        Number of goods (items).
    seed : int
        Random seed of the instance.
    Y : float
        Country 1's income share at which B1 is posed, in (0, 1).

    Returns
    -------
    KnapsackInstance
        Values c_i(Y) (real, either sign), weights V_i(Y), capacity 1 - Y, senses ``("<=", ">=")``
        and constant C(Y) (:func:`trade_opt.gomory.boundary.knapsack_data`); its objective is
        B1(Y).
    """
    from trade_opt.gomory.boundary import knapsack_data

    kd = knapsack_data(random_gomory_data(n, seed), Y)
    return KnapsackInstance(f"gomory_n{n}_s{seed}_Y{Y:g}", "gomory", n, kd.c[0].copy(), kd.V[0].copy(),
                            float(kd.capacity[0]), ("<=", ">="), float(kd.constant[0]), seed)


def make_instance(family: str, n: int, seed: int = 0, **kwargs: float) -> KnapsackInstance:
    """Any family by name (``gomory`` takes ``Y``; the others ``R``, ``h``, ``H``).

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`.
    n : int
        Number of items.
    seed : int
        Random seed.
    **kwargs : float
        Passed to :func:`gomory` (``Y``) or :func:`pisinger` (``R``, ``h``, ``H``).

    Returns
    -------
    KnapsackInstance
    """
    if family == "gomory":
        return gomory(n, seed, **kwargs)
    return pisinger(family, n, seed, **kwargs)  # type: ignore[arg-type]


#: Named suites: lists of (family, n, seed).  Only brute force is capped in n (``brute_max_n`` of
#: :func:`trade_opt.bench.harness.run_benchmark`: the pair is recorded as ``skipped``); every other
#: pair runs under the timeout (e.g. the DP on subset-sum at n = 10^4).
SUITES: dict[str, list[tuple[str, int, int]]] = {
    "tiny": [("uncorrelated", 10, 0), ("gomory", 10, 0)],
    "small": [(f, n, 0) for f in FAMILIES for n in (10, 30)],
    "standard": [(f, n, 0) for f in FAMILIES for n in (10, 100, 1000, 10000)],
}


def suite(name: str) -> list[KnapsackInstance]:
    """The instances of a named suite (:data:`SUITES`).

    Parameters
    ----------
    name : str
        ``tiny``, ``small`` or ``standard``.

    Returns
    -------
    list of KnapsackInstance
        In the suite's order.

    Raises
    ------
    KeyError
        An unknown suite name.
    """
    if name not in SUITES:
        raise KeyError(name)
    return [make_instance(f, n, s) for f, n, s in SUITES[name]]
