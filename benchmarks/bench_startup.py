"""Start-up time of the command line and of ``import trade_opt`` (issue 14, item 4).

Each row runs one command in a fresh Python process ``--repeat`` times and keeps the best wall
time; the baseline ``python -c pass`` is measured in the same run, and ``ratio`` is each row over it.
``modules`` counts the modules the command leaves imported (``heavy`` lists Pyomo, pandas, scipy,
matplotlib, networkx and the model packages among them).

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7] [--out benchmarks/out] [--previous GIT_REF]

Writes ``startup.csv`` and ``startup.md`` into ``--out`` and prints the table.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pyomo", "pandas", "scipy", "matplotlib", "networkx", "trade_opt.gomory", "trade_opt.kim",
         "trade_opt.melitz", "trade_opt.krugman")

#: (row name, Python code run in a fresh process)
CASES = [
    ("python -c pass (baseline)", "pass"),
    ("import trade_opt", "import trade_opt"),
    ("trade-opt --version", "from trade_opt.cli.main import main; main(['--version'])"),
    ("trade-opt --help", "from trade_opt.cli.main import main; main(['--help'])"),
    ("trade-opt gomory --help", "from trade_opt.cli.main import main; main(['gomory', '--help'])"),
    ("trade-opt kim --help", "from trade_opt.cli.main import main; main(['kim', '--help'])"),
    ("import trade_opt.kim; trade_opt.kim.solve", "import trade_opt.kim as k; k.solve"),
]

PROBE = ("; import sys, json; print('@@' + json.dumps([len(sys.modules), "
         "[m for m in {heavy!r} if m in sys.modules]]))")


def measure(code: str, repeat: int, cwd: Path = ROOT) -> tuple[float, int, list[str]]:
    """Best wall time (s) of ``repeat`` fresh processes, and the modules the last one imported."""
    best, modules, heavy = float("inf"), 0, []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code + PROBE.format(heavy=HEAVY)], cwd=cwd,
                              capture_output=True, text=True, timeout=300)
        best = min(best, time.perf_counter() - start)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")]
        if line:
            modules, heavy = json.loads(line[-1][2:])
    return best, modules, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--previous", default=None,
                        help="a git ref whose `trade-opt --help` is measured in the same run (a temporary worktree)")
    args = parser.parse_args()
    rows = []
    for name, code in CASES:
        seconds, modules, heavy = measure(code, args.repeat)
        rows.append({"command": name, "best_s": seconds, "modules": modules, "heavy": " ".join(heavy) or "-"})
    if args.previous:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "previous"
            subprocess.run(["git", "worktree", "add", "-q", "--detach", str(tree), args.previous], cwd=ROOT, check=True)
            try:
                for name, code in CASES[2:4]:
                    seconds, modules, heavy = measure(code, args.repeat, cwd=tree)
                    rows.append({"command": f"{name} ({args.previous})", "best_s": seconds, "modules": modules,
                                 "heavy": " ".join(heavy) or "-"})
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    base = rows[0]["best_s"]
    for row in rows:
        row["ratio"] = row["best_s"] / base
    args.out.mkdir(parents=True, exist_ok=True)
    import csv

    with open(args.out / "startup.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| command | best s | x baseline | modules | heavy modules imported |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r['command']} | {r['best_s']:.3f} | {r['ratio']:.1f} | {r['modules']} | {r['heavy']} |" for r in rows]
    text = "\n".join(lines) + "\n"
    (args.out / "startup.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
