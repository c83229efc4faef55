"""Exact parametric trace of Gomory's B1(Y): pieces (Y interval, optimal x) found with the exact DP.

B1(Y) = C(Y) + min(OPT_<=(Y), OPT_>=(Y)) (models/gomory.md, "B1: why the smaller of both
directions"), where OPT_s(Y) = max c(Y).x over x in {0,1}^n with V(Y).x (s) 1 - Y.  Each direction
is traced separately as a list of pieces on which one x is optimal; B1 at any Y is then a lookup
plus C(Y) + c(Y).x (:meth:`B1Trace.evaluate`), instead of two DPs per Y.

Structure used (t = ln(Y / (1 - Y))):

* V(Y).x - (1 - Y) = a_x Y - (1 - b_x)(1 - Y) increases with Y, so x is feasible for "<=" exactly
  when Y <= Y(x) (its own equilibrium income, Eq. 2) and for ">=" when Y >= Y(x).
* With one exponent per good, c_i(Y) = d_i1 (k_i + alpha_i t), k_i = ln(e_i2/e_i1) + alpha_i ln(L_2/L_1),
  so every pattern's value is a line in t: K_x + S_x t.  A change of the optimum between two solved
  points t_a < t_b is then either the crossing of the two optimal lines or the moment one of the two
  optimal patterns leaves/enters the feasible set (t = logit Y(x), moved by the DP row's slack to
  where the DP itself starts or stops accepting x: ``_Lines.t_dp``, :mod:`trade_opt.gomory.b1_lines`); both are computed exactly and
  the DP is re-solved there.  With per-country exponents the values are not lines: no trace
  (ArgumentError, a ValueError; use the DP per Y).

Every breakpoint is certified: the exact DP of its direction (:func:`~trade_opt.gomory.boundary.mixed_direction_dp` at one Y)
returns the left piece's x (or one of equal value) just below it and the right piece's just above
it, within :data:`BREAK_TOL` in t (``Breakpoint.left_t``/``right_t``).  Every piece [t_a, t_b]
with optimum x at both ends is certified by one more DP (:func:`~trade_opt.gomory.boundary.mixed_direction_dp`):
for "<=", every pattern feasible somewhere in (t_a, t_b] is feasible at t_a (the feasible set
shrinks as t grows) and no better than x there, so if none beats x at t_b (values at t_b, trade row
at t_a) none beats it anywhere in between (lines); ">=" mirrors this.  If one does, the interval is
split where its line crosses x's and both halves are traced again.

The certificate's DP (values at one end, row at the end with the larger feasible set) also
maximizes over a superset of the feasible set at its value end, so its optimum, where the DP's own
row at that end accepts it, is the optimum there: the side of a breakpoint next to the larger set
(">=": right, "<=": left) and each grid point are solved that way (:meth:`B1Trace._fused`), which
certifies the interval up to that end in the same DP whenever the optimum there is the end's line.
Adjacent resolved intervals with the same x are merged before their certificate (one per piece).
Every DP gets the nearby traced optima as incumbents (a lower bound for its fixing,
:func:`trade_opt.knapsack.knapsack_dp`); the optimal values do not depend on them.
``solver="ortools"`` solves these knapsacks by OR-Tools' integer branch and bound where it proves its
optimum within a stated bound of the exact one (:func:`trade_opt.knapsack.knapsack_ortools_bounded`,
``B1Trace.value_error_bound``, ~1e-14 at n = 200), else by the DP.
Cost: about 2.5 single-direction DPs per piece (n = 200 on [0.49, 0.51]: 508 DPs, 199 pieces,
~0.35 s); the number of pieces grows with n (8,528 at n = 1000 on that range), so the trace pays off
when B1 is wanted at many more Y than there are pieces (e.g. at the Y(x) of all 2^n - 2 equilibria,
for Theorem 3); measured in benchmarks/bench_gomory_kernel.py's B1 table.

The pieces and the lookups (:class:`~trade_opt.gomory.b1_directions.DirectionTrace`,
:class:`~trade_opt.gomory.b1_directions.TraceLookup`, the base of :class:`B1Trace`) are in
:mod:`trade_opt.gomory.b1_directions`, the lines in t in :mod:`trade_opt.gomory.b1_lines`;
their names are importable from here too (their former home).
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.b1_directions import Breakpoint, DirectionTrace, TraceLookup  # noqa: F401  (re-exported)
from trade_opt.gomory.b1_lines import _expit, _Lines, _logit  # noqa: F401  (re-exported)
from trade_opt.gomory.boundary import KnapsackData, knapsack_data, mixed_direction_dp, trade_knapsacks
from trade_opt.gomory.instance import GomoryData
from trade_opt.knapsack import FEASIBLE_MARGIN, KnapsackSolution, capacity_slack, knapsack_ortools_bounded

#: Width in t = logit(Y) below which a located change is accepted as one breakpoint.
BREAK_TOL = 1e-11
#: Relative tolerance under which two optimal values are equal (ties: same piece).
VALUE_TOL = 1e-13
#: Offset in t beyond a pattern's own t_y (where it leaves or enters a feasible set) that exceeds the DP's
#: capacity slack (relative 1e-12), so the trade row there excludes the pattern.
PHANTOM_GAP = 1e-9
#: Points of the initial grid in t.
DEFAULT_GRID = 33
#: Solvers of the trace's knapsacks: "dp" (exact) or "ortools" (within a proven value bound).
SOLVERS = ("dp", "ortools")


class B1Trace(TraceLookup):
    """The exact parametric trace of B1 on [Y_low, Y_high] (both directions); see the module docstring.

    Parameters
    ----------
    data : GomoryData
        The instance: one exponent per good (alpha_i1 = alpha_i2), f = e l^alpha.
    Y_low, Y_high : float
        The range of Y = N_1 traced, 0 < Y_low < Y_high < 1.
    grid : int
        Points of the initial grid, equally spaced in t = logit(Y).
    solver : {"dp", "ortools"}
        "dp": every knapsack by the exact DP (default); "ortools": by OR-Tools' integer branch
        and bound where it proves its optimum within ``value_error_bound`` of the exact one
        (:func:`trade_opt.knapsack.knapsack_ortools_bounded`, 2 n sum(c) 2^-52, ~1e-14 here), else
        by the DP; needs the ``ortools`` extra (without it every knapsack falls back to the DP).
    progress : callable, optional
        ``progress(fraction)`` is called each time an interval of t is resolved, with its share of
        the whole trace (both directions); the shares add up to 1 (e.g. a progress bar's ``advance``).

    Raises
    ------
    ArgumentError
        A range outside (0, 1), an unknown solver, production other than f = e l^alpha, or
        per-country exponents (c(Y).x is then not a line in logit(Y): use the DP per Y).

    Attributes
    ----------
    directions : the "<=" and ">=" :class:`DirectionTrace`
    dp_calls : knapsack solves (each: one direction at one Y, or one certificate) spent on the trace
    ortools_calls : of those, solved by OR-Tools within its bound (``solver="ortools"``)
    value_error_bound : largest proven |OR-Tools optimum - exact optimum| used (0 with the DP)
    seconds : wall time of the trace"""

    def __init__(self, data: GomoryData, Y_low: float = 1e-6, Y_high: float = 1 - 1e-6, grid: int = DEFAULT_GRID,
                 solver: str = "dp", progress: Callable[[float], None] | None = None):
        if not 0 < Y_low < Y_high < 1:
            raise ArgumentError("Y_low/Y_high", f"need 0 < Y_low < Y_high < 1, got {Y_low}, {Y_high}")
        if not data.production.specialized_as_power:
            raise ArgumentError("data", f"the parametric B1 trace needs the specialized equilibria of f = e l^alpha "
                                f"(production kind power or barrier), not {data.production.kind}; "
                                "use boundary.BoundarySolver point by point")
        if solver not in SOLVERS:
            raise ArgumentError("solver", f"must be one of {', '.join(SOLVERS)}, got {solver!r}")
        if np.any(data.alpha[0] != data.alpha[1]):
            raise ArgumentError("data", "the exact B1 trace needs one exponent per good (alpha_i1 = alpha_i2): with "
                                "per-country exponents c(Y).x is not a line in logit(Y); use boundary_B1_dp per Y")
        start = time.perf_counter()
        self.data = data
        self.Y_low, self.Y_high = float(Y_low), float(Y_high)
        self.linear = bool(np.all(data.alpha[0] == data.alpha[1]))
        self._lines = _Lines(data) if self.linear else None
        self._cache: dict[tuple, object] = {}
        self._kd_cache: dict[float, KnapsackData] = {}
        self.solver = solver
        self.dp_calls = 0
        self.ortools_calls = 0
        self.value_error_bound = 0.0
        self._progress = progress
        ts = np.linspace(_logit(self.Y_low), _logit(self.Y_high), max(int(grid), 2))
        self.directions = tuple(self._trace(k, ts) for k in range(2))
        self.seconds = time.perf_counter() - start

    # ----------------------------------------------------------------- DP at one t
    def _solve(self, t: float, k: int, hints: tuple[np.ndarray, ...] = ()):
        """The exact DP of direction k at t (one direction: the other one's DP is not needed here);
        ``hints``: patterns known nearby, the best one feasible at t is the DP's incumbent."""
        key = (t, k)
        if key not in self._cache:
            self.dp_calls += 1
            Y = _expit(t)
            self._cache[key] = self._direction(Y, Y, "<=" if k == 0 else ">=", self._incumbent(k, t, t, hints))
        return self._cache[key]

    def _incumbent(self, k: int, t_value: float, t_feasible: float, hints) -> np.ndarray | None:
        """The hint of largest value at t_value among those feasible at t_feasible (lines), or None."""
        best, best_value = None, -math.inf
        for x in hints:
            if x is not None and self._feasible(k, x, t_feasible):
                v = self._lines.value(x, t_value)
                if v > best_value:
                    best, best_value = x, v
        return best

    def _direction(self, Y_value: float, Y_feasible: float, direction: str, incumbent: np.ndarray | None = None):
        """max c(Y_value).x with the trade row of Y_feasible (:func:`~trade_opt.gomory.boundary.mixed_direction_dp`):
        the exact DP, or with ``solver="ortools"`` OR-Tools' B&B within its proven bound
        (:func:`trade_opt.knapsack.knapsack_ortools_bounded`; the DP where it declines)."""
        if self.solver == "ortools":
            kd = self._data_at(Y_value)
            if Y_feasible != Y_value:
                feas = self._data_at(Y_feasible)
                kd = KnapsackData(feas.Y, kd.c, feas.V, feas.capacity, kd.constant)
            problem = trade_knapsacks(kd)[0 if direction == "<=" else 1]
            got = knapsack_ortools_bounded(problem.values, problem.weights, problem.rhs, problem.sense)
            if got is not None:
                sol, delta = got
                self.ortools_calls += 1
                self.value_error_bound = max(self.value_error_bound, delta)
                return KnapsackSolution(problem.offset + sol.value, problem.to_x(sol.x), "ortools", sol.seconds)
        return mixed_direction_dp(self.data, Y_value, Y_feasible, direction, incumbent, self._data_at)

    def _data_at(self, Y: float) -> KnapsackData:
        """:func:`~trade_opt.gomory.boundary.knapsack_data` at one Y, computed once per Y of the trace."""
        kd = self._kd_cache.get(Y)
        if kd is None:
            kd = self._kd_cache[Y] = knapsack_data(self.data, Y)
        return kd

    def _x(self, k: int, t: float, hints: tuple[np.ndarray, ...] = ()) -> tuple[np.ndarray, float]:
        sol = self._solve(t, k, hints)
        return sol.x.astype(np.float64), sol.value

    def _same(self, k: int, xa: np.ndarray, xb: np.ndarray, ta: float, tb: float) -> bool:
        """Same piece: the same x, or (lines) two patterns with the same line K + S t (a tie
        everywhere), both feasible on [ta, tb]."""
        if np.array_equal(xa, xb):
            return True
        if not self.linear:
            return False
        L = self._lines
        Ka, Kb, Sa, Sb = L.K @ xa, L.K @ xb, L.S @ xa, L.S @ xb
        scale = VALUE_TOL * max(1.0, abs(Ka), abs(Sa))
        if abs(Ka - Kb) > scale or abs(Sa - Sb) > scale:
            return False
        return all(self._feasible(k, x, t) for x in (xa, xb) for t in (ta, tb))

    def _feasible(self, k: int, x: np.ndarray, t: float) -> bool:
        own = self._lines.t_own(x)
        return t <= own if k == 0 else t >= own

    def _fused(self, k: int, t: float, t_end: float, x_end: np.ndarray, hints: tuple) -> tuple[np.ndarray, bool]:
        """The optimum of direction k at t, and whether it is certified optimal on [t, t_end] (">=",
        t < t_end) or [t_end, t] ("<=", t_end < t), given x_end optimal at t_end: one DP.

        The DP takes the values at t and the row at t_end, whose feasible set contains every one of
        the interval (">=" grows with t, "<=" shrinks).  Its optimum y, if the DP's own row at t
        accepts it (:meth:`_dp_feasible`), is therefore optimal at t; and if y is
        x_end's line (:meth:`_same`), nothing feasible in the interval beats it at either end, hence
        anywhere in between (values are lines): the certificate of :meth:`_certify` and the DP at t
        in one.  Otherwise (y infeasible at t, or an end too close for the row's slack) the plain DP at t."""
        if (t, k) in self._cache or abs(t_end - t) <= PHANTOM_GAP * max(1.0, abs(t)):
            return self._x(k, t, hints)[0], False
        direction = "<=" if k == 0 else ">="
        sol = self._direction(_expit(t), _expit(t_end), direction, self._incumbent(k, t, t_end, hints + (x_end,)))
        self.dp_calls += 1
        if np.isfinite(sol.value):
            y = sol.x.astype(np.float64)
            if self._dp_feasible(k, y, t):
                self._cache[(t, k)] = sol
                return y, self._same(k, y, x_end, min(t, t_end), max(t, t_end))
        return self._x(k, t, hints + (sol.x.astype(np.float64),))[0], False

    def _dp_feasible(self, k: int, x: np.ndarray, t: float) -> bool:
        """Whether the exact DP of direction k at t accepts x, with room: its row (the formulation of
        :func:`~trade_opt.gomory.boundary.trade_knapsacks`, slack :func:`~trade_opt.knapsack.capacity_slack`)
        holds with :data:`~trade_opt.knapsack.FEASIBLE_MARGIN` x rhs to spare (far above the rounding
        of the load's sum, ~n eps, so the DP's own sums accept x too)."""
        problem = trade_knapsacks(self._data_at(_expit(t)))[k]
        z = problem.to_x(x)
        load = math.fsum((problem.weights * z).tolist())
        room = capacity_slack(problem.rhs, len(z)) - FEASIBLE_MARGIN * abs(problem.rhs)
        return load <= problem.rhs + room if problem.sense == "<=" else load >= problem.rhs - room

    def _certify(self, k: int, ta: float, tb: float, x: np.ndarray) -> float | None:
        """None if x is optimal on all of [ta, tb] (x optimal at both ends), else a t inside to split at.

        "<=": a pattern feasible somewhere in (ta, tb] is feasible at ta and no better than x there; if
        none of them beats x at tb either (one DP: values at tb, row at ta), none does in between
        (values are lines in t).  ">=" mirrors it (values at ta, row at tb)."""
        L = self._lines
        if k == 0:
            sol = self._direction(_expit(tb), _expit(ta), "<=", x)
            t_val = tb
        else:
            sol = self._direction(_expit(ta), _expit(tb), ">=", x)
            t_val = ta
        self.dp_calls += 1
        mine = L.value(x, t_val)
        if sol.value <= mine + VALUE_TOL * max(1.0, abs(mine)):
            return None
        y = sol.x.astype(np.float64)
        dS = L.S @ y - L.S @ x
        cross = (L.K @ x - L.K @ y) / dS if dS != 0 else 0.5 * (ta + tb)
        # a "phantom": y beats x only where y is no longer feasible ("<=": after y leaves at t_y;
        # ">=": before y enters at t_y).  Split just beyond t_y, where the trade row excludes y.
        t_y = L.t_own(y)
        gap = PHANTOM_GAP * max(1.0, abs(t_y)) if math.isfinite(t_y) else 0.0
        if k == 0 and math.isfinite(t_y) and t_y < cross and ta < t_y + gap < tb:
            return t_y + gap
        if k == 1 and math.isfinite(t_y) and t_y > cross and ta < t_y - gap < tb:
            return t_y - gap
        return cross if ta < cross < tb else 0.5 * (ta + tb)

    def _candidate(self, k: int, ta: float, xa: np.ndarray, tb: float, xb: np.ndarray) -> float:
        """Where the optimum changes if only xa and xb matter (lines), else the midpoint."""
        mid = 0.5 * (ta + tb)
        if not self.linear:
            return mid
        L = self._lines
        cands = []
        Ka, Sa, Kb, Sb = L.K @ xa, L.S @ xa, L.K @ xb, L.S @ xb
        if Sa != Sb:
            cands.append((Kb - Ka) / (Sa - Sb))
        if k == 0:
            cands.append(L.t_dp(xa, k))          # xa leaves the "<=" feasible set (of the DP's row)
        else:
            cands.append(L.t_dp(xb, k))          # xb enters the ">=" feasible set (of the DP's row)
        # a change found within BREAK_TOL outside [ta, tb] (rounding of a crossing just solved) is at the end
        slack = BREAK_TOL * max(1.0, abs(ta), abs(tb))
        inside = [min(max(c, ta + 0.1 * slack), tb - 0.1 * slack) for c in cands
                  if math.isfinite(c) and ta - slack < c < tb + slack]
        inside = [c for c in inside if ta < c < tb]
        return min(inside) if (inside and k == 0) else (max(inside) if inside else mid)

    # ----------------------------------------------------------------- one direction
    def _trace(self, k: int, ts: np.ndarray) -> DirectionTrace:
        edges, bps = [float(ts[0])], []
        stack = []
        pieces: list[tuple[float, float, np.ndarray, np.ndarray]] = []   # (ta, tb, xa, xb) resolved intervals
        span = float(ts[-1] - ts[0])

        def resolved(piece: tuple[float, float, np.ndarray, np.ndarray]) -> None:
            pieces.append(piece)       # the resolved intervals tile [t_0, t_end]: report their share
            if self._progress is not None:
                self._progress(0.5 * (piece[1] - piece[0]) / span)
        # the grid from the end where the feasible set is largest ("<=": left, ">=": right), each point
        # solved with the row of the point before it (:meth:`_fused`): often certifies the interval too
        order = list(range(len(ts))) if k == 0 else list(range(len(ts) - 1, -1, -1))
        xs_grid: dict[int, np.ndarray] = {order[0]: self._x(k, float(ts[order[0]]))[0]}
        misses = 0                  # fused DPs in a row that fell back to the plain DP: stop trying after 2
        for prev, i in zip(order[:-1], order[1:]):
            if misses < 2:
                before = self.dp_calls
                xs_grid[i], done = self._fused(k, float(ts[i]), float(ts[prev]), xs_grid[prev], ())
                misses = misses + 1 if self.dp_calls - before > 1 else 0
            else:
                xs_grid[i], done = self._x(k, float(ts[i]), (xs_grid[prev],))[0], False
            lo, hi = min(i, prev), max(i, prev)
            if done:
                resolved((float(ts[lo]), float(ts[hi]), xs_grid[i], xs_grid[i]))
            else:
                stack.append((float(ts[lo]), xs_grid[lo], float(ts[hi]), xs_grid[hi]))
        pending: list[tuple[float, np.ndarray, float, np.ndarray]] = []  # same x at both ends, to certify
        cuts: set[float] = set()
        while stack or pending:
            while stack:
                ta, xa, tb, xb = stack.pop()
                if self._same(k, xa, xb, ta, tb):
                    pending.append((ta, xa, tb, xb))
                    continue
                if tb - ta <= BREAK_TOL * max(1.0, abs(ta)):
                    resolved((ta, tb, xa, xb))
                    continue
                c = self._candidate(k, ta, xa, tb, xb)
                # solve just below and just above c (a change exactly at c is certified by one pair); a
                # side within eps of an end uses the end's solution
                eps = 0.25 * BREAK_TOL * max(1.0, abs(c))
                inner = [t for t in (c - eps, c + eps) if ta < t < tb] or [0.5 * (ta + tb)]
                # the side next to the end with the larger feasible set (">=": tb, "<=": ta) is solved with
                # that end's row (:meth:`_fused`); it often certifies the interval up to that end
                fused = len(inner) - 1 if k == 1 else 0
                pts, certified = [(ta, xa)], None
                for j, t in enumerate(inner):
                    if j == fused:
                        x, done = self._fused(k, t, tb if k == 1 else ta, xb if k == 1 else xa, (xa, xb))
                        certified = j + (1 if k == 1 else 0) if done else None
                    else:
                        x = self._x(k, t, (xa, xb))[0]
                    pts.append((t, x))
                pts.append((tb, xb))
                intervals = list(zip(pts[:-1], pts[1:]))
                for j in range(len(intervals) - 1, -1, -1):
                    (t0, x0), (t1, x1) = intervals[j]
                    if j == certified:
                        x_piece = x1 if k == 1 else x0
                        resolved((t0, t1, x_piece, x_piece))
                    else:
                        stack.append((t0, x0, t1, x1))
            # adjacent intervals with the same x are one piece: one certificate for all of them (the
            # certificate needs x optimal at both ends and feasible in between, which the merge keeps)
            pending.sort(key=lambda p: p[0])
            merged: list[tuple[float, np.ndarray, float, np.ndarray]] = []
            for ta, xa, tb, xb in pending:
                if merged and merged[-1][2] == ta and ta not in cuts and self._same(k, merged[-1][1], xb, merged[-1][0], tb):
                    merged[-1] = (merged[-1][0], merged[-1][1], tb, xb)
                else:
                    merged.append((ta, xa, tb, xb))
            pending = []
            for ta, xa, tb, xb in merged:
                split = self._certify(k, ta, tb, xa) if self.linear else None
                if split is None:
                    resolved((ta, tb, xa, xa))   # one piece (xa is xb marks it)
                else:                                 # never merged across a failed certificate's cut again
                    cuts.add(split)
                    xs_, _ = self._x(k, split, (xa, xb))
                    stack.append((split, xs_, tb, xb))
                    stack.append((ta, xa, split, xs_))
        pieces.sort(key=lambda p: p[0])
        # the resolved intervals tile [t_0, t_end]; only a change interval (width <= BREAK_TOL) starts a piece
        xs: list[np.ndarray] = [pieces[0][2]]
        for ta, tb, xa, xb in pieces:
            if xa is xb or self._same(k, xa, xb, ta, tb):
                continue
            tc = 0.5 * (ta + tb)
            if self.linear:
                c = self._candidate(k, ta, xa, tb, xb)
                tc = c if ta <= c <= tb else tc
            edges.append(tc)
            xs.append(xb)
            bps.append(Breakpoint(tc, _expit(tc), ta, tb))
        edges.append(float(ts[-1]))
        X = np.array(xs)
        out_edges = np.array(edges)
        return DirectionTrace("<=" if k == 0 else ">=", out_edges, X, bps)


def b1_at_many_Y(data: GomoryData, Y: np.ndarray, grid: int = DEFAULT_GRID,
                 progress: Callable[[float], None] | None = None) -> np.ndarray:
    """B1(Y) at many Y from one exact trace over [min Y, max Y] (e.g. every equilibrium's Y(x) for
    Theorem 3: u(x, Y(x)) <= B1(Y(x))).  Equal to the per-point DP (:func:`trade_opt.gomory.boundary.boundary_B1_dp`).

    Parameters
    ----------
    data : GomoryData
        The instance (production kind power or barrier: see :class:`B1Trace`).
    Y : numpy.ndarray
        Income shares of country 1, any shape flattened to (m,), in (0, 1).  When all are equal
        the trace covers [Y, min(Y (1 + 1e-9), (1 + Y) / 2)].
    grid : int
        Initial grid points of the trace (:class:`B1Trace`).
    progress : callable, optional
        Passed to :class:`B1Trace` (shares of the trace done, adding up to 1).

    Returns
    -------
    numpy.ndarray
        B1 at each Y, the shape of ``Y``.

    Raises
    ------
    trade_opt.errors.ArgumentError
        The production kind has no parametric trace (per-country exponents), or Y not in (0, 1).
    """
    Y = np.asarray(Y, dtype=float)
    if Y.size == 0:
        return np.zeros(0)
    low = float(Y.min())
    high = float(Y.max()) if Y.max() > low else min(low * (1 + 1e-9), 0.5 * (1 + low))
    trace = B1Trace(data, low, high, grid, progress=progress)
    return trace.evaluate(Y.ravel())[0].reshape(Y.shape)
