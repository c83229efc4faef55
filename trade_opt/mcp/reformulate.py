"""Scholtes relaxation of the MCP as an NLP, solved by Ipopt (cyipopt through Pyomo).

Scholtes (2001, SIAM J. Optim. 11) relaxes each complementarity ``0 <= x - lb perp F >= 0`` to

    x >= lb,   F >= 0,   (x - lb) * F / s <= eps,

and drives ``eps -> 0`` (here ``1e-2, 1e-4, 1e-6, 1e-8``), warm-starting each NLP from the
previous one.  Upper-bounded pairs use ``(ub - x) * (-F) / s <= eps`` with ``F <= 0``; box pairs
split ``F = w - v`` with ``w, v >= 0``, ``(x - lb) w / s <= eps``, ``(ub - x) v / s <= eps``; free
pairs and the model's equalities stay equalities.  The objective is the constant 0 (a feasibility
problem).  ``s`` are the row scales of :mod:`trade_opt.mcp.residual` at the start point.

The relaxation only brings the point near a solution (typically 1e-5 .. 1e-8 at degenerate
points); :mod:`trade_opt.mcp.polish` finishes the job.  This module never uses ``mpec.nl`` or
``mpec_nlp`` (see ``models/mcp.md``).
"""
from __future__ import annotations

import logging
import math
from typing import Any, Iterator

import numpy as np
import pyomo.environ as pyo

from trade_opt.errors import SolverUnavailableError
from trade_opt.solvers import ipopt_available

NLP_BLOCK = "_mcp_scholtes"
EPS_SCHEDULE = (1e-2, 1e-4, 1e-6, 1e-8)
DEFAULT_IPOPT_OPTIONS = {
    "print_level": 0,
    "sb": "yes",
    "tol": 1e-10,
    "acceptable_tol": 1e-7,
    "max_iter": 1000,
    "mu_strategy": "adaptive",
    "honor_original_bounds": "yes",
}


def require_ipopt() -> None:
    """Check that Ipopt works through ``cyipopt``.

    Called only when the relaxation phase actually runs (a start the Newton polish alone did
    not solve).

    Returns
    -------
    None

    Raises
    ------
    SolverUnavailableError
        (one line) If Ipopt is not usable.
    """
    ok, detail = ipopt_available()
    if not ok:
        raise SolverUnavailableError(f"the MCP needs Ipopt for its relaxation phase: {detail}")


def require_asl() -> None:
    """Check that PyNumero's ASL library is found, in any import order.

    Every solve compiles its residual and Jacobian with it.

    Returns
    -------
    None

    Raises
    ------
    SolverUnavailableError
        (one line) If the library is missing.
    """
    from trade_opt._config import locate_pynumero_asl, missing_asl_message

    if locate_pynumero_asl() is None:
        raise SolverUnavailableError(missing_asl_message())


class ScholtesNLP:
    """The relaxed NLP attached to the evaluator model (built once, re-solved per eps).

    Adds a block to ``system.work``: each F_i once as a named Expression; a free variable's row as
    ``F_i = 0``; a lower (upper) bounded one as ``F_i >= 0`` (``<= 0``) with the scaled product
    ``(x_i - lb_i) F_i / s_i <= eps`` (``(ub_i - x_i)(-F_i) / s_i``); a box pair split as
    ``F_i = w_i - v_i`` with w, v >= 0 and one product each.  Solved by ``cyipopt``.

    Parameters
    ----------
    system : MCPSystem
        The compiled system (:func:`trade_opt.mcp.system.build_system`); its evaluator block's
        ``F`` is deactivated while the NLP is attached.
    scales : numpy.ndarray
        Row divisors s_i > 0, shape (n,), that scale each complementarity product.
    """

    def __init__(self, system: Any, scales: np.ndarray):
        self.system = system
        work = system.work
        getattr(work, "_mcp_eval").F.deactivate()
        if hasattr(work, NLP_BLOCK):
            work.del_component(NLP_BLOCK)
        blk = pyo.Block()
        work.add_component(NLP_BLOCK, blk)
        blk.eps = pyo.Param(mutable=True, initialize=EPS_SCHEDULE[0])
        blk.cons = pyo.ConstraintList()
        blk.products = pyo.ConstraintList()
        self.product_terms: list[Any] = []
        self.splits: list[tuple[int, Any, Any]] = []
        # each F_i once, as a named Expression: the .nl writer emits it once (a defined variable)
        # although both F_i >= 0 and the product (x_i - lb_i) F_i / s_i use it
        pairs = system.pairs
        blk.F = pyo.Expression(range(len(pairs)), rule=lambda b, k: pairs[k].expr)
        for k, pair in enumerate(pairs):
            self._add_pair(blk, k, pair, system.work_vars[k], float(scales[k]))
        blk.obj = pyo.Objective(expr=0.0)
        blk.penalty = pyo.Objective(expr=sum(self.product_terms) if self.product_terms else 0.0)
        blk.penalty.deactivate()
        self.block = blk
        self.solver = pyo.SolverFactory("cyipopt")

    def _add_pair(self, blk: Any, k: int, pair: Any, var: Any, s: float) -> None:
        F, lb, ub, cons = blk.F[k], pair.lb, pair.ub, blk.cons
        if math.isinf(lb) and math.isinf(ub):  # a free variable: its row is an equation
            cons.add(F == 0)
            return
        var.setlb(None if math.isinf(lb) else lb)
        var.setub(None if math.isinf(ub) else ub)
        if math.isinf(ub):  # lower bound only (also slacks)
            cons.add(F >= 0)
            self._product(blk, (var - lb) * F / s)
        elif math.isinf(lb):  # upper bound only
            cons.add(F <= 0)
            self._product(blk, (ub - var) * (-F) / s)
        else:  # box
            w = pyo.Var(bounds=(0, None), initialize=0.0)
            v = pyo.Var(bounds=(0, None), initialize=0.0)
            blk.add_component(f"w_{k}", w)
            blk.add_component(f"v_{k}", v)
            cons.add(F - w + v == 0)
            self._product(blk, (var - lb) * w / s)
            self._product(blk, (ub - var) * v / s)
            self.splits.append((k, w, v))

    def _product(self, blk: Any, term: Any) -> None:
        blk.products.add(term <= blk.eps)
        self.product_terms.append(term)

    def set_mode(self, mode: str) -> None:
        """Switch the relaxed NLP between its two forms.

        Parameters
        ----------
        mode : {"scholtes", "penalty"}
            ``scholtes``: products <= eps, objective 0; ``penalty``: minimize the sum of products
            (any other value acts as ``scholtes``).

        Returns
        -------
        None
        """
        penalty = mode == "penalty"
        (self.block.products.deactivate if penalty else self.block.products.activate)()
        (self.block.penalty.activate if penalty else self.block.penalty.deactivate)()
        (self.block.obj.deactivate if penalty else self.block.obj.activate)()

    def _init_splits(self) -> None:
        for k, w, v in self.splits:
            value = float(pyo.value(self.system.pairs[k].expr, exception=False) or 0.0)
            w.set_value(max(value, 0.0))
            v.set_value(max(-value, 0.0))

    def _push_off_bounds(self, opts: dict) -> None:
        """Move variables that sit exactly on a bound to where Ipopt's own start push puts them.

        Ipopt starts from ``max(x, x_L' + p_L)`` with the relaxed bound
        ``x_L' = x_L - bound_relax_factor max(1, |x_L|)`` and
        ``p_L = min(bound_push max(1, |x_L'|), bound_frac (x_U' - x_L'))`` (and the mirror at
        ``x_U``), so doing it here leaves its iterates unchanged.  It matters because PyNumero's
        cyipopt interface evaluates the Jacobian at the unpushed start first, and the AMPL Solver
        Library ends the process (``exit(1)``) on a derivative error there, e.g. ``x**1.5`` at
        ``x = 0``.
        """
        relax = float(opts.get("bound_relax_factor", 1e-8))
        push = float(opts.get("bound_push", 1e-2))
        frac = float(opts.get("bound_frac", 1e-2))
        variables = list(self.system.work_vars) + [w for _, w, _ in self.splits] + [v for _, _, v in self.splits]
        for var in variables:
            if var.fixed or var.value is None:
                continue
            lb, ub, x = var.lb, var.ub, float(var.value)
            lo = None if lb is None else lb - relax * max(1.0, abs(lb))
            hi = None if ub is None else ub + relax * max(1.0, abs(ub))
            width = math.inf if lo is None or hi is None else hi - lo
            if lb is not None and x == lb:
                var.set_value(lo + min(push * max(1.0, abs(lo)), frac * width), skip_validation=True)
            elif ub is not None and x == ub:
                var.set_value(hi - min(push * max(1.0, abs(hi)), frac * width), skip_validation=True)

    def run(self, x0: np.ndarray, options: dict | None = None,
            deadline: float | None = None, schedule=EPS_SCHEDULE) -> Iterator[tuple[float, np.ndarray, int, str]]:
        """Solve the relaxation for each eps in turn, warm-starting each NLP from the previous one.

        Parameters
        ----------
        x0 : numpy.ndarray
            Start point in system order (clipped to the bounds).
        options : dict, optional
            Ipopt options, over :data:`DEFAULT_IPOPT_OPTIONS`.
        deadline : float, optional
            ``time.perf_counter()`` value after which no further eps is started (Ipopt's
            ``max_wall_time`` is set to the time left).
        schedule : sequence of float
            The eps values, decreasing (default :data:`EPS_SCHEDULE`).

        Yields
        ------
        tuple
            ``(eps, x, ipopt_iterations, termination)``; Ipopt errors give termination
            ``"error: <ExceptionType>"`` instead of raising.
        """
        import time

        system = self.system
        system.load_work(np.clip(x0, system.lb, system.ub))
        self._init_splits()
        opts = dict(DEFAULT_IPOPT_OPTIONS)
        opts.update(options or {})
        for eps in schedule:
            if deadline is not None:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return
                opts["max_wall_time"] = max(left, 0.01)
            self.block.eps.set_value(eps)
            counter = [0]

            def callback(*args: Any) -> bool:
                """Ipopt's intermediate callback: counts iterations.

                Parameters
                ----------
                *args
                    Ipopt's iteration data (unused).

                Returns
                -------
                bool
                    True (never stops Ipopt).
                """
                counter[0] += 1
                return True

            for v in system.degenerate:  # lb == ub Vars are data while Ipopt runs too
                v.fix(float(v.lb))
            self._push_off_bounds(opts)
            try:
                results = self.solver.solve(system.work, options=opts, intermediate_callback=callback)
                termination = str(results.solver.termination_condition)
            except Exception as exc:  # Ipopt/evaluation errors: report, do not crash the caller
                logging.getLogger(__name__).debug("Ipopt failed: %s", exc)
                termination = f"error: {type(exc).__name__}"
            finally:
                for v in system.degenerate:
                    v.unfix()
            yield eps, system.current_x(), max(counter[0] - 1, 0), termination
