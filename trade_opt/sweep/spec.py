"""Sweep specifications: which model, which base instance, which parameters move and how.

A spec is a TOML (or JSON) file::

    name = "krugman_z"
    model = "krugman"
    base = "../krugman_default.toml"   # instance file, relative to this spec file
    evaluator = "equilibrium"          # what one row holds (default: the model's first evaluator)
    batch_size = 8                     # points per Dask task and per Parquet part file
    seed = 0                           # random draws are reproducible from this seed

    [options]                          # evaluator options (see trade_opt.sweep.evaluators)

    [[vary]]                           # one table per swept parameter
    field = "z"                        # dotted path into the instance: "mu.phi", "labor[1]",
    grid = { start = 0.05, stop = 0.6, num = 12 }   # "industry[0].z"; "options.n" moves an option
    # or: values = [1.0, 2.0]  or: random = { low = 1.0, high = 2.0, count = 10, log = false }

    [plot]                             # optional figure written when the sweep completes
    x = "z"
    y = ["p", "omega"]
    by = "A"                           # optional: one line per value of another swept field

The points are the Cartesian product of the ``vary`` tables, the first table varying slowest
(``itertools.product`` order), so consecutive points differ in the last field: a batch of
consecutive points is a path along that field (warm starts follow it).  Point ids are the
positions in that order, so they are the same every time the spec is read.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from trade_opt.errors import FieldError, InputError
from trade_opt.instances import read_document, validate_as

#: Largest number of points one spec may describe.
MAX_POINTS = 10_000_000

_PATH_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """Split a dotted field path into its keys and list indices.

    Parameters
    ----------
    path : str
        A path such as ``"z"``, ``"labor[1]"``, ``"mu.phi"`` or ``"industry[0].z"``.

    Returns
    -------
    list of str or int
        Table keys (str) and list positions (int), outermost first.

    Raises
    ------
    ValueError
        On a malformed path (empty segment, a segment not starting with a name, stray characters);
        callers turn it into a :class:`~trade_opt.errors.FieldError`.

    Examples
    --------
    >>> parse_path("industry[0].z")
    ['industry', 0, 'z']
    >>> parse_path("labor[1]")
    ['labor', 1]
    """
    parts: list[str | int] = []
    for k, segment in enumerate(path.split(".")):
        pos = 0
        if not segment:
            raise ValueError(f"empty segment in {path!r}")
        while pos < len(segment):
            match = _PATH_TOKEN.match(segment, pos)
            if match is None or (pos == 0) != (match.group(1) is not None):
                raise ValueError(f"cannot read {path!r} at {segment[pos:]!r} (use name, name[0], a.b)")
            parts.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
            pos = match.end()
    return parts


def get_path(doc: Any, parts: list[str | int]) -> Any:
    """The value at a parsed path in nested dicts and lists.

    Parameters
    ----------
    doc : dict or list
        A parsed instance document (TOML/JSON tables and arrays).
    parts : list of str or int
        A path from :func:`parse_path`.

    Returns
    -------
    Any
        The value stored there.

    Raises
    ------
    KeyError, IndexError
        If a key or position is absent.
    TypeError
        If a str part meets a non-table or an int part meets a non-list.

    Examples
    --------
    >>> get_path({"industry": [{"z": 0.5}]}, ["industry", 0, "z"])
    0.5
    """
    for part in parts:
        if isinstance(part, int):
            if not isinstance(doc, list):
                raise TypeError("not a list")
        elif not isinstance(doc, dict):
            raise TypeError("not a table")
        doc = doc[part]
    return doc


def set_path(doc: Any, parts: list[str | int], value: Any) -> None:
    """Set the value at a parsed path, in place (the containers on the way must exist).

    Parameters
    ----------
    doc : dict or list
        A parsed instance document, modified in place.
    parts : list of str or int
        A path from :func:`parse_path`.
    value : Any
        The new value.

    Returns
    -------
    None

    Raises
    ------
    KeyError, IndexError, TypeError
        As :func:`get_path`, for the containers above the last part.

    Examples
    --------
    >>> doc = {"labor": [1.0, 2.0]}
    >>> set_path(doc, ["labor", 1], 3.0)
    >>> doc
    {'labor': [1.0, 3.0]}
    """
    get_path(doc, parts[:-1])[parts[-1]] = value


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


class Grid(_Strict):
    """``num`` points from ``start`` to ``stop`` (both included), equally spaced or, with ``log``, geometric."""

    start: float
    stop: float
    num: int
    log: bool = False


class RandomDraw(_Strict):
    """``count`` draws, uniform on [low, high) (log-uniform with ``log``), from the spec's seed;
    with ``integer`` each draw is rounded to the nearest integer."""

    low: float
    high: float
    count: int
    log: bool = False
    integer: bool = False


class Vary(_Strict):
    """One swept field and its values: exactly one of ``values``, ``grid``, ``random``."""

    field: str
    values: Optional[Union[list[int], list[float], list[str]]] = None
    grid: Optional[Grid] = None
    random: Optional[RandomDraw] = None


class Plot(_Strict):
    """A figure of the finished sweep: columns ``y`` against the swept field ``x``."""

    x: str
    y: list[str]
    by: Optional[str] = None
    logx: bool = False
    logy: bool = False
    title: str = ""


class SweepSpec(_Strict):
    """A validated sweep spec (see the module docstring for the file format)."""

    model: str
    name: str = "sweep"
    description: str = ""
    base: Optional[str] = None
    evaluator: Optional[str] = None
    batch_size: int = 10
    seed: int = 0
    options: dict[str, Union[bool, int, float, str, list[float]]] = {}
    vary: list[Vary]
    plot: Optional[Plot] = None

    @model_validator(mode="after")
    def _check(self) -> "SweepSpec":
        from trade_opt.sweep.evaluators import evaluator_names

        names = evaluator_names(self.model)
        if not names:
            from trade_opt.registry import MODELS

            raise FieldError("model", f"unknown model {self.model!r} (one of: {', '.join(MODELS)})")
        if self.evaluator is not None and self.evaluator not in names:
            raise FieldError("evaluator", f"unknown evaluator {self.evaluator!r} for {self.model!r} (one of: {', '.join(names)})")
        if not 1 <= self.batch_size <= 100_000:
            raise FieldError("batch_size", f"must be in 1..100000, got {self.batch_size!r}")
        if not self.vary:
            raise FieldError("vary", "needs at least one [[vary]] table")
        seen: set[str] = set()
        total = 1
        for k, v in enumerate(self.vary):
            try:
                parse_path(v.field)
            except ValueError as exc:
                raise FieldError(f"vary[{k}].field", str(exc)) from None
            if v.field in seen:
                raise FieldError(f"vary[{k}].field", f"{v.field!r} is swept twice")
            seen.add(v.field)
            given = [name for name in ("values", "grid", "random") if getattr(v, name) is not None]
            if len(given) != 1:
                raise FieldError(f"vary[{k}]", f"give exactly one of values, grid, random (got {', '.join(given) or 'none'})")
            if v.values is not None and not v.values:
                raise FieldError(f"vary[{k}].values", "is empty")
            if v.grid is not None:
                g = v.grid
                if g.num < 1:
                    raise FieldError(f"vary[{k}].grid.num", f"must be >= 1, got {g.num!r}")
                if g.log and (g.start <= 0 or g.stop <= 0):
                    raise FieldError(f"vary[{k}].grid", "a log grid needs start > 0 and stop > 0")
            if v.random is not None:
                r = v.random
                if r.count < 1:
                    raise FieldError(f"vary[{k}].random.count", f"must be >= 1, got {r.count!r}")
                if not r.low <= r.high:
                    raise FieldError(f"vary[{k}].random", f"needs low <= high, got {r.low!r} > {r.high!r}")
                if r.log and r.low <= 0:
                    raise FieldError(f"vary[{k}].random.low", "a log-uniform draw needs low > 0")
            total *= len(v.values) if v.values is not None else (v.grid.num if v.grid is not None else v.random.count)
            if total > MAX_POINTS:
                raise FieldError("vary", f"the grid has more than {MAX_POINTS} points")
        if self.plot is not None:
            for name, value in (("plot.x", self.plot.x), ("plot.by", self.plot.by)):
                if value is not None and value not in seen:
                    raise FieldError(name, f"{value!r} is not a swept field (one of: {', '.join(seen)})")
        return self

    @property
    def evaluator_name(self) -> str:
        """The evaluator this spec uses.

        Returns
        -------
        str
            ``evaluator`` if given, else the model's default (its first registered evaluator).
        """
        from trade_opt.sweep.evaluators import evaluator_names

        return self.evaluator or evaluator_names(self.model)[0]

    def axis_values(self) -> list[list[Any]]:
        """The values of each ``vary`` table, in order.

        Grids are ``numpy.linspace`` (``numpy.geomspace`` with ``log``); random draws come from
        ``numpy.random.default_rng([seed, k])`` for table ``k``, so they are the same every time.

        Returns
        -------
        list of list
            One list of values per ``vary`` table, in the spec's order.

        Examples
        --------
        >>> spec = SweepSpec(model="krugman", vary=[{"field": "z", "grid": {"start": 1.0, "stop": 2.0, "num": 3}},
        ...                                         {"field": "A", "values": [2, 3]}])
        >>> spec.axis_values()
        [[1.0, 1.5, 2.0], [2, 3]]
        """
        axes = []
        for k, v in enumerate(self.vary):
            if v.values is not None:
                axes.append(list(v.values))
            elif v.grid is not None:
                g = v.grid
                vals = np.geomspace(g.start, g.stop, g.num) if g.log else np.linspace(g.start, g.stop, g.num)
                axes.append([float(x) for x in vals])
            else:
                r = v.random
                rng = np.random.default_rng([self.seed, k])
                if r.log:
                    vals = np.exp(rng.uniform(math.log(r.low), math.log(r.high), r.count))
                else:
                    vals = rng.uniform(r.low, r.high, r.count)
                axes.append([int(round(x)) for x in vals] if r.integer else [float(x) for x in vals])
        return axes

    @property
    def n_points(self) -> int:
        """Number of points of the sweep.

        Returns
        -------
        int
            The product of the lengths of :meth:`axis_values`.
        """
        return math.prod(len(a) for a in self.axis_values())

    def points(self) -> list[dict[str, Any]]:
        """All points of the sweep, in point-id order (the first ``vary`` table varying slowest).

        Returns
        -------
        list of dict
            One ``{field: value}`` per point; the position in the list is the point id.

        Examples
        --------
        >>> spec = SweepSpec(model="krugman", vary=[{"field": "z", "values": [0.1, 0.2]},
        ...                                         {"field": "A", "values": [2, 3]}])
        >>> spec.n_points
        4
        >>> spec.points()[:2]
        [{'z': 0.1, 'A': 2}, {'z': 0.1, 'A': 3}]
        """
        fields = [v.field for v in self.vary]
        return [dict(zip(fields, combo)) for combo in itertools.product(*self.axis_values())]


class LoadedSpec:
    """A spec with its file, base instance document and hash (what identifies a sweep's output).

    The hash covers the spec without ``plot`` and ``description`` and the base document, so the
    figure and the description may change on a resume.

    Parameters
    ----------
    spec : SweepSpec
        The validated spec.
    path : pathlib.Path
        The spec file.
    base_doc : dict or None
        The base instance document (None for generator evaluators).
    base_path : pathlib.Path or None
        The base instance file.

    Attributes
    ----------
    hash : str
        First 16 hex digits of the SHA-256 of the spec (without ``plot``, ``description``) and base.
    """

    def __init__(self, spec: SweepSpec, path: Path, base_doc: dict[str, Any] | None, base_path: Path | None):
        self.spec = spec
        self.path = path
        self.base_doc = base_doc
        self.base_path = base_path
        # what the rows depend on: not the figure or the description, so those can change on a resume
        payload = json.dumps({"spec": spec.model_dump(mode="json", exclude={"plot", "description"}), "base": base_doc},
                             sort_keys=True, default=str)
        self.hash = hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_spec(path: str | Path) -> LoadedSpec:
    """Read and validate a spec file and its base instance.

    Checks, besides the spec's own fields: the base instance file exists and is a valid instance of
    ``model``; every swept field path exists in the base document (or is ``options.<name>``) and
    holds a number or a string; the swept values have the base value's kind (numbers or strings);
    the evaluator's options are known.

    Parameters
    ----------
    path : str or pathlib.Path
        The spec file (TOML or JSON); a relative ``base`` is resolved against its folder.

    Returns
    -------
    LoadedSpec
        The validated spec with its path, base instance document and hash.

    Raises
    ------
    InputError
        One line naming the spec (or base) file, the field and the reason, on any problem.
    """
    from trade_opt.instances import load_instance
    from trade_opt.sweep.evaluators import get_evaluator

    path = Path(path)
    doc = read_document(path)
    spec = validate_as(SweepSpec, doc, str(path))
    evaluator = get_evaluator(spec.model, spec.evaluator_name)
    base_doc = base_path = None
    if spec.base is not None:
        base_path = (path.parent / spec.base).resolve() if not Path(spec.base).is_absolute() else Path(spec.base)
        if not base_path.exists():
            raise InputError(path, "base", f"base instance {spec.base!r} not found (looked for {base_path})")
        load_instance(base_path, model=spec.model)          # errors name the base file
        base_doc = read_document(base_path)
    elif evaluator.needs_base:
        raise InputError(path, "base", f"required by evaluator {spec.evaluator_name!r} (an instance file of model {spec.model!r})")
    try:
        evaluator.check_options(dict(spec.options))
    except FieldError as exc:
        raise InputError(path, f"options.{exc.field}", exc.reason) from None
    for k, v in enumerate(spec.vary):
        parts = parse_path(v.field)
        if parts[0] == "options":
            if len(parts) != 2 or parts[1] not in evaluator.option_names:
                raise InputError(path, f"vary[{k}].field", f"{v.field!r}: not an option of evaluator {spec.evaluator_name!r} "
                                 f"(options: {', '.join(evaluator.option_names) or 'none'})")
            continue
        if base_doc is None:
            raise InputError(path, f"vary[{k}].field", f"{v.field!r}: evaluator {spec.evaluator_name!r} has no base instance; only options.<name> can be swept")
        try:
            current = get_path(base_doc, parts)
        except (KeyError, IndexError, TypeError):
            raise InputError(path, f"vary[{k}].field", f"{v.field!r} is not a field of the base instance {spec.base!r} "
                             "(the path must exist in the base file)") from None
        numeric = isinstance(current, (int, float)) and not isinstance(current, bool)
        if not (numeric or isinstance(current, str)):
            raise InputError(path, f"vary[{k}].field", f"{v.field!r} is a {type(current).__name__} in the base instance; "
                             "only numbers and strings can be swept (name one entry, e.g. labor[0])")
        values = spec.axis_values()[k]
        if numeric != all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in values):
            want = "numbers" if numeric else "strings"
            raise InputError(path, f"vary[{k}].values", f"{v.field!r} takes {want} (as in the base instance), got {values[:3]!r}")
    return LoadedSpec(spec, path, base_doc, base_path)
