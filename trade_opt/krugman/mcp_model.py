"""The Krugman economies as Pyomo complementarity models (``pyomo.mpec``), solved by :mod:`trade_opt.mcp`.

Normalization: the Northern wage is the numeraire (omega = 1) in both models; the North-South model
has the Southern wage ``w_S`` as a variable (note: fixing w_S = 1 instead admits the no-income point
omega = Y = c = c* = 0).  Variable names (``Y``, ``n``, ``p``, ``c``, ``c_star``, ``w_S``) are the
keys of the ``starts`` dicts and of the returned values.

* :func:`build_closed_model`: pairs (9) ``Y``, (10) ``n``, goods ``p``, budget ``c`` (note, "Closed economy").
* :func:`build_north_south_model`: the six pairs of the note's table (Eqs. 14-16, goods, budget), with
  the balance of trade (14) oriented as "the South's earnings cover its imports" (see
  :func:`trade_opt.krugman.outsourcing.pair_values` for why).
"""
from __future__ import annotations

import logging

import trade_opt  # noqa: F401  (sets PYOMO_CONFIG_DIR before pyomo is imported)

import pyomo.environ as pyo
from pyomo.mpec import Complementarity, complements

from trade_opt.krugman.instance import KrugmanData

log = logging.getLogger(__name__)


def _var(m: pyo.ConcreteModel, name: str, value: float) -> pyo.Var:
    var = pyo.Var(domain=pyo.NonNegativeReals, initialize=value)
    setattr(m, name, var)
    return var


def closed_start(data: KrugmanData) -> dict[str, float]:
    """A generic start of the closed MCP: unit price, unit output per variety, L/alpha/2 firms (not the solution).

    Parameters
    ----------
    data : KrugmanData
        The instance.

    Returns
    -------
    dict of str to float
        Values of ``Y, n, p, c``.
    """
    return {"Y": 1.0, "n": 0.5 * data.L / data.alpha, "p": 1.0, "c": 1.0 / data.L}


def north_south_start(data: KrugmanData, w_S: float = 1.0) -> dict[str, float]:
    """A start of the North-South MCP for a guessed Southern wage ``w_S`` (Northern wage 1).

    Given w_S, five pairs are met at equality: p from (15), Y from (16), c* from (14'), c from the
    goods market, n from the budget; only the balance of trade (14), which pins w_S, is not.
    With w_S = 1 this is the closed economy's allocation at equal wages.  Not the solution.

    Parameters
    ----------
    data : KrugmanData
        The instance.
    w_S : float
        Southern wage in units of the Northern wage.

    Returns
    -------
    dict of str to float
        Values of ``Y, n, p, c, c_star, w_S``.
    """
    mc = ((1.0 - data.z) + data.z * w_S) * data.b_A
    p = mc / data.theta
    Y = data.alpha * data.theta / ((1.0 - data.theta) * mc)
    c = (1.0 - data.mu) * Y / data.L
    return {"Y": Y, "n": 1.0 / (p * c), "p": p, "c": c, "c_star": data.mu * Y / data.L_star, "w_S": w_S}


#: Guessed Southern wages (Northern wage 1) of the default starts, tried in this order.
DEFAULT_W_S = (1.0, 0.3, 0.1)


def default_starts(data: KrugmanData) -> list[dict[str, float]]:
    """The starts tried after the caller's: :func:`closed_start` or :func:`north_south_start` per w_S.

    Parameters
    ----------
    data : KrugmanData
        The instance.

    Returns
    -------
    list of dict
        One start (variable name -> value) for the closed economy, one per :data:`DEFAULT_W_S` otherwise.
    """
    if data.economy == "closed":
        return [closed_start(data)]
    return [north_south_start(data, w) for w in DEFAULT_W_S]


def relative_pair_residual(data: KrugmanData, v: dict[str, float]) -> float:
    """max_i |F_i| / (sum of |terms| of F_i): scale-free, 0 exactly at an interior solution.

    At an admissible instance every variable is interior (note), so this is the acceptance test;
    it also rejects points on the no-income ray (p, w_S -> inf, Y -> 0) whose *scaled* natural
    residual can fall below the tolerance.

    Parameters
    ----------
    data : KrugmanData
        The instance.
    v : dict of str to float
        Variable values by name (MCP normalization, Northern wage 1).

    Returns
    -------
    float
        The residual in [0, 1]; ``inf`` where a ratio is 0/0.
    """
    try:
        return _relative_pair_residual(data, v)
    except ZeroDivisionError:
        return float("inf")


def _relative_pair_residual(data: KrugmanData, v: dict[str, float]) -> float:
    if data.economy == "closed":
        b, th = data.b_A, data.theta
        Y, n, p, c = v["Y"], v["n"], v["p"], v["c"]
        ratios = [(b - th * p) / (b + th * p), (data.alpha + b * Y - p * Y) / (data.alpha + b * Y + p * Y),
                  (Y - data.L * c) / (Y + data.L * c), (n * p * c - 1.0) / (n * p * c + 1.0)]
        return max(abs(r) for r in ratios)
    z, b, th, mu, Ls = data.z, data.b_A, data.theta, data.mu, data.L_star
    Y, n, p, c, cs, w = (v[k] for k in ("Y", "n", "p", "c", "c_star", "w_S"))
    mc = ((1.0 - z) + z * w) * b
    ratios = [(mc - th * p) / (mc + th * p), (data.alpha + mc * Y - p * Y) / (data.alpha + mc * Y + p * Y),
              (Y - data.L * c - Ls * cs) / (Y + data.L * c + Ls * cs), (n * p * c - 1.0) / (n * p * c + 1.0),
              (Ls * cs - mu * Y) / (Ls * cs + mu * Y), (w * z * b * Y - p * Ls * cs) / (w * z * b * Y + p * Ls * cs)]
    return max(abs(r) for r in ratios)


def build_closed_model(data: KrugmanData, start: dict[str, float] | None = None) -> pyo.ConcreteModel:
    """Closed economy (Eqs. 9-10, goods market, budget) as a square MCP, omega = 1.

    Parameters
    ----------
    data : KrugmanData
        The instance.
    start : dict of str to float, optional
        Initial values by variable name (default :func:`closed_start`).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``Y, n, p, c``; pairs ``ss`` (9), ``dd`` (10), ``goods``, ``budget``.
    """
    s = start or closed_start(data)
    m = pyo.ConcreteModel(name="krugman_closed")
    Y, n, p, c = (_var(m, k, s[k]) for k in ("Y", "n", "p", "c"))
    b, th, a, L = data.b_A, data.theta, data.alpha, data.L
    m.ss = Complementarity(expr=complements(Y >= 0, b - th * p >= 0))                 # (9)
    m.dd = Complementarity(expr=complements(n >= 0, a + b * Y - p * Y >= 0))         # (10)
    m.goods = Complementarity(expr=complements(p >= 0, Y - L * c >= 0))              # Y = L c
    m.budget = Complementarity(expr=complements(c >= 0, n * p * c - 1 >= 0))        # income L
    return m


def build_north_south_model(data: KrugmanData, start: dict[str, float] | None = None) -> pyo.ConcreteModel:
    """North-South with outsourcing (Eqs. 13-16) as a square MCP, Northern wage 1, w_S a variable.

    Parameters
    ----------
    data : KrugmanData
        The instance.
    start : dict of str to float, optional
        Initial values by variable name (default :func:`north_south_start` at w_S = 1).

    Returns
    -------
    pyomo.environ.ConcreteModel
        Variables ``Y, n, p, c, c_star, w_S``; pairs ``ss`` (15), ``dd`` (16), ``goods``,
        ``budget``, ``share`` (14') and ``trade`` (14).
    """
    s = start or north_south_start(data)
    m = pyo.ConcreteModel(name="krugman_north_south")
    Y, n, p, c, cs, w = (_var(m, k, s[k]) for k in ("Y", "n", "p", "c", "c_star", "w_S"))
    b, th, a, L, Ls, z, mu = data.b_A, data.theta, data.alpha, data.L, data.L_star, data.z, data.mu
    mc = ((1.0 - z) + z * w) * b                                                       # from (13)
    m.ss = Complementarity(expr=complements(Y >= 0, mc - th * p >= 0))               # (15)
    m.dd = Complementarity(expr=complements(n >= 0, a + mc * Y - p * Y >= 0))        # (16)
    m.goods = Complementarity(expr=complements(p >= 0, Y - L * c - Ls * cs >= 0))    # Y = Lc + L*c*
    m.budget = Complementarity(expr=complements(c >= 0, n * p * c - 1 >= 0))         # income L
    m.share = Complementarity(expr=complements(cs >= 0, Ls * cs - mu * Y >= 0))      # (14')
    m.trade = Complementarity(expr=complements(w >= 0, w * z * b * Y - p * Ls * cs >= 0))  # (14)
    return m


def solve_mcp(data: KrugmanData, starts: list[dict[str, float]] | None = None, tol: float = 1e-10,
              accept_tol: float = 1e-9):
    """Build the economy's MCP and solve it with :func:`trade_opt.mcp.multistart`, one start at a time.

    The caller's ``starts`` (e.g. the previous sweep point) are tried first, then
    :func:`default_starts`.  A point is accepted when the layer reports ``solved`` *and*
    :func:`relative_pair_residual` <= ``accept_tol`` (so a point on the no-income ray is never accepted).

    Parameters
    ----------
    data : KrugmanData
        The instance.
    starts : list of dict, optional
        Starts (variable name -> value) tried first; empty ones are skipped.
    tol : float
        Natural-residual tolerance passed to the MCP layer.
    accept_tol : float
        Largest accepted :func:`relative_pair_residual`.

    Returns
    -------
    tuple
        ``(result, values, tried)``: the last :class:`trade_opt.mcp.MCPResult`, the variable values
        by name (MCP normalization, Northern wage 1) and the number of starts tried.
    """
    from trade_opt.mcp import multistart

    closed = data.economy == "closed"
    names = ("Y", "n", "p", "c") if closed else ("Y", "n", "p", "c", "c_star", "w_S")
    candidates = [s for s in (starts or []) if s] + default_starts(data)
    built: list[pyo.ConcreteModel] = []

    def build(start: dict[str, float]) -> pyo.ConcreteModel:
        """Build the model from one start (kept in ``built`` to read the values afterwards).

        Parameters
        ----------
        start : dict of str to float
            Initial values by variable name.

        Returns
        -------
        pyomo.environ.ConcreteModel
        """
        built[:] = [build_closed_model(data, start) if closed else build_north_south_model(data, start)]
        return built[-1]

    def accept(solution) -> bool:
        """Whether a solved point passes :func:`relative_pair_residual` <= ``accept_tol``.

        Parameters
        ----------
        solution : MCPResult or solution
            Has ``values`` by variable name.

        Returns
        -------
        bool
        """
        return relative_pair_residual(data, {k: solution.values[k] for k in names}) <= accept_tol

    result = multistart(build, candidates, tol=tol, accept=accept, stop_on_first=True)
    values = {k: float(pyo.value(getattr(built[-1], k))) for k in names}
    return result, values, result.iterations["starts"]
