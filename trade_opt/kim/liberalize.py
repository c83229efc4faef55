"""Trade liberalization by continuation: lower the markup T and follow the free-entry equilibrium.

models/kim_location.md, 'Liberalization'.  At each T (every off-diagonal markup of every good set to
T, diagonals kept) the MCP is solved from the previous T's solution (warm start) and, unless
disabled, from the standard starts of :func:`trade_opt.kim.equilibrium.default_starts`; the
reported solution is the one closest to the previous one (the branch), and the number of distinct
verified solutions found is recorded.  Rows are handed to a callback as soon as they are computed,
so a CSV written row by row keeps what was computed if the sweep is interrupted.
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from trade_opt.errors import SolveError
from trade_opt.kim.equilibrium import KimSolution, default_starts, solve_equilibria
from trade_opt.kim.instance import KimData
from trade_opt.kim.model import TIERS


def sweep_values(t_from: float, t_to: float, step: float) -> np.ndarray:
    """Markup values from ``t_from`` to ``t_to`` (both included) in steps of ``step``.

    Parameters
    ----------
    t_from : float
        First markup T (>= 1, "plus one", ad valorem on the mill price).
    t_to : float
        Last markup T; may be below ``t_from`` (liberalization) or above it.
    step : float
        Step size, > 0 (direction taken from the sign of ``t_to - t_from``).

    Returns
    -------
    ndarray
        The T values, rounded to 12 decimals; ``t_to`` is appended when the steps miss it.

    Examples
    --------
    >>> [float(t) for t in sweep_values(2.0, 1.0, 0.4)]
    [2.0, 1.6, 1.2, 1.0]
    """
    span = t_to - t_from
    count = int(np.floor(abs(span) / step + 1e-9))
    values = t_from + np.sign(span) * step * np.arange(count + 1)
    if abs(values[-1] - t_to) > 1e-9:
        values = np.append(values, t_to)
    return np.round(values, 12)


def sweep_row(T: float, sol: KimSolution, distinct: int, status: str, regions: tuple[str, ...]) -> dict:
    """One table row of the sweep: T, firm numbers, shares and profits per tier and region, residual, stability.

    Parameters
    ----------
    T : float
        The uniform off-diagonal markup (>= 1).
    sol : KimSolution
        The branch equilibrium at ``T``.
    distinct : int
        Number of distinct verified equilibria found at ``T``.
    status : str
        ``"solved"`` or ``"solved_loose"`` (residual above the tolerance).
    regions : tuple of str
        Region names, in the column order of ``sol.x``.

    Returns
    -------
    dict
        Keys ``T``, ``{tier}_{region}`` (firm counts), ``share_{tier}_{region}`` (share of the tier's
        firms, in [0, 1]), ``profit_{tier}_{region}`` (numeraire per firm), ``residual``,
        ``lambda_max``, ``distinct_solutions``, ``status``.
    """
    row: dict = {"T": T}
    for t, tier in enumerate(TIERS):
        for k, region in enumerate(regions):
            row[f"{tier}_{region}"] = sol.x[t, k]
        for k, region in enumerate(regions):
            row[f"share_{tier}_{region}"] = sol.shares[t, k]
        for k, region in enumerate(regions):
            row[f"profit_{tier}_{region}"] = sol.state.profit[t, k]
    row.update(residual=sol.residual, lambda_max=sol.lambda_max, distinct_solutions=distinct, status=status)
    return row


def follow_branch(
    data: KimData,
    t_values: np.ndarray,
    *,
    multistart: bool = True,
    formulation: str = "log",
    tol: float = 1e-10,
) -> Iterator[tuple[float, KimSolution, int, str]]:
    """Follow the free-entry equilibrium branch over ``t_values`` by continuation.

    The first T uses the standard starts and takes the most stable solution; each later T starts
    from the previous solution (plus the standard starts when ``multistart``) and follows the
    solution closest to it (max-norm in the solver's variables).

    Parameters
    ----------
    data : KimData
        Instance arrays; their off-diagonal markups are replaced by each T.
    t_values : ndarray
        Markups T (>= 1) in sweep order (:func:`sweep_values`).
    multistart : bool, optional
        Also try the standard starts at every T (default True).
    formulation : str, optional
        MCP formulation, ``"log"`` (default) or ``"reduced"`` (models/kim_location.md, 'Free entry as
        an MCP').
    tol : float, optional
        Natural-residual tolerance for status ``"solved"`` (default 1e-10).

    Yields
    ------
    tuple of (float, KimSolution, int, str)
        ``(T, branch solution, distinct solutions found, status)``.

    Raises
    ------
    SolveError
        When no equilibrium is found at some T.
    """
    previous: KimSolution | None = None
    for T in t_values:
        data_T = data.with_uniform_transport(float(T))
        starts = [] if previous is None else [previous.xt]
        if previous is None or multistart:
            starts += default_starts(data_T)
        found = solve_equilibria(data_T, starts, tol=tol, formulation=formulation)
        if not found.solutions:
            raise SolveError(f"liberalization: no equilibrium found at T = {T:g} ({found.message})")
        if previous is None:
            branch = found.best
        else:
            branch = min(found.solutions, key=lambda s: float(np.max(np.abs(s.xt - previous.xt))))
        status = "solved" if branch.residual <= tol else "solved_loose"
        yield float(T), branch, found.distinct, status
        previous = branch


def liberalize(
    data: KimData,
    t_values: np.ndarray,
    *,
    on_row: Callable[[dict], None] | None = None,
    multistart: bool = True,
    formulation: str = "log",
) -> list[dict]:
    """Run the liberalization sweep and return its table rows (models/kim_location.md, 'Liberalization').

    Parameters
    ----------
    data : KimData
        Instance arrays (regions named ``R1..RJ`` when the instance gives no names).
    t_values : ndarray
        Markups T (>= 1) in sweep order.
    on_row : callable, optional
        Called with each row (dict) as soon as it is computed (e.g. to write a CSV row by row).
    multistart : bool, optional
        Also try the standard starts at every T (default True; False = ``--warm-only``).
    formulation : str, optional
        ``"log"`` (default) or ``"reduced"``.

    Returns
    -------
    list of dict
        One row per T (:func:`sweep_row`).

    Raises
    ------
    SolveError
        When no equilibrium is found at some T.
    """
    rows = []
    regions = data.regions or tuple(f"R{k + 1}" for k in range(data.J))
    for T, sol, distinct, status in follow_branch(data, t_values, multistart=multistart, formulation=formulation):
        row = sweep_row(T, sol, distinct, status, regions)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows
