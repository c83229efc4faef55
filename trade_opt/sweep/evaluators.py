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
    """Evaluator names of a model, its default first.

    Parameters
    ----------
    model : str
        Registered model name (``"gomory"``, ``"krugman"``, ...).

    Returns
    -------
    tuple of str
        The names, the model's default first; empty if the model has no evaluator or does not exist.

    Examples
    --------
    >>> evaluator_names("no_such_model")
    ()
    """
    return tuple(EVALUATORS.get(model, {}))


def get_evaluator(model: str, name: str) -> "Evaluator":
    """A fresh evaluator object (its class imported on demand from the registry's import string).

    Parameters
    ----------
    model : str
        Registered model name.
    name : str
        Evaluator name, one of :func:`evaluator_names` ``(model)``.

    Returns
    -------
    Evaluator
        A new instance of the evaluator class.

    Raises
    ------
    KeyError
        If the model or the evaluator name is unknown (callers check :func:`evaluator_names` first).
    """
    return resolve(EVALUATORS[model][name])()


class Evaluator:
    """Base class.  Subclasses set ``model``, ``name``, ``options`` (defaults) and implement
    :meth:`columns` and :meth:`evaluate`.

    Attributes
    ----------
    model : str
        Registered model name.
    name : str
        Evaluator name (the spec's ``evaluator``).
    needs_base : bool
        The spec must name a base instance (False for generators such as Theorem 2's).
    options : dict[str, Any]
        Option name -> default value (``None``: required).
    """

    model: str = ""
    name: str = ""
    needs_base: bool = True
    options: dict[str, Any] = {}

    @property
    def option_names(self) -> tuple[str, ...]:
        """Names of the evaluator's options.

        Returns
        -------
        tuple of str
            The keys of :attr:`options`, in declaration order.
        """
        return tuple(self.options)

    def check_options(self, given: Mapping[str, Any]) -> None:
        """Refuse options the evaluator does not know.

        Parameters
        ----------
        given : Mapping[str, Any]
            The spec's ``[options]`` table (option name -> value).

        Returns
        -------
        None

        Raises
        ------
        FieldError
            For the first unknown option (field = the option name; the reason lists the known ones).
        """
        for key in given:
            if key not in self.options:
                raise FieldError(key, f"unknown option of evaluator {self.name!r} (options: {', '.join(self.options) or 'none'})")

    def resolved_options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The options one point is evaluated with: the defaults updated with ``given``.

        Parameters
        ----------
        given : Mapping[str, Any]
            The spec's ``[options]`` table (already checked by :meth:`check_options`).

        Returns
        -------
        dict[str, Any]
            Every option of :attr:`options`, with the given values taking precedence.

        Raises
        ------
        FieldError
            If a required option (default ``None``) is left out (field ``options.<name>``).
        """
        out = {**self.options, **given}
        for key, value in out.items():
            if value is None:
                raise FieldError(f"options.{key}", "required option is missing")
        return out

    def columns(self, base: Any) -> dict[str, str]:
        """The output columns a row of this evaluator may hold.

        Parameters
        ----------
        base : instance or None
            The spec's validated base instance (``None`` for generators, ``needs_base = False``).

        Returns
        -------
        dict[str, str]
            Column name -> one of :data:`COLUMN_TYPES`.
        """
        raise NotImplementedError

    def evaluate(self, instance: Any, options: dict[str, Any], state: Any) -> tuple[dict[str, Any], Any]:
        """Evaluate one point of the sweep.

        Parameters
        ----------
        instance : instance or None
            The validated instance of this point (the base with the swept fields set); ``None`` for
            generators.
        options : dict[str, Any]
            The resolved options (:meth:`resolved_options`).
        state : Any
            The warm-start state the previous point of the batch returned (``None`` at a batch's
            first point).

        Returns
        -------
        row : dict[str, Any]
            Some of :meth:`columns`, optionally ``status``.
        state : Any
            The warm-start state for the next point.

        Raises
        ------
        TradeOptError
            (e.g. ``SolveError``) For a point that has no answer; the engine records it as
            ``status = "failed"`` with the message.
        """
        raise NotImplementedError
