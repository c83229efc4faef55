"""Running a sweep on Dask, with resumable Parquet output.

Execution
    The points (spec order) are cut into fixed batches of ``batch_size`` consecutive points; batch k
    holds point ids ``k*batch_size .. (k+1)*batch_size - 1``.  Each batch is one Dask task
    (:func:`evaluate_batch`), evaluated in order on one worker so a warm start can follow the path.
    By default a ``LocalCluster(n_workers=N, threads_per_worker=1, processes=True)`` is started;
    ``scheduler="tcp://host:8786"`` uses an existing cluster instead (its workers must have
    trade_opt installed).  ``workers=0`` evaluates in this process without Dask (debugging).

The points' rows (:mod:`trade_opt.sweep.batch`), the plan of points, batches and columns
(:mod:`trade_opt.sweep.plan`), and the output directory with its part files, manifest and resume
(:mod:`trade_opt.sweep.manifest`) are modules of their own; their names are re-exported here.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from trade_opt.errors import InputError
from trade_opt.outputs import check_out_dir, folder_lock, write_json
from trade_opt.progress import progress_bar
from trade_opt.sweep.batch import (  # noqa: F401  (re-exported)
    OK_STATUSES,
    BatchTask,
    _evaluate_points,
    _one_line,
    _plain,
    evaluate_batch,
    instance_at,
)
from trade_opt.sweep.manifest import MANIFEST, PARTS, Manifest, _part_name, _write_part, load_results  # noqa: F401
from trade_opt.sweep.plan import _ARROW_TYPES, SweepPlan  # noqa: F401
from trade_opt.sweep.spec import LoadedSpec, load_spec


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt in the main thread, so the cluster is shut down cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        """Signal handler turning SIGTERM into :class:`KeyboardInterrupt`.

        Parameters
        ----------
        signum : int
            The signal number.
        frame : frame or None
            The interrupted stack frame (unused).

        Returns
        -------
        None
            Never returns normally; raises :class:`KeyboardInterrupt`.
        """
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _dask_client(workers: int, scheduler: str | None, client: Any) -> Iterator[Any]:
    if client is not None:
        yield client
        return
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            with Client(scheduler, timeout="10s") as c:
                yield c
        except OSError as exc:
            raise InputError("<command line>", "--scheduler", f"cannot connect to {scheduler!r}: {exc}") from None
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as c:
        yield c


def default_workers() -> int:
    """Worker processes of the default LocalCluster.

    Returns
    -------
    int
        The CPU count, between 1 and 4.

    Examples
    --------
    >>> 1 <= default_workers() <= 4
    True
    """
    return max(1, min(4, os.cpu_count() or 1))


def run_sweep(spec_path: str | Path, out_dir: str | Path, *, workers: int | None = None, scheduler: str | None = None,
              client: Any = None, progress: bool | None = None, wait: bool = False) -> dict[str, Any]:
    """Run (or resume) the sweep of ``spec_path`` into ``out_dir``; return the run's summary.

    Parameters
    ----------
    spec_path : str or pathlib.Path
        The sweep spec file (:func:`trade_opt.sweep.spec.load_spec`).
    out_dir : str or pathlib.Path
        Output directory: new or empty, or the output of an earlier run of the same spec (resumed).
    workers : int, optional
        Worker processes of the LocalCluster (default :func:`default_workers`); 0 runs the
        points in this process without Dask.
    scheduler : str, optional
        Address of an existing Dask scheduler (instead of a LocalCluster).
    client : dask.distributed.Client, optional
        An existing client (tests share one per module).
    progress : bool, optional
        Force the progress bar on/off (default: on when stderr is a terminal).
    wait : bool, optional
        When another process holds the lock of ``out_dir``, wait for it (default: refuse with
        a one-line :class:`InputError` naming the holder).

    Returns
    -------
    dict
        name, model, spec hash, ``out``, ``total_points``, ``points_done``, ``points_ok`` and
        ``points_failed`` (all runs so far; status not in :data:`OK_STATUSES` counts as failed),
        ``complete``, ``run`` (this run), and when complete ``status_counts`` and ``files``.

    Raises
    ------
    InputError
        For an invalid spec or base instance, ``workers < 0``, an ``out_dir`` that holds something
        else (another spec's sweep, files without a manifest), a locked ``out_dir`` (unless
        ``wait``), or an unreachable ``scheduler``.
    """
    loaded = load_spec(spec_path)
    plan = SweepPlan(loaded)
    if workers is not None and workers < 0:
        raise InputError("<command line>", "--workers", f"must be >= 0, got {workers}")
    out_dir = check_out_dir(out_dir, replace=False)
    with folder_lock(out_dir, wait=wait):
        return _run_locked(loaded, plan, out_dir, workers, scheduler, client, progress)


def _run_locked(loaded: LoadedSpec, plan: SweepPlan, out_dir: Path, workers: int | None, scheduler: str | None,
                client: Any, progress: bool | None) -> dict[str, Any]:
    manifest = Manifest(out_dir, plan)
    manifest.reconcile()
    manifest.save()                      # before anything else lands in out_dir
    (out_dir / PARTS).mkdir(parents=True, exist_ok=True)
    done = manifest.done_batches()
    pending = [k for k in range(plan.n_batches) if k not in done]
    run_no = len(manifest.doc["runs"]) + 1
    workers = default_workers() if workers is None else workers
    run_info: dict[str, Any] = {
        "run": run_no, "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "skipped_batches": len(done),
        "computed_batches": 0, "computed_points": 0, "lost_batches": [],
        "executor": "in-process" if workers == 0 and client is None and scheduler is None else (
            f"scheduler {scheduler}" if scheduler else ("client" if client is not None else f"LocalCluster({workers} workers)")),
    }
    manifest.doc["runs"].append(run_info)
    manifest.save()
    pending_points = sum(len(plan.batch_points(k)) for k in pending)
    tasks = [BatchTask(k, run_no, plan.spec.model, plan.spec.evaluator_name, str(loaded.base_path),
                       dict(plan.spec.options), plan.batch_points(k)) for k in pending]

    def finish(task: BatchTask, rows: list[dict[str, Any]]) -> None:
        """Write a finished batch's part file and record it in the manifest.

        Parameters
        ----------
        task : BatchTask
            The batch.
        rows : list of dict
            Its rows from :func:`evaluate_batch`.

        Returns
        -------
        None
        """
        file = out_dir / PARTS / _part_name(task.batch)
        _write_part(file, plan.table(rows))
        run_info["computed_batches"] += 1
        run_info["computed_points"] += len(rows)
        manifest.record(task.batch, file, rows, run_no)

    t_start = time.perf_counter()
    t_compute = t_start
    with _sigterm_as_interrupt(), progress_bar(f"sweep {plan.spec.name}", pending_points, enabled=progress) as bar:
        if tasks and workers == 0 and client is None and scheduler is None:
            t_compute = time.perf_counter()
            for task in tasks:
                rows = evaluate_batch(task, loaded.base_doc)
                finish(task, rows)
                bar.advance(len(rows))
        elif tasks:
            from dask.distributed import as_completed

            with _dask_client(workers, scheduler, client) as c:
                t_compute = time.perf_counter()
                base = c.scatter(loaded.base_doc, broadcast=True) if loaded.base_doc is not None else None
                futures = {c.submit(evaluate_batch, task, base, pure=False,
                                    key=f"sweep-{loaded.hash}-r{run_no}-b{task.batch}"): task for task in tasks}
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        rows = future.result()
                    except Exception as exc:  # the worker died or the task could not run: retried next run
                        run_info["lost_batches"].append({"batch": task.batch, "error": _one_line(f"{type(exc).__name__}: {exc}")})
                        continue
                    finish(task, rows)
                    bar.advance(len(rows))
    elapsed = time.perf_counter() - t_compute
    run_info["seconds"] = time.perf_counter() - t_start
    run_info["compute_seconds"] = elapsed
    run_info["points_per_second"] = run_info["computed_points"] / elapsed if elapsed > 0 and run_info["computed_points"] else None
    manifest.doc["complete"] = len(manifest.done_batches()) == plan.n_batches
    manifest.save()
    summary: dict[str, Any] = {
        "name": plan.spec.name, "model": plan.spec.model, "evaluator": plan.spec.evaluator_name,
        "spec_hash": loaded.hash, "out": str(out_dir), "total_points": len(plan.points),
        "points_done": manifest.doc["points_done"], "complete": manifest.doc["complete"], "run": run_info,
    }
    failed = sum(b["failed"] or 0 for b in manifest.doc["batches_done"].values())
    summary["points_ok"], summary["points_failed"] = manifest.doc["points_done"] - failed, failed
    if manifest.doc["complete"]:
        table = load_results(out_dir)
        summary["status_counts"] = {str(k): int(v) for k, v in table["status"].value_counts().sort_index().items()}
        summary["points_ok"] = int(table["status"].isin(OK_STATUSES).sum())
        summary["points_failed"] = len(table) - summary["points_ok"]
        summary["files"] = [MANIFEST, f"{PARTS}/", "summary.json"]
        if plan.spec.plot is not None:
            from trade_opt.sweep.plots import sweep_figure

            summary["files"].append(sweep_figure(table, plan.spec.plot, out_dir / "sweep.png", plan.spec.name).name)
        write_json(out_dir / "summary.json", summary)
    return summary
