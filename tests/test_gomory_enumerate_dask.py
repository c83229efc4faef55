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
