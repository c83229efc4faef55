"""The Gomory main job gives byte-identical tables when run twice in one process.

The job's Pyomo MCP cross-check loads the AMPL Solver Library, which set the x87 FPU to 53-bit
precision; OpenBLAS's x87 kernels inside LAPACK's eigenvalue routine then rounded differently, and a
second run wrote mixed-equilibrium stabilities 1 ulp apart (trade_opt.fpenv restores the environment).
"""
from __future__ import annotations

import numpy as np

from trade_opt.gomory.instance import GomoryInstance
from trade_opt.gomory.job import run_job

TABLES = ("equilibria.csv", "mixed_equilibria.csv", "boundary.csv")


def _small_table1() -> GomoryInstance:
    """Table 1's first 6 goods (every mixed pattern: 602, with up to 4 shared goods)."""
    return GomoryInstance.model_validate({
        "model": "gomory", "name": "table1_6goods", "labor": [8.0, 4.0],
        "demand": [[0.10, 0.10, 0.21, 0.14, 0.22, 0.04], [0.05, 0.21, 0.11, 0.15, 0.23, 0.07]],
        "efficiency": [[0.52, 0.71, 0.91, 0.92, 1.01, 1.23], [1.00, 1.02, 0.70, 0.94, 1.24, 0.60]],
        "exponent": [1.30, 1.50, 1.70, 1.90, 2.00, 2.00],
    })


def _extended_precision() -> bool:
    """True while the x87 unit rounds to 64-bit mantissas (where long double is the x87 type)."""
    return bool(np.longdouble(1) + np.longdouble(2.0 ** -60) != np.longdouble(1))


def test_job_twice_in_one_process_writes_identical_tables(tmp_path):
    instance = _small_table1()
    x87 = np.finfo(np.longdouble).nmant == 63
    before = _extended_precision() if x87 else None
    run_job(instance, tmp_path / "first", grid_points=21)      # the main job's stages (the runner adds summary.json)
    if x87:
        assert _extended_precision() == before       # the MCP cross-check left the FPU as it found it
    run_job(instance, tmp_path / "second", grid_points=21)
    for name in TABLES:
        first, second = (tmp_path / run / name for run in ("first", "second"))
        assert first.read_bytes() == second.read_bytes(), name
