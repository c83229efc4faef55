"""Array backends of the enumeration kernel: one code path for NumPy (CPU), CuPy and PyTorch (CUDA).

The kernel's per-block arithmetic (:mod:`trade_opt.gomory.kernel`) is written against the Python
array API standard (https://data-apis.org/array-api/) through ``array_api_compat``, so the same code
runs on any conforming namespace.  :func:`get_backend` turns a device string into an
:class:`ArrayBackend` (namespace, device object, block size, transfer to NumPy):

* ``"cpu"`` (default): NumPy, exactly the arithmetic the CPU kernel always did;
* ``"cuda"``: CuPy if it is installed and sees a GPU, else PyTorch with CUDA;
  ``"cuda:cupy"`` / ``"cuda:torch"`` choose the library.

The optional extra ``gpu`` installs CuPy (``pip install 'trade_opt[gpu]'``, the ``cupy-cuda12x[ctk]``
wheel, which brings its CUDA 12 runtime libraries from PyPI and needs only an NVIDIA driver): a
single ~135 MB wheel with NumPy's semantics (float64 by default), against PyTorch's multi-GB CUDA
wheels.  A PyTorch with CUDA that is already installed is used as well.  Asking for ``cuda`` without
a GPU or without either library raises :class:`DeviceError` (one line naming what is missing and
how to install it; the CLI prints it and exits 2).  Tests run the kernel on ``array_api_strict``
(:func:`namespace_backend`), which proves the code calls nothing outside the standard.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from trade_opt.errors import ArgumentError

#: Device strings accepted by :func:`get_backend` (and ``--device``).
DEVICES = ("cpu", "cuda", "cuda:cupy", "cuda:torch")
#: Install hint for the GPU extra.
GPU_INSTALL = "pip install 'trade_opt[gpu]' (CuPy for CUDA 12) or a PyTorch build with CUDA"
#: Patterns per kernel block on a GPU (a power of two; ~1.4 GB of device memory at 2^24 for the 10 linear forms).
GPU_CHUNK = 1 << 22


class DeviceError(ArgumentError):
    """The requested device cannot be used: ``device: <what is missing; how to install it>``.

    Parameters
    ----------
    reason : str
        What is missing and how to install it; the error's field is ``device``.
    """

    def __init__(self, reason: str):
        super().__init__("device", reason)


@dataclass(frozen=True)
class ArrayBackend:
    """An array namespace and a device to run the kernel on.

    Parameters
    ----------
    name : str
        ``"numpy"``, ``"cupy"``, ``"torch"``, ``"array_api_strict"``, ...
    xp : module
        An array-API namespace (``array_api_compat``'s wrapper of NumPy/CuPy/PyTorch, or a
        namespace such as ``array_api_strict``).
    device : object, optional
        The device object arrays are created on (None: the namespace's default).
    chunk : int, optional
        Default patterns per kernel block (None: the kernel's CPU default).
    """

    name: str
    xp: Any
    device: Any = None
    chunk: int | None = None

    @property
    def is_numpy(self) -> bool:
        """True for the NumPy backend (arrays are plain ``numpy.ndarray`` on the host)."""
        return self.name == "numpy"

    def asarray(self, a: Any) -> Any:
        """A float64 array on this backend's device from a NumPy array (or nested list).

        Parameters
        ----------
        a : array_like
            Host data.

        Returns
        -------
        array
            A float64 array of the namespace ``xp`` on ``device`` (a NumPy array for NumPy,
            without a copy when ``a`` already is float64).
        """
        if self.is_numpy:
            return np.asarray(a, dtype=np.float64)
        return self.xp.asarray(np.asarray(a, dtype=np.float64), dtype=self.xp.float64, device=self.device)

    def to_numpy(self, a: Any) -> np.ndarray:
        """A NumPy copy (host memory) of an array of this backend.

        Parameters
        ----------
        a : array
            An array of this backend (CuPy, PyTorch, DLPack-capable, or NumPy).

        Returns
        -------
        numpy.ndarray
            Host array; ``a`` itself when it already is a NumPy array.
        """
        if isinstance(a, np.ndarray):
            return a
        if self.name == "cupy":
            return a.get()
        if self.name == "torch":
            return a.detach().cpu().numpy()
        try:
            return np.from_dlpack(a)
        except (TypeError, AttributeError, RuntimeError, BufferError):
            return np.asarray(a)

    def synchronize(self) -> None:
        """Wait for queued device work (timing); nothing on the CPU."""
        if self.name == "cupy":
            import cupy

            cupy.cuda.Device().synchronize()
        elif self.name == "torch":
            import torch

            torch.cuda.synchronize()


def _numpy_namespace() -> Any:
    """NumPy itself where it implements the array API's names (NumPy >= 2.1), else array_api_compat's wrapper."""
    if all(hasattr(np, f) for f in ("astype", "concat")):
        return np
    from array_api_compat import numpy as xp_numpy

    return xp_numpy


#: The NumPy backend (the default): the namespace is NumPy itself, so the CPU path costs what it always did.
NUMPY = ArrayBackend("numpy", _numpy_namespace())


def namespace_backend(xp: Any, device: Any = None, chunk: int | None = None) -> ArrayBackend:
    """A backend for any array-API namespace (e.g. ``array_api_strict`` in the tests).

    Parameters
    ----------
    xp : module
        The namespace; NumPy (or the NumPy namespace of :data:`NUMPY`) gives the name ``"numpy"``,
        anything else the last part of its module name.
    device : object, optional
        Device arrays are created on.
    chunk : int, optional
        Default patterns per kernel block.

    Returns
    -------
    ArrayBackend
    """
    name = getattr(xp, "__name__", type(xp).__name__).split(".")[-1]
    return ArrayBackend("numpy" if xp is np or xp is NUMPY.xp else name, xp, device, chunk)


def _cupy_backend() -> tuple[ArrayBackend | None, str]:
    try:
        import cupy
    except ImportError:
        return None, "CuPy is not installed"
    except Exception as exc:                          # a broken install (missing CUDA libraries)
        return None, f"CuPy failed to import ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:                          # no driver / no device
        return None, f"CuPy finds no CUDA GPU ({type(exc).__name__})"
    if count < 1:
        return None, "CuPy finds no CUDA GPU"
    from array_api_compat import cupy as xp_cupy

    return ArrayBackend("cupy", xp_cupy, cupy.cuda.Device(0), GPU_CHUNK), ""


def _torch_backend() -> tuple[ArrayBackend | None, str]:
    try:
        import torch
    except ImportError:
        return None, "PyTorch is not installed"
    except Exception as exc:
        return None, f"PyTorch failed to import ({type(exc).__name__})"
    if not torch.cuda.is_available():
        return None, f"PyTorch {torch.__version__} sees no CUDA GPU"
    from array_api_compat import torch as xp_torch

    return ArrayBackend("torch", xp_torch, torch.device("cuda"), GPU_CHUNK), ""


#: Probes of the CUDA libraries, in order of preference (tests replace them to simulate a machine).
CUDA_PROBES = {"cupy": _cupy_backend, "torch": _torch_backend}


def get_backend(device: str | ArrayBackend | None = "cpu") -> ArrayBackend:
    """The backend for a device string (see the module docstring); an ArrayBackend passes through.

    Parameters
    ----------
    device : str or ArrayBackend or None
        One of :data:`DEVICES` (``"cpu"``, ``"cuda"``, ``"cuda:cupy"``, ``"cuda:torch"``); None
        means ``"cpu"``.

    Returns
    -------
    ArrayBackend
        :data:`NUMPY` for the CPU; for ``cuda`` the first library of :data:`CUDA_PROBES` (CuPy,
        then PyTorch) that sees a GPU, with block size :data:`GPU_CHUNK`.

    Raises
    ------
    DeviceError
        An unknown device string, or ``cuda`` without a usable GPU library (the message names what
        each library lacked and how to install the extra)."""
    if isinstance(device, ArrayBackend):
        return device
    if device is None or device == "cpu":
        return NUMPY
    if not isinstance(device, str) or device not in DEVICES:
        raise DeviceError(f"unknown device {device!r}; choose one of {', '.join(DEVICES)}")
    wanted = [device.split(":", 1)[1]] if ":" in device else list(CUDA_PROBES)
    reasons = []
    for lib in wanted:
        backend, reason = CUDA_PROBES[lib]()
        if backend is not None:
            return backend
        reasons.append(reason)
    raise DeviceError(f"{device!r} unavailable: {'; '.join(reasons)}; install the GPU extra: {GPU_INSTALL}")
