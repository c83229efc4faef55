"""The specialization graph of Gomory (1991) as a networkx graph (n <= ``NX_MAX_N``).

Nodes are the specialized equilibria (pattern codes), edges join patterns that differ in one good.
Its local maxima by graph search are the independent cross-check of the XOR gathers of
:mod:`~trade_opt.gomory.graph.table` (``models/gomory.md``).
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from trade_opt.gomory.equilibria import pattern_bits, pattern_strings
from trade_opt.gomory.graph.table import TIE_TOL, UtilityTable, check_country, utility_table
from trade_opt.gomory.instance import GomoryData
from trade_opt.errors import ArgumentError

#: Largest n for which :func:`specialization_graph` builds a networkx graph (2^16 nodes, 2^19 edges).
NX_MAX_N = 16


def specialization_graph(data: GomoryData, table: UtilityTable | None = None) -> nx.Graph:
    """The hypercube graph of the specialized equilibria as a networkx graph (n <= ``NX_MAX_N``).

    Nodes: pattern codes, with attributes ``pattern`` (string, good 1 first), ``Y``, ``u1``, ``u2``.
    Edges: pairs differing in one good, attribute ``good`` (1-based) moved between them.

    Parameters
    ----------
    data : GomoryData
        The instance.
    table : UtilityTable, optional
        The dense utility table (built when None).

    Returns
    -------
    networkx.Graph
    """
    if data.n > NX_MAX_N:
        raise ArgumentError("data", f"n = {data.n} > {NX_MAX_N}: use the implicit neighbours (utility_table, neighbour_utilities)")
    table = utility_table(data) if table is None else table
    codes = table.codes
    G = nx.Graph()
    strings = pattern_strings(pattern_bits(codes, data.n))
    G.add_nodes_from((int(k), {"pattern": s, "Y": float(table.Y[k]), "u1": float(table.u[0, k]), "u2": float(table.u[1, k])})
                     for k, s in zip(codes, strings))
    valid = table.valid
    for i in range(data.n):
        low = codes[(codes >> i) & 1 == 0]
        high = low | (1 << i)
        keep = valid[high]
        G.add_edges_from(zip(low[keep].tolist(), high[keep].tolist()), good=i + 1)
    return G


def local_maxima_networkx(G: nx.Graph, country: int, tol: float = TIE_TOL) -> np.ndarray:
    """Local maxima of u_country by a search over the networkx graph's adjacency (sorted codes).

    Parameters
    ----------
    G : networkx.Graph
        The graph of :func:`specialization_graph`.
    country : 1 or 2.
    tol : float, optional
        Improvement threshold (log-utility units).

    Returns
    -------
    numpy.ndarray
        Increasing int64 codes.
    """
    key = f"u{check_country(country) + 1}"
    u = nx.get_node_attributes(G, key)
    return np.array(sorted(v for v in G.nodes if all(u[w] <= u[v] + tol for w in G.adj[v])), dtype=np.int64)
