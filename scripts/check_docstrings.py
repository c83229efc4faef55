"""Report public functions and methods of ``trade_opt`` whose docstrings lack numpydoc sections.

Reads the source with :mod:`ast` (the package is never imported, so this runs without its
dependencies) and lists every public function or method whose docstring is missing, lacks a
``Parameters`` section although it takes parameters, or lacks a ``Returns``/``Yields`` section
although it returns something.  It prints one line per gap and a total ``covered X of Y``; the exit
code is always 0 (a report, not a gate).

What is counted
---------------
* Module-level functions and methods of classes (nested classes included) whose names do not start
  with ``_``, in modules whose names do not start with ``_`` (``__init__.py`` is counted); methods of
  a class whose name starts with ``_`` are skipped, as are functions nested in functions
  (closures), ``@overload`` stubs and property setters/deleters.
* ``__init__`` of a public class, only when it takes parameters beyond ``self`` and the class
  docstring has no ``Parameters`` section (numpydoc documents constructor parameters on the class).
* ``@property`` getters need a docstring but no ``Returns`` section (numpydoc documents them as
  attributes).

What each function needs
------------------------
* A docstring.
* A ``Parameters`` section when it takes any parameter other than ``self``/``cls`` (``*args`` and
  ``**kwargs`` count).  Typer command callbacks may document their options through typer help
  strings instead: a function counts as covered for parameters when every parameter's default (or
  ``Annotated`` metadata) is a ``typer.Option(...)``/``typer.Argument(...)`` call with ``help=``,
  or a call of a helper of :data:`TYPER_OPTION_HELPERS` (which return such an option), or a
  module-level name assigned such a call (``_FORMULATION = typer.Option(..., help=...)``).
* A ``Returns`` or ``Yields`` section when its own body (not nested functions, lambdas or classes)
  has ``return <value>`` with a value other than ``None``, or ``yield``/``yield from``.

A section is a line holding only its title followed by a line of dashes (numpydoc layout).

Usage::

    python scripts/check_docstrings.py [ROOT] [--exclude PATH ...] [--quiet]

``ROOT`` defaults to the ``trade_opt`` folder next to this script's folder.  ``--exclude`` skips
files (paths relative to ``ROOT``'s parent, e.g. ``trade_opt/outputs.py``); ``--quiet`` prints only
the total.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_SECTION = r"^[ \t]*{title}[ \t]*\r?\n[ \t]*-{{3,}}[ \t]*$"
PARAMETERS = re.compile(_SECTION.format(title="Parameters"), re.MULTILINE)
RETURNS = re.compile(_SECTION.format(title="(?:Returns|Yields)"), re.MULTILINE)


#: Functions of trade_opt that return a ``typer.Option`` with ``help=`` (accepted as parameter defaults).
TYPER_OPTION_HELPERS = frozenset({"table_format_option"})


@dataclass(frozen=True)
class Gap:
    """One public function whose docstring lacks something.

    Parameters
    ----------
    path : str
        File path as given to :func:`check_source` (relative to the scanned root's parent).
    line : int
        1-based line of the ``def``.
    qualname : str
        ``Class.method`` or ``function``.
    missing : tuple of str
        What is missing: ``"docstring"``, ``"Parameters"`` and/or ``"Returns"``.
    """

    path: str
    line: int
    qualname: str
    missing: tuple[str, ...]

    def __str__(self) -> str:
        """Return ``path:line qualname: missing ...`` (one report line)."""
        return f"{self.path}:{self.line} {self.qualname}: missing {', '.join(self.missing)}"


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Return the dotted names of ``node``'s decorators (calls reduced to the callee)."""
    names = set()
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        names.add(ast.unparse(target))
    return names


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef, *, is_method: bool) -> list[ast.arg]:
    """Return the parameters of ``node`` other than a method's first (``self``/``cls``)."""
    args = node.args
    params = [*args.posonlyargs, *args.args]
    static = "staticmethod" in _decorator_names(node)
    if is_method and not static and params:
        params = params[1:]
    params += args.kwonlyargs
    if args.vararg:
        params.append(args.vararg)
    if args.kwarg:
        params.append(args.kwarg)
    return params


def _is_typer_help(expr: ast.AST | None, documented_names: frozenset[str] = frozenset()) -> bool:
    """True when ``expr`` is ``typer.Option(...)``/``typer.Argument(...)`` (or bare) with ``help=``,
    a call of a :data:`TYPER_OPTION_HELPERS` helper, or a name in ``documented_names``."""
    if isinstance(expr, ast.Name):
        return expr.id in documented_names
    if not isinstance(expr, ast.Call):
        return False
    callee = ast.unparse(expr.func).split(".")[-1]
    if callee in TYPER_OPTION_HELPERS:
        return True
    if callee not in ("Option", "Argument"):
        return False
    return any(kw.arg == "help" for kw in expr.keywords)


def _typer_documented(node: ast.FunctionDef | ast.AsyncFunctionDef, params: list[ast.arg],
                      documented_names: frozenset[str] = frozenset()) -> bool:
    """True when every parameter carries a typer ``help=`` (as default or ``Annotated`` metadata)."""
    if not params:
        return False
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.AST | None] = {a.arg: None for a in [*positional, *args.kwonlyargs]}
    for arg, default in zip(positional[len(positional) - len(args.defaults):], args.defaults):
        defaults[arg.arg] = default
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        defaults[arg.arg] = default
    for param in params:
        if _is_typer_help(defaults.get(param.arg), documented_names):
            continue
        ann = param.annotation
        if isinstance(ann, ast.Subscript) and ast.unparse(ann.value).split(".")[-1] == "Annotated":
            meta = ann.slice.elts[1:] if isinstance(ann.slice, ast.Tuple) else []
            if any(_is_typer_help(m) for m in meta):
                continue
        return False
    return True


def _returns_value(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True when ``node``'s own body returns a non-``None`` value or yields."""
    stack = list(node.body)
    while stack:
        child = stack.pop()
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Return) and child.value is not None:
            if not (isinstance(child.value, ast.Constant) and child.value.value is None):
                return True
        if isinstance(child, (ast.Yield, ast.YieldFrom)):
            return True
        stack.extend(ast.iter_child_nodes(child))
    return False


def _check_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, path: str, *, is_method: bool,
    documented_names: frozenset[str] = frozenset(),
) -> Gap | None:
    """Return the :class:`Gap` of one public function, or ``None`` when it is covered."""
    decorators = _decorator_names(node)
    doc = ast.get_docstring(node, clean=True)
    if doc is None:
        return Gap(path, node.lineno, qualname, ("docstring",))
    if "property" in decorators or "functools.cached_property" in decorators or "cached_property" in decorators:
        return None
    missing = []
    params = _params(node, is_method=is_method)
    if params and not PARAMETERS.search(doc) and not _typer_documented(node, params, documented_names):
        missing.append("Parameters")
    if _returns_value(node) and not RETURNS.search(doc):
        missing.append("Returns")
    return Gap(path, node.lineno, qualname, tuple(missing)) if missing else None


def _skipped(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True for ``@overload`` stubs and property setters/deleters."""
    for name in _decorator_names(node):
        if name.split(".")[-1] == "overload" or name.endswith((".setter", ".deleter")):
            return True
    return False


def check_source(source: str, path: str = "<string>") -> tuple[int, list[Gap]]:
    """Check one module's source text.

    Parameters
    ----------
    source : str
        Python source of one module.
    path : str, optional
        Name used in the report lines.

    Returns
    -------
    total : int
        Number of public functions and methods counted (see the module docstring).
    gaps : list of Gap
        Those among them whose docstrings lack a section, in source order.
    """
    tree = ast.parse(source, filename=path)
    documented_names = frozenset(
        target.id
        for node in tree.body if isinstance(node, ast.Assign) and _is_typer_help(node.value)
        for target in node.targets if isinstance(target, ast.Name)
    )
    total = 0
    gaps: list[Gap] = []

    def visit_class(cls: ast.ClassDef, prefix: str) -> None:
        nonlocal total
        class_doc = ast.get_docstring(cls, clean=True) or ""
        qual = f"{prefix}{cls.name}"
        for item in cls.body:
            if isinstance(item, ast.ClassDef):
                if not item.name.startswith("_"):
                    visit_class(item, qual + ".")
            elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if _skipped(item):
                    continue
                if item.name == "__init__":
                    if not _params(item, is_method=True) or PARAMETERS.search(class_doc):
                        continue
                elif item.name.startswith("_"):
                    continue
                total += 1
                gap = _check_function(item, f"{qual}.{item.name}", path, is_method=True)
                if gap:
                    gaps.append(gap)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("_") or _skipped(node):
                continue
            total += 1
            gap = _check_function(node, node.name, path, is_method=False, documented_names=documented_names)
            if gap:
                gaps.append(gap)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            visit_class(node, "")
    gaps.sort(key=lambda g: g.line)
    return total, gaps


def check_tree(root: Path, exclude: frozenset[str] = frozenset()) -> tuple[int, list[Gap]]:
    """Check every public module under ``root``.

    Parameters
    ----------
    root : pathlib.Path
        Package folder (``trade_opt``).
    exclude : frozenset of str, optional
        Paths relative to ``root.parent`` (``trade_opt/outputs.py``) to skip.

    Returns
    -------
    total : int
        Public functions and methods counted in the modules checked.
    gaps : list of Gap
        The uncovered ones, by file then line.
    """
    total = 0
    gaps: list[Gap] = []
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root.parent).as_posix()
        if rel in exclude:
            continue
        if file.name.startswith("_") and file.name != "__init__.py":
            continue
        n, found = check_source(file.read_text(encoding="utf-8"), rel)
        total += n
        gaps += found
    return total, gaps


def main(argv: list[str] | None = None) -> int:
    """Print the gaps and the ``covered X of Y`` line.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Always 0: this is a report, not a gate.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "trade_opt")
    parser.add_argument("--exclude", nargs="*", default=[], help="files to skip, e.g. trade_opt/outputs.py")
    parser.add_argument("--quiet", action="store_true", help="print only the total")
    args = parser.parse_args(argv)
    total, gaps = check_tree(args.root, frozenset(args.exclude))
    if not args.quiet:
        for gap in gaps:
            print(gap)
    print(f"covered {total - len(gaps)} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
