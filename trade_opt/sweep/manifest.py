"""A sweep's output directory: Parquet part files, ``manifest.json`` (resume) and reading the rows back.

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
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from trade_opt.errors import InputError
from trade_opt.outputs import write_json
from trade_opt.sweep.batch import OK_STATUSES
from trade_opt.sweep.plan import SweepPlan

MANIFEST = "manifest.json"
PARTS = "parts"


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
