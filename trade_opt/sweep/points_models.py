"""Sweep points of the complementarity models (Krugman, Kim, Melitz), calling their public solvers.

Warm starts (a batch of consecutive points is solved in order by one Dask task):

* Krugman ``equilibrium``: :func:`trade_opt.krugman.economy.solve_economy` with ``start`` = the
  previous point's MCP values (the engine's own warm start, as in ``krugman/sweep.py``).
* Kim ``equilibrium``: :func:`trade_opt.kim.equilibrium.solve_equilibria` from the previous point's
  firm numbers (plus the standard starts unless ``multistart = false``), keeping the solution
  closest to the previous one: the continuation of ``kim/liberalize.py``, one point at a time.
* Melitz ``comparison``: :func:`trade_opt.melitz.compare.compare` (offshoring vs autarky).  The
  Melitz solver takes no start, so each point is solved from the model's own guesses.
* Krugman ``closed_form``: Eqs. (11)-(12) / (17)-(18) only (no solve; the cheap point used for
  throughput measurements).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from trade_opt.errors import InputError, SolveError
from trade_opt.sweep.evaluators import Evaluator

_KRUGMAN_EQ = ("p", "omega", "Y", "n", "c", "c_star", "real_wage_N", "real_wage_S", "l", "x", "E_S", "U_N", "U_S")


class KrugmanEquilibrium(Evaluator):
    """Krugman economy by MCP + closed form (+ reduced form): equilibrium, residuals, disagreements."""

    model = "krugman"
    name = "equilibrium"
    options = {"tol": 1e-10, "warm_start": True}

    def columns(self, base: Any) -> dict[str, str]:
        """The row's columns.

        Parameters
        ----------
        base : KrugmanInstance
            The base instance (unused: the columns are the same for every instance).

        Returns
        -------
        dict[str, str]
            Column name -> type: the equilibrium values (``p``, ``omega``, ``Y``, ``n``, ...), the
            residuals and disagreements, ``warm_started``, ``mu`` (NaN in a closed economy).
        """
        cols = {k: "float" for k in _KRUGMAN_EQ}
        cols.update(mcp_residual="float", natural_residual="float", walras_residual="float",
                    max_rel_diff_mcp_closed_form="float", warm_started="bool", mu="float")
        return cols

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """Solve one Krugman economy (:func:`trade_opt.krugman.economy.solve_economy`).

        Parameters
        ----------
        instance : KrugmanInstance
            The point's instance.
        options : dict
            ``tol`` (MCP tolerance) and ``warm_start`` (start from the previous point's MCP values).
        state : Any
            The previous point's MCP values (``None`` at a batch's first point).

        Returns
        -------
        row : dict
            The equilibrium, ``status`` (the MCP's), the MCP, natural and Walras residuals, the largest
            relative MCP/closed-form difference, ``warm_started`` and ``mu``.
        state : Any
            This point's MCP values (the next point's start).
        """
        from trade_opt.krugman.economy import solve_economy

        data = instance.data()
        start = state if options["warm_start"] else None
        rep = solve_economy(data, start=start, tol=float(options["tol"]))
        row = {k: v for k, v in rep.equilibrium.as_dict().items() if k in _KRUGMAN_EQ}
        row.update(status=rep.mcp["status"], mcp_residual=rep.mcp["residual"], natural_residual=rep.natural_residual,
                   walras_residual=rep.walras_residual, max_rel_diff_mcp_closed_form=rep.max_rel_diff_mcp_closed_form,
                   warm_started=start is not None, mu=data.mu if data.economy == "north_south" else math.nan)
        return row, rep.mcp_values


class KrugmanClosedForm(Evaluator):
    """Krugman closed forms only (Eqs. 11-12 closed, 17-18 North-South): no solver, microseconds per point."""

    model = "krugman"
    name = "closed_form"
    options: dict[str, Any] = {}

    def columns(self, base: Any) -> dict[str, str]:
        """The row's columns.

        Parameters
        ----------
        base : KrugmanInstance
            The base instance (unused: the columns are the same for every instance).

        Returns
        -------
        dict[str, str]
            Column name -> type: the equilibrium values (``p``, ``omega``, ``Y``, ``n``, ...).
        """
        return {k: "float" for k in _KRUGMAN_EQ}

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """The closed-form equilibrium of one Krugman economy (Eqs. 11-12 closed, 17-18 North-South).

        Parameters
        ----------
        instance : KrugmanInstance
            The point's instance.
        options : dict
            None (the evaluator has no options).
        state : Any
            Unused.

        Returns
        -------
        row : dict
            The equilibrium values (``status`` defaults to ``ok``).
        state : Any
            Always ``None``.
        """
        from trade_opt.krugman import closed, outsourcing

        data = instance.data()
        eq = (closed if data.economy == "closed" else outsourcing).closed_form(data)
        return {k: v for k, v in eq.as_dict().items() if k in _KRUGMAN_EQ}, None


class KimEquilibrium(Evaluator):
    """Kim free-entry equilibrium by continuation along the batch: firm numbers, shares, profits per tier and region."""

    model = "kim"
    name = "equilibrium"
    options = {"multistart": True, "tol": 1e-10, "formulation": "log"}

    @staticmethod
    def _regions(base: Any) -> tuple[str, ...]:
        return tuple(base.regions)

    def columns(self, base: Any) -> dict[str, str]:
        """The row's columns.

        Parameters
        ----------
        base : KimInstance
            The base instance: its regions name the columns.

        Returns
        -------
        dict[str, str]
            Column name -> type: firm numbers ``<tier>_<region>``, their shares ``share_<tier>_<region>``,
            profits ``profit_<tier>_<region>``, ``residual``, ``lambda_max``, ``distinct_solutions``,
            ``warm_started``.
        """
        from trade_opt.kim.model import TIERS

        cols = {}
        for prefix in ("", "share_", "profit_"):
            for tier in TIERS:
                for region in self._regions(base):
                    cols[f"{prefix}{tier}_{region}"] = "float"
        cols.update(residual="float", lambda_max="float", distinct_solutions="int", warm_started="bool")
        return cols

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """Solve the Kim free-entry MCP from the previous point (continuation).

        Parameters
        ----------
        instance : KimInstance
            The point's instance.
        options : dict
            ``multistart`` (add the standard starts to the previous point's), ``tol`` (residual
            tolerance), ``formulation`` (``"log"`` or ``"reduced"``, see
            :mod:`trade_opt.kim.mcp_model`).
        state : Any
            The previous point's transformed firm numbers ``xt`` (``None`` at a batch's first point).

        Returns
        -------
        row : dict
            Firm numbers, shares and profits per tier and region of the solution closest to the previous
            one (the best one without a previous point), ``residual``, ``lambda_max``,
            ``distinct_solutions``, ``warm_started``; ``status`` ``solved`` if the residual is within
            ``tol``, else ``solved_loose``.
        state : Any
            The solution's ``xt`` (the next point's start).

        Raises
        ------
        SolveError
            If no start reaches a free-entry equilibrium.
        """
        from trade_opt.kim.equilibrium import default_starts, solve_equilibria
        from trade_opt.kim.model import TIERS

        data = instance.data()
        starts = [] if state is None else [state]
        if state is None or options["multistart"]:
            starts += default_starts(data)
        found = solve_equilibria(data, starts, tol=float(options["tol"]), formulation=str(options["formulation"]))
        if not found.solutions:
            raise SolveError(f"no free-entry equilibrium found from {found.starts} starts ({found.message})")
        sol = found.best if state is None else min(found.solutions, key=lambda s: float(np.max(np.abs(s.xt - state))))
        row: dict[str, Any] = {}
        shares, profit = sol.shares, sol.state.profit
        for t, tier in enumerate(TIERS):
            for k, region in enumerate(instance.regions):
                row[f"{tier}_{region}"] = sol.x[t, k]
                row[f"share_{tier}_{region}"] = shares[t, k]
                row[f"profit_{tier}_{region}"] = profit[t, k]
        row.update(residual=sol.residual, lambda_max=sol.lambda_max, distinct_solutions=found.distinct,
                   warm_started=state is not None,
                   status="solved" if sol.residual <= float(options["tol"]) else "solved_loose")
        return row, sol.xt


class MelitzComparison(Evaluator):
    """Melitz offshoring vs autarky for a one-industry instance: the comparison table's row."""

    model = "melitz"
    name = "comparison"
    options = {"method": "mcp", "tol": 1e-10}
    _SKIP = ("industry", "regime")

    def columns(self, base: Any) -> dict[str, str]:
        """The row's columns.

        Parameters
        ----------
        base : MelitzInstance
            The base instance; it must have exactly one industry.

        Returns
        -------
        dict[str, str]
            Column name -> type: ``regime``, ``residual`` and the comparison table's ratios (cutoffs,
            productivities, price indices, spending, masses of firms, revenue shares, consumer surplus,
            labour ``ell_N``, ``ell_S``).

        Raises
        ------
        InputError
            If the base instance has more than one ``[[industry]]``.
        """
        if base is not None and len(base.industry) != 1:
            raise InputError("<base>", "industry", f"the Melitz sweep evaluator needs exactly one [[industry]] (one row per point), got {len(base.industry)}")
        cols = {"regime": "str", "residual": "float"}
        for name in ("theta_star_a", "theta_star_t", "cutoff_ratio", "theta_o", "theta_o_over_theta_star",
                     "theta_tilde_a", "theta_tilde_t", "productivity_ratio", "theta_tilde_d", "theta_tilde_o",
                     "theta_tilde_dd", "P_a", "P_t", "price_ratio", "R_a", "R_t", "spending_ratio", "M_a", "M_t",
                     "M_o", "variety_ratio", "M_a_over_M_t_eq20", "revenue_ratio_domestic", "revenue_ratio_offshore",
                     "share_ratio_domestic", "share_ratio_offshore", "offshore_revenue_share", "CS_a", "CS_t",
                     "CS_change", "ell_N", "ell_S"):
            cols[name] = "float"
        return cols

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """Offshoring vs autarky for one point (:func:`trade_opt.melitz.compare.compare`).

        Parameters
        ----------
        instance : MelitzInstance
            The point's instance.
        options : dict
            ``method`` (``"mcp"``, ``"reduction"`` or ``"closed_form"``) and ``tol`` (MCP
            natural-residual tolerance).
        state : Any
            Unused (the Melitz solver takes no start).

        Returns
        -------
        row : dict
            The comparison table's row without the inputs (``industry``, ``z``, ``w``), ``residual`` (the
            larger of the two regimes'), ``status`` (``solved`` if both regimes solved, ``failed`` if
            one failed, else both statuses joined by ``/``).
        state : Any
            Always ``None``.
        """
        from trade_opt.melitz.compare import compare

        comp = compare(instance.data(), str(options["method"]), tol=float(options["tol"]))
        record = comp.table.iloc[0].to_dict()
        statuses = {str(comp.offshoring.report.get("status", "solved")), str(comp.autarky.report.get("status", "solved"))}
        for key in ("industry", "z", "w"):  # inputs, already in the row as swept or base fields
            record.pop(key, None)
        residuals = [r.get("residual") for r in (comp.offshoring.report, comp.autarky.report)]
        record["residual"] = max((float(r) for r in residuals if r is not None), default=math.nan)
        record["status"] = "solved" if statuses <= {"solved"} else ("failed" if "failed" in statuses else "/".join(sorted(statuses)))
        return record, None
