"""The mixed-equilibrium system of Gomory (1991) as a Pyomo complementarity model (cross-check).

x_i in [0, 1] perp a C^1 monotone transform of the average-cost gap (Eq. 1.1), Y free with the
trade equation (Eq. 2); solved by :func:`trade_opt.mcp.multistart` from several starts and
de-duplicated.  Independent of the bracketing paths (``models/gomory.md``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.fpenv import preserved_fp_environment
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed.equations import specialized_Y
from trade_opt.gomory.mixed.patterns import OWNER_2, SHARED, owner_strings


def mixed_pyomo_model(data: GomoryData, owner: np.ndarray):
    """Pyomo model of one pattern's equilibrium conditions (a mixed complementarity problem).

    * Y free (start 0.5) with the trade equation (Eq. 2) sum_i x_i V_i(Y) = 1 - Y;
    * x_i for shared goods boxed in [0, 1] perp F_i, a monotone transform of AC_i2 - AC_i1: with
      b_j = a_ij - 1 and rho = (w_1 / e_i1) / (w_2 / e_i2), F_i = l_i1 rho^(-1/b) - l_i2 when
      b_1 = b_2 = b, F_i = l_i1^(b_1/b_2) rho^(-1/b_2) - l_i2 when b_1 > b_2, else
      F_i = l_i1 - l_i2^(b_2/b_1) rho^(1/b_1).  F_i >= 0 iff country 2's average cost is not
      lower (so x_i = 0 is an equilibrium for that good), F_i = 0 inside (equal average cost,
      H_i = 0); every l-exponent is >= 1, so F_i is C^1 up to the bounds (the plain cost gap has
      an infinite derivative at l = 0, which the Newton polish cannot evaluate);
    * x_i of sole makers are fixed parameters (0 or 1).

    Parameters
    ----------
    data : GomoryData
        The instance.
    owner : numpy.ndarray
        (n,) one pattern (0 country 1, 1 country 2, 2 shared).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``x[i]`` (shared goods) and ``Y``; constraint ``trade``; complementarity ``cost``.

    Raises
    ------
    ArgumentError
        For production kinds other than ``power`` (the transform F_i is the power law's).
    """
    if not data.production.is_power:
        raise ArgumentError("data.production", f"the Pyomo MCP of a pattern is written for f = e l^alpha, "
                            f"not kind {data.production.kind}")
    import pyomo.environ as pyo
    from pyomo.mpec import Complementarity, complements

    owner = np.asarray(owner, dtype=np.int8)
    d1, d2 = data.d
    a1, a2 = data.alpha
    L1, L2 = float(data.L[0]), float(data.L[1])
    S = [int(i) for i in np.flatnonzero(owner == SHARED)]
    m = pyo.ConcreteModel(name="gomory_mixed")
    m.S = pyo.Set(initialize=S, ordered=True)
    m.x = pyo.Var(m.S, bounds=(0.0, 1.0), initialize=0.5)
    m.Y = pyo.Var(initialize=0.5)
    made_by_2 = [i for i in range(data.n) if owner[i] == OWNER_2]

    def V(i):
        """V_i(Y) = d_i1 Y + d_i2 (1 - Y), the value of world demand for good i.

        Parameters
        ----------
        i : int
            Good index.

        Returns
        -------
        pyomo expression
        """
        return float(d1[i]) * m.Y + float(d2[i]) * (1 - m.Y)

    m.trade = pyo.Constraint(expr=sum(V(i) for i in made_by_2) + sum(m.x[i] * V(i) for i in S) == 1 - m.Y)

    def gap(mm, i):
        """Pair of shared good i: 0 <= x_i <= 1 complementary to F_i, a C^1 monotone transform of AC_i2 - AC_i1.

        Parameters
        ----------
        mm : pyomo.environ.ConcreteModel
            The model.
        i : int
            Shared good index.

        Returns
        -------
        tuple
            The ``complements`` pair (Eq. 1.1 labor, equal average cost).
        """
        l1 = (1 - mm.x[i]) * V(i) * L1 / mm.Y
        l2 = mm.x[i] * V(i) * L2 / (1 - mm.Y)
        # AC_2 >= AC_1  <=>  (w2/e2) l1^(a1-1) >= (w1/e1) l2^(a2-1); raised to the power that leaves
        # the larger l-exponent r = max(a1-1, a2-1)/min(...) >= 1, so F is C^1 on [0, 1].
        e1, e2 = float(data.e[0, i]), float(data.e[1, i])
        b1, b2 = float(a1[i] - 1.0), float(a2[i] - 1.0)
        ratio = (mm.Y * L2 * e2) / ((1 - mm.Y) * L1 * e1)     # (w1/e1) / (w2/e2)
        if b1 >= b2:
            F = l1 ** (b1 / b2) * ratio ** (-1.0 / b2) - l2 if b1 != b2 else l1 * ratio ** (-1.0 / b1) - l2
        else:
            F = l1 - l2 ** (b2 / b1) * ratio ** (1.0 / b1)
        return complements(pyo.inequality(0.0, mm.x[i], 1.0), F)

    m.cost = Complementarity(m.S, rule=gap)
    return m


@dataclass(frozen=True)
class PyomoPatternResult:
    """Distinct interior solutions of one pattern found by :func:`trade_opt.mcp.solve`.

    ``solutions`` list of dicts (x over shared goods, Y, residual, stability); ``boundary`` how many
    distinct solutions had a shared x_i at 0 or 1 (a specialized equilibrium for that good);
    ``status`` the mcp status of the call; ``seconds`` wall time."""

    owner: str
    solutions: list[dict]
    boundary: int
    status: str
    starts: int
    seconds: float
    message: str


def solve_pattern_pyomo(data: GomoryData, owner: np.ndarray, starts: list[dict] | None = None,
                        tol: float = 1e-10) -> PyomoPatternResult:
    """Solve one pattern's MCP (:func:`mixed_pyomo_model`) from several starts and de-duplicate.

    Default starts: x_S in {0.1, 0.5, 0.9} (all shared goods alike, plus alternating), Y from the
    trade equation at that x.  Interior solutions (every shared x_i strictly in (1e-9, 1 - 1e-9))
    are the mixed equilibria of the pattern.

    Parameters
    ----------
    data : GomoryData
        The instance.
    owner : numpy.ndarray
        (n,) one pattern with at least one shared good.
    starts : list of dict, optional
        Start points as {"x[i]": value, "Y": value} dicts (None: the defaults above).
    tol : float
        Natural-residual tolerance of :func:`trade_opt.mcp.solve`.

    Returns
    -------
    PyomoPatternResult
        Distinct interior solutions, sorted by Y; for production kinds other than ``power`` none, with
        status ``not applicable`` (:func:`mixed_pyomo_model` is the power law's).
    """
    from trade_opt.mcp import multistart

    owner = np.asarray(owner, dtype=np.int8)
    if not data.production.is_power:
        return PyomoPatternResult(owner_strings(owner)[0], [], 0, "not applicable (f = e l^alpha only)", 0, 0.0,
                                  f"the Pyomo MCP is written for f = e l^alpha, not kind {data.production.kind}")
    S = np.flatnonzero(owner == SHARED)
    t0 = time.perf_counter()
    if starts is None:
        levels = [0.1, 0.5, 0.9]
        combos = [np.full(len(S), v) for v in levels]
        if len(S) > 1:
            combos += [np.where(np.arange(len(S)) % 2 == 0, 0.1, 0.9), np.where(np.arange(len(S)) % 2 == 0, 0.9, 0.1)]
        starts = []
        for xs in combos:
            x = (owner == OWNER_2).astype(float)
            x[S] = xs
            Y = float(specialized_Y(data, x[None])[0])
            start = {f"x[{i}]": float(v) for i, v in zip(S, xs)}
            start["Y"] = Y
            starts.append(start)
    model = mixed_pyomo_model(data, owner)
    with preserved_fp_environment():   # ASL resets the x87 precision; later LAPACK calls must not see it
        result = multistart(model, starts, tol=tol)
    sols, boundary = [], 0
    for s in result.solutions:
        if s.status != "solved":
            continue
        xs = np.array([s.values[f"x[{i}]"] for i in S])
        if np.any((xs <= 1e-9) | (xs >= 1 - 1e-9)):
            boundary += 1
            continue
        sols.append({"x": xs.tolist(), "Y": float(s.values["Y"]), "residual": s.residual,
                     "residual_unscaled": s.residual_unscaled, "stability": s.stability})
    sols.sort(key=lambda s: s["Y"])
    return PyomoPatternResult(owner_strings(owner)[0], sols, boundary, result.status, len(starts),
                              time.perf_counter() - t0, result.message)
