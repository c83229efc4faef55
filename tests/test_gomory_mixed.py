"""Mixed equilibria of Gomory (1991): Theorems 1, 3, 4, 5, agreement of the three solution paths."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import random_gomory
from scipy.optimize import brentq

from trade_opt.gomory import GomoryData
from trade_opt.gomory.mixed import (
    concat_mixed,
    evaluate_mixed,
    mixed_equilibria,
    mixed_pattern_count,
    mixed_patterns,
    one_shared_all,
    one_shared_roots,
    parse_owner,
    pattern_roots,
    solve_pattern_pyomo,
    theorem1_count,
)
from trade_opt.gomory.mixed.one_shared import _PairConstants
from trade_opt.gomory.theorems import theorem3_points


def test_pattern_counts_theorem1():
    for n in (3, 4, 6):
        pats = np.concatenate(list(mixed_patterns(n)))
        assert len(pats) == mixed_pattern_count(n) == theorem1_count(n) - (2 ** n - 2)
        assert len({p.tobytes() for p in pats}) == len(pats)
        rest = pats != 2
        assert np.all(((pats == 0) & rest).any(axis=1) & ((pats == 1) & rest).any(axis=1))


def test_table1_every_mixed_pattern_has_a_root_with_tiny_residuals(table1):
    me = concat_mixed(list(mixed_equilibria(table1, max_shared=table1.n - 2)), table1.n)
    assert me.patterns_searched == mixed_pattern_count(table1.n)
    assert np.all(me.roots_per_pattern >= 1)           # Theorem 1: every pattern has an equilibrium
    assert np.all(me.roots_per_pattern % 2 == 1)       # T(Y) runs from < 0 to > 0
    assert np.abs(me.trade_residual).max() < 1e-13
    assert me.cost_residual.max() < 1e-12
    shared = me.owner == 2
    assert np.all((me.x[shared] > 0) & (me.x[shared] < 1))
    # Theorem 3 on a spread of mixed equilibria (every 7th root)
    rep = theorem3_points(table1, me.Y[::7], me.u1[::7])
    assert rep.violations == 0


def test_one_shared_paths_agree_and_match_scipy_brentq(table1):
    parts = list(one_shared_all(table1))
    Y_x = np.sort(np.concatenate([p.Y for p in parts]))
    me = concat_mixed(list(mixed_equilibria(table1, max_shared=1)), table1.n)
    assert len(Y_x) == len(me)
    np.testing.assert_allclose(Y_x, np.sort(me.Y), rtol=0, atol=1e-12)
    p = parts[3]
    pc = _PairConstants(table1, p.X_base, p.goods)
    for k in range(0, len(p.z), 97):
        sub = pc.take(np.array([p.pair[k]]))
        f = lambda z: float(sub.H(np.array([z]), cols=False)[0])  # noqa: E731
        z = brentq(f, p.z[k] - 1.0, p.z[k] + 1.0, xtol=1e-14)
        assert abs(z - p.z[k]) < 1e-10
    # analytic slope = finite difference
    sub = pc.take(p.pair[:50])
    h = 1e-6
    fd = (sub.H(p.z[:50] + h, cols=False) - sub.H(p.z[:50] - h, cols=False)) / (2 * h)
    np.testing.assert_allclose(sub.slope(p.z[:50]), fd, rtol=1e-6, atol=1e-8)
    # evaluate_mixed's stability has the sign of dH/dz for one shared good
    assert np.array_equal(np.sort(me.stability < 0), np.sort(np.concatenate([q.stable for q in parts])))


@pytest.mark.parametrize("pattern", ["S10101010", "SS0101101", "0S1S10S01"])
def test_pyomo_mcp_agrees_with_fast_path(table1, pattern):
    owner = parse_owner(pattern)
    fast = pattern_roots(table1, owner[None])
    res = solve_pattern_pyomo(table1, owner)
    assert res.status == "solved"
    assert len(res.solutions) >= 1
    for sol in res.solutions:
        k = np.argmin(np.abs(fast.Y - sol["Y"]))
        assert abs(fast.Y[k] - sol["Y"]) < 1e-10
        np.testing.assert_allclose(fast.x[k][owner == 2], sol["x"], atol=1e-9)
        assert sol["residual"] <= 1e-10
        assert np.sign(sol["stability"]) == np.sign(fast.stability[k])


def test_theorem4_condition_implies_one_root_random_instances():
    pairs = cond = several = 0
    for seed in range(12):
        data = random_gomory(7, 900 + seed, *[(1.01, 1.1), (1.1, 2.2), (1.001, 1.05)][seed % 3])
        for p in one_shared_all(data):
            c = p.theorem4_condition
            pairs += len(c)
            cond += int(c.sum())
            several += int(np.sum(p.n_roots > 1))
            assert np.all(p.n_roots[c] == 1)
            assert np.all(p.n_roots % 2 == 1)
            assert p.residual.max() < 1e-11
            # several roots: (k - 1)/2 of them stable (alternating slopes)
            stable = np.bincount(p.pair, weights=p.stable.astype(float), minlength=len(c))
            many = p.n_roots > 1
            assert np.all(stable[many] == (p.n_roots[many] - 1) // 2)
    assert cond > 0 and several > 0 and pairs > cond


def _theorem5_instance(alpha: float) -> GomoryData:
    # good 1 shared, good 2 made by country 1, good 3 by country 2; identical countries, so the
    # cost comparison is s = alpha ln(Y/(1-Y)): +alpha ln 2 at x(0) (Y = 2/3), -alpha ln 2 at x(1);
    # dH/dz at the symmetric root x = 1/2 is 2 alpha/3 - 1, so three roots iff alpha < 3/2
    return GomoryData.from_arrays([[1, 1, 1], [1, 1, 1]], [[1, 1, 1], [1, 1, 1]], [alpha] * 3, [1, 1])


@pytest.mark.parametrize("alpha,roots", [(1.01, 3), (1.2, 3), (1.45, 3), (1.6, 1), (2.5, 1)])
def test_theorem5_exponents_near_one_give_several_roots(alpha, roots):
    data = _theorem5_instance(alpha)
    r = one_shared_roots(data, np.array([[False, False, True]]), np.array([0]))
    assert not r.theorem4_condition[0]
    assert r.n_roots[0] == roots
    assert np.all(np.diff(np.sign(r.slope)) != 0)   # slopes alternate +, -, +
    y = pattern_roots(data, parse_owner("S01")[None])
    assert len(y) == roots
    np.testing.assert_allclose(np.sort(y.Y), np.sort(r.Y), atol=1e-12)


def test_grid_refinement_does_not_change_root_counts(table1):
    owner = np.concatenate(list(mixed_patterns(table1.n, 3)))[::15]
    a = pattern_roots(table1, owner)
    b = pattern_roots(table1, owner, grid=16001)
    assert np.array_equal(a.roots_per_pattern, b.roots_per_pattern)
    np.testing.assert_allclose(a.Y, b.Y, atol=1e-12)


def test_mixed_utility_identities(table1):
    # with every shared good's x pushed to 0/1 the mixed formulas reduce to the specialized ones
    from trade_opt.gomory.equilibria import all_specialized

    spec = all_specialized(table1)
    z = np.where(spec.X, np.inf, -np.inf)
    ev = evaluate_mixed(table1, z, np.log(spec.Y), np.log1p(-spec.Y))
    np.testing.assert_allclose(ev["u1"], spec.u1, atol=1e-12)
    np.testing.assert_allclose(ev["u2"], spec.u2, atol=1e-12)
    assert np.abs(ev["trade_residual"]).max() < 1e-14


def test_job_writes_mixed_equilibria_and_checks_them(tmp_path, table1):
    import json

    import pandas as pd

    from trade_opt.gomory.job import run_job
    from trade_opt.instances import load_instance
    from conftest import INSTANCES

    s = run_job(load_instance(INSTANCES / "gomory_table1.toml"), tmp_path, source="t1", grid_points=21, max_shared=1)
    m = pd.read_csv(tmp_path / "mixed_equilibria.csv", dtype={"pattern": str, "x_shared": str})
    assert len(m) == s["mixed"]["equilibria"] == 2286
    assert set(m["n_shared"]) == {1} and m["pattern"].str.count("S").eq(1).all()
    assert s["theorem3_mixed"]["violations"] == 0 and s["theorem3_mixed"]["checked"] == 2286
    pc = s["mixed_pyomo_cross_check"]
    assert pc["patterns"] > 0 and pc["pyomo_roots_found"] > 0 and pc["max_abs_Y_difference"] < 1e-10
    t45 = s["theorems_4_5_one_shared_good"]["pairs_by_root_count"]
    assert sum(t45["condition_holds"].values()) + sum(t45["condition_fails"].values()) == 2286
    assert s["mixed"]["max_shared"] == 1
    assert (tmp_path / "fig1.png").stat().st_size > 10_000
