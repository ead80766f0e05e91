"""The model's process, started before mnemo has read its own code.

A local model's process spends its first few hundred milliseconds importing
llama-cpp-python, before it hears which model to load. ``mnemo ask`` and ``mnemo chat``
start it first thing (``mnemo.__main__``), so that import runs while mnemo's own process
imports the CLI, opens the database and reads the config; the ``ChildEngine`` that then
needs a process takes this one (``take``) and sends it the model to load. A process nobody
takes is ended when mnemo exits, as it would end with its parent anyway.
"""

from __future__ import annotations

import atexit
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from mnemo.engine.child import BOOT


@dataclass
class Started:
    """A model process: our end of its socket, and a two-byte file both map, whose first
    byte mnemo sets to stop the decode under way (``LocalEngine.abort_on``; None where it
    cannot be made)."""

    proc: subprocess.Popen[bytes]
    sock: socket.socket
    stop_file: Any = None
    stop_flag: Any = None

    def close(self) -> None:
        self.sock.close()
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
    return Started(proc, ours, file, flag)


def start() -> None:
    """Start one model process ahead of need (at most one is held)."""
    if not _held:
        try:
            _held.append(spawn())
        except OSError:
            pass  # the engine will try again, and say why if it fails too


def take() -> Started | None:
    """The process started ahead, if it is still alive; the caller owns it from here."""
    while _held:
        started = _held.pop()
        if started.proc.poll() is None:
            return started
        started.close()
    return None


@atexit.register
def _end_untaken() -> None:
    for started in _held:
        started.close()  # its end of the socket closes: it exits as it would without its parent
        started.proc.kill()
        started.proc.wait()
    _held.clear()
