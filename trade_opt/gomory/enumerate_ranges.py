"""Enumeration of a range of pattern codes with flat memory: Parquet streaming and best-so-far reductions.

One range [start, stop) of pattern codes (Gomory 1991's specialized equilibria, models/gomory.md) is
evaluated by the O(1)-per-pattern kernel (:func:`trade_opt.gomory.kernel.pattern_values`) block by
block.  Each block is appended to a Parquet file (columns :data:`PARQUET_COLUMNS`, written to a hidden
temporary file and renamed when complete, so a part is complete or absent) and folded into two
reductions that are associative, so ranges evaluated anywhere can be merged in any order:

* the ``top`` best patterns of each country (largest u_j; ties broken by the smaller code);
* the upper envelope on a Y grid: for each of ``grid`` equal bins of Y in (0, 1), the largest u_j of a
  pattern whose Y falls in the bin, and that pattern's code (ties: the smaller code).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from trade_opt.gomory.array_backend import ArrayBackend, get_backend
from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.kernel import HTable, build_h_table, pattern_values

#: Columns of an enumeration part file (one row per specialized pattern).
PARQUET_COLUMNS = ("code", "Y", "u1", "u2")
#: Default number of Y bins of the upper envelope.
ENVELOPE_GRID = 1000
#: Default number of best patterns kept per country.
TOP_K = 10


@dataclass
class RangeReduction:
    """Best-so-far reductions of a set of patterns (see the module docstring).

    ``top_u`` (2, k) and ``top_code`` (2, k): best log-utilities of country j and their codes, sorted
    best first (-inf / -1 where fewer patterns); ``env_u`` (2, grid), ``env_code`` (2, grid): the
    envelope (-inf / -1 for empty bins); ``count``: patterns seen."""

    top_u: np.ndarray
    top_code: np.ndarray
    env_u: np.ndarray
    env_code: np.ndarray
    count: int = 0
    ranges: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def empty(cls, grid: int = ENVELOPE_GRID, top: int = TOP_K) -> "RangeReduction":
        """The reduction of no patterns.

        Parameters
        ----------
        grid : int
            Envelope bins of Y in (0, 1).
        top : int
            Best patterns kept per country.

        Returns
        -------
        RangeReduction
            -inf values and -1 codes everywhere, ``count`` 0.
        """
        return cls(np.full((2, top), -np.inf), np.full((2, top), -1, np.int64),
                   np.full((2, grid), -np.inf), np.full((2, grid), -1, np.int64))

    @property
    def grid(self) -> int:
        """Number of envelope bins.

        Returns
        -------
        int
        """
        return self.env_u.shape[1]

    def add(self, codes: np.ndarray, Y: np.ndarray, u: tuple[np.ndarray, np.ndarray]) -> None:
        """Fold a block of patterns in (only candidates that beat the current bests are sorted).

        Parameters
        ----------
        codes : numpy.ndarray
            Pattern codes (int64), shape (m,).
        Y : numpy.ndarray
            Their income shares Y = N_1 in (0, 1).
        u : tuple of numpy.ndarray
            (u_1, u_2), log-utilities, each shape (m,).

        Returns
        -------
        None

        Examples
        --------
        >>> r = RangeReduction.empty(grid=4, top=2)
        >>> r.add(np.array([1, 2, 3]), np.array([0.1, 0.6, 0.65]),
        ...       (np.array([1.0, 3.0, 2.0]), np.array([0.0, 0.0, 5.0])))
        >>> r.top_code.tolist(), r.env_code[0].tolist(), r.count
        ([[2, 3], [3, 1]], [1, -1, 2, -1], 3)
        """
        self.count += len(codes)
        G = self.grid
        bins = np.minimum((Y * G).astype(np.intp), G - 1)
        for j in range(2):
            uj = u[j]
            cand = uj >= self.top_u[j, -1]
            if cand.any():
                self._merge_top(j, uj[cand], codes[cand])
            cand = uj >= self.env_u[j].take(bins)
            if cand.any():
                self._merge_env(j, bins[cand], uj[cand], codes[cand])

    def _merge_top(self, j: int, u: np.ndarray, codes: np.ndarray) -> None:
        all_u = np.concatenate([self.top_u[j], u])
        all_c = np.concatenate([self.top_code[j], codes])
        order = np.lexsort((all_c, -all_u))[: self.top_u.shape[1]]
        self.top_u[j], self.top_code[j] = all_u[order], all_c[order]

    def _merge_env(self, j: int, bins: np.ndarray, u: np.ndarray, codes: np.ndarray) -> None:
        all_b = np.concatenate([np.arange(self.grid), bins])
        all_u = np.concatenate([self.env_u[j], u])
        all_c = np.concatenate([self.env_code[j], codes])
        valid = all_c >= 0
        all_b, all_u, all_c = all_b[valid], all_u[valid], all_c[valid]
        order = np.lexsort((all_c, -all_u, all_b))            # per bin: largest u, then smallest code
        first = np.ones(len(order), bool)
        first[1:] = all_b[order][1:] != all_b[order][:-1]
        pick = order[first]
        self.env_u[j, all_b[pick]] = all_u[pick]
        self.env_code[j, all_b[pick]] = all_c[pick]

    def merge(self, other: "RangeReduction") -> "RangeReduction":
        """This reduction folded with another (associative and commutative).

        Parameters
        ----------
        other : RangeReduction
            Same ``grid`` and ``top``.

        Returns
        -------
        RangeReduction
            A new reduction; ``count`` summed, ``ranges`` joined and sorted.
        """
        out = RangeReduction(self.top_u.copy(), self.top_code.copy(), self.env_u.copy(), self.env_code.copy(),
                             self.count + other.count, sorted(self.ranges + other.ranges))
        for j in range(2):
            ok = other.top_code[j] >= 0
            if ok.any():
                out._merge_top(j, other.top_u[j, ok], other.top_code[j, ok])
            ok = other.env_code[j] >= 0
            if ok.any():
                out._merge_env(j, np.flatnonzero(ok), other.env_u[j, ok], other.env_code[j, ok])
        return out

    def to_dict(self) -> dict:
        """JSON-ready form (non-finite envelope values as None); inverse of :meth:`from_dict`.

        Returns
        -------
        dict
            ``count``, ``ranges``, ``top_u``, ``top_code``, ``env_u``, ``env_code``.
        """
        return {"count": self.count, "ranges": [list(r) for r in self.ranges],
                "top_u": self.top_u.tolist(), "top_code": self.top_code.tolist(),
                "env_u": [[None if not np.isfinite(v) else float(v) for v in row] for row in self.env_u],
                "env_code": self.env_code.tolist()}

    @classmethod
    def from_dict(cls, doc: dict) -> "RangeReduction":
        """The reduction written by :meth:`to_dict`.

        Parameters
        ----------
        doc : dict
            As returned by :meth:`to_dict` (e.g. read back from JSON).

        Returns
        -------
        RangeReduction
        """
        env_u = np.array([[-np.inf if v is None else v for v in row] for row in doc["env_u"]], float)
        return cls(np.array(doc["top_u"], float), np.array(doc["top_code"], np.int64), env_u,
                   np.array(doc["env_code"], np.int64), int(doc["count"]), [tuple(r) for r in doc["ranges"]])


def enumerate_range(data: GomoryData, start: int, stop: int, path: Path | None = None, *,
                    grid: int = ENVELOPE_GRID, top: int = TOP_K, chunk: int | None = None,
                    table: HTable | None | bool = True, row_group: int = 1 << 20,
                    device: str | ArrayBackend = "cpu") -> RangeReduction:
    """Evaluate codes ``start <= code < stop``; stream them to ``path`` (Parquet) and reduce them.

    Parameters
    ----------
    data : GomoryData
        The instance.
    start, stop : int
        Half-open code range (clipped to 1 .. 2^n - 2).
    path : pathlib.Path, optional
        Parquet file to write (``None``: reductions only); written as ``.<name>.<pid>.tmp`` next to it
        and renamed when complete.
    grid, top : int
        Envelope bins and best patterns kept per country.
    chunk : int, optional
        Kernel block size.
    table, device
        As :func:`~trade_opt.gomory.kernel.pattern_values` (on a GPU the kernel runs there and code,
        Y, u1, u2 of each block come back to host memory for the Parquet part and the reductions).
    row_group : int
        Rows per Parquet row group.

    Returns
    -------
    RangeReduction
        The reduction of the range (``ranges`` = [(start, stop)]).

    Raises
    ------
    DeviceError
        ``device`` names a GPU that is not usable (:func:`~trade_opt.gomory.array_backend.get_backend`).
    """
    backend = get_backend(device)
    if table is True:
        table = build_h_table(data)
    red = RangeReduction.empty(grid, top)
    red.ranges = [(int(start), int(stop))]
    writer = tmp = None
    if path is not None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("code", pa.int64()), ("Y", pa.float64()), ("u1", pa.float64()), ("u2", pa.float64())])
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        writer = pq.ParquetWriter(tmp, schema, compression="none", write_statistics=False,
                                  column_encoding={"code": "DELTA_BINARY_PACKED"}, use_dictionary=False)
    buffer: list = []
    buffered = 0

    def flush() -> None:
        """Write the buffered blocks as one Parquet row group and empty the buffer.

        Returns
        -------
        None
        """
        nonlocal buffer, buffered
        if buffered:
            cols = [np.concatenate([b[k] for b in buffer]) for k in range(4)]
            writer.write_table(pa.table(cols, schema=schema), row_group_size=buffered)
        buffer, buffered = [], 0

    try:
        for values in pattern_values(data, start, stop, chunk, table, device=backend):
            codes, Y, u1, u2 = (backend.to_numpy(getattr(values, f)) for f in ("codes", "Y", "u1", "u2"))
            red.add(codes, Y, (u1, u2))
            if writer is not None:
                buffer.append((codes, Y, u1, u2))
                buffered += len(codes)
                if buffered >= row_group:
                    flush()
        if writer is not None:
            flush()
            writer.close()
            writer = None
            os.replace(tmp, path)
    finally:
        if writer is not None:
            writer.close()
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return red
