"""The trade_opt.mcp API: statuses, fields, starts, distinct solutions, residual, errors, baseline."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import trade_opt  # noqa: F401  (sets PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo
from pyomo.common.collections import ComponentMap
from pyomo.mpec import Complementarity, complements

import trade_opt.mcp.reformulate as reformulate
from trade_opt.errors import SolverUnavailableError, TradeOptError
from trade_opt.mcp import MCPResult, MCPSolution, complementarity_pairs, natural_residual, solve
from trade_opt.mcp.baseline import solve_fb_scipy
from trade_opt.outputs import to_jsonable

KS_A, KS_B = (1.0, 0.0, 3.0, 0.0), (math.sqrt(6.0) / 2.0, 0.0, 0.0, 0.5)


def josephy_F(x):
    """Josephy's NCP function and its Jacobian, by hand in numpy (independent of Pyomo)."""
    x1, x2, x3, x4 = x
    F = np.array([3 * x1**2 + 2 * x1 * x2 + 2 * x2**2 + x3 + 3 * x4 - 6,
                  2 * x1**2 + x1 + x2**2 + 3 * x3 + 2 * x4 - 2,
                  3 * x1**2 + x1 * x2 + 2 * x2**2 + 2 * x3 + 3 * x4 - 1,
                  x1**2 + 3 * x2**2 + 2 * x3 + 3 * x4 - 3])
    J = np.array([[6 * x1 + 2 * x2, 2 * x1 + 4 * x2, 1, 3],
                  [4 * x1 + 1, 2 * x2, 3, 2],
                  [6 * x1 + x2, x1 + 4 * x2, 2, 3],
                  [2 * x1, 6 * x2, 2, 3]])
    return F, J


def ncp_model(kind="josephy", x0=(1.0, 1.0, 1.0, 1.0)):
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(4)
    m.x = pyo.Var(m.I, initialize=dict(zip(range(1, 5), x0)))
    x = m.x
    c2, c3, c4, d4 = (3, 2, 3, 1) if kind == "josephy" else (10, 2, 9, 9)
    F = [3 * x[1] ** 2 + 2 * x[1] * x[2] + 2 * x[2] ** 2 + x[3] + 3 * x[4] - 6,
         2 * x[1] ** 2 + x[1] + x[2] ** 2 + c2 * x[3] + 2 * x[4] - 2,
         3 * x[1] ** 2 + x[1] * x[2] + 2 * x[2] ** 2 + c3 * x[3] + c4 * x[4] - d4,
         x[1] ** 2 + 3 * x[2] ** 2 + 2 * x[3] + 3 * x[4] - 3]
    m.cc = Complementarity(m.I, rule=lambda m, i: complements(m.x[i] >= 0, F[i - 1] >= 0))
    return m


def infeasible_model():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.5)
    m.c = Complementarity(expr=complements(m.x >= 0, -1.0 + 0 * m.x >= 0))
    return m


def mixed_forms_model():
    """Upper, box, free-pair, slack (two expressions) forms and a free variable with an equality.

    Solution: y = 3 (at its upper bound, F = y - 5 = -2), w = 1 (box [0, 1] at its upper bound,
    F = w - 2 = -1), z = 2 (free, z - 2 == 0), u = v = 2/3 (u + v - 1 >= 0 perp u - v >= 0 with
    u + 2 v == 2: the case u + v = 1 would need v = 1, u = 0, u - v < 0, so u = v), t = 4 (free
    variable of the equality t == z + 2).
    """
    m = pyo.ConcreteModel()
    m.y = pyo.Var(initialize=0.0)
    m.w = pyo.Var(initialize=0.5)
    m.z = pyo.Var(initialize=0.0)
    m.u = pyo.Var(initialize=0.0)
    m.v = pyo.Var(initialize=0.0)
    m.t = pyo.Var(initialize=0.0)
    m.c_upper = Complementarity(expr=complements(m.y <= 3, m.y - 5 <= 0))
    m.c_box = Complementarity(expr=complements(pyo.inequality(0, m.w, 1), m.w - 2))
    m.c_free = Complementarity(expr=complements(m.z, m.z - 2 == 0))
    m.c_slack = Complementarity(expr=complements(m.u + m.v - 1 >= 0, m.u - m.v >= 0))
    m.e1 = pyo.Constraint(expr=m.u + 2 * m.v == 2)
    m.e2 = pyo.Constraint(expr=m.t == m.z + 2)
    return m


def test_failed_status_on_mcp_without_solution():
    m = infeasible_model()
    result = solve(m)
    assert result.status == "failed" and not result.ok
    assert result.residual >= 0.99  # min(x, -1) = -1 wherever x >= 0
    assert result.solutions == []
    assert m.x.value == 0.5  # a failed solve leaves the model's values alone
    assert "failed" in result.message and "\n" not in result.message


def test_result_fields_and_json():
    m = ncp_model("josephy")
    result = solve(m)
    assert isinstance(result, MCPResult) and result.ok and result.status == "solved"
    assert set(result.iterations) == {"ipopt", "newton", "ipopt_solves", "starts"}
    assert result.seconds > 0 and result.residual <= 1e-10
    assert result.active_set == ["x[2]", "x[3]"]
    assert set(result.values) == {f"x[{i}]" for i in range(1, 5)}
    assert all(isinstance(s, MCPSolution) for s in result.solutions) and len(result.solutions) == 1
    for name, value in result.values.items():
        assert m.find_component(name).value == value  # loaded into the model
    text = json.dumps(to_jsonable(result))
    assert "active_set" in text and "solutions" in text
    assert [p.var.name for p in complementarity_pairs(m)] == [f"x[{i}]" for i in range(1, 5)]
    assert all(p.lb == 0.0 and p.ub == math.inf for p in complementarity_pairs(m))


def test_starts_by_name_by_var_and_distinct_solutions():
    m = ncp_model("kojima")
    near_a = {"x[1]": 1.05, "x[2]": 0.05, "x[3]": 2.9, "x[4]": 0.05}
    near_b = ComponentMap([(m.x[1], 1.2), (m.x[2], 0.05), (m.x[3], 0.05), (m.x[4], 0.55)])
    result = solve(m, starts=[near_a, near_b, dict(near_a), [("x[3]", 2.8)]], warm_polish=False)
    assert result.iterations["starts"] == 4
    assert len(result.solutions) == 2  # four starts, two distinct solutions
    assert [s.start for s in result.solutions] == [0, 1]
    np.testing.assert_allclose(list(result.solutions[0].values.values()), KS_A, atol=1e-8)
    np.testing.assert_allclose(list(result.solutions[1].values.values()), KS_B, atol=1e-8)
    # max_starts keeps only the first start
    assert len(solve(ncp_model("kojima"), starts=[near_a, near_b], max_starts=1).solutions) == 1
    with pytest.raises(TradeOptError, match="unknown variable"):
        solve(ncp_model("kojima"), starts=[{"nope[1]": 1.0}])


def test_select_and_stability_hook():
    m = ncp_model("kojima")
    starts = [{"x[1]": 1.05, "x[2]": 0.0, "x[3]": 2.9, "x[4]": 0.0},
              {"x[1]": 1.2, "x[2]": 0.0, "x[3]": 0.0, "x[4]": 0.55}]
    hook = lambda model: -pyo.value(model.x[4])  # noqa: E731 - any scalar of the loaded solution
    result = solve(m, starts=starts, stability=hook, select=lambda sols: min(sols, key=lambda s: s.stability))
    assert [s.stability for s in result.solutions] == pytest.approx([0.0, -0.5], abs=1e-8)
    assert m.x[4].value == pytest.approx(0.5)  # select chose the second solution and loaded it
    generic = solve(ncp_model("kojima"), starts=starts)
    assert all(s.stability is not None and np.isfinite(s.stability) for s in generic.solutions)


def test_natural_residual_by_hand():
    x = np.array([0.7, 0.2, 0.0, 1.3])
    m = ncp_model("josephy", x0=tuple(x))
    F, J = josephy_F(x)
    scales = np.maximum(1.0, np.abs(J).max(axis=1))
    by_hand = np.max(np.abs(np.minimum(x, F / scales)))
    assert natural_residual(m) == pytest.approx(by_hand, rel=1e-12)
    user = {"x[1]": 2.0, "cc[2]": 1.0, "x[3]": 1.0, "x[4]": 1.0}
    by_hand_user = np.max(np.abs(np.minimum(x, F / np.array([2.0, 1.0, 1.0, 1.0]))))
    assert natural_residual(m, scaling=user) == pytest.approx(by_hand_user, rel=1e-12)


def test_mixed_forms_and_warm_start():
    m = mixed_forms_model()
    result = solve(m, warm_polish=False)
    assert result.ok, result.message
    expected = {"y": 3.0, "w": 1.0, "z": 2.0, "u": 2 / 3, "v": 2 / 3, "t": 4.0}
    for name, value in expected.items():
        assert result.values[name] == pytest.approx(value, abs=1e-9)
    assert set(result.active_set) == {"y", "w"}
    again = solve(m)  # warm start at the solution: Newton alone, no Ipopt
    assert again.ok and again.iterations["ipopt"] == 0
    assert natural_residual(m) <= 1e-10


def test_errors_not_square_unsupported_and_no_ipopt(monkeypatch):
    m = ncp_model("josephy")
    m.extra = pyo.Var(initialize=1.0)
    m.eq = pyo.Constraint(expr=m.extra + m.x[1] == 1)
    m.eq2 = pyo.Constraint(expr=m.extra - m.x[2] == 3)
    with pytest.raises(TradeOptError, match="not square"):
        solve(m)
    bad = pyo.ConcreteModel()
    bad.x = pyo.Var()
    bad.c = Complementarity(expr=complements(bad.x, bad.x - 1 >= 0))
    with pytest.raises(TradeOptError, match="free variable paired with an inequality"):
        solve(bad)
    # Ipopt is required only once the relaxation phase runs (warm_polish=False: at once)
    monkeypatch.setattr(reformulate, "ipopt_available", lambda: (False, "cyipopt missing; run `bash scripts/setup.sh`"))
    with pytest.raises(SolverUnavailableError, match="relaxation phase: cyipopt missing; run `bash scripts/setup.sh`"):
        solve(ncp_model("josephy"), warm_polish=False)


def test_fb_scipy_baseline_on_josephy():
    m = ncp_model("josephy", x0=(1.0, 0.5, 0.5, 0.5))
    result = solve_fb_scipy(m)
    assert result.status in ("solved", "solved_loose")
    assert result.residual <= 1e-6
    np.testing.assert_allclose([m.x[i].value for i in m.I], KS_B, atol=1e-6)
    assert result.iterations["function_evaluations"] > 0
    assert result.iterations["ipopt"] == 0 and result.iterations["newton"] == 0


def test_solve_leaves_the_floating_point_environment_as_it_found_it():
    """The AMPL Solver Library sets the x87 FPU to 53-bit precision when it reads a model; that
    changed later LAPACK results (eigvals) in the caller's process.  mcp.solve restores the control
    words (x87 control word and MXCSR's control bits; the sticky flags may differ)."""
    import ctypes

    import pyomo.environ as pyo
    from pyomo.mpec import Complementarity, complements

    from trade_opt import mcp
    from trade_opt.fpenv import _FENV_BYTES, _LIBC

    if _LIBC is None:
        pytest.skip("no fegetenv in this C library")

    def controls() -> tuple[bytes, int]:
        env = ctypes.create_string_buffer(_FENV_BYTES)
        _LIBC.fegetenv(env)
        return env.raw[:2], int.from_bytes(env.raw[28:32], "little") & ~0x3F   # x87 CW, MXCSR without flags

    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None), initialize=1.0)
    m.c = Complementarity(expr=complements(m.x >= 0, m.x ** 2 - 2 * m.x + 0.5 >= 0))
    before = controls()
    assert mcp.solve(m).status == "solved"
    assert controls() == before
