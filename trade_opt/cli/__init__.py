"""Command-line interface: ``trade-opt``."""
