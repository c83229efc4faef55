"""Shared figure helpers: one place that saves figures in several formats and draws large point clouds.

* :func:`save_figure` writes one matplotlib figure as PNG, PDF and/or SVG (``--figure-format``);
  without explicit formats it writes those of :func:`figure_formats` in force (PNG by default), so
  ``trade-opt run FILE --figure-format png,pdf`` reaches every job's figures.
* :func:`scatter` draws points; from :data:`RASTER_THRESHOLD` points on, the cloud is rasterized
  (vector files stay small, axes and text stay vector) or, with ``density=True``, drawn as a
  2-D histogram with a logarithmic colour scale.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from trade_opt.errors import InputError  # noqa: E402

#: Formats :func:`save_figure` writes (the CLI's ``--figure-format``).
FIGURE_FORMATS = ("png", "pdf", "svg")
#: Formats of the figures saved without explicit formats (see :func:`figure_formats`).
_FIGURE_FORMATS: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("trade_opt_figure_formats",
                                                                                   default=("png",))
#: Point clouds with at least this many points are rasterized or drawn as densities.
RASTER_THRESHOLD = 100_000
#: Resolution of PNG files and of the rasterized layers of PDF/SVG files (dots per inch).
DPI = 150


def check_formats(formats: str | Iterable[str], source: str = "<command line>", field: str = "--figure-format") -> tuple[str, ...]:
    """The requested figure formats as a tuple, validated.

    Parameters
    ----------
    formats : str or iterable of str
        ``"png"``, ``"pdf"``, ``"svg"``, a comma-separated list of them, or an iterable.
    source, field : str
        Named in the one-line error for an unknown format.

    Returns
    -------
    tuple of str
        Lower-case formats without a leading dot, without duplicates, in the given order.

    Raises
    ------
    InputError
        For an unknown format or an empty list (naming ``source`` and ``field``).

    Examples
    --------
    >>> check_formats("png, .PDF,png")
    ('png', 'pdf')
    """
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",")]
    out: list[str] = []
    for f in formats:
        f = str(f).lower().lstrip(".")
        if f not in FIGURE_FORMATS:
            raise InputError(source, field, f"unknown figure format {f!r}; choose from {', '.join(FIGURE_FORMATS)}")
        if f not in out:
            out.append(f)
    if not out:
        raise InputError(source, field, f"no figure format given; choose from {', '.join(FIGURE_FORMATS)}")
    return tuple(out)


def current_figure_formats() -> tuple[str, ...]:
    """The figure formats in force here.

    Returns
    -------
    tuple of str
        ``("png",)`` unless inside :func:`figure_formats`.
    """
    return _FIGURE_FORMATS.get()


@contextmanager
def figure_formats(formats: str | Iterable[str], source: str = "<command line>",
                   field: str = "--figure-format") -> Iterator[tuple[str, ...]]:
    """Save the figures drawn inside the block in ``formats`` (a context variable, undone on exit).

    Parameters
    ----------
    formats : str or iterable of str
        Any of :data:`FIGURE_FORMATS`, e.g. ``"png,pdf"``.
    source, field : str
        Named by the error for a bad value.

    Returns
    -------
    contextmanager yielding tuple of str
        The checked formats.

    Raises
    ------
    InputError
        For an unknown or empty format list (one line naming ``field``).

    Examples
    --------
    >>> with figure_formats("png, svg"):
    ...     current_figure_formats()
    ('png', 'svg')
    >>> current_figure_formats()
    ('png',)
    """
    token = _FIGURE_FORMATS.set(check_formats(formats, source, field))
    try:
        yield _FIGURE_FORMATS.get()
    finally:
        _FIGURE_FORMATS.reset(token)


def save_figure(fig, path: str | Path, formats: str | Sequence[str] | None = None, dpi: int = DPI) -> Path:
    """Save ``fig`` as ``path`` with each suffix in ``formats`` and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (closed afterwards, also when saving fails).
    path : str or Path
        File name; its suffix (if any) is replaced by each format's.
    formats : str or sequence of str, optional
        Any of :data:`FIGURE_FORMATS` (see :func:`check_formats`); default: those in force
        (:func:`current_figure_formats`, PNG unless inside :func:`figure_formats`).
    dpi : int
        PNG resolution and that of rasterized layers in PDF/SVG.

    Returns
    -------
    Path
        The file of the first format (``path`` itself for the default ``("png",)`` and a ``.png`` path).

    Raises
    ------
    InputError
        For an unknown format (field ``formats``).
    """
    formats = current_figure_formats() if formats is None else check_formats(formats, field="formats")
    path = Path(path)
    written = []
    try:
        for f in formats:
            target = path.with_suffix("." + f)
            fig.savefig(target, dpi=dpi, **({"metadata": {"Date": None}} if f == "svg" else {}))
            written.append(target)
    finally:
        plt.close(fig)
    return written[0]


def scatter(ax, x, y, *, density: bool | None = None, threshold: int = RASTER_THRESHOLD, marker: str = "o",
            ms: float = 3.0, color="black", label: str | None = None, zorder: float = 2, **kwargs):
    """Plot points (x, y); large clouds are rasterized or drawn as a density.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x, y : array_like
        The points' coordinates (non-finite points are left out of a density).
    density : bool or None
        True: a 2-D histogram (200 x 150 bins, log colour scale) instead of markers; None (default):
        markers, rasterized when ``len(x) >= threshold``; False: markers, never rasterized.
    threshold : int
        Size from which markers are rasterized (default :data:`RASTER_THRESHOLD`).
    marker, ms, color, label, zorder, **kwargs
        Passed to ``ax.plot`` (markers only).

    Returns
    -------
    matplotlib.artist.Artist
        The artist drawn (a Line2D, or the QuadMesh of the density).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if density:
        from matplotlib.colors import LogNorm

        finite = np.isfinite(x) & np.isfinite(y)
        _, _, _, mesh = ax.hist2d(x[finite], y[finite], bins=(200, 150), cmap="Greys", norm=LogNorm(), zorder=zorder)
        mesh.set_rasterized(True)
        if label:
            mesh.set_label(label)
        return mesh
    big = density is None and len(x) >= threshold
    (line,) = ax.plot(x, y, marker, ms=ms, color=color, label=label, zorder=zorder, rasterized=big, **kwargs)
    return line
