"""The specialization graph of Gomory (1991) (trade_opt.gomory.graph): local maxima, improving paths,
conflict share, distance below B1.  Independent methods must agree: networkx graph search, XOR
gathers on the dense table, kernel flips without a table, and brute force with Python loops."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import random_gomory

from trade_opt.cli.main import main
from trade_opt.gomory import GomoryData
from trade_opt.gomory.boundary import boundary_B1_brute_force
from trade_opt.gomory.equilibria import all_specialized, evaluate_patterns, pattern_bits
from trade_opt.gomory.graph import (
    TIE_TOL,
    conflict_stats,
    distance_below_B1,
    graph_report,
    hypercube_stream,
    improving_path,
    kernel_neighbour_utilities,
    local_maxima,
    local_maxima_networkx,
    neighbour_utilities,
    specialization_graph,
    steepest_ascent_targets,
    utility_table,
)

ROOT = Path(__file__).resolve().parents[1]
TABLE1 = ROOT / "instances" / "gomory_table1.toml"


def zero_demand_instance() -> GomoryData:
    """n = 6 with zero demand shares, so some patterns are degenerate (not equilibria)."""
    rng = np.random.default_rng(7)
    d = rng.uniform(0.1, 1.0, (2, 6))
    d[0, 2] = 0.0
    d[1, 4] = 0.0
    d[0, 5] = 0.0
    return GomoryData.from_arrays(d, rng.uniform(0.4, 1.4, (2, 6)), rng.uniform(1.2, 2.0, 6), [3.0, 2.0])


def brute_force(data: GomoryData):
    """Local maxima per country, and conflict / aligned counts, by plain Python loops over a dict."""
    batch = all_specialized(data)
    u = {int(k): (float(a), float(b)) for k, a, b in zip(batch.codes, batch.u1, batch.u2)}
    maxima = ([], [])
    conflict = aligned = 0
    for k, (u1, u2) in u.items():
        for j, uj in enumerate((u1, u2)):
            if all(u[k ^ (1 << i)][j] <= uj + TIE_TOL for i in range(data.n) if (k ^ (1 << i)) in u):
                maxima[j].append(k)
        for i in range(data.n):
            w = k | (1 << i)
            if w != k and w in u:
                d1, d2 = u[w][0] - u1, u[w][1] - u2
                if abs(d1) > TIE_TOL and abs(d2) > TIE_TOL:
                    conflict += (d1 > 0) != (d2 > 0)
                    aligned += (d1 > 0) == (d2 > 0)
    return [np.array(sorted(m)) for m in maxima], conflict, aligned


CASES = [("random", 6, 1), ("random", 7, 2), ("random", 8, 3), ("random", 8, 4), ("zero", 6, 0)]


def case_data(kind, n, seed):
    return zero_demand_instance() if kind == "zero" else random_gomory(n, seed)


@pytest.mark.parametrize("kind,n,seed", CASES)
def test_local_maxima_all_methods_equal_brute_force(kind, n, seed):
    data = case_data(kind, n, seed)
    table = utility_table(data)
    G = specialization_graph(data, table)
    expected, conflict, aligned = brute_force(data)
    s1, s2, stream_conflict = hypercube_stream(data, chunk=16)
    for c in (1, 2):
        assert np.array_equal(local_maxima_networkx(G, c), expected[c - 1])
        assert np.array_equal(local_maxima(table, c), expected[c - 1])
        assert np.array_equal((s1, s2)[c - 1], expected[c - 1])
        assert len(expected[c - 1]) >= 1
    stats = conflict_stats(table)
    assert (stats.conflict, stats.aligned) == (conflict, aligned)
    assert (stream_conflict.conflict, stream_conflict.aligned, stream_conflict.ties) == (stats.conflict, stats.aligned, stats.ties)
    assert np.array_equal(stream_conflict.by_good, stats.by_good)
    assert stats.conflict + stats.aligned + stats.ties == stats.edges == G.number_of_edges()


@pytest.mark.parametrize("kind,n,seed", CASES[:3] + CASES[-1:])
def test_networkx_graph_equals_implicit_neighbours(kind, n, seed):
    """Node set = equilibria; each node's networkx neighbours = the valid codes k XOR 2^i; the utilities
    gathered by XOR equal the kernel evaluated on the flipped patterns."""
    data = case_data(kind, n, seed)
    table = utility_table(data)
    G = specialization_graph(data, table)
    assert sorted(G.nodes) == table.codes.tolist()
    if kind == "random":                                 # all demands positive: the hypercube minus 2 corners
        assert G.number_of_nodes() == 2 ** n - 2 and G.number_of_edges() == n * 2 ** (n - 1) - 2 * n
    for k in G.nodes:
        flips = {k ^ (1 << i) for i in range(n)}
        assert set(G.adj[k]) == {w for w in flips if table.valid[w]}
        assert all(G.edges[k, w]["good"] == (k ^ w).bit_length() for w in G.adj[k])
    codes = table.codes
    kernel = kernel_neighbour_utilities(data, codes)
    for c in (1, 2):
        gathered = neighbour_utilities(table, codes, c)
        assert np.array_equal(np.isnan(gathered), np.isnan(kernel[:, :, c - 1]))
        ok = ~np.isnan(gathered)
        assert np.allclose(gathered[ok], kernel[:, :, c - 1][ok], rtol=0, atol=1e-13)


@pytest.mark.parametrize("kind,n,seed", [("random", 6, 5), ("zero", 6, 0)])
def test_every_improving_path_is_strict_and_ends_at_a_local_maximum(kind, n, seed):
    data = case_data(kind, n, seed)
    table = utility_table(data)
    for c in (1, 2):
        maxima = set(local_maxima(table, c).tolist())
        targets = steepest_ascent_targets(table, c)
        for start in table.codes:
            for rule in ("steepest", "first"):
                p = improving_path(data, int(start), c, rule, table)
                q = improving_path(data, int(start), c, rule)              # kernel neighbours, no table
                assert np.array_equal(p.codes, q.codes)
                assert np.all(np.diff(p.u[:, c - 1]) > TIE_TOL)              # strictly improving
                steps = p.codes[1:] ^ p.codes[:-1]
                assert np.all(steps > 0) and np.all(steps & (steps - 1) == 0)  # one good per move
                assert np.array_equal(np.log2(steps).astype(int) + 1, p.goods)
                assert int(p.codes[-1]) in maxima
                assert np.allclose(p.u, table.u[:, p.codes].T, rtol=0, atol=1e-13)
                if rule == "steepest":
                    assert targets[start] == p.codes[-1]                     # pointer doubling = walk
        ends, sizes = np.unique(targets[table.codes], return_counts=True)
        assert set(ends.tolist()) <= maxima and sizes.sum() == len(table.codes)


def test_global_maximum_is_local_and_under_B1(table1):
    """Table 1 and random n = 10: the global max of u_j is a local max; every local max lies at or under
    B1_j (Theorem 3), B1 by the DP; country 2's B1 (mirrored instance) equals brute force."""
    for data in (table1, random_gomory(10, 11)):
        table = utility_table(data)
        for c in (1, 2):
            maxima = local_maxima(table, c)
            best = table.codes[np.argmax(table.u[c - 1, table.codes])]
            assert best in maxima
            dist = distance_below_B1(data, maxima, c, table)
            assert np.all(dist["gap"] >= -1e-12)
            assert np.allclose(dist["u"], table.u[c - 1, maxima], rtol=0, atol=0)
            k = int(np.argmax(dist["u"]))
            other = data if c == 1 else data.mirrored()
            assert dist["B1"][k] == pytest.approx(boundary_B1_brute_force(other, float(dist["Y_country"][k])), abs=1e-12)


def test_mirror_swaps_the_countries(table1):
    """Mirrored instance at the complemented pattern: Y -> 1 - Y and u_1 <-> u_2."""
    batch = all_specialized(table1)
    m = evaluate_patterns(table1.mirrored(), ~batch.X)
    assert np.allclose(m.Y, 1 - batch.Y, rtol=0, atol=1e-15)
    assert np.allclose(m.u1, batch.u2, rtol=0, atol=1e-13) and np.allclose(m.u2, batch.u1, rtol=0, atol=1e-13)


def test_table1_graph_cli(tmp_path, capsys):
    """`gomory graph --json --out` on Table 1: the counts reported in models/gomory.md, the files."""
    out = tmp_path / "g"
    assert main(["gomory", "graph", str(TABLE1), "--json", "--out", str(out), "--starts", "2"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["equilibria"] == 510 and s["edges"] == 2286 and s["method"] == "networkx"
    assert s["networkx"]["agrees_with_xor_gathers"]
    assert [s["countries"][c]["local_maxima"] for c in ("1", "2")] == [7, 5]
    assert s["conflict"] == 1438 and s["ties"] == 0 and s["conflict_share"] == pytest.approx(1438 / 2286)
    assert all(s["countries"][c]["global_max_is_local"] for c in ("1", "2"))
    lm = pd.read_csv(out / "local_maxima.csv")
    assert len(lm) == 12 and (lm["gap"] >= -1e-12).all()
    paths = pd.read_csv(out / "paths.csv")
    assert set(paths["rule"]) == {"steepest", "first"} and paths["path"].nunique() == 8
    assert (out / "graph_fig1.png").stat().st_size > 10000
    stream = graph_report(_table1(), method="stream", n_starts=0).summary
    assert [stream["countries"][c]["local_maxima"] for c in ("1", "2")] == [7, 5]
    assert stream["conflict"] == 1438 and stream["equilibria"] == 510
    assert [stream["countries"][c]["global_max_pattern"] for c in ("1", "2")] == [s["countries"][c]["global_max_pattern"] for c in ("1", "2")]
    assert main(["gomory", "graph", str(TABLE1), "--method", "nope"]) == 2
    assert "--method" in capsys.readouterr().err


def _table1():
    from trade_opt.instances import load_instance

    return load_instance(TABLE1).data()


def test_larger_n_without_networkx():
    """n = 18: beyond the networkx size, the table and the kernel-flip stream agree on local maxima."""
    data = random_gomory(18, 3)
    with pytest.raises(ValueError):
        specialization_graph(data)
    table = utility_table(data)
    idx = np.random.default_rng(0).choice(table.codes, 400, replace=False)
    gathered = neighbour_utilities(table, idx, 1)
    kernel = kernel_neighbour_utilities(data, idx)[:, :, 0]
    assert np.allclose(gathered, kernel, rtol=0, atol=1e-12, equal_nan=True)
    for c in (1, 2):
        maxima = local_maxima(table, c)
        X = pattern_bits(maxima, 18)
        nb = kernel_neighbour_utilities(data, maxima)[:, :, c - 1]
        own = evaluate_patterns(data, X, maxima)
        u = own.u1 if c == 1 else own.u2
        assert np.all(np.nan_to_num(nb, nan=-np.inf) <= u[:, None] + TIE_TOL)
