"""Ricardo level and solution (against brute force); Theorem 2 as stated (B and B1 forms, delta -> 0)."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import INSTANCES, random_gomory

from trade_opt.gomory.equilibria import all_specialized
from trade_opt.gomory.ricardo import efficient_pattern, ricardo, ricardo_gap
from trade_opt.gomory.theorems import (
    printed_K, theorem2_candidates, theorem2_constants, theorem2_search, theorem2_witnesses,
)
from trade_opt.instances import load_instance


def brute_force_ricardo_solutions(data):
    batch = all_specialized(data)
    return [batch.X[k] for k in range(len(batch)) if np.array_equal(efficient_pattern(data, float(batch.Y[k])), batch.X[k])]


def test_table1_ricardo_level(table1):
    r = ricardo(table1)
    assert 0 < r.ricardo_level < 1
    assert ricardo_gap(table1, r.ricardo_level - 1e-9) < 0 <= ricardo_gap(table1, r.ricardo_level + 1e-9)
    # as read (9 goods, L = 8, 4) the efficient assignment jumps over the trade equation: no Ricardo solution
    assert r.ricardo_solution is None and r.gap_below < 0 < r.gap_above
    assert brute_force_ricardo_solutions(table1) == []


@pytest.mark.parametrize("seed", range(12))
def test_ricardo_solution_agrees_with_brute_force(seed):
    data = random_gomory(8, 300 + seed)
    r = ricardo(data)
    found = brute_force_ricardo_solutions(data)
    assert len(found) <= 1
    if found:
        assert r.ricardo_solution == found[0].astype(int).tolist()
        assert r.solution_Y == pytest.approx(r.ricardo_level, abs=1e-12)
    else:
        assert r.ricardo_solution is None


def test_ricardo_solution_exists_for_small_goods():
    # many small goods: g jumps are small, so a Ricardo solution is likely; check at least one seed has one
    hits = sum(ricardo(random_gomory(8, 400 + s)).ricardo_solution is not None for s in range(30))
    assert hits > 0


def test_table1_labor_swapped_has_the_ricardo_point():
    # the paper's Fig. 2 has a Ricardo point; with Table 1's labor read as L = (4, 8) the data give one
    data = load_instance(INSTANCES / "gomory_table1_labor_swapped.toml").data()
    assert data.L.tolist() == [4.0, 8.0]
    r = ricardo(data)
    assert r.ricardo_level == pytest.approx(0.33754, abs=5e-6)
    assert "".join(map(str, r.ricardo_solution)) == "110110001"
    assert r.solution_Y == pytest.approx(r.ricardo_level, abs=1e-12)
    found = brute_force_ricardo_solutions(data)
    assert len(found) == 1 and found[0].astype(int).tolist() == r.ricardo_solution


Y_GRID = np.linspace(0.05, 0.95, 91)


@pytest.mark.parametrize("form", ["B", "B1"])
def test_theorem2_as_stated_holds_on_table1_exhaustive(form, table1):
    # every one of the 510 patterns is a candidate: the search is a proof at each Y'
    for s in theorem2_search(table1, Y_GRID, form):
        assert s.exhaustive and s.candidates == 510
        assert s.holds, (s.Y_prime, s.best)
        w = s.best_utility_witness
        assert w.holds and w.income_gap <= w.income_bound and w.utility_gap <= w.utility_bound
        assert s.best_ratio <= 1.0


@pytest.mark.parametrize("form", ["B", "B1"])
def test_theorem2_as_stated_holds_on_random_instances_exhaustive(form):
    # 40 random n = 12 instances (the ones that refuted the rounding conjecture), 91 values of Y' (B)
    # or every third of them (B1: one exact DP per Y')
    for seed in range(500, 540):
        data = random_gomory(12, seed)
        results = theorem2_search(data, Y_GRID if form == "B" else Y_GRID[::3], form)
        assert all(s.exhaustive and s.candidates == 4094 for s in results)
        assert all(s.holds for s in results), (seed, [s.Y_prime for s in results if not s.holds])


def test_theorem2_search_counts_agree_with_direct_enumeration():
    # independent arithmetic: Theorem 2's inequalities written out for every pattern of seed 500 at Y' = 0.25
    data = random_gomory(12, 500)
    const = theorem2_constants(data)
    batch = all_specialized(data)
    Yp = 0.25
    from trade_opt.gomory.boundary import boundary_B_greedy

    B = float(boundary_B_greedy(data, Yp)[0][0])
    A = sum(data.d[0][i] * const.alpha_i[i] for i in range(data.n))
    count = 0
    for Y, u in zip(batch.Y.tolist(), batch.u1.tolist()):
        K = const.alpha * np.log(Y * const.beta / (1 - Y)) + A * (1 / Y + 1 / (1 - Yp))
        count += abs(Yp - Y) <= const.delta / (1 - const.rho) and abs(B - u) <= const.delta * K
    s = theorem2_search(data, Yp, "B")[0]
    assert s.witnesses == count == 466
    assert np.allclose(printed_K(const, data.d[0], np.array([0.3]), Yp),
                       const.alpha * np.log(0.3 * const.beta / 0.7) + A * (1 / 0.3 + 1 / 0.75))


def test_rounding_conjecture_fails_at_seed_500_while_the_theorem_holds():
    # the old witness conjecture (one of the two roundings of the greedy B(Y') solution) is ours, not
    # Gomory's: at seed 500, Y' = 0.25 both roundings fail, yet 466 of the 4094 patterns are witnesses
    data = random_gomory(12, 500)
    checks = theorem2_witnesses(data, 0.25)
    assert len(checks) == 2 and not any(c.holds for c in checks)
    assert all(c.income_gap <= c.income_bound and c.utility_gap > c.utility_bound for c in checks)
    s = theorem2_search(data, 0.25, "B")[0]
    assert s.exhaustive and s.candidates == 4094 and s.witnesses == 466


@pytest.mark.parametrize("seed", [500, 501, 502])
def test_candidate_witnesses_are_a_subset_of_the_exhaustive_search(seed):
    # the large-n candidate set finds only true witnesses: its count never exceeds the exhaustive one,
    # and every candidate it accepts is accepted by the exhaustive search too
    data = random_gomory(12, seed)
    batch = all_specialized(data)
    for Yp in np.linspace(0.1, 0.9, 9):
        full = theorem2_search(data, Yp, "B")[0]
        part = theorem2_search(data, Yp, "B", exhaustive_max_n=0)[0]
        assert not part.exhaustive and part.candidates == len(theorem2_candidates(data, Yp))
        # the exhaustive search evaluates the patterns with the O(1) enumeration kernel (its stated
        # accuracy: 1e-13 in u, tests/test_gomory_kernel.py), the candidate search evaluates them one by
        # one: the same pattern's ratio may differ by that rounding, not more
        assert part.witnesses <= full.witnesses and part.best_ratio >= full.best_ratio - 1e-13
        if part.best_utility_witness is not None:
            k = int(np.flatnonzero((batch.X == np.array(part.best_utility_witness.x, bool)).all(axis=1))[0])
            assert batch.Y[k] == pytest.approx(part.best_utility_witness.Y_x, abs=1e-15)


@pytest.mark.parametrize("form", ["B", "B1"])
def test_theorem2_delta_to_zero_equilibria_approach_every_boundary_point(form):
    # "any sequence of problems for which alpha, beta and 1/(1 - rho) are bounded, while delta approaches
    # zero, will have solutions approaching the various boundary curves at every point": demand shares of
    # order 1/n (delta <= 3/n), alpha in [1.1, 2], beta <= 4, L = (1, 1); n = 8 (exhaustive), 64, 512
    from trade_opt.sweep.points_gomory import random_theorem2_instance

    grid = np.linspace(0.1, 0.9, 9)
    far = []
    for n in (8, 64, 512):
        data = random_theorem2_instance(n, 0)
        const = theorem2_constants(data)
        assert const.delta <= 3.0 / n and const.alpha <= 2.0 and const.beta <= 4.0 and const.rho < 0.5
        results = theorem2_search(data, grid, form)
        assert all(s.holds for s in results), [s.Y_prime for s in results if not s.holds]
        witnesses = [s.best_utility_witness for s in results]
        # the distance in Y and in u from (Y', B(Y')) to the nearest witness found, worst over Y'
        far.append((max(w.income_gap for w in witnesses), max(w.utility_gap for w in witnesses),
                    const.delta / (1 - const.rho)))
    (inc_8, util_8, bound_8), (_, _, bound_64), (inc_512, util_512, bound_512) = far
    assert bound_512 < bound_64 < bound_8                      # delta / (1 - rho) -> 0
    assert inc_512 < inc_8 / 10 and util_512 < util_8 / 10    # the witnesses close in (not monotone at small n)
    assert inc_512 < 0.01 and util_512 < 0.001
