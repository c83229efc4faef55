"""Point evaluators: what one row of a sweep holds, per model.

An evaluator turns one validated instance (or, for generators, only its options) into one row of
named values.  It may carry a *warm-start state* from one point to the next: the sweep engine hands
each Dask task a batch of consecutive points (a path along the last swept field) and calls
:meth:`Evaluator.evaluate` on them in order with the state the previous point returned.

The registry (:data:`trade_opt.registry.MODELS`) names them; entries are import strings so that
importing the sweep package does not import every model.
"""
from __future__ import annotations

from typing import Any, Mapping

from trade_opt.errors import FieldError
from trade_opt.registry import MODELS, resolve

#: model -> evaluator name -> "module:Class" (the first is the model's default), from the registry.
EVALUATORS: dict[str, dict[str, str]] = {name: dict(entry.evaluators) for name, entry in MODELS.items()}

#: Column types a row may hold (Parquet types: float64, int64, string, bool).
COLUMN_TYPES = ("float", "int", "str", "bool")


def evaluator_names(model: str) -> tuple[str, ...]:
    """Evaluator names of ``model`` (empty if the model has none or does not exist)."""
    return tuple(EVALUATORS.get(model, {}))


def get_evaluator(model: str, name: str) -> "Evaluator":
    """A fresh evaluator object."""
    return resolve(EVALUATORS[model][name])()


class Evaluator:
    """Base class.  Subclasses set ``model``, ``name``, ``options`` (defaults) and implement
    :meth:`columns` and :meth:`evaluate`.

    Attributes
    ----------
    needs_base : the spec must name a base instance (False for generators such as Theorem 2's).
    options : option name -> default value (``None``: required).
    """

    model: str = ""
    name: str = ""
    needs_base: bool = True
    options: dict[str, Any] = {}

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(self.options)

    def check_options(self, given: Mapping[str, Any]) -> None:
        """Raise :class:`FieldError` (field = option name) for unknown options."""
        for key in given:
            if key not in self.options:
                raise FieldError(key, f"unknown option of evaluator {self.name!r} (options: {', '.join(self.options) or 'none'})")

    def resolved_options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults updated with ``given``; a required option left out is a :class:`FieldError`."""
        out = {**self.options, **given}
        for key, value in out.items():
            if value is None:
                raise FieldError(f"options.{key}", "required option is missing")
        return out

    def columns(self, base: Any) -> dict[str, str]:
        """Output columns (name -> one of :data:`COLUMN_TYPES`), given the base instance (or None)."""
        raise NotImplementedError

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """One row (a dict with some of :meth:`columns`, optionally ``status``) and the state for the next point.

        Raise :class:`~trade_opt.errors.TradeOptError` (e.g. ``SolveError``) for a point that has no
        answer; the engine records it as ``status = "failed"`` with the message."""
        raise NotImplementedError
