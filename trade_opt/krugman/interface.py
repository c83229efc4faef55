"""The verbs of the Krugman (1979) outsourcing model: ``load_instance``, ``build_model``, ``solve``, ``run``.

``solve`` finds the closed-economy or North-South outsourcing equilibrium (``models/krugman_outsourcing.md``)
as a complementarity problem (free entry and zero profit, labour markets) solved by
:mod:`trade_opt.mcp`, and checks it against the closed form (Eqs. 11-12, 17-18) and, North-South,
the reduced form.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from trade_opt.errors import OptionError, SolveError
from trade_opt.runner import instance_loader, job_runner
from trade_opt.result import Result, Solution, SolverInfo, status_of

MODEL = "krugman"
#: relative disagreement between the MCP and the closed form above which the result is a warning
AGREEMENT_TOL = 1e-8


def build_model(instance):
    """The closed or North-South economy as a Pyomo complementarity model (``pyomo.mpec``).

    Parameters
    ----------
    instance : KrugmanInstance
        A validated instance (``economy`` ``"closed"`` or ``"north_south"``).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Closed economy: the pairs Y, n, p, c (Eqs. 9-12); North-South: also c* and w_S
        (Eqs. 14-16), with the Northern wage as numeraire (``models/krugman_outsourcing.md``).
    """
    from trade_opt.krugman.mcp_model import build_closed_model, build_north_south_model

    data = instance.data()
    return build_closed_model(data) if data.economy == "closed" else build_north_south_model(data)


def build_models(instance, **options: Any) -> dict:
    """The registry hook of the embedding API and ``trade-opt krugman export``.

    Parameters
    ----------
    instance : KrugmanInstance
        A validated instance.
    **options
        None accepted.

    Returns
    -------
    dict of str to pyomo.environ.ConcreteModel
        ``{"mcp": build_model(instance)}``.

    Raises
    ------
    OptionError
        If any option is given.
    """
    if options:
        raise OptionError(f"krugman.build_model: unknown option(s) {', '.join(sorted(options))}; allowed: none")
    return {"mcp": build_model(instance)}


@dataclass
class KrugmanEquilibrium(Solution):
    """The equilibrium by each route, in the paper's normalization.

    One row per ``route`` (``mcp``, ``closed_form``, and North-South ``reduced_form``) with the
    equilibrium variables: price ``p``, Northern wage ``omega``, output per variety ``Y``, varieties
    ``n``, consumption ``c`` (``c_star`` South), real wages, labour per firm ``l``, intermediates
    ``x``, Southern outsourcing labour ``E_S``, utilities ``U_N``, ``U_S``.  Scalars: ``economy``,
    ``walras_residual``, ``max_rel_diff_mcp_closed_form``, ``max_rel_diff_reduced_closed_form``
    (North-South only), ``elasticities``."""

    table_key: ClassVar[str] = "routes"
    economy: str = "closed"
    routes: list[dict[str, Any]] = field(default_factory=list)
    walras_residual: float | None = None
    max_rel_diff_mcp_closed_form: float | None = None
    max_rel_diff_reduced_closed_form: float | None = None
    elasticities: dict[str, float] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """The table: one record per route.

        Returns
        -------
        list of dict
            Copies of :attr:`routes` (``route`` and the equilibrium variables).
        """
        return list(self.routes)

    def scalars(self) -> dict[str, Any]:
        """The checks between the routes.

        Returns
        -------
        dict
            ``economy``, ``walras_residual``, ``max_rel_diff_mcp_closed_form``,
            ``max_rel_diff_reduced_closed_form`` (None in a closed economy), ``elasticities``.
        """
        return {"economy": self.economy, "walras_residual": self.walras_residual,
                "max_rel_diff_mcp_closed_form": self.max_rel_diff_mcp_closed_form,
                "max_rel_diff_reduced_closed_form": self.max_rel_diff_reduced_closed_form,
                "elasticities": self.elasticities}


def solve(instance, *, tol: float = 1e-10, solver: str = "trade_opt_mcp") -> Result:
    """Equilibrium of a Krugman economy, with its closed-form and reduced-form checks.

    Parameters
    ----------
    instance : KrugmanInstance
        A validated instance.
    tol : float
        Natural-residual target of the MCP (> 0).
    solver : {"trade_opt_mcp"}
        Ipopt on a Scholtes relaxation plus an active-set Newton polish (:mod:`trade_opt.mcp`).

    Returns
    -------
    Result
        ``solution`` a :class:`KrugmanEquilibrium`; ``residual`` the natural residual recomputed
        from the pair functions; ``status`` ``warning`` if the MCP and the closed form differ by
        more than :data:`AGREEMENT_TOL` (relative).  When the MCP fails at every start: status
        ``error``, termination ``failed``, an empty table and the reason in ``message``.

    Raises
    ------
    OptionError
        For a solver other than ``trade_opt_mcp`` or ``tol`` not finite and > 0.
    """
    from trade_opt.krugman.economy import solve_economy

    if solver != "trade_opt_mcp":
        raise OptionError(f"krugman.solve: solver {solver!r} cannot solve krugman (a complementarity problem); "
                          "use 'trade_opt_mcp'")
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
        raise OptionError(f"krugman.solve: tol must be a finite number > 0, got {tol!r}")
    start = time.perf_counter()
    try:
        report = solve_economy(instance.data(), tol=tol)
    except SolveError as exc:
        return Result(MODEL, instance.name, "error", "failed", time.perf_counter() - start,
                      SolverInfo(solver, {"tol": tol}), None, KrugmanEquilibrium(economy=instance.data().economy),
                      str(exc))
    routes = [{"route": "mcp", **report.equilibrium.as_dict()}, {"route": "closed_form", **report.closed_form.as_dict()}]
    if report.reduced_form is not None:
        routes.append({"route": "reduced_form", **report.reduced_form.as_dict()})
    termination = str(report.mcp["status"])
    status, message = status_of(termination), ""
    if status == "ok" and report.max_rel_diff_mcp_closed_form > AGREEMENT_TOL:
        status = "warning"
        message = f"MCP and closed form differ by {report.max_rel_diff_mcp_closed_form:.2e} (relative)"
    iterations = report.mcp.get("iterations", {})
    solution = KrugmanEquilibrium(
        economy=report.economy, routes=routes, walras_residual=report.walras_residual,
        max_rel_diff_mcp_closed_form=report.max_rel_diff_mcp_closed_form,
        max_rel_diff_reduced_closed_form=report.max_rel_diff_reduced_closed_form, elasticities=report.elasticities)
    return Result(MODEL, instance.name, status, termination, time.perf_counter() - start,
                  SolverInfo(solver, {"tol": tol}, iterations if isinstance(iterations, dict) else {}),
                  report.natural_residual, solution, message)


#: the shared verbs: read a file of this model, run its main job
load_instance = instance_loader(MODEL)
run = job_runner(MODEL)
