"""Sweeps on Dask: rows agree with direct model calls, failures are rows, kill + resume loses and
recomputes nothing, and the resumed table equals an uninterrupted run."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trade_opt.errors import InputError
from trade_opt.sweep import load_results, run_sweep
from trade_opt.sweep.run import MANIFEST

ROOT = Path(__file__).resolve().parents[1]
TRADE_OPT = [sys.executable, "-c", "import sys; from trade_opt.cli.main import main; sys.exit(main())"]
VOLATILE = ["seconds", "run"]


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as c:
        yield c


def gomory_base(path: Path, n: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    doc = {"model": "gomory", "name": f"random{n}", "labor": [8.0, 4.0],
           "demand": rng.uniform(0.1, 1.0, (2, n)).tolist(), "efficiency": rng.uniform(0.5, 1.5, (2, n)).tolist(),
           "exponent": rng.uniform(1.1, 2.0, n).tolist()}
    path.write_text(json.dumps(doc))
    return path


def write_spec(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def tiny_spec(tmp_path: Path) -> Path:
    gomory_base(tmp_path / "base.json", 6)
    return write_spec(tmp_path / "tiny.toml", """
name = "tiny"
model = "gomory"
base = "base.json"
batch_size = 3

[[vary]]
field = "labor[0]"
values = [-1.0, 2.0, 8.0]

[[vary]]
field = "exponent[2]"
grid = { start = 1.2, stop = 3.0, num = 4 }
""")


def test_tiny_sweep_rows_match_direct_calls_and_failures_are_rows(tmp_path, client):
    from trade_opt.gomory.equilibria import all_specialized
    from trade_opt.instances import load_instance

    spec = tiny_spec(tmp_path)
    summary = run_sweep(spec, tmp_path / "out", client=client)
    assert summary["complete"] and summary["total_points"] == 12
    table = load_results(tmp_path / "out")
    assert list(table["point_id"]) == list(range(12))
    bad = table[table["labor[0]"] < 0]
    assert (bad["status"] == "invalid").all() and len(bad) == 4
    assert bad["error"].str.contains(r"labor\[0\]: labor supply must be > 0").all()
    ok = table[table["labor[0]"] > 0]
    assert (ok["status"] == "ok").all()
    base = load_instance(tmp_path / "base.json")
    for _, row in ok.iterrows():
        doc = base.model_dump()
        doc["labor"] = [row["labor[0]"], 4.0]
        doc["exponent"] = list(doc["exponent"])
        doc["exponent"][2] = row["exponent[2]"]
        batch = all_specialized(type(base).model_validate(doc).data())
        assert row["count"] == len(batch) == 62
        assert row["max_u1"] == pytest.approx(batch.u1.max(), abs=1e-12)
        assert row["Y_max_u2"] == pytest.approx(batch.Y[np.argmax(batch.u2)], abs=1e-12)
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["complete"] and manifest["points_done"] == 12 and len(manifest["batches_done"]) == 4
    # the in-process executor gives the same table
    run_sweep(spec, tmp_path / "serial", workers=0)
    pd.testing.assert_frame_equal(load_results(tmp_path / "serial").drop(columns=VOLATILE), table.drop(columns=VOLATILE))
    # a rerun of a complete sweep computes nothing
    again = run_sweep(spec, tmp_path / "out", client=client)
    assert again["run"]["computed_points"] == 0 and again["run"]["skipped_batches"] == 4


def test_resume_refuses_a_changed_spec(tmp_path, client):
    spec = tiny_spec(tmp_path)
    run_sweep(spec, tmp_path / "out", workers=0)
    spec.write_text(spec.read_text().replace("num = 4", "num = 5"))
    with pytest.raises(InputError, match="spec hash"):
        run_sweep(spec, tmp_path / "out", client=client)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kill_midway(cmd: list[str], out: Path, sig: int, min_batches: int, total_batches: int) -> dict:
    """Start the sweep, wait until ``min_batches`` batches are recorded, send ``sig``; return the manifest."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifest = out / MANIFEST
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if manifest.exists():
                try:
                    done = len(json.loads(manifest.read_text())["batches_done"])
                except (ValueError, KeyError):
                    done = 0
                if done >= min_batches:
                    break
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err
    doc = json.loads(manifest.read_text())
    assert 0 < len(doc["batches_done"]) < total_batches, "the sweep was not interrupted mid-way; make it longer"
    assert not doc["complete"] and not (out / "summary.json").exists()
    return doc


@pytest.mark.parametrize("sig,workers", [(signal.SIGTERM, "1"), (signal.SIGKILL, "0")])
def test_killed_sweep_resumes_without_recomputing_or_losing_points(tmp_path, client, sig, workers):
    gomory_base(tmp_path / "base.json", 14)
    spec = write_spec(tmp_path / "long.toml", """
name = "long"
model = "gomory"
base = "base.json"
batch_size = 2
options = { ricardo = false }

[[vary]]
field = "labor[0]"
grid = { start = 1.0, stop = 20.0, num = 80 }
""")
    out = tmp_path / "out"
    doc = _kill_midway([*TRADE_OPT, "sweep", str(spec), "--out", str(out), "--workers", workers], out, sig, 3, 40)
    first = {k: _digest(out / b["file"]) for k, b in doc["batches_done"].items()}
    assert not list((out / "parts").glob(".*.tmp")) or sig == signal.SIGKILL
    summary = run_sweep(spec, out, client=client)
    assert summary["complete"]
    manifest = json.loads((out / MANIFEST).read_text())
    runs = manifest["runs"]
    assert len(runs) == 2
    # nothing finished is recomputed: the second run skipped the batches recorded at the kill (and a
    # part renamed just before the kill, adopted from disk) and computed exactly the other points
    assert runs[1]["skipped_batches"] >= len(first)
    table = load_results(out)
    assert runs[1]["computed_points"] == (table["run"] == 2).sum() == 80 - (table["run"] == 1).sum()
    assert runs[1]["computed_points"] <= 80 - 2 * len(first)
    for k, digest in first.items():
        assert _digest(out / manifest["batches_done"][k]["file"]) == digest  # untouched
    assert list(table["point_id"]) == list(range(80))
    assert (table["status"] == "ok").all()
    assert not list((out / "parts").glob(".*.tmp"))
    # equals an uninterrupted run (in-process here: the executor does not change the table)
    run_sweep(spec, tmp_path / "reference", workers=0)
    pd.testing.assert_frame_equal(table.drop(columns=VOLATILE), load_results(tmp_path / "reference").drop(columns=VOLATILE))
