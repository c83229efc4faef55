"""One batch of sweep points: the instance at a point and the rows of a batch (one Dask task).

Failures
    A point whose instance is invalid gets ``status = "invalid"``; one whose solver fails
    ``"failed"``; an unexpected exception ``"error"``; all with the one-line message in ``error``.
    The sweep goes on.  A task lost with its worker is reported and retried by the next run.
"""
from __future__ import annotations

import copy
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from trade_opt.errors import InputError, TradeOptError
from trade_opt.instances import parse_instance
from trade_opt.sweep.evaluators import get_evaluator
from trade_opt.sweep.spec import parse_path, set_path

#: Statuses of a point with a usable answer.
OK_STATUSES = ("ok", "solved", "solved_loose")


def instance_at(base_doc: dict[str, Any], base_source: str, model: str, point: dict[str, Any]) -> Any:
    """The validated instance at one point: the base document with the point's fields set.

    Parameters
    ----------
    base_doc : dict
        The base instance document (not modified: a deep copy is changed).
    base_source : str
        Name of the base file; the instance's source becomes ``"<base_source> [field=value, ...]"``
        so that an error names the point.
    model : str
        Registered model name.
    point : dict
        ``{field path: value}`` of the point; ``options.<name>`` entries are skipped (they are
        evaluator options, not instance fields).

    Returns
    -------
    InstanceBase
        The model's validated instance.

    Raises
    ------
    InputError
        If the changed document is not a valid instance (one line naming the point, field, reason).
    """
    doc = copy.deepcopy(base_doc)
    changed = []
    for field, value in point.items():
        parts = parse_path(field)
        if parts[0] == "options":
            continue
        set_path(doc, parts, value)
        changed.append(f"{field}={value:.6g}" if isinstance(value, float) else f"{field}={value}")
    source = f"{base_source} [{', '.join(changed)}]" if changed else base_source
    return parse_instance(doc, source=source, model=model)


@dataclass(frozen=True)
class BatchTask:
    """What one Dask task needs (picklable): the batch's points and how to evaluate them.

    Attributes
    ----------
    batch : int
        Batch index.
    run : int
        Number of the run (1 for the first).
    model, evaluator : str
        Registered model and evaluator names.
    base_source : str
        The base instance file, named in the points' errors.
    options : dict
        The spec's evaluator options.
    points : list of (int, dict)
        (point id, {field: value}) in order.
    """

    batch: int
    run: int
    model: str
    evaluator: str
    base_source: str
    options: dict[str, Any]
    points: list[tuple[int, dict[str, Any]]]


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(str(text).split())[:limit]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def evaluate_batch(task: BatchTask, base_doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Evaluate a batch's points in order, the warm-start state carried from point to point.

    Never raises for a point: an invalid instance gives ``status = "invalid"``, a
    :class:`~trade_opt.errors.TradeOptError` ``"failed"``, any other exception ``"error"``, each
    with a one-line message in ``error``.  RuntimeWarnings of intermediate iterates are silenced
    (each row reports its own status and residuals).

    Parameters
    ----------
    task : BatchTask
        The batch: its points (point id, ``{field: value}``), model, evaluator and options.
    base_doc : dict or None
        The base instance document (``None`` for generator evaluators).

    Returns
    -------
    list of dict
        One row per point, in order: ``point_id``, the swept fields, the evaluator's values,
        ``status``, ``error``, ``seconds`` (wall time of the point, s) and ``run``.
    """
    with warnings.catch_warnings():
        # numerical warnings of intermediate iterates; each row reports its own status and residuals
        warnings.simplefilter("ignore", RuntimeWarning)
        return _evaluate_points(task, base_doc)


def _evaluate_points(task: BatchTask, base_doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    evaluator = get_evaluator(task.model, task.evaluator)
    state = None
    rows = []
    for pid, point in task.points:
        start = time.perf_counter()
        row: dict[str, Any] = {"point_id": pid, **point}
        try:
            options = evaluator.resolved_options(
                {**task.options, **{k.split(".", 1)[1]: v for k, v in point.items() if k.startswith("options.")}})
            instance = instance_at(base_doc, task.base_source, task.model, point) if base_doc is not None else None
            values, new_state = evaluator.evaluate(instance, options, state)
            state = new_state
            status = values.pop("status", "ok")
            row.update({k: _plain(v) for k, v in values.items()})
            row.update(status=status, error="")
        except InputError as exc:
            row.update(status="invalid", error=_one_line(exc))
        except TradeOptError as exc:
            row.update(status="failed", error=_one_line(exc))
        except Exception as exc:  # a point never crashes the sweep; the message says what happened
            row.update(status="error", error=_one_line(f"{type(exc).__name__}: {exc}"))
        row.update(seconds=time.perf_counter() - start, run=task.run)
        rows.append(row)
    return rows
