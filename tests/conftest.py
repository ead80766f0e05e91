"""Shared fixtures: every test gets its own MNEMO_HOME; CLI tests run the command in-process
(``mnemo``) or as a real process (``mnemo_process``)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The numpy embedder's matrix products run on OpenBLAS, which starts a thread per core that
# spins while it waits. Four xdist workers on two cores (and the `mnemo` processes the tests
# start, which inherit this) then spend more CPU spinning than computing: one thread each
# cuts the memory tests' CPU several times over. Set before anything imports numpy (no
# pytest plugin does); the xdist workers and subprocesses inherit it. A value already set wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile mnemo's modules once, before the run (the controller, not each xdist worker).
    Where PYTHONDONTWRITEBYTECODE is set (as on some CI machines) and the checkout is fresh,
    every ``mnemo`` process a test starts would otherwise compile them again from source:
    measured 0.24 s of CPU for ``mnemo --help`` without the cache, 0.13 s with it."""
    if not hasattr(session.config, "workerinput"):
        import compileall

        compileall.compile_dir(ROOT / "mnemo", quiet=2)
        _rewrite_tests_once(session.config)


def _rewrite_tests_once(config: pytest.Config) -> None:
    """pytest rewrites each test module's asserts and keeps the result beside it, but not
    under PYTHONDONTWRITEBYTECODE: in a fresh checkout each of the four xdist workers then
    rewrote every test module again as it collected (7.9 s of CPU a collection, against 3.7 s
    with the cache). Done once here, before the workers start, with pytest's own functions;
    the workers read what is written. Any trouble with those (private) functions only costs
    the time it would have saved."""
    try:
        from _pytest.assertion import rewrite

        state = config.stash[rewrite.assertstate_key]
        for source in sorted((ROOT / "tests").rglob("*.py")):
            if not (source.name.startswith("test_") or source.name == "conftest.py"):
                continue
            pyc = rewrite.get_cache_dir(source) / (source.name[:-3] + rewrite.PYC_TAIL)
            if rewrite._read_pyc(source, pyc) is None and rewrite.try_makedirs(pyc.parent):
                stat, code = rewrite._rewrite_test(source, config)
                rewrite._write_pyc(state, code, stat, pyc)
    except Exception:  # noqa: BLE001 (a speed-up only)
        pass


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive once the tests are collected (the imported modules, mostly) lives to the
    end: move it out of the garbage collector's way, so that each full collection during the
    run scans only what the tests made. And collect less often than Python's default (a
    young collection every 700 allocations): a chat app under test allocates millions of
    short-lived objects (styles, strips, segments) and kept the collector busy. Measured on
    four of the chat app's tests, serially, user CPU: 15.4-16.1 s at (700, 10, 10), 14.2-14.3
    s at (100000, 50, 100), 15 MB more memory a worker."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:  # at its end pytest collects five times over to find unraisable exceptions (1.2 s a
        # worker, after its last test); once finds what the tests left (the frozen are not scanned)
        from _pytest.unraisableexception import gc_collect_iterations_key

        session.config.stash[gc_collect_iterations_key] = 1
    except ImportError:  # a pytest without it
        pass


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("MNEMO_HOME", str(path))
    return path


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def mnemo(home: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the ``mnemo`` command in this process (typer's CliRunner on the app, through the
    root group that turns errors into exit codes as the real command does) against the
    test's home: for flags, exit codes, stdout and stderr. An exception the command does not
    turn into an exit code fails the test (a real command would print a traceback)."""
    from typer.testing import CliRunner

    from mnemo.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def run(*args: str, input: str | None = None, timeout: float = 300) -> Result:
        result = runner.invoke(app, list(args), input=input, prog_name="mnemo")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def mnemo_process(home: Path):
    """Run the real ``mnemo`` command in a subprocess against the test's home: for what a
    process does (stdin bytes, signals, the model's own process, the exit of the process)."""

    def run(*args: str, input: str | None = None, timeout: float = 300) -> Result:
        env = {**os.environ, "MNEMO_HOME": str(home), "COLUMNS": "200"}
        proc = subprocess.run(
            [sys.executable, "-m", "mnemo", *args],
            input=input,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


def terminal_lines(stderr: str) -> list[str]:
    """What `mnemo` told the user on stderr, less the note a machine whose llama.cpp kernels
    crash gets once per home (a fresh test home on such a machine gets it at the first
    model start: it is not what these tests are about)."""
    from mnemo.engine import probe

    notes = (probe.AMX, probe.REPACK, probe.GPU.partition("'")[0])  # the GPU one names the model after this
    fallback = tuple(f"mnemo: note: {why}" for why in notes)
    return [ln for ln in stderr.strip().splitlines() if ln.strip() and not ln.startswith(fallback)]


def write_user_models(home: Path, text: str) -> Path:
    path = home / "models.toml"
    path.write_text(text, encoding="utf-8")
    return path


def files_in(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


SCRIPTED_MODELS = """default = "echo"

[[models]]
name = "echo"
kind = "scripted"
description = "mnemo's deterministic stand-in model (tests)"
"""


@pytest.fixture
def scripted_home(home: Path) -> Path:
    """A home whose default model is mnemo's scripted stand-in (kind = "scripted"): for
    behaviour that does not depend on what a model says, in this process or in `mnemo`."""
    write_user_models(home, SCRIPTED_MODELS)
    return home


NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC


class Clock:
    """A clock the test moves by hand (``clock.now += 60``)."""

    def __init__(self, now: float = NOW):
        self.now = now

    def __call__(self) -> float:
        return self.now
