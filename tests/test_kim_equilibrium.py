"""Kim (1999) free entry as an MCP: baseline, homogeneity, symmetric and T = 1 cases, the sweep (note 7-9)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import root

from trade_opt.instances import load_instance
from trade_opt.kim.equilibrium import default_starts, losses, natural_residual_np, relax_start, solve_equilibria
from trade_opt.kim.instance import KimData
from trade_opt.kim.liberalize import follow_branch, sweep_values
from trade_opt.kim.mcp_model import reference_totals

ROOT = Path(__file__).resolve().parents[1]
NAFTA = ROOT / "instances" / "kim_nafta3.toml"

# Note section 8, solution at T = 2.0 (4 decimals): rows US, CA, MX; columns m_1 m_2 n r P_A1 P_A2 P_F P_S
NOTE_TABLE = np.array([
    [8.0538, 5.6905, 3.6089, 4.6496, 2.5927, 2.2037, 2.0496, 1.1429],
    [3.2372, 1.8091, 1.3689, 1.7509, 2.5148, 2.0818, 1.9651, 1.0514],
    [5.0548, 3.8994, 2.3697, 3.1593, 2.2567, 1.8955, 1.7725, 0.9714],
])
PRINTED = 0.5e-4 + 1e-9          # agreement to the table's 4 printed decimals


@pytest.fixture(scope="module")
def nafta():
    return load_instance(NAFTA).data()


@pytest.fixture(scope="module")
def baseline(nafta):
    return solve_equilibria(nafta, n_random=10)


def table_of(sol):
    st = sol.state
    return np.column_stack([sol.x[0], sol.x[1], sol.x[2], sol.x[3], st.P_A[0], st.P_A[1], st.P_F, st.P_S])


def test_baseline_matches_note_table(baseline):
    """Section 8: interior, unique among 15 starts, stable (lambda_max = -0.447), the table to 4 decimals."""
    assert baseline.status == "solved" and baseline.starts == 15 and baseline.distinct == 1
    sol = baseline.best
    assert sol.residual <= 1e-10 and np.all(sol.x > 0)
    assert np.max(np.abs(table_of(sol) - NOTE_TABLE)) <= PRINTED
    assert abs(sol.lambda_max - (-0.447)) <= 0.5e-3


def test_baseline_equals_an_independent_interior_root(nafta, baseline):
    """The MCP solution equals a plain root of G(exp z) = 0 (interior) started at the note's table, to 1e-9."""
    xbar = reference_totals(nafta)
    z0 = np.log(NOTE_TABLE[:, :4].T / xbar[:, None]).ravel()
    sol = root(lambda z: losses(nafta, np.exp(z.reshape(4, 3)), xbar).ravel(), z0, tol=1e-14)
    assert sol.success
    xt = np.exp(sol.x.reshape(4, 3))
    assert np.max(np.abs(xt - baseline.best.xt) / xt) <= 1e-9


def test_zero_profit_accounting_at_the_baseline(nafta, baseline):
    """9.6: fixed-labour bill = markup share x mill revenue per tier; S^D = rho f_SL/((1-rho) a_SL); revenues W f/(1-mu)."""
    sol, d = baseline.best, nafta
    st = sol.state
    share = np.array([1 - d.mu[0], 1 - d.mu[1], 1 - d.eta, 1 - d.rho])
    fixed_bill = (sol.x * d.W[None] * d.fixed_labour[:, None]).sum(axis=1)
    revenue = (sol.x * st.revenue).sum(axis=1)
    assert np.allclose(fixed_bill, share * revenue, rtol=1e-10)
    assert np.allclose(st.S_D, d.rho * d.f_S / ((1 - d.rho) * d.a_SL), rtol=1e-10)
    assert np.allclose(st.revenue, d.W[None] * d.fixed_labour[:, None] / share[:, None], rtol=1e-10)


def test_equilibrium_homogeneity(nafta, baseline):
    """9.5: (W, I) x 1.7 keeps x; I x 1.7 multiplies x by 1.7; f x 1.7 divides x by 1.7."""
    x0, lam = baseline.best.x, 1.7
    cases = [
        (nafta.replace(W=lam * nafta.W, I=lam * nafta.I), x0),
        (nafta.replace(I=lam * nafta.I), lam * x0),
        (nafta.replace(f_A=lam * nafta.f_A, f_F=lam * nafta.f_F, f_S=lam * nafta.f_S), x0 / lam),
    ]
    for data, expected in cases:
        found = solve_equilibria(data)
        assert found.distinct == 1
        assert np.allclose(found.best.x, expected, rtol=1e-9, atol=0)


def symmetric_x(d, T):
    J = d.J
    phi = lambda s: (1 + (J - 1) * T ** (-(s + 1))) / (1 + (J - 1) * T ** (-s))
    R = d.alpha * phi(d.omega)
    R_F = np.sum(d.beta * d.mu * R) * phi(d.eps)
    m = (1 - d.mu) * R / d.f_A
    return np.vstack([np.tile(m[:, None], (1, J)), np.full((1, J), (1 - d.eta) * R_F / d.f_F),
                      np.full((1, J), (1 - d.rho) * d.delta * d.eta * R_F * phi(d.theta) / d.f_S)])


@pytest.mark.parametrize("T", [2.0, 1.3])
def test_symmetric_start_returns_the_symmetric_solution(T):
    """9.7: started at the symmetric closed form the solver returns it (stable at 2.0, unstable at 1.3)."""
    d = KimData.symmetric(3, T)
    x = symmetric_x(d, T)
    found = solve_equilibria(d, [x / reference_totals(d)[:, None]])
    sol = found.best
    assert np.allclose(sol.x, x, rtol=1e-9)
    assert (sol.lambda_max < 0) == (T == 2.0)


def test_symmetric_world_unique_at_T2_and_core_periphery_at_T12():
    """Section 7: T = 2 only the symmetric solution; T = 1.2 the stable ones are 3 core-periphery relabellings."""
    d2 = KimData.symmetric(3, 2.0)
    found = solve_equilibria(d2, n_random=6)
    assert found.distinct == 1 and np.allclose(found.best.x, symmetric_x(d2, 2.0), rtol=1e-9)
    d = KimData.symmetric(3, 1.2)
    found = solve_equilibria(d, n_random=6)
    stable = [s for s in found.solutions if s.lambda_max < 0]
    assert len(stable) == 3
    cores = sorted(int(np.argmax(s.x[3])) for s in stable)
    assert cores == [0, 1, 2]
    for s in stable:
        k = int(np.argmax(s.x[3]))
        assert np.all(s.shares[2:, k] > 1 - 1e-9)          # all F and S firms in the core
        assert np.all(s.x[:2] > 0)                         # assemblers in every region


def test_T1_unequal_wages_everything_in_the_lowest_wage_region(nafta):
    """9.8: at T = 1 every tier is entirely in MX with the W_min totals, Pi < 0 elsewhere; unique."""
    d = nafta.with_uniform_transport(1.0)
    found = solve_equilibria(d, n_random=4)
    assert found.distinct == 1
    sol = found.best
    assert np.all(~sol.support[:, :2]) and np.all(sol.G[:, :2] > 0)
    assert np.allclose(sol.x[:, 2], [18.627, 13.971, 8.557, 11.231], atol=5e-4)
    assert np.allclose(sol.x[:, 2], reference_totals(d.replace(W=np.full(3, d.W[2]))), rtol=1e-10)


def test_T1_equal_wages_totals_only(nafta):
    """9.8: equal wages, T = 1: the split is indeterminate; every solution has the totals mbar, nbar, rbar."""
    d = nafta.with_uniform_transport(1.0).replace(W=np.full(3, 0.9))
    found = solve_equilibria(d, default_starts(d)[:4])
    assert found.solutions
    for sol in found.solutions:
        assert sol.residual <= 1e-10
        assert np.allclose(sol.x.sum(axis=1), reference_totals(d), rtol=1e-9)


def test_formulations_agree(nafta, baseline):
    """The reduced formulation (prices as expressions) gives the log formulation's equilibrium."""
    found = solve_equilibria(nafta, default_starts(nafta)[:2], formulation="reduced")
    assert np.allclose(found.best.x, baseline.best.x, rtol=1e-9)


def test_liberalization_sweep(nafta):
    """9.9 and section 8: residual <= 1e-10 and lambda_max < 0 along the sweep; the note's shares and exits."""
    rows = {round(T, 2): sol for T, sol, _, _ in follow_branch(nafta, sweep_values(2.0, 1.0, 0.05), multistart=False)}
    assert len(rows) == 21
    assert max(s.residual for s in rows.values()) <= 1e-10
    assert max(s.lambda_max for s in rows.values()) < 0
    sh = {T: s.shares for T, s in rows.items()}
    assert np.allclose(sh[1.6][3], [0.36, 0, 0.64], atol=0.005) and np.allclose(sh[1.6][2], [0.43, 0, 0.57], atol=0.005)
    assert np.allclose(sh[1.6][0], [0.47, 0.10, 0.43], atol=0.005)
    assert np.allclose(sh[1.5][3], [0, 0, 1]) and np.allclose(sh[1.5][2], [0.05, 0, 0.95], atol=0.005)
    assert np.allclose(sh[1.5][0], [0.32, 0.04, 0.64], atol=0.005)
    first_zero = lambda t, k: max(T for T, s in rows.items() if not s.support[t, k])
    assert first_zero(3, 1) == first_zero(2, 1) == 1.6          # CA leaves S and F by 1.60
    assert first_zero(1, 1) == 1.55 and first_zero(0, 1) == 1.45  # A_2 by 1.55, A_1 by 1.45
    assert first_zero(3, 0) == 1.5 and first_zero(2, 0) == 1.45  # US leaves S at 1.50, F at 1.45
    assert all(np.all(rows[T].shares[:, 2] == 1) for T in rows if T <= 1.35)
    # qualitative result 1: MX's share rises and CA's falls, weakly, in every tier as T falls
    Ts = sorted(rows, reverse=True)
    mx = np.array([rows[T].shares[:, 2] for T in Ts])
    ca = np.array([rows[T].shares[:, 1] for T in Ts])
    assert np.all(np.diff(mx, axis=0) >= -1e-12) and np.all(np.diff(ca, axis=0) <= 1e-12)
    # result 2: S concentrates first, then F, then the assemblers
    all_in_mx = lambda t: max(T for T in rows if rows[T].shares[t, 2] == 1)
    assert all_in_mx(3) > all_in_mx(2) > max(all_in_mx(0), all_in_mx(1))
    # result 4: total firm numbers are not monotone in T (they fall, then rise towards T = 1)
    totals = np.array([rows[T].x.sum(axis=1) for T in Ts])
    steps = np.diff(totals, axis=0)
    assert np.all((steps < 0).any(axis=0) & (steps > 0).any(axis=0))


@pytest.mark.parametrize("T,stable", [(2.0, True), (1.4, True), (1.3, False), (1.2, False)])
def test_symmetric_equilibrium_stability_switch(T, stable):
    """Section 7: the symmetric equilibrium is stable (lambda_max < 0) for T >= 1.4, unstable for T <= 1.3."""
    d = KimData.symmetric(3, T)
    xt = symmetric_x(d, T) / reference_totals(d)[:, None]
    assert np.max(np.abs(losses(d, xt))) <= 1e-12
    from trade_opt.kim.equilibrium import lambda_max
    assert (lambda_max(d, xt) < 0) == stable


def full_agglomeration(d, k):
    """All tiers in region k with the zero-profit totals of note 9.8 (A_h mill revenue alpha_h sum_g I(g)/T_A(k,g))."""
    R_A = d.alpha * np.sum(d.I / d.T_A[:, k, :], axis=1)
    R_F = np.sum(d.beta * d.mu * R_A)
    x = np.zeros((4, d.J))
    x[:, k] = [*((1 - d.mu) * R_A / (d.W[k] * d.f_A)), (1 - d.eta) * R_F / (d.W[k] * d.f_F),
               (1 - d.rho) * d.delta * d.eta * R_F / (d.W[k] * d.f_S)]
    return x


def test_everything_in_one_region_is_an_equilibrium_at_T11_not_at_T12():
    """Section 7: in the symmetric world full agglomeration is an equilibrium at T = 1.1 (not at 1.2: A_1 would enter)."""
    for T, is_equilibrium in [(1.1, True), (1.2, False)]:
        d = KimData.symmetric(3, T)
        G = losses(d, full_agglomeration(d, 0) / reference_totals(d)[:, None])
        assert np.max(np.abs(G[:, 0])) <= 1e-12
        assert (G[:, 1:].min() >= 0) == is_equilibrium


# --- large J (issue 5 scaling): entry-dynamics starts, then the MCP layer ------------------------------

def random_instance(J, seed):
    """Random asymmetric J-region instance (as benchmarks/bench_kim.py): W ~ U(0.8, 1.2), I ~ U(1, 10),
    every markup matrix drawn separately, U(1.8, 2.4) between regions and 1 inside."""
    rng = np.random.default_rng([seed, J])

    def markups():
        T = rng.uniform(1.8, 2.4, size=(J, J))
        np.fill_diagonal(T, 1.0)
        return T

    return KimData.symmetric(J).replace(W=rng.uniform(0.8, 1.2, J), I=rng.uniform(1.0, 10.0, J),
                                        T_A=np.stack([markups(), markups()]), T_F=markups(), T_S=markups())


def check_equilibrium_identities(d, sol):
    """9.6 on the support: natural residual, fixed-labour bill = markup share x tier revenue, the break-even
    revenues W f/(1-mu) of active firms, S^D = rho f_SL/((1-rho) a_SL) of active S firms; losses >= 0 off it."""
    st, active = sol.state, sol.support
    share = np.array([1 - d.mu[0], 1 - d.mu[1], 1 - d.eta, 1 - d.rho])
    assert sol.residual <= 1e-10 and np.all(sol.G[~active] >= -1e-10) and np.all(sol.x.sum(axis=1) > 0)
    fixed_bill = (sol.x * d.W[None] * d.fixed_labour[:, None]).sum(axis=1)
    assert np.allclose(fixed_bill, share * (sol.x * st.revenue).sum(axis=1), rtol=1e-10)
    break_even = d.W[None] * d.fixed_labour[:, None] / share[:, None]
    assert np.allclose(st.revenue[active], break_even[active], rtol=1e-10)
    assert np.allclose(st.S_D[active[3]], d.rho * d.f_S / ((1 - d.rho) * d.a_SL), rtol=1e-10)


@pytest.mark.parametrize("J", [20, 50])
def test_large_random_instance_solves_to_tol(J):
    """J = 20 and 50 random asymmetric regions (12J unknowns): one income-share start, relaxed by the entry
    dynamics, reaches numpy residual <= 1e-10 with the 9.6 identities; the equilibrium is stable (the dynamics
    lead to stable ones), and a plain root of G = 0 on its support in ln x (scipy hybr, independent of Pyomo),
    started 5 % away, returns to it to 1e-9."""
    d = random_instance(J, 0)
    found = solve_equilibria(d, default_starts(d)[:1])
    assert found.status == "solved" and found.iterations["ipopt"] == 0
    sol = found.best
    check_equilibrium_identities(d, sol)
    assert sol.lambda_max < 0
    xbar, support = reference_totals(d), sol.support

    def g_support(z):
        xt = np.zeros_like(sol.xt)
        xt[support] = np.exp(z)
        return losses(d, xt, xbar)[support]

    z0 = np.log(sol.xt[support]) + 0.05 * np.random.default_rng(J).standard_normal(support.sum())
    back = root(g_support, z0, tol=1e-14)
    assert np.max(np.abs(g_support(back.x))) <= 1e-12  # hybr may stop with "xtol too small" at round-off
    assert np.max(np.abs(np.exp(back.x) / sol.xt[support] - 1)) <= 1e-9


def test_relax_start_moves_to_the_target_and_leaves_equilibria_alone():
    """relax_start: from the income start the natural residual falls to <= 1e-3; an exact (unstable) symmetric
    equilibrium at T = 1.2 is returned unchanged."""
    d = random_instance(10, 1)
    xt = relax_start(d, default_starts(d)[0])
    assert natural_residual_np(xt, losses(d, xt)) <= 1e-3
    sym = KimData.symmetric(3).with_uniform_transport(1.2)
    x_sym = symmetric_x(sym, 1.2) / reference_totals(sym)[:, None]
    assert np.array_equal(relax_start(sym, x_sym), x_sym)
