"""Progress bars on a terminal, silence elsewhere (pipes, CI, tests)."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class _Task:
    def __init__(self, progress: Progress | None, task_id: int | None):
        self._progress, self._task_id = progress, task_id

    def advance(self, amount: float = 1) -> None:
        """Advance the bar by ``amount`` steps (no-op without a terminal).

        Parameters
        ----------
        amount : float, optional
            Steps completed (default 1).

        Returns
        -------
        None
        """
        if self._progress is not None:
            self._progress.advance(self._task_id, amount)


@contextmanager
def progress_bar(description: str, total: float, enabled: bool | None = None) -> Iterator[_Task]:
    """A rich progress bar on stderr when it is a terminal (or ``enabled=True``); a no-op otherwise.

    Parameters
    ----------
    description : str
        Label shown left of the bar.
    total : float
        Number of steps.
    enabled : bool or None, optional
        Force the bar on or off; None (default) shows it only when stderr is a terminal.

    Yields
    ------
    _Task
        An object with ``advance(amount=1)``.

    Examples
    --------
    >>> with progress_bar("work", 3, enabled=False) as bar:
    ...     for _ in range(3):
    ...         bar.advance()
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _Task(None, None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        yield _Task(progress, progress.add_task(description, total=total))
