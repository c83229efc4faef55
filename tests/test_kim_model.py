"""Kim (1999) at given firm numbers: the chain, the closed forms, identities (note sections 5, 6, 9.1-9.4, 9.7, 9.8)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from trade_opt.kim.closed_forms import closed_form_profits
from trade_opt.kim.equilibrium import default_starts, losses
from trade_opt.kim.instance import KimData, scalar_markups
from trade_opt.kim.mcp_model import reference_totals
from trade_opt.kim.model import chain, cobb_douglas_constant


def random_markups(rng, J, diag_one=False):
    T = rng.uniform(1.0, 2.5, size=(J, J))
    np.fill_diagonal(T, 1.0 if diag_one else rng.uniform(1.0, 1.2, size=J))
    return T


def random_world(J, seed, diag_one=False):
    """Random asymmetric instance: wages, incomes, elasticities, a_SL != 1, T_A1 != T_A2."""
    rng = np.random.default_rng(seed)
    data = KimData.symmetric(J).replace(
        W=rng.uniform(0.7, 1.3, J), I=rng.uniform(1.0, 10.0, J),
        alpha=rng.uniform(0.03, 0.2, 2), mu=rng.uniform(0.6, 0.9, 2), beta=rng.uniform(0.1, 0.5, 2),
        eta=rng.uniform(0.7, 0.9), rho=rng.uniform(0.7, 0.9), delta=rng.uniform(0.1, 0.5), a_SL=1.7,
        f_A=rng.uniform(0.01, 0.03, 2), f_F=0.012, f_S=0.003,
        T_A=np.stack([random_markups(rng, J, diag_one), random_markups(rng, J, diag_one)]),
        T_F=random_markups(rng, J, diag_one), T_S=random_markups(rng, J, diag_one),
    )
    x = rng.uniform(0.5, 10.0, size=(4, J))
    return data, x


def fixed_cost(data):
    return data.W[None] * data.fixed_labour[:, None]


@pytest.mark.parametrize("J,seed", [(2, 0), (3, 1), (5, 2), (8, 3)])
def test_closed_forms_agree_with_chain(J, seed):
    """9.1: (26'), (28'), (30') equal the explicit chain to 1e-10 x W f, any J and markups."""
    data, x = random_world(J, seed)
    assert not np.allclose(data.T_A[0], data.T_A[1])
    s = chain(data, x[:2], x[2], x[3])
    c = closed_form_profits(data, x[:2], x[2], x[3])
    assert np.max(np.abs(s.profit - c.profit) / fixed_cost(data)) <= 1e-10
    assert np.allclose(c.A_D, s.A_D, rtol=1e-12) and np.allclose(c.F_D, s.F_D, rtol=1e-12)


def printed_26_variable(data, n, F_D, r, constant_fix=False, exponent_fix=False):
    """The variable part of Kim's printed (26), optionally with the note's two corrections."""
    theta, delta, W = data.theta, data.delta, data.W
    M_S = r @ (W[:, None] * data.T_S) ** (-theta)
    const = data.a_SL ** delta * (1 - data.rho) * data.rho ** (-delta) * (1 - delta) ** (-(1 - delta))
    const *= delta ** (1 - delta) if constant_fix else delta ** (-delta)
    power = delta / theta + 1 if exponent_fix else delta / (theta + 1)
    per_j = n * F_D * W ** (1 - delta) / M_S ** power
    return const * W ** (-theta) * (data.T_S ** (-(theta + 1)) @ per_j)


def test_printed_26_is_wrong_and_the_note_corrections_fix_it():
    """Note section 4: printed (26) is off by 1/delta in the constant and in its r-dependence; both fixes needed."""
    data, x = random_world(3, 7)
    s = chain(data, x[:2], x[2], x[3])
    variable = s.profit[3] + data.W * data.f_S            # (1 - rho) P_S S^D from the chain
    fixed = printed_26_variable(data, s.n, s.F_D, s.r, constant_fix=True, exponent_fix=True)
    assert np.allclose(fixed, variable, rtol=1e-12)
    as_printed = printed_26_variable(data, s.n, s.F_D, s.r)
    assert not np.allclose(as_printed, variable, rtol=1e-3)
    only_constant = printed_26_variable(data, s.n, s.F_D, s.r, constant_fix=True)
    assert not np.allclose(only_constant, variable, rtol=1e-3)
    only_exponent = printed_26_variable(data, s.n, s.F_D, s.r, exponent_fix=True)
    assert np.allclose(only_exponent, variable / data.delta, rtol=1e-12)


@pytest.mark.parametrize("seed", [11, 12])
def test_budget_cost_share_and_technology_identities(seed):
    """Section 6: budget (10), cost shares (13), (20) to 1e-12; inputs produce the output (2), (4)."""
    data, x = random_world(4, seed)
    s = chain(data, x[:2], x[2], x[3])
    spend = np.einsum("hk,hk,hkg,hkg->hg", s.m, s.P_A, data.T_A, s.A)
    assert np.allclose(spend, data.alpha[:, None] * data.I[None], rtol=1e-12, atol=0)
    F_cost = np.einsum("j,j,jk,hjk->hk", s.n, s.P_F, data.T_F, s.F)
    assert np.allclose(F_cost, data.beta[:, None] * s.b * s.A_D, rtol=1e-12, atol=0)
    S_cost = np.einsum("i,i,ij,ij->j", s.r, s.P_S, data.T_S, s.S)
    assert np.allclose(S_cost, data.delta * s.q * s.F_D, rtol=1e-12, atol=0)
    # (2): A^D = L^(1-beta) C_F^beta with C_F = [sum_j n(j) F(j)^eta]^(1/eta)
    C_F = np.einsum("j,hjk->hk", s.n, s.F ** data.eta) ** (1 / data.eta)
    beta = data.beta[:, None]
    assert np.allclose(s.L_A ** (1 - beta) * C_F ** beta, s.A_D, rtol=1e-11)
    # (4): F^D = L^(1-delta) C_S^delta with C_S = [sum_i r(i) S(i)^rho]^(1/rho)
    C_S = (s.r @ s.S ** data.rho) ** (1 / data.rho)
    assert np.allclose(s.L_F ** (1 - data.delta) * C_S ** data.delta, s.F_D, rtol=1e-11)


def tier_revenues(data, s):
    rev_A = (s.m * s.P_A * s.A_D).sum(axis=1)
    rev_F = float(s.n @ (s.P_F * s.F_D))
    rev_S = float(s.r @ (s.P_S * s.S_D))
    return rev_A, rev_F, rev_S


def test_revenue_bounds_and_equality_at_T1():
    """Section 6: tier revenues bounded by the upstream spending; equality when all T = 1."""
    data, x = random_world(3, 21)
    s = chain(data, x[:2], x[2], x[3])
    rev_A, rev_F, rev_S = tier_revenues(data, s)
    assert np.all(rev_A < data.alpha * data.I.sum())
    assert rev_F < np.sum(data.beta * data.mu * rev_A)
    assert rev_S < data.delta * data.eta * rev_F
    ones = np.ones((3, 3))
    free = data.replace(T_A=np.stack([ones, ones]), T_F=ones, T_S=ones)
    s1 = chain(free, x[:2], x[2], x[3])
    rev_A, rev_F, rev_S = tier_revenues(free, s1)
    assert np.allclose(rev_A, free.alpha * free.I.sum(), rtol=1e-12)
    assert np.isclose(rev_F, np.sum(free.beta * free.mu * rev_A), rtol=1e-12)
    assert np.isclose(rev_S, free.delta * free.eta * rev_F, rtol=1e-12)


def test_shephard_cost_shares_by_differences():
    """9.3: d ln b_h(k)/d ln T_F(y,k) and d ln q(j)/d ln T_S(i,j) equal the cost shares of (17), (22)."""
    data, x = random_world(3, 31)
    s = chain(data, x[:2], x[2], x[3])
    h_step = 1e-6
    for (y, k) in [(0, 1), (2, 2), (1, 0)]:
        def lnb_at(sign):
            T_F = data.T_F.copy()
            T_F[y, k] *= np.exp(sign * h_step)
            return np.log(chain(data.replace(T_F=T_F), x[:2], x[2], x[3]).b[:, k])
        numeric = (lnb_at(1) - lnb_at(-1)) / (2 * h_step)
        share = s.n[y] * s.P_F[y] * data.T_F[y, k] * s.F[:, y, k] / (s.b[:, k] * s.A_D[:, k])
        assert np.allclose(numeric, share, rtol=1e-6, atol=1e-10)
    for (i, j) in [(0, 2), (1, 1)]:
        def lnq_at(sign):
            T_S = data.T_S.copy()
            T_S[i, j] *= np.exp(sign * h_step)
            return np.log(chain(data.replace(T_S=T_S), x[:2], x[2], x[3]).q[j])
        numeric = (lnq_at(1) - lnq_at(-1)) / (2 * h_step)
        share = s.r[i] * s.P_S[i] * data.T_S[i, j] * s.S[i, j] / (s.q[j] * s.F_D[j])
        assert abs(numeric - share) <= 1e-6 * share + 1e-10


def test_unit_cost_by_numerical_cost_minimization():
    """(13)-(17): minimizing W L + sum_j n p_j F_j s.t. L^(1-beta) C_F^beta = 1 gives b_h (16), L (14), F (17)."""
    data, x = random_world(3, 41)
    s = chain(data, x[:2], x[2], x[3])
    h, k, eta, beta = 1, 2, data.eta, data.beta[1]
    p = s.P_F * data.T_F[:, k]                     # delivered F prices in k
    W = data.W[k]

    def cost(lnF):
        F = np.exp(lnF)
        C_F = (s.n @ F ** eta) ** (1 / eta)
        L = C_F ** (-beta / (1 - beta))            # from L^(1-beta) C_F^beta = 1
        return W * L + s.n @ (p * F)

    per_unit_F = s.F[h, :, k] / s.A_D[h, k]
    res = minimize(cost, np.log(per_unit_F) + 0.3, method="BFGS", options={"gtol": 1e-12})
    assert abs(res.fun - s.b[h, k]) <= 1e-8 * s.b[h, k]
    assert np.allclose(np.exp(res.x), per_unit_F, rtol=1e-4)
    assert np.isclose(s.L_A[h, k] / s.A_D[h, k], (1 - beta) * s.b[h, k] / W, rtol=1e-12)


def atomistic_profit(data, s, h, k, price, W=None, T_row=None):
    """An A_h firm in k at a given mill price, with all price indices D_h(g), N_F(k) held fixed."""
    W = data.W[k] if W is None else W
    T_row = data.T_A[h, k] if T_row is None else T_row
    omega, beta = data.omega[h], data.beta[h]
    b = cobb_douglas_constant(beta) * W ** (1 - beta) * np.exp(-beta / data.eps * s.lnN_F[k])
    demand = np.sum(data.alpha[h] * data.I * (price * T_row) ** (-(omega + 1)) * np.exp(-s.lnD[h]))
    return (price - b) * demand - W * data.f_A[h], b


def test_markup_pricing_is_optimal_for_an_atomistic_firm():
    """9.3: with indices fixed, dPi/dp = 0 at p = mc/mu (19) and the second difference is < 0."""
    data, x = random_world(3, 51)
    s = chain(data, x[:2], x[2], x[3])
    for h, k in [(0, 0), (1, 2)]:
        p0 = s.P_A[h, k]
        assert np.isclose(atomistic_profit(data, s, h, k, p0)[0], s.profit[h, k], rtol=1e-12)
        d = 1e-5 * p0
        up, mid, down = (atomistic_profit(data, s, h, k, p)[0] for p in (p0 + d, p0, p0 - d))
        scale = data.W[k] * data.f_A[h]
        assert abs(up - down) / (2 * d) * p0 <= 1e-6 * scale
        assert up - 2 * mid + down < 0


def test_hotelling_and_envelope_in_markups():
    """9.3: dPi*/dW(x) = -(L + f); dPi*/dT_A(x,g) equals the partial at the fixed optimal price."""
    data, x = random_world(3, 61)
    s = chain(data, x[:2], x[2], x[3])
    h, k, g = 0, 1, 2

    def optimal(W=None, T_row=None):
        _, b = atomistic_profit(data, s, h, k, 1.0, W=W, T_row=T_row)
        return atomistic_profit(data, s, h, k, b / data.mu[h], W=W, T_row=T_row)[0]

    W0, dW = data.W[k], 1e-6
    dPi_dW = (optimal(W=W0 + dW) - optimal(W=W0 - dW)) / (2 * dW)
    assert np.isclose(dPi_dW, -(s.L_A[h, k] + data.f_A[h]), rtol=1e-6)
    T0, dT = data.T_A[h, k].copy(), 1e-6
    up, down = T0.copy(), T0.copy()
    up[g] += dT
    down[g] -= dT
    total = (optimal(T_row=up) - optimal(T_row=down)) / (2 * dT)
    p_star = s.P_A[h, k]
    partial = (atomistic_profit(data, s, h, k, p_star, T_row=up)[0]
               - atomistic_profit(data, s, h, k, p_star, T_row=down)[0]) / (2 * dT)
    assert np.isclose(total, partial, rtol=1e-6) and partial < 0


def test_homogeneity_at_given_firm_numbers():
    """9.4: (W, I) -> lambda (W, I) scales prices, marginal costs and profits by lambda; quantities unchanged."""
    data, x = random_world(4, 71)
    lam = 1.7
    s = chain(data, x[:2], x[2], x[3])
    t = chain(data.replace(W=lam * data.W, I=lam * data.I), x[:2], x[2], x[3])
    for name in ("P_S", "q", "P_F", "b", "P_A", "profit"):
        assert np.allclose(getattr(t, name), lam * getattr(s, name), rtol=1e-12, atol=0), name
    for name in ("A", "A_D", "F", "F_D", "S", "S_D", "L_A", "L_F"):
        assert np.allclose(getattr(t, name), getattr(s, name), rtol=1e-12, atol=0), name


def Phi(t, s, J):
    return (1 + (J - 1) * t ** (-(s + 1))) / (1 + (J - 1) * t ** (-s))


def symmetric_solution(data, T_A, T_F, T_S):
    """Note 9.7: the symmetric free-entry firm numbers per region (W = I = 1)."""
    J, W, I = data.J, 1.0, 1.0
    R = data.alpha * I * Phi(T_A, data.omega, J)
    m = (1 - data.mu) * R / (W * data.f_A)
    R_F = np.sum(data.beta * data.mu * R) * Phi(T_F, data.eps, J)
    n = (1 - data.eta) * R_F / (W * data.f_F)
    r = (1 - data.rho) * data.delta * data.eta * R_F * Phi(T_S, data.theta, J) / (W * data.f_S)
    return np.vstack([np.tile(m[:, None], (1, J)), np.full((1, J), n), np.full((1, J), r)])


@pytest.mark.parametrize("J", [2, 3, 5])
@pytest.mark.parametrize("T_A,T_F,T_S", [(2.0, 2.0, 2.0), (1.5, 1.3, 1.1), (1.0, 1.0, 1.0)])
def test_symmetric_closed_form_has_zero_profits(J, T_A, T_F, T_S):
    """9.7: every firm earns zero profit at the symmetric closed form (by the chain)."""
    data = KimData.symmetric(J).replace(
        T_A=np.stack([scalar_markups(J, T_A)] * 2), T_F=scalar_markups(J, T_F), T_S=scalar_markups(J, T_S))
    x = symmetric_solution(data, T_A, T_F, T_S)
    s = chain(data, x[:2], x[2], x[3])
    assert np.max(np.abs(s.profit) / fixed_cost(data)) <= 1e-12


def test_T1_equal_wages_any_split_with_reference_totals():
    """9.8: at T = 1 with equal wages, any split with the totals mbar, nbar, rbar has zero profits."""
    J = 3
    data = KimData.symmetric(J, T=1.0).replace(I=np.array([10.0, 4.0, 5.0]), W=np.full(J, 0.9))
    xbar = reference_totals(data)
    rng = np.random.default_rng(5)
    for _ in range(3):
        split = rng.dirichlet(np.ones(J), size=4)
        G = losses(data, split, xbar)
        assert np.max(np.abs(G)) <= 1e-12


def test_T1_unequal_wages_all_in_lowest_wage_region():
    """9.8: at T = 1 with unequal wages, everything in the lowest-wage region with W_min totals is an equilibrium."""
    data = KimData.symmetric(3, T=1.0).replace(I=np.array([10.0, 4.0, 5.0]), W=np.array([1.0, 0.92, 0.85]))
    xbar = reference_totals(data)
    totals = reference_totals(data.replace(W=np.full(3, 0.85)))
    xt = np.zeros((4, 3))
    xt[:, 2] = totals / xbar
    G = losses(data, np.maximum(xt, 0), xbar)
    assert np.max(np.abs(G[:, 2])) <= 1e-12
    assert np.all(G[:, :2] > 1e-3)
    # the note's numbers: m = (18.627, 13.971), n = 8.557, r = 11.231 at T = 1.0
    assert np.allclose(totals, [18.627, 13.971, 8.557, 11.231], atol=5e-4)


def test_agglomerated_totals_with_transport_costs():
    """9.8: all tiers in region k at T > 1: A_h totals use the mill revenue alpha_h sum_g I(g)/T_A(k,g)."""
    data = KimData.symmetric(3, T=1.5).replace(I=np.array([10.0, 4.0, 5.0]), W=np.array([1.0, 0.92, 0.85]))
    k = 2
    R_A = data.alpha * np.sum(data.I / data.T_A[:, k, :], axis=1)
    m = (1 - data.mu) * R_A / (data.W[k] * data.f_A)
    R_F = np.sum(data.beta * data.mu * R_A)
    n = (1 - data.eta) * R_F / (data.W[k] * data.f_F)
    r = (1 - data.rho) * data.delta * data.eta * R_F / (data.W[k] * data.f_S)
    x = np.zeros((4, 3))
    x[:, k] = [m[0], m[1], n, r]
    s = chain(data, x[:2], x[2], x[3])
    assert np.max(np.abs(s.profit[:, k]) / fixed_cost(data)[:, k]) <= 1e-12


def test_empty_tier_is_refused():
    """Section 5: profits are not evaluated at an empty tier (infinite marginal cost)."""
    data, x = random_world(3, 81)
    x[3] = 0.0
    with pytest.raises(ValueError, match="empty"):
        chain(data, x[:2], x[2], x[3])


def test_default_starts_lie_strictly_inside_the_box():
    """Section 7: starts satisfy 0 < xt and sum_k xt(k) W(k)/Wbar < 1 in every tier."""
    data, _ = random_world(5, 91)
    w = data.W / data.W.mean()
    starts = default_starts(data, n_random=4)
    assert len(starts) == 2 + 5 + 4
    for xt in starts:
        assert np.all(xt > 0) and np.all(xt @ w < 1)
