"""Inputs never crash (issue 15, item 5): unreadable files, nesting, nested unknown keys with that
table's allowed keys, size limits per model, numerical failures inside a job as statuses."""
from __future__ import annotations

import contextlib
import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from trade_opt.cli.main import main
from trade_opt.errors import InputError
from trade_opt.instances import load_instance, parse_instance, read_document, table_model

ROOT = Path(__file__).resolve().parents[1]


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def one_line(code: int, err: str, text: str) -> None:
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err and text in err, err


def test_unreadable_file_is_one_line(tmp_path, monkeypatch):
    path = tmp_path / "i.toml"
    path.write_text('model = "gomory"\n')

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, _, err = run_cli(["run", str(path), "--out", str(tmp_path / "o")])
    one_line(code, err, "<file>: cannot read: Permission denied")
    assert not (tmp_path / "o").exists()


def test_fifo_and_folder_are_not_regular_files(tmp_path):
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)                         # opening it would block: refused before
    (tmp_path / "dir.json").mkdir()
    for name in ("pipe.toml", "dir.json"):
        with pytest.raises(InputError, match="not a regular file"):
            read_document(tmp_path / name)


def test_nested_unknown_key_lists_that_tables_keys():
    from trade_opt.kim.instance import KimInstance, KimTransport
    from trade_opt.melitz.instance import MelitzInstance, ParetoSpec

    assert table_model(MelitzInstance, ("productivity", "pareto")) is ParetoSpec
    assert table_model(KimInstance, ("transport",)) is KimTransport
    doc = read_document(ROOT / "instances" / "kim_nafta3.toml")
    doc["transport"] = {**doc["transport"], "TT": 2.0}
    with pytest.raises(InputError) as info:
        parse_instance(doc, "k.toml")
    allowed = ", ".join(sorted(KimTransport.model_fields))
    assert str(info.value).startswith("k.toml: transport.TT: unknown key") and f"allowed keys: {allowed})" in str(info.value)


def test_gomory_size_limit_is_checked_before_anything_is_built(tmp_path):
    from trade_opt.gomory.instance import MAX_GOODS

    n = MAX_GOODS + 1
    doc = {"model": "gomory", "labor": [1.0, 1.0], "demand": [[0.5] * n] * 2, "efficiency": [[1.0] * n] * 2,
           "exponent": [1.5] * n}
    (tmp_path / "g.json").write_text(json.dumps(doc))
    code, _, err = run_cli(["run", str(tmp_path / "g.json"), "--out", str(tmp_path / "o")])
    one_line(code, err, f"demand: {n} goods; at most {MAX_GOODS}")


def test_gomory_run_refuses_n_above_the_enumeration_limit(tmp_path):
    from trade_opt.gomory.job import MAX_RUN_GOODS

    n = MAX_RUN_GOODS + 1
    doc = {"model": "gomory", "labor": [1.0, 1.0], "demand": [[0.5] * n] * 2, "efficiency": [[1.0] * n] * 2,
           "exponent": [1.5] * n}
    (tmp_path / "g.json").write_text(json.dumps(doc))
    code, _, err = run_cli(["run", str(tmp_path / "g.json"), "--out", str(tmp_path / "o")])
    one_line(code, err, f"at most n = {MAX_RUN_GOODS}")
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob(".o.staging-*"))


def test_enumeration_stride_at_n_100_does_not_overflow(tmp_path, monkeypatch):
    """n = 100: 2^100 patterns; the subsampling stride used to overflow int64 on the first chunk."""
    import trade_opt.gomory.job as job
    from conftest import random_gomory

    real = job.specialized_equilibria
    monkeypatch.setattr(job, "specialized_equilibria", lambda data, chunk: itertools.islice(real(data, chunk), 1))
    sample, stats = job.enumerate_to_csv(random_gomory(100, 0), tmp_path / "eq.csv", chunk=64)
    assert stats["count"] > 0 and stats["kept_for_figures"]["stride"] == 1 << 62


def test_extreme_exponents_give_nan_stability_not_linalg_error():
    """Exponents 1.01 and 60: some shared-good shares are 0 or 1 in floating point; the stability
    Jacobian is then not finite: NaN stability (not stable), no LinAlgError."""
    from trade_opt.gomory import GomoryData
    from trade_opt.gomory.mixed import concat_mixed, mixed_equilibria

    rng = np.random.default_rng(0)
    data = GomoryData.from_arrays(rng.uniform(0.05, 1, (2, 7)), rng.uniform(0.3, 1.5, (2, 7)),
                                  rng.choice([1.01, 60.0], (2, 7)), rng.uniform(1, 10, 2))
    with np.errstate(all="ignore"):
        me = concat_mixed(list(mixed_equilibria(data, 2)), data.n)
    unknown = np.isnan(me.stability)
    assert unknown.any() and not me.stable[unknown].any()
    assert np.isfinite(me.stability[~unknown]).all()
