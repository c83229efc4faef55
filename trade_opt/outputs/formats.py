"""Table formats (CSV or Parquet): validation, file suffixes and the format in force for a job.

The table format of a job (``--table-format csv|parquet``)
    :func:`table_format` sets, for the code run inside ``with table_format("parquet"):`` (a
    :class:`contextvars.ContextVar`, so it is per thread / per task and undone on exit), the format
    of the tables written by the CSV-named helpers, so a job needs no format argument:
    :func:`write_csv` then writes ``path.with_suffix(".parquet")`` (same rows, same column types)
    and :class:`CsvStream` streams Parquet (one row group per chunk) to
    ``path.with_suffix(".parquet")``; their return value / ``.path`` is the file really written.
    The default is ``"csv"`` (nothing changes outside the context).  Explicit formats win:
    :func:`write_table` and :class:`TableStream` write the ``fmt`` they are given.  A Parquet file
    cannot be appended to, so ``CsvStream(path, append=True)`` inside a Parquet context raises
    :class:`~trade_opt.errors.InputError` rather than silently writing CSV.  Every writer
    records its row count for ``summary.json`` either way.  :func:`read_table` reads both.
"""
from __future__ import annotations

import contextlib
import contextvars
from pathlib import Path
from typing import Iterator, Literal

from trade_opt.errors import InputError

TableFormat = Literal["csv", "parquet"]
FORMATS = ("csv", "parquet")


def _check_format(fmt: str, option: str = "--format") -> str:
    if fmt not in FORMATS:
        raise InputError("<command line>", option, f"unknown table format {fmt!r} (one of: {', '.join(FORMATS)})")
    return fmt


def check_table_format(fmt: str, option: str = "--table-format") -> TableFormat:
    """Validate a table format.

    Parameters
    ----------
    fmt : str
        The value given.
    option : str
        The command-line option it came from, for the message.

    Returns
    -------
    str
        ``fmt`` (``"csv"`` or ``"parquet"``).

    Raises
    ------
    InputError
        (one line, naming ``option``) If ``fmt`` is not a table format.
    """
    return _check_format(fmt, option)  # type: ignore[return-value]


#: Format of the tables written by :func:`write_csv` / :class:`CsvStream` (see :func:`table_format`).
_TABLE_FORMAT: contextvars.ContextVar[str] = contextvars.ContextVar("trade_opt_table_format", default="csv")


def current_table_format() -> TableFormat:
    """The table format in force here: ``"csv"`` unless inside :func:`table_format`.

    Returns
    -------
    str
        ``"csv"`` or ``"parquet"``.
    """
    return _TABLE_FORMAT.get()  # type: ignore[return-value]


@contextlib.contextmanager
def table_format(fmt: TableFormat, option: str = "--table-format") -> Iterator[TableFormat]:
    """Inside the ``with`` block, :func:`write_csv` and :class:`CsvStream` write ``fmt`` (module doc).

    Parameters
    ----------
    fmt : {"csv", "parquet"}
        The table format (anything else: one-line :class:`~trade_opt.errors.InputError` naming
        ``option``).
    option : str
        The command-line option the value came from, for the error message.

    Yields
    ------
    str
        ``fmt``.
    """
    token = _TABLE_FORMAT.set(_check_format(fmt, option))
    try:
        yield fmt
    finally:
        _TABLE_FORMAT.reset(token)


def _in_current_format(path: Path) -> Path:
    """``path`` with the suffix of the current table format (unchanged for CSV)."""
    fmt = current_table_format()
    return path if fmt == "csv" else table_path(path, fmt)


def table_path(path_stem: str | Path, fmt: str) -> Path:
    """``path_stem`` with the suffix of ``fmt`` (``.csv`` / ``.parquet``; an existing one is replaced).

    Parameters
    ----------
    path_stem : str or pathlib.Path
        The file path, with or without suffix.
    fmt : str
        ``"csv"`` or ``"parquet"``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> table_path("out/eq.csv", "parquet").as_posix(), table_path("out/eq", "csv").as_posix()
    ('out/eq.parquet', 'out/eq.csv')
    """
    path = Path(path_stem)
    return path.with_suffix("." + fmt) if path.suffix.lower() in (".csv", ".parquet") else path.with_name(path.name + "." + fmt)
