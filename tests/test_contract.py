"""The model contract (issue 14): the same verbs, one Result, one JSON shape, a main job each.

One parametrized test per contract, over the four registered models:
* the verbs ``trade_opt.<model>.{load_instance, build_model, solve, run}`` exist and ``solve``
  returns a :class:`trade_opt.result.Result` whose JSON has the same top-level keys for every model,
  whose table rows' keys equal ``to_frame()``'s columns, and whose status matches its termination;
* ``trade-opt <model> solve FILE --json`` prints exactly that JSON;
* unknown options raise ``TypeError`` (the package's ``OptionError``), and a solver that cannot
  solve the model is refused naming both;
* ``trade-opt <model> run FILE --out DIR`` writes a complete folder: tables, a figure and a
  summary.json (written last) listing every other file with its sha256.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

import trade_opt
from trade_opt.cli.main import main
from trade_opt.errors import OptionError, TradeOptError
from trade_opt.registry import MODELS
from trade_opt.result import Result, status_of

from conftest import INSTANCES

#: model -> (instance file, cheap solve options)
CASES = {
    "gomory": ("gomory_table1.toml", {"Y": [0.3, 0.6], "method": "dp"}),
    "kim": ("kim_nafta3.toml", {"random_starts": 0}),
    "melitz": ("melitz_default.toml", {}),
    "krugman": ("krugman_closed.toml", {}),
}
#: the CLI arguments that give the same solves
CLI_ARGS = {"gomory": ["--y", "0.3,0.6", "--method", "dp"], "kim": ["--random-starts", "0"], "melitz": [], "krugman": []}
#: an option each model's solve does not take, and a solver of the wrong kind
WRONG_SOLVER = {"gomory": "trade_opt_mcp", "kim": "cbc", "melitz": "highs", "krugman": "glpk"}


def test_every_registered_model_has_a_case():
    assert set(CASES) == set(MODELS)


@pytest.fixture(scope="module")
def results():
    out = {}
    for model, (file, options) in CASES.items():
        package = getattr(trade_opt, model) if hasattr(trade_opt, model) else __import__(f"trade_opt.{model}", fromlist=["solve"])
        instance = package.load_instance(INSTANCES / file)
        out[model] = (instance, package.solve(instance, **options))
    return out


@pytest.mark.parametrize("model", sorted(CASES))
def test_solve_contract(model, results):
    import importlib

    package = importlib.import_module(f"trade_opt.{model}")
    for verb in ("load_instance", "build_model", "solve", "run"):
        assert callable(getattr(package, verb)), f"trade_opt.{model}.{verb}"
    instance, result = results[model]
    assert isinstance(result, Result)
    assert result.model == model and result.name == instance.name
    assert result.status == "ok" and status_of(result.termination) == "ok", result
    assert result.residual is not None and 0.0 <= result.residual <= 1e-9
    doc = result.to_dict()
    assert tuple(doc) == Result.KEYS
    assert set(doc["solver"]) == {"name", "options", "iterations"}
    json.dumps(doc, allow_nan=False)  # plain JSON, no NaN
    table_key = type(result.solution).table_key
    rows = doc["solution"][table_key]
    frame = result.to_frame()
    assert len(rows) == len(frame) > 0
    assert all(list(row) == list(frame.columns) for row in rows)
    # the generic dispatch gives the same answer shape
    again = trade_opt.solve(instance, **CASES[model][1])
    assert tuple(again.to_dict()) == Result.KEYS and again.status == result.status


@pytest.mark.parametrize("model", sorted(CASES))
def test_cli_solve_json_is_the_result(model, results, capsys):
    file, _ = CASES[model]
    assert main([model, "solve", str(INSTANCES / file), "--json", *CLI_ARGS[model]]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert tuple(doc) == Result.KEYS
    _, result = results[model]
    expected = result.to_dict()
    table_key = type(result.solution).table_key
    assert doc["status"] == expected["status"] and doc["termination"] == expected["termination"]
    assert [r[next(iter(r))] for r in doc["solution"][table_key]] == [r[next(iter(r))] for r in expected["solution"][table_key]]


@pytest.mark.parametrize("model", sorted(CASES))
def test_unknown_option_and_wrong_solver_are_refused(model, results):
    import importlib

    package = importlib.import_module(f"trade_opt.{model}")
    instance, _ = results[model]
    with pytest.raises(TypeError):
        package.solve(instance, tolerance=5, **CASES[model][1])
    with pytest.raises(OptionError) as info:
        package.solve(instance, **{**CASES[model][1], "solver": WRONG_SOLVER[model]})
    message = str(info.value)
    assert WRONG_SOLVER[model] in message and model in message and "\n" not in message
    assert isinstance(info.value, TradeOptError)


@pytest.mark.parametrize("model", sorted(CASES))
def test_cli_wrong_solver_exits_2_with_one_line(model, capsys):
    file, _ = CASES[model]
    code = main([model, "solve", str(INSTANCES / file), "--solver", WRONG_SOLVER[model], *CLI_ARGS[model]])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--solver" in err


@pytest.mark.parametrize("model", sorted(CASES))
def test_run_contract(model, tmp_path, capsys):
    file, _ = CASES[model]
    out = tmp_path / model
    assert main([model, "run", str(INSTANCES / file), "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    summary = json.loads((out / "summary.json").read_text())
    for key in ("model", "name", "status", "termination", "complete", "outputs", "seconds", "versions"):
        assert key in summary, key
    assert summary["model"] == model and summary["complete"] is True and summary["status"] == "ok"
    assert {"trade_opt", "pyomo"} <= set(summary["versions"])
    listed = summary["outputs"]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"summary.json"}
    assert set(listed) == on_disk
    for name, entry in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    assert any(n.endswith(".csv") for n in listed) and any(n.endswith(".png") for n in listed)
    # summary.json was written last
    assert max((out / n).stat().st_mtime_ns for n in listed) <= (out / "summary.json").stat().st_mtime_ns
    # nothing left beside the folder but the advisory lock file (no staging folder, no old copy)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [model]
    # `trade-opt plot DIR` redraws from the tables where the model can, and the summary stays true
    if MODELS[model].redraw is not None:
        assert main(["plot", str(out), "--figure-format", "pdf,svg"]) == 0
        summary = json.loads((out / "summary.json").read_text())
        assert {"fig1.pdf", "fig1.svg", "fig2.pdf", "fig2.svg"} <= set(summary["outputs"])
        for name, entry in summary["outputs"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    else:
        assert main(["plot", str(out)]) == 2


def test_run_dispatches_on_the_model_key(tmp_path):
    out = tmp_path / "k"
    assert main(["run", str(INSTANCES / "krugman_closed.toml"), "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "summary.json").read_text())["model"] == "krugman"


def test_version_and_lazy_help():
    """``--version`` prints the package version; ``--help`` imports no model, Pyomo or pandas."""
    code = ("import sys; from trade_opt.cli.main import main; rc = main(['--help']); "
            "heavy = [m for m in ('pyomo', 'pandas', 'scipy', 'matplotlib', 'networkx', 'trade_opt.gomory', "
            "'trade_opt.kim', 'trade_opt.melitz', 'trade_opt.krugman') if m in sys.modules]; "
            "print('HEAVY', heavy); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stdout
    for model in MODELS:
        assert model in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "trade_opt.cli.main", "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == f"trade-opt {trade_opt.__version__}"


def test_gomory_solve_methods_agree():
    """B1 by DP = B1 by MIP, B by greedy = B by LP (independent routes), and B1 <= B (Theorem 3)."""
    inst = trade_opt.gomory.load_instance(INSTANCES / "gomory_table1.toml")
    Y = [0.05, 0.3, 0.5, 0.6434951524, 0.8, 0.97]
    values = {m: [p["value"] for p in trade_opt.gomory.solve(inst, Y=Y, method=m).solution.points]
              for m in ("greedy", "lp", "dp", "mip")}
    for k in range(len(Y)):
        assert abs(values["dp"][k] - values["mip"][k]) <= 1e-9
        assert abs(values["greedy"][k] - values["lp"][k]) <= 1e-9
        assert values["dp"][k] <= values["greedy"][k] + 1e-12


@pytest.mark.parametrize("bad", [{"Y": None}, {"Y": 1.5}, {"Y": []}, {"Y": 0.5, "method": "simplex"}])
def test_gomory_solve_bad_options(bad):
    inst = trade_opt.gomory.load_instance(INSTANCES / "gomory_table1.toml")
    with pytest.raises(OptionError):
        trade_opt.gomory.solve(inst, **bad)
