"""Pareto productivity, plain and truncated, for the Melitz (2003) industry: closed-form J and V.

:class:`Pareto` ``G = 1 - (b/t)^k`` on ``[b, inf)`` (``k > s``, the default family) and
:class:`TruncatedPareto`, the same on ``[b, theta_max]`` (any ``k > 0``): survival ``J`` and partial
moment ``V`` (inputs of seed eqs. (9)-(12), (17)-(19); ``models/melitz_offshoring.md``,
"Equations → functions"), the density, and ``J``, ``V`` as Pyomo expressions in the cutoff ``t``
and in ``u = t^-s`` (MCP rows E4, E6).  Powers are taken through logs (``exp(a ln t)``) so large
productivities never overflow.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from trade_opt.melitz.distributions.base import Distribution, _pos_log


@dataclass(frozen=True)
class Pareto(Distribution):
    """Pareto ``G(t) = 1 - (b/t)^k`` on ``[b, inf)``; ``V`` is finite iff ``k > s``.

    ``J(t) = (b/t)^k`` and ``V(t) = k/(k-s) b^k t^(s-k)`` for ``t >= b`` (the Pareto closed forms of
    models/melitz_offshoring.md, "Equations → functions").

    Parameters
    ----------
    b : float
        Lower bound of productivity (> 0).
    k : float
        Shape (> 0; the instance requires ``k > s``).

    Examples
    --------
    >>> d = Pareto(b=1.0, k=4.0)
    >>> float(d.J(2.0)), float(d.V(2.0, 2.0))
    (0.0625, 0.5)
    """

    b: float
    k: float

    @property
    def lower(self) -> float:
        """Lower end of the support: ``b``.

        Returns
        -------
        float
        """
        return self.b

    @property
    def upper(self) -> float:
        """Upper end of the support: ``inf``.

        Returns
        -------
        float
        """
        return math.inf

    def J(self, t: Any) -> np.ndarray:
        """Survival ``J(t) = 1 - G(t)`` (dimensionless; an input of eq. 9-12).

        Here ``J(t) = (b/t)^k`` for ``t >= b`` (1 below ``b``).

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).

        Returns
        -------
        ndarray
            Share of entrants with productivity above ``t``, in [0, 1]; shape of ``t``.
        """
        lt = np.maximum(_pos_log(np.asarray(t, dtype=float)), math.log(self.b))
        return np.exp(self.k * (math.log(self.b) - lt))

    def V(self, t: Any, s: float) -> np.ndarray:
        """Partial moment ``V(t) = int_t^upper x^s dG(x)`` (behind eq. 12, 17).

        Here ``V(t) = k/(k-s) b^k t^(s-k)`` for ``t >= b`` (needs ``k > s``).

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        ndarray
            V(t) >= 0 (productivity^s units); shape of ``t``.
        """
        lt = np.maximum(_pos_log(np.asarray(t, dtype=float)), math.log(self.b))
        return self.k / (self.k - s) * np.exp(self.k * math.log(self.b) + (s - self.k) * lt)

    def pdf(self, t: Any) -> np.ndarray:
        """Density ``g(t) = G'(t)`` (0 outside the support), for quadrature checks.

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).

        Returns
        -------
        ndarray
            g(t) >= 0; shape of ``t``.
        """
        t = np.asarray(t, dtype=float)
        return np.where(t >= self.b, self.k * self.b**self.k * np.maximum(t, self.b) ** (-self.k - 1), 0.0)

    has_pyomo_form = True

    def pyomo_JV_t(self, t: Any, s: float) -> tuple[Any, Any]:
        """``(J(t), V(t))`` as Pyomo expressions of the cutoff variable ``t`` (MCP E4, E6).

        Parameters
        ----------
        t : pyomo expression or Var
            The cutoff theta* (> 0).
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        tuple
            ``(J, V)`` as Pyomo expressions (same formulas as :meth:`J`, :meth:`V`).
        """
        bk = self.b**self.k
        return bk * t ** (-self.k), self.k / (self.k - s) * bk * t ** (s - self.k)

    def pyomo_JV_u(self, u: Any, s: float) -> tuple[Any, Any]:
        """``(J, V)`` at ``t = u^(-1/s)`` as Pyomo expressions of ``u``, smooth down to ``u_min`` (MCP E4).

        Parameters
        ----------
        u : pyomo expression or Var
            ``u = theta_o^-s`` (> 0; >= :meth:`u_min`).
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        tuple
            ``(J, V)`` as Pyomo expressions of ``u``.
        """
        bk = self.b**self.k
        return bk * u ** (self.k / s), self.k / (self.k - s) * bk * u ** ((self.k - s) / s)

    def describe(self) -> dict[str, Any]:
        """The distribution's instance fields, for summaries.

        Returns
        -------
        dict
            ``kind`` ("pareto") and the family's parameters.
        """
        return {"kind": "pareto", "b": self.b, "k": self.k}


@dataclass(frozen=True)
class TruncatedPareto(Distribution):
    """Pareto truncated to ``[b, theta_max]``: ``G(t) = (1 - (b/t)^k)/(1 - c)``, ``c = (b/theta_max)^k``.

    ``J(t) = ((b/t)^k - c)/(1 - c)`` and
    ``V(t) = k b^k (t^(s-k) - theta_max^(s-k)) / ((k - s)(1 - c))`` (``k b^k ln(theta_max/t)/(1-c)``
    when ``k = s``), for ``b <= t <= theta_max``; both vanish at ``theta_max``.
    """

    b: float
    k: float
    theta_max: float

    @property
    def lower(self) -> float:
        """Lower end of the support: ``b``.

        Returns
        -------
        float
        """
        return self.b

    @property
    def upper(self) -> float:
        """Upper end of the support: ``theta_max``.

        Returns
        -------
        float
        """
        return self.theta_max

    @property
    def _c(self) -> float:
        return (self.b / self.theta_max) ** self.k

    def _clip_log(self, t: Any) -> np.ndarray:
        return np.clip(_pos_log(np.asarray(t, dtype=float)), math.log(self.b), math.log(self.theta_max))

    def J(self, t: Any) -> np.ndarray:
        """Survival ``J(t) = 1 - G(t)`` (dimensionless; an input of eq. 9-12).

        Here ``J(t) = ((b/t)^k - c)/(1 - c)``, ``c = (b/theta_max)^k``, on ``[b, theta_max]`` (0 at ``theta_max``).

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).

        Returns
        -------
        ndarray
            Share of entrants with productivity above ``t``, in [0, 1]; shape of ``t``.
        """
        lt = self._clip_log(t)
        # (b/t)^k - c = c ((theta_max/t)^k - 1): exact 0 at theta_max, accurate near it
        J = self._c * np.expm1(self.k * (math.log(self.theta_max) - lt)) / (1.0 - self._c)
        return np.where(lt <= math.log(self.b), 1.0, J)

    def V(self, t: Any, s: float) -> np.ndarray:
        """Partial moment ``V(t) = int_t^upper x^s dG(x)`` (behind eq. 12, 17).

        Here ``V(t) = k b^k (t^(s-k) - theta_max^(s-k)) / ((k - s)(1 - c))`` (log form when ``k = s``).

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        ndarray
            V(t) >= 0 (productivity^s units); shape of ``t``.
        """
        lt = self._clip_log(t)
        lm = math.log(self.theta_max)
        scale = self.k * self.b**self.k / (1.0 - self._c)
        if math.isclose(self.k, s, rel_tol=0.0, abs_tol=1e-12):
            return scale * (lm - lt)
        # t^(s-k) - thmax^(s-k), written as thmax^(s-k) * expm1((s-k)(ln t - ln thmax)) for accuracy
        return scale * np.exp((s - self.k) * lm) * np.expm1((s - self.k) * (lt - lm)) / (self.k - s)

    def pdf(self, t: Any) -> np.ndarray:
        """Density ``g(t) = G'(t)`` (0 outside the support), for quadrature checks.

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).

        Returns
        -------
        ndarray
            g(t) >= 0; shape of ``t``.
        """
        t = np.asarray(t, dtype=float)
        inside = (t >= self.b) & (t <= self.theta_max)
        dens = self.k * self.b**self.k * np.clip(t, self.b, self.theta_max) ** (-self.k - 1) / (1.0 - self._c)
        return np.where(inside, dens, 0.0)

    has_pyomo_form = True

    def pyomo_JV_t(self, t: Any, s: float) -> tuple[Any, Any]:
        """``(J(t), V(t))`` as Pyomo expressions of the cutoff variable ``t`` (MCP E4, E6).

        Parameters
        ----------
        t : pyomo expression or Var
            The cutoff theta* (> 0).
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        tuple
            ``(J, V)`` as Pyomo expressions (same formulas as :meth:`J`, :meth:`V`).
        """
        from pyomo.environ import log

        bk, c, k, tm = self.b**self.k, self._c, self.k, self.theta_max
        J = (bk * t ** (-k) - c) / (1.0 - c)
        if math.isclose(k, s, rel_tol=0.0, abs_tol=1e-12):
            return J, k * bk * (math.log(tm) - log(t)) / (1.0 - c)
        return J, k * bk * (t ** (s - k) - tm ** (s - k)) / ((k - s) * (1.0 - c))

    def pyomo_JV_u(self, u: Any, s: float) -> tuple[Any, Any]:
        """``(J, V)`` at ``t = u^(-1/s)`` as Pyomo expressions of ``u``, smooth down to ``u_min`` (MCP E4).

        Parameters
        ----------
        u : pyomo expression or Var
            ``u = theta_o^-s`` (> 0; >= :meth:`u_min`).
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        tuple
            ``(J, V)`` as Pyomo expressions of ``u``.
        """
        from pyomo.environ import log

        bk, c, k, tm = self.b**self.k, self._c, self.k, self.theta_max
        J = (bk * u ** (k / s) - c) / (1.0 - c)
        if math.isclose(k, s, rel_tol=0.0, abs_tol=1e-12):
            return J, k * bk * (math.log(tm) + log(u) / s) / (1.0 - c)
        return J, k * bk * (u ** ((k - s) / s) - tm ** (s - k)) / ((k - s) * (1.0 - c))

    def describe(self) -> dict[str, Any]:
        """The distribution's instance fields, for summaries.

        Returns
        -------
        dict
            ``kind`` ("truncated_pareto") and the family's parameters.
        """
        return {"kind": "truncated_pareto", "b": self.b, "k": self.k, "theta_max": self.theta_max}
