"""Fuzzing every instance schema and sweep specs (issue 15, item 7).

Documents are the shipped instances and sweep specs mutated by hypothesis: numbers scaled to
zero, negative, tiny, huge, NaN or infinity, keys deleted, unknown keys added (top level and in
nested tables), values replaced by other types.  Properties:

* validation never raises anything but the package's one-line :class:`InputError`;
* a document that validates gives a result or a status (its numpy data build, and for Krugman and
  small Gomory instances a cheap solve: SolveError is a status);
* through the CLI, an invalid document gives one line, exit 2, no traceback and no output folder.

``CASES`` counts the examples run (printed by the last test, ``pytest -s``).
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trade_opt.cli.main import main
from trade_opt.errors import InputError, SolveError
from trade_opt.instances import parse_instance

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
BASES = {
    "gomory": "gomory_table1.toml", "kim": "kim_nafta3.toml", "krugman": "krugman_default.toml",
    "melitz": "melitz_default.toml",
    # the Gomory schema's optional [production] table (issue 16): set-up intervals and barriers
    "gomory_setup": "gomory_table1_setup.toml", "gomory_barrier": "gomory_table1_barrier.toml",
}
SPECS = ("krugman_z.toml", "kim_liberalize.toml", "melitz_wage_gap.toml", "theorem2_convergence.toml")
CASES: Counter = Counter()
EXAMPLES = int(os.environ.get("TRADE_OPT_FUZZ_EXAMPLES", "50"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def load(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def leaf_paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths (keys / indices) to every value of a nested document, containers included."""
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += leaf_paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:6]):
            out += leaf_paths(v, prefix + (i,))
    return out


def get(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


NUMBERS = st.one_of(st.sampled_from([0.0, -1.0, 1e-300, 1e300, math.nan, math.inf, -math.inf, 0.5, 2.0, 1.0]),
                    st.floats(), st.integers(-10**30, 10**30))
OTHER = st.one_of(NUMBERS, st.text(max_size=4), st.booleans(), st.lists(NUMBERS, max_size=3),
                  st.dictionaries(st.text(max_size=3), NUMBERS, max_size=2))


@st.composite
def mutated(draw, base: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(base)
    if draw(st.booleans()):                          # nudge numbers only: mostly valid documents
        for path in draw(st.lists(st.sampled_from([p for p in leaf_paths(doc) if isinstance(get(doc, p), float)]),
                                  min_size=1, max_size=4)):
            parent = get(doc, path[:-1])
            parent[path[-1]] *= draw(st.floats(0.5, 2.0))
        return doc
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in leaf_paths(doc) if p[0] != "model"] or [("name",)]
        path = draw(st.sampled_from(paths))
        parent, key = get(doc, path[:-1]), path[-1]
        value = parent[key]
        op = draw(st.sampled_from(["scale", "replace", "delete", "unknown", "nudge"]))
        if op == "scale" and isinstance(value, float):
            parent[key] = value * draw(st.sampled_from([0.0, -1.0, 1e-300, 1e300, math.inf, math.nan, 1e6]))
        elif op == "nudge" and isinstance(value, float):
            parent[key] = value * draw(st.floats(0.5, 2.0))
        elif op == "delete" and isinstance(parent, dict):
            del parent[key]
        elif op == "unknown":
            target = value if isinstance(value, dict) else (parent if isinstance(parent, dict) else doc)
            target[draw(st.sampled_from(["labour", "TT", "kk", "sigma2", "x"]))] = draw(NUMBERS)
        else:
            parent[key] = draw(OTHER)
    return doc


def assert_one_line(exc: InputError) -> None:
    text = str(exc)
    assert "\n" not in text and text.count(": ") >= 2, text


def validate(model: str, doc: dict[str, Any]):
    """The instance, or None after checking the one-line error; anything else fails the test."""
    try:
        return parse_instance(doc, f"{model}.json")
    except InputError as exc:
        assert_one_line(exc)
        return None


def cheap_result(model: str, inst) -> None:
    """A result or a status for a valid instance."""
    model = model.split("_")[0]                       # gomory_setup, gomory_barrier: the Gomory schema
    with np.errstate(all="ignore"):
        data = inst.data()
        if model == "krugman":
            from trade_opt.krugman.economy import solve_economy

            try:
                report = solve_economy(data)
                assert report.summary()["mcp"]["status"]
            except SolveError as exc:
                assert "\n" not in str(exc)
        elif model == "gomory" and data.n <= 10:
            from trade_opt.gomory.equilibria import concat_batches, specialized_equilibria

            batch = concat_batches(list(specialized_equilibria(data)), data.n)
            # Y in (0, 1); a float Y rounds to 1.0 only where the exact 1 - Y, recovered from the
            # wage ratio (Y / (1 - Y) = w_ratio L1 / L2), is below half an ulp of 1
            one_minus_Y = 1.0 / (1.0 + batch.w_ratio * data.L[0] / data.L[1])
            assert np.all((batch.Y > 0) & ((batch.Y < 1) | (one_minus_Y < 2.0 ** -53)))
            assert np.all(np.isfinite(batch.w_ratio) & np.isfinite(batch.u1) & np.isfinite(batch.u2))


@pytest.mark.parametrize("model", sorted(BASES))
def test_fuzzed_instances_validate_or_give_one_line(model):
    base = load(INSTANCES / BASES[model])

    @FUZZ
    @given(mutated(base))
    def check(doc):
        CASES[model] += 1
        inst = validate(model, doc)
        if inst is not None:
            CASES[f"{model} valid"] += 1
            try:
                cheap_result(model, inst)
            except InputError as exc:   # a check that needs the data (e.g. a failed Ricardo solve) names the field
                assert_one_line(exc)

    check()


@pytest.mark.parametrize("model", sorted(BASES))
def test_fuzzed_invalid_files_via_cli_exit_2_without_output(model, tmp_path):
    base = load(INSTANCES / BASES[model])

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(base))
    def check(doc):
        if validate(model, doc) is not None:
            return                                   # valid: running the full job is not cheap
        CASES[f"{model} cli"] += 1
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(doc))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", str(path), "--out", str(tmp_path / "out")])
        lines = err.getvalue().strip().splitlines()
        assert code == 2 and len(lines) == 1 and "Traceback" not in err.getvalue(), err.getvalue()
        assert lines[0].startswith(f"trade-opt: error: {path}: ")
        assert not (tmp_path / "out").exists()

    check()


@pytest.mark.parametrize("spec_name", SPECS)
def test_fuzzed_sweep_specs_load_or_give_one_line(spec_name, tmp_path):
    from trade_opt.sweep.run import SweepPlan
    from trade_opt.sweep.spec import load_spec

    source = INSTANCES / "sweeps" / spec_name
    base = load(source)
    if "base" in base:
        base["base"] = str((source.parent / base["base"]).resolve())

    @FUZZ
    @given(mutated(base))
    def check(doc):
        CASES["sweep"] += 1
        path = tmp_path / "spec.json"
        path.write_text(json.dumps(doc))
        try:
            plan = SweepPlan(load_spec(path))
        except InputError as exc:
            assert_one_line(exc)
            return
        CASES["sweep valid"] += 1
        assert len(plan.points) >= 1 and plan.n_batches >= 1

    check()


def test_zz_report_fuzz_counts():
    """Prints the numbers of fuzzed cases (run with -s); no crash was allowed above."""
    print("\nfuzz cases:", dict(sorted(CASES.items())))
    assert sum(v for k, v in CASES.items() if " " not in k) > 0 or not CASES
