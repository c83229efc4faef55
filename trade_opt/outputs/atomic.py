"""Atomic file writes: a hidden temporary file in the target folder, fsync'ed, then renamed.

A file written here is complete or absent, never half written; the JSON and table writers of
:mod:`trade_opt.outputs` all write through :func:`_atomic_write`.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _atomic_write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_atomic_write_text = _atomic_write
