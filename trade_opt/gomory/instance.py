"""Gomory instance files and their numpy form.

Schema (TOML or JSON; names fixed so instances can be written by hand)::

    model = "gomory"
    name = "table1"
    description = "..."
    labor = [8.0, 4.0]                  # L1, L2
    demand = [[...n...], [...n...]]     # d_i1, d_i2; each row renormalized to sum 1
    efficiency = [[...n...], [...n...]] # e_i1, e_i2 > 0
    exponent = [...n...]                # alpha_i > 1, or [[...n...], [...n...]] for alpha_ij

    [production]                        # optional; default kind = "power": f = e l^alpha
    kind = "power_with_setup"           # f = e max(0, l - s)^alpha, alpha >= 1; or "barrier"
    setup = [[...n...], [...n...]]      # s_ij labor units, 0 <= s_ij < d_ij L_j (Assumption 2)
    ramp = 2.0                          # barrier only: f' rises as ((l - s)/(d L - s))^ramp, ramp > 1

The production kinds are described in :mod:`trade_opt.gomory.production`.

Conventions (``models/gomory.md``): country index j = 1, 2 is row 0, 1; good order is the file's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, Optional, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from trade_opt.errors import ArgumentError, FieldError, InputError
from trade_opt.gomory.production import DEFAULT_RAMP, POWER, Production
from trade_opt.instances import InstanceBase, check_size, validate_as

#: Most goods n: the boundary job holds (grid x n) arrays (201 Y values x 8 bytes x n, 160 MB at
#: n = 10^5) and the DP/MIP rows grow with n.  (The main job enumerates the 2^n - 2 patterns only
#: up to trade_opt.gomory.job.SPECIALIZED_LIMIT and reports the stage as skipped beyond.)
MAX_GOODS = 100_000


#: Positive labor, efficiency and raw demand values must lie in [VALUE_MIN, VALUE_MAX]; a positive
#: demand share must be at least SHARE_MIN of its row's sum.  The maths works in logs, but a few
#: products of two parameters (V_i(Y) = d_i1 Y + d_i2 (1 - Y) with Y itself a ratio of shares) must
#: stay inside double precision: with these bounds no product under- or overflows.
VALUE_MIN, VALUE_MAX = 1e-100, 1e100
SHARE_MIN = 1e-100


def _check_range(field: str, value: float) -> None:
    if not VALUE_MIN <= value <= VALUE_MAX:
        raise FieldError(field, f"must lie in [{VALUE_MIN:g}, {VALUE_MAX:g}] (beyond, products of parameters leave "
                         f"double precision), got {value!r}")


def _check_matrix(name: str, rows: list[list[float]], n: int | None) -> int:
    if len(rows) != 2:
        raise FieldError(name, f"needs 2 rows (country 1, country 2), got {len(rows)}")
    if n is None:
        n = len(rows[0])
    for j, row in enumerate(rows):
        if len(row) != n:
            raise FieldError(f"{name}[{j}]", f"has {len(row)} entries, expected n = {n} (lengths differ)")
    return n


class ProductionSpec(BaseModel):
    """The optional ``[production]`` table (:mod:`trade_opt.gomory.production`)."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)
    kind: Literal["power", "power_with_setup", "barrier"] = "power"
    setup: Optional[list[list[float]]] = None
    ramp: Optional[float] = None


def _check_production(spec: ProductionSpec, demand: list[list[float]], labor: list[float]) -> None:
    """The ``[production]`` table against the instance: shape, 0 <= s_ij < d_ij L_j (Assumption 2),
    ramp > 1 (barrier only)."""
    n = len(demand[0])
    if spec.kind == "power":
        for key in ("setup", "ramp"):
            if getattr(spec, key) is not None:
                raise FieldError(f"production.{key}", "only with kind = \"power_with_setup\" or \"barrier\" "
                                 "(kind is \"power\", the default)")
        return
    if spec.setup is None:
        raise FieldError("production.setup", f"required with kind = {spec.kind!r}: set-up labor s_ij, shape (2, n)")
    _check_matrix("production.setup", spec.setup, n)
    if spec.ramp is not None:
        if spec.kind != "barrier":
            raise FieldError("production.ramp", f"only with kind = \"barrier\", got kind = {spec.kind!r}")
        if not spec.ramp > 1:
            raise FieldError("production.ramp", f"must be > 1 (the barrier rises with (l - s)^ramp), got {spec.ramp!r}")
        _check_range("production.ramp", spec.ramp)
    for j in range(2):
        total = math.fsum(demand[j])
        for i, s in enumerate(spec.setup[j]):
            field = f"production.setup[{j}][{i}]"
            if s < 0:
                raise FieldError(field, f"set-up labor must be >= 0, got {s!r}")
            autarky_labor = demand[j][i] / total * labor[j]
            if not (s < autarky_labor or s == autarky_labor == 0):   # a good the country does not buy: s = 0
                raise FieldError(field, f"must be < d_ij L_j = {autarky_labor!r}, the autarky labor of good {i + 1} in "
                                 f"country {j + 1} (Assumption 2: f(d_ij L_j) > 0), got {s!r}")


def _check_exponents(spec: ProductionSpec, cells: list[tuple[str, float, int, int]]) -> None:
    """alpha_ij > 1 (kinds power, barrier) or >= 1 with a set-up interval (power_with_setup;
    alpha_ij = 1 needs s_ij > 0, Assumption 1).  ``cells``: (field, alpha, j, i)."""
    for field, alpha, j, i in cells:
        if spec.kind == "power_with_setup":
            if alpha < 1:
                raise FieldError(field, f"production exponent must be >= 1 with kind power_with_setup "
                                 f"(Assumption 1: f/l increasing), got {alpha!r}")
            if alpha == 1 and spec.setup[j][i] == 0:
                raise FieldError(field, f"exponent 1 needs a set-up interval, production.setup[{j}][{i}] > 0 "
                                 "(Assumption 1: with s = 0, f/l is constant; the paper's Ricardo case is preceded "
                                 "by an interval of zero output)")
        elif alpha <= 1:
            raise FieldError(field, f"production exponent must be > 1 (increasing returns), got {alpha!r}")


class GomoryInstance(InstanceBase):
    """A validated Gomory (1991) instance as read from a file (raw, not renormalized)."""

    model: Literal["gomory"]
    labor: list[float]
    demand: list[list[float]]
    efficiency: list[list[float]]
    exponent: list[float] | list[list[float]]
    production: ProductionSpec = ProductionSpec()

    @model_validator(mode="after")
    def _check(self) -> "GomoryInstance":
        for field in ("demand", "efficiency", "exponent"):
            rows = getattr(self, field)
            longest = max((len(r) if isinstance(r, list) else 1 for r in rows), default=0)
            check_size(field, max(longest, len(rows) if field == "exponent" else 0), MAX_GOODS, "goods",
                       "the boundary arrays need about 1.6 kB x n")
        if len(self.labor) != 2:
            raise FieldError("labor", f"needs 2 entries [L1, L2], got {len(self.labor)}")
        for j, value in enumerate(self.labor):
            if value <= 0:
                raise FieldError(f"labor[{j}]", f"labor supply must be > 0, got {value!r}")
            _check_range(f"labor[{j}]", value)
        n = _check_matrix("demand", self.demand, None)
        if n < 2:
            raise FieldError("demand", f"needs at least n = 2 goods, got {n}")
        _check_matrix("efficiency", self.efficiency, n)
        for j in range(2):
            for i, value in enumerate(self.demand[j]):
                if value < 0:
                    raise FieldError(f"demand[{j}][{i}]", f"demand share must be >= 0, got {value!r}")
                if value > 0:
                    _check_range(f"demand[{j}][{i}]", value)
            total = math.fsum(self.demand[j])
            if total <= 0:
                raise FieldError(f"demand[{j}]", f"country {j + 1} has all-zero demand")
            for i, value in enumerate(self.demand[j]):
                if 0 < value < SHARE_MIN * total:
                    raise FieldError(f"demand[{j}][{i}]", f"a positive demand share must be >= {SHARE_MIN:g} of its row's sum "
                                     f"(got {value / total:.3g}); use 0 for a good the country does not buy")
            for i, value in enumerate(self.efficiency[j]):
                if value <= 0:
                    raise FieldError(f"efficiency[{j}][{i}]", f"efficiency must be > 0, got {value!r}")
                _check_range(f"efficiency[{j}][{i}]", value)
        for i in range(n):
            if self.demand[0][i] == 0 and self.demand[1][i] == 0:
                raise FieldError(f"demand[*][{i}]", f"good {i + 1} has zero demand in both countries")
        if self.exponent and isinstance(self.exponent[0], list):
            _check_matrix("exponent", self.exponent, n)  # type: ignore[arg-type]
            cells = [(f"exponent[{j}][{i}]", v, j, i) for j, row in enumerate(self.exponent) for i, v in enumerate(row)]  # type: ignore[arg-type]
        else:
            if len(self.exponent) != n:
                raise FieldError("exponent", f"has {len(self.exponent)} entries, expected n = {n} (lengths differ)")
            cells = [(f"exponent[{i}]", v, j, i) for j in range(2) for i, v in enumerate(self.exponent)]
        _check_production(self.production, self.demand, self.labor)
        _check_exponents(self.production, cells)
        return self

    @property
    def n(self) -> int:
        """Number of goods.

        Returns
        -------
        int
        """
        return len(self.demand[0])

    def data(self) -> "GomoryData":
        """The numpy arrays the maths uses (demands renormalized to sum 1 per country).

        Returns
        -------
        GomoryData
            Per-good exponents copied to both countries; the raw row sums kept as ``demand_row_sums``.
        """
        d = np.asarray(self.demand, dtype=float)
        alpha = np.asarray(self.exponent, dtype=float)
        if alpha.ndim == 1:
            alpha = np.vstack([alpha, alpha])
        return GomoryData(
            d=d / d.sum(axis=1, keepdims=True),
            e=np.asarray(self.efficiency, dtype=float),
            alpha=alpha,
            L=np.asarray(self.labor, dtype=float),
            demand_row_sums=d.sum(axis=1),
            production=self.production_functions(),
        )

    def production_functions(self) -> Production:
        """The :class:`~trade_opt.gomory.production.Production` of the ``[production]`` table.

        Returns
        -------
        Production
            :data:`~trade_opt.gomory.production.POWER` for kind ``power``.
        """
        spec = self.production
        if spec.kind == "power":
            return POWER
        return Production(spec.kind, np.asarray(spec.setup, dtype=float),
                          DEFAULT_RAMP if spec.ramp is None else float(spec.ramp))


@dataclass(frozen=True, eq=False)
class GomoryData:
    """Numpy arrays of a Gomory instance; row j is country j + 1, column i is good i + 1.

    Attributes
    ----------
    d : (2, n) demand shares, each row sums to 1 (renormalized from the file).
    e : (2, n) efficiencies e_ij in f_ij(l) = e_ij l^alpha_ij.
    alpha : (2, n) production exponents alpha_ij > 1.
    L : (2,) labor supplies L_1, L_2.
    demand_row_sums : (2,) the demand rows' sums before renormalization (1.07, 1.20 for Table 1).
    production : the production functions' kind and set-up labor
        (:class:`~trade_opt.gomory.production.Production`; default f = e l^alpha).
    """

    d: np.ndarray
    e: np.ndarray
    alpha: np.ndarray
    L: np.ndarray
    demand_row_sums: np.ndarray
    production: Production = POWER

    def __post_init__(self) -> None:
        """Validate at entry (Python API): shapes (2, n) / (2,), finite values, d >= 0, e > 0, L > 0,
        set-up labor of shape (2, n) with s_ij < d_ij L_j."""
        check_gomory_arrays(self.d, self.e, self.alpha, self.L)
        s = self.production.setup
        if s is not None:
            if s.shape != self.d.shape:
                raise ArgumentError("production.setup", f"must have shape {self.d.shape}, got {s.shape}")
            autarky_labor = self.d * self.L[:, None]
            bad = np.argwhere(~((s < autarky_labor) | ((s == 0) & (autarky_labor == 0))))
            if len(bad):
                j, i = (int(v) for v in bad[0])
                raise ArgumentError(f"production.setup[{j}][{i}]", f"must be < d_ij L_j = {self.d[j, i] * self.L[j]!r} "
                                    f"(Assumption 2: f(d_ij L_j) > 0), got {s[j, i]!r}")

    @property
    def n(self) -> int:
        """Number of goods.

        Returns
        -------
        int
        """
        return self.d.shape[1]

    def mirrored(self) -> "GomoryData":
        """The instance with the two countries swapped.

        Pattern x becomes 1 - x, Y becomes 1 - Y and u_1 <-> u_2, so country 2's curves
        (B_2, B1_2 at Y_2 = 1 - Y) are country 1's of the mirror.

        Returns
        -------
        GomoryData
        """
        return GomoryData(d=self.d[::-1].copy(), e=self.e[::-1].copy(), alpha=self.alpha[::-1].copy(),
                          L=self.L[::-1].copy(), demand_row_sums=self.demand_row_sums[::-1].copy(),
                          production=self.production.mirrored())

    def replace(self, **changes: Any) -> "GomoryData":
        """A copy with some arrays replaced (``production`` kept unless given), validated again.

        Parameters
        ----------
        **changes
            Field name -> new value (``d``, ``e``, ``alpha``, ``L``, ``demand_row_sums``, ``production``).

        Returns
        -------
        GomoryData

        Raises
        ------
        ArgumentError
            If the new arrays fail the checks of :func:`check_gomory_arrays` or the set-up labor check.
        """
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return GomoryData(**(fields | changes))

    @classmethod
    def from_arrays(
        cls,
        demand: Sequence[Sequence[float]],
        efficiency: Sequence[Sequence[float]],
        exponent: Sequence[float] | Sequence[Sequence[float]],
        labor: Sequence[float] = (1.0, 1.0),
        production: Production | None = None,
    ) -> "GomoryData":
        """Build (and validate, as an instance file would be) from array-likes.

        Parameters
        ----------
        demand : (2, n) array-like
            Demand shares d_ij (renormalized to sum 1 per country).
        efficiency : (2, n) array-like
            Efficiencies e_ij in f_ij(l) = e_ij l^alpha_ij (Eq. 3).
        exponent : (n,) or (2, n) array-like
            Exponents alpha > 1 (a per-good exponent is copied to both countries).
        labor : (2,) array-like
            Labor supplies L_1, L_2 (labor units).
        production : Production, optional
            Production kind and set-up labor, checked as the ``[production]`` table (default f = e l^alpha).

        Returns
        -------
        GomoryData

        Raises
        ------
        ArgumentError
            (a ValueError) naming the argument and the entry: ragged or non-numeric arrays, and
            everything an instance file is checked for.

        Examples
        --------
        >>> data = GomoryData.from_arrays([[1, 3], [1, 1]], [[1, 1], [1, 1]], [1.5, 2.0], labor=[2, 1])
        >>> data.d.tolist(), data.alpha.tolist(), data.n
        ([[0.25, 0.75], [0.5, 0.5]], [[1.5, 2.0], [1.5, 2.0]], 2)
        """
        raw = {"model": "gomory", "labor": as_float_array("labor", labor).tolist(),
               "demand": as_float_array("demand", demand).tolist(),
               "efficiency": as_float_array("efficiency", efficiency).tolist(),
               "exponent": as_float_array("exponent", exponent).tolist()}
        if production is not None and not production.is_power:
            raw["production"] = {"kind": production.kind, "setup": production.setup.tolist()}
            if production.kind == "barrier":
                raw["production"]["ramp"] = float(production.ramp)
        try:
            return validate_as(GomoryInstance, raw, "<arrays>").data()
        except InputError as exc:
            raise ArgumentError(exc.field, exc.reason) from None


def as_float_array(argument: str, value: Any) -> np.ndarray:
    """``value`` as a float array, or :class:`ArgumentError` naming ``argument`` (ragged, not numeric).

    Parameters
    ----------
    argument : str
        Name shown in the error.
    value : Any
        Array-like.

    Returns
    -------
    numpy.ndarray
        float64.

    Raises
    ------
    ArgumentError
        If ``value`` is ragged or not numeric.
    """
    try:
        return np.asarray(value, dtype=float)
    except (ValueError, TypeError) as exc:
        reason = "ragged (rows of different lengths)" if "inhomogeneous" in str(exc) or "sequence" in str(exc) else f"not numeric ({exc})"
        raise ArgumentError(argument, reason) from None


def check_gomory_arrays(d: np.ndarray, e: np.ndarray, alpha: np.ndarray, L: np.ndarray) -> None:
    """Shapes and values of :class:`GomoryData`'s arrays; :class:`ArgumentError` names the array.

    Parameters
    ----------
    d, e, alpha : numpy.ndarray
        Demand shares (>= 0), efficiencies (> 0), exponents; each shape (2, n).
    L : numpy.ndarray
        Labor supplies (> 0), shape (2,).

    Returns
    -------
    None

    Raises
    ------
    ArgumentError
        Naming the array (and entry): wrong type or shape, a non-finite value, d < 0, e <= 0 or L <= 0.
    """
    n = np.shape(d)[1] if np.ndim(d) == 2 else -1
    for name, arr, shape in (("d", d, (2, n)), ("e", e, (2, n)), ("alpha", alpha, (2, n)), ("L", L, (2,))):
        if not isinstance(arr, np.ndarray) or arr.shape != shape or n < 1:
            raise ArgumentError(name, f"must be a float array of shape {shape if n >= 1 else '(2, n)'}, got {np.shape(arr)}")
        if not np.isfinite(arr).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise ArgumentError(name + "".join(f"[{i}]" for i in bad), f"must be finite, got {float(arr[bad])!r}")
    for name, arr, ok, what in (("d", d, d >= 0, ">= 0"), ("e", e, e > 0, "> 0"), ("L", L, L > 0, "> 0")):
        if not ok.all():
            bad = tuple(int(i) for i in np.argwhere(~ok)[0])
            raise ArgumentError(name + "".join(f"[{i}]" for i in bad), f"must be {what}, got {float(arr[bad])!r}")
