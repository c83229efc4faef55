"""The Python API validates at entry (issue 15, item 8): package errors that are ValueErrors and
name the argument, instead of silent results or numpy errors deep inside."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from trade_opt.errors import ArgumentError, OptionError, TradeOptError
from trade_opt.gomory import GomoryData
from trade_opt.gomory.equilibria import all_specialized

DEMAND = [[0.3, 0.7, 0.2], [0.5, 0.25, 0.25]]
ONES = [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]


def test_error_types_are_value_and_type_errors():
    assert issubclass(ArgumentError, ValueError) and issubclass(ArgumentError, TradeOptError)
    assert issubclass(OptionError, TypeError) and issubclass(OptionError, TradeOptError)
    assert str(ArgumentError("tol", "must be finite")) == "tol: must be finite"


def test_nan_demand_is_refused_instead_of_zero_equilibria():
    data = GomoryData.from_arrays(DEMAND, ONES, [1.5, 1.5, 1.5])
    assert len(all_specialized(data)) == 2 ** 3 - 2
    with pytest.raises(ArgumentError, match=r"^d\[0\]\[1\]: must be finite, got nan$"):
        all_specialized(dataclasses.replace(data, d=np.array([[0.3, np.nan, 0.2], [0.5, 0.25, 0.25]])))


@pytest.mark.parametrize("kwargs, message", [
    ({"demand": [[0.3, 0.7], [0.5]]}, r"^demand: ragged"),
    ({"efficiency": [[1.0, 1.0, "x"], [1.0, 1.0, 1.0]]}, r"^efficiency: not numeric"),
    ({"exponent": [1.5, [1.5], 1.5]}, r"^exponent: ragged"),
    ({"labor": [1.0, -2.0]}, r"^labor\[1\]: labor supply must be > 0"),
    ({"efficiency": [[1.0, np.inf, 1.0], [1.0, 1.0, 1.0]]}, r"^efficiency\[0\]\[1\]: must be a finite number"),
])
def test_from_arrays_names_the_argument(kwargs, message):
    args = {"demand": DEMAND, "efficiency": ONES, "exponent": [1.5, 1.5, 1.5], **kwargs}
    with pytest.raises(ArgumentError, match=message):
        GomoryData.from_arrays(**args)


def test_direct_construction_checks_shapes_and_signs():
    data = GomoryData.from_arrays(DEMAND, ONES, [1.5, 1.5, 1.5])
    with pytest.raises(ArgumentError, match=r"^e: must be a float array of shape \(2, 3\)"):
        dataclasses.replace(data, e=data.e[:, :2])
    with pytest.raises(ArgumentError, match=r"^L\[0\]: must be > 0"):
        dataclasses.replace(data, L=np.array([0.0, 1.0]))
    assert data.mirrored().n == 3
