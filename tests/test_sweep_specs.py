"""Shipped sweep specs load; the spec format's grids, draws and paths; the Theorem 2 evaluator; the CLI."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

from trade_opt.cli.main import main
from trade_opt.sweep.spec import load_spec, parse_path

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "instances" / "sweeps").glob("*.toml"))


@pytest.mark.parametrize("path", [p for p in SPECS if p.stem != "melitz_one_industry"], ids=lambda p: p.stem)
def test_shipped_specs_load(path):
    loaded = load_spec(path)
    assert loaded.spec.n_points == len(loaded.spec.points()) >= 10
    assert loaded.spec.plot is not None


def test_points_order_grids_and_seeded_draws(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('''
model = "gomory"
base = "%s"
seed = 7
[[vary]]
field = "labor[0]"
values = [1.0, 2.0]
[[vary]]
field = "efficiency[1][3]"
random = { low = 0.5, high = 2.0, count = 3, log = true }
[[vary]]
field = "exponent[0]"
grid = { start = 1.5, stop = 3.0, num = 4, log = true }
''' % (ROOT / "instances" / "gomory_table1.toml"))
    first, again = load_spec(spec), load_spec(spec)
    points = first.spec.points()
    assert len(points) == 24 and points == again.spec.points() and first.hash == again.hash
    assert [p["labor[0]"] for p in points[:12]] == [1.0] * 12                  # first table varies slowest
    assert [p["exponent[0]"] for p in points[:4]] == pytest.approx(np.geomspace(1.5, 3.0, 4))
    draws = sorted({p["efficiency[1][3]"] for p in points})
    assert len(draws) == 3 and all(0.5 <= d <= 2.0 for d in draws)
    spec.write_text(spec.read_text().replace("seed = 7", "seed = 8"))
    assert sorted({p["efficiency[1][3]"] for p in load_spec(spec).spec.points()}) != draws
    assert parse_path("industry[0].z") == ["industry", 0, "z"] and parse_path("a[1][2]") == ["a", 1, 2]


def test_theorem2_rows_respect_the_bound_and_shrink_with_delta():
    from trade_opt.sweep.points_gomory import GomoryTheorem2

    ev = GomoryTheorem2()
    rows = [ev.evaluate(None, ev.resolved_options({"n": n, "grid": 9}), None)[0] for n in (16, 64, 256)]
    for row in rows:
        assert row["theorem2_failures"] == 0
        assert row["max_gap"] <= row["max_gap_rounding"] <= row["max_bound"]
        assert row["max_income_gap"] <= row["income_bound"]
        assert row["delta"] <= 3.0 / row["n"] and row["rho"] < 0.5 and row["beta"] <= 4.0
    assert rows[0]["max_gap"] > rows[1]["max_gap"] > rows[2]["max_gap"]


def test_sweep_command_json_in_process(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(f'''
name = "cli"
model = "krugman"
base = "{ROOT / 'instances' / 'krugman_closed.toml'}"
evaluator = "closed_form"
batch_size = 4
[[vary]]
field = "A"
grid = {{ start = 1.0, stop = 8.0, num = 10 }}
[plot]
x = "A"
y = ["p", "c"]
''')
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "0", "--json"])
    assert code == 0, err.getvalue()
    summary = json.loads(out.getvalue())
    assert summary["complete"] and summary["status_counts"] == {"ok": 10}
    assert (tmp_path / "o" / "sweep.png").exists() and (tmp_path / "o" / "summary.json").exists()
    from trade_opt.krugman.closed import closed_form
    from trade_opt.instances import load_instance
    from trade_opt.sweep import load_results

    table = load_results(tmp_path / "o")
    base = load_instance(ROOT / "instances" / "krugman_closed.toml")
    for _, row in table.iterrows():
        eq = closed_form(base.data().replace(A=row["A"]))
        assert row["p"] == pytest.approx(eq.p, rel=1e-14) and row["c"] == pytest.approx(eq.c, rel=1e-14)
