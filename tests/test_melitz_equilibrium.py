"""The equilibrium: the note's solution table, closed form = MCP = 1-D reduction, residuals,
identities (10), (12), (15), (16), (19), R = w ell_N + ell_S, and the regimes of CORNERS coming out
of the bounds."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import INSTANCES

from trade_opt.errors import TradeOptError
from trade_opt.instances import load_instance
from trade_opt.melitz.closed_forms import closed_form
from trade_opt.melitz.compare import Z_GRID, W_GRID, compare
from trade_opt.melitz.distributions import Lognormal, TruncatedPareto
from trade_opt.melitz.equilibrium import max_rel_diff, solve_equilibrium
from trade_opt.melitz.industry import identity_residuals, outcomes
from trade_opt.melitz.mcp_model import build_model, guess, solve_mcp, starting_points

# The note's DEFAULT table (6 s.f.): z -> theta*, theta_o, P, R, M, M_o, theta~_t, M_a/M_t (20)
NOTE_TABLE = {
    0.2: (1.50292, 5.94540, 0.914450, 28.5891, 2.33476, 0.00953377, 2.14704, 0.989945),
    0.5: (1.56508, 3.49964, 0.7776, 36.4591, 2.53188, 0.101275, 2.42462, 0.912871),
    0.8: (1.73812, 2.72686, 0.511202, 68.3992, 3.12266, 0.515454, 3.32098, 0.740163),
}
NOTE_AUTARKY = (1.49535, 2.11474, 0.93312, 27.7354, 2.31128)  # theta*_a, theta~_a, P_a, R_a, M_a


def _sf6(x: float) -> float:
    return float(f"{x:.6g}")


@pytest.fixture(scope="module")
def default():
    return load_instance(INSTANCES / "melitz_default.toml").data()


@pytest.fixture(scope="module")
def corners():
    return load_instance(INSTANCES / "melitz_corners.toml").data()


@pytest.fixture(scope="module")
def default_comparison(default):
    return compare(default, "mcp")


def test_default_matches_note_table_to_six_figures(default_comparison):
    t, tab = default_comparison.offshoring.out, default_comparison.table
    for i, z in enumerate((0.2, 0.5, 0.8)):
        got = (t.theta_star[i], t.theta_o[i], t.P[i], t.R[i], t.M[i], t.M_o[i], t.theta_tilde_t[i],
               tab["M_a_over_M_t_eq20"].iloc[i])
        assert [_sf6(g) for g in got] == list(NOTE_TABLE[z]), z
    a = default_comparison.autarky.out
    for i in range(3):
        got = (a.theta_star[i], a.theta_tilde_d[i], a.P[i], a.R[i], a.M[i])
        assert [_sf6(g) for g in got] == list(NOTE_AUTARKY)


def test_mcp_residual_and_status(default_comparison):
    for sol in (default_comparison.offshoring, default_comparison.autarky):
        assert sol.report["status"] == "solved"
        assert sol.report["residual"] <= 1e-10


def test_natural_residual_recomputed_on_the_model(default):
    """Independent of the solver's report: load the 1-D reduction's point into the Pyomo model and
    evaluate the MCP layer's natural residual there (a wrong model would not be ~0)."""
    from trade_opt.mcp import natural_residual

    state = solve_equilibrium(default, "reduction").state
    model = build_model(default, me_scale=guess(default, 1.2).M_e)
    for name, value in starting_points(model, [state])[0].items():
        model.find_component(name).set_value(value)
    assert natural_residual(model) <= 1e-12
    # and a perturbed point is not a solution
    model.theta[0].set_value(model.theta[0].value * 1.01)
    assert natural_residual(model) > 1e-4


@pytest.mark.parametrize("grid", ["z", "w", "f_e=20", "mu=0"])
def test_closed_form_equals_mcp_equals_reduction(default, grid):
    data = {
        "z": default.replace(z=Z_GRID),
        "w": default.replace(z=0.8, w=W_GRID),
        "f_e=20": default.replace(f_e=20.0),
        "mu=0": default.replace(mu=0.0, z=Z_GRID[::5]),
    }[grid]
    mcp = solve_equilibrium(data, "mcp")
    red = solve_equilibrium(data, "reduction")
    assert mcp.report["residual"] <= 1e-10
    assert max_rel_diff(mcp, red) <= 1e-9
    try:
        cf = closed_form(data)
    except TradeOptError:
        assert grid == "f_e=20"  # closed forms only where theta* > b
        return
    assert max_rel_diff(mcp.state, cf.state) <= 1e-9
    for name in ("theta_o", "R", "M", "M_o", "theta_tilde_t"):
        np.testing.assert_allclose(getattr(mcp.out, name), getattr(cf, name), rtol=1e-9)


def test_identities_hold_at_the_solution(default):
    data = default.replace(z=Z_GRID)
    comp = compare(data, "mcp")
    res = identity_residuals(data, comp.offshoring.out, comp.autarky.out)
    for name in ("eq19", "eq16", "resources", "eq10", "eq12"):
        assert np.max(np.abs(res[name])) <= 1e-12, name
    assert np.nanmax(np.abs(res["eq15"])) <= 1e-12 and np.isfinite(res["eq15"]).all()
    # eq. (20) computed from its own formula equals the ratio of solved masses
    np.testing.assert_allclose(comp.table["M_a_over_M_t_eq20"], 1.0 / comp.table["variety_ratio"], rtol=1e-12)
    # the firm side adds up: R_d + R_o = R and M_d + M_o = M
    o = comp.offshoring.out
    np.testing.assert_allclose(o.R_d + o.R_o, o.R, rtol=1e-12)
    np.testing.assert_allclose(o.s_d + o.s_o, 1.0, rtol=1e-15)


def test_corners_regimes_come_out_of_the_bounds(corners):
    comp = compare(corners, "mcp")
    t, a = comp.offshoring, comp.autarky
    assert t.report["residual"] <= 1e-10
    assert list(t.out.regime) == ["none", "interior", "all"]
    u_min = corners.u_min
    assert u_min == pytest.approx(1 / 16)
    # z = 0.1: no firm offshores, theta_o = theta_max and the industry equals its autarky
    assert t.state.u[0] == pytest.approx(u_min, abs=1e-14) and t.out.theta_o[0] == pytest.approx(4.0)
    assert t.out.M_o[0] == pytest.approx(0.0, abs=1e-14)
    assert _sf6(t.state.theta_star[0]) == 1.40188 and _sf6(t.out.M[0]) == 1.76185
    for name in ("theta_star", "M_e", "B", "P"):
        assert getattr(t.state, name)[0] == pytest.approx(getattr(a.state, name)[0], rel=1e-10)
    # z = 0.5: interior, both multipliers inactive
    assert _sf6(t.state.theta_star[1]) == 1.49642 and _sf6(t.out.theta_o[1]) == 2.11625
    assert t.state.nu[1] == 0.0 and u_min < t.state.u[1] < t.state.theta_star[1] ** -2
    # z = 0.9: all offshore: theta_o = theta*, nu > 0, and E1 then reads pi_o(theta*) = 0
    assert 2.0 ** (0.9 * 2) >= corners.f_o / corners.f_d
    assert _sf6(t.out.theta_o[2]) == _sf6(t.state.theta_star[2]) == 1.76723
    assert _sf6(t.state.nu[2]) == 0.0443393
    B, th = t.state.B[2], t.state.theta_star[2]
    assert (1 + t.out.Omega[2]) * B * th**2 - corners.f_o == pytest.approx(0.0, abs=1e-10)
    assert max_rel_diff(t, solve_equilibrium(corners, "reduction")) <= 1e-9


def test_corner_theta_star_at_b(default):
    """f_e = 20: delta f_e > (kappa - 1) f_d, so every entrant produces (theta* = b) in both regimes."""
    data = default.replace(f_e=20.0)
    comp = compare(data, "mcp")
    for sol in (comp.offshoring, comp.autarky):
        assert sol.report["residual"] <= 1e-10
        np.testing.assert_allclose(sol.state.theta_star, 1.0, atol=1e-12)
        assert all(r.endswith("+b") for r in sol.out.regime)
        # E1 holds with slack: the marginal entrant (theta = b) makes a strict profit
        assert np.all(sol.state.B * 1.0 - data.f_d > 0)
        assert max_rel_diff(sol, solve_equilibrium(sol.data, "reduction")) <= 1e-9
    with pytest.raises(TradeOptError, match="theta\\* > b"):
        closed_form(data)


def test_truncated_pareto_sweep_hits_all_three_regimes(corners):
    data = corners.replace(z=np.linspace(0.0, 1.0, 41))
    mcp = solve_equilibrium(data, "mcp")
    assert mcp.report["residual"] <= 1e-10
    assert {"none", "interior", "all"} <= set(mcp.out.regime)
    assert max_rel_diff(mcp, solve_equilibrium(data, "reduction")) <= 1e-9


def test_lognormal_solved_by_reduction_only(default):
    data = default.replace(dist=Lognormal(loc=0.0, scale=0.5))
    with pytest.raises(TradeOptError, match="no algebraic Pyomo form"):
        solve_mcp(data)
    sol = solve_equilibrium(data, "reduction")
    # free entry (E4) and the ZCP (E1, interior) hold at the reduction's point
    o, d = sol.out, data
    s = d.s
    Js, Vs, Jo, Vo = (d.dist.J(o.theta_star), d.dist.V(o.theta_star, s), d.dist.J(o.theta_o), d.dist.V(o.theta_o, s))
    entry = (o.B * Vs - d.f_d * Js + o.Omega * o.B * Vo - (d.f_o - d.f_d) * Jo) / d.delta
    np.testing.assert_allclose(entry, d.f_e, rtol=1e-12)
    np.testing.assert_allclose(o.B * o.theta_star**s, d.f_d, rtol=1e-12)
    res = identity_residuals(d, o)
    assert np.max(np.abs(res["eq19"])) <= 1e-12 and np.max(np.abs(res["resources"])) <= 1e-12


def test_outcomes_firm_side_consistency(default):
    """Firm-level eqs. (6)-(8), (13)-(14) at the solution: the cutoff firm breaks even, the offshoring
    cutoff is indifferent, and p_d/p_o = w^z."""
    from trade_opt.melitz.industry import price_domestic, price_offshore, profit_domestic, profit_offshore

    sol = solve_equilibrium(default, "mcp")
    o, d = sol.out, default
    np.testing.assert_allclose(profit_domestic(o.theta_star, o.B, d.w, d.sigma, d.f_d), 0.0, atol=1e-12)
    np.testing.assert_allclose(profit_offshore(o.theta_o, o.B, d.w, d.z, d.sigma, d.f_o),
                               profit_domestic(o.theta_o, o.B, d.w, d.sigma, d.f_d), rtol=1e-12)
    np.testing.assert_allclose(price_domestic(2.0, d.w, d.rho) / price_offshore(2.0, d.w, d.z, d.rho), d.w**d.z, rtol=1e-14)
    again = outcomes(d, sol.state)
    np.testing.assert_array_equal(again.M, o.M)


def test_labour_use_and_numeraire_check(default):
    """ell_S is Southern labour in offshored low-tech inputs only; the numeraire flag compares the
    endowments with the industries' total labour use."""
    from trade_opt.melitz.job import summarize

    comp = compare(default, "reduction")
    o = comp.offshoring.out
    np.testing.assert_allclose(o.ell_S, default.rho * default.z * o.R_o, rtol=1e-15)
    assert np.all(comp.autarky.out.ell_S == 0)  # no offshoring, no Southern labour
    big = summarize(default.replace(L_N=1e3, L_S=1e3), comp)["numeraire"]
    assert big["numeraire_made_in_both"] is True
    assert big["ell_N_total"] == pytest.approx(float(np.sum(o.ell_N)))
    small = summarize(default.replace(L_N=1e3, L_S=0.5 * big["ell_S_total"]), comp)["numeraire"]
    assert small["numeraire_made_in_both"] is False


def _random_data(rng, truncated):
    from trade_opt.melitz.distributions import Pareto
    from trade_opt.melitz.instance import MelitzData

    sigma = rng.uniform(1.5, 8.0)
    s = sigma - 1
    b = rng.uniform(0.3, 3.0)
    dist = (TruncatedPareto(b, rng.uniform(0.5, 6.0), b * rng.uniform(1.5, 10.0)) if truncated
            else Pareto(b, s + rng.uniform(0.2, 4.0)))
    f_d = rng.uniform(0.2, 3.0)
    return MelitzData.build(sigma=sigma, mu=rng.uniform(0, 0.95 * s / sigma), w=rng.uniform(1.0, 30.0), f_d=f_d,
                            f_o=f_d * rng.uniform(1.1, 20.0), f_e=rng.uniform(0.1, 20.0), delta=rng.uniform(0.01, 1.0),
                            H=rng.uniform(0.1, 1000.0), z=rng.uniform(0.0, 1.0, 5), dist=dist)


@pytest.mark.parametrize("seed", range(4))
def test_mcp_equals_reduction_on_random_instances(seed):
    """Wide random parameters (sigma up to 8, w up to 30, f_o/f_d up to 20, all regimes): the MCP
    from its crude starts reaches residual <= 1e-10 and agrees with the 1-D reduction to 1e-9."""
    data = _random_data(np.random.default_rng(100 + seed), truncated=bool(seed % 2))
    mcp = solve_equilibrium(data, "mcp")
    assert mcp.report["residual"] <= 1e-10
    assert max_rel_diff(mcp, solve_equilibrium(data, "reduction")) <= 1e-9


@pytest.fixture(scope="module")
def many_industries(default):
    """More industries than MCP_CHUNK: the MCP route solves them as one model."""
    return default.replace(z=np.random.default_rng(7).uniform(0.0, 1.0, 60))


def test_many_industries_one_model_equals_chunked_route_and_reduction(many_industries):
    """One MCP model started at the 1-D reduction (certified by the MCP layer, its own residual)
    gives the same equilibrium as 3 models from the crude starts and as the reduction, to 1e-12."""
    from trade_opt.melitz.equilibrium import MCP_CHUNK, _solve_mcp_chunked

    assert many_industries.n > MCP_CHUNK
    mcp = solve_equilibrium(many_industries, "mcp")
    assert mcp.report["models"] == 1 and mcp.report["residual"] <= 1e-10
    chunked, report = _solve_mcp_chunked(many_industries, 1e-10)
    assert report["models"] == 3 and report["residual"] <= 1e-10
    assert max_rel_diff(mcp.state, chunked) <= 1e-12
    assert max_rel_diff(mcp, solve_equilibrium(many_industries, "reduction")) <= 1e-12


def test_one_model_newton_from_a_perturbed_start(many_industries):
    """The start is only a start: 1-5% off the reduction's state, the MCP layer's Newton (sparse,
    block-diagonal) iterates back to residual <= 1e-10 and to the reduction's state to 1e-12."""
    from dataclasses import replace

    from trade_opt.melitz.mcp_model import solve_mcp_from

    red = solve_equilibrium(many_industries, "reduction")
    off = replace(red.state, theta_star=red.state.theta_star * 1.01, M_e=red.state.M_e * 1.05,
                  B=red.state.B * 0.98, P=red.state.P * 1.02)
    sol = solve_mcp_from(many_industries, off)
    assert sol.status == "solved" and sol.residual <= 1e-10
    assert sol.iterations["newton"] + sol.iterations["ipopt"] > 0
    assert max_rel_diff(sol.state, red.state) <= 1e-12
