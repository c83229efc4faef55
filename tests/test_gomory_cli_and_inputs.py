"""The main job and sub-commands from files, the JSON contracts, and one-line errors for bad input."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import INSTANCES

from trade_opt.cli.main import main
from trade_opt.errors import InputError
from trade_opt.instances import load_instance

TABLE1 = INSTANCES / "gomory_table1.toml"


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table1_instance_as_printed():
    inst = load_instance(TABLE1)
    data = inst.data()
    assert inst.n == 9 and list(data.L) == [8.0, 4.0]
    assert data.demand_row_sums == pytest.approx([1.07, 1.20])
    assert data.d.sum(axis=1) == pytest.approx([1.0, 1.0], abs=1e-15)


def test_json_instance_equals_toml(tmp_path):
    raw = tomllib.loads(TABLE1.read_text())
    path = tmp_path / "t1.json"
    path.write_text(json.dumps(raw))
    a, b = load_instance(TABLE1).data(), load_instance(path).data()
    assert np.array_equal(a.d, b.d) and np.array_equal(a.alpha, b.alpha)


def test_main_job_writes_all_outputs(tmp_path, capsys):
    code, out, err = run_cli(["run", TABLE1, "--out", tmp_path], capsys)
    assert code == 0, err
    for name in ("equilibria.csv", "boundary.csv", "summary.json", "fig1.png", "fig2.png"):
        assert (tmp_path / name).stat().st_size > 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["count"] == 510
    assert summary["theorem3"]["violations"] == 0
    assert summary["boundary"]["max_abs_B1_dp_minus_B1_mip"] <= 1e-9
    assert summary["boundary"]["max_abs_B_greedy_minus_B_lp"] <= 1e-9
    assert summary["identities"]["max_trade_equation_residual"] <= 1e-12
    eq = pd.read_csv(tmp_path / "equilibria.csv", dtype={"pattern": str})
    assert len(eq) == 510 and list(eq.columns) == ["pattern", "Y", "w_ratio", "u1", "u2", "U1", "U2"]
    assert eq["u1"].max() == pytest.approx(summary["best_equilibrium_country1"]["u1"])
    assert "Ricardo level" in out


def test_equilibria_json_contract(capsys):
    code, out, _ = run_cli(["gomory", "equilibria", TABLE1, "--json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["n"] == 9 and doc["count"] == 510 == len(doc["equilibria"])
    assert set(doc["autarky"]) == {"u1", "u2"}
    first = doc["equilibria"][0]
    assert set(first) == {"x", "Y", "w_ratio", "u1", "u2"} and len(first["x"]) == 9


def test_boundary_json_contract(capsys):
    code, out, _ = run_cli(["gomory", "boundary", TABLE1, "--y", "0.3,0.5", "--method", "all", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["Y"] for r in rows] == [0.3, 0.5]
    for r in rows:
        assert set(r) == {"Y", "B_greedy", "B_lp", "B1_dp", "B1_mip", "x_B1_dp", "x_B1_mip", "status_mip"}
        assert r["B1_dp"] == pytest.approx(r["B1_mip"], abs=1e-9)
        assert r["B1_dp"] <= r["B_greedy"] + 1e-12


def test_boundary_single_method_leaves_others_null(capsys):
    code, out, _ = run_cli(["gomory", "boundary", TABLE1, "--grid", "3", "--method", "dp", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0 and len(rows) == 3 and rows[0]["B1_mip"] is None and rows[0]["B1_dp"] is not None


def test_ricardo_json_contract(capsys):
    code, out, _ = run_cli(["gomory", "ricardo", TABLE1, "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and 0 < doc["ricardo_level"] < 1 and "ricardo_solution" in doc


GOOD = tomllib.loads(TABLE1.read_text())


def _with(**changes):
    doc = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is ...:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


BAD_CASES = [
    ("demand lengths differ", _with(demand=[[0.5, 0.5], [0.3, 0.3, 0.4]]), "demand[1]", "lengths differ"),
    ("efficiency length", _with(efficiency=[[1.0] * 9, [1.0] * 8]), "efficiency[1]", "lengths differ"),
    ("exponent length", _with(exponent=[1.5] * 8), "exponent", "lengths differ"),
    ("nan efficiency", _with(efficiency=[[float("nan")] + [1.0] * 8, [1.0] * 9]), "efficiency[0][0]", "finite"),
    ("inf labor", _with(labor=[float("inf"), 4.0]), "labor[0]", "finite"),
    ("zero efficiency", _with(efficiency=[[0.0] + [1.0] * 8, [1.0] * 9]), "efficiency[0][0]", "> 0"),
    ("negative labor", _with(labor=[-8.0, 4.0]), "labor[0]", "> 0"),
    ("three labor entries", _with(labor=[8.0, 4.0, 1.0]), "labor", "2 entries"),
    ("exponent 1", _with(exponent=[1.0] + [1.5] * 8), "exponent[0]", "> 1"),
    ("exponent below 1 by country", _with(exponent=[[1.5] * 9, [0.9] + [1.5] * 8]), "exponent[1][0]", "> 1"),
    ("negative demand", _with(demand=[[-0.1] + [0.1] * 8, [0.1] * 9]), "demand[0][0]", ">= 0"),
    ("all-zero demand", _with(demand=[[0.0] * 9, [0.1] * 9]), "demand[0]", "all-zero"),
    ("unknown key", _with(labour=[8.0, 4.0]), "labour", "unknown key"),
    ("wrong type", _with(labor=["8", 4.0]), "labor[0]", "number"),
    ("n = 1", _with(demand=[[1.0], [1.0]], efficiency=[[1.0], [1.0]], exponent=[1.5]), "demand", "at least n = 2"),
    ("missing field", _with(efficiency=...), "efficiency", "missing"),
    ("wrong model", _with(model="ricardo"), "model", "unknown model"),
]


@pytest.mark.parametrize("label,doc,field,reason", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_one_line_error_exit_2(label, doc, field, reason, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc, allow_nan=True).replace("NaN", "NaN"))
    with pytest.raises(InputError) as info:
        load_instance(path)
    assert info.value.field == field and reason in info.value.reason
    code, out, err = run_cli(["run", path, "--out", tmp_path / "o"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and field in lines[0] and "Traceback" not in err


@pytest.mark.parametrize("content,suffix,reason", [
    ("model = 'gomory'\nlabor = [8.0, 4.0", ".toml", "invalid TOML"),
    ("{\"model\": ", ".json", "invalid JSON"),
    ("\x00\x01\xff", ".toml", "UTF-8"),
    ("[1, 2]", ".json", "top level"),
    ("x", ".yaml", "unsupported file type"),
])
def test_unreadable_files(tmp_path, capsys, content, suffix, reason):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(content.encode("latin-1"))
    code, _, err = run_cli(["gomory", "ricardo", path], capsys)
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_missing_file_and_bad_options(tmp_path, capsys):
    code, _, err = run_cli(["gomory", "ricardo", tmp_path / "nope.toml"], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run_cli(["gomory", "boundary", TABLE1, "--y", "0.5,abc"], capsys)
    assert code == 2 and "--y" in err
    code, _, err = run_cli(["gomory", "boundary", TABLE1, "--grid", "3", "--method", "simplex"], capsys)
    assert code == 2 and "--method" in err


def test_toml_nan_is_rejected(tmp_path, capsys):
    text = TABLE1.read_text().replace("labor = [8.0, 4.0]", "labor = [nan, 4.0]")
    path = tmp_path / "nan.toml"
    path.write_text(text)
    code, _, err = run_cli(["run", path], capsys)
    assert code == 2 and "labor[0]" in err and "finite" in err
