"""Result folders that are complete or absent: safe paths, one writer at a time, atomic install.

A job writes into a hidden *staging* folder next to its output folder and the staging folder is
renamed into place only when the job has finished (:func:`result_folder`); ``summary.json``,
written last by :func:`finalize_summary`, says ``"complete": true`` and lists every output with
its size, sha256 and row count.  So

* an interrupted run (Ctrl-C, SIGTERM, SIGKILL, a crash) leaves the previous results
  byte-identical, and a new folder is not created at all;
* a reader never sees a half-written folder under the output name.

Siblings of an output folder ``DIR`` (all hidden; only ``.DIR.lock`` stays between runs):

``.DIR.lock``
    the advisory lock (:mod:`filelock`, ``flock`` on POSIX) held while one process writes ``DIR``;
``.DIR.lock.owner``
    pid, host and start time of the holder (what a refused second writer is told);
``.DIR.staging-XXXX``
    the folder being written; ``.DIR.old-PID`` the replaced results during the swap.
    Leftovers of a killed run are removed by the next run that takes the lock.

Paths
    :func:`default_out_dir` is ``results/<slug of the instance name>``: every character outside
    ``[A-Za-z0-9._-]`` becomes ``_`` and leading dots are dropped, so no name can leave
    ``results/``.  (Instance names with a path separator, ``..`` or a control character are also
    refused when the instance is validated, see :class:`trade_opt.instances.InstanceBase`.)
    :func:`check_out_dir` refuses, in one line and before any solve: an ``--out`` that is an existing
    file, a symbolic link, an existing non-empty folder that is not a trade-opt result folder (no
    ``summary.json``), or a place where no folder can be created.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from trade_opt.errors import InputError

#: Where :func:`default_out_dir` puts results (relative to the working directory).
RESULTS_ROOT = Path("results")
#: Longest slug :func:`slugify` returns.
MAX_SLUG = 100
_SLUG_BAD = re.compile(r"[^A-Za-z0-9._-]+")
_SOURCE = "<command line>"
#: Files whose presence marks an existing folder as trade-opt output that may be replaced.
RESULT_MARKERS = ("summary.json", "manifest.json")

#: Row counts of tables written by :mod:`trade_opt.outputs` (absolute path -> (rows, bytes,
#: mtime_ns)), so that :func:`finalize_summary` need not re-read large files; used only while the
#: file's size and mtime are still those recorded.
ROWS_WRITTEN: dict[str, tuple[int, int, int]] = {}


def record_rows(path: str | os.PathLike, rows: int) -> None:
    """Remember that ``path`` (just written and closed) holds ``rows`` table rows.

    Recorded with the file's size and mtime in :data:`ROWS_WRITTEN`, so :func:`describe_file` trusts
    the count only while the file is unchanged.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    rows : int
        Its number of table rows (header not counted).

    Returns
    -------
    None
    """
    st = os.stat(path)
    ROWS_WRITTEN[os.path.abspath(path)] = (rows, st.st_size, st.st_mtime_ns)


def slugify(name: str) -> str:
    """A file-name-safe form of ``name``.

    ``[A-Za-z0-9._-]`` only, no leading dot, at most :data:`MAX_SLUG` characters, ``"unnamed"`` if
    nothing is left.

    Parameters
    ----------
    name : str
        Any text (e.g. an instance name).

    Returns
    -------
    str
        The slug.

    Examples
    --------
    >>> slugify("Table 1 (Gomory)"), slugify("../etc"), slugify("...")
    ('Table_1_Gomory', 'etc', 'unnamed')
    """
    slug = _SLUG_BAD.sub("_", str(name)).lstrip("._-").rstrip("_-")
    slug = slug[:MAX_SLUG].rstrip("._-")
    return slug or "unnamed"


def default_out_dir(name: str) -> Path:
    """``results/<slugify(name)>``: the output folder when no ``--out`` is given.

    Parameters
    ----------
    name : str
        The instance name.

    Returns
    -------
    pathlib.Path
        Relative to the working directory.

    Examples
    --------
    >>> default_out_dir("table 1").as_posix()
    'results/table_1'
    """
    return RESULTS_ROOT / slugify(name)


def _fail(option: str, reason: str) -> InputError:
    return InputError(_SOURCE, option, reason)


def _is_result_folder(path: Path) -> bool:
    try:
        entries = [e.name for e in os.scandir(path)]
    except OSError:
        return False
    return not entries or any(marker in entries for marker in RESULT_MARKERS)


def check_out_dir(path: str | os.PathLike, *, option: str = "--out", replace: bool = True) -> Path:
    """Check that ``path`` can become a result folder; return it as a normalized absolute path.

    Parameters
    ----------
    path : str or os.PathLike
        The output folder (need not exist).
    option : str
        The name shown in the error (the CLI option, or the Python argument).
    replace : bool
        If true, an existing folder is allowed only if it is empty or holds trade-opt results
        (``summary.json`` or a sweep's ``manifest.json``); if false, any existing folder is allowed.

    Returns
    -------
    pathlib.Path
        The absolute path.

    Raises
    ------
    InputError
        ``<command line>: --out: <reason>`` in one line: an empty path or one with a NUL character,
        the filesystem root, an existing file, a symbolic link, a foreign non-empty folder, a parent
        that is a file, or a place where nothing can be created.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise _fail(option, "empty path")
    if "\x00" in str(text):
        raise _fail(option, "path contains a NUL character")
    target = Path(os.path.abspath(text))
    if target.parent == target:
        raise _fail(option, f"{target} is the filesystem root; give a folder below it")
    if target.is_symlink():
        raise _fail(option, f"{text} is a symbolic link; give the folder it points to")
    if target.exists():
        if not target.is_dir():
            raise _fail(option, f"{text} exists and is not a folder")
        if replace and not _is_result_folder(target):
            raise _fail(option, f"{text} exists, is not empty and holds no trade-opt results "
                                f"({' or '.join(RESULT_MARKERS)}); give a new or empty folder")
    ancestor = target.parent
    while not ancestor.exists() and not ancestor.is_symlink():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise _fail(option, f"{text}: {ancestor} is not a folder")
    try:  # a real probe: permissions, read-only file systems, quotas
        probe = tempfile.mkdtemp(dir=ancestor, prefix=".trade-opt-probe-")
        os.rmdir(probe)
    except OSError as exc:
        raise _fail(option, f"{text}: cannot create a folder in {ancestor} ({exc.strerror or exc})") from None
    return target


# ----------------------------------------------------------------------------------------- locks
def _lock_paths(out_dir: Path) -> tuple[Path, Path]:
    lock = out_dir.parent / f".{out_dir.name}.lock"
    return lock, lock.with_name(lock.name + ".owner")


def _holder(owner: Path) -> str:
    try:
        info = json.loads(owner.read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']} since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"


@contextmanager
def folder_lock(out_dir: str | os.PathLike, *, wait: bool = False, option: str = "--out") -> Iterator[Path]:
    """Hold the advisory lock of ``out_dir`` (the sibling file ``.NAME.lock``) for the block.

    A second process asking for the same folder gets a one-line :class:`InputError` naming the
    folder and the holder, or (``wait=True``) waits for the lock.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The result folder (its parent is created if missing).
    wait : bool
        Wait for a lock held by another process instead of failing.
    option : str
        The name shown in the error (the CLI option, or the Python argument).

    Yields
    ------
    pathlib.Path
        The lock file's path.

    Raises
    ------
    InputError
        If the lock is held (and ``wait`` is false), or the parent folder or the lock file cannot be
        created.
    """
    from filelock import FileLock, Timeout

    out_dir = Path(os.path.abspath(out_dir))
    lock_path, owner = _lock_paths(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(option, f"{out_dir}: cannot create {out_dir.parent} ({exc.strerror or exc})") from None
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise _fail(option, f"{out_dir} is being written by another trade-opt process "
                                f"({_holder(owner)}); wait for it to finish or rerun with --wait") from None
        print(f"trade-opt: waiting for {out_dir} ({_holder(owner)})", file=sys.stderr)
        lock.acquire()
    except OSError as exc:
        raise _fail(option, f"{out_dir}: cannot lock {lock_path} ({exc.strerror or exc})") from None
    try:
        try:
            owner.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                         "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}), encoding="utf-8")
        except OSError:
            pass  # the holder is only informative
        yield lock_path
    finally:
        owner.unlink(missing_ok=True)
        lock.release()


# --------------------------------------------------------------------------------- installation
def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _install(staging: Path, out_dir: Path) -> None:
    """Put the finished ``staging`` folder at ``out_dir``; the old folder goes only afterwards."""
    _fsync_tree(staging)
    if not os.path.lexists(out_dir):
        os.rename(staging, out_dir)
    elif _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)       # staging now holds the old results
    else:                                                 # two renames; _recover repairs a crash between them
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.rename(out_dir, old)
        os.rename(staging, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out_dir.parent)


def _recover(out_dir: Path) -> None:
    """Under the lock: put back results moved aside by a run killed mid-swap; drop leftovers."""
    parent, name = out_dir.parent, out_dir.name
    olds = sorted(parent.glob(f".{glob_escape(name)}.old-*"), key=lambda p: p.stat().st_mtime)
    if olds and not os.path.lexists(out_dir):
        os.rename(olds.pop(), out_dir)
    for stale in olds + list(parent.glob(f".{glob_escape(name)}.staging-*")):
        shutil.rmtree(stale, ignore_errors=True)


def glob_escape(text: str) -> str:
    """``text`` with the glob metacharacters ``*?[`` made literal.

    Parameters
    ----------
    text : str
        A file name.

    Returns
    -------
    str
        The pattern matching exactly ``text``.

    Examples
    --------
    >>> glob_escape("run[1]*")
    'run[[]1][*]'
    """
    return re.sub(r"([*?\[])", r"[\1]", text)


@contextmanager
def result_folder(out_dir: str | os.PathLike, *, wait: bool = False, option: str = "--out") -> Iterator[Path]:
    """Write a result folder transactionally; yields the staging folder to write into.

    Takes the lock of ``out_dir`` (:func:`folder_lock`; ``wait`` as there), creates a hidden
    sibling staging folder and yields it.  When the block ends normally the staging folder is
    renamed to ``out_dir`` (an existing ``out_dir`` is replaced only then, atomically where the
    system allows, see the module doc).  When it raises (including KeyboardInterrupt) the staging
    folder is deleted and ``out_dir`` is untouched.  Call :func:`finalize_summary` last in the
    block.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The result folder (checked by :func:`check_out_dir`).
    wait : bool
        Wait for another writer of the same folder instead of failing.
    option : str
        The name shown in errors.

    Yields
    ------
    pathlib.Path
        The staging folder.

    Raises
    ------
    InputError
        If ``out_dir`` cannot be a result folder (:func:`check_out_dir`) or is locked (:func:`folder_lock`).

    Examples
    --------
    >>> with result_folder("results/table1") as staging:      # doctest: +SKIP
    ...     summary = job(instance, staging, source=path)
    ...     finalize_summary(staging, summary)
    """
    out_dir = check_out_dir(out_dir, option=option)
    with folder_lock(out_dir, wait=wait, option=option):
        _recover(out_dir)
        out_dir = check_out_dir(out_dir, option=option)   # again, now that no one else writes it
        staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.staging-"))
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staging, 0o777 & ~umask)              # mkdtemp makes 0700; the usual permissions
            yield staging
            _install(staging, out_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


# -------------------------------------------------------------------------------------- summary
def describe_file(path: Path) -> dict[str, Any]:
    """``bytes``, ``sha256`` and, for tables (.csv, .parquet, .jsonl), ``rows`` of one file.

    Rows come from :func:`record_rows` when the file is unchanged since (the entry is consumed),
    else from the file: CSV lines minus the header, JSON Lines lines, Parquet metadata.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    dict
        ``{"bytes": int, "sha256": str}`` plus ``"rows": int`` for tables.
    """
    digest = hashlib.sha256()
    newlines = 0
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            newlines += block.count(b"\n")
            size += len(block)
    info: dict[str, Any] = {"bytes": size, "sha256": digest.hexdigest()}
    suffix = path.suffix.lower()
    known = ROWS_WRITTEN.pop(os.path.abspath(path), None)
    st = os.stat(path)
    if known is not None and known[1:] == (st.st_size, st.st_mtime_ns) and suffix in (".csv", ".parquet", ".jsonl"):
        info["rows"] = known[0]
    elif suffix == ".csv":
        info["rows"] = max(newlines - 1, 0)              # lines minus the header
    elif suffix == ".jsonl":
        info["rows"] = newlines
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        info["rows"] = pq.ParquetFile(path).metadata.num_rows
    return info


def finalize_summary(staging: str | os.PathLike, summary: dict[str, Any]) -> dict[str, Any]:
    """Write ``summary.json`` last: ``summary`` plus ``complete: true`` and ``outputs``.

    ``outputs`` maps every other file under ``staging`` (relative POSIX path) to
    :func:`describe_file` (bytes, sha256, rows for tables).

    Parameters
    ----------
    staging : str or os.PathLike
        The staging folder of :func:`result_folder`.
    summary : dict
        The job's summary.

    Returns
    -------
    dict
        The dict written.
    """
    from trade_opt.outputs import write_json

    staging = Path(staging)
    outputs = {}
    for path in sorted(staging.rglob("*")):
        rel = path.relative_to(staging).as_posix()
        if path.is_file() and rel != "summary.json":
            outputs[rel] = describe_file(path)
    final = {**summary, "complete": True, "outputs": outputs}
    write_json(staging / "summary.json", final)
    return final
