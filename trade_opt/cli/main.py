"""``trade-opt``: the main job (``run``), sweeps, a set-up check (``doctor``), the benchmark and one
sub-command group per registered model, each with the same verbs (``solve``, ``run``, ``export``).

Model groups load when used (:class:`LazyModelGroup`), so ``trade-opt --help`` imports no model.

Exit codes: 0 success; 1 a solve or job that ran and failed (``status: error``, or every point of a
sweep failed); 2 bad input (a file, a field, an option: one line on stderr naming it); 130
interrupted (a result folder is then left as it was before the run).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click
import typer
import typer.core

from trade_opt.errors import SolveError, TradeOptError, one_line
from trade_opt.registry import MODELS, resolve


def load_model_app(name: str) -> typer.Typer:
    """The typer sub-app of model ``name`` with the contract verbs added (``run``, ``export``).

    Parameters
    ----------
    name : str
        Registry name (a key of :data:`trade_opt.registry.MODELS`); its ``cli`` entry is imported.

    Returns
    -------
    typer.Typer
        The model's sub-app, with ``run`` (:func:`trade_opt.commandline.make_run_command`) and
        ``export`` (:func:`trade_opt.export.make_export_command`) added unless it defines its own.
    """
    from trade_opt.commandline import add_run_command
    from trade_opt.export import make_export_command

    sub_app = resolve(MODELS[name].cli)
    sub_app._add_completion = False  # completion belongs to the top-level program
    registered = {c.name or c.callback.__name__ for c in sub_app.registered_commands}
    if "run" not in registered:
        add_run_command(sub_app, name)
    if "export" not in registered:
        sub_app.command("export")(make_export_command(name))
    return sub_app


class LazyModelGroup(typer.core.TyperGroup):
    """The top-level group: model sub-groups are imported only when one of them is called.

    While the top-level help is drawn, models are listed from the registry (name and help) without
    importing them."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Names of the commands: those defined here, then every registered model.

        Parameters
        ----------
        ctx : click.Context
            Click's context of the top-level group.

        Returns
        -------
        list of str
            Loaded commands first, then the registry's models not loaded yet.
        """
        return list(super().list_commands(ctx)) + [name for name in MODELS if name not in self.commands]

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        """The command named ``cmd_name``, importing a model's sub-app on first use.

        Parameters
        ----------
        ctx : click.Context
            Click's context of the top-level group.
        cmd_name : str
            Command or model name.

        Returns
        -------
        click.Command or None
            While the top-level help is drawn, a model is an empty group carrying the registry's
            help (nothing imported); otherwise its sub-app (:func:`load_model_app`), added to the
            group once.  None for an unknown name.
        """
        if cmd_name in MODELS and cmd_name not in self.commands:
            if self._listing:
                return click.Group(name=cmd_name, help=MODELS[cmd_name].help)
            command = typer.main.get_command(load_model_app(cmd_name))
            command.name = cmd_name
            command.help = MODELS[cmd_name].help
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Draw the top-level help, listing models from the registry without importing them.

        Parameters
        ----------
        ctx : click.Context
            Click's context of the top-level group.
        formatter : click.HelpFormatter
            Where click writes the help text.
        """
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _version(value: bool) -> None:
    if value:
        from trade_opt import __version__

        typer.echo(f"trade-opt {__version__}")
        raise typer.Exit()

#: Exit codes of :func:`main` (see its docstring).
EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130
INTERRUPTED = "trade-opt: interrupted (previous results left unchanged; sweeps resume on rerun)"

app = typer.Typer(
    name="trade-opt",
    cls=LazyModelGroup,
    help="Trade models as optimization and complementarity problems (Pyomo + HiGHS / Ipopt).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Trade models as optimization and complementarity problems (Pyomo + HiGHS / Ipopt)."""


from trade_opt.commandline import make_run_command  # noqa: E402  (light: the job loads when run)

app.command("run")(make_run_command(None))


@app.command()
def sweep(
    spec_file: Path = typer.Argument(..., help="Sweep spec (.toml/.json): model, base instance, [[vary]] tables."),
    out: Path = typer.Option(..., "--out", help="Output folder (Parquet parts + manifest.json); rerun to resume."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of an existing Dask scheduler (tcp://host:8786)."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes of the local Dask cluster (0: no Dask)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    wait: bool = typer.Option(False, "--wait", help="If another trade-opt process writes the same --out, wait for it instead of stopping."),
) -> None:
    """Run (or resume) a scenario sweep on Dask: one Parquet row per point, finished points skipped on rerun.

    Exits 1 when the sweep is complete and no point has a usable answer."""
    from trade_opt.sweep.run import run_sweep

    if scheduler is not None and workers is not None:
        raise TradeOptError("<command line>: --scheduler/--workers: give at most one of them")
    summary = run_sweep(spec_file, out, workers=workers, scheduler=scheduler, wait=wait)
    if as_json:
        from trade_opt.commandline import print_json

        print_json(summary)
        return
    run_info = summary["run"]
    rate = run_info["points_per_second"]
    typer.echo(f"sweep {summary['name']}: {run_info['computed_points']} points computed, "
               f"{run_info['skipped_batches']} batches skipped (done before), "
               f"{summary['points_done']}/{summary['total_points']} done"
               + (f", {rate:.1f} points/s" if rate else "") + f" -> {summary['out']}")
    if run_info["lost_batches"]:
        typer.echo(f"{len(run_info['lost_batches'])} batches lost with their worker; rerun the same command to retry them")
    if summary.get("status_counts"):
        typer.echo("status: " + ", ".join(f"{k} {v}" for k, v in summary["status_counts"].items()))
    if summary["complete"] and summary["total_points"] and not summary["points_ok"]:
        typer.echo(f"trade-opt: every one of the {summary['total_points']} points failed (see the error column)", err=True)
        raise typer.Exit(EXIT_FAILED)


@app.command()
def plot(
    results_dir: Path = typer.Argument(..., help="A complete result folder written by `trade-opt run`."),
    figure_format: str = typer.Option("png", "--figure-format", help="Comma-separated: png, pdf, svg."),
) -> None:
    """Redraw the figures of a result folder from its tables (no recomputation); summary.json is rewritten last."""
    import json

    from trade_opt.errors import InputError
    from trade_opt.folders import finalize_summary, folder_lock
    from trade_opt.plotting import check_formats

    formats = check_formats(figure_format)
    summary_path = results_dir / "summary.json"
    if not summary_path.is_file():
        raise InputError(str(results_dir), "summary.json", "missing: not a complete result folder")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(summary_path), "<file>", f"not valid JSON ({exc})") from None
    model = summary.get("model") if isinstance(summary, dict) else None
    if model not in MODELS:
        raise InputError(str(summary_path), "model", f"unknown model {model!r} (one of: {', '.join(MODELS)})")
    if MODELS[model].redraw is None:
        raise InputError(str(results_dir), "model", f"redrawing {model} figures from tables is not available yet")
    with folder_lock(results_dir):
        written = resolve(MODELS[model].redraw)(results_dir, formats)
        summary.pop("outputs", None)
        summary.pop("complete", None)
        finalize_summary(results_dir, summary)
    typer.echo(f"redrew {len(written)} figure file(s) in {results_dir}: {', '.join(p.name for p in written)}")


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


from trade_opt.bench.cli import bench as _bench  # noqa: E402  (typer only; the harness loads when run)

app.command("bench")(_bench)


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments after the program name (default: ``sys.argv[1:]``, click's default).

    Returns
    -------
    int
        The exit code, one of:

        0
            success (a sweep with some failed points still exits 0; summary.json counts them).
        1
            a solve failed (:class:`~trade_opt.errors.SolveError`: no usable answer), or a sweep in
            which every point failed; one line on stderr.
        2
            bad input: a file, a field, an option, an output folder, a missing solver, a folder locked
            by another trade-opt process (one line ``trade-opt: error: <file>: <field>: <reason>``);
            also click's usage errors.
        130
            interrupted (Ctrl-C or SIGTERM): a result folder being written is discarded and the
            previous one is left unchanged; a sweep keeps its finished parts and resumes on rerun.
    """
    import signal
    import threading

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        app(args=argv, prog_name="trade-opt")  # standalone: usage errors exit 2 with click's message
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if code == EXIT_INTERRUPTED:  # typer turns KeyboardInterrupt into exit 130 silently
            print(INTERRUPTED, file=sys.stderr)
        return code
    except SolveError as exc:
        print(f"trade-opt: solve failed: {one_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except TradeOptError as exc:
        print(f"trade-opt: error: {one_line(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


def _sigterm_as_interrupt(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so staging folders are removed and locks released."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
