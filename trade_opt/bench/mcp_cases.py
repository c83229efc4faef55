"""The cases of the MCP solver benchmark (:mod:`trade_opt.bench.mcp`): one (problem, start) each.

Pyomo's MCPLIB problems from every initial point of their data files (:mod:`trade_opt.bench.mcplib`;
the files ship with the source tree) and the Kim, Melitz and Krugman MCPs of the shipped instances,
grouped in the named suites :data:`MCP_SUITES`.  Each :class:`Case` builds a fresh model at its start
and carries its residual function: :func:`trade_opt.bench.mcplib.independent_residual` for MCPLIB,
``max |x - mid(lb, ub, x - F)|, |h|`` of the layer's system for the trade models.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
#: Named suites: MCPLIB problems (every start) and trade models.  ``tiny`` is for tests.
MCP_SUITES: dict[str, dict[str, tuple[str, ...]]] = {
    "tiny": {"mcplib": ("josephy", "munson1"), "trade": ("kim_nafta3",), "max_starts": (1,)},
    "small": {"mcplib": ("billups", "choi", "josephy", "kojshin", "munson1", "nash", "pies"),
              "trade": ("kim_nafta3", "melitz_default", "krugman_default")},
    "standard": {"mcplib": ("billups", "choi", "ehl_kost", "josephy", "kojshin", "munson1", "nash", "obstacle", "pies"),
                 "trade": ("kim_nafta3", "melitz_default", "krugman_default")},
}


@dataclass(frozen=True)
class Case:
    """One (problem, start): ``build() -> (model, start dict)`` and the residual function."""

    family: str
    problem: str
    start: int
    build: Callable[[], tuple[Any, dict]]
    residual: Callable[[Any], float]


def _layer_residual(model: Any) -> float:
    from trade_opt.mcp.residual import unscaled_residual_at
    from trade_opt.mcp.system import build_system

    system = build_system(model)
    try:
        return unscaled_residual_at(system, system.x_from_model())
    finally:
        system.restore()


def _trade_builders(root: Path) -> dict[str, Callable[[], tuple[Any, dict]]]:
    from trade_opt.instances import load_instance

    def kim():
        from trade_opt.kim.equilibrium import default_starts
        from trade_opt.kim.mcp_model import build_mcp_model

        data = load_instance(root / "instances" / "kim_nafta3.toml").data()
        mcp = build_mcp_model(data)
        return mcp.model, mcp.start(default_starts(data)[0])

    def melitz():
        from trade_opt.melitz.mcp_model import autarky_start, build_model, starting_points

        data = load_instance(root / "instances" / "melitz_default.toml").data()
        model = build_model(data)
        return model, starting_points(model, [autarky_start(data)])[0]

    def krugman():
        from trade_opt.krugman.mcp_model import build_north_south_model, north_south_start

        data = load_instance(root / "instances" / "krugman_default.toml").data()
        return build_north_south_model(data, north_south_start(data)), {}

    return {"kim_nafta3": kim, "melitz_default": melitz, "krugman_default": krugman}


def mcp_cases(suite: str, root: Path = ROOT) -> tuple[list[Case], list[str]]:
    """The cases of a suite and notes on what is missing (MCPLIB files, instance files).

    Parameters
    ----------
    suite : str
        A key of :data:`MCP_SUITES`.
    root : pathlib.Path
        Source tree holding ``tests/data/mcplib`` and ``instances``.

    Returns
    -------
    cases : list of Case
        One per (MCPLIB problem, start) (at most ``max_starts`` starts where the suite sets it),
        then one per trade instance.
    notes : list of str
        One line per problem or instance file that is missing (its cases are left out).
    """
    from trade_opt.bench import mcplib

    spec = MCP_SUITES[suite]
    max_starts = spec.get("max_starts", (None,))[0]
    cases: list[Case] = []
    notes: list[str] = []
    folder = root / "tests" / "data" / "mcplib"
    for name in spec["mcplib"]:
        if not (folder / f"{name}.py").exists():
            notes.append(f"MCPLIB {name}: no file {folder / (name + '.py')} (the problems ship with the source tree)")
            continue
        n_starts = len(mcplib.starts(name, mcplib.load(name, folder)))
        for k in range(n_starts if max_starts is None else min(n_starts, max_starts)):
            def build(name=name, k=k):
                model = mcplib.load(name, folder)
                return model, mcplib.starts(name, model)[k]
            cases.append(Case("mcplib", name, k + 1, build, mcplib.independent_residual))
    builders = _trade_builders(root)
    for name in spec["trade"]:
        if not (root / "instances" / f"{name}.toml").exists():
            notes.append(f"{name}: no instance file under {root / 'instances'}")
            continue
        cases.append(Case("trade", name, 1, builders[name], _layer_residual))
    return cases, notes
