"""The verbs of the Melitz (2003) offshoring model: ``load_instance``, ``build_model``, ``solve``, ``run``.

``solve`` finds the equilibrium of every industry (``models/melitz_offshoring.md``): zero-profit
and offshoring cutoffs, free entry and the mass of entrants (E1-E6 per industry) as one square
complementarity problem solved by :mod:`trade_opt.mcp` (``method="mcp"``), or by the 1-D reduction
or the Pareto closed forms, which the main job uses as independent checks.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from trade_opt.errors import OptionError
from trade_opt.runner import instance_loader, job_runner
from trade_opt.result import Result, Solution, SolverInfo, status_of

MODEL = "melitz"


def build_model(instance):
    """E1-E6 of every industry as one Pyomo complementarity model (``pyomo.mpec``).

    Parameters
    ----------
    instance : MelitzInstance

    Returns
    -------
    pyomo.environ.ConcreteModel
    """
    from trade_opt.melitz.mcp_model import build_model as _build

    return _build(instance.data())


def build_models(instance, **options: Any) -> dict:
    """Registry hook (embedding API, ``trade-opt melitz export``): ``{"mcp": build_model(...)}``.

    Parameters
    ----------
    instance : MelitzInstance
    **options
        None accepted.

    Returns
    -------
    dict
        ``{"mcp": pyomo.environ.ConcreteModel}`` (:func:`build_model`).

    Raises
    ------
    trade_opt.errors.OptionError
        Any option.
    """
    if options:
        raise OptionError(f"melitz.build_model: unknown option(s) {', '.join(sorted(options))}; allowed: none")
    return {"mcp": build_model(instance)}


@dataclass
class MelitzEquilibrium(Solution):
    """Equilibrium of every industry.

    One row per industry: ``industry``, offshore intensity ``z``, Southern relative wage ``w``,
    ``regime`` (none/offshoring/all), cutoffs ``theta_star`` and ``theta_o``, ``u``, ``nu``, mass of
    entrants ``M_e``, ``B``, price index ``P``, ``Omega``, ``A``, revenue ``R``, masses ``M``,
    ``M_o``, ``M_d``, revenues ``R_d``, ``R_o``, offshore share ``s_o``, average productivities
    ``theta_tilde_*``, labour ``ell_N``, ``ell_S`` and consumer surplus ``CS``."""

    table_key: ClassVar[str] = "industries"
    method: str = "mcp"
    industries: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """The ``industries`` table.

        Returns
        -------
        list of dict
            One dict per industry (keys listed in the class docstring; the CSV columns).
        """
        return list(self.industries)

    def scalars(self) -> dict[str, Any]:
        """The solution's scalars.

        Returns
        -------
        dict
            ``{"method": "mcp" | "reduction" | "closed_form"}``: how the equilibrium was found.
        """
        return {"method": self.method}


def industry_rows(sol) -> list[dict[str, Any]]:
    """Per-industry records of a :class:`trade_opt.melitz.equilibrium.Solution` (the CSV columns).

    Parameters
    ----------
    sol : trade_opt.melitz.equilibrium.Solution
        A solved set of industries.

    Returns
    -------
    list of dict
        :func:`trade_opt.melitz.job.solution_records` with ``name`` renamed ``industry`` (first key).
    """
    from trade_opt.melitz.job import solution_records

    return [{"industry": rec.pop("name"), **rec} for rec in solution_records(sol)]


def solve(instance, *, method: str | None = None, tol: float = 1e-10, solver: str | None = None) -> Result:
    """Equilibrium of every industry of a Melitz instance.

    Parameters
    ----------
    instance : MelitzInstance
    method : {"mcp", "reduction", "closed_form"}, optional
        Default ``mcp`` when the productivity distribution has an algebraic Pyomo form, else
        ``reduction``.
    tol : float
        Natural-residual target of the MCP (> 0).
    solver : {"trade_opt_mcp"}, optional
        Only for ``method="mcp"``.

    Returns
    -------
    Result
        ``solution`` a :class:`MelitzEquilibrium`; ``residual`` the MCP's natural residual (0 for
        the closed forms, None for the reduction's root finder).
    """
    from trade_opt.melitz.equilibrium import METHODS, solve_equilibrium
    from trade_opt.melitz.job import default_method

    data = instance.data()
    method = default_method(data) if method is None else method
    if method not in METHODS:
        raise OptionError(f"melitz.solve: method must be one of {', '.join(METHODS)}, got {method!r}")
    if solver is not None and (method != "mcp" or solver != "trade_opt_mcp"):
        raise OptionError(f"melitz.solve: solver {solver!r} cannot solve melitz by method {method!r}; "
                          "the MCP's solver is 'trade_opt_mcp' (reduction and closed_form take none)")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise OptionError(f"melitz.solve: tol must be a finite number > 0, got {tol!r}")
    start = time.perf_counter()
    sol = solve_equilibrium(data, method, tol=tol)
    report = dict(sol.report)
    termination = str(report.get("status", "solved"))
    residual = report.get("residual", 0.0 if method == "closed_form" else None)
    name = {"mcp": "trade_opt_mcp", "reduction": "reduction", "closed_form": "closed_form"}[method]
    return Result(MODEL, instance.name, status_of(termination), termination, time.perf_counter() - start,
                  SolverInfo(name, {"method": method, "tol": tol}, dict(report.get("iterations", {}))), residual,
                  MelitzEquilibrium(method=method, industries=industry_rows(sol)))


#: the shared verbs: read a file of this model, run its main job
load_instance = instance_loader(MODEL)
run = job_runner(MODEL)
