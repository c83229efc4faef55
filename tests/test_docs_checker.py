"""scripts/check_docstrings.py: it finds the gaps it claims to find, and only those (fixture sources)."""
from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_docstrings.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_docstrings", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)     # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return sys.modules[spec.name]


FIXTURE = textwrap.dedent('''
    import typer

    _OPT = typer.Option("a", "--opt", help="An option.")


    def undocumented(x):
        return x


    def no_returns(x):
        """Has Parameters but returns a value.

        Parameters
        ----------
        x : int
            A number.
        """
        return x + 1


    def full(x):
        """Both sections.

        Parameters
        ----------
        x : int
            A number.

        Returns
        -------
        int
            x + 1.
        """
        return x + 1


    def gen():
        """A generator.

        Yields
        ------
        int
        """
        yield 1


    def returns_none(x):
        """Returns nothing, so needs only Parameters.

        Parameters
        ----------
        x : int
        """
        if x:
            return None

        def inner():
            return 1


    def command(path: str = typer.Argument(..., help="A file."), opt: str = _OPT) -> None:
        """A typer command: options documented by their help strings."""


    def command_missing_help(path: str = typer.Argument(...)) -> None:
        """A typer command with an undocumented argument."""


    def _private(x):
        return x


    class Thing:
        """A class without a Parameters section."""

        def __init__(self, a):
            self.a = a

        @property
        def value(self):
            """The value (a property: no Returns section needed)."""
            return self.a

        def method(self):
            """Takes only self and returns nothing."""


    class Documented:
        """A class whose constructor is documented here.

        Parameters
        ----------
        a : int
        """

        def __init__(self, a):
            self.a = a
''')


def test_checker_flags_exactly_the_undocumented_functions():
    total, gaps = _checker().check_source(FIXTURE, "fixture.py")
    found = {gap.qualname: gap.missing for gap in gaps}
    assert found == {
        "undocumented": ("docstring",),
        "no_returns": ("Returns",),
        "command_missing_help": ("Parameters",),
        "Thing.__init__": ("docstring",),
    }
    # counted: undocumented, no_returns, full, gen, returns_none, command, command_missing_help,
    # Thing.__init__, Thing.value, Thing.method (not _private, not Documented.__init__)
    assert total == 10
