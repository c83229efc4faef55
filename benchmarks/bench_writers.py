"""Benchmark of the table writers (issue 15): the old pandas CsvStream against the pyarrow writers.

Tables (CSV + Markdown in ``--out``):

1. ``writers_rows``: rows/s writing the same Gomory ``equilibria.csv`` chunks (built once, in
   memory: pattern, Y, w_ratio, u1, u2, U1, U2; chunks of ``DEFAULT_CHUNK`` rows) with
   - ``old CsvStream``: the previous implementation (pandas ``to_csv``, ``%.17g``, flush and fsync
     after every chunk), copied here as the baseline;
   - ``CsvStream``: :class:`trade_opt.outputs.CsvStream` (pyarrow CSV, shortest round-trip floats,
     background writer thread, fsync on close);
   - ``TableStream parquet``: :class:`trade_opt.outputs.TableStream` with ``fmt="parquet"``.
   The ratio column is rows/s over the old CsvStream's, measured in the same run.  Each written
   file is read back with ``pandas.read_csv`` (default arguments) and checked: the floats equal
   the originals exactly (old: also exact via %.17g, but the pattern column becomes an integer).
2. ``writers_equilibria_cli``: wall time of ``trade-opt gomory equilibria FILE --csv OUT`` (a fresh
   process, imports included), with the old CsvStream patched in and with the new one at n = 20,
   and with the new one at n = 22 (4 194 302 rows); rows/s and the ratio to the old writer.

Run: ``.venv/bin/python benchmarks/bench_writers.py [--quick] [--out benchmarks/out]``
(``--quick``: n = 14 / 14 / 16 instead of 18 / 20 / 22).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import trade_opt  # noqa: F401  (must precede pyomo: sets PYOMO_CONFIG_DIR)
import numpy as np
import pandas as pd

from trade_opt.bench.families import random_gomory_data
from trade_opt.gomory.equilibria import DEFAULT_CHUNK, specialized_equilibria
from trade_opt.gomory.job import equilibria_frame
from trade_opt.outputs import CsvStream, TableStream, markdown_table, read_table, write_csv

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240903


class OldCsvStream:
    """The CsvStream of trade_opt before issue 15 (baseline): pandas, %.17g, fsync per chunk."""

    def __init__(self, path: Path):
        self._handle = open(path, "w", encoding="utf-8", newline="")
        self._header_done = False
        self.rows = 0

    def write(self, chunk: pd.DataFrame) -> None:
        chunk.to_csv(self._handle, index=False, header=not self._header_done, float_format="%.17g")
        self._header_done = True
        self.rows += len(chunk)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


def frames(n: int) -> list[pd.DataFrame]:
    data = random_gomory_data(n, SEED)
    return [equilibria_frame(batch) for batch in specialized_equilibria(data, DEFAULT_CHUNK)]


def time_writer(name: str, make, chunks: list[pd.DataFrame], path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with make(path) as stream:
        for chunk in chunks:
            stream.write(chunk)
    return time.perf_counter() - start, sum(len(c) for c in chunks)


def exact_round_trip(path: Path, reference: pd.DataFrame) -> tuple[bool, str]:
    """(floats equal bit for bit, dtype of the pattern column) reading with pandas defaults."""
    back = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    floats = all(np.array_equal(back[c].to_numpy(float), reference[c].to_numpy(float)) for c in ("Y", "w_ratio", "u1", "u2", "U1", "U2"))
    pattern_ok = read_table(path)["pattern"].astype(str).tolist() == reference["pattern"].tolist() if path.suffix != ".csv" or back["pattern"].dtype.kind not in "iuf" else False
    return floats, f"{back['pattern'].dtype}{'' if pattern_ok else ' (pattern lost)'}"


def rows_table(n: int, out: Path) -> pd.DataFrame:
    chunks = frames(n)
    reference = pd.concat(chunks, ignore_index=True)
    rows = []
    base_rate = None
    for name, make, suffix in (("old CsvStream", OldCsvStream, ".csv"), ("CsvStream", CsvStream, ".csv"),
                               ("TableStream parquet", lambda p: TableStream(p, fmt="parquet"), ".parquet")):
        path = out / f"bench_writers_n{n}_{name.replace(' ', '_')}{suffix}"
        seconds, count = time_writer(name, make, chunks, path)
        rate = count / seconds
        base_rate = base_rate or rate
        exact, pattern = exact_round_trip(path, reference)
        rows.append({"n": n, "writer": name, "rows": count, "seconds": round(seconds, 3), "rows_per_s": round(rate),
                     "ratio_vs_old": round(rate / base_rate, 2), "bytes": path.stat().st_size,
                     "floats_exact": exact, "pattern_dtype_read_csv": pattern})
        path.unlink()
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


DRIVER = """
import sys
sys.path.insert(0, {bench!r})
import trade_opt.gomory.job as job
if {old!r}:
    from bench_writers import OldCsvStream
    job.CsvStream = OldCsvStream
from trade_opt.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def cli_row(n: int, out: Path, old: bool) -> dict:
    """``trade-opt gomory equilibria FILE --csv OUT`` in a fresh process (imports included),
    with the old CsvStream patched into trade_opt.gomory.job when ``old``."""
    data = random_gomory_data(n, SEED)
    inst = out / f"bench_writers_n{n}.json"
    inst.write_text(json.dumps({"model": "gomory", "name": f"bench{n}", "labor": data.L.tolist(),
                                "demand": data.d.tolist(), "efficiency": data.e.tolist(), "exponent": data.alpha.tolist()}))
    csv = out / f"bench_writers_n{n}.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = DRIVER.format(bench=str(Path(__file__).resolve().parent), old=old)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, "gomory", "equilibria", str(inst), "--csv", str(csv)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    with open(csv, "rb") as handle:
        rows = sum(1 for _ in handle) - 1
    csv.unlink()
    inst.unlink()
    row = {"n": n, "command": "gomory equilibria --csv", "writer": "old CsvStream" if old else "CsvStream",
           "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds)}
    print(row, flush=True)
    return row


def cli_table(n_both: int, n_new: int, out: Path) -> pd.DataFrame:
    rows = [cli_row(n_both, out, old=True), cli_row(n_both, out, old=False), cli_row(n_new, out, old=False)]
    table = pd.DataFrame(rows)
    table["ratio_vs_old"] = (table["rows_per_s"] / rows[0]["rows_per_s"]).round(2)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    n_rows, n_both, n_cli = (14, 14, 16) if args.quick else (18, 20, 22)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    rows = rows_table(n_rows, args.out)
    cli = cli_table(n_both, n_cli, args.out)
    write_csv(args.out / "writers_rows.csv", rows)
    write_csv(args.out / "writers_equilibria_cli.csv", cli)
    text = (f"Machine: {machine}\n\n" + markdown_table(rows, floatfmt=".3g") + "\n" + markdown_table(cli, floatfmt=".4g"))
    (args.out / "writers.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
