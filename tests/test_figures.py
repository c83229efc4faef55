"""Figures: formats (PNG, PDF, SVG), large point clouds, and the defects fixed in issue 16."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trade_opt.errors import InputError
from trade_opt.plotting import RASTER_THRESHOLD, check_formats, save_figure, scatter


@pytest.fixture
def captured(monkeypatch):
    """Replace save_figure in the plot modules by one that keeps the figure (and still writes it)."""
    figs = []

    def keep(fig, path, formats=("png",), dpi=150):
        figs.append(fig)
        return path

    import trade_opt.gomory.plots as gp
    import trade_opt.kim.plots as kp
    import trade_opt.krugman.plots as krp
    import trade_opt.melitz.plots as mp

    for module in (gp, kp, krp, mp):
        monkeypatch.setattr(module, "save_figure", keep)
    return figs


def test_check_formats():
    assert check_formats("png,svg") == ("png", "svg")
    assert check_formats(["PDF", ".png", "pdf"]) == ("pdf", "png")
    with pytest.raises(InputError, match="--figure-format.*'jpg'"):
        check_formats("jpg")
    with pytest.raises(InputError):
        check_formats([])


def test_save_figure_writes_every_format(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    first = save_figure(fig, tmp_path / "f.png", ("png", "pdf", "svg"))
    assert first == tmp_path / "f.png"
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "f.pdf").read_bytes()[:4] == b"%PDF"
    assert b"<svg" in (tmp_path / "f.svg").read_bytes()[:1000]


def test_large_clouds_are_rasterized_small_ones_are_not(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    rng = np.random.default_rng(0)
    big = scatter(ax, rng.random(RASTER_THRESHOLD), rng.random(RASTER_THRESHOLD), ms=1)
    small = scatter(ax, [0.5], [0.5])
    mesh = scatter(ax, rng.random(1000), rng.random(1000), density=True)
    assert big.get_rasterized() and not small.get_rasterized() and mesh.get_rasterized()
    save_figure(fig, tmp_path / "cloud", ("pdf",))
    assert (tmp_path / "cloud.pdf").stat().st_size < 2_000_000      # markers as one image, not 1e5 paths


def test_wage_ticks_do_not_collide():
    from trade_opt.gomory.plots import MIN_TICK_GAP, wage_ticks

    for L in (np.array([8.0, 4.0]), np.array([4.0, 8.0]), np.array([1.0, 1.0])):
        ticks = wage_ticks(L)
        Y = np.array([r * L[0] / (L[1] + r * L[0]) for r in ticks])
        assert 1 in ticks and np.all(np.diff(Y) >= MIN_TICK_GAP)


def _table1_figure_inputs(name="gomory_table1"):
    from conftest import INSTANCES

    from trade_opt.gomory.boundary import boundary_B1_dp, boundary_B_greedy
    from trade_opt.gomory.equilibria import all_specialized, autarky_log_utilities
    from trade_opt.gomory.ricardo import ricardo
    from trade_opt.instances import load_instance

    data = load_instance(INSTANCES / f"{name}.toml").data()
    batch = all_specialized(data)
    grid = np.linspace(0.03, 0.97, 60)
    return data, batch, grid, boundary_B_greedy(data, grid)[0], boundary_B1_dp(data, grid), ricardo(data), autarky_log_utilities(data)


def test_figure2_marks_the_ricardo_points_with_black_squares(captured):
    from trade_opt.gomory.plots import figure2

    data, batch, _, _, _, r, aut = _table1_figure_inputs("gomory_table1_labor_swapped")
    figure2("unused.png", batch.Y, batch.u1, batch.u2, aut, (r.solution_Y, r.solution_u1, r.solution_u2), "t")
    fig = captured[-1]
    squares = [line for ax in fig.axes for line in ax.get_lines() if line.get_marker() == "s"]
    assert len(squares) == 2 and all(line.get_color() == "black" for line in squares)
    assert all(line.get_xdata()[0] == pytest.approx(r.ricardo_level, abs=1e-12) for line in squares)
    legend = fig.axes[0].get_legend()
    assert legend is not None and "Ricardo points" in [t.get_text() for t in legend.get_texts()]


def test_figure1_legend_outside_axes_thin_ricardo_line_all_formats(tmp_path):
    from trade_opt.gomory.plots import figure1

    data, batch, grid, B, B1, r, aut = _table1_figure_inputs()
    path = figure1(tmp_path / "fig1.png", batch.Y, batch.u1, grid, B, B1, r.ricardo_level, aut[0], data.L, "t",
                   formats=("png", "pdf", "svg"))
    assert path == tmp_path / "fig1.png" and all((tmp_path / f"fig1.{f}").exists() for f in ("png", "pdf", "svg"))


def test_figure1_layout(captured):
    from trade_opt.gomory.plots import figure1

    data, batch, grid, B, B1, r, aut = _table1_figure_inputs()
    figure1("unused.png", batch.Y, batch.u1, grid, B, B1, r.ricardo_level, aut[0], data.L, "t")
    fig = captured[-1]
    ax = fig.axes[0]
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y1 <= ax.get_window_extent().y0                 # the legend sits below the axes
    vertical = [line for line in ax.get_lines() if line.get_label().startswith("Ricardo level")]
    assert len(vertical) == 1 and vertical[0].get_linewidth() <= 1.0


def test_krugman_real_wage_figure_has_y_label(captured, tmp_path):
    from trade_opt.krugman.plots import sweep_figures

    table = pd.DataFrame({"A": [1.0, 2.0], "real_wage_N": [1.0, 1.1], "real_wage_S": [0.5, 0.6], "c": [1, 2],
                          "c_star": [1, 2], "n": [3, 4], "U_N": [1, 2], "U_S": [1, 2]})
    names = sweep_figures(table, "A", tmp_path, "north_south")
    assert names[0] == "real_wages.png"
    assert all(fig.axes[0].get_ylabel() for fig in captured)


def test_melitz_comparison_figure_is_at_most_1300_px_wide(tmp_path):
    import matplotlib.image as mpimg

    from trade_opt.melitz.plots import PANELS, comparison_figure

    cols = [name for name, _, _ in PANELS] + ["share_ratio_domestic"]
    by_z = pd.DataFrame({"z": np.linspace(0, 1, 5), "w": 2.0, **{c: np.linspace(1, 2, 5) for c in cols}})
    by_w = [pd.DataFrame({"w": np.geomspace(1, 10, 5), "z": 0.5, **{c: np.linspace(1, 2, 5) for c in cols}})]
    points = pd.DataFrame({"z": [0.5], "w": [2.0], **{c: [1.5] for c in cols}})
    path = comparison_figure(by_z, by_w, points, tmp_path / "c.png")
    assert mpimg.imread(path).shape[1] <= 1300


def test_kim_network_figure_has_an_edge_colour_legend(captured):
    import networkx as nx

    from trade_opt.kim.plots import plot_network_scenario

    base = nx.Graph()
    base.add_edge("A", "B", length=1.0, tariff=0.2)
    base.add_edge("B", "C", length=0.5, tariff=0.0)
    scen = base.copy()
    scen.edges["A", "B"]["tariff"] = 0.0
    scen.add_edge("A", "C", length=0.7, tariff=0.0, added=True)
    x = np.ones((4, 3))
    plot_network_scenario(base, scen, ("A", "B", "C"), x, x, "unused.png")
    fig = captured[-1]
    assert len(fig.legends) == 1
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("tariff levied" in t for t in texts) and any("added" in t for t in texts) and any("removed" in t for t in texts)


def _fake_gomory_results(folder, name="gomory_table1_labor_swapped"):
    """A result folder with the tables run_job writes (summary.json, equilibria.csv, boundary.csv)."""
    import json

    data, batch, grid, B, B1, r, aut = _table1_figure_inputs(name)
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"pattern": ["x"] * len(batch), "Y": batch.Y, "u1": batch.u1, "u2": batch.u2}).to_csv(folder / "equilibria.csv", index=False)
    pd.DataFrame({"Y": grid, "B_greedy": B, "B1_dp": B1}).to_csv(folder / "boundary.csv", index=False)
    summary = {"model": "gomory", "name": name, "n": data.n, "labor": data.L.tolist(), "source_file": "<instance>",
               "autarky": {"u1": float(aut[0]), "u2": float(aut[1])}, "ricardo_level": r.ricardo_level,
               "ricardo_solution_equilibrium": None if r.ricardo_solution is None else
               {"Y": r.solution_Y, "u1": r.solution_u1, "u2": r.solution_u2}}
    (folder / "summary.json").write_text(json.dumps(summary))
    return r


def test_redraw_gomory_figures_from_tables(tmp_path, captured):
    from trade_opt.gomory.redraw import redraw

    r = _fake_gomory_results(tmp_path / "res")
    written = redraw(tmp_path / "res", "png,svg")
    assert [p.name for p in written] == ["fig1.png", "fig1.svg", "fig2.png", "fig2.svg"]
    fig1, fig2 = captured
    assert [len(line.get_xdata()) for line in fig1.axes[0].get_lines() if line.get_label() == "specialized equilibria"] == [510]
    squares = [line for ax in fig2.axes for line in ax.get_lines() if line.get_marker() == "s"]
    assert len(squares) == 2 and squares[0].get_xdata()[0] == pytest.approx(r.solution_Y)


def test_redraw_rejects_incomplete_or_foreign_folders(tmp_path):
    import json

    from trade_opt.gomory.redraw import redraw

    with pytest.raises(InputError, match="summary.json"):
        redraw(tmp_path)
    _fake_gomory_results(tmp_path / "res", "gomory_table1")
    (tmp_path / "res" / "boundary.csv").unlink()
    with pytest.raises(InputError, match="boundary.csv"):
        redraw(tmp_path / "res")
    (tmp_path / "res" / "summary.json").write_text(json.dumps({"model": "kim"}))
    with pytest.raises(InputError, match="model"):
        redraw(tmp_path / "res")
    with pytest.raises(InputError, match="formats"):
        redraw(tmp_path / "res", ("gif",))


FIGURES_OF_JOB = {"krugman_default": {"ss_dd"}, "kim_nafta3": {"equilibrium"}, "melitz_default": {"comparison"},
                  "gomory_identical": {"fig1", "fig2", "fig3"}}


@pytest.mark.parametrize("name", sorted(FIGURES_OF_JOB))
def test_run_writes_every_figure_in_the_requested_formats(name, tmp_path, capsys):
    """`trade-opt run FILE --figure-format pdf,svg` reaches every figure of every model's main job:
    each figure as PDF and SVG, no PNG, and summary.json lists them."""
    import json

    from conftest import INSTANCES

    from trade_opt.cli.main import main

    out = tmp_path / "out"
    assert main(["run", str(INSTANCES / f"{name}.toml"), "--out", str(out), "--figure-format", "pdf,svg", "--quiet"]) == 0
    files = {p.name for p in out.iterdir()}
    assert not any(f.endswith(".png") for f in files)
    for suffix in (".pdf", ".svg"):
        assert {f[: -len(suffix)] for f in files if f.endswith(suffix)} == FIGURES_OF_JOB[name]
    listed = set(json.loads((out / "summary.json").read_text())["outputs"])
    assert {f"{stem}{s}" for stem in FIGURES_OF_JOB[name] for s in (".pdf", ".svg")} <= listed


def test_run_refuses_an_unknown_figure_format_before_any_work(tmp_path, capsys):
    from conftest import INSTANCES

    from trade_opt.cli.main import main

    out = tmp_path / "out"
    assert main(["run", str(INSTANCES / "krugman_default.toml"), "--out", str(out), "--figure-format", "png,gif"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["trade-opt: error: <command line>: --figure-format: unknown figure format 'gif'; choose from png, pdf, svg"]
    assert not out.exists()
