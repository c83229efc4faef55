"""Melitz (2003) + Antràs-Helpman (2004) offshoring instance files and their numpy form.

Schema (TOML or JSON; ``models/melitz_offshoring.md``, "Conventions" and the instance row of
"Equations → functions")::

    model = "melitz"
    name = "melitz_default"
    sigma = 3.0      # within-industry elasticity, > 1
    mu = 0.6         # upper tier, 0 <= mu < (sigma-1)/sigma; 0 means fixed spending R = H
    w = 2.0          # Northern wage (Southern wage = numeraire = 1), >= 1
    f_d = 1.0        # per-period fixed cost at home (Northern labour)
    f_o = 6.0        # per-period fixed cost of offshoring, > f_d (Northern labour)
    f_e = 2.0        # sunk entry cost (Northern labour)
    delta = 0.1      # exit probability per period, in (0, 1]
    H = 25.0         # demand scale (mass of consumers)
    L_N = 1000.0     # optional: labour endowments for the numeraire check
    L_S = 1000.0

    [productivity]
    kind = "pareto"            # or "truncated_pareto" (adds theta_max) or "lognormal" (loc, scale)
    b = 1.0
    k = 4.0

    [[industry]]
    name = "low"
    z = 0.2                    # offshore intensity in [0, 1]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Optional, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from trade_opt.errors import FieldError
from trade_opt.instances import InstanceBase, check_size

#: Most industries: the MCP has about 20 variables per industry and a dense Jacobian of
#: (20 k)^2 doubles, 800 MB at k = 500.
MAX_INDUSTRIES = 500
from trade_opt.melitz.distributions import Distribution, Lognormal, Pareto, TruncatedPareto

#: Largest Northern wage accepted; w^(z (sigma-1)) is formed in logs, this only keeps outputs finite.
W_MAX = 1e6
#: Largest sigma accepted (powers theta^(sigma-1) of realistic productivities stay finite).
SIGMA_MAX = 50.0

_STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


class ParetoSpec(BaseModel):
    """``[productivity] kind = "pareto"``: G = 1 - (b/t)^k on [b, inf)."""

    model_config = _STRICT
    kind: Literal["pareto"]
    b: float
    k: float


class TruncatedParetoSpec(BaseModel):
    """``[productivity] kind = "truncated_pareto"``: Pareto on [b, theta_max]."""

    model_config = _STRICT
    kind: Literal["truncated_pareto"]
    b: float
    k: float
    theta_max: float


class LognormalSpec(BaseModel):
    """``[productivity] kind = "lognormal"``: ln theta ~ N(loc, scale^2)."""

    model_config = _STRICT
    kind: Literal["lognormal"]
    loc: float
    scale: float


ProductivitySpec = Annotated[Union[ParetoSpec, TruncatedParetoSpec, LognormalSpec], Field(discriminator="kind")]


class IndustrySpec(BaseModel):
    """One ``[[industry]]``: its name and offshore intensity z (cost share of the low-tech input)."""

    model_config = _STRICT
    name: str
    z: float


class MelitzInstance(InstanceBase):
    """A validated Melitz-offshoring instance as read from a file."""

    model: Literal["melitz"]
    sigma: float
    mu: float
    w: float
    f_d: float
    f_o: float
    f_e: float
    delta: float
    H: float
    L_N: Optional[float] = None
    L_S: Optional[float] = None
    productivity: ProductivitySpec
    industry: list[IndustrySpec]

    @model_validator(mode="after")
    def _check(self) -> "MelitzInstance":
        _check_parameters(self)
        _check_productivity(self.productivity, self.sigma - 1.0)
        _check_industries(self.industry)
        return self

    def data(self) -> "MelitzData":
        """The numpy form the maths uses (one entry per industry).

        Returns
        -------
        MelitzData
            Validated parameters, per-industry z and w, and the productivity distribution.

        Examples
        --------
        >>> from trade_opt.instances import load_instance
        >>> d = load_instance("instances/melitz_default.toml").data()
        >>> d.sigma, d.n > 0
        (3.0, True)
        """
        return MelitzData.build(
            sigma=self.sigma, mu=self.mu, w=self.w, f_d=self.f_d, f_o=self.f_o, f_e=self.f_e,
            delta=self.delta, H=self.H, z=[ind.z for ind in self.industry],
            names=[ind.name for ind in self.industry], dist=make_distribution(self.productivity),
            L_N=self.L_N, L_S=self.L_S,
        )


def _check_parameters(inst: MelitzInstance) -> None:
    if not 1.0 < inst.sigma <= SIGMA_MAX:
        raise FieldError("sigma", f"elasticity of substitution must satisfy 1 < sigma <= {SIGMA_MAX:g}, got {inst.sigma!r}")
    alpha = (inst.sigma - 1.0) / inst.sigma
    if not 0.0 <= inst.mu < alpha:
        raise FieldError("mu", f"must satisfy 0 <= mu < alpha = (sigma-1)/sigma = {alpha:.6g}, got {inst.mu!r}")
    if not 1.0 <= inst.w <= W_MAX:
        raise FieldError("w", f"Northern wage must satisfy 1 <= w <= {W_MAX:g} (South wage = 1), got {inst.w!r}")
    for field in ("f_d", "f_e", "H"):
        if getattr(inst, field) <= 0:
            raise FieldError(field, f"must be > 0, got {getattr(inst, field)!r}")
    if inst.f_o <= inst.f_d:
        raise FieldError("f_o", f"offshoring fixed cost must exceed f_d = {inst.f_d!r}, got {inst.f_o!r}")
    if not 0.0 < inst.delta <= 1.0:
        raise FieldError("delta", f"exit probability must be in (0, 1], got {inst.delta!r}")
    for field in ("L_N", "L_S"):
        value = getattr(inst, field)
        if value is not None and value <= 0:
            raise FieldError(field, f"labour endowment must be > 0, got {value!r}")


def _check_productivity(spec: ParetoSpec | TruncatedParetoSpec | LognormalSpec, s: float) -> None:
    if isinstance(spec, LognormalSpec):
        if spec.scale <= 0:
            raise FieldError("productivity.scale", f"must be > 0, got {spec.scale!r}")
        if abs(spec.loc) > 50:
            raise FieldError("productivity.loc", f"must satisfy |loc| <= 50, got {spec.loc!r}")
        return
    if spec.b <= 0:
        raise FieldError("productivity.b", f"lower bound of the support must be > 0, got {spec.b!r}")
    if isinstance(spec, ParetoSpec):
        if spec.k <= s:
            raise FieldError(
                "productivity.k",
                f"Pareto shape must satisfy k > sigma - 1 = {s:g} (else V(t) = int x^(sigma-1) dG diverges), got {spec.k!r}",
            )
        return
    if spec.k <= 0:
        raise FieldError("productivity.k", f"shape must be > 0, got {spec.k!r}")
    if spec.theta_max <= spec.b:
        raise FieldError("productivity.theta_max", f"must exceed b = {spec.b!r}, got {spec.theta_max!r}")


def _check_industries(industries: list[IndustrySpec]) -> None:
    check_size("industry", len(industries), MAX_INDUSTRIES, "industries", "the MCP's Jacobian needs about 3.2 kB x k^2")
    if not industries:
        raise FieldError("industry", "needs at least one [[industry]]")
    seen: set[str] = set()
    for j, ind in enumerate(industries):
        if not ind.name:
            raise FieldError(f"industry[{j}].name", "must be a non-empty string")
        if ind.name in seen:
            raise FieldError(f"industry[{j}].name", f"duplicate industry name {ind.name!r}")
        seen.add(ind.name)
        if not 0.0 <= ind.z <= 1.0:
            raise FieldError(f"industry[{j}].z", f"offshore intensity must be in [0, 1], got {ind.z!r}")


def make_distribution(spec: ParetoSpec | TruncatedParetoSpec | LognormalSpec) -> Distribution:
    """The :mod:`~trade_opt.melitz.distributions` object a ``[productivity]`` table names.

    Parameters
    ----------
    spec : ParetoSpec or TruncatedParetoSpec or LognormalSpec
        The validated ``[productivity]`` table.

    Returns
    -------
    Distribution
        :class:`Pareto`, :class:`TruncatedPareto` or :class:`Lognormal`.
    """
    if isinstance(spec, ParetoSpec):
        return Pareto(b=spec.b, k=spec.k)
    if isinstance(spec, TruncatedParetoSpec):
        return TruncatedPareto(b=spec.b, k=spec.k, theta_max=spec.theta_max)
    return Lognormal(loc=spec.loc, scale=spec.scale)


@dataclass(frozen=True, eq=False)
class MelitzData:
    """Numpy form of an instance: scalars, and arrays with one entry per industry.

    ``z`` and ``w`` are arrays (``w`` broadcast to the industries) so that a sweep over z or w is
    just a longer list of industries.  Units: fixed costs in Northern labour, prices in the
    numeraire (Southern wage = 1).

    Attributes
    ----------
    sigma, mu : float
        Within-industry elasticity (> 1) and upper-tier parameter (eq. 1).
    w : (n,) ndarray
        Northern wage per industry (all equal for a file instance).
    f_d, f_o, f_e, delta, H : float
        Fixed costs, exit probability, demand scale.
    z : (n,) ndarray
        Offshore intensities.
    names : tuple of str
    dist : Distribution
        Productivity distribution G.
    """

    sigma: float
    mu: float
    w: np.ndarray
    f_d: float
    f_o: float
    f_e: float
    delta: float
    H: float
    z: np.ndarray
    names: tuple[str, ...]
    dist: Distribution
    L_N: float | None = None
    L_S: float | None = None

    @classmethod
    def build(cls, *, sigma: float, mu: float, w: float | np.ndarray, f_d: float, f_o: float, f_e: float,
              delta: float, H: float, z: float | list[float] | np.ndarray, dist: Distribution,
              names: list[str] | None = None, L_N: float | None = None, L_S: float | None = None) -> "MelitzData":
        """Build from scalars/arrays (no validation: use an instance file for checked input).

        Parameters
        ----------
        sigma : float
            Within-industry elasticity of substitution (> 1).
        mu : float
            Upper-tier parameter, 0 <= mu < (sigma-1)/sigma (eq. 1); 0 means fixed spending R = H.
        w : float or ndarray
            Northern wage (Southern wage = numeraire = 1), >= 1; broadcast against ``z``.
        f_d, f_o, f_e : float
            Fixed cost at home, fixed cost of offshoring (> f_d), sunk entry cost (Northern labour units).
        delta : float
            Exit probability per period, in (0, 1].
        H : float
            Demand scale (mass of consumers, > 0).
        z : float or list of float or ndarray
            Offshore intensity per industry, in [0, 1].
        dist : Distribution
            Productivity distribution G.
        names : list of str, optional
            Industry names (default ``"z=..,w=.."``).
        L_N, L_S : float, optional
            Labour endowments for the numeraire check.

        Returns
        -------
        MelitzData
            With ``z`` and ``w`` broadcast to one entry per industry.
        """
        z_arr, w_arr = np.broadcast_arrays(np.atleast_1d(np.asarray(z, dtype=float)),
                                           np.atleast_1d(np.asarray(w, dtype=float)))
        if names is None:
            names = [f"z={zj:g},w={wj:g}" for zj, wj in zip(z_arr, w_arr)]
        return cls(sigma=float(sigma), mu=float(mu), w=w_arr.copy(), f_d=float(f_d), f_o=float(f_o),
                   f_e=float(f_e), delta=float(delta), H=float(H), z=z_arr.copy(), names=tuple(names),
                   dist=dist, L_N=L_N, L_S=L_S)

    def replace(self, **changes: object) -> "MelitzData":
        """A copy with some fields changed (``z``/``w`` re-broadcast; names regenerated if lengths change).

        Parameters
        ----------
        **changes
            Field name = new value (any argument of :meth:`build`).

        Returns
        -------
        MelitzData
        """
        fields = {f: getattr(self, f) for f in ("sigma", "mu", "w", "f_d", "f_o", "f_e", "delta", "H", "z",
                                                 "dist", "L_N", "L_S")}
        fields["names"] = list(self.names)
        for key, other in (("z", "w"), ("w", "z")):
            # changing one of z, w alone: a constant other array shrinks to its scalar
            if key in changes and other not in changes and np.ptp(fields[other]) == 0:
                fields[other] = float(fields[other][0])
        fields.update(changes)
        n_new = np.broadcast(np.atleast_1d(fields["z"]), np.atleast_1d(fields["w"])).size
        if "names" not in changes and n_new != len(self.names):
            fields["names"] = None
        return MelitzData.build(**fields)  # type: ignore[arg-type]

    @property
    def n(self) -> int:
        """Number of industries n.

        Returns
        -------
        int
        """
        return self.z.size

    @property
    def s(self) -> float:
        """``s = sigma - 1`` (> 0).

        Returns
        -------
        float
        """
        return self.sigma - 1.0

    @property
    def rho(self) -> float:
        """``alpha = rho = (sigma-1)/sigma``, the inverse markup (eq. 6).

        Returns
        -------
        float
            In (0, 1).
        """
        return (self.sigma - 1.0) / self.sigma

    @property
    def m(self) -> float:
        """``m = mu/(1-mu)``: spending ``R = H P^-m`` (eq. 4).

        Returns
        -------
        float
            >= 0.
        """
        return self.mu / (1.0 - self.mu)

    @property
    def e(self) -> float:
        """``e = sigma - 1 - m > 0``: ``P = (A/H)^(1/e)``.

        Returns
        -------
        float
        """
        return self.s - self.m

    @property
    def omega(self) -> np.ndarray:
        """Offshoring revenue gain ``Omega = w^(z (sigma-1)) - 1`` (eq. 13), formed as ``expm1`` in logs.

        Returns
        -------
        ndarray
            Omega >= 0 per industry.
        """
        return np.expm1(self.z * self.s * np.log(self.w))

    @property
    def u_min(self) -> float:
        """Lower bound of ``u = theta_o^-(sigma-1)``: ``theta_max^-s`` (0 for unbounded G).

        Returns
        -------
        float
        """
        return self.dist.u_min(self.s)

    def autarky(self) -> "MelitzData":
        """The same industries with offshoring unavailable (z = 0, so Omega = 0).

        See models/melitz_offshoring.md, "Conventions".

        Returns
        -------
        MelitzData
            Same names, w and parameters; z = 0 everywhere.
        """
        return self.replace(z=np.zeros_like(self.z), names=list(self.names))
