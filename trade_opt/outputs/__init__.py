"""Writing results: JSON, CSV and Parquet, exact, typed, atomic; transactional result folders.

The output layer's public API, one concept a module (every name is importable from here):

* :mod:`trade_opt.outputs.tables`: :func:`write_table` / :func:`write_csv` (whole tables),
  :class:`TableStream` / :class:`CsvStream` (chunk by chunk), :func:`read_table`.
* :mod:`trade_opt.outputs.formats`: the table format of a job (``--table-format csv|parquet``):
  :func:`table_format`, :func:`current_table_format`, :func:`check_table_format`, :func:`table_path`.
* :mod:`trade_opt.outputs.arrow`: :func:`to_arrow`, :func:`text_rows` (text columns from arrays)
  and the CSV text marker :data:`TEXT_MARKER` of text that looks like a number.
* :mod:`trade_opt.outputs.json_output`: :func:`to_jsonable`, :func:`dumps`, :func:`write_json`,
  :func:`check_json_rows`, :func:`write_jsonl`, :func:`jsonl_bytes`.
* :mod:`trade_opt.outputs.markdown`: :func:`markdown_table`.
* :mod:`trade_opt.outputs.atomic`: the atomic file write under all of them.

Result folders (:mod:`trade_opt.folders`, re-exported here)
    :func:`result_folder`, :func:`finalize_summary`, :func:`check_out_dir`, :func:`default_out_dir`,
    :func:`folder_lock`.
"""
from __future__ import annotations

from trade_opt.folders import (  # noqa: F401  (re-exported: the output layer's public API)
    ROWS_WRITTEN, check_out_dir, default_out_dir, finalize_summary, folder_lock, record_rows, result_folder, slugify,
)
from trade_opt.outputs.arrow import (  # noqa: F401
    TEXT_MARKER,
    _NUMBER_LIKE,
    _column_to_arrow,
    _csv_bytes,
    _is_text,
    _mark_text,
    number_like_columns,
    text_rows,
    to_arrow,
)
from trade_opt.outputs.atomic import _atomic_write, _atomic_write_text  # noqa: F401
from trade_opt.outputs.formats import (  # noqa: F401
    FORMATS,
    TableFormat,
    _TABLE_FORMAT,
    _check_format,
    _in_current_format,
    check_table_format,
    current_table_format,
    table_format,
    table_path,
)
from trade_opt.outputs.json_output import (  # noqa: F401
    MAX_JSON_ROWS,
    NON_FINITE_LISTED,
    _json_number_text,
    _jsonable,
    _non_finite_text,
    check_json_rows,
    dumps,
    jsonable_with_non_finite,
    jsonl_bytes,
    to_jsonable,
    write_json,
    write_jsonl,
)
from trade_opt.outputs.markdown import markdown_table  # noqa: F401
from trade_opt.outputs.tables import CsvStream, TableStream, read_table, write_csv, write_table  # noqa: F401
