"""Which models trade_opt knows: instance type, main job and CLI sub-app of each.

Entries are import strings so that ``trade-opt`` starts fast and one model's heavy imports never
slow another's.  Adding a model touches this one table.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelEntry:
    """One model: ``instance`` is its pydantic instance class, ``job`` its main job
    ``run_job(instance, out_dir, *, source) -> dict`` (what ``trade-opt run`` calls), ``cli`` its
    typer sub-app (``trade-opt <name> ...``); all as ``"module:attribute"`` strings.

    ``build_model`` (optional) builds the model's Pyomo model(s) from an instance:
    ``build(instance, **options) -> dict[str, pyomo ConcreteModel]``.  It is what the embedding API
    (:func:`trade_opt.api.build_problem`) returns and what ``trade-opt <name> export`` writes
    (:mod:`trade_opt.export`; the command is added to every entry that has the hook)."""

    name: str
    instance: str
    job: str
    cli: str
    help: str
    build_model: str | None = None


MODELS: dict[str, ModelEntry] = {
    "gomory": ModelEntry(
        "gomory",
        "trade_opt.gomory.instance:GomoryInstance",
        "trade_opt.gomory.job:run_job",
        "trade_opt.gomory.cli:app",
        "Gomory (1991): Ricardo model with economies of scale.",
        build_model="trade_opt.api:build_gomory",
    ),
    "kim": ModelEntry("kim", "trade_opt.kim.instance:KimInstance", "trade_opt.kim.job:run_job", "trade_opt.kim.cli:app", "Kim (1999): J-region location model with two supplier tiers, free entry as an MCP.",
                      build_model="trade_opt.api:build_kim"),
    "krugman": ModelEntry(
        "krugman",
        "trade_opt.krugman.instance:KrugmanInstance",
        "trade_opt.krugman.job:run_job",
        "trade_opt.krugman.cli:app",
        "Krugman (1979) with A stages and North-South outsourcing, as MCPs.",
        build_model="trade_opt.api:build_krugman",
    ),
    "melitz": ModelEntry("melitz", "trade_opt.melitz.instance:MelitzInstance", "trade_opt.melitz.job:run_job", "trade_opt.melitz.cli:app", "Melitz (2003) with North-South offshoring: cutoffs and free entry as an MCP.",
                         build_model="trade_opt.api:build_melitz"),
}


def resolve(target: str) -> Any:
    """Import ``"module:attribute"`` and return the attribute."""
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)
