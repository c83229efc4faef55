"""Lognormal productivity for the Melitz (2003) industry: J and V through the normal cdf.

:class:`Lognormal` ``ln theta ~ N(loc, scale^2)``: survival ``J`` and partial moment ``V`` (inputs
of seed eqs. (9)-(12), (17)-(19); ``models/melitz_offshoring.md``) via the normal survival function
(``scipy.special.ndtr``).  It has no algebraic Pyomo form, so only the 1-D reduction takes it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr

from trade_opt.melitz.distributions.base import Distribution, _pos_log


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal ``ln theta ~ N(loc, scale^2)`` on ``(0, inf)``.

    ``J(t) = Phi(-(ln t - loc)/scale)`` and
    ``V(t) = exp(s loc + s^2 scale^2 / 2) Phi(-(ln t - loc)/scale + s scale)``, with ``Phi`` the
    standard normal cdf (``scipy.special.ndtr``).  No algebraic Pyomo form: the complementarity
    model does not take this family (the 1-D reduction does).
    """

    loc: float
    scale: float

    @property
    def lower(self) -> float:
        """Lower end of the support: 0.

        Returns
        -------
        float
        """
        return 0.0

    @property
    def upper(self) -> float:
        """Upper end of the support: ``inf``.

        Returns
        -------
        float
        """
        return math.inf

    def _zscore(self, t: Any) -> np.ndarray:
        return (_pos_log(np.asarray(t, dtype=float)) - self.loc) / self.scale

    def J(self, t: Any) -> np.ndarray:
        """Survival ``J(t) = 1 - G(t)`` (dimensionless; an input of eq. 9-12).

        Here ``J(t) = Phi(-(ln t - loc)/scale)``.

        Parameters
        ----------
        t : float or array_like
            Productivity cutoff theta (> 0; productivity units of the instance, e.g. theta* or theta_o).

        Returns
        -------
        ndarray
            Share of entrants with productivity above ``t``, in [0, 1]; shape of ``t``.
        """
        return ndtr(-self._zscore(t))

    def V(self, t: Any, s: float) -> np.ndarray:
        """Partial moment ``V(t) = int_t^upper x^s dG(x)`` (behind eq. 12, 17).

        Here ``V(t) = exp(s loc + s^2 scale^2/2) Phi(-(ln t - loc)/scale + s scale)``.

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
        return np.exp(s * self.loc + 0.5 * (s * self.scale) ** 2) * ndtr(s * self.scale - self._zscore(t))

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
        with np.errstate(divide="ignore", invalid="ignore"):
            z = self._zscore(t)
            dens = np.exp(-0.5 * z**2) / (np.maximum(t, 1e-300) * self.scale * math.sqrt(2.0 * math.pi))
        return np.where(t > 0, dens, 0.0)

    def describe(self) -> dict[str, Any]:
        """The distribution's instance fields, for summaries.

        Returns
        -------
        dict
            ``kind`` ("lognormal") and the family's parameters.
        """
        return {"kind": "lognormal", "loc": self.loc, "scale": self.scale}
