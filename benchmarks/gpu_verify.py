"""GPU verification of the Gomory enumeration kernel (issue 18): run once on a CUDA machine, < 5 min.

For each n in ``--ns`` (default 24..30) and each CUDA library found (CuPy, PyTorch: ``--devices``),
all 2^n - 2 patterns of the benchmark instance (:func:`bench_gomory_kernel.instance`: seeded, one
exponent per good, so the kernel's H table applies) are evaluated on the GPU by the one array-API
code path (:class:`trade_opt.gomory.kernel.BlockEvaluator`, fp64) and reduced on the device (max u1,
max u2), then:

* ``seconds`` / ``patterns_per_s``: the stream alone (table and low-bit forms built before the
  clock starts; ``setup_s`` gives that time), after one warm-up run at n = 20;
* ``max_abs_diff_u``: the largest |u_gpu - u_numpy| over ``--sample-blocks`` whole blocks (first,
  last and evenly spaced ones; ``sample_patterns`` of them) recomputed by the NumPy kernel on the
  CPU; the run fails (exit 1) above 1e-13, or when an array is not float64;
* ``target_met``: patterns_per_s >= 5e8 (issue 18's target on an H100/H200-class GPU).

``--parquet-n 26`` adds one end-to-end row: ``enumerate_range(..., device=...)`` streaming every
pattern to Parquet (code, Y, u1, u2 come back to host memory each block; the reductions run on
the CPU), to show where the time goes once the kernel is on the GPU.

The device machine has CuPy, PyTorch, NumPy, pandas and pyarrow but not this package's pure-Python
dependencies; carry them as wheels (from the repository root, on the development machine)::

    echo /.whl/ >> .git/info/exclude
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \\
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \\
        array-api-compat==1.16.0 pydantic==2.14.4 pydantic-core==2.50.5 annotated-types==0.8.0 \\
        typing-inspection==0.4.5

and run (carry ``.whl``)::

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl && \\
    PYTHONPATH=/tmp/site:. PYTHONUNBUFFERED=1 python3 benchmarks/gpu_verify.py --out $OUT

Writes ``gpu_verify.csv`` and ``gpu_verify.md`` into ``--out`` and prints the table.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's trade_opt
sys.path.insert(0, str(Path(__file__).resolve().parent))       # bench_gomory_kernel.instance

import numpy as np  # noqa: E402

TARGET = 5e8
TOL = 1e-13


def _max_on_device(backend, data, table, chunk: int, k_blocks: list[int]):
    """Stream every pattern on the device; return (count, max u1, max u2, seconds, sampled blocks)."""
    from trade_opt.gomory.kernel import BlockEvaluator, LinearForms

    xp = backend.xp
    n = data.n
    forms = LinearForms(data)
    k = min(n, chunk.bit_length() - 1)
    t = time.perf_counter()
    evaluate = BlockEvaluator(data, forms, table, backend, k)
    backend.synchronize()
    setup = time.perf_counter() - t
    last = (1 << n) - 1
    nblocks = ((last - 1) >> k) + 1
    best1 = best2 = None
    sampled = {}
    count = 0
    t = time.perf_counter()
    for block in range(nblocks):
        lo, hi = (1 if block == 0 else 0), min(last - (block << k), 1 << k)
        v = evaluate(block, lo, hi)
        m1, m2 = xp.max(v.u1), xp.max(v.u2)
        best1 = m1 if best1 is None else xp.maximum(best1, m1)
        best2 = m2 if best2 is None else xp.maximum(best2, m2)
        count += hi - lo
        if block in k_blocks:
            if v.u1.dtype != xp.float64 or v.u2.dtype != xp.float64:
                raise SystemExit(f"u is {v.u1.dtype}, not float64")
            sampled[block] = (lo, hi, backend.to_numpy(v.codes), backend.to_numpy(v.u1), backend.to_numpy(v.u2))
    backend.synchronize()
    seconds = time.perf_counter() - t
    return count, float(backend.to_numpy(best1)), float(backend.to_numpy(best2)), seconds, setup, sampled, k


def _check(data, table, k: int, sampled: dict) -> tuple[float, int]:
    """max |u_gpu - u_numpy| over the sampled blocks (NumPy kernel, same blocks)."""
    from trade_opt.gomory.kernel import pattern_values

    worst, count = 0.0, 0
    for block, (lo, hi, codes, u1, u2) in sampled.items():
        base = block << k
        (ref,) = list(pattern_values(data, base + lo, base + hi, 1 << k, table))
        if not np.array_equal(ref.codes, codes):
            raise SystemExit(f"block {block}: codes differ")
        worst = max(worst, float(np.abs(ref.u1 - u1).max()), float(np.abs(ref.u2 - u2).max()))
        count += len(codes)
    return worst, count


def main(argv: list[str] | None = None) -> int:
    from bench_gomory_kernel import instance

    from trade_opt.gomory.array_backend import DeviceError, get_backend
    from trade_opt.gomory.kernel import build_h_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ns", default="24,25,26,27,28,29,30")
    parser.add_argument("--devices", default="cuda:cupy,cuda:torch", help="device strings; unavailable ones are reported and skipped")
    parser.add_argument("--chunk", type=int, default=1 << 24, help="patterns per block on the GPU")
    parser.add_argument("--sample-blocks", type=int, default=3)
    parser.add_argument("--parquet-n", type=int, default=26, help="n of the end-to-end Parquet row (0: none)")
    parser.add_argument("--seed", type=int, default=20240903)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or Path(__file__).resolve().parent / "out"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows, failed = [], False
    print(f"numpy {np.__version__}, load {os.getloadavg()[0]:.2f}, seed {args.seed}", flush=True)
    for device in args.devices.split(","):
        try:
            backend = get_backend(device)
        except DeviceError as exc:
            print(f"{device}: skipped ({exc})", flush=True)
            continue
        lib = sys.modules[backend.name]
        print(f"{device}: {backend.name} {getattr(lib, '__version__', '?')} on {backend.device}", flush=True)
        warm = instance(20, args.seed)
        _max_on_device(backend, warm, build_h_table(warm), min(args.chunk, 1 << 18), [])
        for n in [int(v) for v in args.ns.split(",")]:
            data = instance(n, args.seed)
            t = time.perf_counter()
            table = build_h_table(data)
            table_s = time.perf_counter() - t
            k = min(n, args.chunk.bit_length() - 1)
            nblocks = ((((1 << n) - 2) >> k) + 1)
            picks = sorted({int(b) for b in np.linspace(0, nblocks - 1, max(1, args.sample_blocks)).round()})
            count, m1, m2, seconds, setup, sampled, k = _max_on_device(backend, data, table, args.chunk, picks)
            diff, checked = _check(data, table, k, sampled)
            ok = diff <= TOL and count == (1 << n) - 2
            failed |= not ok
            row = {"n": n, "device": device, "library": backend.name, "patterns": count, "seconds": seconds,
                   "patterns_per_s": count / seconds, "setup_s": setup + table_s, "chunk": 1 << k,
                   "sample_patterns": checked, "max_abs_diff_u": diff, "max_u1": m1, "max_u2": m2,
                   "fp64": True, "target_met": count / seconds >= TARGET, "agree": ok}
            rows.append(row)
            print("  " + ", ".join(f"{k_}={v:.4g}" if isinstance(v, float) else f"{k_}={v}" for k_, v in row.items()), flush=True)
        if args.parquet_n:
            import tempfile

            from trade_opt.gomory.enumerate_ranges import enumerate_range

            data = instance(args.parquet_n, args.seed)
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                red = enumerate_range(data, 1, (1 << args.parquet_n) - 1, Path(tmp) / "p.parquet", device=backend)
                seconds = time.perf_counter() - t
                cpu = enumerate_range(data, 1, 1 << 20, None)
                gpu = enumerate_range(data, 1, 1 << 20, None, device=backend)
            diff = float(np.abs(cpu.top_u - gpu.top_u).max())
            row = {"n": args.parquet_n, "device": device + " parquet", "library": backend.name, "patterns": red.count,
                   "seconds": seconds, "patterns_per_s": red.count / seconds, "max_abs_diff_u": diff,
                   "agree": diff <= TOL and bool(np.array_equal(cpu.top_code, gpu.top_code))}
            failed |= not row["agree"]
            rows.append(row)
            print("  " + ", ".join(f"{k_}={v:.4g}" if isinstance(v, float) else f"{k_}={v}" for k_, v in row.items()), flush=True)
    if rows:
        import pandas as pd

        from trade_opt.outputs import markdown_table

        frame = pd.DataFrame(rows)
        frame.to_csv(args.out / "gpu_verify.csv", index=False)
        (args.out / "gpu_verify.md").write_text(markdown_table(frame), encoding="utf-8")
        print(markdown_table(frame))
    else:
        print("no CUDA device usable: nothing measured")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
