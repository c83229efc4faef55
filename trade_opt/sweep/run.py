"""Running a sweep on Dask, with resumable Parquet output.

Execution
    The points (spec order) are cut into fixed batches of ``batch_size`` consecutive points; batch k
    holds point ids ``k*batch_size .. (k+1)*batch_size - 1``.  Each batch is one Dask task
    (:func:`evaluate_batch`), evaluated in order on one worker so a warm start can follow the path.
    By default a ``LocalCluster(n_workers=N, threads_per_worker=1, processes=True)`` is started;
    ``scheduler="tcp://host:8786"`` uses an existing cluster instead (its workers must have
    trade_opt installed).  ``workers=0`` evaluates in this process without Dask (debugging).

Output directory
    ``parts/part-KKKKKK.parquet``: the rows of batch k, written when the batch finishes (to a hidden
    temporary file in the same folder, fsync'ed, then renamed: a part is complete or absent).
    ``manifest.json``: the spec hash, the batches and point-id ranges done, one entry per run, and
    ``complete`` (false until every batch is written).  ``summary.json`` and the optional
    ``sweep.png`` are written only when the sweep completes.  Read the table with :func:`load_results`.

Resume
    Rerunning the same spec with the same ``--out`` skips every batch already written (the manifest,
    reconciled with the part files on disk) and computes only the rest.  A different spec (or a
    changed base instance) is refused: the hash differs.

Failures
    A point whose instance is invalid gets ``status = "invalid"``; one whose solver fails
    ``"failed"``; an unexpected exception ``"error"``; all with the one-line message in ``error``.
    The sweep goes on.  A task lost with its worker is reported and retried by the next run.
"""
from __future__ import annotations

import copy
import json
import logging
import math
import os
import signal
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd

from trade_opt.errors import InputError, TradeOptError
from trade_opt.instances import parse_instance
from trade_opt.outputs import check_out_dir, folder_lock, write_json
from trade_opt.progress import progress_bar
from trade_opt.sweep.evaluators import get_evaluator
from trade_opt.sweep.spec import LoadedSpec, load_spec, parse_path, set_path

#: Statuses of a point with a usable answer.
OK_STATUSES = ("ok", "solved", "solved_loose")
_ARROW_TYPES = {"float": "float64", "int": "int64", "str": "string", "bool": "bool_"}
MANIFEST = "manifest.json"
PARTS = "parts"


def instance_at(base_doc: dict[str, Any], base_source: str, model: str, point: dict[str, Any]) -> Any:
    """The validated instance at one point: the base document with the point's fields set.

    Parameters
    ----------
    base_doc : dict
        The base instance document (not modified: a deep copy is changed).
    base_source : str
        Name of the base file; the instance's source becomes ``"<base_source> [field=value, ...]"``
        so that an error names the point.
    model : str
        Registered model name.
    point : dict
        ``{field path: value}`` of the point; ``options.<name>`` entries are skipped (they are
        evaluator options, not instance fields).

    Returns
    -------
    InstanceBase
        The model's validated instance.

    Raises
    ------
    InputError
        If the changed document is not a valid instance (one line naming the point, field, reason).
    """
    doc = copy.deepcopy(base_doc)
    changed = []
    for field, value in point.items():
        parts = parse_path(field)
        if parts[0] == "options":
            continue
        set_path(doc, parts, value)
        changed.append(f"{field}={value:.6g}" if isinstance(value, float) else f"{field}={value}")
    source = f"{base_source} [{', '.join(changed)}]" if changed else base_source
    return parse_instance(doc, source=source, model=model)


@dataclass(frozen=True)
class BatchTask:
    """What one Dask task needs (picklable): the batch's points and how to evaluate them.

    Attributes
    ----------
    batch : int
        Batch index.
    run : int
        Number of the run (1 for the first).
    model, evaluator : str
        Registered model and evaluator names.
    base_source : str
        The base instance file, named in the points' errors.
    options : dict
        The spec's evaluator options.
    points : list of (int, dict)
        (point id, {field: value}) in order.
    """

    batch: int
    run: int
    model: str
    evaluator: str
    base_source: str
    options: dict[str, Any]
    points: list[tuple[int, dict[str, Any]]]


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(str(text).split())[:limit]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def evaluate_batch(task: BatchTask, base_doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Evaluate a batch's points in order, the warm-start state carried from point to point.

    Never raises for a point: an invalid instance gives ``status = "invalid"``, a
    :class:`~trade_opt.errors.TradeOptError` ``"failed"``, any other exception ``"error"``, each
    with a one-line message in ``error``.  RuntimeWarnings of intermediate iterates are silenced
    (each row reports its own status and residuals).

    Parameters
    ----------
    task : BatchTask
        The batch: its points (point id, ``{field: value}``), model, evaluator and options.
    base_doc : dict or None
        The base instance document (``None`` for generator evaluators).

    Returns
    -------
    list of dict
        One row per point, in order: ``point_id``, the swept fields, the evaluator's values,
        ``status``, ``error``, ``seconds`` (wall time of the point, s) and ``run``.
    """
    with warnings.catch_warnings():
        # numerical warnings of intermediate iterates; each row reports its own status and residuals
        warnings.simplefilter("ignore", RuntimeWarning)
        return _evaluate_points(task, base_doc)


def _evaluate_points(task: BatchTask, base_doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    evaluator = get_evaluator(task.model, task.evaluator)
    state = None
    rows = []
    for pid, point in task.points:
        start = time.perf_counter()
        row: dict[str, Any] = {"point_id": pid, **point}
        try:
            options = evaluator.resolved_options(
                {**task.options, **{k.split(".", 1)[1]: v for k, v in point.items() if k.startswith("options.")}})
            instance = instance_at(base_doc, task.base_source, task.model, point) if base_doc is not None else None
            values, new_state = evaluator.evaluate(instance, options, state)
            state = new_state
            status = values.pop("status", "ok")
            row.update({k: _plain(v) for k, v in values.items()})
            row.update(status=status, error="")
        except InputError as exc:
            row.update(status="invalid", error=_one_line(exc))
        except TradeOptError as exc:
            row.update(status="failed", error=_one_line(exc))
        except Exception as exc:  # a point never crashes the sweep; the message says what happened
            row.update(status="error", error=_one_line(f"{type(exc).__name__}: {exc}"))
        row.update(seconds=time.perf_counter() - start, run=task.run)
        rows.append(row)
    return rows


class SweepPlan:
    """Points, batches, columns and the Arrow schema of one loaded spec.

    Parameters
    ----------
    loaded : LoadedSpec
        The spec (:func:`trade_opt.sweep.spec.load_spec`).

    Raises
    ------
    InputError
        If the evaluator refuses the base instance, or a swept field's name clashes with an
        output column.
    """

    def __init__(self, loaded: LoadedSpec):
        from trade_opt.instances import validate_as  # noqa: F401  (keeps imports light for workers)

        self.loaded = loaded
        spec = loaded.spec
        self.spec = spec
        self.points = spec.points()
        self.batch_size = spec.batch_size
        self.n_batches = -(-len(self.points) // self.batch_size)
        evaluator = get_evaluator(spec.model, spec.evaluator_name)
        base = parse_instance(loaded.base_doc, str(loaded.base_path), spec.model) if loaded.base_doc is not None else None
        try:
            out_cols = evaluator.columns(base)
        except InputError as exc:
            raise InputError(loaded.base_path, exc.field, exc.reason) from None
        axes = spec.axis_values()
        vary_cols = {}
        for v, values in zip(spec.vary, axes):
            if all(isinstance(x, str) for x in values):
                vary_cols[v.field] = "str"
            elif all(isinstance(x, int) and not isinstance(x, bool) for x in values):
                vary_cols[v.field] = "int"
            else:
                vary_cols[v.field] = "float"
        clash = set(vary_cols) & (set(out_cols) | {"point_id", "status", "error", "seconds", "run"})
        if clash:
            raise InputError(loaded.path, "vary", f"swept field name(s) {sorted(clash)} clash with output columns")
        self.columns: dict[str, str] = {"point_id": "int", **vary_cols, "status": "str", "error": "str",
                                        **out_cols, "seconds": "float", "run": "int"}

    def batch_points(self, k: int) -> list[tuple[int, dict[str, Any]]]:
        """The points of batch ``k``.

        Parameters
        ----------
        k : int
            Batch index, ``0 <= k < n_batches``.

        Returns
        -------
        list of (int, dict)
            ``(point id, {field: value})`` for ids ``k*batch_size`` up to ``(k+1)*batch_size - 1``
            (fewer in the last batch).
        """
        lo = k * self.batch_size
        return [(pid, self.points[pid]) for pid in range(lo, min(lo + self.batch_size, len(self.points)))]

    def schema(self):
        """The Arrow schema of every part file.

        Returns
        -------
        pyarrow.Schema
            One field per entry of :attr:`columns` (float64, int64, string or bool).
        """
        import pyarrow as pa

        return pa.schema([(name, getattr(pa, _ARROW_TYPES[t])()) for name, t in self.columns.items()])

    def table(self, rows: list[dict[str, Any]]):
        """Rows as an Arrow table with the fixed schema.

        Parameters
        ----------
        rows : list of dict
            Rows from :func:`evaluate_batch`.

        Returns
        -------
        pyarrow.Table
            Columns in :attr:`columns` order; a missing value is null, floats are cast with
            ``float``, a non-finite value in an int or NaN in a bool column is null.
        """
        import pyarrow as pa

        data = {}
        for name, kind in self.columns.items():
            values = [row.get(name) for row in rows]
            if kind == "float":
                values = [None if v is None else float(v) for v in values]
            elif kind == "int":
                values = [None if v is None or (isinstance(v, float) and not math.isfinite(v)) else int(v) for v in values]
            elif kind == "bool":
                values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v) for v in values]
            else:
                values = [None if v is None else str(v) for v in values]
            data[name] = values
        return pa.table(data, schema=self.schema())


def _write_part(path: Path, table) -> None:
    """Write a Parquet file atomically: hidden temporary file in the same folder, fsync, rename."""
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _part_name(k: int) -> str:
    return f"part-{k:06d}.parquet"


class Manifest:
    """``manifest.json`` of an output directory (rewritten atomically after every batch).

    Parameters
    ----------
    out_dir : pathlib.Path
        The sweep's output directory.
    plan : SweepPlan
        The plan of the spec being run.

    Raises
    ------
    InputError
        If the existing manifest is unreadable or belongs to another spec hash, or ``out_dir`` is
        not empty and has no manifest.
    """

    def __init__(self, out_dir: Path, plan: SweepPlan):
        self.path = out_dir / MANIFEST
        self.out_dir = out_dir
        self.plan = plan
        spec = plan.spec
        if self.path.exists():
            try:
                doc = json.loads(self.path.read_text())
                stored = doc["spec_hash"]
            except (ValueError, KeyError, OSError):
                raise InputError(self.path, "<file>", "unreadable sweep manifest; use a new --out directory") from None
            if stored != plan.loaded.hash:
                raise InputError(out_dir, "--out", f"holds the sweep {doc.get('name')!r} with spec hash {stored}; "
                                 f"{plan.loaded.path} has hash {plan.loaded.hash} (spec or base instance changed): "
                                 "use a new --out directory")
            self.doc = doc
        else:
            if out_dir.exists() and any(out_dir.iterdir()):
                raise InputError(out_dir, "--out", "exists, is not empty and has no manifest.json (not a sweep output)")
            self.doc = {
                "format": 1, "name": spec.name, "model": spec.model, "evaluator": spec.evaluator_name,
                "spec_file": str(plan.loaded.path), "base_file": str(plan.loaded.base_path) if plan.loaded.base_path else None,
                "spec_hash": plan.loaded.hash, "spec": spec.model_dump(mode="json"),
                "total_points": len(plan.points), "batch_size": plan.batch_size, "n_batches": plan.n_batches,
                "columns": plan.columns, "batches_done": {}, "points_done": 0, "runs": [], "complete": False,
            }

    def reconcile(self) -> None:
        """Bring the manifest in line with the part files on disk.

        Drops batches whose part file vanished; deletes temporary files of writes cut short;
        adopts part files the manifest missed (written just before an interruption; atomic, so
        complete) when their point ids are exactly the batch's; deletes unreadable part files.

        Returns
        -------
        None
        """
        import pyarrow.parquet as pq

        done = self.doc["batches_done"]
        parts = self.out_dir / PARTS
        for key in list(done):
            if not (self.out_dir / done[key]["file"]).exists():
                del done[key]
        if parts.exists():
            for stale in parts.glob(".part-*.tmp"):      # a write cut short by a kill
                stale.unlink(missing_ok=True)
            for file in sorted(parts.glob("part-*.parquet")):
                try:
                    k = int(file.stem.split("-")[1])
                except (IndexError, ValueError):
                    continue
                if str(k) in done or not 0 <= k < self.plan.n_batches:
                    continue
                expected = [pid for pid, _ in self.plan.batch_points(k)]
                try:
                    ids = pq.read_table(file, columns=["point_id"]).column("point_id").to_pylist()
                except Exception:
                    file.unlink()
                    continue
                if ids == expected:
                    self._record(k, file, len(ids), None, run=None)
        self.doc["points_done"] = sum(b["rows"] for b in done.values())

    def done_batches(self) -> set[int]:
        """The batches already written.

        Returns
        -------
        set of int
            Batch indices recorded in ``batches_done``.
        """
        return {int(k) for k in self.doc["batches_done"]}

    def _record(self, k: int, file: Path, rows: int, failed: int | None, run: int | None) -> None:
        pids = [pid for pid, _ in self.plan.batch_points(k)]
        self.doc["batches_done"][str(k)] = {"points": [pids[0], pids[-1]], "rows": rows, "failed": failed,
                                            "run": run, "file": str(file.relative_to(self.out_dir))}

    def record(self, k: int, file: Path, rows: list[dict[str, Any]], run: int) -> None:
        """Record a written batch and save the manifest.

        Parameters
        ----------
        k : int
            Batch index.
        file : pathlib.Path
            Its part file (inside the output directory).
        rows : list of dict
            Its rows; those whose status is not in :data:`OK_STATUSES` count as failed.
        run : int
            Number of the run that computed it (1 for the first).

        Returns
        -------
        None
        """
        failed = sum(1 for r in rows if r["status"] not in OK_STATUSES)
        self._record(k, file, len(rows), failed, run)
        self.doc["points_done"] = sum(b["rows"] for b in self.doc["batches_done"].values())
        self.doc["complete"] = len(self.doc["batches_done"]) == self.plan.n_batches
        self.save()

    def save(self) -> None:
        """Write ``manifest.json`` atomically.

        Returns
        -------
        None
        """
        write_json(self.path, self.doc)


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


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """The rows written so far, sorted by point id.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        A sweep's output directory (its ``parts/part-*.parquet`` files are read).

    Returns
    -------
    pandas.DataFrame
        All rows of all parts, sorted by ``point_id``; empty if no part has been written.
    """
    import pyarrow.parquet as pq

    parts = Path(out_dir) / PARTS
    files = sorted(parts.glob("part-*.parquet"))
    if not files:
        return pd.DataFrame()
    table = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return table.sort_values("point_id", kind="stable").reset_index(drop=True)
