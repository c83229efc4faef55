"""`trade-opt run` / `trade-opt melitz solve|compare`: outputs, the --json contract, and one-line
errors (exit code 2, naming the field) for bad instance files."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from conftest import INSTANCES

from trade_opt.cli.main import main

DEFAULT = INSTANCES / "melitz_default.toml"
CORNERS = INSTANCES / "melitz_corners.toml"


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_run_job_prints_note_table_and_writes_outputs(tmp_path, capsys):
    code, out, err = run_cli(["run", DEFAULT, "--out", tmp_path], capsys)
    assert code == 0, err
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.split()[:1] in (["low"], ["mid"], ["high"])}
    # name z regime theta* theta_o P R M M_o theta~_t M_a/M_t, printed to 6 s.f. = the note's table
    assert rows["low"][3:] == ["1.50292", "5.9454", "0.91445", "28.5891", "2.33476", "0.00953377", "2.14704", "0.989945"]
    assert rows["mid"][3:] == ["1.56508", "3.49964", "0.7776", "36.4591", "2.53188", "0.101275", "2.42462", "0.912871"]
    assert rows["high"][3:] == ["1.73812", "2.72686", "0.511202", "68.3992", "3.12266", "0.515454", "3.32098", "0.740163"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["solver"]["offshoring"]["residual"] <= 1e-10
    assert summary["checks"]["cross_check_offshoring"]["reduction"] <= 1e-9
    assert summary["checks"]["cross_check_offshoring"]["closed_form"] <= 1e-9
    assert all(v <= 1e-12 for v in summary["checks"]["identities_max_abs"].values())
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table["industry"]) == ["low", "mid", "high"]
    assert (tmp_path / "comparison.png").stat().st_size > 10_000
    by_w = pd.read_csv(tmp_path / "sweep_w.csv")
    assert sorted(by_w["z"].unique()) == [0.2, 0.5, 0.8]


def test_solve_json_contract(capsys):
    code, out, err = run_cli(["melitz", "solve", CORNERS, "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["solution"]["method"] == "mcp" and doc["termination"] == "solved" and doc["residual"] <= 1e-10
    assert doc["status"] == "ok" and doc["solver"]["name"] == "trade_opt_mcp"
    doc = doc["solution"]
    assert [r["regime"] for r in doc["industries"]] == ["none", "interior", "all"]
    required = {"industry", "z", "w", "regime", "theta_star", "theta_o", "u", "nu", "M_e", "B", "P", "R", "M", "M_o",
                "theta_tilde_t", "ell_N", "ell_S", "CS"}
    assert all(required <= set(r) for r in doc["industries"])


def test_compare_json_and_out(tmp_path, capsys):
    code, out, err = run_cli(["melitz", "compare", DEFAULT, "--out", tmp_path, "--json", "--method", "reduction"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["method"] == "reduction" and len(doc["comparison"]) == 3
    row = doc["comparison"][2]
    assert row["variety_ratio"] == pytest.approx(1 / 0.740163, rel=1e-6)
    assert row["price_ratio"] < 1 and row["cutoff_ratio"] > 1
    for name in ("comparison.csv", "comparison.md", "sweep_z.csv", "sweep_w.csv", "comparison.png"):
        assert (tmp_path / name).exists()


def _write(tmp_path: Path, change: dict, base: Path = DEFAULT, drop: tuple = ()) -> Path:
    doc = tomllib.loads(base.read_text())
    for key in drop:
        doc.pop(key)
    for key, value in change.items():
        target = doc
        parts = key.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        target[parts[-1]] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    return path


BAD = [
    ({"sigma": 1.0}, "sigma", "1 < sigma"),
    ({"sigma": "3"}, "sigma", "valid number"),
    ({"mu": 0.7}, "mu", "mu < alpha"),
    ({"w": 0.5}, "w", "1 <= w"),
    ({"f_o": 1.0}, "f_o", "must exceed f_d"),
    ({"delta": 0.0}, "delta", "(0, 1]"),
    ({"H": -1.0}, "H", "> 0"),
    ({"productivity.k": 2.0}, "productivity.k", "k > sigma - 1"),
    ({"productivity.kind": "weibull"}, "productivity", "kind"),
    ({"productivity.theta_max": 4.0}, "productivity.pareto.theta_max", "unknown key"),
    ({"industry.1.z": 1.5}, "industry[1].z", "[0, 1]"),
    ({"industry.0.name": "mid"}, "industry[1].name", "duplicate"),
    ({"industry": []}, "industry", "at least one"),
    ({"extra": 1}, "extra", "unknown key"),
]


@pytest.mark.parametrize("change, field, reason", BAD, ids=[b[1] + ":" + b[2] for b in BAD])
def test_bad_input_one_line_exit_2(tmp_path, capsys, change, field, reason):
    path = _write(tmp_path, change)
    code, out, err = run_cli(["melitz", "solve", path, "--json"], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"{path}: {field}:" in lines[0] and reason in lines[0], lines[0]


def test_nan_and_inf_rejected(tmp_path, capsys):
    path = tmp_path / "nan.toml"
    path.write_text(DEFAULT.read_text().replace("H = 25.0", "H = nan"))
    code, _, err = run_cli(["melitz", "solve", path], capsys)
    assert code == 2 and "H: must be a finite number" in err and len(err.strip().splitlines()) == 1
    path.write_text(DEFAULT.read_text().replace("w = 2.0", "w = inf"))
    code, _, err = run_cli(["run", path, "--out", tmp_path], capsys)
    assert code == 2 and "w: must be a finite number" in err


def test_truncated_and_lognormal_parameters_checked(tmp_path, capsys):
    path = _write(tmp_path, {"productivity.theta_max": 0.5}, base=CORNERS)
    code, _, err = run_cli(["melitz", "solve", path], capsys)
    assert code == 2 and "productivity.theta_max: must exceed b" in err
    path = _write(tmp_path, {"productivity": {"kind": "lognormal", "loc": 0.0, "scale": -0.5}})
    code, _, err = run_cli(["melitz", "solve", path], capsys)
    assert code == 2 and "productivity.scale: must be > 0" in err
    # a valid lognormal file is solved by the 1-D reduction (the MCP needs an algebraic G)
    path = _write(tmp_path, {"productivity": {"kind": "lognormal", "loc": 0.0, "scale": 0.5}})
    code, out, err = run_cli(["melitz", "solve", path, "--json"], capsys)
    assert code == 0 and json.loads(out)["solution"]["method"] == "reduction"
    code, _, err = run_cli(["melitz", "solve", path, "--method", "mcp"], capsys)
    assert code == 2 and "no algebraic Pyomo form" in err


def test_wrong_model_file_is_refused(tmp_path, capsys):
    code, _, err = run_cli(["melitz", "solve", INSTANCES / "gomory_table1.toml"], capsys)
    assert code == 2 and "model" in err and "'melitz'" in err
