"""JSON output: strict JSON of results (NaN and infinities as null, listed), JSON files, JSON Lines.

JSON
    JSON has no NaN or infinity: :func:`dumps` writes them as ``null`` and, when the top level is
    an object, adds ``"non_finite": [{"path": "a.b[3]", "value": "NaN" | "Infinity" |
    "-Infinity"}, ...]`` listing every such value (at most :data:`NON_FINITE_LISTED`, then a
    count).  :func:`check_json_rows` refuses output of more than :data:`MAX_JSON_ROWS` rows with a
    pointer to ``--csv``/``--parquet``; :func:`write_jsonl` streams rows (dicts) as JSON Lines and
    :func:`jsonl_bytes` formats a whole chunk given as columns in Arrow (``gomory equilibria
    --json`` above :data:`MAX_JSON_ROWS` equilibria: one object per line, about 1 s per 10^6 rows).
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from trade_opt.errors import ArgumentError, InputError
from trade_opt.folders import record_rows
from trade_opt.outputs.arrow import text_rows
from trade_opt.outputs.atomic import _atomic_write

#: Most rows a ``--json`` output may hold (about 100 MB of text); beyond it use --csv / --parquet.
MAX_JSON_ROWS = 200_000
#: Non-finite values listed one by one in ``non_finite`` (beyond: only counted).
NON_FINITE_LISTED = 1000


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
            raise ArgumentError(f"columns[{name!r}]", f"has {len(values)} rows, the first column {rows}")
        if values.ndim == 2:
            if values.size and not np.isin(values, (0, 1)).all():
                raise ArgumentError(f"columns[{name!r}]", "a 2-D column must hold 0/1")
            m, n = values.shape
            buf = np.full((m, max(3 * n, 2)), ord(" "), dtype=np.uint8)   # "[0, 1, 1]": 3n characters
            buf[:, 0], buf[:, -1] = ord("["), ord("]")
            buf[:, 1:3 * n:3] = values.astype(np.uint8) + ord("0")
            buf[:, 2:3 * n - 1:3] = ord(",")
            text = text_rows(buf)
        elif values.ndim == 1 and values.dtype.kind in "iubf":
            text = _json_number_text(values)
        else:
            raise ArgumentError(f"columns[{name!r}]", f"a 1-D number column or a 2-D 0/1 matrix, got {values.dtype} {values.shape}")
        pieces += [pa.scalar(("{" if k == 0 else ", ") + json.dumps(str(name)) + ": ", pa.large_string()), text]
    if not pieces or not rows:
        return b""
    lines = pc.binary_join_element_wise(*pieces, pa.scalar("}\n", pa.large_string()), pa.scalar("", pa.large_string()))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
