"""The productivity-distribution interface of the Melitz (2003) industry: what a family of G provides.

The industry model needs G only through the survival ``J(t) = 1 - G(t)`` and the partial moment
``V(t) = int_t^upper x^s dG(x)``, ``s = sigma - 1`` (seed eqs. (9)-(12), (17)-(19);
``models/melitz_offshoring.md``, "Conventions"), plus the density for quadrature checks and, where
the algebra allows, the same ``J``, ``V`` as Pyomo expressions for the complementarity model
(:mod:`trade_opt.melitz.mcp_model`, rows E4 and E6).  The families: :mod:`.pareto`,
:mod:`.lognormal`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


def _pos_log(t: np.ndarray) -> np.ndarray:
    """``ln t`` with ``ln 0 = -inf`` and no warning."""
    with np.errstate(divide="ignore"):
        return np.log(t)


@dataclass(frozen=True)
class Distribution:
    """Interface: support ``[lower, upper]`` and the functions ``J``, ``V``, ``pdf``."""

    @property
    def lower(self) -> float:  # pragma: no cover - interface
        """Lower end of the support: lower end of the support.

        Returns
        -------
        float
        """
        raise NotImplementedError

    @property
    def upper(self) -> float:  # pragma: no cover - interface
        """Upper end of the support: upper end of the support.

        Returns
        -------
        float
        """
        raise NotImplementedError

    def J(self, t: Any) -> np.ndarray:  # pragma: no cover - interface
        """Survival ``J(t) = 1 - G(t)`` (dimensionless; an input of eq. 9-12).


        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).

        Returns
        -------
        ndarray
            Share of entrants with productivity above ``t``, in [0, 1]; shape of ``t``.
        """
        raise NotImplementedError

    def V(self, t: Any, s: float) -> np.ndarray:  # pragma: no cover - interface
        """Partial moment ``V(t) = int_t^upper x^s dG(x)`` (behind eq. 12, 17).


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
        raise NotImplementedError

    def pdf(self, t: Any) -> np.ndarray:  # pragma: no cover - interface
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
        raise NotImplementedError

    def u_min(self, s: float) -> float:
        """Lower bound of ``u = theta_o^-s``: ``upper^-s`` (0 for unbounded support); the MCP bound on u.

        Parameters
        ----------
        s : float
            ``s = sigma - 1`` (> 0), sigma the elasticity of substitution.

        Returns
        -------
        float
            ``u_min >= 0``.

        Examples
        --------
        >>> from trade_opt.melitz.distributions import TruncatedPareto
        >>> TruncatedPareto(b=1.0, k=3.0, theta_max=10.0).u_min(2.0)
        0.01
        """
        return 0.0 if math.isinf(self.upper) else self.upper ** (-s)

    # Pyomo forms; subclasses that cannot be written algebraically leave these unimplemented.
    has_pyomo_form = False

    def pyomo_JV_t(self, t: Any, s: float) -> tuple[Any, Any]:  # pragma: no cover - interface
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
        raise NotImplementedError

    def pyomo_JV_u(self, u: Any, s: float) -> tuple[Any, Any]:  # pragma: no cover - interface
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
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:  # pragma: no cover - interface
        """The distribution's instance fields, for summaries.

        Returns
        -------
        dict
            ``kind`` (the family name) and the family's parameters.
        """
        raise NotImplementedError
