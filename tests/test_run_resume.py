"""Stage checkpoints and ``trade-opt run FILE --resume`` (issue 15, item 1: "Long jobs may
checkpoint stages and --resume").

The Gomory job is interrupted after its two table stages (a KeyboardInterrupt injected into its
Pyomo cross-check stage, in a separate process): no output folder appears, and the hidden sibling ``.<name>.partial``
holds the completed stages with the instance's sha256.  ``--resume`` then finishes the run without
recomputing them (the enumeration and the mixed census are made to fail if called) and the folder's
tables are byte-identical to those of a fresh, uninterrupted run.  A checkpoint of another instance
is refused in one line (exit 2); without ``--resume`` the checkpoint is discarded.  Each run is a
fresh process (as a user's would be).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import trade_opt
from trade_opt.checkpoint import checkpoint_dir, instance_sha256
from trade_opt.errors import InputError
from trade_opt.instances import load_instance

ROOT = Path(__file__).resolve().parents[1]

DRIVER = """
import sys
import trade_opt.gomory.job as job
import trade_opt.gomory.job_tables as job_tables
mode = sys.argv[1]
if mode == "interrupt":                       # Ctrl-C during the Pyomo cross-check stage
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    job.pyomo_cross_check = interrupted
elif mode == "no-recompute":                  # the checkpointed stages must not run again
    def forbidden(*args, **kwargs):
        raise SystemExit("recomputed a checkpointed stage")
    job.enumerate_to_csv = job.mixed_to_csv = forbidden
from trade_opt.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def _instance(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    d = rng.uniform(0.1, 1.0, (2, 6))
    doc = {"model": "gomory", "name": f"resume{seed}", "labor": [3.0, 2.0],
           "demand": (d / d.sum(axis=1, keepdims=True)).tolist(),
           "efficiency": rng.uniform(0.5, 1.5, (2, 6)).tolist(), "exponent": rng.uniform(1.1, 2.0, (2, 6)).tolist()}
    path.write_text(json.dumps(doc))
    return path


def _run(mode: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", DRIVER, mode, *map(str, argv)], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    file = _instance(root / "g6.json", 1)
    ref = _run("plain", "run", file, "--out", root / "fresh", "--quiet")
    assert ref.returncode == 0, ref.stderr
    cut = _run("interrupt", "run", file, "--out", root / "out", "--quiet")
    return root, file, cut


def test_an_interrupted_run_leaves_no_folder_and_a_checkpoint(interrupted):
    root, file, cut = interrupted
    assert cut.returncode == 130, cut.stderr
    assert not (root / "out").exists()
    partial = checkpoint_dir(root / "out")
    assert partial.name == ".out.partial" and partial.parent == root
    manifest = json.loads((partial / "manifest.json").read_text())
    assert manifest["instance_sha256"] == instance_sha256(load_instance(file))
    assert manifest["model"] == "gomory" and manifest["table_format"] == "csv"
    assert list(manifest["stages"]) == ["enumeration", "mixed_census"]
    assert manifest["stages"]["enumeration"]["files"] == ["equilibria.csv"]
    assert manifest["stages"]["mixed_census"]["files"] == ["mixed_equilibria.csv"]
    assert (partial / "enumeration" / "equilibria.csv").read_bytes() == (root / "fresh" / "equilibria.csv").read_bytes()


def test_resume_reuses_the_stages_and_matches_a_fresh_run(interrupted):
    root, file, _ = interrupted
    other = load_instance(_instance(root / "other.json", 2))
    with pytest.raises(InputError) as refused:                  # a checkpoint of another instance
        trade_opt.gomory.run(other, root / "out", resume=True, quiet=True)
    message = str(refused.value)
    assert "\n" not in message and "--resume" in message and "instance_sha256" in message
    assert checkpoint_dir(root / "out").exists() and not (root / "out").exists()
    done = _run("no-recompute", "run", file, "--out", root / "out", "--resume", "--quiet")
    assert done.returncode == 0, done.stderr
    summary = json.loads((root / "out" / "summary.json").read_text())
    assert summary["complete"] is True and summary["status"] == "ok"
    assert summary["resumed_stages"] == ["enumeration", "mixed_census"]
    assert not checkpoint_dir(root / "out").exists()           # a finished run drops its checkpoint
    fresh = json.loads((root / "fresh" / "summary.json").read_text())
    tables = sorted(n for n in fresh["outputs"] if n.endswith(".csv"))
    assert tables == ["boundary.csv", "equilibria.csv", "mixed_equilibria.csv"]
    for name in tables:
        assert (root / "out" / name).read_bytes() == (root / "fresh" / name).read_bytes(), name
        assert summary["outputs"][name] == fresh["outputs"][name], name      # bytes, sha256, rows


def test_without_resume_the_checkpoint_is_discarded(tmp_path, monkeypatch):
    import trade_opt.gomory.job as job

    inst = load_instance(_instance(tmp_path / "g6.json", 1))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    calls = []
    original = job.enumerate_to_csv
    monkeypatch.setattr(job, "pyomo_cross_check", interrupted)
    monkeypatch.setattr(job, "enumerate_to_csv", lambda *a, **k: calls.append(1) or original(*a, **k))
    for resume, expected in ((False, [1]), (True, [1]), (False, [1, 1])):
        with pytest.raises(KeyboardInterrupt):
            trade_opt.gomory.run(inst, tmp_path / "out", quiet=True, resume=resume)
        assert calls == expected                   # --resume skips the enumeration; without, it reruns
        assert checkpoint_dir(tmp_path / "out").exists() and not (tmp_path / "out").exists()
    with pytest.raises(InputError, match="table_format"):     # the kept tables are CSV
        trade_opt.gomory.run(inst, tmp_path / "out", quiet=True, resume=True, table_format="parquet")
    assert calls == [1, 1]
