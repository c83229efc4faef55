"""A traced B1(Y) as pieces per relaxation direction, and B1 looked up from them.

:class:`DirectionTrace` holds the pieces of one direction ("<=" or ">=" in the trade row
V(Y).x (sense) 1 - Y): edges in t = logit(Y) and the optimal x on each piece, with the certified
:class:`Breakpoint` between them.  :class:`TraceLookup` (the base of
:class:`trade_opt.gomory.b1_trace.B1Trace`, which computes the two directions) answers from them:
the pieces, the optimal x at any Y, and B1(Y) = C(Y) + min over directions of c(Y).x_piece
(models/gomory.md, "B1: why the smaller of both directions").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from trade_opt.errors import ArgumentError
from trade_opt.gomory.b1_lines import _expit
from trade_opt.gomory.boundary import knapsack_data
from trade_opt.gomory.instance import GomoryData


@dataclass(frozen=True)
class Breakpoint:
    """A change of the optimal x of one direction at t (Y = expit(t)), certified by DP solutions at
    ``left_t`` < t <= ``right_t`` (their x are the pieces' x on each side)."""

    t: float
    Y: float
    left_t: float
    right_t: float


@dataclass
class DirectionTrace:
    """Pieces of one relaxation direction ("<=" or ">="): ``edges`` (k + 1,) in t, ``X`` (k, n)."""

    direction: str
    edges: np.ndarray
    X: np.ndarray
    breakpoints: list[Breakpoint] = field(default_factory=list)


class TraceLookup:
    """The lookups of a traced B1 (both directions' pieces); :class:`~trade_opt.gomory.b1_trace.B1Trace`
    computes them.

    Attributes
    ----------
    data : GomoryData
        The instance traced.
    Y_low, Y_high : float
        The traced range of Y.
    directions : tuple of DirectionTrace
        The "<=" and ">=" pieces.
    """

    data: GomoryData
    Y_low: float
    Y_high: float
    directions: tuple[DirectionTrace, DirectionTrace]

    @property
    def breakpoints(self) -> list[Breakpoint]:
        """The certified breakpoints of both directions, sorted by t = logit(Y)."""
        return sorted(self.directions[0].breakpoints + self.directions[1].breakpoints, key=lambda b: b.t)

    def pieces(self, direction: str = "<=") -> list[tuple[float, float, np.ndarray]]:
        """The pieces of one direction.

        Parameters
        ----------
        direction : {"<=", ">="}
            Direction of the trade row V(Y).x (sense) 1 - Y (anything but ``"<="`` means ``">="``).

        Returns
        -------
        list of (float, float, numpy.ndarray)
            ``(Y_from, Y_to, x)`` per piece, in increasing Y: on [Y_from, Y_to] the 0/1 pattern
            ``x`` (int array of length n) is optimal for OPT_direction(Y).
        """
        tr = self.directions[0 if direction == "<=" else 1]
        return [(_expit(a), _expit(b), x.astype(int)) for a, b, x in zip(tr.edges[:-1], tr.edges[1:], tr.X)]

    def direction_x(self, Y: np.ndarray, direction: str = "<=") -> np.ndarray:
        """The optimal x of one direction at each Y (lookup).

        Parameters
        ----------
        Y : numpy.ndarray
            Country 1's income shares, shape (m,), inside (0, 1); values outside the traced
            range get the first or last piece.
        direction : {"<=", ">="}
            Direction of the trade row.

        Returns
        -------
        numpy.ndarray
            Shape (m, n), float 0/1: the piece's x containing each Y.
        """
        tr = self.directions[0 if direction == "<=" else 1]
        t = np.log(Y) - np.log1p(-Y)
        idx = np.clip(np.searchsorted(tr.edges, t, side="right") - 1, 0, len(tr.X) - 1)
        return tr.X[idx]

    def evaluate(self, Y: np.ndarray | float, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """B1 at each Y by lookup: B1(Y) = C(Y) + min over directions of c(Y).x_piece.

        Parameters
        ----------
        Y : float or numpy.ndarray
            Income shares of country 1, shape (m,), within [Y_low, Y_high] (1e-15 relative slack).
        chunk : int
            Y values per vectorized block (memory: chunk x n floats).

        Returns
        -------
        B1 : numpy.ndarray
            Shape (m,): B1(Y), the bound on country 1's log-utility u(x, Y) over integer
            patterns (:mod:`trade_opt.gomory.boundary`).
        x : numpy.ndarray
            Shape (m, n): the optimal pattern of the direction giving the smaller value.

        Raises
        ------
        ArgumentError
            A Y outside the traced range.
        """
        Y = np.atleast_1d(np.asarray(Y, dtype=float))
        if Y.size and (Y.min() < self.Y_low * (1 - 1e-15) or Y.max() > self.Y_high * (1 + 1e-15)):
            raise ArgumentError("Y", f"outside the traced range [{self.Y_low}, {self.Y_high}]")
        B1 = np.empty(len(Y))
        X = np.empty((len(Y), self.data.n))
        for s in range(0, len(Y), chunk):
            y = Y[s : s + chunk]
            kd = knapsack_data(self.data, y)
            xl, xg = self.direction_x(y, "<="), self.direction_x(y, ">=")
            vl, vg = np.einsum("ij,ij->i", kd.c, xl), np.einsum("ij,ij->i", kd.c, xg)
            low = vl <= vg
            B1[s : s + chunk] = kd.constant + np.where(low, vl, vg)
            X[s : s + chunk] = np.where(low[:, None], xl, xg)
        return B1, X
