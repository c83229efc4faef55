"""B1 as exact pieces (the envelope of the two traced directions) and `trade-opt gomory trace`.

The pieces tile the range, and B1 looked up in them equals the per-point exact DP, brute force and the
trace's own evaluation; the command writes the same rows as JSON and as a table, and refuses bad
input in one line."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import INSTANCES, random_gomory

from trade_opt.cli.main import main
from trade_opt.errors import ArgumentError
from trade_opt.gomory.b1_pieces import PIECE_COLUMNS, b1_from_pieces, b1_pieces, piece_rows
from trade_opt.gomory.b1_trace import B1Trace
from trade_opt.gomory.boundary import boundary_B1_brute_force, boundary_B1_dp
from trade_opt.gomory.h_table import reachable_Y_range
from trade_opt.instances import load_instance
from trade_opt.outputs import read_table

TABLE1 = INSTANCES / "gomory_table1.toml"


@pytest.fixture(scope="module", params=[(9, 3), (13, 7)], ids=["n9", "n13"])
def traced(request):
    data = random_gomory(*request.param)
    return data, B1Trace(data, *reachable_Y_range(data), grid=9)


def test_pieces_tile_the_range_and_change_x_or_direction(traced):
    _, trace = traced
    p = b1_pieces(trace)
    assert p["Y_from"][0] == trace.Y_low and p["Y_to"][-1] == trace.Y_high
    assert np.array_equal(p["Y_to"][:-1], p["Y_from"][1:]) and np.all(p["Y_from"] < p["Y_to"])
    changed = (p["x"][1:] != p["x"][:-1]) | (p["direction"][1:] != p["direction"][:-1])
    assert changed.all()
    assert set(p["direction"]) <= {"<=", ">="} and list(p["piece"]) == list(range(1, len(p["piece"]) + 1))


def test_b1_from_pieces_equals_dp_brute_force_and_trace(traced):
    data, trace = traced
    p = b1_pieces(trace)
    Y = np.random.default_rng(4).uniform(trace.Y_low, trace.Y_high, 400)
    got = b1_from_pieces(p, data, Y)
    assert np.abs(got - boundary_B1_dp(data, Y)).max() <= 1e-12
    assert np.abs(got - trace.evaluate(Y)[0]).max() <= 1e-12
    few = Y[:6]
    assert np.abs(b1_from_pieces(p, data, few) - [boundary_B1_brute_force(data, y) for y in few]).max() <= 1e-12


def test_piece_end_values_are_the_pieces_own_x(traced):
    data, trace = traced
    p = b1_pieces(trace)
    # just inside each end the piece's own x is optimal: the DP agrees there, and B1_from is its value
    eps = 1e-9 * (p["Y_to"] - p["Y_from"])
    left, right = p["Y_from"] + eps, p["Y_to"] - eps
    assert np.abs(b1_from_pieces(p, data, left) - boundary_B1_dp(data, left)).max() <= 1e-12
    assert np.abs(b1_from_pieces(p, data, right) - boundary_B1_dp(data, right)).max() <= 1e-12
    assert np.abs(p["B1_from"] - b1_from_pieces(p, data, p["Y_from"])).max() <= 1e-12
    assert np.abs(p["B1_from"] - boundary_B1_dp(data, left)).max() <= 1e-6    # continuous from the right


def test_progress_shares_add_up_to_one():
    data = random_gomory(10, 2)
    shares = []
    B1Trace(data, 0.2, 0.8, grid=5, progress=shares.append)
    assert min(shares) >= 0 and sum(shares) == pytest.approx(1.0, abs=1e-12)


def test_trace_refusals_are_argument_errors():
    with pytest.raises(ArgumentError, match="one exponent per good"):
        B1Trace(random_gomory(6, 1, by_country=True))
    trace = B1Trace(random_gomory(6, 1), 0.3, 0.6, grid=3)
    with pytest.raises(ArgumentError, match="outside the traced range"):
        trace.evaluate(0.9)


def test_cli_trace_json_rows_equal_table_rows(tmp_path, capsys):
    assert main(["gomory", "trace", str(TABLE1), "--range", "0.3,0.6", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n"] == 9 and doc["pieces"] == len(doc["rows"]) and doc["knapsacks"] > 0
    assert all(list(row) == list(PIECE_COLUMNS) for row in doc["rows"])
    for fmt in ("csv", "parquet"):
        assert main(["gomory", "trace", str(TABLE1), "--range", "0.3,0.6", "--csv", str(tmp_path / "pieces.csv"),
                     "--table-format", fmt]) == 0
        capsys.readouterr()
        table = read_table(tmp_path / f"pieces.{fmt}")
        assert list(table.columns) == list(PIECE_COLUMNS)
        assert table.to_dict("records") == doc["rows"]
    data = load_instance(TABLE1).data()
    trace = B1Trace(data, 0.3, 0.6)
    assert piece_rows(b1_pieces(trace)) == doc["rows"]


@pytest.mark.parametrize("args, field", [
    (["--range", "0.6,0.3"], "--range"),
    (["--range", "0,0.5"], "--range"),
    (["--range", "0.2"], "--range"),
    (["--solver", "cplex"], "--solver"),
    (["--grid", "1"], "--grid"),
    (["--csv", "a.csv", "--parquet", "b.parquet"], "--csv/--parquet"),
])
def test_cli_trace_bad_arguments_one_line(args, field, capsys):
    assert main(["gomory", "trace", str(TABLE1), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and field in err


def test_cli_trace_refuses_instances_it_cannot_trace(tmp_path, capsys):
    text = TABLE1.read_text(encoding="utf-8").replace(
        "exponent = [1.30, 1.50, 1.70, 1.90, 2.00, 2.00, 2.10, 2.00, 1.61]",
        "exponent = [[1.30, 1.50, 1.70, 1.90, 2.00, 2.00, 2.10, 2.00, 1.61],\n"
        "            [1.31, 1.50, 1.70, 1.90, 2.00, 2.00, 2.10, 2.00, 1.61]]")
    per_country = tmp_path / "per_country.toml"
    per_country.write_text(text, encoding="utf-8")
    for path, field in ((per_country, "alpha"), (INSTANCES / "gomory_table1_setup.toml", "production")):
        assert main(["gomory", "trace", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(path) in err and field in err


@pytest.mark.parametrize("name", ["gomory_table1.toml", "gomory_table1_labor_swapped.toml"])
def test_b1_changes_direction_once_at_the_ricardo_level(name):
    """Above the Ricardo level B1 is the "<=" optimum, below it the ">=" one (models/gomory.md, "B1: why the
    smaller of both directions"): the pieces switch direction exactly once, at Y_R found by bisection."""
    from trade_opt.gomory.ricardo import ricardo

    data = load_instance(INSTANCES / name).data()
    p = b1_pieces(B1Trace(data, *reachable_Y_range(data)))
    switch = np.flatnonzero(p["direction"][1:] != p["direction"][:-1])
    assert len(switch) == 1 and p["direction"][0] == ">=" and p["direction"][-1] == "<="
    assert p["Y_to"][switch[0]] == pytest.approx(ricardo(data).ricardo_level, abs=1e-9)


@pytest.mark.parametrize("n,seed", [(9, None), (12, 5)])
def test_b1_at_by_trace_equals_enumeration_at_every_equilibrium(n, seed):
    """Theorem 3's B1 at the equilibria: the trace's lookup equals brute-force enumeration exactly where
    the equilibria sit (each Y(x) is where its own pattern leaves or enters a feasible set)."""
    from trade_opt.gomory import b1_lookup
    from trade_opt.gomory.equilibria import all_specialized
    from trade_opt.gomory.mixed import mixed_equilibria
    from trade_opt.gomory.mixed.census import concat_mixed

    data = load_instance(TABLE1).data() if seed is None else random_gomory(n, seed)
    spec = all_specialized(data)
    mixed = concat_mixed(list(mixed_equilibria(data, 2)), n)
    Y = np.concatenate([spec.Y, mixed.Y])
    assert b1_lookup.traceable(data) and len(mixed) > 0
    by_trace = b1_lookup.b1_at(data, Y, method="trace")
    assert np.abs(by_trace - b1_lookup.b1_at(data, Y, method="enumeration")).max() <= 1e-12
    assert b1_lookup.b1_method(24, 1000, trace=True) == "trace" and b1_lookup.b1_method(24, 1000) == "dp"
    assert b1_lookup.b1_method(24, 10, trace=True) == "dp"            # too few Y: the DP per Y
    report = b1_lookup.theorem3_all(data, spec.Y, spec.u1)
    assert report.violations == 0 and report.max_u_minus_B1 <= 1e-12


def test_b1_at_refuses_a_trace_it_cannot_do():
    from trade_opt.gomory import b1_lookup

    per_country = random_gomory(6, 1, by_country=True)
    assert not b1_lookup.traceable(per_country)
    with pytest.raises(ArgumentError, match="one exponent per good"):
        b1_lookup.b1_at(per_country, np.array([0.4, 0.5]), method="trace")
    with pytest.raises(ArgumentError, match="method"):
        b1_lookup.b1_at(per_country, np.array([0.4]), method="brute")


def test_theorem3_certified_with_the_trace_equals_enumeration(monkeypatch):
    """The main job's Theorem 3 route (anchor lower bounds, exact B1 where they do not decide) with its
    exact points evaluated by the trace gives the enumeration's reports at every equilibrium."""
    from trade_opt.gomory import b1_lookup
    from trade_opt.gomory.equilibria import all_specialized
    from trade_opt.gomory.mixed import mixed_equilibria
    from trade_opt.gomory.mixed.census import concat_mixed

    data = random_gomory(12, 9)
    spec = all_specialized(data)
    mixed = concat_mixed(list(mixed_equilibria(data, 1)), 12)
    groups = [(spec.Y, spec.u1), (mixed.Y, mixed.u1)]
    want = b1_lookup.theorem3_reports(data, groups)                       # enumeration (2^12 patterns)
    from trade_opt.gomory import b1_trace

    traced = []
    original = b1_trace.b1_at_many_Y
    monkeypatch.setattr(b1_trace, "b1_at_many_Y", lambda *a, **k: traced.append(1) or original(*a, **k))
    monkeypatch.setattr(b1_lookup, "ENUMERATION_BUDGET", 0)
    assert b1_lookup.b1_method(12, 100, b1_lookup.traceable(data)) == "trace"
    got, exact = b1_lookup.theorem3_certified(data, groups, anchors=9)   # few anchors: many exact points
    assert exact >= b1_lookup.TRACE_MIN_POINTS and traced
    for g, w in zip(got, want):
        assert g.checked == w.checked and g.violations == w.violations == 0
        assert g.max_u_minus_B1 == pytest.approx(w.max_u_minus_B1, abs=1e-12)
