"""Keep the process's floating-point environment unchanged across foreign solver code.

The AMPL Solver Library that PyNumero loads (``libpynumero_ASL``, used by :mod:`trade_opt.mcp`)
sets the x87 FPU to 53-bit precision when it reads a model (ASL's ``fpinit``).  The x87 unit is
still used by a few OpenBLAS kernels (e.g. the x86-64 ``dnrm2``), which LAPACK's eigenvalue
routines call, so after one MCP solve ``numpy.linalg.eigvals`` could return results 1 ulp apart
from those of a fresh process: the same job run twice in one process wrote different tables.
:func:`preserved_fp_environment` saves the C floating-point environment (x87 control word and
MXCSR: precision, rounding, exception masks) with ``fegetenv`` and restores it with ``fesetenv``.
Where the C library offers no ``fegetenv`` it does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: Bytes reserved for a C ``fenv_t`` (32 on x86-64 glibc; generous for other platforms).
_FENV_BYTES = 512


def _libc():
    """The C library that holds ``fegetenv``/``fesetenv`` (libm with glibc, libc elsewhere), or None."""
    for name in ("m", "c"):
        path = ctypes.util.find_library(name)
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if hasattr(lib, "fegetenv") and hasattr(lib, "fesetenv"):
            return lib
    return None


_LIBC = _libc()


@contextmanager
def preserved_fp_environment() -> Iterator[None]:
    """Restore the floating-point environment on exit (also on an exception).

    Saves the C ``fenv_t`` (rounding mode, exception flags, x87 precision control) with ``fegetenv``
    and restores it with ``fesetenv``; a no-op where libc's functions are not found.

    Yields
    ------
    None
        Control, inside the saved environment.

    Examples
    --------
    >>> import numpy as np
    >>> with preserved_fp_environment():
    ...     float(np.float64(1.0) / 3.0) == 1 / 3
    True
    """
    if _LIBC is None:
        yield
        return
    env = ctypes.create_string_buffer(_FENV_BYTES)
    _LIBC.fegetenv(env)
    try:
        yield
    finally:
        _LIBC.fesetenv(env)


def preserving_fp_environment(func: F) -> F:
    """Decorator: ``func`` leaves the floating-point environment as it found it.

    Used on :func:`trade_opt.mcp.solve`, whose ASL-backed evaluators would otherwise change the
    precision of later LAPACK calls in the caller's process (see the module docstring).

    Parameters
    ----------
    func : callable
        The function to wrap.

    Returns
    -------
    callable
        ``func`` run inside :func:`preserved_fp_environment` (same name, docstring and signature).
    """
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with preserved_fp_environment():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

