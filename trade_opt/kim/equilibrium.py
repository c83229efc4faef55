"""Free-entry equilibria: multi-start MCP solves, verification, stability, distinct solutions.

Note section 7.  The MCP (built by :func:`trade_opt.kim.mcp_model.build_mcp_model`) is solved by
the shared layer :func:`trade_opt.mcp.solve`; every solution it returns is re-checked here with
the independent numpy chain (:func:`trade_opt.kim.model.chain`):

* G(xt) = -Pi/(W f) per firm, dimensionless (profits 26, 27, 29);
* natural residual max |min(xt, G)|;
* lambda_max = the largest real part of the eigenvalues of d(Pi/(W f))/d(ln x) restricted to the
  support (tiers/regions with x > 0): the Jacobian of the entry dynamics d ln x/dt = Pi/(W f)
  (the note's definition).  It is computed by central differences of the numpy chain in ln x.
  < 0: stable under entry and exit.

From J = 10 regions on, each start is first moved along those entry dynamics
(:func:`relax_start`) until the natural residual is <= 1e-3: the raw starts are far from the
equilibria of large instances (J = 50: most of the 4J firm numbers are 0 there, and the MCP layer
failed from the income-share start), while the relaxed ones need a few Newton steps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from trade_opt.errors import SolveError, SolverUnavailableError
from trade_opt.kim.instance import KimData
from trade_opt.kim.model import TIERS, KimState, chain
from trade_opt.kim.mcp_model import KimMCP, build_mcp_model, reference_totals

#: Scaled firm numbers below this count as zero (outside the support).
SUPPORT_TOL = 1e-9
#: Scaled firm numbers at or below this returned by the solver are set to exactly 0 in :func:`verify`.
ZERO_TOL = 1e-13
#: Two solutions whose scaled firm numbers differ by less than this (max norm) are the same.
DISTINCT_TOL = 1e-6
#: A returned solution is accepted when the numpy natural residual is at most this.
ACCEPT_RESIDUAL = 1e-8
#: ``solve_equilibria(relax="auto")`` relaxes the starts by the entry dynamics from this many regions on.
RELAX_MIN_J = 10


def losses(data: KimData, xt: np.ndarray, xbar: np.ndarray | None = None) -> np.ndarray:
    """G = -Pi/(W f) at scaled firm numbers ``xt`` (x = xt * xbar), by the numpy chain (profits 26, 27, 29).

    Parameters
    ----------
    data : KimData
        Instance arrays.
    xt : numpy.ndarray
        Scaled firm numbers x / xbar, shape (4, J) (rows A1, A2, F, S).
    xbar : numpy.ndarray, optional
        Reference totals (:func:`~trade_opt.kim.mcp_model.reference_totals`; computed if None).

    Returns
    -------
    numpy.ndarray
        Dimensionless losses per firm, shape (4, J).
    """
    xbar = reference_totals(data) if xbar is None else xbar
    x = np.asarray(xt, float) * xbar[:, None]
    state = chain(data, x[:2], x[2], x[3])
    return -state.profit / (data.W[None] * data.fixed_labour[:, None])


def natural_residual_np(xt: np.ndarray, G: np.ndarray) -> float:
    """max |min(xt, G)| over all 4J pairs xt >= 0 perp G (models/kim_location.md, 'Free entry as an MCP').

    Parameters
    ----------
    xt : numpy.ndarray
        (4, J) scaled firm numbers.
    G : numpy.ndarray
        (4, J) losses -Pi/(W f) (:func:`losses`), dimensionless.

    Returns
    -------
    float
        :func:`trade_opt.mcp.residual.natural_residual_array` with ``lb = 0, ub = inf``.
    """
    from trade_opt.mcp.residual import natural_residual_array  # lazy: trade_opt.mcp imports Pyomo

    return natural_residual_array(xt, G)


def entry_jacobian(data: KimData, xt: np.ndarray, support: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """d(Pi/(W f))/d(ln x) on the support, by central differences in ln x (models/kim_location.md, 'Free entry as an MCP').

    Parameters
    ----------
    data : KimData
        Instance arrays.
    xt : numpy.ndarray
        Scaled firm numbers x / xbar, shape (4, J) (rows A1, A2, F, S).
    support : numpy.ndarray
        Boolean (4, J) mask of the tiers/regions with x > 0.
    step : float
        Central-difference step in ln x.

    Returns
    -------
    numpy.ndarray
        Shape (s, s), s = number of supported entries (row-major order of the mask).
    """
    xbar = reference_totals(data)
    idx = np.flatnonzero(support.ravel())
    jac = np.empty((idx.size, idx.size))
    for col, flat in enumerate(idx):
        up, down = np.array(xt, float), np.array(xt, float)
        up.flat[flat] *= np.exp(step)
        down.flat[flat] *= np.exp(-step)
        diff = (losses(data, down, xbar) - losses(data, up, xbar)) / (2 * step)  # d(-G) = d(Pi/Wf)
        jac[:, col] = diff.ravel()[idx]
    return jac


def lambda_max(data: KimData, xt: np.ndarray, support_tol: float = SUPPORT_TOL) -> float:
    """Largest real part of the eigenvalues of the entry-dynamics Jacobian on the support (< 0: stable).

    Parameters
    ----------
    data : KimData
        Instance arrays.
    xt : numpy.ndarray
        Scaled firm numbers x / xbar, shape (4, J) (rows A1, A2, F, S).
    support_tol : float
        Scaled firm numbers above this are in the support.

    Returns
    -------
    float
        lambda_max (models/kim_location.md, 'Free entry as an MCP').
    """
    support = np.asarray(xt) > support_tol
    return float(np.max(np.linalg.eigvals(entry_jacobian(data, xt, support)).real))


@dataclass(frozen=True, eq=False)
class KimSolution:
    """One free-entry equilibrium.

    Attributes
    ----------
    xt : (4, J) scaled firm numbers x / xbar; x : (4, J) firm numbers (rows A_1, A_2, F, S).
    G : (4, J) -Pi/(W f) from the numpy chain; residual : natural residual (numpy).
    lambda_max : stability (< 0 stable); support : (4, J) bool, x > 0.
    state : the numpy chain at x (prices, demands, profits).
    mcp_residual : the residual the MCP layer reported.
    """

    xt: np.ndarray
    x: np.ndarray
    G: np.ndarray
    residual: float
    lambda_max: float
    support: np.ndarray
    state: KimState
    mcp_residual: float

    @property
    def shares(self) -> np.ndarray:
        """Each tier's firms by region as shares of the tier total.

        Returns
        -------
        numpy.ndarray
            Shape (4, J); rows sum to 1.
        """
        return self.x / self.x.sum(axis=1, keepdims=True)

    def summary(self) -> dict:
        """The JSON contract of ``trade-opt kim solve --json`` (without status/count).

        Returns
        -------
        dict
            Firm numbers ``m1, m2, n, r``, ``profits`` and ``prices`` by tier, ``residual``, ``lambda_max``.
        """
        profit = self.state.profit
        return {
            "m1": self.x[0].tolist(), "m2": self.x[1].tolist(), "n": self.x[2].tolist(), "r": self.x[3].tolist(),
            "profits": {tier: profit[t].tolist() for t, tier in enumerate(TIERS)},
            "prices": {"P_A1": self.state.P_A[0].tolist(), "P_A2": self.state.P_A[1].tolist(),
                       "P_F": self.state.P_F.tolist(), "P_S": self.state.P_S.tolist()},
            "residual": self.residual,
            "lambda_max": self.lambda_max,
        }


@dataclass(frozen=True, eq=False)
class KimEquilibria:
    """Outcome of a multi-start solve: distinct verified solutions, most stable first."""

    solutions: list[KimSolution]
    status: str
    starts: int
    seconds: float
    message: str = ""
    mcp_statuses: list[str] = field(default_factory=list)
    iterations: dict = field(default_factory=dict)

    @property
    def best(self) -> KimSolution:
        """The most stable solution found (smallest lambda_max).

        Returns
        -------
        KimSolution

        Raises
        ------
        SolveError
            If no equilibrium was found.
        """
        if not self.solutions:
            raise SolveError(f"no free-entry equilibrium found from {self.starts} starts: {self.message}")
        return self.solutions[0]

    @property
    def distinct(self) -> int:
        """Number of distinct verified solutions.

        Returns
        -------
        int
        """
        return len(self.solutions)


def default_starts(data: KimData, n_random: int = 0, seed: int = 0, scale: float = 0.9) -> list[np.ndarray]:
    """Scaled starts strictly inside the box sum_k xt(k) W(k)/Wbar <= 1 (models/kim_location.md, 'Free entry as an MCP').

    Income shares, uniform, one start concentrated (90 %) in each region, and ``n_random`` seeded
    Dirichlet draws.  Each is a (4, J) array with the same regional pattern in every tier.

    Parameters
    ----------
    data : KimData
        Instance arrays.
    n_random : int
        Number of random (Dirichlet) starts.
    seed : int
        Seed of the random starts.
    scale : float
        Share of the box used: sum_k xt(k) W(k)/Wbar = ``scale`` (before the 1e-3/J floor).

    Returns
    -------
    list of numpy.ndarray
        2 + J (J > 1) + ``n_random`` starts, each (4, J).
    """
    J = data.J
    w = data.W / np.mean(data.W)
    patterns = [data.I / data.I.sum() if data.I.sum() > 0 else np.full(J, 1 / J), np.full(J, 1.0 / J)]
    if J > 1:
        for k in range(J):
            p = np.full(J, 0.1 / (J - 1))
            p[k] = 0.9
            patterns.append(p)
    rng = np.random.default_rng(seed)
    patterns.extend(rng.dirichlet(np.ones(J)) for _ in range(n_random))
    starts = []
    for p in patterns:
        p = np.maximum(p, 1e-3 / J)
        row = scale * p / np.sum(p * w)
        starts.append(np.tile(row, (4, 1)))
    return starts


def relax_start(data: KimData, xt0: np.ndarray, *, target: float = 1e-3, dt: float = 0.5,
                max_steps: int = 5000, floor: float = 1e-12) -> np.ndarray:
    """Move a scaled start along the entry dynamics d ln x/dt = Pi/(W f) = -G (models/kim_location.md, 'Free entry as an MCP').

    Projected explicit Euler in ln xt: ``ln xt <- max(ln xt - dt * clip(G, -1, 1), ln floor)``
    (per step a firm number changes by at most a factor e^dt), G from the numpy chain
    (:func:`losses`; profits 26, 27, 29).  Stops as soon as the natural residual
    max|min(xt, G)| is <= ``target``, or after ``max_steps`` steps; returns the point with the
    smallest residual seen (``xt0`` itself if it already meets ``target``: warm starts and exact
    equilibria, stable or not, are left alone).  Tiers never empty: the profit of a firm in an
    emptying tier grows without bound, so its G turns negative and the tier re-enters.

    The dynamics converge to *stable* equilibria (lambda_max < 0): losing tiers/regions shrink
    geometrically, so the active set is identified after a few hundred cheap O(J^2) steps and the
    support Newton of :func:`trade_opt.mcp.solve` finishes from the result (measured: J = 50, 295
    steps, 0.11 s, then 3 Newton iterations; from the raw income-share start the MCP layer failed).

    Parameters
    ----------
    data : KimData
        Instance arrays.
    xt0 : numpy.ndarray
        Scaled start, shape (4, J).
    target : float
        Natural residual at which to stop.
    dt : float
        Euler step in ln xt.
    max_steps : int
        Most steps.
    floor : float
        Smallest scaled firm number (keeps ln xt finite).

    Returns
    -------
    numpy.ndarray
        The point with the smallest residual seen, shape (4, J).
    """
    xbar = reference_totals(data)
    xt = np.maximum(np.asarray(xt0, float), floor)
    y = np.log(xt)
    G = losses(data, xt, xbar)
    best, best_res = xt, natural_residual_np(xt, G)
    for _ in range(max_steps):
        if best_res <= target:
            break
        y = np.maximum(y - dt * np.clip(G, -1.0, 1.0), np.log(floor))
        xt = np.exp(y)
        G = losses(data, xt, xbar)
        res = natural_residual_np(xt, G)
        if res < best_res:
            best, best_res = xt, res
    return best


def _distinct(solutions: Iterable[KimSolution]) -> list[KimSolution]:
    kept: list[KimSolution] = []
    for sol in solutions:
        if all(np.max(np.abs(sol.xt - other.xt)) > DISTINCT_TOL for other in kept):
            kept.append(sol)
    return kept


def verify(data: KimData, xt: np.ndarray, mcp_residual: float = float("nan")) -> KimSolution:
    """Re-evaluate a candidate with the numpy chain: residual, stability, state.

    Scaled firm numbers at or below :data:`ZERO_TOL` are set to exactly 0 first.

    Parameters
    ----------
    data : KimData
        Instance arrays.
    xt : numpy.ndarray
        Scaled firm numbers x / xbar, shape (4, J) (rows A1, A2, F, S).
    mcp_residual : float
        The residual the MCP layer reported (stored as is).

    Returns
    -------
    KimSolution
        The verified solution.
    """
    xbar = reference_totals(data)
    xt = np.asarray(xt, float)
    xt = np.where(xt > ZERO_TOL, xt, 0.0)  # solver round-off (1e-24) at inactive bounds -> exactly 0
    x = xt * xbar[:, None]
    state = chain(data, x[:2], x[2], x[3])
    G = -state.profit / (data.W[None] * data.fixed_labour[:, None])
    support = xt > SUPPORT_TOL
    return KimSolution(xt=xt, x=x, G=G, residual=natural_residual_np(xt, G), lambda_max=lambda_max(data, xt),
                       support=support, state=state, mcp_residual=float(mcp_residual))


def _stability_of_loaded(data: KimData, mcp: KimMCP) -> float:
    """lambda_max (models/kim_location.md, 'Free entry as an MCP') at the solution currently loaded in the Pyomo model."""
    try:
        return lambda_max(data, mcp.read_xt())
    except ValueError:  # an empty tier: not an equilibrium
        return float("nan")


def solve_equilibria(
    data: KimData,
    starts: Sequence[np.ndarray] | None = None,
    *,
    tol: float = 1e-10,
    formulation: str = "log",
    n_random: int = 0,
    mcp: KimMCP | None = None,
    relax: bool | str = "auto",
) -> KimEquilibria:
    """Solve the free-entry MCP from several starts; return the distinct verified equilibria.

    Parameters
    ----------
    data : KimData
        Instance arrays.
    starts : sequence of numpy.ndarray, optional
        Scaled (4, J) starts; default :func:`default_starts` (with ``n_random`` draws).
    tol : float
        Residual target passed to :func:`trade_opt.mcp.solve`.
    formulation : {"log", "reduced"}
        See :mod:`trade_opt.kim.mcp_model`.
    n_random : int
        Random starts added to the default ones (ignored when ``starts`` is given).
    mcp : KimMCP, optional
        A model already built for ``data`` (re-used across calls).
    relax : bool or "auto"
        Move each start along the entry dynamics first (:func:`relax_start`); ``"auto"``
        (default) does so when ``data.J >= RELAX_MIN_J`` (10).  The relaxed starts lead to stable
        equilibria; pass ``False`` to look for unstable ones from exact starts of your own (a start
        that already has residual <= 1e-3 is never moved).

    Returns
    -------
    KimEquilibria
        Solutions sorted by lambda_max (most stable first); only solutions whose numpy natural
        residual is <= :data:`ACCEPT_RESIDUAL` are kept.  ``status`` is ``"solved"`` if the most
        stable one has residual <= tol, ``"solved_loose"`` if it is only accepted, else ``"failed"``.

    Raises
    ------
    SolverUnavailableError
        If the complementarity layer :mod:`trade_opt.mcp` cannot be imported.
    """
    try:
        from trade_opt.mcp import multistart
    except ImportError as exc:
        raise SolverUnavailableError(f"the complementarity layer trade_opt.mcp is not available ({exc})") from None
    t0 = time.perf_counter()
    mcp = build_mcp_model(data, formulation) if mcp is None else mcp
    starts = list(default_starts(data, n_random=n_random)) if starts is None else list(starts)
    if relax is True or (relax == "auto" and data.J >= RELAX_MIN_J):
        starts = [relax_start(data, s) for s in starts]
    result = multistart(mcp.model, [mcp.start(s) for s in starts], tol=tol,
                        stability=lambda model: _stability_of_loaded(data, mcp))
    candidates = []
    for sol in result.solutions or []:
        try:
            cand = verify(data, mcp.read_xt(sol.values), sol.residual)
        except (ValueError, KeyError):
            continue
        if cand.residual <= ACCEPT_RESIDUAL:
            candidates.append(cand)
    solutions = sorted(_distinct(candidates), key=lambda s: s.lambda_max)
    status = "failed" if not solutions else ("solved" if solutions[0].residual <= tol else "solved_loose")
    return KimEquilibria(solutions=solutions, status=status, starts=len(starts), seconds=time.perf_counter() - t0,
                         message=str(getattr(result, "message", "")), mcp_statuses=[str(result.status)],
                         iterations=dict(getattr(result, "iterations", {}) or {}))


__all__ = ["KimEquilibria", "KimSolution", "default_starts", "lambda_max", "losses", "natural_residual_np",
           "relax_start", "solve_equilibria", "verify"]
