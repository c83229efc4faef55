"""Scenario sweeps: a spec (model, base instance, swept fields) run on Dask into a resumable Parquet dataset.

``trade-opt sweep SPEC.toml --out DIR [--scheduler ADDRESS | --workers N]``; see
:mod:`trade_opt.sweep.spec` (file format), :mod:`trade_opt.sweep.run` (execution, output, resume)
and :mod:`trade_opt.sweep.evaluators` (what one row holds, per model).
"""
from __future__ import annotations

from trade_opt.sweep.run import load_results, run_sweep
from trade_opt.sweep.spec import SweepSpec, load_spec

__all__ = ["SweepSpec", "load_results", "load_spec", "run_sweep"]
