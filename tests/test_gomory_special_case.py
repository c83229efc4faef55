"""The special case of Gomory (1991): symmetric demands, one exponent (Eq. 4, Fig. 3)."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import INSTANCES

from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy
from trade_opt.gomory.equilibria import all_specialized, evaluate_patterns
from trade_opt.gomory.special_case import (
    identical_curve,
    is_identical,
    is_special,
    log_rho,
    masks_to_X,
    pareto_list,
    special_curves,
    u_on_trade_equation,
)
from trade_opt.instances import load_instance

GRID = np.linspace(0.01, 0.99, 197)


@pytest.fixture(scope="module", params=["symmetric", "identical"])
def data(request):
    return load_instance(INSTANCES / f"gomory_{request.param}.toml").data()


def test_instances_are_special():
    sym = load_instance(INSTANCES / "gomory_symmetric.toml").data()
    ident = load_instance(INSTANCES / "gomory_identical.toml").data()
    table1 = load_instance(INSTANCES / "gomory_table1.toml").data()
    assert is_special(sym) and not is_identical(sym)
    assert is_identical(ident)
    assert not is_special(table1)
    lr = log_rho(sym)
    assert (lr > 0).any() and (lr < 0).any()


def test_closed_form_equals_evaluated_utilities(data):
    eq = all_specialized(data)
    np.testing.assert_allclose(u_on_trade_equation(data, eq.X, eq.Y), eq.u1, atol=1e-12)
    np.testing.assert_allclose(u_on_trade_equation(data, eq.X, eq.Y, country=2), eq.u2, atol=1e-12)


def test_once_for_all_B_and_eq4_equal_greedy(data):
    sc = special_curves(data, GRID)
    B, _ = boundary_B_greedy(data, GRID)
    assert np.max(np.abs(sc.B - B)) < 1e-10
    assert np.max(np.abs(sc.eq4 - B)) < 1e-10
    assert np.all(np.diff(sc.density) >= -1e-12)          # d(Y) nondecreasing (Eq. 4)


def test_once_for_all_B1_versus_dp_B1(data):
    """What holds (models/gomory.md 'Special case'): the once-for-all B1 relaxes the closed form, whose
    knapsack values are Y-free; the DP's B1 relaxes sum x_i V_i <= 1 - Y with the values c_i(Y), which
    carry alpha ln(Y/(1-Y)) d_i.  They agree at Y = 1/2, both bound every specialized equilibrium, and
    every integer solution of the once-for-all knapsack lies on both curves; elsewhere they differ."""
    sc = special_curves(data, GRID)
    dp = boundary_B1_dp(data, GRID)
    assert np.max(np.abs(sc.B1 - dp)) > 1e-3                # not the same function
    half = np.array([0.5])
    assert abs(special_curves(data, half).B1[0] - boundary_B1_dp(data, half)[0]) < 1e-10
    eq = all_specialized(data)
    at = special_curves(data, eq.Y)
    assert np.all(eq.u1 <= at.B1 + 1e-10)
    assert np.all(eq.u1 <= boundary_B1_dp(data, eq.Y) + 1e-10)
    assert np.all(at.B1 <= at.B + 1e-10)
    d = data.d[0]
    pl = pareto_list(d, d * log_rho(data))
    X = masks_to_X(np.concatenate([pl.mask_le, pl.mask_ge]), data.n)
    X = X[(X.sum(axis=1) > 0) & (X.sum(axis=1) < data.n)]
    e = evaluate_patterns(data, X)
    np.testing.assert_allclose(special_curves(data, e.Y).B1, e.u1, atol=1e-10)
    np.testing.assert_allclose(boundary_B1_dp(data, e.Y), e.u1, atol=1e-10)


def test_identical_countries_every_equilibrium_on_the_fig3_curve():
    data = load_instance(INSTANCES / "gomory_identical.toml").data()
    eq = all_specialized(data)
    alpha = float(data.alpha[0, 0])
    K = u_on_trade_equation(data, np.zeros((1, data.n)), np.array([0.5]))[0] - identical_curve(np.array([0.5]), alpha)[0]
    np.testing.assert_allclose(eq.u1, identical_curve(eq.Y, alpha, K), atol=1e-12)
    np.testing.assert_allclose(eq.u2, identical_curve(1 - eq.Y, alpha, K), atol=1e-12)
    sc = special_curves(data, GRID)
    np.testing.assert_allclose(sc.eq4, identical_curve(GRID, alpha, K), atol=1e-12)
    np.testing.assert_allclose(sc.density, 0.0, atol=1e-15)


def test_job_writes_fig3_for_identical_instance(tmp_path):
    from trade_opt.gomory.job import run_job

    inst = load_instance(INSTANCES / "gomory_identical.toml")
    s = run_job(inst, tmp_path, source="identical", grid_points=41, max_shared=1)
    assert (tmp_path / "fig3.png").stat().st_size > 10_000
    assert (tmp_path / "mixed_equilibria.csv").exists()
    sc = s["special_case"]
    assert sc["max_abs_eq4_minus_B_greedy"] < 1e-10
    assert sc["equilibria_on_B"] == sc["equilibria_checked"] == 254
    assert s["theorem3_mixed"]["violations"] == 0
