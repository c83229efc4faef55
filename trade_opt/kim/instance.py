"""Kim (1999) instance files and their numpy form.

Schema (TOML or JSON; names fixed, see ``instances/kim_nafta3.toml``)::

    model = "kim"
    name = "nafta3"
    regions = ["US", "CA", "MX"]
    wage = [1.00, 0.92, 0.85]          # W(g) > 0
    income = [10.0, 4.0, 5.0]          # I(g) >= 0, sum > 0
    alpha = [0.10, 0.05]               # budget shares of A1, A2 (eq. 1, 10): > 0, sum <= 1
    mu = [0.8333333333333334, 0.75]    # CES parameters of A1, A2 (eq. 1), in (0, 1)
    beta = [0.30, 0.15]                # F share of assemblers' variable cost (eq. 2), in (0, 1)
    eta = 0.875                        # CES parameter of F (eq. 2), in (0, 1)
    rho = 0.875                        # CES parameter of S (eq. 4), in (0, 1)
    delta = 0.30                       # S share of first-tier variable cost (eq. 4), in (0, 1)
    a_SL = 1.0                         # labour per unit of S (eq. 6), > 0
    f_AL = [0.02, 0.02]                # fixed labour per assembler type (eq. 3), > 0
    f_FL = 0.01                        # (eq. 5), > 0
    f_SL = 0.002                       # (eq. 6), > 0
    [transport]                        # markups "plus one" (eq. 7-8), ad valorem on the mill price
    T = 2.0                            # scalar markup between distinct regions, 1 inside a region ...
    # ... and/or full J x J matrices (row = origin, column = destination): T_A1, T_A2, T_F, T_S.
    # A matrix given overrides the scalar for that good; without T all four matrices are required.
    # ... or a transport network (``instances/kim_corridor5.toml``, :mod:`trade_opt.kim.network`):
    [transport.network]
    border_tariff = 0.10               # tariff of a link between blocs without its own ``tariff``
    blocs = {West = ["US", "CA"], South = ["MX"]}   # optional
    freight = {A1 = 1.0, A2 = 1.0, F = 0.8, S = 0.6} # optional freight rate per class (default 1)
    route = "min_markup"               # or "min_freight"
    links = [{from = "US", to = "CA", length = 0.3}, {from = "US", to = "MX", length = 0.5, tariff = 0.15}]
    [scenarios.bloc]                   # optional named scenarios (need a network)
    open_borders = [["West", "South"]] # also: add_links = [...], open_links = [["US", "MX"]], freight_scale = 1.2

Precedence (``transport``): an explicit matrix > the network > the scalar ``T``.  The network
builds every class that has no explicit matrix.  Conflicts are errors: ``T`` together with a
network; a class with an explicit matrix named in ``network.freight``; a network when all four
matrices are explicit (it would be unused); scenarios without a network.

Every markup must be >= 1 (a markup "plus one", eq. 7); the diagonal may differ from 1 (the
model allows intra-regional markups, ``models/kim_location.md``, Conventions).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from trade_opt.errors import FieldError
from trade_opt.instances import InstanceBase, check_size

#: Most regions J: the free-entry MCP has 4 J^2 transport terms in its price indices (Pyomo: about
#: 1 kB each) and a dense (4J x 4J) Jacobian, about 1 GB at J = 500; 10^6 regions asked for 7 TiB.
MAX_REGIONS = 500
from trade_opt.kim.network import CLASSES, KimNetwork, KimScenario, NetworkMarkups, network_graph, network_markups

_MATRICES = ("T_A1", "T_A2", "T_F", "T_S")


class KimTransport(BaseModel):
    """The ``[transport]`` table: a scalar ``T`` or a ``network``, and/or J x J markup matrices."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)

    T: Optional[float] = None
    T_A1: Optional[list[list[float]]] = None
    T_A2: Optional[list[list[float]]] = None
    T_F: Optional[list[list[float]]] = None
    T_S: Optional[list[list[float]]] = None
    network: Optional[KimNetwork] = None


def _check_positive(field: str, values: list[float], *, allow_zero: bool = False) -> None:
    for i, value in enumerate(values):
        if value < 0 or (value == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise FieldError(f"{field}[{i}]", f"must be {bound}, got {value!r}")


def _check_open_unit(field: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise FieldError(field, f"must lie in (0, 1), got {value!r}")


def _check_pair(field: str, values: list[float]) -> None:
    if len(values) != 2:
        raise FieldError(field, f"needs 2 entries (A1, A2), got {len(values)}")


def _check_markups(field: str, rows: list[list[float]], J: int) -> None:
    if len(rows) != J:
        raise FieldError(field, f"must be J x J with J = {J} regions, got {len(rows)} rows")
    for k, row in enumerate(rows):
        if len(row) != J:
            raise FieldError(f"{field}[{k}]", f"must have J = {J} entries, got {len(row)} (matrix not J x J)")
        for g, value in enumerate(row):
            if value < 1.0:
                raise FieldError(f"{field}[{k}][{g}]", f"transport markup must be >= 1 (markup plus one, eq. 7-8), got {value!r}")


class KimInstance(InstanceBase):
    """A validated Kim (1999) instance as read from a file (units: wage and income in the numeraire)."""

    model: Literal["kim"]
    regions: list[str]
    wage: list[float]
    income: list[float]
    alpha: list[float]
    mu: list[float]
    beta: list[float]
    eta: float
    rho: float
    delta: float
    a_SL: float
    f_AL: list[float]
    f_FL: float
    f_SL: float
    transport: KimTransport
    scenarios: dict[str, KimScenario] = {}

    @model_validator(mode="after")
    def _check(self) -> "KimInstance":
        J = len(self.regions)
        check_size("regions", J, MAX_REGIONS, "regions", "the MCP needs about 4 kB x J^2 of memory")
        if J < 1:
            raise FieldError("regions", "needs at least one region")
        if len(set(self.regions)) != J:
            raise FieldError("regions", "region names must be distinct")
        for field in ("wage", "income"):
            got = len(getattr(self, field))
            if got != J:
                raise FieldError(field, f"has {got} entries, expected J = {J} (one per region; lengths differ)")
        _check_positive("wage", self.wage)
        _check_positive("income", self.income, allow_zero=True)
        if math.fsum(self.income) <= 0:
            raise FieldError("income", "total income must be > 0")
        for field in ("alpha", "mu", "beta", "f_AL"):
            _check_pair(field, getattr(self, field))
        _check_positive("alpha", self.alpha)
        if math.fsum(self.alpha) > 1:
            raise FieldError("alpha", f"budget shares must sum to <= 1 (eq. 1), got {math.fsum(self.alpha)!r}")
        for field in ("mu", "beta"):
            for h, value in enumerate(getattr(self, field)):
                _check_open_unit(f"{field}[{h}]", value)
        for field in ("eta", "rho", "delta"):
            _check_open_unit(field, getattr(self, field))
        for field in ("a_SL", "f_FL", "f_SL"):
            if getattr(self, field) <= 0:
                raise FieldError(field, f"must be > 0, got {getattr(self, field)!r}")
        _check_positive("f_AL", self.f_AL)
        self._check_transport(J)
        return self

    def _check_transport(self, J: int) -> None:
        tr = self.transport
        if tr.T is not None and tr.T < 1.0:
            raise FieldError("transport.T", f"transport markup must be >= 1 (markup plus one, eq. 7-8), got {tr.T!r}")
        net = tr.network
        if net is not None and tr.T is not None:
            raise FieldError("transport.T", "conflicts with transport.network: give a scalar T or a network, not both")
        for name in _MATRICES:
            rows = getattr(tr, name)
            if rows is None:
                if tr.T is None and net is None:
                    raise FieldError(f"transport.{name}", "required when neither a scalar transport.T nor a transport.network is given")
                continue
            _check_markups(f"transport.{name}", rows, J)
            if net is not None and name[2:] in (net.freight or {}):
                raise FieldError(f"transport.network.freight.{name[2:]}",
                                 f"conflict: class {name[2:]} has an explicit matrix transport.{name} (which takes precedence)")
        if net is not None:
            if not self.network_classes():
                raise FieldError("transport.network", "conflict: all four matrices are explicit, so the network would be unused")
            network_graph(net, self.regions)  # validates the graph (errors name the field)
        if self.scenarios and net is None:
            raise FieldError("scenarios", "scenarios change the transport network: they need transport.network")
        for name, scenario in self.scenarios.items():
            network_graph(net, self.regions, scenario, scenario_field=f"scenarios.{name}")

    def network_classes(self) -> tuple[str, ...]:
        """Good classes whose markups come from the network (those without an explicit matrix).

        Returns
        -------
        tuple of str
            Subset of :data:`trade_opt.kim.network.CLASSES`; empty without a network.
        """
        tr = self.transport
        if tr.network is None:
            return ()
        return tuple(c for c in CLASSES if getattr(tr, f"T_{c}") is None)

    def markups(self, scenario: str | None = None) -> NetworkMarkups:
        """Markups built from the network (after the named scenario) for :meth:`network_classes`.

        Parameters
        ----------
        scenario : str, optional
            Name of a ``[scenarios.NAME]`` table; None (default) for the baseline network.

        Returns
        -------
        NetworkMarkups
            Markups, freight costs, tariff factors and routes per network-built class.

        Raises
        ------
        FieldError
            If the instance has no transport network, or the scenario is unknown.
        """
        if self.transport.network is None:
            raise FieldError("transport.network", "this instance has no transport network")
        if scenario is not None and scenario not in self.scenarios:
            known = ", ".join(self.scenarios) or "none"
            raise FieldError("scenarios", f"unknown scenario {scenario!r} (scenarios: {known})")
        sc = None if scenario is None else self.scenarios[scenario]
        return network_markups(self.transport.network, self.regions, sc, self.network_classes())

    @property
    def J(self) -> int:
        """Number of regions J.

        Returns
        -------
        int
        """
        return len(self.regions)

    def data(self, scenario: str | None = None) -> "KimData":
        """The numpy arrays the maths uses (see :class:`KimData`), after a named network scenario.

        Markups: explicit matrix > network (``scenario`` applied) > scalar T (module docstring).

        Parameters
        ----------
        scenario : str, optional
            Network scenario to apply; None (default) for the baseline.

        Returns
        -------
        KimData
            Wages, incomes, parameters and markup matrices (row = origin, column = destination).

        Raises
        ------
        FieldError
            If ``scenario`` is given and the instance has no network, or the scenario is unknown.

        Examples
        --------
        >>> from trade_opt.instances import load_instance
        >>> d = load_instance("instances/kim_nafta3.toml").data()
        >>> d.J, d.T_A.shape
        (3, (2, 3, 3))
        """
        J = self.J
        tr = self.transport
        built = self.markups(scenario).T if tr.network is not None else {}
        if scenario is not None and tr.network is None:
            self.markups(scenario)  # raises: no network

        def matrix(name: str) -> np.ndarray:
            """The J x J markup matrix of one good: explicit, network-built or scalar, in that order.

            Parameters
            ----------
            name : str
                ``"T_A1"``, ``"T_A2"``, ``"T_F"`` or ``"T_S"``.

            Returns
            -------
            ndarray, shape (J, J)
            """
            rows = getattr(tr, name)
            if rows is not None:
                return np.asarray(rows, dtype=float)
            if name[2:] in built:
                return built[name[2:]]
            return scalar_markups(J, tr.T)

        return KimData(
            W=np.asarray(self.wage, dtype=float),
            I=np.asarray(self.income, dtype=float),
            alpha=np.asarray(self.alpha, dtype=float),
            mu=np.asarray(self.mu, dtype=float),
            beta=np.asarray(self.beta, dtype=float),
            eta=float(self.eta),
            rho=float(self.rho),
            delta=float(self.delta),
            a_SL=float(self.a_SL),
            f_A=np.asarray(self.f_AL, dtype=float),
            f_F=float(self.f_FL),
            f_S=float(self.f_SL),
            T_A=np.stack([matrix("T_A1"), matrix("T_A2")]),
            T_F=matrix("T_F"),
            T_S=matrix("T_S"),
            regions=tuple(self.regions),
        )


def scalar_markups(J: int, T: float) -> np.ndarray:
    """J x J markups: ``T`` between distinct regions, 1 inside a region.

    Parameters
    ----------
    J : int
        Number of regions.
    T : float
        Markup between regions (>= 1, "plus one", ad valorem on the mill price; eq. 7-8).

    Returns
    -------
    ndarray, shape (J, J)

    Examples
    --------
    >>> scalar_markups(2, 1.5).tolist()
    [[1.0, 1.5], [1.5, 1.0]]
    """
    out = np.full((J, J), float(T))
    np.fill_diagonal(out, 1.0)
    return out


@dataclass(frozen=True, eq=False)
class KimData:
    """Numpy arrays of a Kim instance.  Index 0..J-1 is the region; h = 0, 1 is A_1, A_2.

    Attributes
    ----------
    W, I : numpy.ndarray, shape (J,)
        Wage W(g) and income I(g) (numeraire units).
    alpha, mu, beta : numpy.ndarray, shape (2,)
        Budget shares, CES parameters and F cost shares of A_1, A_2 (eq. 1, 2).
    eta, rho, delta, a_SL : float
        CES parameters of F and S, S share of first-tier cost, labour per unit of S (eq. 2, 4, 6).
    f_A : numpy.ndarray, shape (2,)
        Fixed labour of an A_h firm (eq. 3).
    f_F, f_S : float
        Fixed labour of F and S firms (eq. 5, 6).
    T_A : numpy.ndarray, shape (2, J, J)
        Markups T_Ah(k, g), row = origin k, column = destination g (eq. 7-8).
    T_F : numpy.ndarray, shape (J, J)
        T_F(j, k).
    T_S : numpy.ndarray, shape (J, J)
        T_S(i, j).
    regions : tuple of str
        Region names.
    """

    W: np.ndarray
    I: np.ndarray
    alpha: np.ndarray
    mu: np.ndarray
    beta: np.ndarray
    eta: float
    rho: float
    delta: float
    a_SL: float
    f_A: np.ndarray
    f_F: float
    f_S: float
    T_A: np.ndarray
    T_F: np.ndarray
    T_S: np.ndarray
    regions: tuple[str, ...] = ()

    @property
    def J(self) -> int:
        """Number of regions J.

        Returns
        -------
        int
        """
        return self.W.shape[0]

    @property
    def omega(self) -> np.ndarray:
        """omega_h = mu_h / (1 - mu_h) = sigma_h - 1 (eq. 11).

        Returns
        -------
        ndarray, shape (2,)
        """
        return self.mu / (1.0 - self.mu)

    @property
    def eps(self) -> float:
        """eps = eta / (1 - eta) = sigma_F - 1 (eq. 15).

        Returns
        -------
        float
        """
        return self.eta / (1.0 - self.eta)

    @property
    def theta(self) -> float:
        """theta = rho / (1 - rho) = sigma_S - 1 (eq. 21).

        Returns
        -------
        float
        """
        return self.rho / (1.0 - self.rho)

    @property
    def fixed_labour(self) -> np.ndarray:
        """Fixed labour per firm of the tiers A_1, A_2, F, S (eq. 3, 5, 6).

        Returns
        -------
        ndarray, shape (4,)
            (f_AL_1, f_AL_2, f_FL, f_SL), labour units.
        """
        return np.array([self.f_A[0], self.f_A[1], self.f_F, self.f_S])

    def replace(self, **changes) -> "KimData":
        """A copy with some arrays replaced (no re-validation; callers pass valid values).

        Parameters
        ----------
        **changes
            Field name = new value (e.g. ``T_F=...``).

        Returns
        -------
        KimData
        """
        return replace(self, **changes)

    def with_uniform_transport(self, T: float) -> "KimData":
        """Every off-diagonal markup of every good set to ``T`` (diagonals kept): the sweep's T.

        Parameters
        ----------
        T : float
            Markup between distinct regions (>= 1).

        Returns
        -------
        KimData

        Examples
        --------
        >>> KimData.symmetric(2).with_uniform_transport(1.25).T_F.tolist()
        [[1.0, 1.25], [1.25, 1.0]]
        """
        def set_offdiag(mat: np.ndarray) -> np.ndarray:
            """A copy of ``mat`` with its off-diagonal entries (last two axes) set to ``T``.

            Parameters
            ----------
            mat : ndarray, shape (..., J, J)
                Markup matrices.

            Returns
            -------
            ndarray, shape (..., J, J)
            """
            out = np.array(mat, dtype=float, copy=True)
            mask = ~np.eye(self.J, dtype=bool)
            out[..., mask] = T
            return out

        return self.replace(T_A=set_offdiag(self.T_A), T_F=set_offdiag(self.T_F), T_S=set_offdiag(self.T_S))

    @classmethod
    def symmetric(cls, J: int, T: float = 2.0, **overrides) -> "KimData":
        """A symmetric test world (W = I = 1, the default elasticities of models/kim_location.md), with overrides.

        Parameters
        ----------
        J : int
            Number of regions (named R1..RJ).
        T : float, optional
            Markup between regions for every good (default 2.0; 1 inside a region).
        **overrides
            Field name = value replacing a default.

        Returns
        -------
        KimData
        """
        base = dict(
            W=np.ones(J), I=np.ones(J), alpha=np.array([0.10, 0.05]), mu=np.array([5 / 6, 0.75]),
            beta=np.array([0.30, 0.15]), eta=0.875, rho=0.875, delta=0.30, a_SL=1.0,
            f_A=np.array([0.02, 0.02]), f_F=0.01, f_S=0.002,
            T_A=np.stack([scalar_markups(J, T)] * 2), T_F=scalar_markups(J, T), T_S=scalar_markups(J, T),
            regions=tuple(f"R{k + 1}" for k in range(J)),
        )
        base.update(overrides)
        return cls(**base)
