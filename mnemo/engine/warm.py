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

from mnemo.engine.child import BOOT

_held: list[tuple[subprocess.Popen[bytes], socket.socket]] = []


def spawn() -> tuple[subprocess.Popen[bytes], socket.socket]:
    """A fresh model process, importing llama-cpp-python, and our end of its socket.
    Raises OSError when it cannot be started."""
    ours, theirs = socket.socketpair()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-c", BOOT, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # Ctrl-C reaches mnemo, which stops the reply itself
        )
    except OSError:
        ours.close()
        raise
    finally:
        theirs.close()
    return proc, ours


def start() -> None:
    """Start one model process ahead of need (at most one is held)."""
    if not _held:
        try:
            _held.append(spawn())
        except OSError:
            pass  # the engine will try again, and say why if it fails too


def take() -> tuple[subprocess.Popen[bytes], socket.socket] | None:
    """The process started ahead, if it is still alive; the caller owns it from here."""
    while _held:
        proc, ours = _held.pop()
        if proc.poll() is None:
            return proc, ours
        ours.close()
    return None


@atexit.register
def _end_untaken() -> None:
    for proc, ours in _held:
        ours.close()  # its end of the socket closes: it exits as it would without its parent
        proc.kill()
        proc.wait()
    _held.clear()
