"""Benchmark of the table writers (issue 15): building and writing the Gomory ``equilibria.csv``.

Tables (CSV + Markdown in ``--out``):

1. ``writers_rows``: rows/s turning the same in-memory kernel batches (n = 18, chunks of
   ``DEFAULT_CHUNK`` patterns) into a written table, the chunk's table built inside the timing:
   - ``pre-15 pandas``: the writer before issue 15 (a pandas DataFrame per chunk, ``to_csv`` with
     ``%.17g``, flush and fsync per chunk; copied here as :class:`OldCsvStream`);
   - ``frame + CsvStream``: a pandas DataFrame per chunk (:func:`old_equilibria_frame`, the path
     before this change) written by :class:`trade_opt.outputs.CsvStream` (pyarrow);
   - ``arrow + CsvStream``: :func:`trade_opt.gomory.job_tables.equilibria_table` (Arrow table
     straight from the arrays, patterns through a bytes view) written by ``CsvStream``;
   - ``arrow + parquet``: the same tables into ``TableStream(fmt="parquet")``.
   ``build_s`` is the time to build the chunk tables alone (no writing); ``seconds`` builds and
   writes (the writer thread overlaps the building).
   ``ratio_vs_pre15`` is rows/s over the pre-15 writer's, measured in the same run.  Each file is
   read back with ``pandas.read_csv`` defaults (floats compared bit for bit; the pattern column's
   dtype), and the two pyarrow CSV files are compared byte for byte (``same_bytes_as_frame``).
2. ``writers_equilibria_cli``: wall seconds of ``trade-opt gomory equilibria FILE --csv OUT`` in a
   fresh process (imports included) at n = 18, 20, 22, with the previous path patched back in
   (``old``: the command imported ``trade_opt.gomory.job``, i.e. Pyomo and matplotlib, built a
   pandas DataFrame per chunk, and the kernel's exact H sum worked on whole 2^14-pattern blocks;
   ``new``: Arrow tables, exact H in row blocks of ``h_table.EXACT_H_ROWS`` = 2^12, same values) and with the new one, run alternately in the same run; rows/s, the
   ratio new/old, whether the two CSV files are byte-identical, and the 1-minute load average
   after the run (the machine is shared: times scale with the load).

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_writers.py [--quick] [--out benchmarks/out]``
(``--quick``: n = 14 and 14, 16 instead of 18 and 18, 20, 22).
"""
from __future__ import annotations

import argparse
import filecmp
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
from trade_opt.gomory.equilibria import DEFAULT_CHUNK, EquilibriumBatch, pattern_strings, specialized_equilibria
from trade_opt.gomory.job_tables import equilibria_table
from trade_opt.outputs import CsvStream, TableStream, markdown_table, read_table, write_csv

ROOT = Path(__file__).resolve().parents[1]
SEED = 20240903
FLOATS = ("Y", "w_ratio", "u1", "u2", "U1", "U2")


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


def old_equilibria_frame(batch: EquilibriumBatch) -> pd.DataFrame:
    """The chunk table before this change: a pandas DataFrame (trade_opt.gomory.job_tables.equilibria_frame)."""
    return pd.DataFrame({"pattern": pattern_strings(batch.X), "Y": batch.Y, "w_ratio": batch.w_ratio,
                         "u1": batch.u1, "u2": batch.u2, "U1": np.exp(batch.u1), "U2": np.exp(batch.u2)})


def exact_round_trip(path: Path, reference: pd.DataFrame) -> tuple[bool, str]:
    """(floats equal bit for bit, dtype of the pattern column) reading with pandas defaults."""
    back = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    floats = all(np.array_equal(back[c].to_numpy(float).view(np.int64), reference[c].to_numpy(float).view(np.int64))
                 for c in FLOATS)
    lost = back["pattern"].dtype.kind in "iuf" or read_table(path)["pattern"].astype(str).tolist() != reference["pattern"].tolist()
    return floats, f"{back['pattern'].dtype}{' (pattern lost)' if lost else ''}"


def rows_table(n: int, out: Path) -> pd.DataFrame:
    batches = list(specialized_equilibria(random_gomory_data(n, SEED), DEFAULT_CHUNK))   # same chunks for every writer
    reference = pd.concat([old_equilibria_frame(b) for b in batches], ignore_index=True)
    paths = (("pre-15 pandas", old_equilibria_frame, OldCsvStream, ".csv"),
             ("frame + CsvStream", old_equilibria_frame, CsvStream, ".csv"),
             ("arrow + CsvStream", equilibria_table, CsvStream, ".csv"),
             ("arrow + parquet", equilibria_table, lambda p: TableStream(p, fmt="parquet"), ".parquet"))
    rows, files, base_rate = [], {}, None
    for name, build, make, suffix in paths:
        path = out / f"bench_writers_n{n}_{name.replace(' ', '_').replace('+', 'and')}{suffix}"
        start = time.perf_counter()
        for batch in batches:
            build(batch)
        build_seconds = time.perf_counter() - start
        start = time.perf_counter()
        with make(path) as stream:
            for batch in batches:
                stream.write(build(batch))
        seconds = time.perf_counter() - start
        count = len(reference)
        rate = count / seconds
        base_rate = base_rate or rate
        exact, pattern = exact_round_trip(path, reference)
        files[name] = path
        rows.append({"n": n, "path": name, "rows": count, "build_s": round(build_seconds, 3), "seconds": round(seconds, 3),
                     "rows_per_s": round(rate),
                     "ratio_vs_pre15": round(rate / base_rate, 2), "bytes": path.stat().st_size,
                     "floats_exact": exact, "pattern_dtype_read_csv": pattern})
        print(rows[-1], flush=True)
    same = filecmp.cmp(files["frame + CsvStream"], files["arrow + CsvStream"], shallow=False)
    for row in rows:
        row["same_bytes_as_frame"] = same if row["path"] == "arrow + CsvStream" else ""
    for path in files.values():
        path.unlink()
    return pd.DataFrame(rows)


DRIVER = """
import sys
if {old!r}:
    import trade_opt.gomory.job                      # what the old command imported (Pyomo, matplotlib)
    import trade_opt.gomory.job_tables as job_tables
    sys.path.insert(0, {bench!r})
    from bench_writers import old_equilibria_frame
    import trade_opt.gomory.h_table as h_table
    job_tables.equilibria_table = old_equilibria_frame
    h_table.EXACT_H_ROWS = 1 << 62                   # exact_h on whole kernel blocks, as before
from trade_opt.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def cli_row(n: int, inst: Path, csv: Path, old: bool) -> dict:
    """``trade-opt gomory equilibria FILE --csv OUT`` in a fresh process (imports included)."""
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
    row = {"n": n, "command": "gomory equilibria --csv", "path": "old" if old else "new",
           "rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
           "load_1min": round(os.getloadavg()[0], 1)}
    print(row, flush=True)
    return row


def cli_table(sizes: tuple[int, ...], out: Path) -> pd.DataFrame:
    rows = []
    for n in sizes:
        data = random_gomory_data(n, SEED)
        inst = out / f"bench_writers_n{n}.json"
        inst.write_text(json.dumps({"model": "gomory", "name": f"bench{n}", "labor": data.L.tolist(),
                                    "demand": data.d.tolist(), "efficiency": data.e.tolist(), "exponent": data.alpha.tolist()}))
        files = {old: out / f"bench_writers_n{n}_{'old' if old else 'new'}.csv" for old in (True, False)}
        pair = [cli_row(n, inst, files[old], old) for old in (True, False)]
        same = filecmp.cmp(files[True], files[False], shallow=False)
        pair[1]["ratio_new_vs_old"] = round(pair[1]["rows_per_s"] / pair[0]["rows_per_s"], 2)
        pair[1]["same_bytes"] = same
        rows += pair
        for path in (inst, *files.values()):
            path.unlink()
    return pd.DataFrame(rows).fillna("")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    n_rows, sizes = (14, (14, 16)) if args.quick else (18, (18, 20, 22))
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    print(machine, flush=True)
    rows = rows_table(n_rows, args.out)
    cli = cli_table(sizes, args.out)
    write_csv(args.out / "writers_rows.csv", rows)
    write_csv(args.out / "writers_equilibria_cli.csv", cli)
    text = (f"Machine: {machine}\n\n" + markdown_table(rows, floatfmt=".3g") + "\n" + markdown_table(cli, floatfmt=".4g"))
    (args.out / "writers.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
