"""Trade liberalization by continuation: lower the markup T and follow the free-entry equilibrium.

Note section 8.  At each T (every off-diagonal markup of every good set to T, diagonals kept) the
MCP is solved from the previous T's solution (warm start) and, unless disabled, from the standard
starts of :func:`trade_opt.kim.equilibrium.default_starts`; the reported solution is the one
closest to the previous one (the branch), and the number of distinct verified solutions found is
recorded.  Rows are handed to a callback as soon as they are computed, so a CSV written row by row
keeps what was computed if the sweep is interrupted.
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from trade_opt.errors import SolveError
from trade_opt.kim.equilibrium import KimSolution, default_starts, solve_equilibria
from trade_opt.kim.instance import KimData
from trade_opt.kim.model import TIERS


def sweep_values(t_from: float, t_to: float, step: float) -> np.ndarray:
    """T values from ``t_from`` to ``t_to`` (both included) in steps of ``step`` > 0."""
    span = t_to - t_from
    count = int(np.floor(abs(span) / step + 1e-9))
    values = t_from + np.sign(span) * step * np.arange(count + 1)
    if abs(values[-1] - t_to) > 1e-9:
        values = np.append(values, t_to)
    return np.round(values, 12)


def sweep_row(T: float, sol: KimSolution, distinct: int, status: str, regions: tuple[str, ...]) -> dict:
    """One table row: T, firm numbers, shares and profits per tier and region, residual, stability."""
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
    """Yield (T, branch solution, distinct solutions found, status) for each T, by continuation.

    The first T uses the standard starts and takes the most stable solution; each later T starts
    from the previous solution (plus the standard starts when ``multistart``) and follows the
    solution closest to it.
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
    """Run the sweep; return the table rows (and pass each to ``on_row`` as it is computed)."""
    rows = []
    regions = data.regions or tuple(f"R{k + 1}" for k in range(data.J))
    for T, sol, distinct, status in follow_branch(data, t_values, multistart=multistart, formulation=formulation):
        row = sweep_row(T, sol, distinct, status, regions)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows
