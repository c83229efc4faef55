"""Lazy attribute exports for packages (PEP 562), so ``import trade_opt.<model>`` stays cheap."""
from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for a package whose attributes live in submodules.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        Attribute name -> submodule (relative to ``package``) that defines it.

    Returns
    -------
    tuple of callables
        Assign them to the package's ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__


#: the contract verbs every model package exports from its ``interface`` module
VERBS = ("load_instance", "build_model", "build_models", "solve", "run")


def model_package_exports(package: str, instance_names: tuple[str, ...]):
    """``(__getattr__, __dir__, __all__)`` of a model package: the verbs and its instance types.

    Parameters
    ----------
    package : str
        The model package's ``__name__`` (e.g. ``trade_opt.kim``).
    instance_names : tuple of str
        The classes its ``instance`` module exports (e.g. ``("KimData", "KimInstance")``).

    Returns
    -------
    tuple
        Assign to ``__getattr__, __dir__, __all__``.
    """
    exports = {**{name: "interface" for name in VERBS}, **{name: "instance" for name in instance_names}}
    getattr_, dir_ = lazy_exports(package, exports)
    return getattr_, dir_, sorted(exports)
