"""The one table of the models trade_opt knows.

Each entry names, as ``"module:attribute"`` import strings (so ``trade-opt`` starts fast and one
model's heavy imports never slow another's): the instance type, the verbs module (``load_instance``,
``build_model``, ``build_models``, ``solve``, ``run``; :mod:`trade_opt.gomory.interface` is an
example), the main job, the CLI sub-app, the sweep evaluators and the solver of its main job.
The embedding API (:mod:`trade_opt.api`), ``trade-opt run``, ``trade-opt <model> export`` and the
sweeps read this table, so adding a model touches this one place (plus the model's own package).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ModelEntry:
    """One model.

    Attributes
    ----------
    name : str
        Registry name (the instance files' ``model`` key, the CLI group, ``trade_opt.<name>``).
    help : str
        One line for ``trade-opt --help``.
    instance : str
        The pydantic instance class.
    interface : str
        The module with the verbs ``load_instance``, ``build_model``, ``build_models``, ``solve``, ``run``.
    job : str
        The main job ``run_job(instance, out_dir, *, source) -> dict`` (what ``run`` wraps).
    cli : str
        The typer sub-app (``trade-opt <name> ...``).
    evaluators : dict
        Sweep evaluators: name -> ``"module:Class"`` (the first is the default).
    solver : str
        The solver of the main job, as reported in ``Result.solver.name``.
    redraw : str or None
        ``redraw(results_dir, formats) -> list[Path]``: the figures of a result folder from its
        tables (``trade-opt plot``), or None if the model has none yet.
    """

    name: str
    help: str
    instance: str
    interface: str
    job: str
    cli: str
    evaluators: dict[str, str] = field(default_factory=dict)
    solver: str = "trade_opt_mcp"
    redraw: str | None = None

    @property
    def build_models(self) -> str:
        """Target of the ``build_models(instance, **options) -> dict[str, ConcreteModel]`` hook (embedding API, export).

        Returns
        -------
        str
            ``"<interface>:build_models"``, for :func:`resolve`.
        """
        return f"{self.interface}:build_models"

    def verb(self, name: str) -> Any:
        """One of the verbs of the model's interface module, imported.

        Parameters
        ----------
        name : str
            ``load_instance``, ``build_model``, ``build_models``, ``solve`` or ``run``.

        Returns
        -------
        callable
            The verb.
        """
        return resolve(f"{self.interface}:{name}")


MODELS: dict[str, ModelEntry] = {
    "gomory": ModelEntry(
        "gomory", "Gomory (1991): Ricardo model with economies of scale.",
        instance="trade_opt.gomory.instance:GomoryInstance",
        interface="trade_opt.gomory.interface",
        job="trade_opt.gomory.job:run_job",
        cli="trade_opt.gomory.cli:app",
        evaluators={"equilibria": "trade_opt.sweep.points_gomory:GomoryEquilibria",
                    "theorem2": "trade_opt.sweep.points_gomory:GomoryTheorem2"},
        solver="highs",
        redraw="trade_opt.gomory.redraw:redraw",
    ),
    "kim": ModelEntry(
        "kim", "Kim (1999): J-region location model with two supplier tiers, free entry as an MCP.",
        instance="trade_opt.kim.instance:KimInstance",
        interface="trade_opt.kim.interface",
        job="trade_opt.kim.job:run_job",
        cli="trade_opt.kim.cli:app",
        evaluators={"equilibrium": "trade_opt.sweep.points_models:KimEquilibrium"},
    ),
    "krugman": ModelEntry(
        "krugman", "Krugman (1979) with A stages and North-South outsourcing, as MCPs.",
        instance="trade_opt.krugman.instance:KrugmanInstance",
        interface="trade_opt.krugman.interface",
        job="trade_opt.krugman.job:run_job",
        cli="trade_opt.krugman.cli:app",
        evaluators={"equilibrium": "trade_opt.sweep.points_models:KrugmanEquilibrium",
                    "closed_form": "trade_opt.sweep.points_models:KrugmanClosedForm"},
    ),
    "melitz": ModelEntry(
        "melitz", "Melitz (2003) with North-South offshoring: cutoffs and free entry as an MCP.",
        instance="trade_opt.melitz.instance:MelitzInstance",
        interface="trade_opt.melitz.interface",
        job="trade_opt.melitz.job:run_job",
        cli="trade_opt.melitz.cli:app",
        evaluators={"comparison": "trade_opt.sweep.points_models:MelitzComparison"},
    ),
}


def resolve(target: str) -> Any:
    """Import ``"module:attribute"`` and return the attribute.

    Parameters
    ----------
    target : str
        ``"package.module:attribute"``.

    Returns
    -------
    Any
        The attribute.

    Examples
    --------
    >>> resolve("trade_opt.registry:resolve") is resolve
    True
    """
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def entry_of(model: str) -> ModelEntry:
    """The registry entry of ``model``.

    Parameters
    ----------
    model : str
        A key of :data:`MODELS` (``gomory``, ``kim``, ``krugman``, ``melitz``).

    Returns
    -------
    ModelEntry

    Raises
    ------
    OptionError
        One line naming the unknown model and the known ones.

    Examples
    --------
    >>> entry_of("kim").solver
    'trade_opt_mcp'
    """
    try:
        return MODELS[model]
    except KeyError:
        from trade_opt.errors import OptionError

        raise OptionError(f"unknown model {model!r} (one of: {', '.join(MODELS)})") from None
