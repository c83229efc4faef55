"""Shared test fixtures: importing trade_opt first sets PYOMO_CONFIG_DIR before pyomo loads."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import trade_opt  # noqa: F401  (sets PYOMO_CONFIG_DIR)

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"


def random_gomory(n: int, seed: int, alpha_low: float = 1.1, alpha_high: float = 2.2, by_country: bool = False):
    """A random Gomory instance (positive demands, efficiencies in [0.3, 1.5], labor in [1, 10])."""
    from trade_opt.gomory import GomoryData

    rng = np.random.default_rng(seed)
    demand = rng.uniform(0.05, 1.0, size=(2, n))
    efficiency = rng.uniform(0.3, 1.5, size=(2, n))
    exponent = rng.uniform(alpha_low, alpha_high, size=(2, n) if by_country else n)
    labor = rng.uniform(1.0, 10.0, size=2)
    return GomoryData.from_arrays(demand, efficiency, exponent, labor)


@pytest.fixture(scope="session")
def table1():
    from trade_opt.instances import load_instance

    return load_instance(INSTANCES / "gomory_table1.toml").data()
