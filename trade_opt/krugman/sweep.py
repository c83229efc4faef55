"""Comparative statics: equilibria along a grid of one parameter (z, A, L, L_star or theta).

Every grid point is validated first (so an inadmissible point, e.g. E_S > L* at large z, is a
one-line error naming the field before any work), then solved by :func:`solve_economy` warm-started
from the previous point's MCP solution.  :func:`iter_sweep` yields one row per point (a generator,
so a caller can stream); :func:`run_sweep` writes each row to ``sweep.csv`` as soon as it is computed
(an interruption keeps what was done), then the figures and ``sweep.json``.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from trade_opt.errors import InputError, SolveError
from trade_opt.krugman import closed as cl
from trade_opt.krugman.instance import KrugmanInstance
from trade_opt.krugman.economy import solve_economy
from trade_opt.outputs import CsvStream, write_json
from trade_opt.progress import progress_bar

log = logging.getLogger(__name__)

#: Parameters a sweep can move, and the economies they exist in.
SWEEP_PARAMS = {"z": ("north_south",), "A": ("closed", "north_south"), "L": ("closed", "north_south"),
                "L_star": ("north_south",), "theta": ("closed", "north_south")}

#: Columns of sweep.csv after the swept parameter (fixed, so failed rows keep the layout).
COLUMNS = (
    "status", "mcp_residual", "natural_residual", "newton_iterations", "ipopt_iterations", "starts_tried",
    "walras_residual",
    "max_rel_diff_mcp_closed_form", "max_rel_diff_reduced_closed_form",
    "p", "omega", "Y", "n", "c", "c_star", "real_wage_N", "real_wage_S", "l", "x", "E_S", "U_N", "U_S",
    "mu", "mu_slope", "eps_z", "eps_z_fd", "eps_x_equilibrium", "eps_x_equilibrium_fd",
    "closed_real_wage_N", "closed_c", "closed_n", "closed_U_N",
)


def grid_instances(instance: KrugmanInstance, param: str, lo: float, hi: float, steps: int,
                   source: str = "<instance>") -> list[tuple[float, KrugmanInstance]]:
    """The validated instances along ``linspace(lo, hi, steps)``; errors name the point and the field.

    Parameters
    ----------
    instance : KrugmanInstance
        The base instance.
    param : str
        Parameter to move, a key of :data:`SWEEP_PARAMS` (z, A, L, L_star, theta).
    lo, hi : float
        First and last value (finite, different; units of ``param``).
    steps : int
        Number of grid points (>= 2).
    source : str, optional
        Instance file name, used in error messages.

    Returns
    -------
    list of (float, KrugmanInstance)
        The grid value and the re-validated instance at each point.

    Raises
    ------
    InputError
        For a parameter that cannot be swept (or does not exist in this economy), fewer than 2 steps,
        or non-finite/equal bounds.
    FieldError
        When a grid point is inadmissible (e.g. E_S > L_star), naming the point and field.
    """
    if param not in SWEEP_PARAMS:
        raise InputError("<command line>", "--param", f"{param!r} cannot be swept (one of: {', '.join(SWEEP_PARAMS)})")
    if instance.economy not in SWEEP_PARAMS[param]:
        raise InputError("<command line>", "--param", f"{param!r} does not exist when economy = {instance.economy!r}")
    if not isinstance(steps, int) or steps < 2:
        raise InputError("<command line>", "--num", f"needs at least 2 points, got {steps!r}")
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo == hi:
        raise InputError("<command line>", "--from/--to", f"need two different finite values, got {lo!r}, {hi!r}")
    return [(float(v), instance.with_values(f"{source} [{param}={v:.6g}]", **{param: float(v)}))
            for v in np.linspace(lo, hi, steps)]


def _row(param: str, value: float, inst: KrugmanInstance, start: dict | None) -> tuple[dict[str, Any], dict | None]:
    data = inst.data()
    row: dict[str, Any] = {param: value, **{k: math.nan for k in COLUMNS}}
    ref = cl.closed_form(data.replace(economy="closed"))
    row.update(closed_real_wage_N=ref.real_wage_N, closed_c=ref.c, closed_n=ref.n, closed_U_N=ref.U_N)
    try:
        rep = solve_economy(data, start=start)
    except SolveError as exc:
        log.warning("%s = %g: %s", param, value, exc)
        row["status"] = "failed"
        return row, start
    row.update(rep.equilibrium.as_dict())
    its = rep.mcp["iterations"] if isinstance(rep.mcp["iterations"], dict) else {}
    row.update({k: v for k, v in rep.elasticities.items() if k in COLUMNS})
    row.update(
        status=rep.mcp["status"], mcp_residual=rep.mcp["residual"], natural_residual=rep.natural_residual,
        newton_iterations=its.get("newton", math.nan), ipopt_iterations=its.get("ipopt", math.nan),
        starts_tried=its.get("starts", math.nan), walras_residual=rep.walras_residual,
        max_rel_diff_mcp_closed_form=rep.max_rel_diff_mcp_closed_form,
        max_rel_diff_reduced_closed_form=rep.max_rel_diff_reduced_closed_form,
    )
    if data.economy == "north_south":
        row.update(mu=data.mu, mu_slope=data.mu_slope)
    return row, rep.mcp_values


def iter_sweep(points: list[tuple[float, KrugmanInstance]], param: str) -> Iterator[dict[str, Any]]:
    """Yield one row per grid point, each solved warm-started from the previous point's MCP solution.

    Parameters
    ----------
    points : list of (float, KrugmanInstance)
        The grid (:func:`grid_instances`).
    param : str
        The swept parameter (first column of each row).

    Yields
    ------
    dict
        ``{param: value}`` and every column of :data:`COLUMNS` (NaN where undefined; ``status =
        "failed"`` when the solve failed).
    """
    start = None
    for value, inst in points:
        row, start = _row(param, value, inst, start)
        yield row


def monotone(series: pd.Series) -> str:
    """Monotonicity of a series along the grid.

    ``"increasing"``, ``"decreasing"``, ``"constant"`` (relative spread < 1e-12) or ``"mixed"``.

    Parameters
    ----------
    series : pandas.Series
        Values along the grid (non-finite entries ignored).

    Returns
    -------
    str
        The label, or ``"n/a"`` with fewer than 2 finite values.

    Examples
    --------
    >>> import pandas as pd
    >>> monotone(pd.Series([1.0, 2.0, 3.0])), monotone(pd.Series([1.0, 3.0, 2.0]))
    ('increasing', 'mixed')
    """
    x = series.to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return "n/a"
    d = np.diff(x)
    if np.max(np.abs(x - x[0])) <= 1e-12 * np.max(np.abs(x)):
        return "constant"
    return "increasing" if np.all(d > 0) else "decreasing" if np.all(d < 0) else "mixed"


def run_sweep(instance: KrugmanInstance, param: str, lo: float, hi: float, steps: int, out_dir: Path,
              *, source: str = "<instance>", figures: bool = True) -> dict[str, Any]:
    """Sweep ``param`` over ``linspace(lo, hi, steps)``; write sweep.csv (row by row), figures, sweep.json.

    See models/krugman_outsourcing.md, "Comparative statics".

    Parameters
    ----------
    instance : KrugmanInstance
        The base instance.
    param : str
        Parameter to move (:data:`SWEEP_PARAMS`).
    lo, hi : float
        First and last value.
    steps : int
        Number of grid points (>= 2).
    out_dir : Path
        Output folder.
    source : str, optional
        Instance file name (for messages and the summary).
    figures : bool, optional
        Also draw the sweep figures and an SS/DD figure (default True).

    Returns
    -------
    dict
        The summary written to sweep.json: counts solved/failed, worst residuals and disagreements,
        monotonicity of each series, file names.

    Raises
    ------
    InputError, FieldError
        As :func:`grid_instances`, before any solve.
    """
    points = grid_instances(instance, param, lo, hi, steps, source)
    out_dir = Path(out_dir)
    rows = []
    with CsvStream(out_dir / "sweep.csv") as stream, progress_bar(f"krugman sweep {param}", len(points)) as bar:
        for row in iter_sweep(points, param):
            stream.write(pd.DataFrame([row], columns=[param, *COLUMNS]))
            rows.append(row)
            bar.advance()
    table = pd.DataFrame(rows, columns=[param, *COLUMNS])
    files = [stream.path.name]                 # sweep.csv, or sweep.parquet inside table_format("parquet")
    if figures:
        from trade_opt.krugman.plots import sweep_figures, ss_dd_figure
        files += sweep_figures(table, param, out_dir, instance.economy)
        pick = [points[len(points) // 4], points[(3 * len(points)) // 4]]
        files.append(ss_dd_figure([(f"{param} = {v:.4g}", inst.data()) for v, inst in pick], out_dir / "ss_dd.png"))
    ok = table["status"].isin(["solved", "solved_loose"])
    series = ("p", "omega", "Y", "n", "c", "c_star", "real_wage_N", "real_wage_S", "E_S", "U_N", "U_S", "eps_z")
    summary = {
        "source": source, "param": param, "from": lo, "to": hi, "steps": steps, "economy": instance.economy,
        "solved": int(ok.sum()), "failed": int((~ok).sum()),
        "max_natural_residual": float(table["natural_residual"].max()),
        "max_walras_residual": float(table["walras_residual"].max()),
        "max_rel_diff_mcp_closed_form": float(table["max_rel_diff_mcp_closed_form"].max()),
        "max_rel_diff_reduced_closed_form": float(table["max_rel_diff_reduced_closed_form"].max()),
        "max_abs_diff_eps_z_fd": float((table["eps_z"] - table["eps_z_fd"]).abs().max()),
        "max_abs_diff_eps_x_fd": float((table["eps_x_equilibrium"] - table["eps_x_equilibrium_fd"]).abs().max()),
        "monotone": {k: monotone(table.loc[ok, k]) for k in series if table.loc[ok, k].notna().any()},
        "files": files + ["sweep.json"],
    }
    write_json(out_dir / "sweep.json", summary)
    return summary
