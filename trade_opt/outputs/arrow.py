"""Arrow tables from pandas and numpy, and the CSV text of an Arrow table (the text marker).

Text that looks like a number (the 0/1 patterns of the Gomory model)
    A string column is kept a string everywhere.  In Parquet it is a typed ``string`` column.  In
    CSV, when any value of a string column would be read back by ``pandas.read_csv`` as a number
    (``"010000000"`` would become the integer 10000000), every value of that column is written
    with the text marker ``'`` in front (``'010000000``), the spreadsheet convention for "this is
    text"; pandas then reads a string, and ``.str[1:]`` (or :func:`read_table`, which strips the
    marker) gives the pattern back.

Text columns from arrays
    :func:`text_rows` turns a ``uint8`` matrix of ASCII codes into an Arrow string column without
    a Python loop (the Gomory 0/1 patterns: ``bits + ord("0")``), so a chunk of a large table goes
    from numpy to the writer without pandas.
"""
from __future__ import annotations

import io
import math
import re
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from trade_opt.errors import ArgumentError

#: Prefix of the CSV form of text that would otherwise be read as a number.
TEXT_MARKER = "'"
_NUMBER_LIKE = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


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
        raise ArgumentError("table", f"duplicate column names {sorted(table.columns[table.columns.duplicated()].map(str))}")
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
        raise ArgumentError("codes", f"must be a 2-D uint8 matrix, got shape {codes.shape}")
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
