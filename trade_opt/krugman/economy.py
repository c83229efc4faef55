"""One Krugman equilibrium by three independent routes, with every consistency check.

:func:`solve_economy` solves the economy as an MCP (:mod:`trade_opt.krugman.mcp_model`, the primary
answer), computes the closed form (closed economy: Eqs. 11-12; North-South: Eqs. 17-18) and, in
North-South, the reduced form (:func:`trade_opt.krugman.outsourcing.reduced_form`), and reports
their largest relative disagreement, the MCP's natural residual (recomputed here from the pair
functions), the Walras residual (Northern labour market, not imposed) and the elasticities
eps_z (Eq. 19) and eps_x (Eq. 4), analytic and by finite differences.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from trade_opt.errors import SolveError, SolverUnavailableError
from trade_opt.krugman import closed as cl
from trade_opt.krugman import outsourcing as ns
from trade_opt.krugman.closed import Equilibrium
from trade_opt.krugman.instance import KrugmanData

log = logging.getLogger(__name__)


@dataclass
class SolveReport:
    """Everything :func:`solve_economy` computed.

    Attributes
    ----------
    economy : str
        ``"closed"`` or ``"north_south"``.
    equilibrium : Equilibrium
        The MCP's answer in the paper's normalization (the primary answer).
    closed_form : Equilibrium
        Eqs. 11-12 (closed) or 17-18 (North-South).
    reduced_form : Equilibrium or None
        North-South only: the reduced form's solution.
    mcp_values : dict of str to float
        The raw MCP variables (Northern wage 1), used to warm-start the next sweep point.
    mcp : dict
        The MCP's ``status``, ``residual``, ``relative_residual``, ``iterations``, ``seconds``,
        ``distinct_solutions``, ``message``.
    natural_residual : float
        Unscaled natural residual of the MCP solution, recomputed from the pair functions.
    walras_residual : float
        The Northern labour market (not imposed), a check.
    max_rel_diff_mcp_closed_form, max_rel_diff_reduced_closed_form : float or None
        Largest relative differences (:func:`max_rel_diff`); the second None in a closed economy.
    elasticities : dict of str to float
        eps_x (Eq. 4) fixed-output, equilibrium and by finite differences, dn/dA (Eq. 12), and
        North-South eps_z (Eq. 19) analytic and by finite differences.
    conditions : dict
        North-South: the derivative conditions, the variety condition (Eq. 19), mu, mu' and
        whether E_S <= L*.
    """

    economy: str
    equilibrium: Equilibrium
    closed_form: Equilibrium
    reduced_form: Equilibrium | None
    mcp_values: dict[str, float]
    mcp: dict[str, Any]
    natural_residual: float
    walras_residual: float
    max_rel_diff_mcp_closed_form: float
    max_rel_diff_reduced_closed_form: float | None
    elasticities: dict[str, float]
    conditions: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The report as a JSON-ready dict (paper normalization).

        Returns
        -------
        dict
            ``economy``, the three routes as flat dicts (``equilibrium``, ``closed_form``,
            ``reduced_form``), ``mcp``, ``mcp_values_northern_wage_numeraire``, the residuals, the
            differences, ``elasticities`` and ``conditions``.
        """
        return {
            "economy": self.economy,
            "equilibrium": self.equilibrium.as_dict(),
            "closed_form": self.closed_form.as_dict(),
            "reduced_form": self.reduced_form.as_dict() if self.reduced_form else None,
            "mcp": self.mcp,
            "mcp_values_northern_wage_numeraire": self.mcp_values,
            "natural_residual": self.natural_residual,
            "walras_residual": self.walras_residual,
            "max_rel_diff_mcp_closed_form": self.max_rel_diff_mcp_closed_form,
            "max_rel_diff_reduced_closed_form": self.max_rel_diff_reduced_closed_form,
            "elasticities": self.elasticities,
            "conditions": self.conditions,
        }


def max_rel_diff(a: Equilibrium, b: Equilibrium) -> float:
    """Largest relative difference between two equilibria, max over the fields of |a - b|/|b|.

    Parameters
    ----------
    a : Equilibrium
        The equilibrium checked (e.g. the MCP's).
    b : Equilibrium
        The reference (e.g. the closed form); its defined fields (not None) are compared, all
        positive in equilibrium.

    Returns
    -------
    float
        The largest relative difference.

    Examples
    --------
    >>> e = Equilibrium(p=2.0, omega=1.0, Y=1.0, n=4.0, c=0.5, real_wage_N=0.5, l=3.0, x=1.0, U_N=1.0)
    >>> max_rel_diff(e, e)
    0.0
    """
    da, db = a.as_dict(), b.as_dict()
    return max(abs(da[k] - db[k]) / abs(db[k]) for k in db)


def relative_pair_residual(data: KrugmanData, values: dict[str, float]) -> float:
    """Scale-free residual of the MCP pairs: max_i |F_i| / (sum of |terms| of F_i).

    :func:`trade_opt.krugman.mcp_model.relative_pair_residual`, imported lazily (it imports Pyomo).
    0 exactly at an interior solution; the acceptance test of :func:`solve_economy` (<= 1e-9).

    Parameters
    ----------
    data : KrugmanData
        The economy.
    values : dict of str to float
        MCP variables (Northern wage 1): ``Y``, ``n``, ``p``, ``c`` and, North-South, ``c_star``,
        ``w_S``.

    Returns
    -------
    float
        The residual (inf where a denominator vanishes).
    """
    from trade_opt.krugman.mcp_model import relative_pair_residual as rel

    return rel(data, values)


def _mcp(data: KrugmanData, starts: list[dict[str, float]] | None, tol: float):
    try:
        from trade_opt.krugman.mcp_model import solve_mcp
        return solve_mcp(data, starts, tol)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("trade_opt.mcp"):
            raise SolverUnavailableError("trade_opt.mcp (the complementarity layer) is not installed") from None
        raise


def solve_economy(
    data: KrugmanData, start: dict[str, float] | None = None, tol: float = 1e-10, fd_step: float = 1e-5
) -> SolveReport:
    """Solve one economy (MCP + closed form [+ reduced form]) and check them against each other.

    A start is accepted when the MCP layer reports it solved and :func:`relative_pair_residual`
    is at most 1e-9 (``models/krugman_outsourcing.md``, "Solving").

    Parameters
    ----------
    data : KrugmanData
        The economy (``data.economy`` is ``"closed"`` or ``"north_south"``).
    start : dict of str to float, optional
        MCP variables (Northern wage 1) to try first, e.g. the previous sweep point.
    tol : float, optional
        Natural-residual tolerance handed to :func:`trade_opt.mcp.solve`.
    fd_step : float, optional
        Step in ln z / ln A of the central differences for eps_z (Eq. 19), eps_x (Eq. 4).

    Returns
    -------
    SolveReport
        The three routes, residuals, differences, elasticities and conditions.

    Raises
    ------
    SolveError
        If the MCP failed at every start.
    SolverUnavailableError
        If the complementarity layer :mod:`trade_opt.mcp` is not installed.
    """
    closed = data.economy == "closed"
    result, values, tried = _mcp(data, [start] if start else None, tol)
    accepted = result.ok and relative_pair_residual(data, values) <= 1e-9
    mcp_info = {
        "status": result.status if accepted else "failed", "residual": result.residual,
        "relative_residual": relative_pair_residual(data, values) if accepted else None,
        "iterations": {**result.iterations, "starts": tried} if isinstance(result.iterations, dict) else result.iterations,
        "seconds": result.seconds, "distinct_solutions": len(result.solutions), "message": result.message,
    }
    if not accepted:
        raise SolveError(f"MCP found no equilibrium from {tried} starts (last: {result.message})")
    if len(result.solutions) > 1:
        log.warning("MCP found %d distinct solutions; reporting the selected one", len(result.solutions))
    mod = cl if closed else ns
    eq = mod.equilibrium_from_values(data, values)
    cf = cl.closed_form(data) if closed else ns.closed_form(data)
    residual = ns.natural_residual_np(values, mod.pair_values(data, values))
    elasticities = {
        "eps_x_fixed_Y": cl.eps_x_fixed_output(data.eps),
        "eps_x_equilibrium": cl.eps_x_equilibrium(data.eps),
        "eps_x_equilibrium_fd": ns.eps_x_fd(data, fd_step),
        "dn_dA_eq12": cl.dn_dA(data, eq, cl.eps_x_equilibrium(data.eps)),
    }
    rf, rf_diff, conditions = None, None, {}
    if not closed:
        rf = ns.equilibrium_from_values(data, ns.reduced_form(data, values))
        rf_diff = max_rel_diff(rf, cf)
        elasticities["eps_z"] = ns.eps_z(data)
        elasticities["eps_z_fd"] = ns.eps_z_fd(data, fd_step, values)
        conditions = {**ns.derivative_conditions(data), "variety_eq19": ns.variety_condition(data),
                      "mu": data.mu, "mu_slope": data.mu_slope, "E_S_le_L_star": eq.E_S <= data.L_star}
    return SolveReport(
        economy=data.economy, equilibrium=eq, closed_form=cf, reduced_form=rf, mcp_values=values, mcp=mcp_info,
        natural_residual=residual, walras_residual=mod.walras_residual(data, values),
        max_rel_diff_mcp_closed_form=max_rel_diff(eq, cf), max_rel_diff_reduced_closed_form=rf_diff,
        elasticities=elasticities, conditions=conditions,
    )
