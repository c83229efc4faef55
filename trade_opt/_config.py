"""Process-wide configuration that must happen before Pyomo is imported.

PyNumero (Pyomo's interface to Ipopt via cyipopt) finds its compiled ASL library under
``PYOMO_CONFIG_DIR``.  ``scripts/setup.sh`` builds it into ``<venv>/pyomo_config``; when the
variable is unset we point it there, so the package works without any shell set-up.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_pyomo_config_dir() -> Path:
    """Set ``PYOMO_CONFIG_DIR`` to ``<sys.prefix>/pyomo_config`` unless the user set it."""
    current = os.environ.get("PYOMO_CONFIG_DIR")
    if current:
        return Path(current)
    path = Path(sys.prefix) / "pyomo_config"
    os.environ["PYOMO_CONFIG_DIR"] = str(path)
    return path
