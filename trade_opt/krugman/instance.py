"""Krugman (1979) / Dixit-Stiglitz with A stages and North-South outsourcing: instance files.

Schema (TOML or JSON)::

    model = "krugman"
    economy = "north_south"     # or "closed" (the North alone, seed Eqs. 1-12)
    theta = 0.75                # CES utility parameter (Eq. 1), demand elasticity 1/(1-theta)
    eps = 3.0                   # elasticity of substitution between the A stages (Eq. 5), > 1
    alpha = 1.0                 # fixed labour per final good (Eq. 2)
    beta = 1.0                  # labour per unit of each intermediate (Eq. 2)
    A = 4.0                     # number of stages (>= 1; real-valued for comparative statics)
    L = 100.0                   # Northern labour force
    L_star = 1000.0             # Southern labour force      (north_south only)
    z = 0.5                     # share of stages outsourced (north_south only), 0 < z < 1
    [mu]                        # South's share of each final good (north_south only)
    kind = "power"              # phi z^gamma;  or "polynomial" (coefficients = [a0, a1, ...]),
    phi = 0.4                   #   or "table" (z = [...], mu = [...], PCHIP-interpolated)
    gamma = 2.0

Beyond the types, the instance checks what the equilibrium needs (``models/krugman_outsourcing.md``):
0 < mu(z) < theta (otherwise there is no equilibrium with production; the error names ``mu``) and
Southern employment ``E_S = L z (theta - mu)/((1 - z)(1 - mu)) <= L_star`` (finding K10; the error
names ``L_star``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from trade_opt.errors import FieldError
from trade_opt.instances import InstanceBase, check_size, validate_as

#: Most points of a tabulated mu(z) (interpolated at every solve; 16 bytes a point).
MAX_MU_POINTS = 100_000
from trade_opt.krugman.mu import Mu, PolynomialMu, PowerMu, TableMu

#: |ln b_A| above this overflows exp in double precision (b_A = beta A^(1/(1-eps))).
_MAX_LOG = 700.0


class MuSpec(BaseModel):
    """The ``[mu]`` table: ``kind`` and the fields of that family (others must be absent)."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)

    kind: Literal["power", "polynomial", "table"]
    phi: float | None = None
    gamma: float | None = None
    coefficients: list[float] | None = None
    z: list[float] | None = None
    mu: list[float] | None = None


_MU_FIELDS = {"power": ("phi", "gamma"), "polynomial": ("coefficients",), "table": ("z", "mu")}


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise FieldError(name, f"must be > 0, got {value!r}")


def _check_mu_spec(spec: MuSpec) -> Mu:
    """Per-family checks of ``[mu]``; returns the mu(z) object."""
    needed = _MU_FIELDS[spec.kind]
    for key in ("phi", "gamma", "coefficients", "z", "mu"):
        present = getattr(spec, key) is not None
        if key in needed and not present:
            raise FieldError(f"mu.{key}", f"required for kind = {spec.kind!r}")
        if key not in needed and present:
            raise FieldError(f"mu.{key}", f"not a parameter of kind = {spec.kind!r} (it takes {', '.join(needed)})")
    if spec.kind == "power":
        _positive("mu.phi", spec.phi)
        _positive("mu.gamma", spec.gamma)
        return PowerMu(spec.phi, spec.gamma)
    if spec.kind == "polynomial":
        if not 1 <= len(spec.coefficients) <= 10:
            raise FieldError("mu.coefficients", f"needs 1 to 10 coefficients, got {len(spec.coefficients)}")
        return PolynomialMu(tuple(spec.coefficients))
    zs, mus = spec.z, spec.mu
    check_size("mu.z", len(zs or []), MAX_MU_POINTS, "points", "a tabulated mu(z) is interpolated at every solve")
    if len(zs) < 2:
        raise FieldError("mu.z", f"a table needs at least 2 points, got {len(zs)}")
    if len(mus) != len(zs):
        raise FieldError("mu.mu", f"has {len(mus)} entries, mu.z has {len(zs)} (lengths differ)")
    for k, value in enumerate(zs):
        if not 0.0 <= value <= 1.0:
            raise FieldError(f"mu.z[{k}]", f"must be in [0, 1], got {value!r}")
        if k and value <= zs[k - 1]:
            raise FieldError(f"mu.z[{k}]", f"z must be strictly increasing, got {zs[k - 1]!r} then {value!r}")
    for k, value in enumerate(mus):
        if not 0.0 <= value < 1.0:
            raise FieldError(f"mu.mu[{k}]", f"a share must be in [0, 1), got {value!r}")
        if k and value < mus[k - 1]:
            raise FieldError(f"mu.mu[{k}]", f"mu must be nondecreasing in z, got {mus[k - 1]!r} then {value!r}")
    return TableMu(tuple(zs), tuple(mus))


def southern_employment(L: float, z: float, theta: float, mu: float) -> float:
    """Southern employment in outsourcing E_S = n z b_A Y = L z (theta - mu) / ((1 - z)(1 - mu)) (after Eq. 18).

    See models/krugman_outsourcing.md, "North–South (Eqs. 13–19)", E_S row (claim K10: E_S <= L*).

    Parameters
    ----------
    L : float
        Northern labour force (persons, > 0).
    z : float
        Share of stages outsourced, in (0, 1).
    theta : float
        CES utility parameter, in (0, 1).
    mu : float
        South's share mu(z) of each final good, in (0, theta).

    Returns
    -------
    float
        E_S in persons (Southern workers).

    Examples
    --------
    >>> round(southern_employment(100.0, 0.5, 0.75, 0.1), 9)
    72.222222222
    """
    return L * z * (theta - mu) / ((1.0 - z) * (1.0 - mu))


class KrugmanInstance(InstanceBase):
    """A validated Krugman-with-outsourcing instance (closed economy or North-South)."""

    model: Literal["krugman"]
    economy: Literal["closed", "north_south"] = "north_south"
    theta: float
    eps: float
    alpha: float = 1.0
    beta: float = 1.0
    A: float
    L: float
    L_star: float | None = None
    z: float | None = None
    mu: MuSpec | None = None

    @model_validator(mode="after")
    def _check(self) -> "KrugmanInstance":
        if not 0.0 < self.theta < 1.0:
            raise FieldError("theta", f"must be in (0, 1) (demand elasticity 1/(1-theta) > 1), got {self.theta!r}")
        if not self.eps > 1.0:
            raise FieldError("eps", f"elasticity of substitution between stages must be > 1, got {self.eps!r}")
        _positive("alpha", self.alpha)
        _positive("beta", self.beta)
        if not self.A >= 1.0:
            raise FieldError("A", f"number of stages must be >= 1, got {self.A!r}")
        _positive("L", self.L)
        log_b = math.log(self.beta) + math.log(self.A) / (1.0 - self.eps)
        if abs(log_b) > _MAX_LOG:
            raise FieldError("eps", f"b_A = beta A^(1/(1-eps)) = exp({log_b:.4g}) is outside double precision")
        if self.economy == "closed":
            for key in ("L_star", "z", "mu"):
                if getattr(self, key) is not None:
                    raise FieldError(key, "not used when economy = 'closed' (remove it or set economy = 'north_south')")
            return self
        for key in ("L_star", "z", "mu"):
            if getattr(self, key) is None:
                raise FieldError(key, "required when economy = 'north_south'")
        _positive("L_star", self.L_star)
        if not 0.0 < self.z < 1.0:
            raise FieldError("z", f"outsourced share must be in (0, 1) (z = 0 is economy = 'closed'), got {self.z!r}")
        mu_fn = _check_mu_spec(self.mu)
        if isinstance(mu_fn, TableMu) and not mu_fn.z[0] <= self.z <= mu_fn.z[-1]:
            raise FieldError("z", f"{self.z!r} is outside the mu table's range [{mu_fn.z[0]!r}, {mu_fn.z[-1]!r}]")
        mu = mu_fn.value(self.z)
        if not 0.0 < mu < self.theta:
            raise FieldError(
                "mu",
                f"mu(z={self.z:g}) = {mu:.6g} must be in (0, theta = {self.theta:g}); "
                "otherwise there is no equilibrium with production",
            )
        e_s = southern_employment(self.L, self.z, self.theta, mu)
        if e_s > self.L_star:
            raise FieldError(
                "L_star",
                f"Southern employment E_S = {e_s:.6g} exceeds L_star = {self.L_star:g} at z = {self.z:g} (K10)",
            )
        return self

    def data(self) -> "KrugmanData":
        """The parameters as a plain dataclass the maths uses (mu as a callable family).

        Returns
        -------
        KrugmanData

        Examples
        --------
        >>> from trade_opt.instances import load_instance
        >>> load_instance("instances/krugman_default.toml").data().economy
        'north_south'
        """
        mu_fn = _check_mu_spec(self.mu) if self.mu is not None else None
        return KrugmanData(
            economy=self.economy, theta=self.theta, eps=self.eps, alpha=self.alpha, beta=self.beta,
            A=self.A, L=self.L, L_star=self.L_star, z=self.z, mu_fn=mu_fn,
        )

    def with_values(self, source: str = "<dict>", **changes: float) -> "KrugmanInstance":
        """A re-validated copy with some fields changed (used by sweeps; errors name the field).

        Parameters
        ----------
        source : str, optional
            Name used in error messages (default ``"<dict>"``).
        **changes : float
            Field name = new value (e.g. ``z=0.6``).

        Returns
        -------
        KrugmanInstance

        Raises
        ------
        FieldError
            If the changed instance is invalid (the message names the field).
        """
        raw = self.model_dump(exclude_none=True)
        raw.update(changes)
        return validate_as(KrugmanInstance, raw, source)


@dataclass(frozen=True)
class KrugmanData:
    """Parameters of one Krugman economy (see the module docstring for units).

    ``economy = "closed"`` has ``L_star = z = mu_fn = None``.
    """

    economy: str
    theta: float
    eps: float
    alpha: float
    beta: float
    A: float
    L: float
    L_star: float | None
    z: float | None
    mu_fn: Mu | None

    @property
    def b_A(self) -> float:
        """Labour per unit of final output, all stages: b_A = beta A^(1/(1-eps)) (Eqs. 6-7), in logs.

        Returns
        -------
        float
            Northern labour per unit of final output.
        """
        return self.beta * math.exp(math.log(self.A) / (1.0 - self.eps))

    @property
    def mu(self) -> float:
        """mu(z) at the instance's z (Eq. 14').

        Returns
        -------
        float
            The South's share of each final good (North-South only).
        """
        return self.mu_fn.value(self.z)

    @property
    def mu_slope(self) -> float:
        """mu'(z) at the instance's z.

        Returns
        -------
        float
        """
        return self.mu_fn.slope(self.z)

    def replace(self, **changes: float) -> "KrugmanData":
        """A copy with some parameters changed (no validation: the maths' own perturbations).

        Parameters
        ----------
        **changes : float
            Field name = new value.

        Returns
        -------
        KrugmanData
        """
        return replace(self, **changes)
