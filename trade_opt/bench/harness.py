"""Benchmark harness: every (instance, method) pair in its own process, with a time limit.

``trade-opt bench --suite NAME --solvers highs,cbc,glpk,scip,dp --timeout S --repeat R --out DIR``
(:func:`run_benchmark`) writes into ``DIR``:

* ``results.csv``: one row per (instance, method), appended (and fsync'ed) as each pair finishes;
  a rerun skips the pairs already recorded (resumable).  Columns: :data:`COLUMNS`.
* ``results.md``: the headline table (wall time per family, size and method, and its ratio to the
  fastest method that proved optimality on that instance) plus notes (skipped solvers, agreement).
* ``profile.png``: the Dolan-More performance profile (E. D. Dolan, J. J. More, "Benchmarking
  optimization software with performance profiles", Math. Program. 91 (2002) 201-213):
  for instance p and method s, r_ps = t_ps / min_s t_ps (inf when s did not prove optimality),
  rho_s(tau) = share of instances with r_ps <= tau, plotted over log2(tau).

Methods: ``dp`` (:func:`trade_opt.knapsack.knapsack_dp`, exact Nemhauser-Ullmann), ``brute``
(enumeration, n <= 20), ``ortools`` (:func:`trade_opt.knapsack.knapsack_ortools`: OR-Tools' branch and
bound on integer-scaled data with a float feasibility re-check; optional extra ``ortools``), and every MIP solver of :data:`trade_opt.solvers.SOLVERS` solving the
Pyomo model :func:`trade_opt.knapsack.build_knapsack_model` with a zero gap.

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

import csv
import math
import multiprocessing as mp
import os
import resource
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

#: Columns of ``results.csv`` in order.
COLUMNS = ("instance", "family", "n", "seed", "method", "status", "objective", "bound", "gap", "seconds",
           "solve_seconds", "repeat", "peak_rss_mb", "base_rss_mb", "timeout", "note")

#: Methods that are not MIP solvers.
NATIVE_METHODS = ("dp", "brute", "ortools")

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


@dataclass
class BenchReport:
    """What :func:`run_benchmark` did: rows of this run, pairs skipped as done, methods skipped."""

    out: Path
    ran: int = 0
    skipped_done: int = 0
    skipped_methods: dict[str, str] = field(default_factory=dict)
    table: str = ""


def _read_done(path: Path) -> set[tuple[str, int, int, str]]:
    if not path.exists() or path.stat().st_size == 0:
        return set()
    with open(path, newline="", encoding="utf-8") as handle:
        return {(r["family"], int(r["n"]), int(r["seed"]), r["method"]) for r in csv.DictReader(handle)}


def available_methods(methods: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Split ``methods`` into those that can run here and {absent solver: install hint}.

    Parameters
    ----------
    methods : sequence of str
        Names from :data:`NATIVE_METHODS` and :data:`trade_opt.solvers.SOLVERS`.

    Returns
    -------
    runnable : list of str
        The methods available here, in the given order.
    skipped : dict of str to str
        Absent method -> why / how to install it.

    Raises
    ------
    trade_opt.errors.TradeOptError
        An unknown method name.
    """
    from trade_opt.errors import TradeOptError
    from trade_opt.solvers import SOLVERS, solver_available

    ok, skipped = [], {}
    for method in methods:
        if method == "ortools":
            import importlib.util

            if importlib.util.find_spec("ortools") is None:
                skipped[method] = "pip install ortools (the extra trade-opt[ortools])"
            else:
                ok.append(method)
        elif method in NATIVE_METHODS:
            ok.append(method)
        elif method in SOLVERS:
            available, reason = solver_available(method)
            if available:
                ok.append(method)
            else:
                skipped[method] = reason
        else:
            raise TradeOptError(f"unknown method {method!r}; choose from {', '.join(NATIVE_METHODS + SOLVERS)}")
    return ok, skipped


def run_benchmark(instances: Iterable[tuple[str, int, int]], methods: Sequence[str], out: str | Path, *,
                  timeout: float = 60.0, repeat: int = 1, memory_mb: int | None = 4096,
                  progress: bool | None = None, log: Any = None, brute_max_n: int = 20) -> BenchReport:
    """Run every (instance, method) pair not yet in ``out/results.csv``; write CSV, Markdown, plot.

    Parameters
    ----------
    instances : iterable of (str, int, int)
        (family, n, seed) triples (:func:`trade_opt.bench.families.make_instance`).
    methods : sequence of str
        ``dp``, ``brute``, ``ortools`` and/or MIP solver names; absent ones are skipped with a note.
    out : str or pathlib.Path
        Output folder (created); ``results.csv`` there is appended to, so a rerun resumes.
    timeout : float
        Seconds per run of a method (see the module docstring for how it is enforced).
    repeat : int
        Runs per pair in the same process; the fastest is recorded.
    memory_mb : int or None
        Resident-memory cap of each child in MB (None: no cap).
    progress : bool, optional
        Rich progress bar (default: when stderr is a terminal).
    log : callable, optional
        Takes one line of text (default: print to stderr).
    brute_max_n : int
        ``brute`` is not run above this n (recorded as status ``skipped``).

    Returns
    -------
    BenchReport
        Pairs run, pairs skipped as already recorded, methods skipped (absent), and the Markdown
        written to ``results.md``.

    Raises
    ------
    trade_opt.errors.TradeOptError
        An unknown method name.
    """
    import pandas as pd

    from trade_opt.outputs import CsvStream
    from trade_opt.progress import progress_bar

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    say = log or (lambda text: print(text, file=sys.stderr))
    csv_path = out / "results.csv"
    runnable, skipped = available_methods(methods)
    for method, reason in skipped.items():
        say(f"bench: skipping {method}: {reason}")
    report = BenchReport(out, skipped_methods=skipped)
    done = _read_done(csv_path)
    todo = []
    for family, n, seed in instances:
        for method in runnable:
            if (family, int(n), int(seed), method) in done:
                report.skipped_done += 1
            else:
                todo.append(PairSpec(family, int(n), int(seed), method))
    if report.skipped_done:
        say(f"bench: {report.skipped_done} pair(s) already in {csv_path}, skipped")
    with progress_bar("bench", len(todo), enabled=progress) as bar, \
            CsvStream(csv_path, append=True, columns=list(COLUMNS)) as results:
        for spec in todo:
            if spec.method == "brute" and spec.n > brute_max_n:
                row = {"family": spec.family, "n": spec.n, "seed": spec.seed, "method": spec.method,
                       "instance": spec.instance, "status": "skipped", "timeout": timeout, "repeat": repeat,
                       "note": f"brute force only for n <= {brute_max_n}"}
            else:
                row = run_pair(spec, timeout, repeat, memory_mb)
            results.write(pd.DataFrame([row]))
            report.ran += 1
            bar.advance()
    report.table = write_summary(out, skipped)
    return report


# --------------------------------------------------------------------------- summaries
def load_results(out: str | Path):
    """``results.csv`` as a DataFrame.

    Parameters
    ----------
    out : str or pathlib.Path
        The benchmark's output folder.

    Returns
    -------
    pandas.DataFrame
        One row per (instance, method) run, columns :data:`COLUMNS`.
    """
    import pandas as pd

    return pd.read_csv(Path(out) / "results.csv")


def solved_times(df):
    """Pivot (instance rows, method columns) of ``seconds`` where status is optimal, else inf.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv`` (:func:`load_results`).

    Returns
    -------
    pandas.DataFrame
        Index ``instance``, one column per method: wall seconds of the optimal runs (the minimum
        if an instance appears twice), inf where the method did not prove optimality, NaN where
        it did not run.
    """
    import numpy as np

    t = df.assign(t=np.where(df["status"] == "optimal", df["seconds"], np.inf))
    return t.pivot_table(index="instance", columns="method", values="t", aggfunc="min")


def performance_profile(df, taus):
    """Dolan-More rho_s(tau) for each method (module docstring).

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv``.
    taus : array_like
        Ratios tau >= 1 at which to evaluate the profile.

    Returns
    -------
    methods : list of str
        Method names (columns of :func:`solved_times`).
    rho : numpy.ndarray
        Shape (len(methods), len(taus)): share of instances on which the method's time is within
        tau of the fastest optimal time (instances nobody solved count as failures for all).
    """
    import numpy as np

    times = solved_times(df)
    best = times.min(axis=1).replace(np.inf, np.nan)
    ratios = times.div(best, axis=0).fillna(np.inf)          # unsolved by all: inf for everyone
    taus = np.asarray(taus, dtype=float)
    rho = np.array([[(ratios[m] <= tau).mean() for tau in taus] for m in times.columns])
    return list(times.columns), rho


def plot_profile(df, path: Path) -> Path:
    """Write the performance profile plot (log2 tau axis).

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv``.
    path : pathlib.Path
        PNG file to write (120 dpi).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    times = solved_times(df)
    finite = times.replace(np.inf, np.nan)
    ratio_max = float(np.nanmax(finite.div(finite.min(axis=1), axis=0).to_numpy())) if finite.notna().any().any() else 2.0
    taus = np.exp2(np.linspace(0.0, max(1.0, math.log2(max(ratio_max, 1.0)) * 1.05), 400))
    methods, rho = performance_profile(df, taus)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for method, curve in zip(methods, rho):
        ax.step(np.log2(taus), curve, where="post", label=method)
    ax.set_xlabel(r"$\log_2 \tau$  (time within a factor $\tau$ of the fastest)")
    ax.set_ylabel(r"share of instances solved, $\rho_s(\tau)$")
    ax.set_ylim(0.0, 1.02)
    ax.set_title(f"Performance profile ({times.shape[0]} instances)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def headline_table(df):
    """(family, n) rows; per method 'seconds (ratio to fastest)' or the status if not optimal.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of ``results.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``family``, ``n``, one per method among dp, ortools, highs, cbc, glpk, scip, brute
        that ran, and ``max rel. obj. diff``: the largest
        |obj - obj_ref| / max(1, |obj_ref|) over the optimal methods (reference: the DP, else
        the first optimal one) and the method attaining it.
    """
    import numpy as np
    import pandas as pd

    methods = [m for m in ("dp", "ortools", "highs", "cbc", "glpk", "scip", "brute") if m in set(df["method"])]
    rows = []
    for (family, n), group in df.groupby(["family", "n"], sort=False):
        ok = group[group["status"] == "optimal"]
        fastest = ok["seconds"].min() if len(ok) else np.nan
        # agreement: each optimal method's objective against the DP's (else the first optimal one)
        ref_rows = ok[ok["method"] == "dp"] if (ok["method"] == "dp").any() else ok.head(1)
        spread, worst = np.nan, ""
        if len(ok):
            ref = float(ref_rows["objective"].iloc[0])
            diffs = np.abs(ok["objective"].to_numpy(dtype=float) - ref) / max(1.0, abs(ref))
            spread = float(diffs.max())
            worst = str(ok["method"].iloc[int(np.argmax(diffs))]) if spread > 0 else ""
        row: dict[str, Any] = {"family": family, "n": int(n)}
        for method in methods:
            r = group[group["method"] == method]
            if r.empty:
                row[method] = "-"
            elif r["status"].iloc[0] == "optimal":
                s = float(r["seconds"].iloc[0])
                row[method] = f"{s:.3g} s ({s / fastest:.3g}x)"
            else:
                row[method] = str(r["status"].iloc[0])
        row["max rel. obj. diff"] = (f"{spread:.1e}" + (f" ({worst})" if worst else "")) if np.isfinite(spread) else "-"
        rows.append(row)
    return pd.DataFrame(rows)


def write_summary(out: str | Path, skipped: dict[str, str] | None = None) -> str:
    """Write ``results.md`` and ``profile.png`` from ``results.csv``; return the Markdown.

    Parameters
    ----------
    out : str or pathlib.Path
        The benchmark's output folder (holds ``results.csv``).
    skipped : dict of str to str, optional
        Methods not installed -> reason, listed under the table.

    Returns
    -------
    str
        The Markdown written (atomically) to ``results.md``.
    """
    from trade_opt.outputs import _atomic_write_text, markdown_table

    out = Path(out)
    df = load_results(out)
    table = headline_table(df)
    lines = ["# Knapsack solver benchmark", "",
             "Wall time of the whole method call (fastest of `repeat` runs) and its ratio to the fastest "
             "method that proved optimality on the instance; otherwise the status "
             "(`timeout`: killed by the harness; `time_limit`: the solver stopped itself). "
             "Last column: largest relative difference |obj - obj_DP| / max(1, |obj_DP|) over the methods that "
             "reported optimality (reference: the DP, else the first optimal method), and which method it is.", "",
             markdown_table(table)]
    if skipped:
        lines += ["", "Skipped (not installed):"] + [f"- {m}: {reason}" for m, reason in skipped.items()]
    if len(df):
        plot_profile(df, out / "profile.png")
        lines += ["", "Performance profile (Dolan & More 2002): `profile.png`."]
    text = "\n".join(lines) + "\n"
    _atomic_write_text(out / "results.md", text)
    return text
