"""The bad-input corpus (tests/bad_inputs/) and property tests of the CLI's input handling.

Every malformed instance or sweep file must give exactly one line on stderr,
``trade-opt: error: <file>: <field>: <reason>``, exit code 2, no traceback, and leave no output
that looks complete.  Random valid Gomory instances never crash ``trade-opt gomory equilibria`` /
``boundary``; random invalid ones always give that one-line error naming the broken field.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trade_opt.cli.main import main

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_inputs"
ROOT = HERE.parent

#: file -> the field the one-line error must name (after "<file>: ").
EXPECTED = {
    "binary.toml": "<file>", "empty.toml": "model", "instance.yaml": "<file>", "missing_model.toml": "model",
    "top_level_array.json": "<file>", "truncated.json": "<file>", "truncated.toml": "<file>", "wrong_model.toml": "model",
    "gomory_demand_nan.toml": "demand[0][2]", "gomory_demand_negative.toml": "demand[0][1]",
    "gomory_demand_not_matrix.toml": "demand[0]", "gomory_demand_row_length.toml": "demand[1]",
    "gomory_demand_row_sums_zero.toml": "demand[1]", "gomory_efficiency_inf.toml": "efficiency[1][0]",
    "gomory_efficiency_length.toml": "efficiency[0]", "gomory_efficiency_zero.toml": "efficiency[0][0]",
    "gomory_exponent_below_one.toml": "exponent[1][1]", "gomory_exponent_bool.toml": "exponent",
    "gomory_exponent_length.toml": "exponent", "gomory_exponent_one.toml": "exponent[2]",
    "gomory_good_without_demand.toml": "demand[*][2]", "gomory_labor_negative.toml": "labor[1]",
    "gomory_labor_string.toml": "labor[0]", "gomory_labor_out_of_range.toml": "labor[0]", "gomory_labor_zero.toml": "labor[0]",
    "gomory_missing_efficiency.toml": "efficiency", "gomory_nan.json": "labor[1]", "gomory_one_good.toml": "demand",
    "gomory_three_countries.json": "labor", "gomory_unknown_key.toml": "labour",
    "kim_markup_below_one.toml": "transport.T", "kim_wage_length.toml": "wage",
    "krugman_eps_one.toml": "eps", "krugman_labor_negative.toml": "L", "krugman_theta_one.toml": "theta",
    "melitz_pareto_shape.toml": "productivity.k", "melitz_sigma_nan.toml": "sigma",
    "sweep_base_invalid.toml": "exponent[2]", "sweep_base_missing.toml": "base", "sweep_base_other_model.toml": "model",
    "sweep_batch_size_zero.toml": "batch_size", "sweep_empty_vary.toml": "vary", "sweep_field_not_in_base.toml": "vary[0].field",
    "sweep_field_syntax.toml": "vary[0].field", "sweep_grid_num_zero.toml": "vary[0].grid.num",
    "sweep_log_grid_negative.toml": "vary[0].grid", "sweep_missing_vary.toml": "vary", "sweep_no_base.toml": "base",
    "sweep_plot_not_swept.toml": "plot.x", "sweep_random_nan.toml": "vary[0].random.low",
    "sweep_too_many_points.toml": "vary", "sweep_truncated.toml": "<file>", "sweep_two_kinds.toml": "vary[0]",
    "sweep_unknown_evaluator.toml": "evaluator", "sweep_unknown_key.toml": "workers",
    "sweep_unknown_option.toml": "options.turbo", "sweep_values_wrong_type.toml": "vary[0].values",
    "sweep_vary_unknown_option.toml": "vary[0].field", "sweep_vary_whole_list.toml": "vary[0].field",
    "sweep_wrong_model.toml": "model",
    "gomory_misspelt_labor.toml": "labour", "gomory_name_escape.toml": "name", "json_too_deep.json": "<file>",
    "json_recursion.json": "<file>", "kim_too_many_regions.toml": "regions",
    "melitz_nested_unknown_key.toml": "productivity.pareto.kk", "melitz_too_many_industries.toml": "industry",
}
#: sweep files whose error names the base instance file instead of the spec (the file to fix).
NAMES_BASE = {"sweep_base_invalid.toml": "gomory_exponent_one.toml", "sweep_base_other_model.toml": "krugman_default.toml"}


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``trade-opt ARGV`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code: int, err: str, file_name: str, field: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    prefix = "trade-opt: error: "
    assert lines[0].startswith(prefix), err
    path, rest = lines[0][len(prefix):].split(": ", 1)
    assert Path(path).name == file_name, err
    got_field, reason = rest.split(": ", 1)
    assert got_field.startswith(field), err
    assert reason.strip(), err


def test_corpus_is_complete():
    files = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    assert files == sorted(EXPECTED)
    assert len(files) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_one_line_error_and_no_output(name, tmp_path):
    out = tmp_path / "out"
    path = CORPUS / name
    argv = ["sweep", str(path), "--out", str(out), "--workers", "0"] if name.startswith("sweep_") else ["run", str(path), "--out", str(out)]
    code, _, err = run_cli(argv)
    assert_one_line_error(code, err, NAMES_BASE.get(name, name), EXPECTED[name])
    assert not out.exists()  # nothing written, so nothing can look complete


def test_ten_million_goods_is_refused_by_the_size_limit(tmp_path):
    """A 10^7-good instance (~60 MB, generated here) is refused before parsing, in a subprocess."""
    path = tmp_path / "huge.toml"
    row = "[" + "0.1, " * 10_000_000 + "0.1]"
    path.write_text(f'model = "gomory"\nlabor = [1.0, 1.0]\ndemand = [{row}, {row}]\n')
    proc = subprocess.run([sys.executable, "-m", "trade_opt.cli.main", "run", str(path), "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert_one_line_error(proc.returncode, proc.stderr, "huge.toml", "<file>")
    assert "limited to" in proc.stderr and not (tmp_path / "out").exists()


def test_binary_and_truncated_files_in_a_real_process(tmp_path):
    for name in ("binary.toml",):
        proc = subprocess.run([sys.executable, "-m", "trade_opt.cli.main", "gomory", "equilibria", str(CORPUS / name), "--json"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert_one_line_error(proc.returncode, proc.stderr, name, EXPECTED[name])
        assert proc.stdout == ""


# ----------------------------------------------------------------------------- property tests
finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def gomory_docs(draw):
    n = draw(st.integers(2, 6))
    vec = lambda lo, hi, k: draw(st.lists(st.floats(lo, hi, **finite), min_size=k, max_size=k))  # noqa: E731
    demand = [vec(1e-12, 1.0, n), vec(1e-12, 1.0, n)]
    if draw(st.booleans()):              # a zero share in one country (never a good nobody demands)
        j, i = draw(st.integers(0, 1)), draw(st.integers(0, n - 1))
        demand[j][i] = 0.0
        if sum(demand[j]) == 0:
            demand[j][(i + 1) % n] = 0.5
    doc = {
        "model": "gomory", "name": "hyp", "labor": vec(1e-3, 1e6, 2), "demand": demand,
        "efficiency": [vec(1e-3, 1e3, n), vec(1e-3, 1e3, n)],
        "exponent": vec(1.0 + 1e-6, 10.0, n) if draw(st.booleans()) else [vec(1.0 + 1e-6, 10.0, n), vec(1.0 + 1e-6, 10.0, n)],
    }
    return doc


def _write(tmp: Path, doc: dict) -> Path:
    path = tmp / "instance.json"
    path.write_text(json.dumps(doc))  # NaN/inf are written as NaN/Infinity, which json.loads reads back
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=gomory_docs())
def test_random_valid_gomory_instances_never_crash(doc, tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("valid"), doc)
    code, out, err = run_cli(["gomory", "equilibria", str(path), "--json"])
    assert code == 0, err
    result = json.loads(out)
    n = len(doc["demand"][0])
    assert result["count"] <= 2 ** n - 2
    for eq in result["equilibria"]:
        assert 0 < eq["Y"] < 1 and eq["u1"] is not None and eq["u2"] is not None  # finite (NaN/inf -> null)
    code, out, err = run_cli(["gomory", "boundary", str(path), "--grid", "3", "--method", "greedy,dp", "--json"])
    assert code == 0, err
    for row in json.loads(out):
        assert row["B_greedy"] is not None and row["B1_dp"] is not None
        assert row["B1_dp"] <= row["B_greedy"] + 1e-9 * max(1.0, abs(row["B_greedy"]))  # B1 <= B (Theorem 3)


CORRUPTIONS = {
    "labor[0]": lambda d: d["labor"].__setitem__(0, -1.0),
    "labor[1]": lambda d: d["labor"].__setitem__(1, 0.0),
    "efficiency[1][0]": lambda d: d["efficiency"][1].__setitem__(0, math.inf),
    "demand[0][1]": lambda d: d["demand"][0].__setitem__(1, math.nan),
    "demand[1]": lambda d: d.__setitem__("demand", [d["demand"][0], [0.0] * len(d["demand"][0])]),
    "exponent": lambda d: d.__setitem__("exponent", [1.0] * len(d["demand"][0])),
    "efficiency[0]": lambda d: d["efficiency"][0].pop(),
    "labour": lambda d: d.__setitem__("labour", [1.0, 1.0]),
    "efficiency": lambda d: d.pop("efficiency"),
    "labor": lambda d: d.__setitem__("labor", "8, 4"),
    "model": lambda d: d.__setitem__("model", "gomory2"),
    "efficiency[0][0]": lambda d: d["efficiency"][0].__setitem__(0, 1e200),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=gomory_docs(), field=st.sampled_from(sorted(CORRUPTIONS)), command=st.sampled_from(["equilibria", "boundary"]))
def test_random_invalid_gomory_instances_give_the_one_line_error(doc, field, command, tmp_path_factory):
    CORRUPTIONS[field](doc)
    path = _write(tmp_path_factory.mktemp("invalid"), doc)
    argv = ["gomory", command, str(path), "--json"] + (["--grid", "2"] if command == "boundary" else [])
    code, out, err = run_cli(argv)
    assert out == ""
    assert_one_line_error(code, err, "instance.json", field)


def test_key_with_control_characters_is_reported_on_one_line(tmp_path):
    """A key or file name from the user may hold a newline (found by fuzzing: an unknown key
    ``"x\\ny"`` in Melitz's ``[productivity.pareto]``): the error stays one line, escaped."""
    import tomllib

    from trade_opt.errors import InputError
    from trade_opt.instances import parse_instance

    doc = tomllib.loads((ROOT / "instances" / "melitz_default.toml").read_text())
    doc["productivity"]["x\ny"] = 1.0
    with pytest.raises(InputError) as info:
        parse_instance(doc, "bad\tname.json")
    assert str(info.value) == "bad\\tname.json: productivity.pareto.x\\ny: unknown key (allowed keys: b, k, kind)"
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    code, _, err = run_cli(["run", str(path), "--out", str(tmp_path / "out")])
    assert code == 2 and err.count("\n") == 1 and "x\\ny" in err
