"""Markdown text of a table (the reports' and benchmarks' tables), with no extra dependency."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np
import pandas as pd


def markdown_table(table: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A GitHub-flavoured Markdown table (no extra dependency).

    Parameters
    ----------
    table : pandas.DataFrame
        The table (index not shown).
    floatfmt : str
        Format spec of finite floats.

    Returns
    -------
    str
        Header, rule and one line per row, ending in a newline.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"Y": [0.123456], "n": [3]})), end="")
    | Y | n |
    | --- | --- |
    | 0.1235 | 3 |
    """
    def fmt(value: Any) -> str:
        """One cell's text.

        Parameters
        ----------
        value : Any
            The cell.

        Returns
        -------
        str
            Finite floats by ``floatfmt``, everything else by ``str``.
        """
        if isinstance(value, (float, np.floating)):
            return format(float(value), floatfmt) if math.isfinite(value) else str(value)
        return str(value)

    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in table.columns) + " |"
    rows: Iterable[str] = ("| " + " | ".join(fmt(v) for v in row) + " |" for row in table.itertuples(index=False))
    return "\n".join([header, rule, *rows]) + "\n"
