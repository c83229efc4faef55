"""Table files: whole tables (:func:`write_table`, :func:`write_csv`), streams (:class:`TableStream`,
:class:`CsvStream`) and :func:`read_table`.

Tables
    :func:`write_table` writes a whole table, :class:`TableStream` (and :class:`CsvStream`, its
    CSV form) streams one chunk at a time.  Both use pyarrow: floats are written in their shortest
    round-trip form (``float(text) == value`` exactly), NaN as ``nan``, infinities as ``inf`` /
    ``-inf``, missing values as empty cells, booleans as ``true``/``false``.

The CSV-named helpers follow the table format in force (:func:`trade_opt.outputs.formats.table_format`).
"""
from __future__ import annotations

import io
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from trade_opt.errors import InputError
from trade_opt.folders import record_rows
from trade_opt.outputs.arrow import TEXT_MARKER, _csv_bytes, number_like_columns, to_arrow
from trade_opt.outputs.atomic import _atomic_write
from trade_opt.outputs.formats import (TableFormat, _check_format, _in_current_format, current_table_format,
                                       table_path)


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

    Inside ``table_format("parquet")`` (:mod:`trade_opt.outputs.formats`) it writes Parquet to
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
    empty, extra ones dropped).  Whether a text column gets the CSV text marker
    (:mod:`trade_opt.outputs.arrow`) is decided on its first non-empty chunk and kept.  Parquet: one
    row group per chunk, the schema of the first chunk (an empty chunk still fixes the schema); a
    Parquet stream that was given no chunk at all writes no file (the CSV one leaves an empty
    file).  Use as a context manager.

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

    Inside ``table_format("parquet")`` (:mod:`trade_opt.outputs.formats`) it streams Parquet to
    ``path.with_suffix(".parquet")`` (``.path`` is that file); ``append=True`` is then refused.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file (its suffix is set to ``.parquet`` inside ``table_format("parquet")``).
    append : bool
        Append to an existing file (a resumed run) instead of replacing it; CSV only.
    columns : list of str, optional
        Fixed column order (missing columns written empty, extra ones dropped); default: the
        first chunk's columns.

    Raises
    ------
    InputError
        ``append=True`` while the current table format is not CSV.
    """

    def __init__(self, path: str | Path, *, append: bool = False, columns: list[str] | None = None):
        fmt = current_table_format()
        if fmt != "csv" and append:
            raise InputError("<command line>", "--table-format",
                             f"{Path(path).name} is appended to (resumable), which {fmt} cannot do; use csv")
        super().__init__(_in_current_format(Path(path)), fmt=fmt, append=append, columns=columns)
