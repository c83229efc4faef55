"""Krugman command line: `trade-opt run`, `krugman solve --json`, `krugman sweep`, bad-input errors."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from trade_opt.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT / "instances" / "krugman_default.toml"
CLOSED_FILE = ROOT / "instances" / "krugman_closed.toml"
HAVE_MCP = (ROOT / "trade_opt" / "mcp" / "__init__.py").exists()
needs_mcp = pytest.mark.skipif(not HAVE_MCP, reason="trade_opt.mcp (complementarity layer) not present yet")

NOTE_DEFAULT = {"p": 2.5, "omega": 6.5, "Y": 10.4, "n": 250 / 9, "c": 0.0936, "c_star": 0.00104,
                "real_wage_N": 2.6, "real_wage_S": 0.4, "E_S": 650 / 9, "l": 3.6, "x": 1.3}
NOTE_CLOSED = {"p": 2 / 3, "omega": 1.0, "Y": 6.0, "n": 25.0, "c": 0.06, "real_wage_N": 1.5, "l": 4.0, "x": 0.75}


def _write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _default_with(replace: dict[str, str]) -> str:
    text = DEFAULT_FILE.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    "replace, field",
    [
        ({"theta = 0.75": "theta = 1.5"}, "theta"),
        ({"z = 0.5\n": "z = 0.99\n"}, "L_star"),                    # K10: E_S = 5829 > L* = 1000
        ({"phi = 0.4": "phi = 4.0"}, "mu"),                         # mu(0.5) = 1.0 >= theta
        ({"gamma = 2.0": "gamma = 2.0\nbeta_S = 1.0"}, "mu.beta_S"),  # unknown key inside [mu]
        ({"A = 4.0": 'A = "four"'}, "A"),
        ({'kind = "power"': 'kind = "table"'}, "mu.phi"),            # power parameters in a table
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(tmp_path, capsys, replace, field):
    path = _write(tmp_path, _default_with(replace))
    code = main(["krugman", "solve", str(path), "--json"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "\n" not in err
    assert err.startswith("trade-opt: error: ") and f": {field}: " in err and str(path) in err


def test_sweep_bad_param_and_infeasible_point_are_errors(tmp_path, capsys):
    code = main(["krugman", "sweep", str(CLOSED_FILE), "--param", "z", "--from", "0.1", "--to", "0.5",
                 "--num", "3", "--out", str(tmp_path / "a")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--param" in err and "\n" not in err
    code = main(["krugman", "sweep", str(DEFAULT_FILE), "--param", "z", "--from", "0.5", "--to", "0.99",
                 "--num", "3", "--out", str(tmp_path / "b")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "[z=0.99]" in err and ": L_star: " in err
    assert not (tmp_path / "b" / "sweep.csv").exists()          # validated before any solve


@needs_mcp
@pytest.mark.parametrize("path, expected", [(DEFAULT_FILE, NOTE_DEFAULT), (CLOSED_FILE, NOTE_CLOSED)])
def test_solve_json_contract_and_values(capsys, path, expected):
    code = main(["krugman", "solve", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["status"] == "ok" and out["termination"] == "solved" and out["residual"] <= 1e-10
    sol = out["solution"]
    assert {"economy", "walras_residual", "max_rel_diff_mcp_closed_form", "elasticities", "routes"} <= sol.keys()
    routes = {r["route"]: r for r in sol["routes"]}
    assert {"mcp", "closed_form"} <= set(routes)
    for key, value in expected.items():
        assert abs(routes["mcp"][key] - value) <= 1e-9 * abs(value), key
        assert abs(routes["closed_form"][key] - value) <= 1e-9 * abs(value), key


@needs_mcp
@pytest.mark.parametrize("path, expected", [(DEFAULT_FILE, NOTE_DEFAULT), (CLOSED_FILE, NOTE_CLOSED)])
def test_run_prints_equilibrium_and_writes_summary(tmp_path, capsys, path, expected):
    code = main(["run", str(path), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "MCP solved" in out and f"n            {expected['n']:.10g}" in out
    summary = json.loads((tmp_path / "summary.json").read_text())
    for key, value in expected.items():
        assert abs(summary["equilibrium"][key] - value) <= 1e-9 * abs(value), key
    assert summary["walras_residual"] <= 1e-10 and (tmp_path / "ss_dd.png").stat().st_size > 0


@needs_mcp
def test_sweep_cli_writes_table_figures_and_json(tmp_path, capsys):
    code = main(["krugman", "sweep", str(DEFAULT_FILE), "--param", "L_star", "--from", "500", "--to", "2000",
                 "--num", "4", "--out", str(tmp_path), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["solved"] == 4
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert list(table["L_star"]) == [500.0, 1000.0, 1500.0, 2000.0]
    assert (table["c_star"] * table["L_star"]).std() <= 1e-12       # L* c* = mu Y does not depend on L*
    assert summary["monotone"]["n"] == "constant" and summary["monotone"]["c_star"] == "decreasing"
    for name in ("real_wages.png", "consumption.png", "varieties.png", "utilities.png", "ss_dd.png"):
        assert (tmp_path / name).stat().st_size > 0
