"""Transactional result folders, safe output paths and one writer per folder (issue 15, items 1-4).

A result folder is complete or absent: killed (SIGKILL, SIGTERM, Ctrl-C) part way, a rerun leaves
the previous results byte-identical and a first run leaves nothing named out_dir; the default
folder of any instance name stays under results/; a second writer is refused (or waits); every
bad --out is one line, exit 2, before any solve.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from trade_opt.cli.main import main
from trade_opt.errors import InputError
from trade_opt.outputs import (
    check_out_dir,
    default_out_dir,
    finalize_summary,
    folder_lock,
    result_folder,
    slugify,
    write_table,
)

ROOT = Path(__file__).resolve().parents[1]
KRUGMAN = ROOT / "instances" / "krugman_default.toml"
#: Subprocesses import this checkout's trade_opt (a script's own folder comes first on sys.path).
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def tree_digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def siblings(folder: Path) -> list[str]:
    """Names next to ``folder`` that belong to it (staging, old, lock owner), the lock file excepted."""
    return sorted(p.name for p in folder.parent.iterdir()
                  if p.name.startswith(f".{folder.name}.") and p.name != f".{folder.name}.lock")


def make_results(out: Path, text: str) -> dict[str, str]:
    with result_folder(out) as staging:
        (staging / "a.txt").write_text(text)
        write_table(staging / "t", pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
        finalize_summary(staging, {"model": "test", "text": text})
    return tree_digest(out)


# ------------------------------------------------------------------------------ result_folder
def test_result_folder_installs_complete_folder_with_listed_outputs(tmp_path):
    out = tmp_path / "res"
    digest = make_results(out, "first")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is True and summary["text"] == "first"
    assert set(summary["outputs"]) == {"a.txt", "t.csv"}
    for name, info in summary["outputs"].items():
        assert info["sha256"] == digest[name] and info["bytes"] == (out / name).stat().st_size
    assert summary["outputs"]["t.csv"]["rows"] == 3 and "rows" not in summary["outputs"]["a.txt"]
    assert siblings(out) == []                                  # no staging, no owner file left
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask          # not mkdtemp's 0700


def test_error_inside_keeps_previous_results_and_new_folder_absent(tmp_path):
    out = tmp_path / "res"
    with pytest.raises(RuntimeError):
        with result_folder(out) as staging:
            (staging / "a.txt").write_text("partial")
            raise RuntimeError("solver blew up")
    assert not out.exists() and siblings(out) == []
    before = make_results(out, "first")
    for exc in (RuntimeError, KeyboardInterrupt):
        with pytest.raises(exc):
            with result_folder(out) as staging:
                (staging / "a.txt").write_text("second, half written")
                raise exc()
        assert tree_digest(out) == before and siblings(out) == []
    after = make_results(out, "second")                          # a finished rerun replaces it
    assert after != before and (out / "a.txt").read_text() == "second"


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from trade_opt.outputs import result_folder, finalize_summary
    out, ready = Path(sys.argv[1]), Path(sys.argv[2])
    with result_folder(out) as staging:
        (staging / "a.txt").write_text("new, never finished")
        ready.write_text(str(staging))
        time.sleep(60)
        finalize_summary(staging, {})
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_writer_leaves_previous_byte_identical_and_fresh_absent(tmp_path, sig):
    out = tmp_path / "res"
    script = tmp_path / "writer.py"
    script.write_text(KILL_SCRIPT)

    def killed_run() -> int:
        ready = tmp_path / "ready"
        ready.unlink(missing_ok=True)
        # SIG_DFL in the child: a shell that runs the suite in the background ignores SIGINT, the
        # child would inherit that, and Python then installs no KeyboardInterrupt handler
        proc = subprocess.Popen([sys.executable, str(script), str(out), str(ready)], cwd=ROOT, env=ENV,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        for _ in range(600):
            if ready.exists() and ready.read_text():
                break
            time.sleep(0.05)
        proc.send_signal(sig)
        return proc.wait(timeout=30)

    killed_run()                                                 # a fresh run killed part way
    assert not out.exists()
    before = make_results(out, "first")                          # the next run cleans up and installs
    assert siblings(out) == []
    killed_run()                                                 # a rerun killed part way
    assert tree_digest(out) == before
    if sig == signal.SIGINT:                                     # KeyboardInterrupt: staging removed at once
        assert siblings(out) == []


def test_cli_run_killed_mid_job_keeps_previous_results(tmp_path):
    """The real `trade-opt run` path: a Krugman run whose job is killed (SIGTERM) after writing its figure."""
    out = tmp_path / "k"
    code, _, err = run_cli(["run", str(KRUGMAN), "--out", str(out)])
    assert code == 0, err
    before = tree_digest(out)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and "ss_dd.png" in summary["outputs"]
    ready = tmp_path / "ready"
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(f"""
        import sys, time
        import trade_opt.krugman.job as job
        import trade_opt.krugman.plots as plots
        original = plots.ss_dd_figure
        def slow(*args, **kwargs):
            original(*args, **kwargs)
            open({str(ready)!r}, "w").write("1")
            time.sleep(60)
        plots.ss_dd_figure = slow
        from trade_opt.cli.main import main
        sys.exit(main(["run", {str(KRUGMAN)!r}, "--out", {str(out)!r}]))
    """))
    proc = subprocess.Popen([sys.executable, str(driver)], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):
        if ready.exists():
            break
        time.sleep(0.05)
    assert ready.exists()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert tree_digest(out) == before and siblings(out) == []


# ------------------------------------------------------------------------------------ paths
@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "a/b/../../../x", "..", "...", ".hidden", "a\\b", "Été 1991 / run", ""])
def test_default_out_dir_stays_under_results(name):
    path = default_out_dir(name)
    assert path.parent == Path("results") and path.name == slugify(name)
    assert path.name and not path.name.startswith(".") and ".." not in path.parts
    assert set(path.name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@pytest.mark.parametrize("name", ["../../x", "/abs/x", "a/b/../../../x", "a\\b", "a..b", "tab\there"])
def test_instance_name_with_path_tricks_is_refused(tmp_path, monkeypatch, name):
    doc = tmp_path / "k.json"
    text = KRUGMAN.read_text()
    import tomllib

    data = tomllib.loads(text) | {"name": name}
    doc.write_text(json.dumps(data))
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["run", str(doc)])
    assert code == 2 and len(err.strip().splitlines()) == 1 and ": name: " in err, err
    assert not (tmp_path / "results").exists() and not (tmp_path.parent / "x").exists()


def test_bad_out_is_one_line_before_any_solve(tmp_path, monkeypatch):
    import trade_opt.krugman.job as kjob

    def never(*args, **kwargs):
        raise AssertionError("the job ran before --out was checked")

    monkeypatch.setattr(kjob, "run_job", never)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "res_target")
    cases = {
        str(a_file): "not a folder",
        str(a_file / "sub"): "not a folder",
        str(foreign): "holds no trade-opt results",
        str(link): "symbolic link",
        "/proc/trade_opt_out": "cannot create",
        "/": "filesystem root",
    }
    for out, reason in cases.items():
        code, _, err = run_cli(["run", str(KRUGMAN), "--out", out])
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
        assert lines[0].startswith("trade-opt: error: <command line>: --out: ") and reason in lines[0], err
    assert (foreign / "thesis.tex").read_text() == "precious" and a_file.read_text() == "x"


def test_unwritable_parent_is_one_line(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere; /proc covers the unwritable case")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(InputError, match="cannot create"):
            check_out_dir(ro / "out")
    finally:
        ro.chmod(0o755)


# ------------------------------------------------------------------------------------ locks
def test_second_writer_is_refused_naming_folder_and_holder(tmp_path):
    out = tmp_path / "res"
    with folder_lock(out):
        with pytest.raises(InputError) as info:
            with result_folder(out):
                pass
        message = str(info.value)
        assert str(out) in message and f"pid {os.getpid()}" in message and "--wait" in message
        code, _, err = run_cli(["run", str(KRUGMAN), "--out", str(out)])
        assert code == 2 and len(err.strip().splitlines()) == 1 and "being written" in err
    assert not out.exists()


def test_second_writer_in_another_process_is_refused(tmp_path):
    out = tmp_path / "res"
    script = tmp_path / "holder.py"
    ready = tmp_path / "ready"
    script.write_text(textwrap.dedent(f"""
        import time
        from trade_opt.outputs import folder_lock
        with folder_lock({str(out)!r}):
            open({str(ready)!r}, "w").write("1")
            time.sleep(60)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=ENV)
    try:
        for _ in range(600):
            if ready.exists():
                break
            time.sleep(0.05)
        with pytest.raises(InputError, match=f"pid {proc.pid} on "):
            with result_folder(out):
                pass
    finally:
        proc.kill()
        proc.wait()
    with result_folder(out) as staging:                          # the lock died with its holder
        finalize_summary(staging, {})
    assert (out / "summary.json").exists()


def test_wait_takes_the_lock_when_released(tmp_path):
    out = tmp_path / "res"
    release = threading.Event()
    held = threading.Event()

    def holder():
        with folder_lock(out):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    threading.Timer(0.3, release.set).start()
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()) as err:
        with result_folder(out, wait=True) as staging:
            finalize_summary(staging, {"waited": True})
    thread.join()
    assert time.perf_counter() - start >= 0.25 and "waiting for" in err.getvalue()
    assert json.loads((out / "summary.json").read_text())["waited"] is True


def test_failed_solve_exits_1_and_leaves_no_folder(tmp_path, monkeypatch):
    import trade_opt.krugman.job as kjob
    from trade_opt.errors import SolveError

    def failing(instance, out_dir, *, source):
        (out_dir / "partial.csv").write_text("x\n1\n")
        raise SolveError(f"{source}: MCP found no equilibrium from 3 starts (test)")

    monkeypatch.setattr(kjob, "run_job", failing)
    code, _, err = run_cli(["run", str(KRUGMAN), "--out", str(tmp_path / "o")])
    assert code == 1 and err.strip().splitlines() == [f"trade-opt: solve failed: {KRUGMAN}: MCP found no equilibrium from 3 starts (test)"]
    assert not (tmp_path / "o").exists() and siblings(tmp_path / "o") == []


def test_fallback_swap_without_renameat2_and_recovery_after_a_crash_between_renames(tmp_path, monkeypatch):
    import trade_opt.folders as folders

    out = tmp_path / "res"
    before = make_results(out, "first")
    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)   # e.g. not Linux: two renames
    after = make_results(out, "second")
    assert (out / "a.txt").read_text() == "second" and siblings(out) == [] and after != before
    out.rename(tmp_path / f".res.old-{os.getpid()}")                # killed between the two renames
    with pytest.raises(RuntimeError):
        with result_folder(out):                                    # the next writer puts it back first
            assert tree_digest(out) == after
            raise RuntimeError("stop")
    assert tree_digest(out) == after and siblings(out) == []
