"""``--table-format csv|parquet`` on ``trade-opt run`` / ``trade-opt <model> run`` (issue 15, item 6).

Each model's main job is run twice on the same instance, once writing CSV and once Parquet; the
Parquet tables must hold exactly the CSV tables (same columns, types and values, floats bit for
bit), summary.json must count their rows, and ``trade-opt plot`` must redraw from Parquet.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from trade_opt.cli.main import main
from trade_opt.errors import InputError
from trade_opt.outputs import CsvStream, current_table_format, read_table, table_format, write_csv

from conftest import INSTANCES

CASES = {"gomory": "gomory_symmetric.toml", "kim": "kim_nafta3.toml", "melitz": "melitz_default.toml",
         "krugman": "krugman_closed.toml"}
#: Industries of melitz_default.toml kept (each costs its sweeps' solves; one keeps the test short)
MELITZ_INDUSTRIES = 1


#: Models whose job is run in a fresh process: the Gomory mixed census's ``stability`` column
#: (batched eigenvalues) differs in the last bit in some rows between the first and a later job
#: of one process, while fresh processes agree byte for byte; the comparison is of the writers.
FRESH_PROCESS = {"gomory"}
ROOT = Path(__file__).resolve().parents[1]


def _cli(model: str, argv: list[str]) -> int:
    if model not in FRESH_PROCESS:
        return main(argv)
    return subprocess.run([sys.executable, "-m", "trade_opt.cli.main", *argv], cwd=ROOT).returncode


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{model: (csv folder, parquet folder)}; the CSV run uses ``<model> run``, the Parquet run ``run``."""
    root = tmp_path_factory.mktemp("table_format")
    text = (INSTANCES / CASES["melitz"]).read_text()
    head, *industries = text.split("[[industry]]")
    (root / "melitz_small.toml").write_text("[[industry]]".join([head, *industries[:MELITZ_INDUSTRIES]]))
    folders = {}
    for model, file in CASES.items():
        path = root / "melitz_small.toml" if model == "melitz" else INSTANCES / file
        csv_dir, parquet_dir = root / f"{model}_csv", root / f"{model}_parquet"
        assert _cli(model, [model, "run", str(path), "--out", str(csv_dir), "--quiet"]) == 0
        assert _cli(model, ["run", str(path), "--out", str(parquet_dir), "--quiet",
                            "--table-format", "parquet"]) == 0
        folders[model] = (csv_dir, parquet_dir)
    return folders


def _tables(folder, suffix):
    return {p.relative_to(folder).with_suffix("").as_posix(): p for p in sorted(folder.rglob("*" + suffix))}


def _assert_same_table(csv_frame: pd.DataFrame, parquet_frame: pd.DataFrame, where: str) -> None:
    assert list(parquet_frame.columns) == list(csv_frame.columns), where
    assert len(parquet_frame) == len(csv_frame), where
    for name in csv_frame.columns:
        a, b = csv_frame[name].to_numpy(), parquet_frame[name].to_numpy()
        if a.dtype.kind == "i" and b.dtype.kind == "f":
            # CSV cannot tell 1.0 from 1: a float column of whole numbers reads back as integers
            a = a.astype(np.float64)
        assert a.dtype.kind == b.dtype.kind or {a.dtype.kind, b.dtype.kind} <= {"O", "U", "T"}, (where, name, a.dtype, b.dtype)
        if a.dtype.kind == "f":
            assert a.dtype == b.dtype == np.float64, (where, name)
            nan = np.isnan(a)
            assert np.array_equal(nan, np.isnan(b)), (where, name)
            assert np.array_equal(a[~nan].view(np.int64), b[~nan].view(np.int64)), (where, name)  # bit for bit
        else:
            assert a.tolist() == b.tolist(), (where, name)


@pytest.mark.parametrize("model", sorted(CASES))
def test_parquet_run_writes_the_csv_tables_exactly(model, runs):
    csv_dir, parquet_dir = runs[model]
    csv_tables, parquet_tables = _tables(csv_dir, ".csv"), _tables(parquet_dir, ".parquet")
    assert csv_tables and not _tables(csv_dir, ".parquet")
    assert not _tables(parquet_dir, ".csv")
    assert set(parquet_tables) == set(csv_tables)
    for stem, path in parquet_tables.items():
        _assert_same_table(read_table(csv_tables[stem]), read_table(path), f"{model}/{stem}")
    # the other files are the same set (figures, Markdown, ...)
    others = {p.relative_to(csv_dir).as_posix() for p in csv_dir.rglob("*") if p.is_file() and p.suffix != ".csv"}
    assert others == {p.relative_to(parquet_dir).as_posix() for p in parquet_dir.rglob("*")
                      if p.is_file() and p.suffix != ".parquet"}


@pytest.mark.parametrize("model", sorted(CASES))
def test_summary_lists_the_parquet_tables_with_their_rows(model, runs):
    csv_dir, parquet_dir = runs[model]
    csv_outputs = json.loads((csv_dir / "summary.json").read_text())["outputs"]
    summary = json.loads((parquet_dir / "summary.json").read_text())
    assert summary["complete"] is True and summary["status"] == "ok"
    parquet_files = {n for n in summary["outputs"] if n.endswith(".parquet")}
    assert parquet_files == {p.relative_to(parquet_dir).as_posix() for p in parquet_dir.rglob("*.parquet")}
    assert not any(n.endswith(".csv") for n in summary["outputs"])
    for name in parquet_files:
        rows = summary["outputs"][name]["rows"]
        assert rows == pq.ParquetFile(parquet_dir / name).metadata.num_rows
        assert rows == csv_outputs[name[: -len(".parquet")] + ".csv"]["rows"]


def test_plot_redraws_from_a_parquet_gomory_folder(runs, capsys):
    csv_dir, parquet_dir = runs["gomory"]
    assert main(["plot", str(parquet_dir), "--figure-format", "svg"]) == 0
    summary = json.loads((parquet_dir / "summary.json").read_text())
    assert {"fig1.svg", "fig2.svg"} <= set(summary["outputs"])
    assert all((parquet_dir / name).stat().st_size > 0 for name in ("fig1.svg", "fig2.svg"))
    assert not any(n.endswith(".csv") for n in summary["outputs"])
    # a folder with neither table is refused in one line
    (parquet_dir / "equilibria.parquet").unlink()
    assert main(["plot", str(parquet_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "equilibria.parquet" in err


@pytest.mark.parametrize("command", [["run"], ["kim", "run"]])
def test_bad_table_format_exits_2_with_one_line(command, tmp_path, capsys):
    out = tmp_path / "never"
    code = main([*command, str(INSTANCES / "kim_nafta3.toml"), "--out", str(out), "--table-format", "xlsx"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "--table-format" in err and "xlsx" in err
    assert not out.exists()


def test_context_sets_the_writers_and_is_undone(tmp_path):
    frame = pd.DataFrame({"pattern": ["010", "110"], "Y": [0.1, -0.0], "n": [1, 2]})
    assert write_csv(tmp_path / "a.csv", frame) == tmp_path / "a.csv"
    with table_format("parquet"):
        assert current_table_format() == "parquet"
        assert write_csv(tmp_path / "b.csv", frame) == tmp_path / "b.parquet"
        with CsvStream(tmp_path / "c.csv") as stream:
            stream.write(frame.iloc[:1])
            stream.write(frame.iloc[1:])
        assert stream.path == tmp_path / "c.parquet"
        with pytest.raises(InputError, match="--table-format"):
            CsvStream(tmp_path / "d.csv", append=True)
    assert current_table_format() == "csv"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.parquet", "c.parquet"]
    for name in ("b.parquet", "c.parquet"):
        _assert_same_table(read_table(tmp_path / "a.csv"), read_table(tmp_path / name), name)
    with pytest.raises(InputError, match="--table-format"), table_format("xlsx"):
        pass
