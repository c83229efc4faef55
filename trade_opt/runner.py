"""The one path every main job runs through: ``trade_opt.<model>.run`` and ``trade-opt run``.

:func:`run_job_in_folder` runs a model's job (its registry entry's ``job``) inside a
complete-or-absent result folder (:func:`trade_opt.outputs.result_folder`): the job writes into a
staging folder, then the summary is completed with the contract fields and written last
(:func:`trade_opt.outputs.finalize_summary`: ``complete: true`` and every output with its rows and
sha256), and the folder is moved into place.  An interrupted or failed job leaves the previous
results as they were.

summary.json always has: ``model``, ``name``, ``status`` (ok/warning/error), ``termination``,
``source``, ``seconds``, ``timings`` (when the job reports them), ``versions`` (trade_opt, Python,
Pyomo, numpy, the solvers), ``complete`` and ``outputs``; the job's own fields follow.
"""
from __future__ import annotations

import contextlib
import io
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from trade_opt.result import Result, RunOutputs, SolverInfo, status_of

#: PyPI distributions whose versions every summary records (absent ones are skipped)
VERSIONED = ("pyomo", "highspy", "cyipopt-wheels", "numpy", "scipy", "pandas", "pyarrow", "pyscipopt", "ortools")
#: contract keys of summary.json, written before the job's own fields
CONTRACT_KEYS = ("model", "name", "status", "termination", "source", "seconds", "versions")


def versions() -> dict[str, str]:
    """Versions of trade_opt, Python and the installed numerical/solver packages (no imports).

    Returns
    -------
    dict of str to str
        ``"trade_opt"``, ``"python"`` and each installed distribution of :data:`VERSIONED` ->
        its version string (read from package metadata; absent distributions are left out).
        Recorded as ``versions`` in every summary.json.
    """
    from trade_opt import __version__

    found = {"trade_opt": __version__, "python": platform.python_version()}
    for dist in VERSIONED:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def _residual_of(summary: dict[str, Any]) -> float | None:
    for key in ("residual", "natural_residual"):
        value = summary.get(key)
        if isinstance(value, (int, float)):
            return float(value)
    solver = summary.get("solver")
    if isinstance(solver, dict) and isinstance(solver.get("residual"), (int, float)):
        return float(solver["residual"])
    return None


def contract_summary(model: str, instance: Any, job_summary: dict[str, Any], *, source: str,
                     seconds: float) -> dict[str, Any]:
    """The job's summary with the contract fields first (see the module docstring).

    Parameters
    ----------
    model : str
        Registry name.
    instance : InstanceBase
        The instance the job ran on (its ``name``).
    job_summary : dict
        What the job returned; a ``status`` or ``termination`` word in it (e.g. ``solved``) becomes
        ``termination``, and ``status`` the contract status of that word.
    source : str
        The instance file (or ``<python>``).
    seconds : float
        Wall time of the job.

    Returns
    -------
    dict
        The summary to write (without ``complete``/``outputs``, added by ``finalize_summary``).
    """
    job_summary = dict(job_summary)
    termination = str(job_summary.pop("termination", None) or job_summary.get("status") or "completed")
    if termination in ("ok", "warning", "error"):
        termination = {"ok": "completed", "warning": "partial", "error": "failed"}[termination]
    job_summary.pop("status", None)
    if job_summary.get("instance") == instance.name:
        job_summary.pop("instance")  # the name lives under `name` for every model
    head = {"model": model, "name": instance.name, "status": status_of(termination), "termination": termination,
            "source": source, "seconds": seconds, "versions": versions()}
    return {**head, **{k: v for k, v in job_summary.items() if k not in head}}


def run_job_in_folder(model: str, instance: Any, out_dir: str | Path | None = None, *, source: str | None = None,
                      quiet: bool = False, wait: bool = False, table_format: str = "csv", resume: bool = False,
                      figure_format: str | Sequence[str] = "png") -> Result:
    """Run ``model``'s main job on ``instance`` into a complete-or-absent folder.

    Parameters
    ----------
    model : str
        Registry name (``gomory``, ``kim``, ``melitz``, ``krugman``).
    instance : InstanceBase
        A validated instance of that model.
    out_dir : str or Path, optional
        Result folder; default :func:`trade_opt.outputs.default_out_dir` of the instance's name.
    source : str, optional
        Where the instance came from (the file), recorded in the summary.
    quiet : bool
        Suppress the job's printed report.
    wait : bool
        Wait for another writer's lock on ``out_dir`` instead of refusing.
    table_format : {"csv", "parquet"}
        Format of the job's tables: the job runs inside :func:`trade_opt.outputs.table_format`, so
        its ``write_csv``/``CsvStream`` tables become ``.parquet`` files with ``"parquet"``
        (anything else: one-line :class:`~trade_opt.errors.InputError` naming ``--table-format``).
    figure_format : str or sequence of str
        Formats of the job's figures, e.g. ``"png,pdf,svg"`` (the job runs inside
        :func:`trade_opt.plotting.figure_formats`; a bad value: one-line
        :class:`~trade_opt.errors.InputError` naming ``--figure-format``).
    resume : bool
        Reuse the completed stages of an interrupted run's checkpoint (``.<name>.partial``, see
        :mod:`trade_opt.checkpoint`) when it was made for the same instance (sha256), model, table
        format and trade_opt version; a checkpoint made for anything else is refused (one-line
        :class:`~trade_opt.errors.InputError` naming ``--resume``).  Without it, a checkpoint left
        by an interrupted run is discarded.  Every run keeps its completed stages in the checkpoint
        until it finishes (jobs made of stages: gomory).

    Returns
    -------
    Result
        ``solution`` is a :class:`trade_opt.result.RunOutputs` with the folder and its summary;
        ``status``/``termination`` are the summary's, ``residual`` the job's residual if it reports
        one, ``seconds`` the wall time including the folder's swap.

    Raises
    ------
    trade_opt.errors.OptionError
        ``instance`` is not an instance of ``model``.
    trade_opt.errors.InputError
        A bad table or figure format, an unusable output folder, a folder locked by another run
        (without ``wait``), or a checkpoint that does not match (with ``resume``).
    """
    from trade_opt import __version__
    from trade_opt.checkpoint import instance_sha256, stage_checkpoint
    from trade_opt.errors import OptionError
    from trade_opt.outputs import check_out_dir, check_table_format, default_out_dir, finalize_summary, result_folder
    from trade_opt.outputs import table_format as tables_as
    from trade_opt.registry import MODELS, resolve

    if getattr(instance, "model", None) != model:
        raise OptionError(f"{model}.run: expected a {model} instance, got {type(instance).__name__}")
    check_table_format(table_format)
    from trade_opt.plotting import check_formats, figure_formats

    figures = check_formats(figure_format)
    entry = MODELS[model]
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(instance.name)
    check_out_dir(out_dir)
    source = source or "<python>"
    job = resolve(entry.job)
    start = time.perf_counter()
    key = {"model": model, "instance_sha256": instance_sha256(instance), "table_format": table_format,
           "trade_opt": __version__}
    if figures != ("png",):
        key["figure_format"] = ",".join(figures)    # (absent for PNG: checkpoints of earlier runs stay valid)
    with result_folder(out_dir, wait=wait) as staging:
        sink = io.StringIO() if quiet else None
        with contextlib.redirect_stdout(sink) if sink is not None else contextlib.nullcontext(), \
                tables_as(table_format), figure_formats(figures), stage_checkpoint(out_dir, staging, key, resume=resume) as checkpoint:
            job_summary = job(instance, staging, source=source)
            summary = contract_summary(model, instance, job_summary, source=source,
                                       seconds=time.perf_counter() - start)
            if resume:
                summary["resumed_stages"] = list(checkpoint.resumed)
            summary = finalize_summary(staging, summary)
    if not quiet:
        files = list(summary.get("outputs", {}))
        print(f"wrote {out_dir}: {', '.join(files)}, summary.json")
    return Result(model=model, name=instance.name, status=summary["status"], termination=summary["termination"],
                  seconds=time.perf_counter() - start, solver=SolverInfo(entry.solver),
                  residual=_residual_of(summary), solution=RunOutputs(out_dir=str(out_dir), summary=summary),
                  message="" if summary["status"] == "ok" else f"job termination: {summary['termination']}")


def solve(instance: Any, **options: Any) -> Result:
    """``trade_opt.<model>.solve(instance, **options)`` for the instance's model.

    Parameters
    ----------
    instance : InstanceBase
        Any validated instance (its ``model`` picks the model).
    **options
        The model's solve options (unknown ones raise :class:`~trade_opt.errors.OptionError`).

    Returns
    -------
    Result
    """
    from trade_opt.registry import entry_of

    return entry_of(getattr(instance, "model", None)).verb("solve")(instance, **options)


def run(instance: Any, out_dir: str | Path | None = None, **options: Any) -> Result:
    """``trade_opt.<model>.run(instance, out_dir, **options)`` for the instance's model (the main job).

    Parameters
    ----------
    instance : InstanceBase
        Any validated instance.
    out_dir : str or Path, optional
        Result folder (default ``results/<slug of the name>``).
    **options
        ``source``, ``quiet``, ``wait``, ``table_format``, ``figure_format``, ``resume``.

    Returns
    -------
    Result
    """
    from trade_opt.registry import entry_of

    return entry_of(getattr(instance, "model", None)).verb("run")(instance, out_dir, **options)


def instance_loader(model: str):
    """The ``load_instance(path)`` verb of ``model`` (every model's is this one function).

    Parameters
    ----------
    model : str
        Registry name.

    Returns
    -------
    callable
        ``load_instance(path) -> instance``: read and validate a TOML/JSON file whose ``model`` key
        must be ``model`` (else one-line :class:`~trade_opt.errors.InputError`).
    """

    def load_instance(path: str | Path):
        from trade_opt.instances import load_instance as load

        return load(path, model=model)

    load_instance.__doc__ = (f"Read and validate a {model} instance file (TOML or JSON).\n\n"
                             "    Parameters\n    ----------\n    path : str or Path\n"
                             f"        The file; its ``model`` key must be ``{model}``.\n\n"
                             "    Returns\n    -------\n    InstanceBase\n        The validated instance.\n    ")
    load_instance.__qualname__ = "load_instance"
    return load_instance


def job_runner(model: str):
    """The ``run(instance, out_dir=None, **options)`` verb of ``model``: its main job through
    :func:`run_job_in_folder` (every model's is this one function).

    Parameters
    ----------
    model : str
        Registry name.

    Returns
    -------
    callable
        ``run(instance, out_dir=None, *, source=None, quiet=False, wait=False, table_format="csv", figure_format="png",
        resume=False) -> Result``.
    """

    def run(instance: Any, out_dir: str | Path | None = None, **options: Any) -> Result:
        return run_job_in_folder(model, instance, out_dir, **options)

    run.__doc__ = (f"The {model} main job (tables, figures, summary.json) in a complete-or-absent folder.\n\n"
                   "    Parameters\n    ----------\n    instance : InstanceBase\n        A validated instance.\n"
                   "    out_dir : str or Path, optional\n        Default ``results/<slug of the name>``.\n"
                   "    **options\n        ``source``, ``quiet``, ``wait``, ``table_format``, ``figure_format``, ``resume`` (:func:`trade_opt.runner.run_job_in_folder`).\n\n"
                   "    Returns\n    -------\n    Result\n        ``solution`` is a :class:`trade_opt.result.RunOutputs`.\n    ")
    run.__qualname__ = "run"
    return run
