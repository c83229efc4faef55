"""One result type for every model: :class:`Result` (the contract of ``solve`` and ``run``).

Every ``trade_opt.<model>.solve(instance, **options)`` and ``trade_opt.<model>.run(instance, out)``
returns a :class:`Result`; ``trade-opt <model> solve FILE --json`` prints :meth:`Result.to_dict`,
whose top-level keys are the same for all models::

    {"model", "name", "status", "termination", "seconds", "solver", "residual", "message",
     "solution"}

* ``status`` is one of ``ok``, ``warning``, ``error`` (:data:`STATUSES`), derived from
  ``termination`` by :func:`status_of` unless a model says otherwise (e.g. ``warning`` when an
  independent check disagrees).
* ``termination`` says why the solver stopped, in one vocabulary for LP/MIP and MCP solvers
  (:data:`TERMINATIONS`): ``optimal`` (LP/MIP proved optimal, or an exact algorithm such as the
  DP), ``solved`` (MCP to the requested residual), ``solved_loose`` (MCP only to the loose
  tolerance), ``completed`` / ``partial`` (a main job with every stage done / some stage failed or
  skipped, see its ``stages``), ``infeasible``, ``unbounded``, ``time_limit``, ``iteration_limit``, ``failed``,
  ``error``.
* ``residual``: the natural residual of a complementarity solution, the relative optimality gap
  of a MIP (0 for exact algorithms); ``None`` when not defined.
* ``solution``: a model-specific :class:`Solution` with one table (:attr:`Solution.table_key`) and
  scalars; JSON keys of the table rows equal the columns of :meth:`Result.to_frame`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar
from trade_opt.errors import ArgumentError

STATUSES = ("ok", "warning", "error")

#: termination -> status (anything not listed is an error)
_STATUS_OF_TERMINATION = {
    "optimal": "ok",
    "solved": "ok",
    "locally_solved": "ok",
    "completed": "ok",
    "solved_loose": "warning",
    "partial": "warning",
}

TERMINATIONS = ("optimal", "solved", "locally_solved", "completed", "solved_loose", "partial", "infeasible", "unbounded",
                "time_limit", "iteration_limit", "failed", "error")


def status_of(termination: str) -> str:
    """The contract status (``ok``/``warning``/``error``) of a termination word.

    Parameters
    ----------
    termination : str
        One of :data:`TERMINATIONS` (an MIP status such as ``optimal (coefficients dropped)`` counts
        by its first word).

    Returns
    -------
    str
        ``ok`` for optimal, solved, locally_solved and completed; ``warning`` for solved_loose and
        partial; ``error`` otherwise.

    Examples
    --------
    >>> status_of("optimal"), status_of("solved_loose"), status_of("infeasible")
    ('ok', 'warning', 'error')
    """
    return _STATUS_OF_TERMINATION.get(str(termination).split(" ")[0], "error")


def worst_termination(terminations: list[str]) -> str:
    """The termination of several solves taken together: the worst by status.

    Parameters
    ----------
    terminations : list of str
        Termination words (:data:`TERMINATIONS`) of the solves.

    Returns
    -------
    str
        The first termination of the worst status (error before warning before ok), so the first
        one when all are ok; ``failed`` for an empty list.

    Examples
    --------
    >>> worst_termination(["optimal", "time_limit", "optimal"])
    'time_limit'
    """
    if not terminations:
        return "failed"
    rank = {"ok": 0, "warning": 1, "error": 2}
    return max(terminations, key=lambda t: rank[status_of(t)])


def clean_float(value: Any) -> float | None:
    """A number for JSON: ``float(value)``, or None for None and NaN (JSON has no NaN).

    Parameters
    ----------
    value : Any
        None or anything ``float`` accepts.

    Returns
    -------
    float or None

    Examples
    --------
    >>> clean_float(2), clean_float(float("nan")), clean_float(None)
    (2.0, None, None)
    """
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass
class SolverInfo:
    """Which solver produced a result.

    Attributes
    ----------
    name : str
        ``highs``, ``cbc``, ``glpk``, ``scip``, ``dp``, ``greedy``, ``trade_opt_mcp`` (Ipopt +
        active-set Newton), ``closed_form``, ``reduction`` ...
    options : dict
        The options the call used (tolerances, starts, method).
    iterations : dict
        Iteration counts where the solver reports them (e.g. ``{"ipopt": 31, "newton": 3}``).
    """

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    iterations: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The solver as a plain JSON-ready dict.

        Returns
        -------
        dict
            ``name``, ``options`` and ``iterations`` (copies).

        Examples
        --------
        >>> SolverInfo("dp").to_dict()
        {'name': 'dp', 'options': {}, 'iterations': {}}
        """
        return {"name": self.name, "options": dict(self.options), "iterations": dict(self.iterations)}


@dataclass
class Solution:
    """Base of the model-specific solutions: one table and some scalars.

    Subclasses set :attr:`table_key` (the JSON key of the table, e.g. ``regions``) and implement
    :meth:`rows` (list of dicts, one per table row; keys = CSV columns) and :meth:`scalars`."""

    table_key: ClassVar[str] = "rows"

    def rows(self) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        """The table as records (override).

        Returns
        -------
        list of dict
            One dict per row; the keys are the CSV columns of :meth:`to_frame`.
        """
        raise NotImplementedError

    def scalars(self) -> dict[str, Any]:
        """Model-specific scalar results (override; default none).

        Returns
        -------
        dict
            Name -> value, merged into :meth:`to_dict` next to the table.
        """
        return {}

    def to_dict(self) -> dict[str, Any]:
        """The solution's JSON: ``{**scalars, table_key: rows}``.

        Returns
        -------
        dict
            JSON-ready (numpy scalars as Python numbers, NaN as None).
        """
        from trade_opt.outputs import to_jsonable

        return to_jsonable({**self.scalars(), self.table_key: self.rows()})

    def to_frame(self):
        """The table as a data frame.

        Returns
        -------
        pandas.DataFrame
            One row per record of :meth:`rows`; columns = the records' keys.
        """
        import pandas as pd

        return pd.DataFrame.from_records(self.rows())


@dataclass
class RunOutputs(Solution):
    """What a main job (``run``) produced: the folder and its summary.

    Attributes
    ----------
    out_dir : str
        The complete result folder.
    summary : dict
        The content of its ``summary.json``.
    """

    table_key: ClassVar[str] = "outputs"
    out_dir: str = ""
    summary: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """The table: one row per output file of the folder.

        Returns
        -------
        list of dict
            ``file``, ``bytes``, ``sha256`` (and ``rows`` for tables), from the summary's ``outputs``.
        """
        return [{"file": name, **info} for name, info in self.summary.get("outputs", {}).items()]

    def scalars(self) -> dict[str, Any]:
        """The folder.

        Returns
        -------
        dict
            ``{"out_dir": out_dir}``.
        """
        return {"out_dir": self.out_dir}


@dataclass
class Result:
    """The answer of every model's ``solve`` and ``run``.

    Attributes
    ----------
    model : str
        Registry name (``gomory``, ``kim``, ``melitz``, ``krugman``).
    name : str
        The instance's name.
    status : str
        ``ok``, ``warning`` or ``error``.
    termination : str
        Why the solver stopped (:data:`TERMINATIONS`).
    seconds : float
        Wall time of the call.
    solver : SolverInfo
        Solver name, options and iteration counts.
    residual : float or None
        Natural residual (complementarity models), relative MIP gap, 0 for exact algorithms.
    solution : Solution
        The model-specific solution (table + scalars).
    message : str
        One human-readable line (empty when all is well).
    """

    model: str
    name: str
    status: str
    termination: str
    seconds: float
    solver: SolverInfo
    residual: float | None
    solution: Solution
    message: str = ""

    #: top-level keys of :meth:`to_dict`, identical for every model
    KEYS: ClassVar[tuple[str, ...]] = ("model", "name", "status", "termination", "seconds", "solver", "residual",
                                       "message", "solution")

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ArgumentError("status", f"must be one of {STATUSES}, got {self.status!r}")

    @property
    def ok(self) -> bool:
        """Whether the result is fully ok.

        Returns
        -------
        bool
            ``status == "ok"``.
        """
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """The JSON of the result, the same top-level keys for every model.

        Returns
        -------
        dict
            Keys :attr:`KEYS`; ``solver`` and ``solution`` as nested dicts; a NaN residual as None.
        """
        return {
            "model": self.model, "name": self.name, "status": self.status, "termination": self.termination,
            "seconds": float(self.seconds), "solver": self.solver.to_dict(), "residual": clean_float(self.residual),
            "message": self.message, "solution": self.solution.to_dict(),
        }

    def to_frame(self):
        """The solution's table as a data frame.

        Returns
        -------
        pandas.DataFrame
            Columns = the keys of the JSON rows (:meth:`Solution.to_frame`).
        """
        return self.solution.to_frame()

    def __repr__(self) -> str:
        residual = "-" if self.residual is None else f"{self.residual:.2e}"
        return (f"Result(model={self.model!r}, name={self.name!r}, status={self.status!r}, "
                f"termination={self.termination!r}, residual={residual}, seconds={self.seconds:.3f}, "
                f"solver={self.solver.name!r}, {self.solution.table_key}={len(self.solution.rows())})")

    def _repr_html_(self) -> str:
        import html

        head = html.escape(repr(self))
        try:
            table = self.to_frame().head(20).to_html(index=False)
        except Exception:  # noqa: BLE001 - a display must never raise
            table = ""
        return f"<div><code>{head}</code>{table}</div>"
