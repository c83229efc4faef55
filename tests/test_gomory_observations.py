"""The observations of Gomory (1991) as checked experiments (Table 1)."""
from __future__ import annotations

import json

import numpy as np
from conftest import INSTANCES, random_gomory

from trade_opt.gomory.observations import frontier_gaps, larger_country2, one_good_moves


def test_larger_country2_raises_country1_utility(table1):
    for data in (table1, random_gomory(8, 11), random_gomory(8, 12, by_country=True)):
        for factor in (1.5, 3.0):
            r = larger_country2(data, factor)
            assert r["u1_increased"] == r["patterns"] and r["u1_not_increased"] == 0
            assert r["max_abs_dY"] == 0.0                  # Y(x) does not depend on labor
            assert r["max_abs_du1_minus_formula"] < 1e-12


def test_one_good_moves_income_toward_taker(table1):
    r = one_good_moves(table1)
    assert r["pairs"] == table1.n * (2 ** (table1.n - 1) - 2)
    assert r["Y_decreases"] == r["pairs"]
    # utility can go either way (no simple general statement): both directions occur in Table 1
    assert r["u1_up"] > 0 and r["u1_down"] > 0 and r["u2_up"] > 0 and r["u2_down"] > 0
    assert r["u1_up"] + r["u1_down"] == r["pairs"]


def test_mixed_below_specialized_end_points_and_frontier(table1):
    r = frontier_gaps(table1)
    assert r["mixed"]["count"] == 2286 and r["specialized"]["count"] == 510
    assert r["mixed"]["gap"]["min"] >= 0 and r["specialized"]["gap"]["min"] > -1e-10   # Theorem 3
    assert r["one_shared"]["above_both"] == 0
    assert r["mixed"]["gap"]["median"] > r["specialized"]["gap"]["median"]


def test_cli_observations_json(capsys):
    from trade_opt.cli.main import main

    code = main(["gomory", "observations", str(INSTANCES / "gomory_table1.toml"), "--json"])
    assert code in (0, None)
    out = json.loads(capsys.readouterr().out)
    assert out["larger_country2"]["u1_increased"] == 510
    assert out["one_good_moves"]["Y_decreases"] == 2286
    assert np.isfinite(out["frontier"]["mixed"]["gap"]["median"])
