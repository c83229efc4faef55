"""Helpers shared by every model's CLI: JSON on stdout, parsing lists of numbers."""
from __future__ import annotations

import sys
from typing import Any

from trade_opt.errors import InputError
from trade_opt.outputs import dumps


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (for ``--json``)."""
    sys.stdout.write(dumps(obj) + "\n")


def parse_float_list(text: str, option: str) -> list[float]:
    """Parse ``"0.3,0.5"`` into floats; errors name the option."""
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise InputError("<command line>", option, f"{part!r} is not a number") from None
    if not values:
        raise InputError("<command line>", option, "no values given")
    return values
