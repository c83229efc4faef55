"""What every command-line verb shares, outside ``trade_opt.cli`` (which imports the model CLIs).

Printing JSON and Results, parsing number lists and ranges, the ``--table-format`` option, and the
``run`` command that ``trade-opt run`` and every model's sub-app get (:func:`make_run_command`,
:func:`add_run_command`), so the option names are the same everywhere: ``--out``, ``--json``,
``--quiet``, ``--wait``, ``--table-format``, ``--figure-format``, ``--resume``, ``--from/--to/--num``.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

from trade_opt.errors import InputError


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (for ``--json``; NaN as null).

    Parameters
    ----------
    obj : Any
        JSON-able value; numpy scalars/arrays, paths and dataclasses are converted by
        :func:`trade_opt.outputs.dumps`, non-finite floats become ``null``.
    """
    from trade_opt.outputs import dumps

    sys.stdout.write(dumps(obj) + "\n")


def parse_float_list(text: str, option: str) -> list[float]:
    """Parse ``"0.3,0.5"`` into floats; errors name the option.

    Parameters
    ----------
    text : str
        Comma-separated numbers as typed (blanks around the commas and empty items are ignored).
    option : str
        Option name (``"--y"``) that an :class:`~trade_opt.errors.InputError` names.

    Returns
    -------
    list of float
        The values in the order given (at least one).

    Raises
    ------
    InputError
        An item is not a number, or no value is given.

    Examples
    --------
    >>> parse_float_list("0.3, 0.5", "--y")
    [0.3, 0.5]
    """
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise InputError("<command line>", option, f"{part!r} is not a number") from None
    if not values:
        raise InputError("<command line>", option, "no values given")
    return values


def parse_range(start: float, stop: float, num: int, *, low: float | None = None) -> list[float]:
    """``num`` equally spaced values from ``start`` to ``stop`` (``--from/--to/--num``), checked.

    Parameters
    ----------
    start, stop : float
        First and last value (finite; at least ``low`` when given).
    num : int
        Number of values, >= 2.
    low : float, optional
        Smallest admissible value.

    Returns
    -------
    list of float

    Examples
    --------
    >>> parse_range(2.0, 1.0, 3)
    [2.0, 1.5, 1.0]
    """
    import math

    for option, value in (("--from", start), ("--to", stop)):
        if not math.isfinite(value) or (low is not None and value < low):
            bound = f" >= {low:g}" if low is not None else ""
            raise InputError("<command line>", option, f"must be a finite number{bound}, got {value!r}")
    if num < 2:
        raise InputError("<command line>", "--num", f"must be >= 2, got {num}")
    return [start + (stop - start) * k / (num - 1) for k in range(num)]


def echo_result(result: Any, as_json: bool) -> None:
    """Print a :class:`trade_opt.result.Result`: its JSON, or a header line and its table.

    Parameters
    ----------
    result : trade_opt.result.Result
        The solve's result.
    as_json : bool
        True: print ``result.to_dict()`` as JSON only.  False: one line (model, name, status,
        termination, solver, residual, seconds), the message if any, then the solution table as
        Markdown (6 significant digits) when it has rows.
    """
    import typer

    if as_json:
        print_json(result.to_dict())
        return
    residual = "-" if result.residual is None else f"{result.residual:.2e}"
    typer.echo(f"{result.model} {result.name!r}: status {result.status} ({result.termination}), "
               f"solver {result.solver.name}, residual {residual}, {result.seconds:.2f} s")
    if result.message:
        typer.echo(result.message)
    frame = result.to_frame()
    if len(frame):
        from trade_opt.outputs import markdown_table

        typer.echo(markdown_table(frame, floatfmt=".6g"), nl=False)


def exit_code_of(result: Any) -> int:
    """Process exit code of a command that solved or ran something.

    Parameters
    ----------
    result : trade_opt.result.Result
        The solve's or job's result.

    Returns
    -------
    int
        1 when it failed (``status == "error"``), else 0 (``"warning"`` exits 0).
    """
    return 1 if result.status == "error" else 0


#: help of ``--table-format`` on ``trade-opt run`` and ``trade-opt <model> run``
TABLE_FORMAT_HELP = ("Format of the result tables: csv (default) or parquet (typed, exact; each FILE.csv "
                     "is written as FILE.parquet instead).")


def table_format_option(help_text: str = TABLE_FORMAT_HELP):
    """The ``--table-format csv|parquet`` typer option of the commands that write tables (default csv).

    A command checks the value first (:func:`trade_opt.outputs.check_table_format`: a bad value
    is one line, exit 2, before any work) and writes its tables inside
    ``trade_opt.outputs.table_format(value)``.

    Parameters
    ----------
    help_text : str, optional
        The option's help.

    Returns
    -------
    typer.models.OptionInfo
    """
    import typer

    return typer.Option("csv", "--table-format", help=help_text)


def make_run_command(model: str | None = None):
    """The ``run`` command: ``trade-opt run FILE`` (``model`` None: the file's ``model`` key picks it)
    or ``trade-opt <model> run FILE``, with ``--out``, ``--table-format``, ``--figure-format``,
    ``--quiet``, ``--wait``, ``--json``, ``--resume``.

    Parameters
    ----------
    model : str, optional
        Registry name; None for the top-level command.

    Returns
    -------
    callable
        The typer command function (exit 1 when the job's status is ``error``).
    """
    import typer

    def run(
        instance_file: Path = typer.Argument(..., help="Instance file (.toml or .json)" + (
            "." if model else "; its `model` key picks the model.")),
        out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default results/<slug of the instance name>); written complete or not at all."),
        quiet: bool = typer.Option(False, "--quiet", help="Print nothing but errors (and --json)."),
        wait: bool = typer.Option(False, "--wait", help="Wait for another run writing the same folder instead of refusing."),
        as_json: bool = typer.Option(False, "--json", help="Print the Result (with the summary) as JSON."),
        table_format: str = typer.Option("csv", "--table-format", help=TABLE_FORMAT_HELP),
        figure_format: str = typer.Option("png", "--figure-format", help="Formats of the job's figures, "
                                          "comma-separated: png, pdf, svg (e.g. png,pdf)."),
        resume: bool = typer.Option(False, "--resume", help="Reuse the stages an interrupted run of the same instance completed "
                                    "(kept in the hidden sibling .<out>.partial; gomory's job has stages); a checkpoint of "
                                    "another instance, table format or version is refused (exit 2). Without --resume a "
                                    "checkpoint is discarded."),
    ) -> None:
        from trade_opt.instances import load_instance
        from trade_opt.outputs import check_table_format
        from trade_opt.runner import run as run_model

        from trade_opt.plotting import check_formats

        check_table_format(table_format)
        check_formats(figure_format)
        instance = load_instance(instance_file, model=model)
        result = run_model(instance, out, source=str(instance_file), quiet=quiet or as_json, wait=wait,
                           table_format=table_format, figure_format=figure_format, resume=resume)
        if as_json:
            print_json(result.to_dict())
        raise typer.Exit(exit_code_of(result))

    run.__doc__ = (f"Run the {model} main job and write its outputs (tables, figures, summary.json) to --out."
                   if model else "Run the main job of the instance's model and write its outputs to --out "
                   "(complete or not at all).")
    return run


def add_run_command(app: Any, model: str) -> None:
    """Add ``trade-opt <model> run FILE ...`` (:func:`make_run_command`) to a model's sub-app.

    Parameters
    ----------
    app : typer.Typer
        The model's sub-app.
    model : str
        Registry name.
    """
    app.command("run")(make_run_command(model))


def table_file_option(csv: Optional[Path], parquet: Optional[Path], table_format: Optional[str]) -> tuple[Optional[Path], str]:
    """The table file and its format from a command's ``--csv FILE`` / ``--parquet FILE`` / ``--table-format``.

    Parameters
    ----------
    csv : pathlib.Path or None
        ``--csv FILE``: a table file, CSV unless ``--table-format parquet``.
    parquet : pathlib.Path or None
        ``--parquet FILE``: a Parquet file.
    table_format : str or None
        ``--table-format csv|parquet`` (None: not given).

    Returns
    -------
    (pathlib.Path or None, str)
        The file (None when neither option was given) and "csv" or "parquet".

    Raises
    ------
    InputError
        Both files given, ``--table-format csv`` with ``--parquet``, or an unknown format.
    """
    from trade_opt.outputs import check_table_format

    fmt = check_table_format(table_format) if table_format is not None else None
    if csv is not None and parquet is not None:
        raise InputError("<command line>", "--csv/--parquet", "give at most one of --csv FILE and --parquet FILE")
    if parquet is not None:
        if fmt == "csv":
            raise InputError("<command line>", "--table-format", "csv contradicts --parquet FILE")
        return parquet, "parquet"
    return csv, fmt or "csv"
