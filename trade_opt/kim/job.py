"""``trade-opt run instances/kim_*.toml``: the free-entry equilibrium at the instance's markups."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from trade_opt.errors import SolveError
from trade_opt.kim.equilibrium import KimEquilibria, solve_equilibria
from trade_opt.kim.instance import KimInstance
from trade_opt.outputs import markdown_table, write_csv

#: Random starts added to the standard ones (income, uniform, one per region): 15 starts for J = 3.
RANDOM_STARTS = 10


def equilibrium_table(found: KimEquilibria, regions: list[str]) -> pd.DataFrame:
    """Firm numbers and mill prices by region of the reported (most stable) equilibrium.

    Parameters
    ----------
    found : KimEquilibria
        The multi-start result; its ``best`` solution is tabulated (it must have one).
    regions : list of str
        Region names, in the instance's order.

    Returns
    -------
    pandas.DataFrame
        Columns ``region``, ``m_1``, ``m_2``, ``n``, ``r`` (firms of A_1, A_2, F, S) and ``P_A1``,
        ``P_A2``, ``P_F``, ``P_S`` (mill prices, numeraire).
    """
    sol = found.best
    st = sol.state
    return pd.DataFrame({
        "region": regions, "m_1": sol.x[0], "m_2": sol.x[1], "n": sol.x[2], "r": sol.x[3],
        "P_A1": st.P_A[0], "P_A2": st.P_A[1], "P_F": st.P_F, "P_S": st.P_S,
    })


def solve_instance(instance: KimInstance, random_starts: int = RANDOM_STARTS, formulation: str = "log") -> KimEquilibria:
    """Multi-start free-entry solve of an instance (``models/kim_location.md``, "Free entry as an MCP").

    Parameters
    ----------
    instance : KimInstance
        A validated instance.
    random_starts : int, optional
        Seeded random starts added to the standard ones (income, uniform, one per region).
    formulation : {"log", "reduced"}, optional
        MCP formulation (:mod:`trade_opt.kim.mcp_model`).

    Returns
    -------
    KimEquilibria
        Every distinct solution found, the most stable one as ``best``, status and counts.
    """
    return solve_equilibria(instance.data(), n_random=random_starts, formulation=formulation)


def run_job(instance: KimInstance, out_dir: Path, *, source: str) -> dict:
    """Solve the free-entry MCP, print the equilibrium, write equilibrium.csv and equilibrium.png.

    Parameters
    ----------
    instance : KimInstance
        A validated instance.
    out_dir : Path
        The (staging) folder to write into (:func:`trade_opt.runner.run_job_in_folder`).
    source : str
        The instance file, for the summary.

    Returns
    -------
    dict
        The equilibrium (firm numbers, prices, profits per region, ``regions`` = the CSV's rows),
        residual, stability and timings; the runner adds the contract fields and writes summary.json.

    Raises
    ------
    SolveError
        If no start reaches a free-entry equilibrium.
    """
    found = solve_instance(instance)
    if not found.solutions:
        raise SolveError(f"{source}: no free-entry equilibrium found from {found.starts} starts ({found.message})")
    from trade_opt.kim.interface import region_rows
    from trade_opt.kim.plots import plot_equilibrium

    sol = found.best
    rows = region_rows(sol, list(instance.regions))
    table = pd.DataFrame.from_records(rows)
    out_dir = Path(out_dir)
    summary = {
        "model": "kim", "name": instance.name, "source": source,
        **sol.summary(), "regions": rows, "status": found.status, "distinct_solutions": found.distinct,
        "starts": found.starts, "timings": {"solve": found.seconds},
    }
    write_csv(out_dir / "equilibrium.csv", table)
    plot_equilibrium(table, out_dir / "equilibrium.png")
    print(f"Kim (1999) free-entry equilibrium, instance {instance.name!r} ({source})")
    print(markdown_table(equilibrium_table(found, instance.regions), floatfmt=".4f"), end="")
    print(f"status {found.status}, natural residual {sol.residual:.2e}, lambda_max {sol.lambda_max:.4f}, "
          f"{found.distinct} distinct solution(s) from {found.starts} starts, {found.seconds:.2f} s")
    return summary
