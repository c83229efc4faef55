"""The South's share mu(z) of each final good (seed Eq. 14').

See ``models/krugman_outsourcing.md``, "Parameters and normalization".

mu(z) is exogenous in the model: the South acquires the share mu(z) of every variety in return for
the z share of the stages it produces.  The paper assumes mu' < 1 and mu(z) < z; existence of an
equilibrium with production needs 0 < mu(z) < theta at the z used (checked in
:mod:`trade_opt.krugman.instance`).

Three named families, each a small callable object with ``value(z)`` and ``slope(z)`` (= mu'(z)):

* :class:`PowerMu`: ``mu(z) = phi z**gamma`` (the default, phi = 0.4, gamma = 2);
* :class:`PolynomialMu`: ``mu(z) = sum_k a_k z**k`` (e.g. the counterexample K9 of
  ``models/krugman_outsourcing.md``,
  ``0.5 z - 0.05 (1 - z)**2 = -0.05 + 0.6 z - 0.05 z**2``);
* :class:`TableMu`: an empirical share given at points, interpolated by a monotone cubic
  (:class:`scipy.interpolate.PchipInterpolator`), so a nondecreasing table gives a
  nondecreasing mu(z) without overshoot.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator


@dataclass(frozen=True)
class PowerMu:
    """``mu(z) = phi z**gamma`` (dimensionless share of each final good).

    Examples
    --------
    >>> PowerMu(0.4, 2.0).value(0.5)
    0.1
    >>> PowerMu(0.4, 2.0).slope(0.5)
    0.4
    """

    phi: float
    gamma: float

    def value(self, z):
        """mu(z) = phi z**gamma: the South's share of each final good (Eq. 14').

        Parameters
        ----------
        z : float or array_like
            Share of stages outsourced, in [0, 1].

        Returns
        -------
        float or ndarray
            mu(z), dimensionless; a float for scalar ``z``.
        """
        out = self.phi * np.power(z, self.gamma)
        return float(out) if np.ndim(out) == 0 else out

    def slope(self, z):
        """mu'(z) = phi gamma z**(gamma - 1).

        Parameters
        ----------
        z : float or array_like
            Share of stages outsourced, in [0, 1].

        Returns
        -------
        float or ndarray
            mu'(z); a float for scalar ``z``.
        """
        out = self.phi * self.gamma * np.power(z, self.gamma - 1.0)
        return float(out) if np.ndim(out) == 0 else out

    def describe(self) -> str:
        """One-line formula of this mu(z), for summaries.

        Returns
        -------
        str
        """
        return f"mu(z) = {self.phi:g} z^{self.gamma:g}"


@dataclass(frozen=True)
class PolynomialMu:
    """``mu(z) = sum_k coefficients[k] z**k`` (coefficients in increasing powers).

    Examples
    --------
    >>> round(PolynomialMu((-0.05, 0.6, -0.05)).value(0.5), 12)
    0.2375
    """

    coefficients: tuple[float, ...]

    def value(self, z):
        """mu(z) = sum_k a_k z**k: the South's share of each final good (Eq. 14').

        Parameters
        ----------
        z : float or array_like
            Share of stages outsourced, in [0, 1].

        Returns
        -------
        float or ndarray
            mu(z), dimensionless; a float for scalar ``z``.
        """
        out = np.polynomial.polynomial.polyval(z, self.coefficients)
        return float(out) if np.ndim(out) == 0 else out

    def slope(self, z):
        """mu'(z) = sum_k k a_k z**(k - 1).

        Parameters
        ----------
        z : float or array_like
            Share of stages outsourced, in [0, 1].

        Returns
        -------
        float or ndarray
            mu'(z); a float for scalar ``z``.
        """
        deriv = np.polynomial.polynomial.polyder(self.coefficients)
        out = np.polynomial.polynomial.polyval(z, deriv)
        return float(out) if np.ndim(out) == 0 else out

    def describe(self) -> str:
        """One-line formula of this mu(z), for summaries.

        Returns
        -------
        str
        """
        return "mu(z) = " + " + ".join(f"{a:g} z^{k}" for k, a in enumerate(self.coefficients))


@dataclass(frozen=True, eq=False)
class TableMu:
    """mu(z) from points (z_k, mu_k), interpolated by PCHIP (monotone, C^1).

    The points are validated by the instance (z strictly increasing in [0, 1], mu nondecreasing in
    [0, 1)); outside [z_0, z_K] the table is not extrapolated (the instance rejects such z).

    Examples
    --------
    >>> t = TableMu((0.0, 0.5, 1.0), (0.0, 0.1, 0.4))
    >>> round(t.value(0.5), 12)
    0.1
    """

    z: tuple[float, ...]
    mu: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_interp", PchipInterpolator(np.asarray(self.z), np.asarray(self.mu), extrapolate=False))

    def value(self, z):
        """mu(z): the South's share of each final good (Eq. 14'), by the PCHIP interpolant.

        NaN outside [z_0, z_K] (no extrapolation).

        Parameters
        ----------
        z : float or array_like
            Share of stages outsourced, in [0, 1].

        Returns
        -------
        float or ndarray
            mu(z), dimensionless; a float for scalar ``z``.
        """
        out = self._interp(z)
        return float(out) if np.ndim(out) == 0 else out

    def slope(self, z):
        """mu'(z) = derivative of the PCHIP interpolant.

        Parameters
        ----------
        z : float or array_like
            Share of stages outsourced, in [0, 1].

        Returns
        -------
        float or ndarray
            mu'(z); a float for scalar ``z``.
        """
        out = self._interp.derivative()(z)
        return float(out) if np.ndim(out) == 0 else out

    def describe(self) -> str:
        """One-line formula of this mu(z), for summaries.

        Returns
        -------
        str
        """
        return f"mu(z) = PCHIP through {len(self.z)} points on [{self.z[0]:g}, {self.z[-1]:g}]"


Mu = PowerMu | PolynomialMu | TableMu
