"""Stage checkpoints of long jobs and ``trade-opt run FILE --resume``.

A main job made of stages (the Gomory job: enumeration, mixed census, boundary, theorems, figures)
runs each stage through :meth:`Checkpoint.run_stage` of the checkpoint in force
(:func:`current_checkpoint`; the runner sets one for every run).  When a stage finishes, the files
it wrote into the staging folder and its return value are kept in the checkpoint folder, the
hidden sibling ``.<name>.partial`` of the output folder ``<name>``:

``.<name>.partial/manifest.json``
    ``model``, ``instance_sha256`` (sha256 of the instance's canonical JSON: every field, sorted
    keys), ``table_format``, ``trade_opt`` (version) and ``stages``: for each completed stage, in
    order, the files it wrote (relative paths) and the file holding its return value;
``.<name>.partial/<stage>/``
    those files (hard links where the file system allows, else copies) and ``result.pickle``.

The output folder itself stays complete or absent (:func:`trade_opt.folders.result_folder`): an
interrupted run leaves no ``<name>`` (or the previous one untouched) but keeps
``.<name>.partial``.  A run that finishes (whatever its status) removes the checkpoint.

``--resume`` (``resume=True``) reuses the completed stages of a checkpoint whose manifest matches
this run (same model, instance sha256, table format and trade_opt version): their files are put
back into the staging folder and their return values returned, without recomputing; later stages
run as usual.  A checkpoint that does not match is **refused** (one line naming ``--resume``, the
checkpoint and what differs; exit 2): rerun without ``--resume`` to start over.  ``--resume``
without a checkpoint runs everything.  Without ``--resume`` an existing checkpoint is discarded.

The checkpoint is local state written by trade_opt under the output folder's lock; its
``result.pickle`` files are read back only when the manifest matches (pickle: do not resume from
a checkpoint you did not make).
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

from trade_opt.errors import InputError

MANIFEST = "manifest.json"
RESULT = "result.pickle"

_CURRENT: contextvars.ContextVar["Checkpoint | None"] = contextvars.ContextVar("trade_opt_checkpoint", default=None)


def checkpoint_dir(out_dir: str | os.PathLike) -> Path:
    """The checkpoint folder of an output folder: its hidden sibling ``.<name>.partial``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The output folder (need not exist); made absolute first.

    Returns
    -------
    pathlib.Path
        ``<parent>/.<name>.partial``.
    """
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.with_name(f".{out_dir.name}.partial")


def instance_sha256(instance: Any) -> str:
    """sha256 of the instance's canonical JSON (pydantic ``model_dump(mode="json")``, sorted keys).

    Parameters
    ----------
    instance : trade_opt.instances.InstanceBase
        A validated instance (anything without ``model_dump`` is hashed as given).

    Returns
    -------
    str
        64 hex digits.
    """
    data = instance.model_dump(mode="json") if hasattr(instance, "model_dump") else instance
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_checkpoint() -> "Checkpoint | None":
    """The checkpoint of the job running in this context.

    Returns
    -------
    Checkpoint or None
        The active :class:`Checkpoint` (a context variable set by :func:`stage_checkpoint`
        around the job in :func:`trade_opt.runner.run_job_in_folder`); None outside such a job.
    """
    return _CURRENT.get()


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime_ns) of every file under ``root``."""
    out = {}
    for path in root.rglob("*"):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class Checkpoint:
    """The stage checkpoint of one run (module doc).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The output folder (the checkpoint is its sibling ``.<name>.partial``).
    staging : str or os.PathLike
        The staging folder the job writes into.
    key : dict of str to str
        What a checkpoint must match to be resumed (model, instance_sha256, table_format,
        trade_opt; figure_format when not PNG).
    resume : bool
        Reuse a matching checkpoint's stages (a mismatch raises :class:`InputError`); else
        discard any existing checkpoint.
    """

    def __init__(self, out_dir: str | os.PathLike, staging: str | os.PathLike, key: dict[str, str], *, resume: bool):
        self.path = checkpoint_dir(out_dir)
        self.staging = Path(staging)
        self.key = dict(key)
        self.stages: dict[str, dict[str, Any]] = {}
        self.resumed: list[str] = []
        manifest = self.path / MANIFEST
        if resume and manifest.exists():
            try:
                found = json.loads(manifest.read_text(encoding="utf-8"))
                stages = found["stages"]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise InputError("<command line>", "--resume", f"{self.path}: unreadable checkpoint manifest ({exc}); "
                                 "rerun without --resume to start over") from None
            differ = [k for k, v in self.key.items() if found.get(k) != v]
            if differ:
                raise InputError("<command line>", "--resume", f"{self.path} was made for a different run "
                                 f"({', '.join(f'{k}: {found.get(k)!r} here {self.key[k]!r}' for k in differ)}); "
                                 "rerun without --resume to start over")
            self.stages = dict(stages)
        elif self.path.exists():
            shutil.rmtree(self.path)

    def _write_manifest(self) -> None:
        from trade_opt.outputs import write_json

        write_json(self.path / MANIFEST, {**self.key, "stages": self.stages})

    def run_stage(self, name: str, fn: Callable[[], Any]) -> tuple[Any, bool]:
        """Run stage ``name`` (``fn()``), or restore it from the checkpoint; keep it when it completes.

        Parameters
        ----------
        name : str
            The stage's name (unique within the job).
        fn : callable
            ``fn()`` computes the stage: writes its files into the staging folder and returns
            its value.

        Returns
        -------
        value : Any
            The stage's value (unpickled from the checkpoint, or returned by ``fn``).
        restored : bool
            True when restored from the checkpoint (its files linked back into staging).
        """
        entry = self.stages.get(name)
        if entry is not None:
            folder = self.path / name
            for rel in entry["files"]:
                _link_or_copy(folder / rel, self.staging / rel)
            with open(folder / RESULT, "rb") as handle:
                value = pickle.load(handle)
            self.resumed.append(name)
            return value, True
        before = _files(self.staging)
        value = fn()
        self.keep(name, value, [rel for rel, stat in _files(self.staging).items() if before.get(rel) != stat])
        return value, False

    def keep(self, name: str, value: Any, files: list[str]) -> None:
        """Store a completed stage: its ``files`` (relative to the staging folder) and ``value``.

        A value that cannot be pickled leaves the stage out of the checkpoint (it is recomputed).

        Parameters
        ----------
        name : str
            Stage name (a subfolder of the checkpoint folder; an existing one is replaced).
        value : Any
            The stage's return value, pickled to ``<name>/result.pickle``.
        files : list of str
            Files the stage wrote, relative to the staging folder; hard-linked (or copied) into the
            stage folder.
        """
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        folder = self.path / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for rel in files:
            _link_or_copy(self.staging / rel, folder / rel)
        (folder / RESULT).write_bytes(blob)
        self.stages[name] = {"files": sorted(files), "result": f"{name}/{RESULT}"}
        self._write_manifest()

    def discard(self) -> None:
        """Remove the checkpoint folder (the run finished)."""
        shutil.rmtree(self.path, ignore_errors=True)


@contextlib.contextmanager
def stage_checkpoint(out_dir: str | os.PathLike, staging: str | os.PathLike, key: dict[str, str], *,
                     resume: bool) -> Iterator[Checkpoint]:
    """Make :class:`Checkpoint` the current one for the block; discard it when the block ends normally.

    Parameters
    ----------
    out_dir, staging, key, resume
        As :class:`Checkpoint`.

    Yields
    ------
    Checkpoint
        The current checkpoint (:func:`current_checkpoint` returns it inside the block); removed
        when the block ends without an exception, kept for ``--resume`` otherwise.
    """
    checkpoint = Checkpoint(out_dir, staging, key, resume=resume)
    token = _CURRENT.set(checkpoint)
    try:
        yield checkpoint
    finally:
        _CURRENT.reset(token)
    checkpoint.discard()
