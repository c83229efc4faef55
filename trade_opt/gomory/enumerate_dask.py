"""Enumeration of all 2^n - 2 specialized equilibria across Dask workers, resumable, with reductions.

``trade-opt gomory equilibria FILE --out DIR [--workers N | --scheduler ADDR]``
(:func:`run_enumeration`).  The codes 1 .. 2^n - 2 are cut into ranges of ``part_size`` codes; each
range is one task (:func:`trade_opt.gomory.enumerate_ranges.enumerate_range`: the O(1)-per-pattern
kernel, a Parquet part ``parts/part-NNNNNN.parquet`` with columns code, Y, u1, u2, and the range's
best-so-far reductions).  The output folder:

* ``manifest.json``: the instance's hash, n, the ranges, and for every finished range its file,
  row count and reductions (rewritten atomically after each range); ``failed``: ranges whose task
  failed after its retries (a worker that died), with the reason;
* ``summary.json`` (written last, only when every range is done): pattern count, the best
  ``top`` patterns of each country (pattern strings, good 1 first), the upper envelope of u_1 and
  u_2 on a Y grid, the parts.

A rerun with the same instance and ``--out`` resumes: finished ranges (file present) are kept,
the others run again.  A range whose task fails ``retries + 1`` times is reported missing (manifest
``failed``; :class:`trade_opt.errors.TradeOptError` naming the ranges), never skipped silently.
Dask machinery (cluster start, scheduler connection, SIGTERM handling) is the sweep's
(:mod:`trade_opt.sweep.run`).
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from trade_opt.errors import InputError, TradeOptError
from trade_opt.gomory.enumerate_ranges import ENVELOPE_GRID, TOP_K, RangeReduction, enumerate_range
from trade_opt.gomory.instance import GomoryData
from trade_opt.outputs import write_json

MANIFEST = "manifest.json"
PARTS = "parts"
#: Codes per range (one task, one Parquet part of ~24 bytes per pattern).
DEFAULT_PART_SIZE = 1 << 22


def instance_hash(data: GomoryData) -> str:
    """SHA-256 of the instance's arrays (d, e, alpha, L): a resumed run must use the same instance.

    Parameters
    ----------
    data : GomoryData
        The instance.

    Returns
    -------
    str
        64 hex digits over the float64 bytes of d, e, alpha and L in that order (stored in the
        manifest and compared on resume).
    """
    h = hashlib.sha256()
    for arr in (data.d, data.e, data.alpha, data.L):
        h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    return h.hexdigest()


def code_ranges(n: int, part_size: int) -> list[tuple[int, int]]:
    """Half-open ranges [start, stop) covering the codes 1 .. 2^n - 2, aligned to ``part_size``.

    Codes 0 and 2^n - 1 (everything made by one country) are not trade patterns and are left out.

    Parameters
    ----------
    n : int
        Number of goods.
    part_size : int
        Codes per range (values < 1 are taken as 1); range k starts at k * part_size (the first
        at 1), so ranges and Parquet parts line up across runs.

    Returns
    -------
    list of (int, int)
        Non-empty ranges in increasing order.

    Examples
    --------
    >>> code_ranges(3, 4)
    [(1, 4), (4, 7)]
    """
    last = (1 << n) - 1
    size = max(1, int(part_size))
    return [(max(lo, 1), min(lo + size, last)) for lo in range(0, last, size) if min(lo + size, last) > max(lo, 1)]


def _part_name(k: int) -> str:
    return f"{PARTS}/part-{k:06d}.parquet"


def _range_task(data: GomoryData, start: int, stop: int, path: str, grid: int, top: int,
                device: str = "cpu") -> dict[str, Any]:
    """One range on a worker: write its part, return its reductions as a dict."""
    red = enumerate_range(data, start, stop, Path(path), grid=grid, top=top, device=device)
    return red.to_dict()


def _pattern_string(code: int, n: int) -> str:
    return "".join("1" if (code >> i) & 1 else "0" for i in range(n))


class _Manifest:
    def __init__(self, out: Path, data: GomoryData, part_size: int, grid: int, top: int):
        self.path = out / MANIFEST
        digest = instance_hash(data)
        if self.path.exists():
            import json

            try:
                doc = json.loads(self.path.read_text())
            except ValueError:
                raise InputError(self.path, "<file>", "unreadable enumeration manifest; use a new --out directory") from None
            if doc.get("instance_hash") != digest:
                raise InputError(out, "--out", "holds the enumeration of another instance; use a new --out directory")
            self.doc = doc
        else:
            if out.exists() and any(out.iterdir()):
                raise InputError(out, "--out", "exists, is not empty and has no manifest.json (not an enumeration output)")
            out.mkdir(parents=True, exist_ok=True)
            self.doc = {"format": 1, "kind": "gomory_enumeration", "instance_hash": digest, "n": data.n,
                        "part_size": part_size, "grid": grid, "top": top,
                        "ranges": [list(r) for r in code_ranges(data.n, part_size)], "done": {}, "failed": {}}
        self.out = out
        # a part listed as done whose file vanished runs again; stale temporaries are removed
        for key in list(self.doc["done"]):
            if not (out / self.doc["done"][key]["file"]).exists():
                del self.doc["done"][key]
        (out / PARTS).mkdir(exist_ok=True)
        for stale in (out / PARTS).glob(".part-*.tmp"):
            stale.unlink(missing_ok=True)

    def pending(self) -> list[int]:
        return [k for k in range(len(self.doc["ranges"])) if str(k) not in self.doc["done"]]

    def record(self, k: int, reduction: dict[str, Any]) -> None:
        self.doc["done"][str(k)] = {"file": _part_name(k), "rows": reduction["count"], "reduction": reduction}
        self.doc["failed"].pop(str(k), None)
        write_json(self.path, self.doc)

    def fail(self, k: int, reason: str) -> None:
        self.doc["failed"][str(k)] = {"range": self.doc["ranges"][k], "reason": reason}
        write_json(self.path, self.doc)


def run_enumeration(data: GomoryData, out: str | Path, *, workers: int | None = None, scheduler: str | None = None,
                    client: Any = None, part_size: int | None = None, grid: int = ENVELOPE_GRID, top: int = TOP_K,
                    retries: int = 2, progress: bool | None = None, device: str = "cpu") -> dict[str, Any]:
    """Enumerate (or resume) all specialized equilibria of ``data`` into ``out``; return the summary.

    Parameters
    ----------
    data : GomoryData
        The instance.
    out : str or pathlib.Path
        Output folder (see the module docstring).
    workers : int, optional
        Worker processes of a local Dask cluster; 0: run the ranges in this process, no Dask.
    scheduler : str, optional
        Address of a running Dask scheduler (instead of a local cluster).
    client : dask.distributed.Client, optional
        An existing client (tests).
    part_size : int, optional
        Codes per range (default :data:`DEFAULT_PART_SIZE`).
    grid : int
        Bins of the utility envelope over Y (:func:`~trade_opt.gomory.enumerate_ranges.enumerate_range`).
    top : int
        Best patterns kept per country.  On a resumed run ``part_size``, ``grid`` and ``top`` are
        those recorded in the manifest.
    retries : int
        Dask retries of a failed range before it is reported missing.
    progress : bool, optional
        Progress bar over the ranges (default: when stderr is a terminal).
    device : str
        Where the kernel runs (``"cpu"``, ``"cuda"``, ...; see
        :func:`trade_opt.gomory.array_backend.get_backend`); checked here before any work, and each
        worker (or this process) evaluates its ranges there.

    Returns
    -------
    dict
        The summary (also written to ``out/summary.json``).

    Raises
    ------
    TradeOptError
        When ranges are still missing after their retries (listed; rerun to retry them).
    InputError
        ``out`` holds another instance's enumeration, an unreadable manifest, or other files.
    trade_opt.gomory.array_backend.DeviceError
        ``device`` cannot be used.
    """
    from trade_opt.progress import progress_bar
    from trade_opt.sweep.run import _dask_client, _sigterm_as_interrupt, default_workers

    from trade_opt.gomory.array_backend import get_backend

    get_backend(device)                                   # refuse an unusable device before touching --out
    part_size = int(part_size or DEFAULT_PART_SIZE)
    out = Path(out)
    start_time = time.perf_counter()
    manifest = _Manifest(out, data, part_size, grid, top)
    grid, top = manifest.doc["grid"], manifest.doc["top"]
    pending = manifest.pending()
    ranges = manifest.doc["ranges"]
    with progress_bar(f"gomory n={data.n}: ranges", len(ranges), progress) as bar, _sigterm_as_interrupt():
        bar.advance(len(ranges) - len(pending))
        if pending and workers == 0 and client is None and scheduler is None:
            for k in pending:
                lo, hi = ranges[k]
                try:
                    manifest.record(k, _range_task(data, lo, hi, str(out / _part_name(k)), grid, top, device))
                except (OSError, MemoryError) as exc:
                    manifest.fail(k, f"{type(exc).__name__}: {exc}")
                bar.advance()
        elif pending:
            from dask.distributed import as_completed

            with _dask_client(workers or default_workers(), scheduler, client) as c:
                futures = {}
                data_future = c.scatter(data, broadcast=True)
                for k in pending:
                    lo, hi = ranges[k]
                    fut = c.submit(_range_task, data_future, lo, hi, str((out / _part_name(k)).resolve()), grid, top,
                                   device, retries=retries, pure=False)
                    futures[fut] = k
                for fut in as_completed(futures):
                    k = futures[fut]
                    try:
                        manifest.record(k, fut.result())
                    except Exception as exc:  # a dead worker (KilledWorker) or a failing task, after its retries
                        manifest.fail(k, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
                    bar.advance()
    failed = manifest.doc["failed"]
    if failed:
        listed = "; ".join(f"[{v['range'][0]}, {v['range'][1]}) {v['reason']}" for v in list(failed.values())[:5])
        raise TradeOptError(f"{out}: {len(failed)} of {len(ranges)} code range(s) missing after retries ({listed}); "
                            "rerun the same command to retry them")
    return _summarize(data, out, manifest, time.perf_counter() - start_time)


def _summarize(data: GomoryData, out: Path, manifest: _Manifest, seconds: float) -> dict[str, Any]:
    done = manifest.doc["done"]
    red = None
    for k in sorted(done, key=int):
        part = RangeReduction.from_dict(done[k]["reduction"])
        red = part if red is None else red.merge(part)
    n = data.n
    best = {f"country{j + 1}": [{"pattern": _pattern_string(int(c), n), "code": int(c), "u": float(u)}
                               for u, c in zip(red.top_u[j], red.top_code[j]) if c >= 0] for j in range(2)}
    G = red.grid
    envelope = {"Y_bin_edges": [k / G for k in range(G + 1)],
                **{f"u{j + 1}": [None if c < 0 else float(u) for u, c in zip(red.env_u[j], red.env_code[j])] for j in range(2)},
                **{f"code{j + 1}": [int(c) for c in red.env_code[j]] for j in range(2)}}
    summary = {"model": "gomory", "task": "equilibria", "n": n, "count": int(red.count),
               "patterns": (1 << n) - 2, "ranges": len(manifest.doc["ranges"]), "seconds_this_run": seconds,
               "parts": [done[k]["file"] for k in sorted(done, key=int)], "best": best, "envelope": envelope}
    write_json(out / "summary.json", summary)
    return summary
