"""Result dataclasses of :func:`trade_opt.mcp.solve` (serializable with ``trade_opt.outputs.to_jsonable``)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MCPSolution:
    """One distinct solution found.

    Attributes
    ----------
    values : dict
        Variable name -> value (the user's unfixed variables of the MCP).
    residual : float
        Scaled natural residual under the status rule (see :mod:`trade_opt.mcp.residual`).
    active_set : list of str
        Complementarity variables at a bound (``|x_i - bound_i| <= 1e-9 * max(1, |bound_i|)``).
    stability : float or None
        The ``stability`` callable's value, or the generic measure: the largest real part of the
        eigenvalues of ``-J_red`` (negative: locally stable adjustment ``dx/dt = -F``); see
        :func:`trade_opt.mcp.solve.generic_stability`.  None if not computable.
    status : str
        ``solved`` / ``solved_loose`` / ``failed`` for this point.
    start : int
        Index of the first start that reached it.
    method : str
        Which step produced the point (``start``, ``support_newton``, ``semismooth_mid``, ...).
    residual_unscaled : float
        ``max_i |x_i - mid(lb_i, ub_i, x_i - F_i)|`` and ``|h_j|``, no scaling at all.
    """

    values: dict[str, float]
    residual: float
    active_set: list[str]
    stability: float | None
    status: str
    start: int
    method: str = ""
    residual_unscaled: float = float("nan")


@dataclass
class MCPResult:
    """Outcome of :func:`trade_opt.mcp.solve`.

    Attributes
    ----------
    status : str
        ``solved`` (residual <= tol), ``solved_loose`` (<= loose_tol) or ``failed``.
    residual : float
        Scaled natural residual of the reported solution: divisors ``min(s_i, sigma_i(x))``, ``s_i``
        fixed per call at the start points, ``sigma_i`` the row's term magnitude (``models/mcp.md``).
    active_set : list of str
        Names of the complementarity variables at their bound in the reported solution.
    iterations : dict
        ``{"ipopt": total Ipopt iterations, "newton": total Newton iterations,
        "ipopt_solves": number of Ipopt calls, "starts": starts tried}`` over all starts.
    seconds : float
        Wall time of the whole call.
    solutions : list of MCPSolution
        Distinct points with residual <= loose_tol over all starts, in order found.
    values : dict
        Variable name -> value of the reported solution (also loaded into the model unless failed).
    message : str
        One human-readable line.
    residual_unscaled : float
        Unscaled natural residual of the reported solution (``max |min(x - lb, F)|`` for lower
        bounds, ``|h|`` for equalities).
    """

    status: str
    residual: float
    active_set: list[str]
    iterations: dict[str, int]
    seconds: float
    solutions: list[MCPSolution] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)
    message: str = ""
    stability: float | None = None
    residual_unscaled: float = float("nan")

    @property
    def ok(self) -> bool:
        """``status == "solved"``."""
        return self.status == "solved"
