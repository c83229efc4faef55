"""Kept for old imports: the helpers moved to :mod:`trade_opt.commandline` (outside ``cli/``)."""
from trade_opt.commandline import parse_float_list, print_json

__all__ = ["parse_float_list", "print_json"]
