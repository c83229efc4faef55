"""Model export: LP/MPS of B1(Y) re-read by HiGHS directly give the DP's optimum; complementarity
models go to NL with their complementarity rows, and other formats are refused in one line."""
from __future__ import annotations

import json

import highspy
import numpy as np
import pytest
from conftest import INSTANCES

from trade_opt.cli.main import main
from trade_opt.gomory.boundary import BoundarySolver, boundary_B_greedy
from trade_opt.instances import load_instance

TABLE1 = INSTANCES / "gomory_table1.toml"
MCP_INSTANCES = [("kim", "kim_nafta3"), ("melitz", "melitz_default"), ("krugman", "krugman_default"),
                 ("krugman", "krugman_closed")]


def highs_optimum(path) -> tuple[str, float]:
    """Read a model file with highspy (no Pyomo), solve to gap 0, return (status, objective)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    return h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value


@pytest.mark.parametrize("fmt", ["lp", "mps"])
@pytest.mark.parametrize("Y", [0.3, 0.6])
def test_b1_round_trip_through_highspy(tmp_path, capsys, fmt, Y):
    out = tmp_path / f"b1.{fmt}"
    assert main(["gomory", "export", str(TABLE1), "--y", str(Y), "--format", fmt, "--out", str(out), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)
    assert [f["model"] for f in files] == ["le", "ge"]
    optima = []
    for f in files:
        status, value = highs_optimum(f["path"])
        assert status == "Optimal"
        optima.append(value)
    point = BoundarySolver(load_instance(TABLE1).data(), ("dp", "mip")).at(Y)
    # B1 = min over both directions; the files include C(Y) in the objective
    assert min(optima) == pytest.approx(point.B1_dp, abs=1e-12)
    assert min(optima) == pytest.approx(point.B1_mip, abs=1e-12)


def test_b_relaxation_round_trip(tmp_path, capsys):
    out = tmp_path / "b.lp"
    assert main(["gomory", "export", str(TABLE1), "--y", "0.6", "--format", "lp", "--relaxation", "--out", str(out), "--json"]) == 0
    files = json.loads(capsys.readouterr().out)
    optima = [highs_optimum(f["path"])[1] for f in files]
    B, _ = boundary_B_greedy(load_instance(TABLE1).data(), 0.6)
    assert min(optima) == pytest.approx(float(B[0]), abs=1e-12)


def test_gomory_export_refuses_unresolvable_Y(tmp_path, capsys):
    """Below 1e-9 the x-form row 1 - Y loses Y's digits: one-line refusal, exit 2, no file."""
    assert main(["gomory", "export", str(TABLE1), "--y", "1e-12", "--format", "lp", "--out", str(tmp_path / "b1.lp")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "1e-12" in err[0] and not list(tmp_path.iterdir())


def test_gomory_nl_and_gms_are_written(tmp_path):
    for fmt in ("nl", "gms"):
        assert main(["gomory", "export", str(TABLE1), "--y", "0.6", "--format", fmt, "--out", str(tmp_path / f"b1.{fmt}")]) == 0
    gms = (tmp_path / "b1_le.gms").read_text()
    assert "BINARY VARIABLES" in gms and "=l= 1 ;" in gms          # V.x <= 1 - Y = 0.4, scaled to rhs 1
    header = (tmp_path / "b1_ge.nl").read_text().splitlines()
    assert header[0].startswith("g3") and header[1].split()[:2] == ["9", "1"]   # 9 vars, 1 constraint


@pytest.mark.parametrize("model,name", MCP_INSTANCES)
def test_mcp_nl_keeps_every_complementarity_row(tmp_path, capsys, model, name):
    from pyomo.mpec import Complementarity

    from trade_opt.api import build_models

    inst = load_instance(INSTANCES / f"{name}.toml")
    pairs = sum(1 for _ in build_models(inst)["mcp"].component_data_objects(Complementarity, active=True))
    out = tmp_path / f"{name}.nl"
    assert main([model, "export", str(INSTANCES / f"{name}.toml"), "--format", "nl", "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)[0]
    assert info["complementarity_rows"] == pairs > 0
    lines = out.read_text().splitlines()
    ccons = [int(v) for v in lines[2].split("#")[0].split()]
    assert ccons[2] + ccons[3] == pairs                      # header: linear + nonlinear complementarity rows
    r_start = lines.index(next(l for l in lines if l.startswith("r")))
    r_rows = lines[r_start + 1:r_start + 1 + int(lines[1].split()[1])]
    assert sum(1 for l in r_rows if l.startswith("5 ")) == pairs   # each one a type-5 (complementarity) row


@pytest.mark.parametrize("fmt", ["gms", "lp", "mps"])
def test_mcp_other_formats_refused_in_one_line(tmp_path, capsys, fmt):
    code = main(["krugman", "export", str(INSTANCES / "krugman_closed.toml"), "--format", fmt, "--out", str(tmp_path / f"k.{fmt}")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot hold complementarity" in err and "--format nl" in err
    assert not (tmp_path / f"k.{fmt}").exists()


def test_export_input_errors(tmp_path, capsys):
    assert main(["gomory", "export", str(TABLE1), "--format", "lp", "--out", str(tmp_path / "a.lp")]) == 2
    assert "--y" in capsys.readouterr().err
    assert main(["gomory", "export", str(TABLE1), "--y", "0.6", "--format", "xls", "--out", str(tmp_path / "a.x")]) == 2
    assert "unknown format" in capsys.readouterr().err
    assert main(["kim", "export", str(INSTANCES / "kim_nafta3.toml"), "--y", "0.6", "--format", "nl", "--out", str(tmp_path / "k.nl")]) == 2
    assert "gomory only" in capsys.readouterr().err
