"""``trade-opt``: the main job (``run``), a set-up check (``doctor``) and one sub-command group per model.

Errors a user causes (bad files, bad options, missing solvers) print one line on stderr and exit
with code 2; nothing prints a traceback for them.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from trade_opt.errors import TradeOptError
from trade_opt.registry import MODELS, resolve

app = typer.Typer(
    name="trade-opt",
    help="Trade models as optimization and complementarity problems (Pyomo + HiGHS / Ipopt).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def run(
    instance_file: Path = typer.Argument(..., help="Instance file (.toml or .json); its `model` key picks the model."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: results/<instance name>)."),
) -> None:
    """Run the main job of the instance's model and write its outputs to --out."""
    from trade_opt.instances import load_instance

    instance = load_instance(instance_file)
    out_dir = out if out is not None else Path("results") / instance.name
    job = resolve(MODELS[instance.model].job)
    job(instance, out_dir, source=str(instance_file))


@app.command()
def doctor() -> None:
    """Check that the solver stack is installed (HiGHS, Ipopt via PyNumero/cyipopt, optional CBC/GLPK/SCIP)."""
    from trade_opt.solvers import solver_report

    report = solver_report()
    width = max(len(name) for name in report)
    for name, (ok, detail) in report.items():
        typer.echo(f"{name.ljust(width)}  {'ok ' if ok else '-- '} {detail}")
    if not (report["highs"][0] and report["ipopt"][0]):
        raise TradeOptError("required solvers missing: run `bash scripts/setup.sh`")


for _entry in MODELS.values():
    app.add_typer(resolve(_entry.cli), name=_entry.name, help=_entry.help)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code (2 for bad input, with a one-line message)."""
    try:
        app(args=argv, prog_name="trade-opt")  # standalone: usage errors exit 2 with click's message
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except TradeOptError as exc:
        print(f"trade-opt: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trade-opt: interrupted (outputs written so far are kept)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
