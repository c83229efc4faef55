"""Writing results: JSON, CSV and Parquet, exact, typed, atomic; transactional result folders.

Tables
    :func:`write_table` writes a whole table, :class:`TableStream` (and :class:`CsvStream`, its
    CSV form) streams one chunk at a time.  Both use pyarrow: floats are written in their shortest
    round-trip form (``float(text) == value`` exactly), NaN as ``nan``, infinities as ``inf`` /
    ``-inf``, missing values as empty cells, booleans as ``true``/``false``.

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

Text that looks like a number (the 0/1 patterns of the Gomory model)
    A string column is kept a string everywhere.  In Parquet it is a typed ``string`` column.  In
    CSV, when any value of a string column would be read back by ``pandas.read_csv`` as a number
    (``"010000000"`` would become the integer 10000000), every value of that column is written
    with the text marker ``'`` in front (``'010000000``), the spreadsheet convention for "this is
    text"; pandas then reads a string, and ``.str[1:]`` (or :func:`read_table`, which strips the
    marker) gives the pattern back.

JSON
    JSON has no NaN or infinity: :func:`dumps` writes them as ``null`` and, when the top level is
    an object, adds ``"non_finite": [{"path": "a.b[3]", "value": "NaN" | "Infinity" |
    "-Infinity"}, ...]`` listing every such value (at most :data:`NON_FINITE_LISTED`, then a
    count).  :func:`check_json_rows` refuses output of more than :data:`MAX_JSON_ROWS` rows with a
    pointer to ``--csv``/``--parquet``; :func:`write_jsonl` streams rows (dicts) as JSON Lines and
    :func:`jsonl_bytes` formats a whole chunk given as columns in Arrow (``gomory equilibria
    --json`` above :data:`MAX_JSON_ROWS` equilibria: one object per line, about 1 s per 10^6 rows).

Text columns from arrays
    :func:`text_rows` turns a ``uint8`` matrix of ASCII codes into an Arrow string column without
    a Python loop (the Gomory 0/1 patterns: ``bits + ord("0")``), so a chunk of a large table goes
    from numpy to the writer without pandas.

Result folders (:mod:`trade_opt.folders`, re-exported here)
    :func:`result_folder`, :func:`finalize_summary`, :func:`check_out_dir`, :func:`default_out_dir`,
    :func:`folder_lock`.
"""
from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import io
import json
import math
import os
import re
import tempfile
from pathlib import Path
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterable, Iterator, Literal, Mapping

import numpy as np
import pandas as pd

from trade_opt.errors import InputError
from trade_opt.folders import (  # noqa: F401  (re-exported: the output layer's public API)
    ROWS_WRITTEN,
    record_rows,
    check_out_dir,
    default_out_dir,
    finalize_summary,
    folder_lock,
    result_folder,
    slugify,
)

#: Prefix of the CSV form of text that would otherwise be read as a number.
TEXT_MARKER = "'"
#: Most rows a ``--json`` output may hold (about 100 MB of text); beyond it use --csv / --parquet.
MAX_JSON_ROWS = 200_000
#: Non-finite values listed one by one in ``non_finite`` (beyond: only counted).
NON_FINITE_LISTED = 1000
TableFormat = Literal["csv", "parquet"]
FORMATS = ("csv", "parquet")
_NUMBER_LIKE = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


# ----------------------------------------------------------------------------------------- JSON
def _non_finite_text(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _jsonable(obj: Any, path: str, found: list | None) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _jsonable(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name, found)
                for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v, f"{path}.{k}" if path else str(k), found) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v, f"{path}[{i}]", found) for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist(), path, found)
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        if math.isfinite(value):
            return value
        if found is not None:
            found.append((path or "<value>", _non_finite_text(value)))
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, numpy values and paths as plain JSON values; NaN and infinities as ``None``.

    Use :func:`dumps` to also get the ``non_finite`` list.

    Parameters
    ----------
    obj : Any
        Nested dataclasses, dicts, lists/tuples, numpy arrays and scalars, paths.

    Returns
    -------
    Any
        The same structure made of dict, list, str, int, float, bool and None.

    Examples
    --------
    >>> to_jsonable({"a": np.array([1.0, np.nan]), "b": np.int64(2)})
    {'a': [1.0, None], 'b': 2}
    """
    return _jsonable(obj, "", None)


def jsonable_with_non_finite(obj: Any) -> Any:
    """:func:`to_jsonable`, plus (top-level dict only) ``non_finite`` listing the values set to null.

    At most :data:`NON_FINITE_LISTED` values are listed; beyond, ``non_finite_count`` gives their number.

    Parameters
    ----------
    obj : Any
        As for :func:`to_jsonable`.

    Returns
    -------
    Any
        The JSON-ready structure.

    Examples
    --------
    >>> jsonable_with_non_finite({"r": [0.5, float("inf")]})
    {'r': [0.5, None], 'non_finite': [{'path': 'r[1]', 'value': 'Infinity'}]}
    """
    found: list = []
    out = _jsonable(obj, "", found)
    if found and isinstance(out, dict):
        out["non_finite"] = [{"path": p, "value": v} for p, v in found[:NON_FINITE_LISTED]]
        if len(found) > NON_FINITE_LISTED:
            out["non_finite_count"] = len(found)
    return out


def dumps(obj: Any, indent: int | None = 2) -> str:
    """JSON text of ``obj``: :func:`jsonable_with_non_finite` (NaN/inf as null, listed).

    Parameters
    ----------
    obj : Any
        As for :func:`to_jsonable`.
    indent : int or None
        Indentation (None: one line).

    Returns
    -------
    str
        Strict JSON (no NaN or Infinity tokens).

    Examples
    --------
    >>> dumps({"x": float("nan")}, indent=None)
    '{"x": null, "non_finite": [{"path": "x", "value": "NaN"}]}'
    """
    return json.dumps(jsonable_with_non_finite(obj), indent=indent, allow_nan=False)


def _atomic_write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_atomic_write_text = _atomic_write


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as indented JSON (:func:`dumps`), atomically.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (parent folders are created).
    obj : Any
        As for :func:`to_jsonable`.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    _atomic_write(path, dumps(obj) + "\n")
    return path


def check_json_rows(rows: int, option: str = "--json") -> None:
    """Refuse a JSON output of more than :data:`MAX_JSON_ROWS` rows (one-line :class:`InputError`).

    Parameters
    ----------
    rows : int
        Rows the output would hold.
    option : str
        The command-line option that asked for JSON, for the message.

    Returns
    -------
    None

    Raises
    ------
    InputError
        If ``rows > MAX_JSON_ROWS``.
    """
    if rows > MAX_JSON_ROWS:
        raise InputError("<command line>", option, f"{rows} rows; JSON output is limited to {MAX_JSON_ROWS} rows: "
                         "use --csv FILE or --parquet FILE for large tables")


def write_jsonl(path: str | Path | Any, rows: Iterable[dict[str, Any]]) -> int:
    """Stream ``rows`` as JSON Lines (one object per line, NaN/inf as null).

    Parameters
    ----------
    path : str, pathlib.Path or text stream
        A file path (row count recorded for ``summary.json``) or an open text stream
        (e.g. ``sys.stdout``).
    rows : iterable of dict
        The rows.

    Returns
    -------
    int
        The number of rows written.
    """
    if hasattr(path, "write"):
        count = 0
        for row in rows:
            path.write(json.dumps(to_jsonable(row), allow_nan=False) + "\n")
            count += 1
        return count
    path = Path(path)
    with open(path, "w", encoding="utf-8") as handle:
        count = write_jsonl(handle, rows)
    record_rows(path, count)
    return count


def _json_number_text(values: np.ndarray):
    """Arrow strings of JSON numbers: integers as such, floats in their shortest round-trip form
    (Arrow's formatting; a whole float keeps a ``.0`` so it reads back as a float), NaN/inf as null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if values.dtype.kind in "iub":
        return pc.cast(pa.array(values.astype(np.int64)), pa.large_string())
    floats = pa.array(values.astype(np.float64))
    text = pc.cast(floats, pa.large_string())
    whole = pc.match_substring_regex(text, r"^-?[0-9]+$")
    empty, point = pa.scalar("", pa.large_string()), pa.scalar(".0", pa.large_string())
    text = pc.if_else(whole, pc.binary_join_element_wise(text, point, empty), text)
    return pc.if_else(pc.is_finite(floats), text, pa.scalar("null", pa.large_string()))


def jsonl_bytes(columns: Mapping[str, np.ndarray]) -> bytes:
    """JSON Lines of a table given as columns, built column-wise in Arrow (no Python loop per row).

    Each line is one object ``{"name": value, ...}`` in the order of ``columns`` (separators as
    ``json.dumps``'s defaults); ``json.loads`` of a line gives the row back: the same doubles bit
    for bit, integers as integers, 0/1 lists as lists.

    Parameters
    ----------
    columns : mapping of str to numpy.ndarray
        Name -> 1-D float or integer array (floats in their shortest round-trip decimal form,
        NaN/inf as ``null``), or 2-D boolean / 0-1 integer matrix (each row a list of 0/1, e.g. a
        pattern ``x``).  All of one length.

    Returns
    -------
    bytes
        UTF-8 text, one line (ending in a newline) per row.

    Raises
    ------
    ValueError
        If the columns differ in length, a 2-D column holds other values than 0/1, or a column
        is neither 1-D numeric nor 2-D.

    Examples
    --------
    >>> jsonl_bytes({"x": np.array([[0, 1], [1, 1]]), "Y": np.array([0.5, np.nan]), "k": np.array([3, 4])})
    b'{"x": [0, 1], "Y": 0.5, "k": 3}\\n{"x": [1, 1], "Y": null, "k": 4}\\n'
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces: list[Any] = []
    rows = None
    for k, (name, values) in enumerate(columns.items()):
        values = np.asarray(values)
        rows = len(values) if rows is None else rows
        if len(values) != rows:
            raise ValueError(f"column {name!r} has {len(values)} rows, the first column {rows}")
        if values.ndim == 2:
            if values.size and not np.isin(values, (0, 1)).all():
                raise ValueError(f"column {name!r}: a 2-D column must hold 0/1")
            m, n = values.shape
            buf = np.full((m, max(3 * n, 2)), ord(" "), dtype=np.uint8)   # "[0, 1, 1]": 3n characters
            buf[:, 0], buf[:, -1] = ord("["), ord("]")
            buf[:, 1:3 * n:3] = values.astype(np.uint8) + ord("0")
            buf[:, 2:3 * n - 1:3] = ord(",")
            text = text_rows(buf)
        elif values.ndim == 1 and values.dtype.kind in "iubf":
            text = _json_number_text(values)
        else:
            raise ValueError(f"column {name!r}: a 1-D number column or a 2-D 0/1 matrix, got {values.dtype} {values.shape}")
        pieces += [pa.scalar(("{" if k == 0 else ", ") + json.dumps(str(name)) + ": ", pa.large_string()), text]
    if not pieces or not rows:
        return b""
    lines = pc.binary_join_element_wise(*pieces, pa.scalar("}\n", pa.large_string()), pa.scalar("", pa.large_string()))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


# --------------------------------------------------------------------------------------- tables
def _column_to_arrow(series: pd.Series):
    import pyarrow as pa

    values = series.to_numpy()
    if values.dtype.kind == "f":
        return pa.array(values.astype(np.float64, copy=False), from_pandas=False)   # NaN stays NaN
    try:
        return pa.Array.from_pandas(series)
    except (pa.ArrowInvalid, pa.ArrowTypeError):             # mixed objects: their text
        return pa.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values],
                        type=pa.string())


def to_arrow(table: pd.DataFrame | Mapping[str, Any] | Any):
    """A table as an Arrow table; float columns keep NaN as NaN (not null).

    Parameters
    ----------
    table : pandas.DataFrame, mapping or pyarrow.Table
        A DataFrame, a dict of columns (arrays or lists) or an Arrow table (returned as is).

    Returns
    -------
    pyarrow.Table

    Raises
    ------
    ValueError
        If column names repeat.
    """
    import pyarrow as pa

    if isinstance(table, pa.Table):
        return table
    if isinstance(table, Mapping):
        table = pd.DataFrame(dict(table))
    if table.columns.has_duplicates:
        raise ValueError(f"duplicate column names {sorted(table.columns[table.columns.duplicated()].map(str))}")
    return pa.table([_column_to_arrow(series) for _, series in table.items()], names=[str(c) for c in table.columns])


def text_rows(codes: np.ndarray):
    """Each row of a ``uint8`` matrix of ASCII codes as one string: an Arrow ``large_string``
    array made from the matrix's bytes (no Python loop; the 0/1 patterns of the Gomory tables).

    Parameters
    ----------
    codes : numpy.ndarray
        Shape (m, width), dtype uint8, ASCII (e.g. ``bits + ord("0")``).

    Returns
    -------
    pyarrow.LargeStringArray
        m strings of ``width`` characters.

    Examples
    --------
    >>> text_rows(np.array([[48, 49, 49], [49, 48, 48]], dtype=np.uint8)).to_pylist()
    ['011', '100']
    """
    import pyarrow as pa

    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    if codes.ndim != 2:
        raise ValueError(f"codes must be a 2-D uint8 matrix, got shape {codes.shape}")
    m, width = codes.shape
    offsets = np.arange(0, (m + 1) * width, width, dtype=np.int64) if width else np.zeros(m + 1, np.int64)
    return pa.LargeStringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(codes))


def _is_text(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def number_like_columns(table) -> list[str]:
    """String columns of an Arrow table holding a value that ``pandas.read_csv`` would read as a number.

    Parameters
    ----------
    table : pyarrow.Table
        The table.

    Returns
    -------
    list of str
        Column names, in table order.
    """
    import pyarrow.compute as pc

    out = []
    for name, column in zip(table.column_names, table.columns):
        if _is_text(column.type) and len(column) and pc.any(pc.match_substring_regex(column, _NUMBER_LIKE.pattern)).as_py():
            out.append(name)
    return out


def _mark_text(table, columns: Iterable[str]):
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in columns:
        k = table.column_names.index(name)
        column = table.column(k)
        marker, empty = pa.scalar(TEXT_MARKER, column.type), pa.scalar("", column.type)
        table = table.set_column(k, name, pc.binary_join_element_wise(marker, column, empty))
    return table


def _csv_bytes(table, header: bool, marked: Iterable[str]) -> bytes:
    import pyarrow.csv as pcsv

    sink = io.BytesIO()
    pcsv.write_csv(_mark_text(table, marked), sink, pcsv.WriteOptions(include_header=header))
    return sink.getvalue()


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


def write_table(path_stem: str | Path, table: pd.DataFrame | Any, fmt: TableFormat = "csv") -> Path:
    """Write a table as CSV or Parquet (pyarrow; see the module doc), atomically.

    Parameters
    ----------
    path_stem : str or pathlib.Path
        File path; its ``.csv``/``.parquet`` suffix is set from ``fmt``.
    table : pandas.DataFrame or pyarrow.Table
        The table (a DataFrame's index is dropped).
    fmt : {"csv", "parquet"}
        The format.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        If ``fmt`` is not a table format.
    """
    import pyarrow.parquet as pq

    path = table_path(path_stem, _check_format(fmt))
    arrow = to_arrow(table)
    if fmt == "csv":
        _atomic_write(path, _csv_bytes(arrow, True, number_like_columns(arrow)))
    else:
        sink = io.BytesIO()
        pq.write_table(arrow, sink)
        _atomic_write(path, sink.getvalue())
    record_rows(path, arrow.num_rows)
    return path


def write_csv(path: str | Path, table: pd.DataFrame) -> Path:
    """Write a table as CSV at exactly ``path`` (:func:`write_table`'s CSV), atomically.

    Inside ``table_format("parquet")`` (module doc) it writes Parquet to
    ``path.with_suffix(".parquet")`` instead.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    table : pandas.DataFrame or mapping or pyarrow.Table
        The table.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    if current_table_format() != "csv":
        return write_table(path, table, current_table_format())
    arrow = to_arrow(table)
    _atomic_write(path, _csv_bytes(arrow, True, number_like_columns(arrow)))
    record_rows(path, arrow.num_rows)
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table written here (CSV or Parquet) back with its types.

    Marked text columns (:data:`TEXT_MARKER`) lose the marker and stay strings.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.parquet`` file, else read as CSV.

    Returns
    -------
    pandas.DataFrame
    """
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pandas()
    frame = pd.read_csv(path, keep_default_na=True)
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind in "OUT" or str(column.dtype) in ("string", "str"):
            text = column.dropna().astype(str)
            if len(text) and text.str.startswith(TEXT_MARKER).all():
                frame[name] = column.where(column.isna(), column.astype(str).str[len(TEXT_MARKER):])
    return frame


class TableStream:
    """A table written chunk by chunk (CSV or Parquet, pyarrow).

    Chunks are converted to Arrow in the caller's thread and formatted and written, in order, by
    one background thread (pyarrow releases the GIL), so computing the next chunk overlaps writing
    this one; at most :attr:`MAX_PENDING` chunks wait.  Each CSV chunk reaches the operating system
    when written (flushed: a killed process keeps every finished chunk); the file is fsync'ed on
    close, which also re-raises any error of the writer thread.  CSV: the header comes with the
    first chunk; ``append=True`` keeps an existing file (a resumed run) and writes the header only
    if the file is new or empty.  ``columns`` fixes the column order (missing columns are written
    empty, extra ones dropped).  Whether a text column gets the CSV text marker (module doc) is
    decided on its first non-empty chunk and kept.  Parquet: one row group per chunk, the schema
    of the first chunk (an empty chunk still fixes the schema); a Parquet stream that was given
    no chunk at all writes no file (the CSV one leaves an empty file).  Use as a context manager.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (written as given; no suffix is added).
    fmt : {"csv", "parquet"}
        The format.
    append : bool
        Keep an existing CSV file (see above).
    columns : list of str, optional
        Fixed column order (see above).

    Raises
    ------
    InputError
        For an unknown ``fmt``, or ``append=True`` with Parquet.
    """

    MAX_PENDING = 3

    def __init__(self, path: str | Path, *, fmt: TableFormat = "csv", append: bool = False,
                 columns: list[str] | None = None):
        self.fmt = _check_format(fmt)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._columns = columns
        self._marked: set[str] | None = None
        self._writer = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="trade-opt-writer")
        self._pending: deque = deque()
        self.rows = 0
        if fmt == "parquet":
            if append:
                raise InputError("<command line>", "--format", "a Parquet table cannot be appended to; write a new file")
            self._handle = None
            self._header_done = False
            self._appended = False
            return
        has_rows = append and self.path.exists() and self.path.stat().st_size > 0
        self._handle = open(self.path, "ab" if append else "wb")
        self._header_done = has_rows
        self._appended = has_rows                      # rows counts this session's rows only

    def write(self, chunk: pd.DataFrame | Mapping[str, Any] | Any) -> None:
        """Append the rows of ``chunk`` (DataFrame, dict of columns or Arrow table).

        Parameters
        ----------
        chunk : pandas.DataFrame, mapping or pyarrow.Table
            The rows (reordered to ``columns`` when the stream has them).

        Returns
        -------
        None
        """
        if self._columns is not None:
            chunk = to_arrow(chunk).to_pandas() if not isinstance(chunk, (pd.DataFrame, Mapping)) else chunk
            chunk = pd.DataFrame(dict(chunk)) if isinstance(chunk, Mapping) else chunk
            chunk = chunk.reindex(columns=self._columns)
        arrow = to_arrow(chunk)
        if self.fmt == "csv":
            if self._marked is None and arrow.num_rows:
                self._marked = set(number_like_columns(arrow))
            if not arrow.num_rows and self._header_done:
                return
            marked = [c for c in arrow.column_names if c in (self._marked or ())]
            job = (self._emit_csv, arrow, not self._header_done, marked)
            self._header_done = True
        else:
            job = (self._emit_parquet, arrow)
        self.rows += arrow.num_rows
        self._pending.append(self._pool.submit(*job))
        while len(self._pending) > self.MAX_PENDING or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()

    def _emit_csv(self, arrow, header: bool, marked: list[str]) -> None:
        self._handle.write(_csv_bytes(arrow, header, marked))
        self._handle.flush()

    def _emit_parquet(self, arrow) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, arrow.schema)
        self._writer.write_table(arrow.cast(self._writer.schema) if arrow.schema != self._writer.schema else arrow)

    def close(self) -> None:
        """Write what is pending, finish the file (fsync); records its row count for :func:`finalize_summary`.

        Re-raises any error of the writer thread.

        Returns
        -------
        None
        """
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            if self._handle is not None and not self._handle.closed:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
        if not self._appended and self.path.exists():
            record_rows(self.path, self.rows)

    def __enter__(self) -> "TableStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CsvStream(TableStream):
    """Append-only CSV written chunk by chunk (:class:`TableStream` with ``fmt="csv"``).

    Inside ``table_format("parquet")`` (module doc) it streams Parquet to
    ``path.with_suffix(".parquet")`` (``.path`` is that file); ``append=True`` is then refused.
    """

    def __init__(self, path: str | Path, *, append: bool = False, columns: list[str] | None = None):
        fmt = current_table_format()
        if fmt != "csv" and append:
            raise InputError("<command line>", "--table-format",
                             f"{Path(path).name} is appended to (resumable), which {fmt} cannot do; use csv")
        super().__init__(_in_current_format(Path(path)), fmt=fmt, append=append, columns=columns)


def markdown_table(table: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A GitHub-flavoured Markdown table (no extra dependency).

    Parameters
    ----------
    table : pandas.DataFrame
        The table (index not shown).
    floatfmt : str
        Format spec of finite floats.

    Returns
    -------
    str
        Header, rule and one line per row, ending in a newline.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"Y": [0.123456], "n": [3]})), end="")
    | Y | n |
    | --- | --- |
    | 0.1235 | 3 |
    """
    def fmt(value: Any) -> str:
        """One cell's text.

        Parameters
        ----------
        value : Any
            The cell.

        Returns
        -------
        str
            Finite floats by ``floatfmt``, everything else by ``str``.
        """
        if isinstance(value, (float, np.floating)):
            return format(float(value), floatfmt) if math.isfinite(value) else str(value)
        return str(value)

    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in table.columns) + " |"
    rows: Iterable[str] = ("| " + " | ".join(fmt(v) for v in row) + " |" for row in table.itertuples(index=False))
    return "\n".join([header, rule, *rows]) + "\n"

