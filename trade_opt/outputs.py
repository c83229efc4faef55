"""Writing results: JSON and CSV, atomically, so an interruption never leaves a torn file.

Tables that can be large (one row per equilibrium) are streamed chunk by chunk with
:class:`CsvStream`; each chunk is flushed to disk when written, so work already done survives an
interruption.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, numpy values, paths and non-finite floats into plain JSON values.

    NaN and infinities become ``None`` (JSON has no such numbers)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps(obj: Any, indent: int | None = 2) -> str:
    """JSON text of ``obj`` after :func:`to_jsonable`."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False)


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    path = Path(path)
    _atomic_write_text(path, dumps(obj) + "\n")
    return path


def write_csv(path: str | Path, table: pd.DataFrame) -> Path:
    """Write a table as CSV (full float precision), atomically."""
    path = Path(path)
    _atomic_write_text(path, table.to_csv(index=False, float_format="%.17g"))
    return path


class CsvStream:
    """Append-only CSV written chunk by chunk; each chunk is flushed and fsync'ed.

    The header is written with the first chunk.  ``append=True`` keeps an existing file (a resumed
    run) and writes the header only if the file is new or empty; ``columns`` fixes the column order
    (missing columns are written empty, extra ones dropped).  Use as a context manager.
    """

    def __init__(self, path: str | Path, *, append: bool = False, columns: list[str] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        has_rows = append and self.path.exists() and self.path.stat().st_size > 0
        self._handle = open(self.path, "a" if append else "w", encoding="utf-8", newline="")
        self._header_done = has_rows
        self._columns = columns
        self.rows = 0

    def write(self, chunk: pd.DataFrame) -> None:
        if self._columns is not None:
            chunk = chunk.reindex(columns=self._columns)
        chunk.to_csv(self._handle, index=False, header=not self._header_done, float_format="%.17g")
        self._header_done = True
        self.rows += len(chunk)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "CsvStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def markdown_table(table: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A GitHub-flavoured Markdown table (no extra dependency)."""
    def fmt(value: Any) -> str:
        if isinstance(value, (float, np.floating)):
            return format(float(value), floatfmt) if math.isfinite(value) else str(value)
        return str(value)

    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in table.columns) + " |"
    rows: Iterable[str] = ("| " + " | ".join(fmt(v) for v in row) + " |" for row in table.itertuples(index=False))
    return "\n".join([header, rule, *rows]) + "\n"


# --------------------------------------------------------------------------- result folders
# (first version; issue 15 replaces it with locks and row counts)
import contextlib as _contextlib
import hashlib as _hashlib
import re as _re
import shutil as _shutil


def default_out_dir(name: str) -> Path:
    """``results/<slug of name>``: letters, digits, ``-``, ``_`` and ``.`` only, never a path."""
    slug = _re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._") or "instance"
    return Path("results") / slug


def check_out_dir(path: str | Path) -> Path:
    """Refuse an output folder that names an existing file (one line)."""
    from trade_opt.errors import TradeOptError

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise TradeOptError(f"--out {path}: exists and is not a folder")
    return path


@_contextlib.contextmanager
def result_folder(out_dir: str | Path, *, wait: bool = False):
    """Yield a staging folder beside ``out_dir``; move it into place only if the block completes."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".staging", dir=out_dir.parent))
    try:
        yield staging
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(staging, out_dir)
        if old is not None:
            _shutil.rmtree(old, ignore_errors=True)
    finally:
        if staging.exists():
            _shutil.rmtree(staging, ignore_errors=True)


def finalize_summary(staging: str | Path, summary: dict) -> dict:
    """List every file in ``staging`` (bytes, sha256), add ``complete: true``, write summary.json last."""
    staging = Path(staging)
    outputs = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file() and p.name != "summary.json"):
        digest = _hashlib.sha256(path.read_bytes()).hexdigest()
        outputs.append({"file": path.relative_to(staging).as_posix(), "bytes": path.stat().st_size, "sha256": digest})
    final = {**summary, "complete": True, "outputs": outputs}
    write_json(staging / "summary.json", final)
    return final
