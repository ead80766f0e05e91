"""The model's process, started before mnemo has read its own code.

A local model's process spends its first few hundred milliseconds importing
llama-cpp-python, before it hears which model to load. ``mnemo ask`` and ``mnemo chat``
start it first thing (``mnemo.__main__``), so that import runs while mnemo's own process
imports the CLI, opens the database and reads the config. Where the model is known (the
default one, ``ahead``), it is sent the model to load at once as well; the ``ChildEngine``
that then needs a process takes this one (``take``) when it would have sent it the same
load, and starts its own otherwise. A process nobody takes is ended when mnemo exits, as it
would end with its parent anyway.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnemo.engine.child import BOOT

if TYPE_CHECKING:
    from mnemo.config import ModelSpec
    from mnemo.engine.probe import Setup
    from mnemo.paths import Home


@dataclass
class Started:
    """A model process: our end of its socket, the load it was sent (None: not yet), and a
    two-byte file both map, whose first byte mnemo sets to stop the decode under way
    (``LocalEngine.abort_on``; None where it cannot be made)."""

    proc: subprocess.Popen[bytes]
    conn: Connection
    stop_file: Any = None
    stop_flag: Any = None
    sent: dict[str, Any] | None = None

    @property
    def stop_fd(self) -> int | None:
        return self.stop_file.fileno() if self.stop_file is not None else None

    def send_load(self, load: dict[str, Any]) -> None:
        self.conn.send({**load, "stop_fd": self.stop_fd})  # an OSError here: the caller starts another
        self.sent = load

    def close(self) -> None:
        self.conn.close()
        if self.stop_file is not None:
            self.stop_flag.close()
            self.stop_file.close()


_held: list[Started] = []


def _shared_flag() -> tuple[Any, Any]:
    import mmap
    import tempfile

    try:
        file = tempfile.TemporaryFile()
        file.write(b"\0\0")
        file.flush()
        return file, mmap.mmap(file.fileno(), 2)
    except (OSError, ValueError):
        return None, None


def child_env() -> dict[str, str]:
    """The model process's environment: mnemo's, with OpenMP's idle threads asleep
    (``OMP_WAIT_POLICY=PASSIVE``) unless the user set OMP_WAIT_POLICY or GOMP_SPINCOUNT.
    llama.cpp's OpenMP threads otherwise spin between two decodes, taking the CPU from the
    thread that has work on a machine busy with other things: measured on 2 busy cores, 1.2
    tokens/s spinning, 20.5 asleep; a sleeping thread costs one wake-up per decode."""
    env = dict(os.environ)
    if "OMP_WAIT_POLICY" not in env and "GOMP_SPINCOUNT" not in env:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def spawn() -> Started:
    """A fresh model process, importing llama-cpp-python. Raises OSError when it cannot be
    started."""
    ours, theirs = socket.socketpair()
    file, flag = _shared_flag()
    shared = [file.fileno()] if file is not None else []
    try:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", BOOT, str(theirs.fileno())],
            pass_fds=[theirs.fileno(), *shared],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=child_env(),
            start_new_session=True,  # Ctrl-C reaches mnemo, which stops the reply itself
        )
    except OSError:
        ours.close()
        if file is not None:
            flag.close()
            file.close()
        raise
    finally:
        theirs.close()
    return Started(proc, Connection(ours.detach()), file, flag)


def load_message(spec: ModelSpec, path: Path, setup: Setup) -> dict[str, Any]:
    """What a model process is told to load (``child._Server.load``), less its stop byte."""
    return {
        "op": "load",
        "spec": spec,
        "path": str(path),
        "setup": setup.to_dict(),
        "log_level": logging.getLogger("mnemo").getEffectiveLevel(),
    }


def start(load: dict[str, Any] | None = None) -> None:
    """Start one model process ahead of need (at most one is held), and send it ``load``."""
    if not _held:
        try:
            started = spawn()
            if load is not None:
                started.send_load(load)
            _held.append(started)
        except OSError:
            pass  # the engine will try again, and say why if it fails too


def ahead(spec: ModelSpec, home: Home) -> None:
    """Start the process for ``spec`` (a local model) and send it the model to load, as its
    ``ChildEngine`` will want it; a model file that cannot be found starts nothing (the
    engine says why)."""
    from mnemo.engine import probe, sources

    try:
        path = sources.resolve(spec, models_dir=home.models_dir)
        if path is None or not path.is_file():
            return
        setup = probe.start(spec.repack, probe.verdicts(home.data_dir / probe.FILE).get(probe.key(path)))
    except Exception:  # noqa: BLE001 (a head start only: whatever is wrong, the engine says it)
        return
    start(load_message(spec, path, setup))


def take(load: dict[str, Any]) -> Started | None:
    """The process started ahead, if it is alive and was sent ``load`` or nothing yet; the
    caller owns it from here. One sent another load is ended: it loads the wrong model."""
    while _held:
        started = _held.pop()
        if started.proc.poll() is None and started.sent in (None, load):
            return started
        _end(started)
    return None


def _end(started: Started) -> None:
    started.close()  # its end of the socket closes: it exits as it would without its parent
    started.proc.kill()
    started.proc.wait()


@atexit.register
def _end_untaken() -> None:
    for started in _held:
        _end(started)
    _held.clear()
