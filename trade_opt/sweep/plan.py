"""The plan of a sweep: its points, fixed batches, output columns and their Arrow schema."""
from __future__ import annotations

import math
from typing import Any

from trade_opt.errors import InputError
from trade_opt.instances import parse_instance
from trade_opt.sweep.evaluators import get_evaluator
from trade_opt.sweep.spec import LoadedSpec

_ARROW_TYPES = {"float": "float64", "int": "int64", "str": "string", "bool": "bool_"}


class SweepPlan:
    """Points, batches, columns and the Arrow schema of one loaded spec.

    Parameters
    ----------
    loaded : LoadedSpec
        The spec (:func:`trade_opt.sweep.spec.load_spec`).

    Raises
    ------
    InputError
        If the evaluator refuses the base instance, or a swept field's name clashes with an
        output column.
    """

    def __init__(self, loaded: LoadedSpec):
        from trade_opt.instances import validate_as  # noqa: F401  (keeps imports light for workers)

        self.loaded = loaded
        spec = loaded.spec
        self.spec = spec
        self.points = spec.points()
        self.batch_size = spec.batch_size
        self.n_batches = -(-len(self.points) // self.batch_size)
        evaluator = get_evaluator(spec.model, spec.evaluator_name)
        base = parse_instance(loaded.base_doc, str(loaded.base_path), spec.model) if loaded.base_doc is not None else None
        try:
            out_cols = evaluator.columns(base)
        except InputError as exc:
            raise InputError(loaded.base_path, exc.field, exc.reason) from None
        axes = spec.axis_values()
        vary_cols = {}
        for v, values in zip(spec.vary, axes):
            if all(isinstance(x, str) for x in values):
                vary_cols[v.field] = "str"
            elif all(isinstance(x, int) and not isinstance(x, bool) for x in values):
                vary_cols[v.field] = "int"
            else:
                vary_cols[v.field] = "float"
        clash = set(vary_cols) & (set(out_cols) | {"point_id", "status", "error", "seconds", "run"})
        if clash:
            raise InputError(loaded.path, "vary", f"swept field name(s) {sorted(clash)} clash with output columns")
        self.columns: dict[str, str] = {"point_id": "int", **vary_cols, "status": "str", "error": "str",
                                        **out_cols, "seconds": "float", "run": "int"}

    def batch_points(self, k: int) -> list[tuple[int, dict[str, Any]]]:
        """The points of batch ``k``.

        Parameters
        ----------
        k : int
            Batch index, ``0 <= k < n_batches``.

        Returns
        -------
        list of (int, dict)
            ``(point id, {field: value})`` for ids ``k*batch_size`` up to ``(k+1)*batch_size - 1``
            (fewer in the last batch).
        """
        lo = k * self.batch_size
        return [(pid, self.points[pid]) for pid in range(lo, min(lo + self.batch_size, len(self.points)))]

    def schema(self):
        """The Arrow schema of every part file.

        Returns
        -------
        pyarrow.Schema
            One field per entry of :attr:`columns` (float64, int64, string or bool).
        """
        import pyarrow as pa

        return pa.schema([(name, getattr(pa, _ARROW_TYPES[t])()) for name, t in self.columns.items()])

    def table(self, rows: list[dict[str, Any]]):
        """Rows as an Arrow table with the fixed schema.

        Parameters
        ----------
        rows : list of dict
            Rows from :func:`~trade_opt.sweep.batch.evaluate_batch`.

        Returns
        -------
        pyarrow.Table
            Columns in :attr:`columns` order; a missing value is null, floats are cast with
            ``float``, a non-finite value in an int or NaN in a bool column is null.
        """
        import pyarrow as pa

        data = {}
        for name, kind in self.columns.items():
            values = [row.get(name) for row in rows]
            if kind == "float":
                values = [None if v is None else float(v) for v in values]
            elif kind == "int":
                values = [None if v is None or (isinstance(v, float) and not math.isfinite(v)) else int(v) for v in values]
            elif kind == "bool":
                values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else bool(v) for v in values]
            else:
                values = [None if v is None else str(v) for v in values]
            data[name] = values
        return pa.table(data, schema=self.schema())
