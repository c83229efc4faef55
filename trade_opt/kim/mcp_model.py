"""Free entry as a mixed complementarity problem, written in Pyomo (models/kim_location.md, 'Free entry as an MCP').

Unknowns: scaled firm numbers ``xt[t, k] = x[t, k] / xbar[t]`` for the tiers t = A1, A2, F, S
(4J values, all >= 0), each complementary to the dimensionless loss of a firm,
``G[t, k] = -Pi_t(k) / (W(k) f_t) >= 0``:  ``complements(xt >= 0, G >= 0)``.

Wages and incomes are divided by Wbar = mean(W) inside the model; G is homogeneous of degree zero
in (W, I) (models/kim_location.md, 'Free entry as an MCP'), so nothing else changes.  Two formulations:

* ``"log"`` (default): free variables for the log price indices ln N_S(j) (21), ln N_F(k) (16),
  ln D_h(g) (11) and for the scaled revenues v_t(k) = (1 - markup share) x revenue / (W f), each
  paired with its defining equation (written as a share sum equal to 1 for the indices, so every
  equation is O(1)).  Marginal costs and prices are linear in the log indices (16), (19), (21),
  (24), (25) and enter only through exp(.) of linear expressions.  Sparse: O(J^2) non-zeros.
* ``"reduced"``: the same quantities as Pyomo Expressions (prices are functions of xt; no free
  variables).  Dense nested expressions; fine for small J.

In both, G_t(k) = 1 - v_t(k), where v_t(k) is revenue over the break-even revenue W f/(1 - mu),
W f/(1 - eta), W f/(1 - rho) (profits (29), (27), (26)).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from trade_opt import _config  # noqa: F401  (PYOMO_CONFIG_DIR before pyomo)
import pyomo.environ as pyo
from pyomo.mpec import Complementarity, complements

from trade_opt.kim.instance import KimData
from trade_opt.kim.model import TIERS, chain, cobb_douglas_constant
from trade_opt.errors import ArgumentError

FORMULATIONS = ("log", "reduced")


def reference_totals(data: KimData) -> np.ndarray:
    """Reference totals xbar = (mbar_1, mbar_2, nbar, rbar) of models/kim_location.md, 'Free entry as an MCP'.

    Free-entry totals at T = 1 with every wage at Wbar = mean(W):
    mbar_h = (1-mu_h) alpha_h sum I/(Wbar f_AL), nbar = (1-eta) E_F/(Wbar f_FL),
    rbar = (1-rho) delta eta E_F/(Wbar f_SL), E_F = sum_h beta_h mu_h alpha_h sum I.

    Parameters
    ----------
    data : KimData
        The instance arrays.

    Returns
    -------
    numpy.ndarray
        Shape (4,), numbers of firms of the tiers A1, A2, F, S.
    """
    Wbar, total_I = float(np.mean(data.W)), float(np.sum(data.I))
    spend_A = data.alpha * total_I
    E_F = float(np.sum(data.beta * data.mu * spend_A))
    return np.array([
        (1 - data.mu[0]) * spend_A[0] / (Wbar * data.f_A[0]),
        (1 - data.mu[1]) * spend_A[1] / (Wbar * data.f_A[1]),
        (1 - data.eta) * E_F / (Wbar * data.f_F),
        (1 - data.rho) * data.delta * data.eta * E_F / (Wbar * data.f_S),
    ])


@dataclass(frozen=True, eq=False)
class KimMCP:
    """A built Pyomo model and what is needed to read it: ``model.xt[t, k]`` (t = 0..3 tiers)."""

    model: pyo.ConcreteModel
    data: KimData
    xbar: np.ndarray
    formulation: str

    def xt_vars(self) -> list:
        """The 4J complementarity variables in tier-major order (A1, A2, F, S; regions).

        Returns
        -------
        list
            Pyomo VarData ``model.xt[t, k]``.
        """
        J = self.data.J
        return [self.model.xt[t, k] for t in range(4) for k in range(J)]

    def read_xt(self, values: dict | None = None) -> np.ndarray:
        """Scaled firm numbers from a solution dict or the model.

        Parameters
        ----------
        values : dict, optional
            Solution keyed by Var names or Var data (e.g. ``MCPResult.values`` or a ComponentMap);
            None: the model's current values.

        Returns
        -------
        numpy.ndarray
            xt = x / xbar, shape (4, J).
        """
        J = self.data.J
        out = np.empty((4, J))
        for t in range(4):
            for k in range(J):
                var = self.model.xt[t, k]
                if values is None:
                    out[t, k] = pyo.value(var)
                elif var.name in values:
                    out[t, k] = values[var.name]
                else:  # a ComponentMap keyed by Var data
                    out[t, k] = values[var]
        return out

    def start(self, xt: np.ndarray) -> dict:
        """A start dict (Var names -> values) for :func:`trade_opt.mcp.solve`: xt and every free variable.

        Free variables (log formulation) are computed by the numpy chain at ``xt * xbar`` so the
        defining equations hold exactly at the start.

        Parameters
        ----------
        xt : numpy.ndarray
            Scaled firm numbers, shape (4, J).

        Returns
        -------
        dict of str to float
            Start values by Var name.
        """
        xt = np.asarray(xt, float)
        start = {self.model.xt[t, k].name: float(xt[t, k]) for t in range(4) for k in range(self.data.J)}
        if self.formulation == "log":
            start.update(_free_start(self, xt))
        return start


def _free_start(mcp: KimMCP, xt: np.ndarray) -> dict:
    data, m = mcp.data, mcp.model
    x = np.maximum(xt, 1e-13) * mcp.xbar[:, None]
    state = chain(_normalized(data), x[:2], x[2], x[3])
    v = state.revenue * _markup_share(data)[:, None] / _break_even(data)
    out = {}
    for k in range(data.J):
        out[m.lnNS[k].name] = float(state.lnN_S[k])
        out[m.lnNF[k].name] = float(state.lnN_F[k])
        out[m.vF[k].name] = float(v[2, k])
        out[m.vS[k].name] = float(v[3, k])
        for h in range(2):
            out[m.lnD[h, k].name] = float(state.lnD[h, k])
            out[m.vA[h, k].name] = float(v[h, k])
    return out


def _normalized(data: KimData) -> KimData:
    """W and I divided by Wbar (G is unchanged, models/kim_location.md, 'Free entry as an MCP')."""
    Wbar = float(np.mean(data.W))
    return data.replace(W=data.W / Wbar, I=data.I / Wbar)


def _markup_share(data: KimData) -> np.ndarray:
    """(4,) share of revenue left after variable cost: 1-mu_h, 1-eta, 1-rho."""
    return np.array([1 - data.mu[0], 1 - data.mu[1], 1 - data.eta, 1 - data.rho])


def _break_even(data: KimData) -> np.ndarray:
    """(4, J) fixed cost W f per firm in Wbar units."""
    return (data.W / np.mean(data.W))[None] * data.fixed_labour[:, None]


def build_mcp_model(data: KimData, formulation: str = "log") -> KimMCP:
    """The free-entry MCP of models/kim_location.md ('Free entry as an MCP') as a Pyomo ConcreteModel.

    Parameters
    ----------
    data : KimData
        Instance arrays (any J, any markup matrices).
    formulation : {"log", "reduced"}
        ``"log"`` (free log-index and revenue variables with their equations) or ``"reduced"``
        (prices as expressions of xt).

    Returns
    -------
    KimMCP
        Holds the model; ``model.entry[t, k]`` is ``complements(xt >= 0, 1 - v >= 0)``.

    Raises
    ------
    ValueError
        If ``formulation`` is not one of :data:`FORMULATIONS`.
    """
    if formulation not in FORMULATIONS:
        raise ArgumentError("formulation", f"must be one of {FORMULATIONS}, got {formulation!r}")
    d = _normalized(data)
    J, xbar = d.J, reference_totals(data)
    theta, eps, delta, eta, rho = d.theta, d.eps, d.delta, d.eta, d.rho
    lnW = np.log(d.W)
    lnTA, lnTF, lnTS = np.log(d.T_A), np.log(d.T_F), np.log(d.T_S)
    lnPS = np.log(d.a_SL / rho) + lnW                                                       # (25)
    share, fixed = _markup_share(d), _break_even(data)

    m = pyo.ConcreteModel(name=f"kim_free_entry_{formulation}")
    m.R = pyo.RangeSet(0, J - 1)
    m.Tiers = pyo.RangeSet(0, 3)
    m.H = pyo.RangeSet(0, 1)
    # bounds, not a NonNegativeReals domain: the layer may load slightly negative relaxation iterates
    m.xt = pyo.Var(m.Tiers, m.R, domain=pyo.Reals, bounds=(0.0, None), initialize=0.5 / J)
    log = formulation == "log"

    # Sub-expressions used by many rows are built once and shared (Pyomo expression trees may share
    # nodes): the same trees as building them afresh, at a fraction of the cost (Kim J = 100:
    # 1.5 million nodes).  Var data are looked up once.
    xt_scaled = {(t, k): float(xbar[t]) * m.xt[t, k] for t in range(4) for k in range(J)}

    def xs(t, k):
        """Number of firms x[t, k] = xbar_t xt[t, k] (a shared expression).

        Parameters
        ----------
        t : int
            Tier (0..3: A1, A2, F, S).
        k : int
            Region index (0-based).

        Returns
        -------
        pyomo expression
        """
        return xt_scaled[t, k]

    def add(name, index, value_rule, equation_rule):
        """A free Var + its defining equation (log) or an Expression (reduced).

        Parameters
        ----------
        name : str
            Component name (the equation is ``def_<name>``).
        index : tuple
            Pyomo index sets.
        value_rule : callable
            ``value_rule(*i)``: the quantity as an expression (reduced formulation).
        equation_rule : callable
            ``equation_rule(var, *i)``: its defining equation (log formulation).

        Returns
        -------
        pyomo component
            The Var or the Expression.
        """
        if log:
            var = pyo.Var(*index, domain=pyo.Reals, initialize=0.0)
            m.add_component(name, var)
            m.add_component(f"def_{name}", pyo.Constraint(*index, rule=lambda mm, *i: equation_rule(var[i if len(i) > 1 else i[0]], *i)))
        else:
            m.add_component(name, pyo.Expression(*index, rule=lambda mm, *i: value_rule(*i)))
        return getattr(m, name)

    def at(component, *index):
        """``component[i]`` for every index tuple of the product of ``index`` ranges, as a dict.

        Parameters
        ----------
        component : pyomo component
            Indexed Var or Expression.
        *index : iterable
            One range per index position.

        Returns
        -------
        dict
            Index (an int for one range, else a tuple) -> component data.
        """
        return {i: component[i] for i in itertools.product(*index)} if len(index) > 1 else \
            {i: component[i] for i in index[0]}

    # N_S(j) = sum_i r(i) [P_S(i) T_S(i, j)]^-theta   (index of eq. 21)
    def ns_terms(j, lnNS_j):
        """Share sum of the supplier index N_S(j) (eq. 21), equal to 1 at the defining equation.

        Parameters
        ----------
        j : int
            Region of the buyer (F firms).
        lnNS_j : pyomo expression
            ln N_S(j).

        Returns
        -------
        pyomo expression
            sum_i r(i) [P_S(i) T_S(i, j)]^-theta / N_S(j).
        """
        return sum(xs(3, i) * pyo.exp(float(-theta * (lnPS[i] + lnTS[i, j])) - lnNS_j) for i in range(J))

    lnNS = at(add("lnNS", (m.R,),
                  lambda j: pyo.log(sum(xs(3, i) * float(np.exp(-theta * (lnPS[i] + lnTS[i, j]))) for i in range(J))),
                  lambda var, j: ns_terms(j, var) == 1.0), range(J))

    lnPF_at = {j: float(np.log(cobb_douglas_constant(delta) / eta) + (1 - delta) * lnW[j]) - delta / theta * lnNS[j]
               for j in range(J)}

    def lnPF(j):                                                                            # (21), (24)
        """ln P_F(j), the intermediate price (eqs. 21, 24).

        Parameters
        ----------
        j : int
            Region index (0-based).

        Returns
        -------
        pyomo expression
        """
        return lnPF_at[j]

    lnNF = at(add("lnNF", (m.R,),
                  lambda k: pyo.log(sum(xs(2, j) * pyo.exp(-eps * (lnPF(j) + float(lnTF[j, k]))) for j in range(J))),
                  lambda var, k: sum(xs(2, j) * pyo.exp(-eps * (lnPF(j) + float(lnTF[j, k])) - var)
                                     for j in range(J)) == 1.0), range(J))

    def lnPA_value(h, k):                                                                   # (16), (19)
        """ln P_A,h(k), the assembly price (eqs. 16, 19).

        Parameters
        ----------
        h : int
            Assembly industry (0 or 1).
        k : int
            Region index (0-based).

        Returns
        -------
        pyomo expression
        """
        beta = float(d.beta[h])
        const = float(np.log(cobb_douglas_constant(beta) / d.mu[h]) + (1 - beta) * lnW[k])
        return const - beta / eps * lnNF[k]

    lnPA_at = {(h, k): lnPA_value(h, k) for h in range(2) for k in range(J)}
    omegas = [float(w) for w in d.omega]

    def lnPA(h, k):
        """ln P_A,h(k), built once (:func:`lnPA_value`).

        Parameters
        ----------
        h : int
            Assembly industry (0 or 1).
        k : int
            Region index (0-based).

        Returns
        -------
        pyomo expression
        """
        return lnPA_at[h, k]

    def omega(h):
        """omega_h, the elasticity of substitution between assemblers of industry h.

        Parameters
        ----------
        h : int
            Assembly industry (0 or 1).

        Returns
        -------
        float
        """
        return omegas[h]

    lnD = at(add("lnD", (m.H, m.R),
                 lambda h, g: pyo.log(sum(xs(h, k) * pyo.exp(-omega(h) * (lnPA(h, k) + float(lnTA[h, k, g]))) for k in range(J))),
                 lambda var, h, g: sum(xs(h, k) * pyo.exp(-omega(h) * (lnPA(h, k) + float(lnTA[h, k, g])) - var)
                                       for k in range(J)) == 1.0), range(2), range(J))

    # v_A = (1-mu) P_A A^D / (W f_AL), with P_A A^D from (11)-(12)
    def vA_value(h, k):
        """v_A,h(k) = (1-mu_h) P_A A^D / (W f_AL), with P_A A^D from (11)-(12).

        Parameters
        ----------
        h : int
            Assembly industry (0 or 1).
        k : int
            Region index (0-based).

        Returns
        -------
        pyomo expression
            Revenue over break-even revenue (dimensionless).
        """
        total = sum(float(d.alpha[h] * d.I[g]) * pyo.exp(-omega(h) * lnPA(h, k) - (omega(h) + 1) * float(lnTA[h, k, g]) - lnD[h, g])
                    for g in range(J))
        return float(share[h] / fixed[h, k]) * total

    vA_component = add("vA", (m.H, m.R), vA_value, lambda var, h, k: var == vA_value(h, k))
    vA = at(vA_component, range(2), range(J))

    def revenue(t, k, v):
        """Revenue of a firm of tier t in region k from its scaled revenue v (in Wbar units).

        Parameters
        ----------
        t : int
            Tier (0..3).
        k : int
            Region index.
        v : pyomo expression
            Revenue over break-even revenue W f/(1 - markup).

        Returns
        -------
        pyomo expression
        """
        return float(fixed[t, k] / share[t]) * v

    # v_F = (1-eta) P_F F^D / (W f_FL), with F^D from (17)-(18): spending beta_h mu_h (revenue of A_h)
    def vF_value(y):
        """v_F(y) = (1-eta) P_F F^D / (W f_FL), with F^D from (17)-(18).

        Parameters
        ----------
        y : int
            Region of the F firm.

        Returns
        -------
        pyomo expression
            Revenue over break-even revenue (dimensionless).
        """
        total = sum(xs(h, k) * float(d.beta[h] * d.mu[h]) * revenue(h, k, vA[h, k])
                    * pyo.exp(-eps * lnPF(y) - (eps + 1) * float(lnTF[y, k]) - lnNF[k])
                    for h in range(2) for k in range(J))
        return float(share[2] / fixed[2, y]) * total

    vF = at(add("vF", (m.R,), vF_value, lambda var, y: var == vF_value(y)), range(J))

    # v_S = (1-rho) P_S S^D / (W f_SL), with S^D from (22)-(23): spending delta eta (revenue of F)
    def vS_value(z):
        """v_S(z) = (1-rho) P_S S^D / (W f_SL), with S^D from (22)-(23).

        Parameters
        ----------
        z : int
            Region of the S firm.

        Returns
        -------
        pyomo expression
            Revenue over break-even revenue (dimensionless).
        """
        total = sum(xs(2, j) * float(delta * eta) * revenue(2, j, vF[j])
                    * pyo.exp(float(-theta * lnPS[z] - (theta + 1) * lnTS[z, j]) - lnNS[j])
                    for j in range(J))
        return float(share[3] / fixed[3, z]) * total

    vS = at(add("vS", (m.R,), vS_value, lambda var, z: var == vS_value(z)), range(J))

    def loss(t, k):
        """G_t(k) = 1 - v_t(k), the dimensionless loss of a firm (profits (29), (27), (26)).

        Parameters
        ----------
        t : int
            Tier (0..3: A1, A2, F, S).
        k : int
            Region index (0-based).

        Returns
        -------
        pyomo expression
        """
        v = vA[t, k] if t < 2 else (vF[k] if t == 2 else vS[k])
        return 1.0 - v

    m.entry = Complementarity(m.Tiers, m.R, rule=lambda mm, t, k: complements(mm.xt[t, k] >= 0, loss(t, k) >= 0))
    return KimMCP(model=m, data=data, xbar=xbar, formulation=formulation)


__all__ = ["TIERS", "KimMCP", "build_mcp_model", "reference_totals"]
