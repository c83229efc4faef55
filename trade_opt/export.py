"""Model export: write the Pyomo model of any trade_opt problem as LP, MPS, NL or GAMS.

``trade-opt <model> export FILE --format lp|mps|nl|gms --out PATH [--y Y] [--relaxation]``
(registered for every :data:`trade_opt.registry.MODELS` entry, through its ``build_models`` hook).

What is written (one file per model of the problem; see :mod:`trade_opt.api`):

* ``gomory``: the B1(Y) knapsacks at ``--y`` (``--relaxation``: B(Y)'s LP relaxation), one file per
  direction, ``<stem>_le.<ext>`` (trade equation as ``<=``) and ``<stem>_ge.<ext>`` (``>=``); each
  objective includes the constant C(Y), so B1(Y) = min(optimum of .le, optimum of .ge) in the
  log-utility of country 1.  All four formats (Pyomo's writers; the LP/MPS files re-read by HiGHS
  give the same optima as the DP, ``tests/test_export.py``).
* complementarity models (``kim``, ``melitz``, ``krugman``): only ``nl``.  What is true of Pyomo
  6.10 (checked in its source, ``pyomo/repn/plugins/nl_writer.py``, ``pyomo/mpec/plugins/mpec4.py``,
  ``pyomo/repn/plugins/gams_writer.py``):

  - ``nl``: the NL writer refuses a raw ``Complementarity`` component; after the ``mpec.nl``
    transformation (applied here to a clone) each pair becomes a constraint marked as an AMPL
    complementarity row (``r`` segment type 5, ``5 k i``: bound kind k, complemented variable i)
    and the header counts them; the count is checked against the number of pairs after writing.
    (``symbolic_solver_labels`` is on, so ``.row``/``.col`` name files are written next to it.)
    The rows survive, but, as ``models/mcp.md`` says, no solver available here reads them:
    Ipopt drops them and solves the remaining equalities ("never mpec.nl here"); only a
    complementarity solver with an AMPL interface (PATH, Knitro) honours them.
  - ``gms``: the GAMS writer raises on ``Complementarity`` and writes ``MODEL GAMS_MODEL /all/``,
    which cannot pair equations with variables (``eq.var``), so an MCP cannot be expressed;
    after ``mpec.nl`` it would silently write plain equations.  Refused.
  - ``lp`` / ``mps``: linear formats, no complementarity (and the models are nonlinear).  Refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from trade_opt.errors import TradeOptError

FORMATS = ("lp", "mps", "nl", "gms")


@dataclass(frozen=True)
class ExportedFile:
    """One written file.

    Attributes
    ----------
    model : str
        The model's key in its problem (``le``/``ge`` for Gomory, ``mcp`` ...).
    path : pathlib.Path
        The file written.
    format : str
        One of :data:`FORMATS`.
    variables, constraints : int
        Counts of the model written (after ``mpec.nl`` for complementarity models).
    complementarity_rows : int
        Complementarity rows in the NL header (0 for other formats).
    """

    model: str
    path: Path
    format: str
    variables: int
    constraints: int
    complementarity_rows: int = 0


def has_complementarity(model: Any) -> bool:
    """Whether the Pyomo ``model`` holds an active ``pyomo.mpec.Complementarity``.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        Any Pyomo model.

    Returns
    -------
    bool
        True if at least one active complementarity pair is present.
    """
    from pyomo.mpec import Complementarity

    return next(model.component_data_objects(Complementarity, active=True), None) is not None


def _nl_complementarity_count(path: Path) -> int:
    """Linear + nonlinear complementarity counts from the NL header (line 3:
    ``nonlinear constrs, objs; ccons: lin, nonlin, nd, nzlb``)."""
    with open(path, encoding="utf-8") as handle:
        lines = [handle.readline() for _ in range(3)]
    fields = re.findall(r"-?\d+", lines[2].split("#")[0])
    return int(fields[2]) + int(fields[3]) if len(fields) >= 4 else 0


def write_model(model: Any, path: str | Path, fmt: str, key: str = "model") -> ExportedFile:
    """Write one Pyomo model in ``fmt`` (see the module docstring for what is allowed).

    Complementarity models are written only as NL, after ``mpec.nl`` on a clone; the number of
    complementarity rows in the NL header is checked against the number of pairs.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        The model to write (not modified).
    path : str or Path
        Output file (its folder is created).
    fmt : str
        One of :data:`FORMATS` (``lp``, ``mps``, ``nl``, ``gms``), case-insensitive.
    key : str, optional
        The model's key in its problem (``le``/``ge``/``mcp``; default ``"model"``).

    Returns
    -------
    ExportedFile
        Path, format, numbers of variables, constraints and complementarity rows written.

    Raises
    ------
    TradeOptError
        Unknown format; a complementarity model in a format other than NL; Pyomo cannot write the
        model; the NL header's complementarity count differs from the model's pairs.
    """
    from trade_opt import _config  # noqa: F401  (PYOMO_CONFIG_DIR before pyomo)
    import pyomo.environ as pyo
    from pyomo.mpec import Complementarity

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise TradeOptError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pairs = 0
    if has_complementarity(model):
        if fmt != "nl":
            raise TradeOptError(
                f"format {fmt!r} cannot hold complementarity conditions: Pyomo's "
                + ("GAMS writer refuses Complementarity components and writes MODEL /all/ with no eq.var pairing"
                   if fmt == "gms" else "LP/MPS writers are linear and have no complementarity rows")
                + "; export complementarity models with --format nl")
        model = model.clone()
        pairs = sum(1 for _ in model.component_data_objects(Complementarity, active=True))
        pyo.TransformationFactory("mpec.nl").apply_to(model)
    try:
        from pyomo.opt import ProblemFormat

        pyomo_format = {"lp": ProblemFormat.cpxlp, "mps": ProblemFormat.mps, "nl": ProblemFormat.nl,
                        "gms": ProblemFormat.gams}[fmt]
        model.write(str(path), format=pyomo_format, io_options={"symbolic_solver_labels": True})
    except (ValueError, RuntimeError, KeyError) as exc:
        raise TradeOptError(f"Pyomo cannot write this model as {fmt}: {str(exc).splitlines()[0]}") from None
    written = 0
    if pairs:
        written = _nl_complementarity_count(path)
        if written != pairs:
            raise TradeOptError(f"{path}: NL header counts {written} complementarity rows, model has {pairs}")
    return ExportedFile(key, path, fmt, model.nvariables(), model.nconstraints(), written)


def export_problem(instance: Any, out: str | Path, fmt: str, **options: Any) -> list[ExportedFile]:
    """Build the problem's model(s) (:func:`trade_opt.api.build_models`) and write each.

    A problem with one model is written to ``out``; with several (Gomory: ``le``, ``ge``) to
    ``<stem>_<key><suffix>`` next to ``out``.

    Parameters
    ----------
    instance : InstanceBase
        A loaded instance (:func:`trade_opt.instances.load_instance`).
    out : str or Path
        Output file (or the stem for several models).
    fmt : str
        One of :data:`FORMATS`.
    **options
        Passed to the model's ``build_models`` hook (Gomory: ``Y`` normalized income of country 1 in
        (0, 1), ``relaxation``).

    Returns
    -------
    list of ExportedFile
        One entry per file written.

    Raises
    ------
    TradeOptError
        As :func:`write_model`; also (as :class:`~trade_opt.errors.OptionError`) when the
        ``build_models`` hook refuses the options (e.g. Gomory without ``Y``).
    """
    from trade_opt.api import build_models

    out = Path(out)
    models = build_models(instance, **options)
    if len(models) == 1:
        (key, model), = models.items()
        return [write_model(model, out, fmt, key)]
    return [write_model(model, out.with_name(f"{out.stem}_{key}{out.suffix or '.' + fmt}"), fmt, key)
            for key, model in models.items()]


def make_export_command(model_name: str):
    """The ``trade-opt <model_name> export`` typer command (registered by ``trade_opt.cli.main``).

    Parameters
    ----------
    model_name : str
        A key of :data:`trade_opt.registry.MODELS`.

    Returns
    -------
    callable
        The typer command function ``export_<model_name>`` (its own docstring is the CLI help text,
        so it stays one line).  When run it raises :class:`~trade_opt.errors.InputError` (one line,
        exit 2 through ``trade_opt.cli.main``) for an unknown ``--format``, ``--y``/``--relaxation``
        given to a model other than gomory, a gomory export without ``--y`` or with ``--y`` outside
        [``EXPORT_Y_MIN``, 1), or a complementarity model in a format other than nl.
    """
    import typer

    def export(
        instance_file: Path = typer.Argument(..., help="Instance file (.toml/.json)."),
        fmt: str = typer.Option("lp", "--format", help="lp | mps | nl | gms (complementarity models: nl only)."),
        out: Path = typer.Option(..., "--out", help="Output file (Gomory: <stem>_le.<ext> and <stem>_ge.<ext>)."),
        y: Optional[float] = typer.Option(None, "--y", help="gomory: normalized income Y in (0, 1)."),
        relaxation: bool = typer.Option(False, "--relaxation", help="gomory: B(Y)'s LP relaxation instead of B1(Y)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
    ) -> None:
        """Write the model's Pyomo model(s) as LP, MPS, NL or GAMS (see trade_opt.export)."""
        from trade_opt.gomory.interface import EXPORT_Y_MIN
        from trade_opt.commandline import print_json
        from trade_opt.errors import InputError
        from trade_opt.instances import load_instance

        if fmt.lower() not in FORMATS:
            raise InputError("<command line>", "--format", f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        instance = load_instance(instance_file, model=model_name)
        options: dict[str, Any] = {"Y": y, "relaxation": relaxation} if model_name == "gomory" else {}
        if model_name != "gomory" and (y is not None or relaxation):
            raise InputError("<command line>", "--y/--relaxation", "apply to gomory only")
        if model_name == "gomory" and y is None:
            raise InputError("<command line>", "--y", "gomory export needs the normalized income --y in (0, 1)")
        if y is not None and not 0 < y < 1:
            raise InputError("<command line>", "--y", f"Y must lie in (0, 1), got {y}")
        if y is not None and y < EXPORT_Y_MIN:
            raise InputError("<command line>", "--y", f"Y = {y:g} < {EXPORT_Y_MIN:g}: the exported x-form trade row "
                             "(right-hand side 1 - Y) cannot resolve it in double precision; use `gomory boundary`")
        if model_name != "gomory" and fmt.lower() != "nl":
            raise InputError("<command line>", "--format", f"format {fmt!r} cannot hold complementarity conditions ({model_name} "
                             "is a complementarity model; LP/MPS writers are linear, the GAMS writer refuses them); "
                             "export with --format nl")
        files = export_problem(instance, out, fmt, **options)
        if as_json:
            print_json([f.__dict__ for f in files])
            return
        for f in files:
            extra = f", {f.complementarity_rows} complementarity rows" if f.complementarity_rows else ""
            typer.echo(f"{f.path}: {f.format}, {f.variables} variables, {f.constraints} constraints{extra}")

    export.__name__ = f"export_{model_name}"
    return export
