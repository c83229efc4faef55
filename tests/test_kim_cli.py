"""Kim CLI: the --json contract, `trade-opt run`, the liberalize outputs, and one-line errors (exit 2)."""
from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trade_opt.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
NAFTA = ROOT / "instances" / "kim_nafta3.toml"
NOTE_M1 = [8.0538, 3.2372, 5.0548]
NOTE_R = [4.6496, 1.7509, 3.1593]


def stdout_json(capsys):
    return json.loads(capsys.readouterr().out)


def test_solve_json_contract(capsys):
    """`kim solve --json`: the Result, one row per region, the baseline equilibrium, zero profits."""
    assert main(["kim", "solve", str(NAFTA), "--json", "--random-starts", "0"]) == 0
    out = stdout_json(capsys)
    assert out["status"] == "ok" and out["termination"] == "solved" and out["residual"] <= 1e-10
    sol = out["solution"]
    assert sol["distinct_solutions"] == 1 and sol["lambda_max"] < 0
    regions = sol["regions"]
    assert [r["region"] for r in regions] == ["US", "CA", "MX"]
    assert np.allclose([r["m_1"] for r in regions], NOTE_M1, atol=0.5e-4)
    assert np.allclose([r["r"] for r in regions], NOTE_R, atol=0.5e-4)
    profits = [r[f"profit_{t}"] for r in regions for t in ("A1", "A2", "F", "S")]
    assert len(profits) == 12 and max(abs(p) for p in profits) <= 1e-12


def test_run_job_writes_summary(tmp_path, capsys):
    """`trade-opt run` prints the equilibrium table and writes summary.json + equilibrium.csv."""
    assert main(["run", str(NAFTA), "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "| US | 8.0538 | 5.6905 | 3.6089 | 4.6496 | 2.5927 | 2.2037 | 2.0496 | 1.1429 |" in text
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "ok" and summary["termination"] == "solved"
    assert summary["distinct_solutions"] == 1 and summary["starts"] == 15
    table = pd.read_csv(tmp_path / "equilibrium.csv")
    assert list(table["region"]) == ["US", "CA", "MX"]
    assert np.allclose(table["m_1"], NOTE_M1, atol=0.5e-4)


def test_liberalize_writes_csv_and_figure(tmp_path, capsys):
    """`kim liberalize`: one CSV row per T (continuation), shares sum to 1, a PNG figure."""
    out = tmp_path / "lib"
    assert main(["kim", "liberalize", str(NAFTA), "--from", "1.7", "--to", "1.5", "--num", "3",
                 "--out", str(out), "--warm-only"]) == 0
    table = pd.read_csv(out / "kim_liberalize.csv")
    assert np.allclose(table["T"], [1.7, 1.6, 1.5])
    assert (table["residual"] <= 1e-10).all() and (table["lambda_max"] < 0).all()
    for tier in ("A1", "A2", "F", "S"):
        assert np.allclose(table[[f"share_{tier}_{r}" for r in ("US", "CA", "MX")]].sum(axis=1), 1.0)
    assert np.isclose(table.loc[2, "share_S_MX"], 1.0)
    assert (out / "kim_liberalize_shares.png").stat().st_size > 1000


def write_instance(tmp_path: Path, edit) -> Path:
    doc = tomllib.loads(NAFTA.read_text())
    edit(doc)
    return write_toml(tmp_path, doc)


def toml_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if math.isinf(v) and v > 0 else ("-inf" if math.isinf(v) else repr(v)))
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v)


def write_toml(tmp_path: Path, doc: dict) -> Path:
    lines = [f"{k} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines.append(f"[{k}]")
            lines += [f"{kk} = {toml_value(vv)}" for kk, vv in v.items()]
    path = tmp_path / "bad.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def set_(key, value):
    def edit(doc):
        doc[key] = value
    return edit


def set_transport(**kw):
    def edit(doc):
        doc["transport"] = kw
    return edit


I3 = [[1.0, 1.5, 1.5], [1.5, 1.0, 1.5], [1.5, 1.5, 1.0]]

BAD = [
    (set_("wage", [1.0, 0.9]), "wage"),                          # lengths differ
    (set_("wage", [1.0, float("nan"), 0.85]), "wage[1]"),        # NaN
    (set_("income", [10.0, float("inf"), 5.0]), "income[1]"),    # inf
    (set_("wage", [1.0, 0.0, 0.85]), "wage[1]"),                 # non-positive
    (set_("income", [10.0, -1.0, 5.0]), "income[1]"),
    (set_("mu", [1.2, 0.75]), "mu[0]"),                          # outside (0, 1)
    (set_("eta", 1.0), "eta"),
    (set_("delta", 0.0), "delta"),
    (set_("alpha", [0.6, 0.5]), "alpha"),                        # shares sum > 1
    (set_("beta", [0.3]), "beta"),                               # not 2 entries
    (set_("f_FL", -0.01), "f_FL"),
    (set_("colour", "red"), "colour"),                           # unknown key
    (set_("rho", "0.875"), "rho"),                               # wrong type
    (set_("regions", ["US", "CA"]), "wage"),                     # J mismatch
    (set_transport(T=0.9), "transport.T"),                       # markup < 1
    (set_transport(T_A1=I3, T_A2=I3, T_F=I3), "transport.T_S"),  # no scalar, a matrix missing
    (set_transport(T=2.0, T_F=[[1.0, 2.0], [2.0, 1.0]]), "transport.T_F"),               # not J x J
    (set_transport(T=2.0, T_S=[[1.0, 2.0, 2.0], [0.5, 1.0, 2.0], [2.0, 2.0, 1.0]]), "transport.T_S[1][0]"),
    (set_transport(T=2.0, Tx=1.0), "transport.Tx"),
]


@pytest.mark.parametrize("edit,field", BAD, ids=[f for _, f in BAD])
def test_bad_instance_is_one_line_naming_the_field(tmp_path, capsys, edit, field):
    """Every bad value: exit code 2 and one stderr line 'file: field: reason'."""
    path = write_instance(tmp_path, edit)
    assert main(["kim", "solve", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}: {field}" in err, err


@pytest.mark.parametrize("args,option", [
    (["--num", "1"], "--num"),
    (["--num", "20000"], "--num"),
    (["--to", "0.5"], "--to"),
    (["--from", "nan"], "--from"),
    (["--formulation", "cubic"], "--formulation"),
])
def test_bad_liberalize_options(tmp_path, capsys, args, option):
    """Bad sweep options: exit 2 and one line naming the option; nothing is computed."""
    assert main(["kim", "liberalize", str(NAFTA), "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and option in err, err
    assert not (tmp_path / "o" / "kim_liberalize.csv").exists()


def test_wrong_model_file_is_refused(tmp_path, capsys):
    """A file of another model given to `kim solve` names the `model` field."""
    path = write_instance(tmp_path, set_("model", "gomory"))
    assert main(["kim", "solve", str(path)]) == 2
    assert ": model:" in capsys.readouterr().err


def test_bad_solve_options(capsys):
    """`kim solve`: a markup override < 1 or negative random starts -> exit 2, one line naming the option."""
    for args, option in ((["--T", "0.5"], "--T"), (["--random-starts", "-1"], "--random-starts")):
        assert main(["kim", "solve", str(NAFTA), *args]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and option in err, err
