"""Instance files -> validated instance objects (the one place input is checked).

Files are TOML (``.toml``) or JSON (``.json``).  The key ``model`` selects the instance type from
:mod:`trade_opt.registry`; the rest is validated by that type (pydantic, strict: no silent type
coercion, no unknown keys, no NaN or infinity).  Every problem becomes an
:class:`~trade_opt.errors.InputError` that names the file, the field and the reason in one line.
"""
from __future__ import annotations

import difflib
import json
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from trade_opt.errors import FieldError, InputError
from trade_opt.registry import MODELS, resolve

#: Largest instance file read (bytes); larger files are refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Deepest nesting of tables/arrays in an instance or sweep file (the deepest schema needs 4).
MAX_DEPTH = 16


class InstanceBase(BaseModel):
    """Fields every instance has.  Subclasses fix ``model`` with a ``Literal``."""

    model_config = ConfigDict(
        strict=True, extra="forbid", allow_inf_nan=False, frozen=True, protected_namespaces=()
    )

    model: str
    name: str = "unnamed"
    description: str = ""
    source: str = ""

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        """The name becomes the default output folder ``results/<slug>``: no path tricks."""
        reason = name_problem(value)
        if reason:
            raise FieldError("name", reason)
        return value


#: Longest instance name.
MAX_NAME = 200


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid instance name, or None if it is.

    A name must be 1..:data:`MAX_NAME` characters, not blank, without a path separator (``/``,
    ``\\``), ``..``, or control characters.  Other characters (spaces, accents) are allowed;
    :func:`trade_opt.outputs.default_out_dir` slugs them.

    Parameters
    ----------
    name : str
        The instance's ``name``.

    Returns
    -------
    str or None
        The reason (the tail of a one-line error), None for a valid name.

    Examples
    --------
    >>> name_problem("table1") is None
    True
    >>> name_problem("../x")
    "'../x' contains a path separator; the name becomes the folder results/<name>, use e.g. '_'"
    """
    if not name.strip():
        return "must not be empty"
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; at most {MAX_NAME}"
    if "/" in name or "\\" in name:
        return f"{name[:60]!r} contains a path separator; the name becomes the folder results/<name>, use e.g. '_'"
    if ".." in name:
        return f"{name[:60]!r} contains '..'; the name becomes the folder results/<name>"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return f"{name[:60]!r} contains a control character"
    return None


InstanceT = TypeVar("InstanceT", bound=InstanceBase)


def check_size(field: str, got: int, limit: int, what: str, why: str) -> None:
    """Refuse a model size above its limit.

    Called first in each model's validator, before anything is built.

    Parameters
    ----------
    field : str
        The field that sets the size, e.g. ``demand``.
    got : int
        The size given.
    limit : int
        The largest size accepted.
    what : str
        The unit, e.g. ``"goods"``.
    why : str
        What the limit stands for (memory, run time).

    Returns
    -------
    None

    Raises
    ------
    FieldError
        If ``got > limit``: ``<field>: <got> <what>; at most <limit> (<why>)``.

    Examples
    --------
    >>> check_size("demand", 5000, 4096, "goods", "the 2^n patterns")
    Traceback (most recent call last):
    ...
    trade_opt.errors.FieldError: demand: 5000 goods; at most 4096 (the 2^n patterns)
    """
    if got > limit:
        raise FieldError(field, f"{got} {what}; at most {limit} ({why})")


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON/TOML (iterative: never recurses)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            items = item.values()
        elif isinstance(item, list):
            items = item
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            stack.extend((v, depth + 1) for v in items)
    return deepest


def read_document(path: str | Path) -> dict[str, Any]:
    """Read a TOML or JSON file into a dict (errors name the file, in one line).

    Refused: a missing path, anything but a regular file (folder, FIFO, device), a file larger
    than :data:`MAX_FILE_BYTES`, a suffix other than .toml/.json, an unreadable file (permissions),
    text that is not UTF-8, invalid TOML/JSON, nesting deeper than :data:`MAX_DEPTH` levels, a top
    level that is not a table/object.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (``.toml`` or ``.json``, case-insensitive).

    Returns
    -------
    dict
        The parsed document (top-level table).

    Raises
    ------
    InputError
        ``<file>: <file>: <reason>`` in one line, for each refusal above.
    """
    path = Path(path)
    try:
        if not path.exists():
            raise InputError(path, "<file>", "no such file")
        if not path.is_file():
            raise InputError(path, "<file>", "not a regular file")
        size = path.stat().st_size
    except OSError as exc:   # e.g. a folder on the way that cannot be searched
        raise InputError(path, "<file>", f"cannot access: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise InputError(path, "<file>", f"file is {size} bytes; instance files are limited to {MAX_FILE_BYTES}")
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise InputError(path, "<file>", f"unsupported file type {suffix or '(none)'!r}; use .toml or .json")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(path, "<file>", f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "<file>", f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "<file>", f"invalid TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, "<file>", f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise InputError(path, "<file>", f"nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(data, dict):
        raise InputError(path, "<file>", "the top level must be a table/object of fields")
    if _depth(data) > MAX_DEPTH:
        raise InputError(path, "<file>", f"nested deeper than {MAX_DEPTH} levels")
    return data


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<instance>"


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a type: Optional/Union members, Annotated stripped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _tag_of(model: type[BaseModel]) -> set[str]:
    """Literal values of a model's fields (what a tagged union puts in an error's location)."""
    tags = set()
    for field in model.model_fields.values():
        if typing.get_origin(field.annotation) is typing.Literal:
            tags.update(str(v) for v in typing.get_args(field.annotation))
    return tags


def table_model(cls: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model of the table at a location inside a model (for "allowed keys" hints).

    Follows field annotations through Optional/Union/Annotated, lists (an int step), dicts and
    tagged-union tags (a step that is a Literal value of a member stays in that member).

    Parameters
    ----------
    cls : type of pydantic.BaseModel
        The outer model (an instance type or a spec).
    loc : tuple of str or int
        A pydantic error location without its last element (the unknown key).

    Returns
    -------
    type of pydantic.BaseModel or None
        The table's model; None if the location is not a table or is ambiguous.

    Examples
    --------
    >>> from trade_opt.sweep.spec import SweepSpec
    >>> table_model(SweepSpec, ("vary", 0, "grid")).__name__
    'Grid'
    """
    current: list[Any] = [cls]
    for part in loc:
        following: list[Any] = []
        for annotation in current:
            for member in _members(annotation):
                origin, args = typing.get_origin(member), typing.get_args(member)
                if isinstance(member, type) and issubclass(member, BaseModel):
                    if isinstance(part, str) and part in member.model_fields:
                        following.append(member.model_fields[part].annotation)
                    elif isinstance(part, str) and part in _tag_of(member):
                        following.append(member)             # tagged-union step: same table
                elif origin in (list, tuple, set, frozenset) and isinstance(part, int) and args:
                    following.append(args[0])
                elif origin is dict and len(args) == 2:
                    following.append(args[1])
        current = following
    models = {m for a in current for m in _members(a) if isinstance(m, type) and issubclass(m, BaseModel)}
    return models.pop() if len(models) == 1 else None


def _reason(error: Mapping[str, Any], cls: type[BaseModel]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        table = table_model(cls, tuple(error["loc"][:-1])) or cls
        allowed = sorted(table.model_fields)
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key ({hint}allowed keys: {', '.join(allowed)})"
    if kind == "missing":
        return "required field is missing"
    if kind == "finite_number":
        return f"must be a finite number, got {value!r}"
    if kind.endswith("_type") or kind in ("literal_error", "is_instance_of"):
        return f"{error['msg'].rstrip('.').lower()}, got {type(value).__name__} {value!r}"[:200]
    return error["msg"].rstrip(".")


def parse_instance(
    data: Mapping[str, Any], source: str | Path = "<dict>", model: str | None = None
) -> InstanceBase:
    """Validate a dict into the instance type its ``model`` key names.

    Parameters
    ----------
    data : Mapping
        The parsed document (:func:`read_document`) or an equivalent dict.
    source : str or pathlib.Path, optional
        Named in errors (the file, or ``<dict>``).
    model : str, optional
        The model the caller expects; a document of another model is an error.

    Returns
    -------
    InstanceBase
        The validated instance of the registered type (:data:`trade_opt.registry.MODELS`).

    Raises
    ------
    InputError
        If ``model`` is missing, unknown or not the expected one, or validation fails (one line).

    Examples
    --------
    >>> parse_instance({"model": "nope"}, source="a.toml")
    Traceback (most recent call last):
    ...
    trade_opt.errors.InputError: a.toml: model: unknown model 'nope' (one of: gomory, kim, krugman, melitz)
    """
    name = data.get("model")
    if name is None:
        raise InputError(source, "model", f"required field is missing (one of: {', '.join(MODELS)})")
    if not isinstance(name, str) or name not in MODELS:
        raise InputError(source, "model", f"unknown model {name!r} (one of: {', '.join(MODELS)})")
    if model is not None and name != model:
        raise InputError(source, "model", f"this command takes a {model!r} instance, the file is {name!r}")
    cls = resolve(MODELS[name].instance)
    return validate_as(cls, data, source)


def validate_as(cls: type[InstanceT], data: Mapping[str, Any], source: str | Path = "<dict>") -> InstanceT:
    """Validate ``data`` as instance type ``cls``.

    The first problem is reported (a misspelt key before others, with a "did you mean" hint),
    with the number of further problems.

    Parameters
    ----------
    cls : type of pydantic.BaseModel
        The instance (or spec) type.
    data : Mapping
        The document.
    source : str or pathlib.Path, optional
        Named in errors.

    Returns
    -------
    cls
        The validated object.

    Raises
    ------
    InputError
        ``<source>: <field>: <reason>`` in one line, from a pydantic ``ValidationError`` or a
        validator's :class:`~trade_opt.errors.FieldError`.

    Examples
    --------
    >>> class Tiny(InstanceBase):
    ...     labor: float
    >>> validate_as(Tiny, {"model": "tiny", "labor": 1.0}).labor
    1.0
    >>> validate_as(Tiny, {"model": "tiny", "labour": 1.0}, "t.toml")
    Traceback (most recent call last):
    ...
    trade_opt.errors.InputError: t.toml: labour: unknown key (did you mean 'labor'? allowed keys: description, labor, model, name, source) (and 1 more problem)
    """
    try:
        return cls.model_validate(dict(data))
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a misspelt key first
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise InputError(source, _field_path(first["loc"]), _reason(first, cls) + more) from None
    except FieldError as exc:
        raise InputError(source, exc.field, exc.reason) from None


def load_instance(path: str | Path, model: str | None = None) -> InstanceBase:
    """Read and validate an instance file (TOML or JSON); its ``model`` key picks the type.

    Parameters
    ----------
    path : str or Path
        The file (``.toml`` or ``.json``).
    model : str, optional
        Require this model (a file of another model is a one-line :class:`InputError`).

    Returns
    -------
    InstanceBase
        The validated instance of the file's model (e.g. :class:`trade_opt.gomory.GomoryInstance`).

    Raises
    ------
    InputError
        ``<file>: <field>: <reason>`` in one line.

    Examples
    --------
    >>> inst = load_instance("instances/gomory_table1.toml")
    >>> inst.model, inst.name, len(inst.exponent)
    ('gomory', 'table1', 9)
    """
    return parse_instance(read_document(path), source=str(path), model=model)
