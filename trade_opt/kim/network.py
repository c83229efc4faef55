"""Transport markups of the Kim (1999) model from a transport network (networkx).

Users know a map, not a J x J markup matrix.  An instance may give, in ``[transport.network]``,
regions as nodes and undirected links with a freight ``length`` (freight cost per unit of mill
value at freight rate 1), trade blocs, and ad-valorem tariffs on links that cross a bloc border.
The markup of good class c in {A1, A2, F, S} from k to g (row = origin, column = destination, as in
models/kim_location.md, Conventions) along a route P is

    T_c(k, g; P) = (1 + f_c * sum_{l in P} length_l) * prod_{l in P, l crosses a border} (1 + tariff_l),

ad valorem on the mill price (eq. 7-8; the convention of models/kim_location.md stays: the quantity shipped is the
quantity used, the wedge T - 1 leaves the model).  ``f_c`` is the class's freight rate (default 1).
T_c(k, k) = 1.

Which route: ``route = "min_markup"`` (default) takes, per class and pair, the route that
minimizes the whole landed markup T_c (a shipper minimizing the delivered price P T, since the mill
price P does not depend on the route).  ln T_c = ln(1 + f_c c(P)) + s(P) with c(P) the freight cost
(additive along P) and s(P) = sum ln(1 + tariff) (additive along P); ln(1 + f_c c) is not additive,
so Dijkstra on per-link log weights is not exact.  It is exact to note that T_c is increasing in
both c and s, so the optimum lies on the Pareto front of (c, s) over the k -> g routes; that front
does not depend on the class, is computed once per origin by a bi-criteria label-setting Dijkstra
(:func:`pareto_routes`), and T_c is the minimum of (1 + f_c c) e^s over it.  With no tariffs the
front is one point, the ordinary freight shortest path.  ``route = "min_freight"`` takes the
freight-cheapest route (networkx Dijkstra on length; ties broken by the smaller tariff factor), the
literal "cheapest path" reading; it can leave a cheaper landed route unused.

Scenarios (``[scenarios.NAME]``) change the network, not the matrices: open borders between blocs
(a bloc forms: those links lose their tariff), open single links, add links (a new corridor), and
scale every freight length.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Literal, Optional

import networkx as nx
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from trade_opt.errors import ArgumentError, FieldError

#: The good classes with their own markup matrix, in the order of ``KimData`` (T_A1, T_A2, T_F, T_S).
CLASSES = ("A1", "A2", "F", "S")
ROUTES = ("min_markup", "min_freight")

_STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True, populate_by_name=True)


class KimLink(BaseModel):
    """One undirected link ``from`` -- ``to`` with its freight ``length`` (>= 0).

    ``tariff`` (>= 0, ad valorem) applies when the link crosses a border: its endpoints lie in
    different blocs, or ``border = true``.  A crossing link without ``tariff`` pays the network's
    ``border_tariff``.  A tariff on a link inside a bloc, or ``border = false`` on a link between
    blocs, is a conflict (an error)."""

    model_config = _STRICT

    from_: str = Field(alias="from")
    to: str
    length: float
    tariff: Optional[float] = None
    border: Optional[bool] = None


class KimNetwork(BaseModel):
    """The ``[transport.network]`` table.

    Attributes
    ----------
    links : list of KimLink
        The undirected links (every region must be on one; the graph must be connected).
    blocs : dict of str to list of str, optional
        {bloc name: [regions]}; every region in exactly one bloc.
    border_tariff : float
        Ad-valorem tariff (>= 0) of a border-crossing link that gives no ``tariff``.
    freight : dict of str to float, optional
        Freight rate per class {A1, A2, F, S} (>= 0, default 1); a class that has an explicit
        matrix in ``[transport]`` must not appear here (conflict).
    route : {"min_markup", "min_freight"}
        Route choice (default ``"min_markup"``; see the module docstring).
    """

    model_config = _STRICT

    links: list[KimLink] = []
    blocs: Optional[dict[str, list[str]]] = None
    border_tariff: float = 0.0
    freight: Optional[dict[str, float]] = None
    route: Literal["min_markup", "min_freight"] = "min_markup"

    def rates(self) -> dict[str, float]:
        """Freight rate f_c per good class (default 1.0 for a class not given).

        Returns
        -------
        dict of str to float
            {class: rate} for every class in :data:`CLASSES` (markup per unit of link length, >= 0).
        """
        given = self.freight or {}
        return {c: float(given.get(c, 1.0)) for c in CLASSES}


class KimScenario(BaseModel):
    """A ``[scenarios.NAME]`` table: changes to the network, applied in this order.

    Attributes
    ----------
    description : str
        Free text.
    add_links : list of KimLink
        New links (a new corridor), same fields as ``links``; must not duplicate a link.
    open_borders : list of [str, str]
        Pairs of bloc names; every link between the two blocs loses its tariff.
    open_links : list of [str, str]
        Pairs of region names; that existing link loses its tariff.
    freight_scale : float
        Multiplies every link length (> 0; 1.2 = freight 20 % dearer).
    """

    model_config = _STRICT

    description: str = ""
    add_links: list[KimLink] = []
    open_borders: list[list[str]] = []
    open_links: list[list[str]] = []
    freight_scale: float = 1.0


# ----------------------------------------------------------------------------------------------
# Validation and graph building


def _bloc_of(net: KimNetwork, regions: list[str], field: str) -> dict[str, str]:
    if net.blocs is None:
        return {}
    out: dict[str, str] = {}
    for bloc, members in net.blocs.items():
        for i, name in enumerate(members):
            if name not in regions:
                raise FieldError(f"{field}.blocs.{bloc}[{i}]", f"unknown region {name!r} (regions: {', '.join(regions)})")
            if name in out:
                raise FieldError(f"{field}.blocs.{bloc}[{i}]", f"region {name!r} is already in bloc {out[name]!r}")
            out[name] = bloc
    missing = [r for r in regions if r not in out]
    if missing:
        raise FieldError(f"{field}.blocs", f"region(s) {', '.join(map(repr, missing))} in no bloc (every region needs one)")
    return out


def _add_link(G: nx.Graph, link: KimLink, field: str, regions: list[str], bloc: dict[str, str],
              border_tariff: float, added: bool) -> None:
    for end, name in (("from", link.from_), ("to", link.to)):
        if name not in regions:
            raise FieldError(f"{field}.{end}", f"unknown region {name!r} (regions: {', '.join(regions)})")
    if link.from_ == link.to:
        raise FieldError(field, f"self-loop {link.from_!r} -- {link.to!r} (a link joins two distinct regions)")
    if link.length < 0:
        raise FieldError(f"{field}.length", f"freight length must be >= 0, got {link.length!r}")
    if link.tariff is not None and link.tariff < 0:
        raise FieldError(f"{field}.tariff", f"tariff must be >= 0 (ad valorem), got {link.tariff!r}")
    if G.has_edge(link.from_, link.to):
        raise FieldError(field, f"duplicate link {link.from_!r} -- {link.to!r} (links are undirected; give each pair once)")
    between_blocs = bool(bloc) and bloc[link.from_] != bloc[link.to]
    if link.border is False and between_blocs:
        raise FieldError(f"{field}.border", f"conflict: border = false but {link.from_!r} and {link.to!r} are in different blocs")
    crosses = between_blocs or bool(link.border)
    if not crosses and link.tariff:
        raise FieldError(f"{field}.tariff", "conflict: a tariff on a link that crosses no border (same bloc, no border flag)")
    tariff = (link.tariff if link.tariff is not None else border_tariff) if crosses else 0.0
    G.add_edge(link.from_, link.to, length=float(link.length), tariff=float(tariff), border=crosses, added=added,
               blocs=frozenset((bloc.get(link.from_), bloc.get(link.to))) if between_blocs else None)


def network_graph(net: KimNetwork, regions: list[str], scenario: KimScenario | None = None,
                  field: str = "transport.network", scenario_field: str = "scenarios") -> nx.Graph:
    """The validated undirected graph of ``net`` (after ``scenario``, if given).

    Nodes are region names; edge attributes: ``length`` (freight cost at rate 1, times the
    scenario's ``freight_scale``), ``tariff`` (effective ad-valorem tariff, 0 inside a bloc or
    after opening), ``border`` (bool), ``added`` (a scenario link), ``blocs`` (the pair of blocs a
    border link joins, else None).  See models/kim_location.md, 'Transport networks'.

    Parameters
    ----------
    net : KimNetwork
        The ``[transport.network]`` table.
    regions : list of str
        Region names of the instance (every one must be on a link).
    scenario : KimScenario, optional
        Changes applied after the base network: added links, opened borders and links, freight scale.
    field : str, optional
        Field path used in error messages for the network (default ``"transport.network"``).
    scenario_field : str, optional
        Field path used in error messages for the scenario (default ``"scenarios"``).

    Returns
    -------
    networkx.Graph
        The graph with the edge attributes above.

    Raises
    ------
    FieldError
        Naming the field, for: unknown region names, self-loops, negative lengths, tariffs or freight
        rates, unknown freight classes, duplicate links, bloc conflicts, a region on no link, a
        disconnected graph, bad scenario entries (unknown blocs or links, freight_scale <= 0).
    """
    if net.border_tariff < 0:
        raise FieldError(f"{field}.border_tariff", f"must be >= 0 (ad valorem), got {net.border_tariff!r}")
    for c, rate in (net.freight or {}).items():
        if c not in CLASSES:
            raise FieldError(f"{field}.freight.{c}", f"unknown good class (one of {', '.join(CLASSES)})")
        if rate < 0:
            raise FieldError(f"{field}.freight.{c}", f"freight rate must be >= 0, got {rate!r}")
    bloc = _bloc_of(net, regions, field)
    G = nx.Graph()
    G.add_nodes_from(regions)
    for i, link in enumerate(net.links):
        _add_link(G, link, f"{field}.links[{i}]", regions, bloc, net.border_tariff, added=False)
    _check_connected(G, regions, field)
    if scenario is None:
        return G
    sf = scenario_field
    for i, link in enumerate(scenario.add_links):
        _add_link(G, link, f"{sf}.add_links[{i}]", regions, bloc, net.border_tariff, added=True)
    for i, pair in enumerate(scenario.open_borders):
        if len(pair) != 2 or pair[0] == pair[1]:
            raise FieldError(f"{sf}.open_borders[{i}]", f"needs two distinct bloc names, got {pair!r}")
        for name in pair:
            if net.blocs is None or name not in net.blocs:
                raise FieldError(f"{sf}.open_borders[{i}]", f"unknown bloc {name!r} (blocs: {', '.join(net.blocs or {}) or 'none'})")
        target = frozenset(pair)
        hits = [(a, b) for a, b, e in G.edges(data=True) if e["blocs"] == target]
        if not hits:
            raise FieldError(f"{sf}.open_borders[{i}]", f"no link joins blocs {pair[0]!r} and {pair[1]!r}")
        for a, b in hits:
            G.edges[a, b]["tariff"] = 0.0
    for i, pair in enumerate(scenario.open_links):
        if len(pair) != 2 or not G.has_edge(*pair):
            raise FieldError(f"{sf}.open_links[{i}]", f"no link {pair!r} in the network")
        G.edges[pair[0], pair[1]]["tariff"] = 0.0
    if not scenario.freight_scale > 0:
        raise FieldError(f"{sf}.freight_scale", f"must be > 0, got {scenario.freight_scale!r}")
    for _, _, e in G.edges(data=True):
        e["length"] *= float(scenario.freight_scale)
    return G


def _check_connected(G: nx.Graph, regions: list[str], field: str) -> None:
    isolated = [r for r in regions if G.degree(r) == 0]
    if isolated and len(regions) > 1:
        raise FieldError(f"{field}.links", f"region(s) {', '.join(map(repr, isolated))} on no link (missing from the graph)")
    if len(regions) > 1 and not nx.is_connected(G):
        parts = sorted((sorted(c, key=regions.index) for c in nx.connected_components(G)), key=lambda c: regions.index(c[0]))
        shown = " | ".join(", ".join(c) for c in parts)
        raise FieldError(f"{field}.links", f"graph disconnected, no route between the components {{{shown}}}")


# ----------------------------------------------------------------------------------------------
# Routes and markups


@dataclass(frozen=True)
class Route:
    """One Pareto-optimal route: freight cost c (sum of lengths), log tariff factor s = sum ln(1 + tariff)."""

    cost: float
    log_tariff: float
    path: tuple[str, ...]


def pareto_routes(G: nx.Graph, source: str) -> dict[str, list[Route]]:
    """Pareto front of (freight cost, log tariff factor) over the routes from ``source`` to every node.

    Bi-criteria label-setting Dijkstra (Martins 1984): labels are popped in lexicographic order of
    (c, s); a label is kept (permanent) when its s is strictly below the s of every permanent label
    at its node (those all have c at most its c), i.e. when no kept label dominates it.  Both
    criteria are sums of non-negative link terms, so cycles are dominated and every kept route is a
    simple path (models/kim_location.md, 'Transport networks').

    Parameters
    ----------
    G : networkx.Graph
        A validated graph (:func:`network_graph`) with edge ``length`` (>= 0) and ``tariff`` (>= 0).
    source : str
        The origin region.

    Returns
    -------
    dict of str to list of Route
        Per node, its front in increasing c (and decreasing s); the first entry is the freight
        shortest path with the smallest tariff factor among the ties.  The source's front is the
        trivial route (0, 0).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge("A", "B", length=1.0, tariff=0.5); G.add_edge("A", "C", length=1.0, tariff=0.0)
    >>> G.add_edge("C", "B", length=1.0, tariff=0.0)
    >>> [(r.cost, r.path) for r in pareto_routes(G, "A")["B"]]
    [(1.0, ('A', 'B')), (2.0, ('A', 'C', 'B'))]
    """
    front: dict[str, list[Route]] = {node: [] for node in G.nodes}
    best_s = {node: math.inf for node in G.nodes}
    counter = 0
    heap = [(0.0, 0.0, counter, source, (source,))]
    while heap:
        c, s, _, node, path = heapq.heappop(heap)
        if not s < best_s[node]:
            continue
        best_s[node] = s
        front[node].append(Route(c, s, path))
        for nb, e in G.adj[node].items():
            if nb in path:
                continue
            s_next = s + math.log1p(e["tariff"])
            if s_next < best_s[nb]:
                counter += 1
                heapq.heappush(heap, (c + e["length"], s_next, counter, nb, path + (nb,)))
    return front


def best_route(routes: list[Route], rate: float, route: str) -> Route:
    """The route of a Pareto front that the markup uses.

    Parameters
    ----------
    routes : list of Route
        A front from :func:`pareto_routes` (increasing cost).
    rate : float
        Freight rate f_c of the class (>= 0).
    route : str
        ``"min_markup"``: minimize (1 + rate c) e^s (ties: smaller c); ``"min_freight"``: the first
        route (smallest freight cost c).

    Returns
    -------
    Route
        The chosen route.
    """
    if route == "min_freight":
        return routes[0]
    return min(routes, key=lambda r: (math.log1p(rate * r.cost) + r.log_tariff, r.cost))


@dataclass(frozen=True)
class NetworkMarkups:
    """Markups built from a network, per class c in :data:`CLASSES` (row = origin, column = destination).

    T[c] : (J, J) markups T_c(k, g), diagonal 1.
    freight_cost[c] : (J, J) freight cost sum of lengths of the route used.
    tariff_factor[c] : (J, J) prod (1 + tariff) over the borders crossed on that route.
    paths[c][k][g] : the route used (region names, k first).
    """

    regions: tuple[str, ...]
    T: dict[str, np.ndarray]
    freight_cost: dict[str, np.ndarray]
    tariff_factor: dict[str, np.ndarray]
    paths: dict[str, list[list[tuple[str, ...]]]]


def markups_from_graph(G: nx.Graph, regions: list[str] | tuple[str, ...], rates: dict[str, float],
                       route: str = "min_markup", classes: tuple[str, ...] = CLASSES) -> NetworkMarkups:
    """Markups T_c(k, g) = (1 + f_c c(P)) prod_{borders on P} (1 + tariff) on the chosen route P.

    See the module docstring and models/kim_location.md, 'Transport networks'.

    Parameters
    ----------
    G : networkx.Graph
        A validated graph (:func:`network_graph`); edge ``length`` and ``tariff``.
    regions : list or tuple of str
        Node order of the matrices (row = origin, column = destination).
    rates : dict of str to float
        Freight rate f_c per class (markup per unit of length).
    route : str, optional
        ``"min_markup"`` (default) or ``"min_freight"``.
    classes : tuple of str, optional
        The classes to build (default all of :data:`CLASSES`).

    Returns
    -------
    NetworkMarkups
        Per class: markups (J, J) with diagonal 1, freight costs, tariff factors and routes.

    Raises
    ------
    ValueError
        If ``route`` is not one of :data:`ROUTES`.

    Examples
    --------
    >>> G = nx.Graph(); G.add_nodes_from("ABC")
    >>> G.add_edge("A", "B", length=0.5, tariff=0.0); G.add_edge("B", "C", length=0.25, tariff=0.2)
    >>> M = markups_from_graph(G, "ABC", {c: 1.0 for c in CLASSES})
    >>> [round(float(v), 6) for v in M.T["F"][0]]     # A->A, A->B, A->C = (1 + 0.75) * 1.2
    [1.0, 1.5, 2.1]
    """
    regions = tuple(regions)
    if route not in ROUTES:
        raise ArgumentError("route", f"must be one of {ROUTES}, got {route!r}")
    J = len(regions)
    fronts = [pareto_routes(G, k) for k in regions]
    T, cost, tariff, paths = {}, {}, {}, {}
    for c in classes:
        rate = float(rates[c])
        T[c], cost[c], tariff[c] = np.ones((J, J)), np.zeros((J, J)), np.ones((J, J))
        paths[c] = [[(regions[k],)] * J for k in range(J)]
        for k in range(J):
            for g in range(J):
                if g == k:
                    continue
                r = best_route(fronts[k][regions[g]], rate, route)
                cost[c][k, g], tariff[c][k, g] = r.cost, math.exp(r.log_tariff)
                T[c][k, g] = (1.0 + rate * r.cost) * math.exp(r.log_tariff)
                paths[c][k][g] = r.path
    return NetworkMarkups(regions, T, cost, tariff, paths)


def network_markups(net: KimNetwork, regions: list[str], scenario: KimScenario | None = None,
                    classes: tuple[str, ...] = CLASSES) -> NetworkMarkups:
    """Validate ``net`` (after ``scenario``) and build its markups for ``classes``.

    Parameters
    ----------
    net : KimNetwork
        The ``[transport.network]`` table.
    regions : list of str
        Region names (matrix order).
    scenario : KimScenario, optional
        Network changes to apply first.
    classes : tuple of str, optional
        The classes to build (default all of :data:`CLASSES`).

    Returns
    -------
    NetworkMarkups
        As :func:`markups_from_graph`, with the network's freight rates and route rule.

    Raises
    ------
    FieldError
        For an invalid network or scenario (:func:`network_graph`).
    """
    G = network_graph(net, list(regions), scenario)
    return markups_from_graph(G, regions, net.rates(), net.route, classes)


__all__ = ["CLASSES", "KimLink", "KimNetwork", "KimScenario", "NetworkMarkups", "Route", "best_route",
           "markups_from_graph", "network_graph", "network_markups", "pareto_routes"]
