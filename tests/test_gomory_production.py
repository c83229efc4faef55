"""Production functions of Gomory (1991): a set-up interval (Assumption 1) and the barrier of the
Observations section (trade_opt.gomory.production), through every result of the model."""
from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
import scipy.optimize
from conftest import INSTANCES

from trade_opt.cli.main import main
from trade_opt.errors import ArgumentError, FieldError, InputError
from trade_opt.gomory.boundary import BoundarySolver, boundary_B1_dp, boundary_B_greedy, knapsack_data
from trade_opt.gomory.equilibria import (
    all_specialized,
    autarky_log_utilities,
    evaluate_patterns,
    pattern_bits,
    pattern_count,
)
from trade_opt.gomory.instance import GomoryInstance
from trade_opt.gomory.mixed import mixed_patterns, pattern_roots
from trade_opt.gomory.mixed.equations import log_cost_gap, specialized_Y
from trade_opt.gomory.mixed.patterns import OWNER_2, SHARED
from trade_opt.gomory.production import Production, elasticity, log_output
from trade_opt.gomory.ricardo import ricardo
from trade_opt.instances import load_instance

TABLE1 = INSTANCES / "gomory_table1.toml"
SETUP = INSTANCES / "gomory_table1_setup.toml"
BARRIER = INSTANCES / "gomory_table1_barrier.toml"
GRID = np.linspace(0.05, 0.95, 37)


@pytest.fixture(scope="module")
def power():
    return load_instance(TABLE1).data()


@pytest.fixture(scope="module")
def setup():
    return load_instance(SETUP).data()


@pytest.fixture(scope="module")
def barrier():
    return load_instance(BARRIER).data()


def _raw(**changes):
    raw = tomllib.loads(TABLE1.read_text())
    raw.update(changes)
    return raw


S9 = [[0.1] * 9, [0.1] * 9]
BAD = [
    ("unknown kind", _raw(production={"kind": "cobb_douglas"}), "production.kind", "power_with_setup"),
    ("one setup row", _raw(production={"kind": "power_with_setup", "setup": [[0.1] * 9]}), "production.setup", "2 rows"),
    ("short setup row", _raw(production={"kind": "barrier", "setup": [[0.1] * 9, [0.1] * 8]}), "production.setup[1]", "expected n = 9"),
    ("missing setup", _raw(production={"kind": "barrier"}), "production.setup", "required"),
    ("negative setup", _raw(production={"kind": "power_with_setup", "setup": [[0.1] * 9, [-0.1] + [0.1] * 8]}),
     "production.setup[1][0]", ">= 0"),
    ("setup at autarky labor", _raw(production={"kind": "power_with_setup", "setup": [[0.1] * 9, [0.2] + [0.1] * 8]}),
     "production.setup[1][0]", "Assumption 2"),
    ("ramp 1", _raw(production={"kind": "barrier", "setup": S9, "ramp": 1.0}), "production.ramp", "> 1"),
    ("ramp without barrier", _raw(production={"kind": "power_with_setup", "setup": S9, "ramp": 2.0}), "production.ramp", "barrier"),
    ("setup with power", _raw(production={"kind": "power", "setup": S9}), "production.setup", "only with"),
    ("unknown key", _raw(production={"kind": "barrier", "setup": S9, "rampe": 2.0}), "production.rampe", "unknown key"),
    ("exponent below 1", _raw(exponent=[0.9] + [1.5] * 8, production={"kind": "power_with_setup", "setup": S9}),
     "exponent[0]", ">= 1"),
    ("exponent 1 without set-up", _raw(exponent=[1.0] + [1.5] * 8,
                                       production={"kind": "power_with_setup", "setup": [[0.0] + [0.1] * 8, S9[1]]}),
     "exponent[0]", "set-up interval"),
    ("exponent 1 with a barrier", _raw(exponent=[1.0] + [1.5] * 8, production={"kind": "barrier", "setup": S9}),
     "exponent[0]", "> 1"),
]


@pytest.mark.parametrize("label,doc,field,reason", BAD, ids=[c[0] for c in BAD])
def test_bad_production_one_line_exit_2(label, doc, field, reason, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as info:
        load_instance(path)
    assert info.value.field == field and reason in info.value.reason
    if label not in ("unknown kind", "unknown key"):        # pydantic's own checks are not FieldErrors
        with pytest.raises(FieldError) as raw_info:
            GomoryInstance.model_validate(doc)
        assert raw_info.value.field == field
    code = main(["gomory", "equilibria", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and field in err and "Traceback" not in err


def test_python_arrays_check_setup(power):
    with pytest.raises(ArgumentError, match=r"production.setup\[1\]\[0\]"):
        power.replace(production=Production("power_with_setup", np.full((2, 9), 0.2)))
    with pytest.raises(ArgumentError, match="production.ramp"):
        Production("barrier", np.zeros((2, 9)), ramp=0.5)
    with pytest.raises(ArgumentError, match="production.kind"):
        Production("cobb")


def test_log_output_and_elasticity_against_plain_formulas(power):
    rng = np.random.default_rng(3)
    s = rng.uniform(0.0, 0.9, (2, 9)) * power.d * power.L[:, None]
    l = rng.uniform(0.0, 3.0, (50, 9)) * (power.d * power.L[:, None])[1]      # around country 2's d L
    for kind, f, eps in (
        ("power_with_setup", lambda l, e, a, s, dL: e * np.maximum(0, l - s) ** a, lambda l, a, s, dL: a * l / (l - s)),
        ("barrier", lambda l, e, a, s, dL: np.where(l >= dL, e * l ** a, np.where(l > s, e * dL ** a * ((l - s) / (dL - s)) ** 2, 0.0)),
         lambda l, a, s, dL: np.where(l >= dL, a, 2 * l / (l - s))),
    ):
        data = power.replace(production=Production(kind, s))
        e, a, dL = data.e[1], data.alpha[1], data.d[1] * data.L[1]
        with np.errstate(divide="ignore"):
            expected = np.log(f(l, e, a, s[1], dL))
        got = log_output(data, 1, np.log(l))
        assert np.array_equal(np.isinf(got), np.isinf(expected))
        assert np.allclose(got[np.isfinite(got)], expected[np.isfinite(expected)], rtol=1e-13, atol=1e-13)
        pos = l > s[1]
        assert np.allclose(elasticity(data, 1, np.log(l))[pos], eps(l, a, s[1], dL)[pos], rtol=1e-12)


def test_zero_setup_is_power(power):
    zero = power.replace(production=Production("power_with_setup", np.zeros((2, 9))))
    assert np.array_equal(autarky_log_utilities(zero), autarky_log_utilities(power))
    kp, kz = knapsack_data(power, GRID), knapsack_data(zero, GRID)
    assert np.array_equal(kp.c, kz.c) and np.array_equal(kp.constant, kz.constant)
    assert np.array_equal(boundary_B_greedy(power, GRID)[0], boundary_B_greedy(zero, GRID)[0])
    assert np.array_equal(boundary_B1_dp(power, GRID[::6]), boundary_B1_dp(zero, GRID[::6]))
    assert ricardo(power).ricardo_level == ricardo(zero).ricardo_level
    # specialized equilibria: the direct sums of both kinds bit for bit; the O(1) kernel (power) to a few ulps
    X = pattern_bits(np.arange(1, 511), 9)
    a, b = evaluate_patterns(power, X, direct=True), evaluate_patterns(zero, X)
    for f in ("Y", "w_ratio", "u1", "u2"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    kernel = all_specialized(power)
    assert np.array_equal(kernel.codes, b.codes)
    assert np.max(np.abs(kernel.u1 - b.u1)) <= 1e-14 and np.max(np.abs(kernel.u2 - b.u2)) <= 1e-14
    # mixed equilibria (1 and 2 shared goods): the general share solver against the closed form,
    # both refined to |d logit Y| <= 1e-14 (trade_opt.gomory.mixed.brackets.ROOT_XTOL)
    owner = np.vstack(list(mixed_patterns(9, 2, 1 << 13)))
    p, z = pattern_roots(power, owner), pattern_roots(zero, owner)
    assert np.array_equal(p.roots_per_pattern, z.roots_per_pattern)
    assert np.max(np.abs(p.Y - z.Y)) <= 1e-14 and np.max(np.abs(p.u1 - z.u1)) <= 1e-13
    assert np.max(np.abs(p.stability - z.stability) / np.abs(p.stability)) <= 1e-11


def test_observation_barrier_equals_power_for_specialized_and_boundaries(power, barrier):
    X = pattern_bits(np.arange(1, 511), 9)
    a, b = evaluate_patterns(power, X, direct=True), evaluate_patterns(barrier, X, direct=True)
    assert len(a) == 510
    for f in ("Y", "w_ratio", "u1", "u2", "trade_residual", "labor_residual"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    ka, kb = all_specialized(power), all_specialized(barrier)
    assert np.array_equal(ka.u1, kb.u1) and np.array_equal(ka.u2, kb.u2)
    assert np.array_equal(autarky_log_utilities(power), autarky_log_utilities(barrier))
    # why: a sole producer of good i in country j uses V_i L_j / N_j >= d_ij L_j
    Y = a.Y[:, None]
    V = power.d[0] * Y + power.d[1] * (1 - Y)
    assert np.all(np.where(X, V * power.L[1] / (1 - Y) / (power.d[1] * power.L[1]), V * power.L[0] / Y / (power.d[0] * power.L[0])) >= 1)
    assert np.array_equal(boundary_B_greedy(power, GRID)[0], boundary_B_greedy(barrier, GRID)[0])
    assert np.array_equal(boundary_B1_dp(power, GRID), boundary_B1_dp(barrier, GRID))
    pa, pb = BoundarySolver(power, ("dp", "mip")).at(0.6), BoundarySolver(barrier, ("dp", "mip")).at(0.6)
    assert pa.B1_mip == pb.B1_mip and pa.x_B1_mip == pb.x_B1_mip


def _fd_stability(data, owner, x, Y_root, step=1e-7):
    """Largest real eigenvalue of dH_S/dx_S along the trade equation by central differences."""
    S = np.flatnonzero(owner == SHARED)
    goods = np.arange(data.n)

    def H(xs):
        xx = np.where(owner == OWNER_2, 1.0, 0.0)
        xx[S] = xs
        Yv = float(specialized_Y(data, xx[None])[0])
        V = data.d[0] * Yv + data.d[1] * (1 - Yv)
        z = np.log(xx[S]) - np.log1p(-xx[S])
        return log_cost_gap(data, goods[S], z, np.log(Yv), np.log1p(-Yv), np.log(V[S]))

    J = np.empty((len(S), len(S)))
    for k, i in enumerate(S):
        h = step * min(x[i], 1 - x[i])
        up, down = x[S].copy(), x[S].copy()
        up[k] += h
        down[k] -= h
        J[:, k] = (H(up) - H(down)) / (2 * h)
    return np.linalg.eigvals(J).real.max()


def test_barrier_changes_mixed_stability_as_the_jacobian_says(power, barrier):
    owner = np.vstack(list(mixed_patterns(9, 2, 1 << 13)))
    p, b = pattern_roots(power, owner), pattern_roots(barrier, owner)
    assert np.all(b.roots_per_pattern >= 1) and np.all(np.isfinite(b.stability))
    # roots paired by pattern and rank where both kinds have the same number of roots
    same = p.roots_per_pattern[p.pattern_index] == b.roots_per_pattern[p.pattern_index]
    key_p = p.pattern_index[same] * 8 + p.root[same]
    key_b = b.pattern_index * 8 + b.root
    order = np.searchsorted(key_b, key_p)
    assert np.array_equal(key_b[order], key_p)
    changed = np.sign(p.stability[same]) != np.sign(b.stability[order])
    # the analytic stability (output elasticities in the Jacobian) against finite differences
    rng = np.random.default_rng(7)
    for data, me in ((power, p), (barrier, b)):
        for r in rng.choice(len(me), 40, replace=False):
            fd = _fd_stability(data, me.owner[r], me.x[r], me.Y[r])
            assert fd == pytest.approx(me.stability[r], rel=1e-5), (data.production.kind, r)
    # the count of changed classifications, recomputed from finite-difference Jacobians
    fd_changed = sum(np.sign(_fd_stability(power, p.owner[i], p.x[i], p.Y[i])) != np.sign(_fd_stability(barrier, b.owner[j], b.x[j], b.Y[j]))
                     for i, j in zip(np.flatnonzero(same)[changed], order[changed]))
    assert fd_changed == int(changed.sum())
    assert np.any(p.stability[same] != b.stability[order])      # the barrier moves the mixed equilibria


@pytest.mark.parametrize("name", ["power", "setup", "barrier"])
def test_theorem1_census_every_kind(name, request):
    data = request.getfixturevalue(name)
    batch = all_specialized(data)
    assert len(batch) == pattern_count(data.n) == 2 ** data.n - 2
    assert np.all((batch.Y > 0) & (batch.Y < 1)) and np.all(np.isfinite(batch.u1)) and np.all(np.isfinite(batch.u2))
    assert np.max(np.abs(batch.trade_residual)) <= 1e-14 and np.max(np.abs(batch.labor_residual)) <= 1e-13
    owner = np.vstack(list(mixed_patterns(data.n, 1, 1 << 13)))
    assert np.all(pattern_roots(data, owner).roots_per_pattern >= 1)    # Theorem 1 for one shared good too


def _market_clearing(data, x):
    """Specialized equilibrium of pattern x solved directly (scipy root): wages w_1, w_2 and the
    labor of each industry from value of demand = wage bill (Eq. 1), country 1's labor constraint
    and N_1 + N_2 = 1; then plain-arithmetic quantities f = e (l - s)^alpha and utilities."""
    d1, d2 = data.d
    L1, L2 = data.L
    owner = x.astype(int)

    def eqs(v):
        w1, w2, l = v[0], v[1], v[2:]
        wage = np.where(owner == 1, w2, w1)
        return np.concatenate([d1 * w1 * L1 + d2 * w2 * L2 - wage * l,
                               [l[owner == 0].sum() - L1, w1 * L1 + w2 * L2 - 1.0]])

    sol = scipy.optimize.root(eqs, np.concatenate([[0.5 / L1, 0.5 / L2], (d1 * L1 + d2 * L2) / 2]), tol=1e-13)
    assert np.max(np.abs(eqs(sol.x))) <= 1e-14
    w1, w2, l = sol.x[0], sol.x[1], sol.x[2:]
    e = np.where(owner == 1, data.e[1], data.e[0])
    a = np.where(owner == 1, data.alpha[1], data.alpha[0])
    s = np.where(owner == 1, data.production.setup[1], data.production.setup[0])
    Q = e * (l - s) ** a
    price = np.where(owner == 1, w2, w1) * l / Q
    N1, N2 = w1 * L1, w2 * L2
    return N1, np.sum(d1 * np.log(d1 * N1 / price)), np.sum(d2 * np.log(d2 * N2 / price))


def test_setup_specialized_equilibria_agree_with_direct_market_clearing(setup):
    batch = all_specialized(setup)
    for code in (1, 17, 170, 341, 509):
        k = int(np.flatnonzero(batch.codes == code)[0])
        Y, u1, u2 = _market_clearing(setup, batch.X[k])
        assert batch.Y[k] == pytest.approx(Y, abs=1e-12)
        assert batch.u1[k] == pytest.approx(u1, abs=1e-10) and batch.u2[k] == pytest.approx(u2, abs=1e-10)


def test_ricardo_with_a_setup_interval_alpha_one(tmp_path):
    """The paper's Ricardo case preceded by an interval of zero output: alpha = 1, s > 0."""
    doc = _raw(exponent=[1.0] * 9, production={"kind": "power_with_setup", "setup": S9})
    data = GomoryInstance.model_validate(doc).data()
    batch = all_specialized(data)
    assert len(batch) == 510
    Y, u1, u2 = _market_clearing(data, batch.X[100])
    assert batch.u1[100] == pytest.approx(u1, abs=1e-10) and batch.Y[100] == pytest.approx(Y, abs=1e-12)


def test_setup_b1_dp_equals_mip_and_bounds_the_equilibria(setup):
    solver = BoundarySolver(setup, ("greedy", "lp", "dp", "mip"))
    batch = all_specialized(setup)
    for Y in GRID[::4]:
        pt = solver.at(float(Y))
        assert abs(pt.B1_dp - pt.B1_mip) <= 1e-9 and abs(pt.B_greedy - pt.B_lp) <= 1e-9
        assert pt.B1_dp <= pt.B_greedy + 1e-12
    # Theorem 3 at each equilibrium's own Y (B1 by the exact DP)
    pick = np.arange(0, len(batch), 17)
    assert np.all(batch.u1[pick] <= boundary_B1_dp(setup, batch.Y[pick]) + 1e-10)


def test_setup_mixed_equilibria_residuals(setup):
    owner = np.vstack(list(mixed_patterns(9, 3, 1 << 14)))
    me = pattern_roots(setup, owner)
    assert np.all(me.roots_per_pattern >= 1)
    # Eq. 2 and Eq. 1.1 in plain arithmetic: sum_i x_i V_i = 1 - Y, equal average cost w_j l_ij / f_ij(l_ij)
    Y = me.Y[:, None]
    V = setup.d[0] * Y + setup.d[1] * (1 - Y)
    assert np.max(np.abs((me.x * V).sum(axis=1) - (1 - me.Y))) <= 1e-12
    shared = me.owner == SHARED
    l1 = (1 - me.x) * V * setup.L[0] / Y
    l2 = me.x * V * setup.L[1] / (1 - Y)
    with np.errstate(divide="ignore", invalid="ignore"):
        ac1 = (Y / setup.L[0]) * l1 / (setup.e[0] * (l1 - setup.production.setup[0]) ** setup.alpha[0])
        ac2 = ((1 - Y) / setup.L[1]) * l2 / (setup.e[1] * (l2 - setup.production.setup[1]) ** setup.alpha[1])
        gap = np.abs(np.log(ac1) - np.log(ac2))[shared]
    assert np.all(np.isfinite(gap)) and gap.max() <= 1e-12
    assert np.all(l1[shared] > setup.production.setup[0][np.nonzero(shared)[1]])   # both producers past set-up


def test_equilibria_json_contract_and_job_summary(tmp_path, capsys):
    assert main(["gomory", "equilibria", str(SETUP), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] == 510 and all({"x", "Y", "u1", "u2"} <= set(e) for e in doc["equilibria"])
    assert main(["gomory", "equilibria", str(SETUP), "--out", str(tmp_path / "e")]) == 2   # the kernel path refuses
    assert "production.kind" in capsys.readouterr().err
    from trade_opt.gomory.job import run_job

    small = GomoryInstance.model_validate({
        "model": "gomory", "name": "small_setup", "labor": [2.0, 1.0],
        "demand": [[0.3, 0.3, 0.4], [0.2, 0.5, 0.3]], "efficiency": [[1.0, 0.8, 1.2], [0.9, 1.1, 1.0]],
        "exponent": [1.0, 1.4, 1.8], "production": {"kind": "power_with_setup", "setup": [[0.1, 0.1, 0.1], [0.05, 0.1, 0.05]]}})
    summary = run_job(small, tmp_path / "job", grid_points=11)
    assert summary["production"]["kind"] == "power_with_setup" and summary["status"] == "ok"
    assert summary["count"] == 6 and summary["theorem3"]["violations"] == 0


def test_barrier_raises_the_entry_thresholds_of_specialized_equilibria(power, barrier):
    """"What has changed is the stability of the specialized solutions … a strong barrier to entry":
    the labor I_i below which a nonproducer loses money by entering, power vs barrier, all 510 x 9."""
    from trade_opt.gomory.equilibria import equilibrium_detail
    from trade_opt.gomory.observations import entry_thresholds

    X = pattern_bits(np.arange(1, 511), 9)
    cols = np.arange(9)
    raised = 0
    for x in X[::10]:
        log_p, log_b = entry_thresholds(power, x), entry_thresholds(barrier, x)
        assert np.all(log_b >= log_p - 1e-12)                 # ramp 3 >= alpha: f' <= f below d L, entry never easier
        raised += int(np.sum(log_b > log_p + 1e-9))
        det = equilibrium_detail(barrier, x)
        o = np.where(x, 0, 1)
        s, dL = barrier.production.setup[o, cols], barrier.d[o, cols] * barrier.L[o]
        e, a = barrier.e[o, cols], barrier.alpha[o, cols]
        for factor, sign in ((0.99, -1), (1.01, 1)):          # profit of the barrier entrant, plain arithmetic
            l = factor * np.exp(log_b)
            f = np.where(l >= dL, e * l ** a, np.where(l > s, e * dL ** a * ((l - s) / (dL - s)) ** 3, 0.0))
            assert np.all(np.sign(det.price * f - det.wages[o] * l) == sign)
    assert raised > 0
