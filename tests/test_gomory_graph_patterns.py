"""The specialization graph writes patterns as the equilibria table does (issue 15, item 6).

``gomory graph --out`` and ``gomory equilibria --csv`` on Table 1, both read back with
``pandas.read_csv`` defaults: every pattern the graph writes (local maxima, each step of an
improving path) is a row of ``equilibria.csv`` with the same Y, u1, u2; each edge of a path (two
consecutive steps) joins two patterns that differ exactly in the good ``good_moved``; a local
maximum of country c has no neighbour row in ``equilibria.csv`` with a higher u_c; and
graph_summary.json names patterns, not codes.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from trade_opt.cli.main import main
from trade_opt.outputs import TEXT_MARKER

from conftest import INSTANCES

TABLE1 = INSTANCES / "gomory_table1.toml"
#: Y, u of a pattern from the graph (kernel flips / dense table) vs the enumeration's row
ATOL = 1e-13
#: no improving move: a neighbour's utility exceeds a local maximum's by at most this (TIE_TOL)
TIE = 1e-12


def _patterns(column: pd.Series) -> list[str]:
    text = column.astype(str)
    assert text.str.startswith(TEXT_MARKER).all()             # read as text, not as an integer
    return text.str[len(TEXT_MARKER):].tolist()


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("graph_patterns")
    assert main(["gomory", "equilibria", str(TABLE1), "--csv", str(root / "equilibria.csv")]) == 0
    assert main(["gomory", "graph", str(TABLE1), "--out", str(root / "graph"), "--starts", "3"]) == 0
    eq = pd.read_csv(root / "equilibria.csv")
    eq.index = _patterns(eq["pattern"])
    return eq, root / "graph"


def _assert_rows_match(eq: pd.DataFrame, frame: pd.DataFrame, where: str) -> None:
    patterns = _patterns(frame["pattern"])
    assert set(patterns) <= set(eq.index), where
    rows = eq.loc[patterns]
    for key in ("Y", "u1", "u2"):
        assert np.allclose(frame[key].to_numpy(), rows[key].to_numpy(), rtol=0, atol=ATOL), (where, key)


def test_path_edges_are_rows_of_the_equilibria_table(folders):
    eq, graph = folders
    paths = pd.read_csv(graph / "paths.csv")
    assert "code" not in paths.columns and len(paths) > 0
    _assert_rows_match(eq, paths, "paths.csv")
    edges = 0
    for _, path in paths.groupby("path", sort=True):
        path = path.sort_values("step")
        patterns = _patterns(path["pattern"])
        for a, b, good in zip(patterns[:-1], patterns[1:], path["good_moved"].to_numpy()[1:]):
            differ = [i + 1 for i, (p, q) in enumerate(zip(a, b)) if p != q]
            assert differ == [int(good)], (a, b, good)          # an edge: one good moved, good 1 first
            edges += 1
        c = int(path["country"].iloc[0])
        u = path[f"u{c}"].to_numpy()
        assert np.all(np.diff(u) > 0)                           # improving moves for the path's country
    assert edges > 0


def test_local_maxima_are_rows_without_a_better_neighbour(folders):
    eq, graph = folders
    lm = pd.read_csv(graph / "local_maxima.csv")
    assert "code" not in lm.columns and len(lm) == 12
    _assert_rows_match(eq, lm, "local_maxima.csv")
    for c, pattern in zip(lm["country"], _patterns(lm["pattern"])):
        neighbours = [pattern[:i] + "10"[int(pattern[i])] + pattern[i + 1:] for i in range(len(pattern))]
        neighbours = [q for q in neighbours if q in eq.index]   # all-0 / all-1 are not equilibria
        assert (eq.loc[neighbours, f"u{c}"] <= eq.loc[pattern, f"u{c}"] + TIE).all(), pattern


def test_graph_summary_names_patterns(folders):
    eq, graph = folders
    summary = json.loads((graph / "graph_summary.json").read_text())
    lm = pd.read_csv(graph / "local_maxima.csv")
    for c in ("1", "2"):
        info = summary["countries"][c]
        assert "codes" not in info and "global_max_code" not in info
        assert info["patterns"] == _patterns(lm.loc[lm["country"] == int(c), "pattern"])
        assert info["global_max_pattern"] == eq[f"u{c}"].idxmax()     # the best row of equilibria.csv
    for p in summary["paths"]:
        assert {p["start"], p["end"]} <= set(eq.index)
