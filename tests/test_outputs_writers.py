"""The table and JSON writers (issue 15, item 6): exact floats, typed text, explicit NaN/inf.

Every table written by trade_opt.outputs is read back with ``pandas.read_csv`` (default arguments)
or ``pandas.read_parquet`` and compared value by value; the Gomory pattern survives as a string.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trade_opt.errors import InputError
from trade_opt.outputs import (
    MAX_JSON_ROWS,
    TEXT_MARKER,
    CsvStream,
    TableStream,
    check_json_rows,
    dumps,
    finalize_summary,
    read_table,
    to_jsonable,
    write_csv,
    write_jsonl,
    write_table,
)

SPECIAL = [0.0, -0.0, 5e-324, 2.2250738585072014e-308, 1 - 2**-53, 1 + 2**-52, 0.1 + 0.2, 1e308, -1e-300, 1 / 3]


def frame(values: list[float]) -> pd.DataFrame:
    k = len(values)
    return pd.DataFrame({"pattern": ["0" * (k - i) + "1" * i for i in range(k)] if k else [],
                         "x": values, "flag": [i % 2 == 0 for i in range(k)], "count": np.arange(k, dtype=np.int64)})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=30))
def test_csv_floats_round_trip_exactly_with_pandas_defaults(tmp_path_factory, values):
    path = write_table(tmp_path_factory.mktemp("t") / "t", frame(values + SPECIAL))
    back = pd.read_csv(path)
    assert back["x"].to_numpy().tobytes() == np.array(values + SPECIAL, dtype=float).tobytes()  # bit for bit (-0.0 too)
    assert back["count"].dtype.kind == "i" and back["flag"].dtype == bool


def test_pattern_is_text_in_csv_and_a_typed_string_in_parquet(tmp_path):
    table = frame([0.5, 0.25, 0.125])
    table.loc[0, "pattern"] = "010000000"
    csv = write_table(tmp_path / "eq", table, "csv")
    raw = pd.read_csv(csv)                                   # pandas defaults: stays text, marker in front
    assert raw["pattern"].tolist() == [TEXT_MARKER + p for p in table["pattern"]]
    assert raw["pattern"].str[len(TEXT_MARKER):].tolist() == table["pattern"].tolist()
    assert read_table(csv)["pattern"].tolist() == table["pattern"].tolist()
    parquet = write_table(tmp_path / "eq", table, "parquet")
    assert parquet.suffix == ".parquet"
    back = pd.read_parquet(parquet)
    assert back["pattern"].tolist() == table["pattern"].tolist() and back["x"].tolist() == table["x"].tolist()
    assert pd.read_csv(write_table(tmp_path / "words", pd.DataFrame({"s": ["ok", "fine"]})))["s"].tolist() == ["ok", "fine"]


def test_nan_and_infinities_in_tables(tmp_path):
    values = [math.nan, math.inf, -math.inf, 1.5]
    back = pd.read_csv(write_table(tmp_path / "t", pd.DataFrame({"x": values})))
    assert np.isnan(back["x"][0]) and back["x"][1:].tolist() == values[1:]
    assert "nan" in (tmp_path / "t.csv").read_text()             # written, not an empty cell
    back = pd.read_parquet(write_table(tmp_path / "t", pd.DataFrame({"x": values}), "parquet"))
    assert np.isnan(back["x"][0]) and back["x"][1:].tolist() == values[1:]


def test_stream_matches_whole_table_and_keeps_csvstream_api(tmp_path):
    chunks = [frame(list(np.random.default_rng(k).standard_normal(50))) for k in range(4)]
    with CsvStream(tmp_path / "s.csv") as stream:
        for chunk in chunks:
            stream.write(chunk)
        stream.write(chunks[0].iloc[:0])                         # an empty chunk writes nothing
    assert stream.rows == 200
    whole = pd.concat(chunks, ignore_index=True)
    assert (tmp_path / "s.csv").read_bytes() == write_table(tmp_path / "w", whole).read_bytes()
    with TableStream(tmp_path / "s.parquet", fmt="parquet") as stream:
        for chunk in chunks:
            stream.write(chunk)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "s.parquet"), whole, check_dtype=False)
    info = finalize_summary(tmp_path, {})["outputs"]
    assert info["s.csv"]["rows"] == info["s.parquet"]["rows"] == 200


def test_csvstream_append_and_columns(tmp_path):
    path = tmp_path / "r.csv"
    with CsvStream(path, append=True, columns=["a", "b", "c"]) as stream:
        stream.write(pd.DataFrame({"b": [1.5], "a": ["x"], "extra": [9]}))
    with CsvStream(path, append=True, columns=["a", "b", "c"]) as stream:
        stream.write(pd.DataFrame({"a": ["y"], "c": [2.0]}))
    back = pd.read_csv(path)
    assert list(back.columns) == ["a", "b", "c"] and back["a"].tolist() == ["x", "y"]
    assert back["b"][0] == 1.5 and np.isnan(back["b"][1]) and back["c"][1] == 2.0


def test_mixed_object_column_is_written_as_text(tmp_path):
    back = pd.read_csv(write_csv(tmp_path / "m.csv", pd.DataFrame({"o": [1, "a", None, 2.5], "k": [1, 2, 3, 4]})))
    assert back["o"].tolist()[:2] == [TEXT_MARKER + "1", TEXT_MARKER + "a"] and pd.isna(back["o"][2])


def test_json_non_finite_is_null_and_listed():
    doc = json.loads(dumps({"a": [1.0, math.nan], "b": {"c": -math.inf}, "d": np.float64(math.inf)}))
    assert doc["a"] == [1.0, None] and doc["b"]["c"] is None
    assert doc["non_finite"] == [{"path": "a[1]", "value": "NaN"}, {"path": "b.c", "value": "-Infinity"},
                                 {"path": "d", "value": "Infinity"}]
    assert "non_finite" not in json.loads(dumps({"a": 1.0}))
    assert to_jsonable([math.nan]) == [None]


def test_large_json_is_refused_with_a_pointer_and_jsonl_streams(tmp_path):
    check_json_rows(MAX_JSON_ROWS)
    with pytest.raises(InputError, match="--csv FILE or --parquet FILE"):
        check_json_rows(MAX_JSON_ROWS + 1)
    n = write_jsonl(tmp_path / "r.jsonl", ({"i": i, "x": i / 7 if i else math.nan} for i in range(1000)))
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    assert n == len(lines) == 1000 and json.loads(lines[0])["x"] is None and json.loads(lines[7])["x"] == 1.0
    assert finalize_summary(tmp_path, {})["outputs"]["r.jsonl"]["rows"] == 1000


def test_gomory_equilibria_csv_round_trips(tmp_path):
    """The streamed equilibria.csv read with pandas defaults: pattern strings and floats exact."""
    from conftest import random_gomory
    from trade_opt.gomory.equilibria import concat_batches, pattern_strings, specialized_equilibria
    from trade_opt.gomory.job import enumerate_to_csv

    data = random_gomory(10, 3)
    enumerate_to_csv(data, tmp_path / "eq.csv")
    batch = concat_batches(list(specialized_equilibria(data)), data.n)
    back = pd.read_csv(tmp_path / "eq.csv")
    assert back["pattern"].str[len(TEXT_MARKER):].tolist() == list(pattern_strings(batch.X))
    assert back["Y"].to_numpy().tobytes() == batch.Y.tobytes() and back["u1"].to_numpy().tobytes() == batch.u1.tobytes()


def test_gomory_equilibria_arrow_table_equals_the_frame(tmp_path):
    """The Arrow chunk table of equilibria.csv (built from the arrays, patterns through a bytes
    view) equals the pandas DataFrame of the same batch as the writer converts it, so the written
    bytes are those of the DataFrame path."""
    from conftest import random_gomory
    from trade_opt.gomory.equilibria import pattern_strings, specialized_equilibria
    from trade_opt.gomory.job_tables import EQUILIBRIA_COLUMNS, equilibria_table
    from trade_opt.outputs import to_arrow

    data = random_gomory(11, 5)
    for batch in specialized_equilibria(data, 256):
        frame = pd.DataFrame({"pattern": pattern_strings(batch.X), "Y": batch.Y, "w_ratio": batch.w_ratio, "u1": batch.u1,
                              "u2": batch.u2, "U1": np.exp(batch.u1), "U2": np.exp(batch.u2)})
        table = equilibria_table(batch)
        assert table.column_names == list(EQUILIBRIA_COLUMNS) and table.equals(to_arrow(frame))
    write_csv(tmp_path / "a.csv", frame)
    write_csv(tmp_path / "b.csv", table)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_row_counts_in_summary_follow_the_file_not_a_stale_record(tmp_path):
    write_table(tmp_path / "t", pd.DataFrame({"x": [1.0, 2.0]}))
    pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}).to_csv(tmp_path / "t.csv", index=False)  # rewritten by someone else
    with CsvStream(tmp_path / "a.csv", append=True) as stream:
        stream.write(pd.DataFrame({"x": [1.0]}))
    with CsvStream(tmp_path / "a.csv", append=True) as stream:                        # a resumed file
        stream.write(pd.DataFrame({"x": [2.0, 3.0]}))
    outputs = finalize_summary(tmp_path, {})["outputs"]
    assert outputs["t.csv"]["rows"] == 4 and outputs["a.csv"]["rows"] == 3
