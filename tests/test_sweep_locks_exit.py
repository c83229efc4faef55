"""Sweeps: one writer per --out (lock), honest exit codes (all points failed -> 1), failure counts."""
from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from trade_opt.cli.main import main
from trade_opt.errors import InputError
from trade_opt.outputs import folder_lock
from trade_opt.sweep import load_results, run_sweep


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def spec(tmp_path, labor_values: str):
    rng = np.random.default_rng(0)
    doc = {"model": "gomory", "name": "r5", "labor": [8.0, 4.0], "demand": rng.uniform(0.1, 1, (2, 5)).tolist(),
           "efficiency": rng.uniform(0.5, 1.5, (2, 5)).tolist(), "exponent": rng.uniform(1.1, 2.0, 5).tolist()}
    (tmp_path / "base.json").write_text(json.dumps(doc))
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\nmodel = "gomory"\nbase = "base.json"\nbatch_size = 2\n\n'
                    f'[[vary]]\nfield = "labor[0]"\nvalues = {labor_values}\n')
    return path


def test_every_point_failing_exits_1_and_counts(tmp_path):
    code, out, err = run_cli(["sweep", str(spec(tmp_path, "[-1.0, -2.0, 0.0]")), "--out", str(tmp_path / "o"), "--workers", "0"])
    assert code == 1 and "every one of the 3 points failed" in err, err
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["points_ok"] == 0 and summary["points_failed"] == 3 == summary["status_counts"]["invalid"]


def test_partial_failure_exits_0_with_counts(tmp_path):
    code, out, err = run_cli(["sweep", str(spec(tmp_path, "[-1.0, 2.0, 8.0]")), "--out", str(tmp_path / "o"),
                              "--workers", "0", "--json"])
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["points_ok"], summary["points_failed"]) == (2, 1)
    table = load_results(tmp_path / "o")
    assert (table["status"] == "ok").sum() == 2


def test_second_sweep_on_the_same_out_is_refused(tmp_path):
    path = spec(tmp_path, "[2.0, 8.0]")
    out = tmp_path / "o"
    with folder_lock(out):
        with pytest.raises(InputError, match="being written by another trade-opt process"):
            run_sweep(path, out, workers=0)
        code, _, err = run_cli(["sweep", str(path), "--out", str(out), "--workers", "0"])
        assert code == 2 and len(err.strip().splitlines()) == 1 and "--wait" in err
    assert not out.exists()                       # refused before anything was written
    summary = run_sweep(path, out, workers=0)     # free again
    assert summary["complete"] and summary["points_ok"] == 2


def test_sweep_out_naming_a_file_is_one_line(tmp_path):
    path = spec(tmp_path, "[2.0]")
    target = tmp_path / "f"
    target.write_text("x")
    code, _, err = run_cli(["sweep", str(path), "--out", str(target), "--workers", "0"])
    assert code == 2 and "--out" in err and "not a folder" in err and len(err.strip().splitlines()) == 1
