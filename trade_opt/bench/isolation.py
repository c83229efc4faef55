"""One (instance, method) pair of the knapsack benchmark in its own process, with a time limit.

:func:`run_pair` is what :func:`trade_opt.bench.harness.run_benchmark` calls for each pair; its row
has the columns :data:`COLUMNS` (one row of ``results.csv``).

Process isolation and limits.  Each pair runs in a fresh ``spawn`` process
(:mod:`multiprocessing`).  The child imports, builds the instance, reports "ready", then runs the
method ``repeat`` times (stopping after a run that is not optimal); the parent gives it ``repeat * timeout * 1.1 + 1`` seconds after "ready"
(imports and process start are not charged) and kills it after that (status ``timeout``).  MIP
solvers also get ``time_limit = timeout`` so they can stop themselves and report their bound
(status ``time_limit``).  The parent polls the child's resident set (``VmRSS``) every 50 ms and
kills it above ``memory_mb`` (status ``memory_limit``); an address-space rlimit is not used because
SCIP and threaded solvers reserve far more virtual memory than they touch.

Timings.  ``seconds``: the fastest of the ``repeat`` runs of the whole method call (for the MIP
solvers: building the Pyomo model, the solve, reading x back; for the DP: the DP); ``solve_seconds``:
the solver call alone (its own wall time).  ``peak_rss_mb``: the child's peak resident set
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``; VmHWM from /proc when the child is killed);
``base_rss_mb``: the same just after the imports (interpreter + numpy + Pyomo), so
``peak - base`` is what the method used.
"""
from __future__ import annotations

import math
import multiprocessing as mp
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Columns of ``results.csv`` in order.
COLUMNS = ("instance", "family", "n", "seed", "method", "status", "objective", "bound", "gap", "seconds",
           "solve_seconds", "repeat", "peak_rss_mb", "base_rss_mb", "timeout", "note")

#: Seconds the child may take to start, import and build its instance before "ready".
STARTUP_LIMIT = 120.0


@dataclass(frozen=True)
class PairSpec:
    """One instance (by family, n, seed: regenerated in the child) and one method."""

    family: str
    n: int
    seed: int
    method: str

    @property
    def instance(self) -> str:
        """The instance's name (``strongly_correlated_n100_s0``; the instance is generated to get it)."""
        from trade_opt.bench.families import make_instance

        return make_instance(self.family, self.n, self.seed).name


# --------------------------------------------------------------------------- child side
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _solve_once(instance: Any, method: str, time_limit: float) -> dict[str, Any]:
    """Run ``method`` on ``instance`` once; objective = constant + min over senses."""
    from trade_opt.knapsack import (knapsack_brute_force, knapsack_dp, knapsack_dp_ge, knapsack_ortools,
                                    solve_knapsack_mip_rebuilt)
    from trade_opt.solvers import relative_gap

    start = time.perf_counter()
    objective, bounds, statuses, solve_s = [], [], [], 0.0
    for sense in instance.senses:
        if method == "dp":
            sol = (knapsack_dp if sense == "<=" else knapsack_dp_ge)(instance.values, instance.weights, instance.capacity)
            bounds.append(sol.value)
            solve_s += sol.seconds
        elif method == "ortools":
            sol = knapsack_ortools(instance.values, instance.weights, instance.capacity, sense, time_limit=time_limit)
            bounds.append(sol.mip.bound if sol.mip.bound is not None else math.nan)
            solve_s += sol.seconds
        elif method == "brute":
            t = time.perf_counter()
            sol = knapsack_brute_force(instance.values, instance.weights, instance.capacity, sense)
            bounds.append(sol.value)
            solve_s += time.perf_counter() - t
        else:
            sol = solve_knapsack_mip_rebuilt(instance.values, instance.weights, instance.capacity, sense,
                                             solver=method, time_limit=time_limit)
            bounds.append(sol.mip.bound if sol.mip.bound is not None else math.nan)
            solve_s += sol.mip.seconds
        statuses.append(sol.status)
        objective.append(sol.value)
    seconds = time.perf_counter() - start
    status = next((s for s in statuses if s != "optimal"), "optimal")
    obj = instance.constant + min(objective)
    bound = instance.constant + min(bounds)
    obj = obj if math.isfinite(obj) else math.nan
    bound = bound if math.isfinite(bound) else math.nan
    gap = relative_gap(obj, bound) if math.isfinite(obj) and math.isfinite(bound) else None
    return {"status": status, "objective": obj, "bound": bound, "gap": math.nan if gap is None else gap,
            "seconds": seconds, "solve_seconds": solve_s}


def _child(spec: PairSpec, repeat: int, timeout: float, memory_mb: int | None, conn: Any) -> None:
    """Entry point of the child process: build, say ready, run ``repeat`` times, send the row."""
    try:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from trade_opt.bench.families import make_instance
        import trade_opt.knapsack.mip  # noqa: F401  (imports before the clock: numpy, Pyomo)
        import trade_opt.solvers  # noqa: F401

        instance = make_instance(spec.family, spec.n, spec.seed)
        base = _rss_mb()
        conn.send(("ready", instance.name, base))
        best: dict[str, Any] | None = None
        for _ in range(repeat):
            row = _solve_once(instance, spec.method, timeout)
            if best is None or row["seconds"] < best["seconds"]:
                best = row
            if row["status"] != "optimal":
                break  # a run that hit its limit is not repeated (the limit is the measurement)
        assert best is not None
        best.update(peak_rss_mb=_rss_mb(), base_rss_mb=base)
        conn.send(("done", best))
    except MemoryError:
        conn.send(("error", "memory_limit", "MemoryError"))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", "error", f"{type(exc).__name__}: {exc}"[:300] + " | " + traceback.format_exc(limit=2)[-200:].replace("\n", " ")))
    finally:
        conn.close()


# --------------------------------------------------------------------------- parent side
def _proc_mb(pid: int, key: str) -> float:
    """``VmRSS`` / ``VmHWM`` of a live process from /proc in MB (NaN if unavailable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return math.nan


#: A killed child leaves the lock Pyomo creates at import (pyomo.common.dependencies) to
#: multiprocessing's resource tracker, which unlinks it and warns at exit; the warning is noise
#: here, so the tracker (started with the parent's -W options) is told to ignore it.
_TRACKER_FILTER = "ignore:resource_tracker:UserWarning"


def run_pair(spec: PairSpec, timeout: float, repeat: int = 1, memory_mb: int | None = 4096) -> dict[str, Any]:
    """Run one pair in a fresh spawn process; return its row (keys :data:`COLUMNS`).

    Parameters
    ----------
    spec : PairSpec
        Instance (family, n, seed) and method.
    timeout : float
        Seconds per run of the method; the child is killed after ``repeat * timeout * 1.1 + 1``
        seconds from "ready" (module docstring).
    repeat : int
        Runs of the method in the child; the fastest is recorded.
    memory_mb : int or None
        Resident-set cap of the child in MB (None or 0: no cap).

    Returns
    -------
    dict
        One ``results.csv`` row: ``status`` is the method's (``optimal``, ``time_limit``, ...),
        ``timeout`` or ``memory_limit`` (killed by the parent), or ``error`` with ``note`` saying
        why (child failed to start, exited, or raised); times in seconds, memory in MB.
    """
    if _TRACKER_FILTER not in sys.warnoptions:
        sys.warnoptions.append(_TRACKER_FILTER)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(spec, repeat, timeout, memory_mb, child), daemon=True)
    row: dict[str, Any] = {"family": spec.family, "n": spec.n, "seed": spec.seed, "method": spec.method,
                           "instance": "", "status": "error", "objective": math.nan, "bound": math.nan,
                           "gap": math.nan, "seconds": math.nan, "solve_seconds": math.nan, "repeat": repeat,
                           "peak_rss_mb": math.nan, "base_rss_mb": math.nan, "timeout": timeout, "note": ""}
    proc.start()
    child.close()
    try:
        if not parent.poll(STARTUP_LIMIT):
            row["note"] = f"child did not start within {STARTUP_LIMIT:g} s"
            return row
        try:
            message = parent.recv()
        except EOFError:
            row["note"] = f"child exited before it was ready (exit code {proc.exitcode})"
            return row
        if message[0] == "error":
            row["status"], row["note"] = message[1], message[2]
            return row
        _, row["instance"], row["base_rss_mb"] = message
        limit = repeat * timeout * 1.1 + 1.0
        started = time.perf_counter()
        while not parent.poll(0.05):
            elapsed = time.perf_counter() - started
            if elapsed > limit:
                row["peak_rss_mb"] = _proc_mb(proc.pid, "VmHWM")
                row["status"], row["seconds"] = "timeout", elapsed
                row["note"] = f"killed after {limit:.3g} s"
                return row
            rss = _proc_mb(proc.pid, "VmRSS")
            if memory_mb and rss > memory_mb:
                row["peak_rss_mb"] = _proc_mb(proc.pid, "VmHWM")
                row["status"], row["seconds"] = "memory_limit", elapsed
                row["note"] = f"killed at {rss:.0f} MB resident (cap {memory_mb} MB)"
                return row
        try:
            message = parent.recv()
        except EOFError:
            row["note"] = f"child exited without a result (exit code {proc.exitcode})"
            return row
        if message[0] == "error":
            row["status"], row["note"] = message[1], message[2]
        else:
            row.update(message[1])
        return row
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
