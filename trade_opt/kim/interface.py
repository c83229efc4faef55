"""The verbs of the Kim (1999) model: ``load_instance``, ``build_model``, ``solve``, ``run``.

``solve`` finds the free-entry equilibrium of the J-region location model (``models/kim_location.md``):
the complementarity problem 0 <= m ⟂ -Pi/(W f) >= 0 for the four firm types (assemblers A_1,
A_2, first-tier suppliers F, second-tier suppliers S) in every region, with prices and profits of
eqs. 11-29, solved by :mod:`trade_opt.mcp` from several starts; the most stable solution is reported.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from trade_opt.errors import OptionError, check_options
from trade_opt.runner import instance_loader, job_runner
from trade_opt.result import Result, Solution, SolverInfo, status_of

MODEL = "kim"
#: the solver names that can solve this complementarity problem
MCP_SOLVERS = ("trade_opt_mcp",)


def build_model(instance, *, formulation: str = "log"):
    """Free entry as a Pyomo complementarity model (``pyomo.mpec``).

    Parameters
    ----------
    instance : KimInstance
        A validated instance.
    formulation : {"log", "reduced"}
        Free log-price-index variables with their defining equations, or indices substituted
        (:mod:`trade_opt.kim.mcp_model`).

    Returns
    -------
    pyomo.environ.ConcreteModel
        The MCP 0 <= firm numbers ⟂ -Pi/(W f) >= 0 for the four tiers in every region (eqs. 26-30).

    Raises
    ------
    OptionError
        For an unknown ``formulation``.
    """
    from trade_opt.kim.mcp_model import FORMULATIONS, build_mcp_model

    if formulation not in FORMULATIONS:
        raise OptionError(f"kim.build_model: formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")
    return build_mcp_model(instance.data(), formulation).model


def build_models(instance, **options: Any) -> dict:
    """The registry hook of the embedding API and ``trade-opt kim export``.

    Parameters
    ----------
    instance : KimInstance
        A validated instance.
    **options
        ``formulation`` only (see :func:`build_model`).

    Returns
    -------
    dict of str to pyomo.environ.ConcreteModel
        ``{"mcp": build_model(instance, **options)}``.

    Raises
    ------
    OptionError
        For an unknown option or formulation.
    """
    check_options("kim.build_model", options, ("formulation",))
    return {"mcp": build_model(instance, **options)}


@dataclass
class KimEquilibrium(Solution):
    """The reported (most stable) free-entry equilibrium.

    One row per region: ``region``; firm numbers ``m_1``, ``m_2`` (assemblers of A_1, A_2), ``n``
    (first tier), ``r`` (second tier); mill prices ``P_A1``, ``P_A2``, ``P_F``, ``P_S``; profits
    ``profit_A1``, ``profit_A2``, ``profit_F``, ``profit_S`` (0 where firms enter, eq. 26-30).
    Scalars: ``lambda_max`` (largest real eigenvalue of the entry dynamics, < 0 stable),
    ``distinct_solutions``, ``starts``, ``formulation``."""

    table_key: ClassVar[str] = "regions"
    regions: list[dict[str, Any]] = field(default_factory=list)
    lambda_max: float | None = None
    distinct_solutions: int = 0
    starts: int = 0
    formulation: str = "log"

    def rows(self) -> list[dict[str, Any]]:
        """The table: one record per region.

        Returns
        -------
        list of dict
            Copies of :attr:`regions` (keys as in the class docstring).
        """
        return list(self.regions)

    def scalars(self) -> dict[str, Any]:
        """The equilibrium's scalars.

        Returns
        -------
        dict
            ``lambda_max``, ``distinct_solutions``, ``starts``, ``formulation``.
        """
        return {"lambda_max": self.lambda_max, "distinct_solutions": self.distinct_solutions,
                "starts": self.starts, "formulation": self.formulation}


def region_rows(solution, regions: list[str]) -> list[dict[str, Any]]:
    """Per-region records of a free-entry solution (the CSV columns of ``equilibrium.csv``).

    Parameters
    ----------
    solution : trade_opt.kim.equilibrium.KimSolution
        A solution: firm numbers ``x`` (4, J) in tier order A1, A2, F, S and the chain ``state``.
    regions : list of str
        Region names, in the instance's order.

    Returns
    -------
    list of dict
        One record per region: ``region``, ``m_1``, ``m_2``, ``n``, ``r`` (firm numbers),
        ``P_A1``, ``P_A2``, ``P_F``, ``P_S`` (mill prices, numeraire) and ``profit_A1`` ...
        ``profit_S`` (profit per firm, eqs. 26-30).
    """
    x, st, profit = solution.x, solution.state, solution.state.profit
    return [{"region": name, "m_1": float(x[0, j]), "m_2": float(x[1, j]), "n": float(x[2, j]), "r": float(x[3, j]),
             "P_A1": float(st.P_A[0][j]), "P_A2": float(st.P_A[1][j]), "P_F": float(st.P_F[j]), "P_S": float(st.P_S[j]),
             "profit_A1": float(profit[0, j]), "profit_A2": float(profit[1, j]), "profit_F": float(profit[2, j]),
             "profit_S": float(profit[3, j])} for j, name in enumerate(regions)]


def solve(instance, *, formulation: str = "log", random_starts: int = 10, T: float | None = None,
          tol: float = 1e-10, solver: str = "trade_opt_mcp") -> Result:
    """Free-entry equilibrium of a Kim instance.

    Parameters
    ----------
    instance : KimInstance
        A validated instance.
    formulation : {"log", "reduced"}
        MCP formulation (:func:`build_model`).
    random_starts : int
        Seeded random starts added to the 2 + J standard ones.
    T : float, optional
        Override: every off-diagonal transport markup set to T >= 1.
    tol : float
        Natural-residual target (> 0).
    solver : {"trade_opt_mcp"}
        Ipopt on a Scholtes relaxation plus an active-set Newton polish (:mod:`trade_opt.mcp`).

    Returns
    -------
    Result
        ``solution`` a :class:`KimEquilibrium`; ``residual`` its natural residual (numpy re-check).
        When no start reaches an equilibrium: status ``error``, termination ``failed``, an empty
        table and the reason in ``message``.

    Raises
    ------
    OptionError
        For a solver other than ``trade_opt_mcp``, an unknown formulation, ``random_starts`` not an
        integer >= 0, ``tol`` not finite and > 0, or ``T`` not finite and >= 1.
    """
    import math

    from trade_opt.kim.equilibrium import solve_equilibria
    from trade_opt.kim.mcp_model import FORMULATIONS

    if solver != "trade_opt_mcp":
        raise OptionError(f"kim.solve: solver {solver!r} cannot solve kim (a complementarity problem); "
                          f"use one of {', '.join(MCP_SOLVERS)}")
    if formulation not in FORMULATIONS:
        raise OptionError(f"kim.solve: formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")
    if not isinstance(random_starts, int) or random_starts < 0:
        raise OptionError(f"kim.solve: random_starts must be an integer >= 0, got {random_starts!r}")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise OptionError(f"kim.solve: tol must be a finite number > 0, got {tol!r}")
    data = instance.data()
    if T is not None:
        if not (isinstance(T, (int, float)) and math.isfinite(T) and T >= 1):
            raise OptionError(f"kim.solve: T (transport markup) must be a finite number >= 1, got {T!r}")
        data = data.with_uniform_transport(float(T))
    start = time.perf_counter()
    found = solve_equilibria(data, n_random=random_starts, formulation=formulation, tol=tol)
    options = {"formulation": formulation, "random_starts": random_starts, "tol": tol, **({"T": T} if T is not None else {})}
    if not found.solutions:
        return Result(MODEL, instance.name, "error", "failed", time.perf_counter() - start,
                      SolverInfo(solver, options, found.iterations), None,
                      KimEquilibrium(starts=found.starts, formulation=formulation),
                      f"no free-entry equilibrium found from {found.starts} starts ({found.message})")
    best = found.best
    solution = KimEquilibrium(regions=region_rows(best, list(instance.regions)), lambda_max=best.lambda_max,
                              distinct_solutions=found.distinct, starts=found.starts, formulation=formulation)
    return Result(MODEL, instance.name, status_of(found.status), found.status, time.perf_counter() - start,
                  SolverInfo(solver, options, found.iterations), best.residual, solution)


#: the shared verbs: read a file of this model, run its main job
load_instance = instance_loader(MODEL)
run = job_runner(MODEL)
