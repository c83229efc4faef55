"""The dense root finder of the mixed census as it was before the windowed one (test oracle only).

T(Y) of every pattern of a chunk on the whole common logit(Y) grid (an (m, G) table); the windowed
:func:`trade_opt.gomory.mixed.census.pattern_roots` must find the same brackets and roots.
"""
from __future__ import annotations

import numpy as np

from trade_opt.gomory.instance import GomoryData
from trade_opt.gomory.mixed.brackets import refine_brackets, sign_changes
from trade_opt.gomory.mixed.census import GRID_Y, MixedEquilibria, _complete, _shared_z
from trade_opt.gomory.mixed.equations import sigmoid, softplus, specialized_Y
from trade_opt.gomory.mixed.patterns import OWNER_1, OWNER_2, SHARED


def dense_pattern_roots(data: GomoryData, owner: np.ndarray, grid: int = GRID_Y) -> MixedEquilibria:
    owner = np.atleast_2d(np.asarray(owner, dtype=np.int8))
    m = len(owner)
    shared = owner == SHARED
    Y_hi = specialized_Y(data, owner == OWNER_2)
    Y_lo = specialized_Y(data, owner != OWNER_1)
    lo_u = float(np.log(Y_lo.min()) - np.log1p(-Y_lo.min())) - 0.5
    hi_u = float(np.log(Y_hi.max()) - np.log1p(-Y_hi.max())) + 0.5
    u = np.linspace(lo_u, hi_u, grid)
    log_Y, log_1mY = -softplus(-u), -softplus(u)
    z = _shared_z(data, shared, log_Y, log_1mY)
    d1, d2 = data.d
    M1 = (owner == OWNER_1).astype(float)
    M2 = (owner == OWNER_2).astype(float)
    MS = shared.astype(float)
    A = (M2 @ d1)[:, None] + MS @ (sigmoid(z) * d1).T
    B = (M1 @ d2)[:, None] + MS @ (sigmoid(-z) * d2).T
    T = np.exp(log_Y)[None, :] * A - np.exp(log_1mY)[None, :] * B
    rows, cols = sign_changes(T)
    A0, B0 = M2 @ d1, M1 @ d2

    def T_at(uu, idx):
        r = rows[idx]
        lY, l1mY = -softplus(-uu), -softplus(uu)
        zz = _shared_z(data, None, lY, l1mY)
        S = shared[r]
        A = A0[r] + np.where(S, sigmoid(zz) * d1, 0.0).sum(axis=1)
        B = B0[r] + np.where(S, sigmoid(-zz) * d2, 0.0).sum(axis=1)
        return np.exp(lY) * A - np.exp(l1mY) * B

    u_root, _ = refine_brackets(T_at, u[cols], u[cols + 1], T[rows, cols], T[rows, cols + 1])
    return _complete(data, owner, rows, u_root, m)
