"""Krugman with outsourcing: closed forms, reduced form, pair functions, mu families, claims K1-K10.

Everything here is independent of the MCP solver (see test_krugman_mcp.py for the MCP route).
Reference values are the settled note's (notes/krugman_outsourcing.md, instances DEFAULT and CLOSED).
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from trade_opt.errors import InputError
from trade_opt.instances import load_instance, validate_as
from trade_opt.krugman import closed as cl
from trade_opt.krugman import outsourcing as ns
from trade_opt.krugman.instance import KrugmanInstance

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = load_instance(ROOT / "instances" / "krugman_default.toml")
CLOSED = load_instance(ROOT / "instances" / "krugman_closed.toml")

NOTE_DEFAULT = {"p": 2.5, "omega": 6.5, "Y": 10.4, "n": 250 / 9, "c": 0.0936, "c_star": 0.00104,
                "real_wage_N": 2.6, "real_wage_S": 0.4, "E_S": 650 / 9, "l": 3.6, "x": 1.3}
NOTE_DEFAULT_ROUNDED = {"n": 27.7778, "E_S": 72.2222, "U_N": 4.70061, "U_S": 0.160869}
NOTE_CLOSED = {"p": 2 / 3, "omega": 1.0, "Y": 6.0, "n": 25.0, "c": 0.06, "real_wage_N": 1.5, "l": 4.0, "x": 0.75}
Z_GRID = np.linspace(0.02, 0.90, 45)


def ns_at(**changes):
    return DEFAULT.with_values(**changes).data()


def assert_rel(actual: dict, expected: dict, tol: float) -> None:
    for key, value in expected.items():
        assert abs(actual[key] - value) <= tol * abs(value), (key, actual[key], value)


# ---------------------------------------------------------------- reference values, three routes
def test_closed_economy_closed_form_matches_note():
    assert_rel(cl.closed_form(CLOSED.data()).as_dict(), NOTE_CLOSED, 1e-12)


def test_north_south_closed_form_matches_note():
    eq = ns.closed_form(DEFAULT.data()).as_dict()
    assert_rel(eq, NOTE_DEFAULT, 1e-12)
    assert_rel(eq, NOTE_DEFAULT_ROUNDED, 5e-6)  # the note prints 6 significant digits


def test_reduced_form_equals_closed_form_on_z_and_A_grids():
    cases = [ns_at(z=float(z)) for z in Z_GRID] + [ns_at(A=float(A)) for A in np.linspace(1, 20, 20)]
    worst = 0.0
    for d in cases:
        rf = ns.equilibrium_from_values(d, ns.reduced_form(d)).as_dict()
        cf = ns.closed_form(d).as_dict()
        worst = max(worst, max(abs(rf[k] - cf[k]) / cf[k] for k in cf))
    assert worst <= 1e-9


def test_pairs_vanish_and_walras_holds_at_closed_form():
    for z in Z_GRID:
        d = ns_at(z=float(z))
        v = ns.to_mcp_values(ns.closed_form(d))
        assert ns.natural_residual_np(v, ns.pair_values(d, v)) <= 1e-12 * max(1.0, v["Y"])
        assert ns.walras_residual(d, v) <= 1e-13
    d = CLOSED.data()
    e = cl.closed_form(d)
    v = {"Y": e.Y, "n": e.n, "p": e.p, "c": e.c}
    assert ns.natural_residual_np(v, cl.pair_values(d, v)) <= 1e-13
    assert cl.walras_residual(d, v) <= 1e-14


def test_normalizations_convert_back_and_forth():
    d = DEFAULT.data()
    eq = ns.closed_form(d)
    back = ns.equilibrium_from_values(d, ns.to_mcp_values(eq)).as_dict()
    assert_rel(back, eq.as_dict(), 1e-14)
    assert ns.to_mcp_values(eq)["w_S"] == pytest.approx(1 / 6.5, rel=1e-14)


def test_note_orientation_of_trade_pair_admits_spurious_corner():
    """Finding: with the note's sign (p L* c* - w_S z b_A Y >= 0 perp w_S >= 0), w_S = 0 and the
    other five pairs at equality form an MCP solution where Walras' law fails (labour 111.1 vs 100);
    the orientation implemented (w_S z b_A Y - p L* c* >= 0) rejects it."""
    d = DEFAULT.data()
    mc = (1 - d.z) * d.b_A
    p = mc / d.theta
    Y = d.alpha / (p - mc)
    v = {"Y": Y, "n": d.L / ((1 - d.mu) * Y * p), "p": p, "c": (1 - d.mu) * Y / d.L,
         "c_star": d.mu * Y / d.L_star, "w_S": 0.0}
    F = ns.pair_values(d, v)
    note_F = dict(F, w_S=ns.note_trade_pair(d, v))
    assert ns.natural_residual_np(v, note_F) <= 1e-14          # a solution of the note's table
    assert ns.walras_residual(d, v) == pytest.approx(1 / 9, rel=1e-12)  # labour demand 111.1 > L = 100
    assert ns.natural_residual_np(v, F) >= 0.39                 # not a solution of ours (F_wS = -0.4)


def test_ss_dd_curves_intersect_at_equilibrium():
    d = DEFAULT.data()
    eq = ns.closed_form(d)
    assert ns.ss_curve(d, eq.c) == pytest.approx(eq.p / eq.omega, rel=1e-13)
    assert ns.dd_curve(d, eq.c) == pytest.approx(eq.p / eq.omega, rel=1e-13)
    c = np.linspace(0.5, 2, 7) * eq.c
    assert np.all(np.diff(ns.dd_curve(d, c)) < 0)              # DD slopes down, SS is flat
    dc = CLOSED.data()
    e = cl.closed_form(dc)
    assert cl.dd_curve(dc, e.c) == pytest.approx(float(cl.ss_curve(dc, e.c)), rel=1e-13)


# ---------------------------------------------------------------- elasticities
def test_eps_z_analytic_matches_finite_difference():
    assert ns.eps_z(DEFAULT.data()) == pytest.approx(0.692308, abs=5e-7)  # note's value
    for z in Z_GRID[::4]:
        d = ns_at(z=float(z))
        assert abs(ns.eps_z(d) - ns.eps_z_fd(d)) <= 1e-7


def test_eps_x_is_one_in_equilibrium_but_eps_over_eps_minus_1_at_fixed_output():
    for eps in (1.5, 3.0, 8.0):
        assert cl.eps_x_fixed_output(eps) == pytest.approx(eps / (eps - 1))
        assert cl.eps_x_equilibrium(eps) == pytest.approx(1.0, abs=1e-15)
        for inst in (CLOSED, DEFAULT):
            d = inst.with_values(eps=eps).data()
            assert abs(ns.eps_x_fd(d) - 1.0) <= 1e-8


# ---------------------------------------------------------------- claims K1-K10
def test_K1_closed_real_wage_and_consumption_rise_with_A():
    eqs = [cl.closed_form(CLOSED.with_values(A=float(A)).data()) for A in np.linspace(1, 20, 40)]
    assert np.all(np.diff([e.real_wage_N for e in eqs]) > 0)
    assert np.all(np.diff([e.c for e in eqs]) > 0)


def test_K2_variety_does_not_rise_with_A():
    """Finding: n = (1-theta) L/alpha for every A; Eq. (12) gives dn/dA = 0 since eps_x = 1."""
    for A in np.linspace(1, 20, 40):
        d = CLOSED.with_values(A=float(A)).data()
        e = cl.closed_form(d)
        assert e.n == pytest.approx(25.0, rel=1e-14)
        assert e.l == pytest.approx(d.alpha / (1 - d.theta), rel=1e-13)
        assert e.x == pytest.approx(d.alpha * d.theta / ((1 - d.theta) * d.beta * A), rel=1e-12)
        assert cl.dn_dA(d, e, cl.eps_x_equilibrium(d.eps)) == 0.0
        assert cl.dn_dA(d, e, cl.eps_x_fixed_output(d.eps)) > 0  # what the paper's premise would give


def test_K3_labour_force_scales_variety_not_real_wage():
    eqs = [cl.closed_form(CLOSED.with_values(L=float(L)).data()) for L in np.linspace(25, 400, 16)]
    L = np.linspace(25, 400, 16)
    assert np.allclose([e.n for e in eqs] / L, 0.25, rtol=1e-14, atol=0)
    assert np.all(np.diff([e.c for e in eqs]) < 0)
    assert np.ptp([e.real_wage_N for e in eqs]) <= 1e-14


def test_K4_everything_rises_with_z_at_default():
    eqs = [ns.closed_form(ns_at(z=float(z))) for z in Z_GRID]
    for key in ("real_wage_N", "c", "real_wage_S", "c_star", "n", "Y", "U_N", "U_S"):
        assert np.all(np.diff([getattr(e, key) for e in eqs]) > 0), key
    assert all(all(ns.derivative_conditions(ns_at(z=float(z))).values()) for z in Z_GRID)


def test_K5_outsourcing_beats_closed_economy_and_tends_to_it():
    for z in Z_GRID:
        d = ns_at(z=float(z))
        e, ref = ns.closed_form(d), cl.closed_form(d.replace(economy="closed"))
        for key in ("real_wage_N", "c", "n", "U_N"):
            assert getattr(e, key) > getattr(ref, key), (z, key)
    d = ns_at(z=1e-7)
    e, ref = ns.closed_form(d), cl.closed_form(d.replace(economy="closed"))
    for key in ("real_wage_N", "c", "n", "U_N", "Y"):
        assert abs(getattr(e, key) / getattr(ref, key) - 1) <= 1e-6, key


def test_K6_eq19_holds_everywhere_but_premise_eps_z_below_1_fails_from_z_0_6():
    for z in Z_GRID:
        cond = ns.variety_condition(ns_at(z=float(z)))
        assert cond["holds"]
        assert cond["premise_0_lt_eps_z_lt_1"] == (z < 0.5941311542550503)
    assert ns.eps_z(ns_at(z=0.59)) < 1 < ns.eps_z(ns_at(z=0.60))
    n = [ns.closed_form(ns_at(z=float(z))).n for z in Z_GRID]
    assert np.all(np.diff(n) > 0)


def test_K7_A_raises_real_wages_and_consumption_not_variety():
    eqs = [ns.closed_form(ns_at(A=float(A))) for A in np.linspace(1, 20, 40)]
    for key in ("real_wage_N", "c", "real_wage_S"):
        assert np.all(np.diff([getattr(e, key) for e in eqs]) > 0), key
    assert np.ptp([e.n for e in eqs]) <= 1e-12 * eqs[0].n


def test_K8_premises_hold_on_default_grid():
    for z in Z_GRID:
        d = ns_at(z=float(z))
        e = ns.closed_form(d)
        assert d.mu < z and d.mu_slope < 1 and e.omega > 1 and e.c_star < e.c and e.E_S <= d.L_star


def test_K9_premises_do_not_make_real_wage_rise():
    """Finding: theta = 0.5, mu = 0.5 z - 0.05 (1-z)^2 on [0.3, 0.9]: mu' < 1, mu < z, omega > 1, yet
    omega/p = 2 (0.5 + 0.05 (1-z)) falls; the exact condition mu'(1-z) < theta - mu fails."""
    base = DEFAULT.with_values(theta=0.5, z=0.5, mu={"kind": "polynomial", "coefficients": [-0.05, 0.6, -0.05]})
    zs = np.linspace(0.3, 0.9, 31)
    wages = []
    for z in zs:
        d = base.with_values(z=float(z)).data()
        e = ns.closed_form(d)
        assert d.mu == pytest.approx(0.5 * z - 0.05 * (1 - z) ** 2, abs=1e-15)
        assert d.mu_slope < 1 and d.mu < z and e.omega > 1
        assert e.real_wage_N == pytest.approx(2 * (0.5 + 0.05 * (1 - z)), rel=1e-12)
        assert not ns.derivative_conditions(d)["real_wage_N_rises"]
        wages.append(e.real_wage_N)
    assert np.all(np.diff(wages) < 0)


def test_K10_southern_employment_above_L_star_is_an_input_error():
    with pytest.raises(InputError) as err:
        DEFAULT.with_values("f.toml", z=0.99)
    assert err.value.field == "L_star" and "E_S" in err.value.reason
    assert DEFAULT.with_values(z=0.94).data().z == 0.94  # E_S = 971 <= 1000 is accepted


def test_mu_at_or_above_theta_is_an_input_error():
    with pytest.raises(InputError) as err:
        DEFAULT.with_values("f.toml", mu={"kind": "power", "phi": 3.0, "gamma": 2.0})  # mu(0.5) = 0.75 = theta
    assert err.value.field == "mu" and "theta" in err.value.reason


# ---------------------------------------------------------------- mu families and validation
def test_table_mu_interpolates_power_mu_and_is_monotone():
    zs = np.linspace(0, 1, 41)
    inst = DEFAULT.with_values(mu={"kind": "table", "z": zs.tolist(), "mu": (0.4 * zs**2).tolist()})
    d, d0 = inst.data(), DEFAULT.data()
    fine = np.linspace(0, 1, 1001)
    assert np.all(np.diff(d.mu_fn.value(fine)) >= 0)
    assert np.max(np.abs(d.mu_fn.value(fine) - 0.4 * fine**2)) <= 1e-4
    e, e0 = ns.closed_form(d).as_dict(), ns.closed_form(d0).as_dict()
    assert max(abs(e[k] / e0[k] - 1) for k in e0) <= 1e-3
    assert d.mu == pytest.approx(0.1, rel=1e-12)   # 0.5 is a knot


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"theta": 1.0}, "theta"),
        ({"eps": 1.0}, "eps"),
        ({"A": 0.5}, "A"),
        ({"L": -1.0}, "L"),
        ({"z": 0.0}, "z"),
        ({"mu": {"kind": "power", "phi": 0.4}}, "mu.gamma"),
        ({"mu": {"kind": "power", "phi": 0.4, "gamma": 2.0, "z": [0.0, 1.0]}}, "mu.z"),
        ({"mu": {"kind": "table", "z": [0.0, 0.6, 0.4], "mu": [0.0, 0.1, 0.2]}}, "mu.z[2]"),
        ({"mu": {"kind": "table", "z": [0.0, 0.4, 0.6], "mu": [0.0, 0.2, 0.1]}}, "mu.mu[2]"),
        ({"mu": {"kind": "table", "z": [0.6, 0.9], "mu": [0.1, 0.2]}}, "z"),
        ({"mu": {"kind": "cubic"}}, "mu.kind"),
        ({"economy": "closed"}, "L_star"),
    ],
)
def test_bad_fields_are_named(changes, field):
    raw = DEFAULT.model_dump(exclude_none=True) | changes
    with pytest.raises(InputError) as err:
        validate_as(KrugmanInstance, raw, "bad.toml")
    assert err.value.field == field
    assert "\n" not in str(err.value)


def test_large_A_and_eps_near_one_stay_finite_in_logs():
    d = DEFAULT.with_values(A=1e6, eps=1.05).data()   # A^(1/(1-eps)) = 1e-120: log-space evaluation
    e = ns.closed_form(d)
    assert math.isfinite(e.Y) and e.Y > 1e100 and math.isfinite(e.x)
    with pytest.raises(InputError) as err:
        DEFAULT.with_values("f.toml", A=1e6, eps=1.01)   # b_A = exp(-1381) underflows
    assert err.value.field == "eps"
