"""``--table-format csv|parquet`` on every command that writes tables, and ``gomory equilibria
--json`` as one document, as JSON Lines, or refused (issue 15, item 6).

Each table-writing command is run twice, writing CSV and Parquet: the Parquet tables must hold
exactly the CSV tables after a read (same columns and values, floats bit for bit).  A bad format
value exits 2 with one line, before any work.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from trade_opt import outputs
from trade_opt.cli.main import main
from trade_opt.gomory.equilibria import all_specialized
from trade_opt.instances import load_instance
from trade_opt.outputs import read_table

from conftest import INSTANCES
from test_table_format import _assert_same_table

TABLE1 = INSTANCES / "gomory_table1.toml"
NAFTA = INSTANCES / "kim_nafta3.toml"
CORRIDOR = INSTANCES / "kim_corridor5.toml"
KRUGMAN = INSTANCES / "krugman_default.toml"
MELITZ = INSTANCES / "melitz_default.toml"
#: Industries of melitz_default.toml kept for ``melitz compare`` (the writers are under test, not the solves)
MELITZ_INDUSTRIES = 1

#: command -> (argv with {out} for the output folder / file stem, the tables written, relative to {out}'s folder)
COMMANDS = {
    "gomory equilibria --csv": (["gomory", "equilibria", str(TABLE1), "--csv", "{out}/equilibria.csv"], ["equilibria"]),
    "gomory mixed --csv": (["gomory", "mixed", str(TABLE1), "--max-shared", "1", "--csv", "{out}/mixed.csv"], ["mixed"]),
    "gomory graph": (["gomory", "graph", str(TABLE1), "--out", "{out}", "--starts", "1"],
                     ["local_maxima", "paths", "conflict_by_good"]),
    "kim liberalize": (["kim", "liberalize", str(NAFTA), "--from", "1.7", "--to", "1.6", "--num", "2", "--warm-only",
                        "--out", "{out}"], ["kim_liberalize"]),
    "kim scenario": (["kim", "scenario", str(CORRIDOR), "--scenario", "corridor", "--random-starts", "0", "--steps", "1",
                      "--out", "{out}"], ["scenario_table", "scenario_totals", "markups"]),
    "krugman sweep": (["krugman", "sweep", str(KRUGMAN), "--param", "L_star", "--from", "500", "--to", "1000", "--num", "2",
                       "--no-figures", "--out", "{out}"], ["sweep"]),
    "melitz compare": (["melitz", "compare", "{melitz}", "--method", "reduction", "--out", "{out}"],
                       ["comparison", "sweep_z", "sweep_w"]),
}


@pytest.fixture(scope="module")
def melitz_small(tmp_path_factory) -> Path:
    head, *industries = MELITZ.read_text().split("[[industry]]")
    path = tmp_path_factory.mktemp("melitz") / "melitz_small.toml"
    path.write_text("[[industry]]".join([head, *industries[:MELITZ_INDUSTRIES]]))
    return path


def _argv(template: list[str], out: Path, melitz: Path) -> list[str]:
    return [a.replace("{out}", str(out)).replace("{melitz}", str(melitz)) for a in template]


def _solve_once(monkeypatch, module, name: str) -> None:
    """Let the two runs of a command (same arguments) share one solve (the test is of the writers)."""
    original, cache = getattr(module, name), {}

    def once(*args, **kwargs):
        if "result" not in cache:
            cache["result"] = original(*args, **kwargs)
        return cache["result"]

    monkeypatch.setattr(module, name, once)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_parquet_tables_equal_the_csv_tables(command, tmp_path, capsys, monkeypatch, melitz_small):
    template, tables = COMMANDS[command]
    if command == "kim scenario":
        import trade_opt.kim.scenario

        _solve_once(monkeypatch, trade_opt.kim.scenario, "solve_scenario")
    csv_dir, parquet_dir = tmp_path / "csv", tmp_path / "parquet"
    csv_dir.mkdir(), parquet_dir.mkdir()
    assert main(_argv(template, csv_dir, melitz_small)) == 0
    assert main(_argv(template, parquet_dir, melitz_small) + ["--table-format", "parquet"]) == 0
    capsys.readouterr()
    assert sorted(p.stem for p in parquet_dir.rglob("*.parquet")) == sorted(tables)
    assert not list(parquet_dir.rglob("*.csv"))
    for stem in tables:
        _assert_same_table(read_table(csv_dir / f"{stem}.csv"), read_table(parquet_dir / f"{stem}.parquet"), f"{command}: {stem}")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_table_format_is_one_line_and_exit_2(command, tmp_path, capsys, melitz_small):
    template, _ = COMMANDS[command]
    assert main(_argv(template, tmp_path, melitz_small) + ["--table-format", "xlsx"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--table-format" in err and "xlsx" in err
    assert not any(p.is_file() for p in tmp_path.rglob("*"))      # refused before any work


@pytest.mark.parametrize("option", ["--parquet", "--csv"])
def test_gomory_tables_by_file_option(option, tmp_path, capsys):
    """``--parquet FILE`` and ``--csv FILE --table-format parquet`` write the same Parquet table
    as the CSV's; ``--csv`` and ``--parquet`` together are refused."""
    extra = ["--table-format", "parquet"] if option == "--csv" else []
    assert main(["gomory", "equilibria", str(TABLE1), "--csv", str(tmp_path / "a.csv")]) == 0
    capsys.readouterr()
    assert main(["gomory", "equilibria", str(TABLE1), option, str(tmp_path / "b.parquet"), *extra, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parquet"] == str(tmp_path / "b.parquet") and doc["count"] == 510
    _assert_same_table(read_table(tmp_path / "a.csv"), read_table(tmp_path / "b.parquet"), option)
    assert main(["gomory", "equilibria", str(TABLE1), "--csv", str(tmp_path / "c.csv"), "--parquet", str(tmp_path / "c.parquet")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_equilibria_json_document_up_to_the_limit(monkeypatch, capsys):
    """At ``MAX_JSON_ROWS`` equilibria (here set to Table 1's 510) ``--json`` is one document."""
    monkeypatch.setattr(outputs, "MAX_JSON_ROWS", 510)
    assert main(["gomory", "equilibria", str(TABLE1), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] == len(doc["equilibria"]) == 510 and set(doc["equilibria"][0]) == {"x", "Y", "w_ratio", "u1", "u2"}


def test_equilibria_json_lines_above_the_limit(monkeypatch, capsys):
    """Above ``MAX_JSON_ROWS`` (here 509) ``--json`` streams JSON Lines: one equilibrium object a line,
    x, Y, w_ratio, u1, u2 as in the document, the floats bit for bit the enumeration's."""
    monkeypatch.setattr(outputs, "MAX_JSON_ROWS", 509)
    assert main(["gomory", "equilibria", str(TABLE1), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [json.loads(line) for line in lines]
    batch = all_specialized(load_instance(TABLE1).data())
    assert len(rows) == len(batch) == 510
    assert [r["x"] for r in rows] == batch.X.astype(int).tolist()
    for key in ("Y", "w_ratio", "u1", "u2"):
        values = np.array([r[key] for r in rows], dtype=np.float64)
        assert np.array_equal(values.view(np.int64), getattr(batch, key).view(np.int64)), key
    assert all(set(r) == {"x", "Y", "w_ratio", "u1", "u2"} for r in rows)


def test_equilibria_json_refused_above_n20_with_a_pointer(tmp_path, capsys):
    """n = 21 (2^21 - 2 equilibria) is beyond the stated JSON size: one line pointing to --csv/--parquet."""
    rng = np.random.default_rng(0)
    d = rng.uniform(0.1, 1.0, (2, 21))
    doc = {"model": "gomory", "name": "n21", "labor": [1.0, 2.0], "demand": (d / d.sum(axis=1, keepdims=True)).tolist(),
           "efficiency": np.ones((2, 21)).tolist(), "exponent": np.full((2, 21), 1.5).tolist()}
    path = tmp_path / "n21.json"
    path.write_text(json.dumps(doc))
    assert main(["gomory", "equilibria", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "--csv" in captured.err and "--parquet" in captured.err


def test_equilibria_help_states_the_json_sizes(capsys):
    assert main(["gomory", "equilibria", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert f"{outputs.MAX_JSON_ROWS}" in text and "JSON Lines" in text and "n = 20" in text
