"""Enumeration into a folder (ranges, Parquet parts, manifest, reductions): equals the in-memory
enumeration, resumes, and reports a failed range as missing."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import random_gomory

from trade_opt.errors import TradeOptError
from trade_opt.gomory import enumerate_dask
from trade_opt.gomory.enumerate_dask import code_ranges, run_enumeration
from trade_opt.gomory.enumerate_ranges import RangeReduction
from trade_opt.gomory.equilibria import all_specialized


_RANGE_TASK = enumerate_dask._range_task      # the real task (tests replace the module's)


def _read_parts(out):
    return pd.concat([pd.read_parquet(f) for f in sorted((out / "parts").glob("part-*.parquet"))], ignore_index=True)


def test_code_ranges_cover_every_code_once():
    r = code_ranges(7, 16)
    codes = np.concatenate([np.arange(a, b) for a, b in r])
    assert np.array_equal(codes, np.arange(1, 2**7 - 1))


def test_folder_equals_in_memory_enumeration_and_reductions(tmp_path):
    data = random_gomory(11, 31)
    summary = run_enumeration(data, tmp_path / "e", workers=0, part_size=300, grid=50, top=5)
    whole = all_specialized(data)
    parts = _read_parts(tmp_path / "e").sort_values("code")
    assert np.array_equal(parts["code"].to_numpy(), whole.codes)
    assert np.abs(parts["u1"].to_numpy() - whole.u1).max() <= 1e-12
    assert np.abs(parts["u2"].to_numpy() - whole.u2).max() <= 1e-12
    assert summary["count"] == len(whole) == 2**11 - 2
    for j, u in enumerate((whole.u1, whole.u2)):
        top = summary["best"][f"country{j + 1}"]
        order = np.argsort(-u, kind="stable")[:5]
        assert [b["code"] for b in top] == whole.codes[order].tolist()
        bins = np.minimum((whole.Y * 50).astype(int), 49)
        env = pd.Series(u).groupby(bins).max()
        got = summary["envelope"][f"u{j + 1}"]
        assert all(got[b] == pytest.approx(v, abs=1e-12) for b, v in env.items())
        assert sum(v is not None for v in got) == len(env)
    assert json.loads((tmp_path / "e" / "summary.json").read_text())["count"] == summary["count"]


def test_reductions_merge_in_any_order():
    data = random_gomory(9, 4)
    from trade_opt.gomory.enumerate_ranges import enumerate_range

    a, b = enumerate_range(data, 1, 200, grid=20, top=4), enumerate_range(data, 200, 511, grid=20, top=4)
    whole = enumerate_range(data, 1, 511, grid=20, top=4)
    for m in (a.merge(b), b.merge(a), RangeReduction.from_dict(a.to_dict()).merge(b)):
        assert np.array_equal(m.top_code, whole.top_code) and np.array_equal(m.env_code, whole.env_code)
        assert m.count == whole.count


def test_resume_reruns_only_missing_parts(tmp_path, monkeypatch):
    data = random_gomory(10, 5)
    out = tmp_path / "e"
    first = run_enumeration(data, out, workers=0, part_size=256)
    victim = out / "parts" / "part-000002.parquet"
    victim.unlink()
    calls = []
    real = enumerate_dask._range_task
    monkeypatch.setattr(enumerate_dask, "_range_task", lambda *a: calls.append(a[1]) or real(*a))
    again = run_enumeration(data, out, workers=0, part_size=256)
    assert calls == [512] and again["best"] == first["best"] and victim.exists()
    other = random_gomory(10, 6)
    with pytest.raises(TradeOptError, match="another instance"):
        run_enumeration(other, out, workers=0)


def test_failed_range_is_reported_missing_then_retried(tmp_path, monkeypatch):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    data = random_gomory(9, 8)
    out = tmp_path / "e"
    real = enumerate_dask._range_task

    def dying(d, start, stop, path, grid, top, *device):
        if start == 256:
            raise OSError("worker lost")
        return real(d, start, stop, path, grid, top, *device)

    monkeypatch.setattr(enumerate_dask, "_range_task", dying)
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        with pytest.raises(TradeOptError, match=r"1 of 2 code range\(s\) missing.*\[256, 511\)"):
            run_enumeration(data, out, client=client, part_size=256, retries=1)
        assert not (out / "summary.json").exists()
        doc = json.loads((out / "manifest.json").read_text())
        assert list(doc["failed"]) == ["1"] and list(doc["done"]) == ["0"]
        monkeypatch.setattr(enumerate_dask, "_range_task", real)
        summary = run_enumeration(data, out, client=client, part_size=256)
    assert summary["count"] == 2**9 - 2
    assert json.loads((out / "manifest.json").read_text())["failed"] == {}


def test_cli_equilibria_out_and_bad_options(tmp_path, capsys):
    from trade_opt.cli.main import main
    from trade_opt.instances import load_instance  # noqa: F401

    inst = tmp_path / "g.toml"
    inst.write_text('model = "gomory"\nlabor = [1.0, 2.0]\ndemand = [[0.2, 0.3, 0.5], [0.4, 0.4, 0.2]]\n'
                    'efficiency = [[1.0, 1.2, 0.8], [0.9, 1.0, 1.3]]\nexponent = [1.5, 1.6, 1.4]\n')
    assert main(["gomory", "equilibria", str(inst), "--out", str(tmp_path / "o"), "--workers", "0"]) == 0
    assert "6 equilibria of 6 patterns" in capsys.readouterr().out
    assert main(["gomory", "equilibria", str(inst), "--workers", "2"]) == 2
    assert "--workers/--scheduler" in capsys.readouterr().err
    assert main(["gomory", "equilibria", str(inst), "--out", str(tmp_path / "p"), "--workers", "-1"]) == 2


def _killing_task(marker_dir, once_start, always_start):
    """A range task that kills its worker process: on its first attempt at ``once_start`` (a marker
    file makes the retry survive) and on every attempt at ``always_start``."""
    import os
    from pathlib import Path

    real = _RANGE_TASK

    def task(data, start, stop, path, grid, top, device="cpu"):
        if start == always_start:
            os._exit(17)
        if start == once_start:
            try:
                os.close(os.open(Path(marker_dir) / f"killed-{start}", os.O_CREAT | os.O_EXCL))
                os._exit(17)
            except FileExistsError:
                pass
        return real(data, start, stop, path, grid, top, device)

    return task


def test_cli_workers_2_processes_killed_worker_reported_missing_then_rerun(tmp_path, monkeypatch, capsys):
    """`gomory equilibria --workers 2` on a LocalCluster of worker processes: the range whose worker
    process dies (os._exit) is reported missing (exit 2, one line, manifest ``failed``; any range that
    shared the dying worker too), never skipped: every range is done or failed.  The rerun completes
    the missing ranges only, and the merged folder equals the single-process enumeration."""
    dask = pytest.importorskip("dask")
    from trade_opt.cli.main import main
    from trade_opt.instances import load_instance

    inst = tmp_path / "g.toml"
    data = random_gomory(10, 77)
    inst.write_text('model = "gomory"\nlabor = %r\ndemand = %r\nefficiency = %r\nexponent = %r\n'
                    % (data.L.tolist(), data.d.tolist(), data.e.tolist(), data.alpha[0].tolist()))
    data = load_instance(inst, model="gomory").data()
    monkeypatch.setattr(enumerate_dask, "DEFAULT_PART_SIZE", 256)          # ranges [1,256) [256,512) [512,768) [768,1023)
    monkeypatch.setattr(enumerate_dask, "_range_task", _killing_task(str(tmp_path), -1, 768))
    out = tmp_path / "e"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        code = main(["gomory", "equilibria", str(inst), "--out", str(out), "--workers", "2"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "code range(s) missing" in err and "KilledWorker" in err
    doc = json.loads((out / "manifest.json").read_text())
    assert "3" in doc["failed"] and doc["failed"]["3"]["range"] == [768, 1023]
    assert sorted(list(doc["done"]) + list(doc["failed"]), key=int) == ["0", "1", "2", "3"]   # none skipped
    assert not (out / "summary.json").exists()
    missing = sorted(int(k) for k in doc["failed"])
    calls = []
    real = _killing_task(str(tmp_path), -1, -1)
    monkeypatch.setattr(enumerate_dask, "_range_task", lambda *a: calls.append(a[1]) or real(*a))
    assert main(["gomory", "equilibria", str(inst), "--out", str(out), "--workers", "0"]) == 0
    assert calls == [doc["ranges"][k][0] for k in missing]                 # the rerun ran the missing ranges only
    single = run_enumeration(data, tmp_path / "single", workers=0, part_size=1 << 20)
    merged = json.loads((out / "summary.json").read_text())
    assert merged["count"] == single["count"] == 2**10 - 2
    assert merged["best"] == single["best"] and merged["envelope"] == single["envelope"]
    parts = _read_parts(out).sort_values("code")
    whole = all_specialized(data)
    assert np.array_equal(parts["code"].to_numpy(), whole.codes)
    assert np.array_equal(parts["u1"].to_numpy(), whole.u1) and np.array_equal(parts["u2"].to_numpy(), whole.u2)
