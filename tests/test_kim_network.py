"""Kim markups from a transport network (trade_opt.kim.network) and network scenarios (kim scenario).

Route costs against hand-computed values and against brute force over all simple paths; the matrix
form and the network form of the same instance give the same equilibrium; symmetric networks give
symmetric equilibria (and the note's closed form, section 9.7); invalid networks give one-line
errors (CLI exit 2); the scenario command's outputs.
"""
from __future__ import annotations

import copy
import itertools
import json
import math
import tomllib
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from trade_opt.cli.main import main
from trade_opt.errors import InputError
from trade_opt.instances import load_instance, validate_as
from trade_opt.kim.equilibrium import default_starts, solve_equilibria
from trade_opt.kim.instance import KimData, KimInstance
from trade_opt.kim.network import CLASSES, markups_from_graph, pareto_routes

ROOT = Path(__file__).resolve().parents[1]
CORRIDOR = ROOT / "instances" / "kim_corridor5.toml"
RATES1 = {c: 1.0 for c in CLASSES}


def corridor_doc() -> dict:
    return tomllib.loads(CORRIDOR.read_text())


def three_region_doc(transport: dict) -> dict:
    """The note's default parameters on three regions A, B, C with the given [transport] table."""
    doc = corridor_doc()
    doc.pop("scenarios")
    doc.update(regions=["A", "B", "C"], wage=[1.0, 0.9, 0.85], income=[6.0, 3.0, 4.0], transport=transport)
    return doc


def graph(edges) -> nx.Graph:
    G = nx.Graph()
    for a, b, length, tariff in edges:
        G.add_edge(a, b, length=length, tariff=tariff)
    return G


# ---------------------------------------------------------------------------------------------
# Route costs


def test_corridor_markups_hand_computed():
    """corridor5: T = (1 + path length) x 1.25 per border crossed, on the cheapest landed route."""
    inst = load_instance(CORRIDOR, model="kim")
    M = inst.markups()
    r = {name: k for k, name in enumerate(inst.regions)}
    T = M.T["F"]
    # Port->Gate: Port-Hill-Gate (1.3, one border) = 2.3 x 1.25; Port-Mill-Vale-Gate costs 2.8 x 1.25.
    assert T[r["Port"], r["Gate"]] == pytest.approx(2.3 * 1.25, abs=1e-14)
    assert M.paths["F"][r["Port"]][r["Gate"]] == ("Port", "Hill", "Gate")
    # Port->Vale: Port-Mill-Vale (1.4) beats Port-Hill-Gate-Vale (1.7); both cross one border.
    assert T[r["Port"], r["Vale"]] == pytest.approx(2.4 * 1.25, abs=1e-14)
    # Port->Hill: direct 0.8 beats Port-Mill-Hill 0.9; inside the West bloc, no tariff.
    assert T[r["Port"], r["Hill"]] == pytest.approx(1.8, abs=1e-14)
    assert np.allclose(np.diag(T), 1.0) and np.allclose(T, T.T)
    # Scenario 'bloc': no tariff, Port->Gate = 1 + 1.3.  'corridor': Port->Gate direct 0.6 x 1.25 tariff.
    assert inst.markups("bloc").T["F"][r["Port"], r["Gate"]] == pytest.approx(2.3, abs=1e-14)
    assert inst.markups("corridor").T["F"][r["Port"], r["Gate"]] == pytest.approx(1.6 * 1.25, abs=1e-14)
    assert inst.markups("corridor").T["F"][r["Port"], r["Vale"]] == pytest.approx(2.0 * 1.25, abs=1e-14)
    assert inst.markups("freight_up").T["F"][r["Port"], r["Hill"]] == pytest.approx(1 + 1.5 * 0.8, abs=1e-14)


def test_min_markup_vs_min_freight_and_class_dependent_routes():
    """A short route over two borders vs a long route over one: the choice depends on the freight rate."""
    G = graph([("A", "B", 0.2, 0.5), ("B", "C", 0.2, 0.5), ("A", "D", 0.5, 0.0), ("D", "C", 0.5, 0.1)])
    rates = {"A1": 1.0, "A2": 1.0, "F": 1.0, "S": 10.0}
    M = markups_from_graph(G, "ABCD", rates)
    a, c = 0, 2
    assert M.T["F"][a, c] == pytest.approx(2.0 * 1.1, abs=1e-14)           # via D; via B: 1.4 x 2.25 = 3.15
    assert M.paths["F"][a][c] == ("A", "D", "C")
    assert M.T["S"][a, c] == pytest.approx(5.0 * 2.25, abs=1e-13)          # via B; via D: 11 x 1.1 = 12.1
    assert M.paths["S"][a][c] == ("A", "B", "C")
    F = markups_from_graph(G, "ABCD", rates, route="min_freight")
    assert F.T["F"][a, c] == pytest.approx(1.4 * 2.25, abs=1e-14) and F.paths["F"][a][c] == ("A", "B", "C")
    front = pareto_routes(G, "A")["C"]
    assert [(r.cost, round(math.exp(r.log_tariff), 12)) for r in front] == [(pytest.approx(0.4), 2.25), (pytest.approx(1.0), 1.1)]


@pytest.mark.parametrize("seed", range(12))
def test_routes_equal_brute_force_and_dijkstra(seed):
    """Random graphs: min_markup = min over all simple paths; min_freight cost = networkx Dijkstra."""
    rng = np.random.default_rng(seed)
    J = 6
    G = nx.connected_watts_strogatz_graph(J, 3, 0.5, seed=seed)
    G = nx.relabel_nodes(G, {k: f"R{k}" for k in G.nodes})
    for a, b in G.edges:
        G.edges[a, b].update(length=float(rng.choice([0.0, 0.25, 0.5, rng.uniform(0, 1)])),
                             tariff=float(rng.choice([0.0, 0.0, 0.3, rng.uniform(0, 0.5)])))
    nodes = sorted(G.nodes)
    rates = dict(zip(CLASSES, (1.0, 0.5, 2.0, 0.0)))
    M = markups_from_graph(G, nodes, rates)
    Fr = markups_from_graph(G, nodes, rates, route="min_freight")
    for k, g in itertools.permutations(range(J), 2):
        paths = list(nx.all_simple_paths(G, nodes[k], nodes[g]))
        for c in CLASSES:
            brute = min((1 + rates[c] * nx.path_weight(G, p, "length"))
                        * math.prod(1 + G.edges[u, v]["tariff"] for u, v in zip(p, p[1:])) for p in paths)
            assert M.T[c][k, g] == pytest.approx(brute, rel=1e-13)
        dijkstra = nx.single_source_dijkstra_path_length(G, nodes[k], weight="length")[nodes[g]]
        assert Fr.freight_cost["F"][k, g] == pytest.approx(dijkstra, rel=1e-13, abs=1e-15)


def test_scenario_markups_move_the_right_way():
    """Opening a border or adding a link never raises a markup; dearer freight never lowers one."""
    inst = load_instance(CORRIDOR, model="kim")
    base = inst.markups().T
    for name, sign in (("bloc", -1), ("corridor", -1), ("corridor_bloc", -1), ("freight_up", +1)):
        scen = inst.markups(name).T
        for c in CLASSES:
            assert np.all(sign * (scen[c] - base[c]) >= -1e-15), (name, c)


# ---------------------------------------------------------------------------------------------
# Matrix form = network form; symmetric networks


def test_matrix_form_and_network_form_same_equilibrium():
    """A line A - B - C (lengths 0.5, 0.3; tariff 0.2 on B - C between blocs) vs the hand-written matrices."""
    net = {"border_tariff": 0.2, "blocs": {"P": ["A", "B"], "Q": ["C"]},
           "links": [{"from": "A", "to": "B", "length": 0.5}, {"from": "B", "to": "C", "length": 0.3}]}
    T = [[1.0, 1.5, 1.8 * 1.2], [1.5, 1.0, 1.3 * 1.2], [1.8 * 1.2, 1.3 * 1.2, 1.0]]
    by_net = validate_as(KimInstance, three_region_doc({"network": net}), "<net>").data()
    by_mat = validate_as(KimInstance, three_region_doc({n: T for n in ("T_A1", "T_A2", "T_F", "T_S")}), "<mat>").data()
    for name in ("T_F", "T_S"):
        assert np.allclose(getattr(by_net, name), getattr(by_mat, name), rtol=1e-15, atol=0)
    starts = default_starts(by_mat)
    a, b = solve_equilibria(by_net, starts), solve_equilibria(by_mat, starts)
    assert a.status == b.status == "solved"
    assert a.distinct == b.distinct and a.best.residual <= 1e-10
    assert np.allclose(a.best.x, b.best.x, rtol=1e-9, atol=1e-12)
    # Precedence: an explicit matrix beats the network for its class only.
    T_S = [[1.0, 3.0, 3.0], [3.0, 1.0, 3.0], [3.0, 3.0, 1.0]]
    mixed = validate_as(KimInstance, three_region_doc({"network": net, "T_S": T_S}), "<mixed>")
    assert mixed.network_classes() == ("A1", "A2", "F")
    assert np.array_equal(mixed.data().T_S, np.asarray(T_S)) and np.allclose(mixed.data().T_F, T)


def closed_form_symmetric(data: KimData, T: float) -> np.ndarray:
    """Note section 9.7: the symmetric free-entry solution with T between all regions, W = I = 1."""
    J = data.J

    def phi(t, s):
        return (1 + (J - 1) * t ** -(s + 1)) / (1 + (J - 1) * t ** -s)

    R = data.alpha * data.I[0] * phi(T, data.omega)
    m = (1 - data.mu) * R / (data.W[0] * data.f_A)
    R_F = float(np.sum(data.beta * data.mu * R)) * phi(T, data.eps)
    n = (1 - data.eta) * R_F / (data.W[0] * data.f_F)
    r = (1 - data.rho) * data.delta * data.eta * R_F * phi(T, data.theta) / (data.W[0] * data.f_S)
    return np.array([m[0], m[1], n, r])


def test_symmetric_networks_give_symmetric_equilibria():
    """Triangle, equal lengths 1: T = 2 everywhere, the closed form of note 9.7.  Ring of 4 (lengths 0.5:
    neighbours 1.5, opposite 2.0): equal firm numbers in every region, and relabelling by the ring's
    rotation maps the solution onto itself."""
    tri = graph([("R1", "R2", 1.0, 0.0), ("R2", "R3", 1.0, 0.0), ("R1", "R3", 1.0, 0.0)])
    M = markups_from_graph(tri, ("R1", "R2", "R3"), RATES1)
    assert np.allclose(M.T["F"], np.where(np.eye(3, dtype=bool), 1.0, 2.0), rtol=0, atol=1e-15)
    data = KimData.symmetric(3).replace(T_A=np.stack([M.T["A1"], M.T["A2"]]), T_F=M.T["F"], T_S=M.T["S"])
    found = solve_equilibria(data)
    assert found.status == "solved" and found.best.lambda_max < 0
    assert np.allclose(found.best.x, closed_form_symmetric(data, 2.0)[:, None], rtol=1e-9)

    ring = graph([(f"R{k}", f"R{(k + 1) % 4}", 0.5, 0.0) for k in range(4)])
    regions = tuple(f"R{k}" for k in range(4))
    M = markups_from_graph(ring, regions, RATES1)
    data = KimData.symmetric(4, regions=regions).replace(T_A=np.stack([M.T["A1"], M.T["A2"]]), T_F=M.T["F"], T_S=M.T["S"])
    found = solve_equilibria(data)
    x = found.best.x
    assert found.status == "solved" and found.best.residual <= 1e-10 and found.best.lambda_max < 0
    assert np.allclose(x, x[:, :1], rtol=1e-9)                          # symmetric across regions
    assert np.allclose(np.roll(x, 1, axis=1), x, rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# Invalid networks: one-line errors, exit 2


def with_network(edit) -> dict:
    doc = corridor_doc()
    edit(doc)
    return doc


BAD = {
    "disconnected": (lambda d: d["transport"]["network"].update(links=[l for l in d["transport"]["network"]["links"]
                                                                        if {l["from"], l["to"]} not in ({"Hill", "Gate"}, {"Mill", "Vale"})]),
                     "transport.network.links", "disconnected"),
    "negative length": (lambda d: d["transport"]["network"]["links"][1].update(length=-0.1),
                        "transport.network.links[1].length", ">= 0"),
    "missing region": (lambda d: d["transport"]["network"].update(links=[l for l in d["transport"]["network"]["links"]
                                                                          if "Vale" not in (l["from"], l["to"])]),
                       "transport.network.links", "'Vale' on no link"),
    "unknown region": (lambda d: d["transport"]["network"]["links"][2].update(to="Atlantis"),
                       "transport.network.links[2].to", "unknown region 'Atlantis'"),
    "self-loop": (lambda d: d["transport"]["network"]["links"][0].update(to="Port"),
                  "transport.network.links[0]", "self-loop"),
    "duplicate": (lambda d: d["transport"]["network"]["links"].append({"from": "Mill", "to": "Port", "length": 0.1}),
                  "transport.network.links[6]", "duplicate link"),
    "T and network": (lambda d: d["transport"].update(T=2.0), "transport.T", "conflicts with transport.network"),
    "matrix and freight": (lambda d: d["transport"].update(T_S=[[1.0] * 5] * 5), "transport.network.freight.S", "conflict"),
    "tariff inside bloc": (lambda d: d["transport"]["network"]["links"][0].update(tariff=0.1),
                           "transport.network.links[0].tariff", "crosses no border"),
    "region in no bloc": (lambda d: d["transport"]["network"]["blocs"]["East"].remove("Vale"),
                          "transport.network.blocs", "'Vale' in no bloc"),
    "unknown freight class": (lambda d: d["transport"]["network"]["freight"].update(X=1.0),
                              "transport.network.freight.X", "unknown good class"),
    "scenario bloc": (lambda d: d["scenarios"]["bloc"].update(open_borders=[["West", "North"]]),
                      "scenarios.bloc.open_borders[0]", "unknown bloc 'North'"),
    "scenario link": (lambda d: d["scenarios"]["corridor"]["add_links"][0].update(length=-1.0),
                      "scenarios.corridor.add_links[0].length", ">= 0"),
    "scenario scale": (lambda d: d["scenarios"]["freight_up"].update(freight_scale=0.0),
                       "scenarios.freight_up.freight_scale", "> 0"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_invalid_networks_one_line_errors(case):
    edit, field, reason = BAD[case]
    doc = with_network(edit)
    with pytest.raises(InputError) as err:
        validate_as(KimInstance, doc, "bad.toml")
    assert err.value.field == field and reason in err.value.reason, str(err.value)


def test_invalid_network_cli_exit_2(tmp_path, capsys):
    """The CLI prints one line naming file, field and reason, and exits 2."""
    text = CORRIDOR.read_text().replace('{ from = "Mill", to = "Hill", length = 0.4 }',
                                        '{ from = "Mill", to = "Hill", length = -0.4 }')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    for argv in (["kim", "solve", str(bad)], ["kim", "scenario", str(bad), "--scenario", "bloc", "--out", str(tmp_path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1
        assert f"{bad}: transport.network.links[1].length: freight length must be >= 0" in err
    assert main(["kim", "scenario", str(CORRIDOR), "--scenario", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown scenario 'nope'" in err and "bloc, corridor" in err


# ---------------------------------------------------------------------------------------------
# The scenario command


def test_scenario_cli_outputs(tmp_path, capsys):
    """`kim scenario --json`: both equilibria solved (residual, free-entry signs), the table, markups, figure."""
    out = tmp_path / "sc"
    assert main(["kim", "scenario", str(CORRIDOR), "--scenario", "corridor", "--out", str(out), "--json",
                 "--random-starts", "0", "--steps", "2"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in ("baseline", "scenario_equilibrium"):
        sol = summary[key]
        assert sol["status"] == "solved" and sol["residual"] <= 1e-10 and sol["lambda_max"] < 0
    table = pd.read_csv(out / "scenario_table.csv")
    assert len(table) == 4 * 5 and set(table["tier"]) == {"A1", "A2", "F", "S"}
    for tag in ("base", "scen"):
        assert np.allclose(table.groupby("tier")[f"share_{tag}"].sum(), 1.0)
        firms, profit = table[f"firms_{tag}"], table[f"profit_{tag}"]
        assert (firms >= 0).all() and (profit <= 1e-12).all()              # free entry: Pi <= 0 ...
        assert (np.abs(profit[firms > 1e-9]) <= 1e-10).all()                # ... and Pi = 0 where active
    assert np.allclose(summary["baseline"]["m1"], table.query("tier == 'A1'")["firms_base"])
    markups = pd.read_csv(out / "markups.csv")
    row = markups.query("`class` == 'F' and origin == 'Port' and destination == 'Gate'").iloc[0]
    assert row["T_base"] == pytest.approx(2.875) and row["T_scen"] == pytest.approx(2.0)
    assert row["route_base"] == "Port-Hill-Gate" and row["route_scen"] == "Port-Gate"
    assert (out / "network.png").stat().st_size > 5000
    assert json.loads((out / "summary.json").read_text())["scenario"] == "corridor"


def test_network_instance_runs_everywhere(capsys):
    """The network instance works with the existing commands (`kim solve` reads the built matrices)."""
    assert main(["kim", "solve", str(CORRIDOR), "--json", "--random-starts", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["termination"] == "solved" and out["residual"] <= 1e-10
    inst = load_instance(CORRIDOR, model="kim")
    doc = copy.deepcopy(inst.model_dump(by_alias=True))
    assert validate_as(KimInstance, doc, "<roundtrip>").data().T_F.tolist() == inst.data().T_F.tolist()
