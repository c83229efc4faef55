"""Production functions of Gomory (1991): the power law, a set-up interval, a barrier to entry.

Assumption 1 of the paper: aside from a possible initial interval in which f_ij(l) is zero,
average productivity f_ij(l) / l is continuous and strictly increasing.  Assumption 2: every
country in autarky makes a positive quantity of every good, f_ij(d_ij L_j) > 0.  Three kinds
(``models/gomory.md``, "Production functions"), country j = 1, 2 (row j - 1), good i:

* ``power``: f(l) = e_ij l^alpha_ij, alpha_ij > 1 (Table 1);
* ``power_with_setup``: f(l) = e_ij max(0, l - s_ij)^alpha_ij with a set-up interval
  0 <= s_ij < d_ij L_j (Assumption 2), alpha_ij >= 1; alpha_ij = 1 is the Ricardo case preceded
  by an interval of zero output, which the paper names (it needs s_ij > 0: with s_ij = 0 the
  average productivity is constant, against Assumption 1);
* ``barrier`` (the Observations section): f'(l) = 0 for l <= s_ij,
  f'(l) = e_ij (d_ij L_j)^alpha_ij ((l - s_ij) / (d_ij L_j - s_ij))^ramp for s_ij < l < d_ij L_j
  (ramp > 1), f'(l) = e_ij l^alpha_ij for l >= d_ij L_j.  f' equals the power law above the
  autarky labor d_ij L_j, and a specialized producer of good i in country j always uses at least
  l = V_i L_j / N_j >= d_ij L_j, so every specialized equilibrium and the boundary curves B, B1
  are those of ``power`` exactly (the Observation); only mixed equilibria and their stability
  change.

Everything is evaluated in logs (ln f = -inf where f = 0): ln(l - s) = ln l + log1p(-s / l), so
s = 0 gives ln f of ``power`` bit for bit, and powers of huge labor never overflow.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from trade_opt.gomory.instance import GomoryData

KINDS = ("power", "power_with_setup", "barrier")
#: Default ramp exponent of the barrier's rise from s to d L.
DEFAULT_RAMP = 2.0

Kind = Literal["power", "power_with_setup", "barrier"]


@dataclass(frozen=True, eq=False)
class Production:
    """The production functions' kind and its parameters (the instance's ``[production]`` table).

    Attributes
    ----------
    kind : ``"power"``, ``"power_with_setup"`` or ``"barrier"`` (module docstring).
    setup : (2, n) set-up labor s_ij in labor units (row j - 1 = country j), or None for ``power``.
    ramp : exponent of the barrier's rise between s_ij and d_ij L_j (> 1; ``barrier`` only).
    """

    kind: Kind = "power"
    setup: np.ndarray | None = None
    ramp: float = DEFAULT_RAMP

    def __post_init__(self) -> None:
        from trade_opt.errors import ArgumentError

        if self.kind not in KINDS:
            raise ArgumentError("production.kind", f"unknown kind {self.kind!r} (one of: {', '.join(KINDS)})")
        if self.kind == "power":
            if self.setup is not None:
                raise ArgumentError("production.setup", "only with kind power_with_setup or barrier")
        else:
            s = np.asarray(self.setup, dtype=float) if self.setup is not None else None
            if s is None or s.ndim != 2 or s.shape[0] != 2:
                raise ArgumentError("production.setup", f"needs shape (2, n) for kind {self.kind}, got {np.shape(self.setup)}")
            if not (np.isfinite(s).all() and (s >= 0).all()):
                raise ArgumentError("production.setup", "entries must be finite and >= 0")
            object.__setattr__(self, "setup", s)
        if not (np.isfinite(self.ramp) and self.ramp > 1):
            raise ArgumentError("production.ramp", f"must be > 1, got {self.ramp!r}")

    @property
    def is_power(self) -> bool:
        """True when every f_ij is e_ij l^alpha_ij at every l (kind ``power``)."""
        return self.kind == "power"

    @property
    def specialized_as_power(self) -> bool:
        """True when specialized equilibria and the boundary curves B, B1 are those of ``power``
        exactly: kind ``power``, and ``barrier`` (f' = f above d_ij L_j, the Observation)."""
        return self.kind in ("power", "barrier")

    def mirrored(self) -> "Production":
        """The same production with the two countries swapped (rows of ``setup``).

        Returns
        -------
        Production
            ``self`` when there are no set-up sizes (kind ``power``), else a copy with
            ``setup[::-1]``.
        """
        if self.setup is None:
            return self
        return Production(self.kind, self.setup[::-1].copy(), self.ramp)

    def describe(self) -> dict:
        """JSON-able description (summary.json ``production``).

        Returns
        -------
        dict
            ``kind``; ``setup`` ((2, n) nested lists, labor units) when set; ``ramp`` for ``barrier``.
        """
        out: dict = {"kind": self.kind}
        if self.setup is not None:
            out["setup"] = self.setup.tolist()
        if self.kind == "barrier":
            out["ramp"] = self.ramp
        return out


POWER = Production()


def _params(data: "GomoryData", j: int, goods):
    """Per-good parameters of country j (indexed by ``goods`` if given): ln e, alpha, s, ln(d L).

    ln(d_ij L_j) is formed as ln d_ij + ln L_j, the same sum as the autarky labor's logarithm
    (:func:`log_autarky_output`), so autarky output is on the power side of the barrier exactly."""
    sel = slice(None) if goods is None else goods
    prod = data.production
    s = None if prod.setup is None else prod.setup[j][sel]
    with np.errstate(divide="ignore"):
        log_dL = np.log(data.d[j]) + np.log(data.L[j])
    return np.log(data.e[j])[sel], data.alpha[j][sel], s, log_dL[sel]


def log_output(data: "GomoryData", j: int, log_l: np.ndarray, goods: np.ndarray | None = None) -> np.ndarray:
    """ln f_ij(l) of country j (row j = country j + 1) at labor l given in logs, vectorized.

    Parameters
    ----------
    data : GomoryData
        The instance (its ``production`` kind, e_ij, alpha_ij, d_ij, L_j).
    j : int
        Country row (0: country 1, 1: country 2).
    log_l : numpy.ndarray
        ln l_ij, labor in labor units, shape (..., n), or broadcast with ``goods``.
    goods : integer good indices (0-based) that the last axis of ``log_l`` holds; all n if None.

    Returns
    -------
    numpy.ndarray
        ln f_ij(l) (Assumption 1; ``models/gomory.md``): ``-inf`` where output is zero
        (l <= s_ij with a set-up interval or a barrier).
    """
    log_e, alpha, s, log_dL = _params(data, j, goods)
    kind = data.production.kind
    if kind == "power":
        return log_e + alpha * log_l
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.exp(np.log(s) - log_l)                    # s / l without overflow (0 when s = 0)
        log_excess = log_l + np.log1p(-np.minimum(ratio, 1.0))   # ln(l - s); -inf at l <= s
        if kind == "power_with_setup":
            return np.where(ratio < 1.0, log_e + alpha * log_excess, -np.inf)
        # barrier: the power law above d L, the ramp between s and d L, zero below s
        ramp = data.production.ramp
        rising = log_e + alpha * log_dL + ramp * (log_excess - np.log(np.exp(log_dL) - s))
        return np.where(log_l >= log_dL, log_e + alpha * log_l, np.where(ratio < 1.0, rising, -np.inf))


def elasticity(data: "GomoryData", j: int, log_l: np.ndarray, goods: np.ndarray | None = None) -> np.ndarray:
    """Output elasticity d ln f_ij / d ln l of country j at labor l (given in logs), vectorized.

    ``power``: alpha_ij; ``power_with_setup``: alpha_ij l / (l - s_ij); ``barrier``: ramp
    l / (l - s_ij) between s_ij and d_ij L_j, alpha_ij above (one-sided from above at d_ij L_j).
    It replaces alpha in the mixed equilibria's cost equations and their stability Jacobian
    (d ln AC_ij / d ln l = 1 - elasticity, AC_ij = w_j l / f_ij(l)).

    Parameters
    ----------
    data, j, log_l, goods : as :func:`log_output`.

    Returns
    -------
    numpy.ndarray
        The elasticity (dimensionless, >= 1 where output is positive); ``inf`` at l <= s_ij.
    """
    log_e, alpha, s, log_dL = _params(data, j, goods)
    kind = data.production.kind
    if kind == "power":
        return np.broadcast_to(alpha, np.broadcast_shapes(np.shape(alpha), np.shape(log_l))).astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.exp(np.log(s) - log_l)                    # s / l
        stretch = np.where(ratio < 1.0, 1.0 / (1.0 - np.minimum(ratio, 1.0)), np.inf)   # l / (l - s)
        if kind == "power_with_setup":
            return alpha * stretch
        return np.where(log_l >= log_dL, alpha * np.ones_like(stretch), data.production.ramp * stretch)


def log_autarky_output(data: "GomoryData") -> np.ndarray:
    """(2, n) ln f_ij(d_ij L_j), autarky output (Assumption 2: finite wherever d_ij > 0).

    Parameters
    ----------
    data : GomoryData
        The instance (demand shares d, labor L, production).

    Returns
    -------
    numpy.ndarray
        Shape (2, n): log of the output of good i in country j when it spends the share d_ij of
        its labor L_j on it.  Entries with d_ij = 0 (the good is not bought) are 0 (they enter
        utilities with weight 0).
    """
    out = np.zeros_like(data.d)
    for j in range(2):
        pos = data.d[j] > 0
        log_l = np.log(np.where(pos, data.d[j], 1.0)) + np.log(data.L[j])
        out[j] = np.where(pos, log_output(data, j, log_l), 0.0)
    return out
