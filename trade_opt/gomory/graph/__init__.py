"""The specialization graph of Gomory (1991): the hypercube of the 2^n - 2 specialized equilibria.

Two specialized patterns are **neighbours** when they differ in one good (the paper's
"Observations about the model" compares exactly such pairs: moving one industry from one country
to the other).  With pattern codes k = sum_i x_i 2^(i-1) (good 1 the lowest bit; x_i = 1: country
2 makes good i) the neighbours of k are k XOR 2^(i-1); the codes 0 and 2^n - 1 are not equilibria
and are not nodes, nor are degenerate patterns (a country without income, possible only with zero
demand shares).

Per country j (u_j = ln U_j of the specialized equilibrium): a **local maximum** is a pattern no
single-good move improves by more than ``TIE_TOL`` = 1e-12; its distance below B1_j (Theorem 3);
**improving-move paths** (steepest ascent or first improvement); the **conflict share**: over all
neighbour pairs, the share where a move raises one country's utility and lowers the other's.

One concept per module (``models/gomory.md``):

* :mod:`~trade_opt.gomory.graph.table`: the dense utility table over all 2^n codes and XOR gathers
  (local maxima, steepest-ascent end points, conflict counts; n <= ``DENSE_MAX_N`` = 24);
* :mod:`~trade_opt.gomory.graph.stream`: the same without a table, by kernel flips (any n);
* :mod:`~trade_opt.gomory.graph.networkx_graph`: a networkx graph (n <= ``NX_MAX_N`` = 16) and
  its local maxima by graph search, the independent cross-check;
* :mod:`~trade_opt.gomory.graph.paths`: improving-move paths;
* :mod:`~trade_opt.gomory.graph.report`: everything ``trade-opt gomory graph`` prints and writes.
"""
from trade_opt.gomory.graph.networkx_graph import NX_MAX_N, local_maxima_networkx, specialization_graph
from trade_opt.gomory.graph.paths import ImprovingPath, improving_path, paths_frame
from trade_opt.gomory.graph.report import METHODS, GraphReport, distance_below_B1, graph_report
from trade_opt.gomory.graph.stream import hypercube_stream, kernel_neighbour_utilities
from trade_opt.gomory.graph.table import (
    DENSE_MAX_N,
    TIE_TOL,
    ConflictStats,
    UtilityTable,
    best_neighbour_gain,
    conflict_stats,
    local_maxima,
    neighbour_codes,
    neighbour_utilities,
    steepest_ascent_targets,
    utility_table,
)

__all__ = [
    "ConflictStats", "DENSE_MAX_N", "GraphReport", "ImprovingPath", "METHODS", "NX_MAX_N", "TIE_TOL", "UtilityTable",
    "best_neighbour_gain", "conflict_stats", "distance_below_B1", "graph_report", "hypercube_stream", "improving_path",
    "kernel_neighbour_utilities", "local_maxima", "local_maxima_networkx", "neighbour_codes", "neighbour_utilities",
    "paths_frame", "specialization_graph", "steepest_ascent_targets", "utility_table",
]
