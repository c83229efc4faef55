"""``trade-opt gomory ...``: single tasks on a Gomory instance, each with ``--json``."""
from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Gomory (1991): equilibria, boundary curves, Ricardo level.")
