"""Exception types of trade_opt.

Every error a user can cause by their input is an :class:`InputError` naming the file, the field
and the reason in one line; the CLI prints it and exits with code 2.
"""
from __future__ import annotations


def one_line(text: object) -> str:
    """``text`` with every non-printable character (newline, tab, other controls) escaped.

    Keys and file names come from user input; escaping them keeps an error message on one line.

    Parameters
    ----------
    text : object
        Anything; it is converted with ``str``.

    Returns
    -------
    str
        The text, with ``\\n`` for a newline and the like; printable characters (also
        non-ASCII ones) unchanged.

    Examples
    --------
    >>> one_line("productivity.pareto.x\\ny")
    'productivity.pareto.x\\\\ny'
    >>> one_line("Lohnsätze")
    'Lohnsätze'
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class TradeOptError(Exception):
    """Base class of every error trade_opt raises on purpose."""


class InputError(TradeOptError):
    """Bad input: ``<file>: <field>: <reason>`` in one line.

    Parameters
    ----------
    file : str or path-like
        The file (or ``<command line>``, ``<point>``, ...) the input came from.
    field : str
        The field, argument or option, e.g. ``demand[1][0]`` or ``--out``.
    reason : str
        Why it is refused.

    Examples
    --------
    >>> str(InputError("a.toml", "labor[0]", "must be > 0"))
    'a.toml: labor[0]: must be > 0'
    """

    def __init__(self, file: str, field: str, reason: str):
        self.file = one_line(file)
        self.field = one_line(field)
        self.reason = one_line(reason)
        super().__init__(f"{self.file}: {self.field}: {self.reason}")


class FieldError(TradeOptError):
    """Raised by instance validators; :func:`trade_opt.instances.parse_instance` adds the file.

    Parameters
    ----------
    field : str
        The field, e.g. ``demand[1][0]``.
    reason : str
        Why it is refused.
    """

    def __init__(self, field: str, reason: str):
        self.field = one_line(field)
        self.reason = one_line(reason)
        super().__init__(f"{self.field}: {self.reason}")


class SolverUnavailableError(TradeOptError):
    """A solver named by the user is not installed; the message says which package provides it."""


class SolveError(TradeOptError):
    """A solver ran but did not return a usable answer (status and reason in the message)."""


class ArgumentError(TradeOptError, ValueError):
    """A bad argument to a public Python function: ``<argument>: <reason>`` in one line.

    A :class:`ValueError` too, so ``except ValueError`` in calling code keeps working.

    Parameters
    ----------
    argument : str
        The argument (or its element, e.g. ``demand[*][2]``).
    reason : str
        Why it is refused.
    """

    def __init__(self, argument: str, reason: str):
        self.argument = one_line(argument)
        self.reason = one_line(reason)
        super().__init__(f"{self.argument}: {self.reason}")


class OptionError(TradeOptError, TypeError):
    """An option a verb does not take (``solve(instance, tolerance=5)``), or a solver that cannot
    solve that kind of model; the message names the option (and the allowed ones) in one line."""


def check_options(where: str, given: dict, allowed: tuple[str, ...] | list[str]) -> None:
    """Raise :class:`OptionError` naming every key of ``given`` that is not in ``allowed``.

    Parameters
    ----------
    where : str
        What takes the options, e.g. ``"kim.solve"`` (starts the message).
    given : dict
        The keyword arguments received.
    allowed : sequence of str
        The option names the verb accepts.

    Returns
    -------
    None

    Raises
    ------
    OptionError
        If ``given`` has a key not in ``allowed`` (all such keys named, and the allowed ones).

    Examples
    --------
    >>> check_options("kim.solve", {"tol": 1e-8}, ("tol",))
    >>> check_options("kim.solve", {"tolerance": 5}, ("tol",))
    Traceback (most recent call last):
    ...
    trade_opt.errors.OptionError: kim.solve: unknown option(s) tolerance; allowed: tol
    """
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise OptionError(f"{where}: unknown option(s) {', '.join(unknown)}; "
                          f"allowed: {', '.join(sorted(allowed)) or 'none'}")
