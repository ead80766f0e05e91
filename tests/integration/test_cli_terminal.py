"""`mnemo` on a real terminal (a pseudo-terminal from Python's pty module): what a user who
types the command sees."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def on_a_terminal(home, *args: str, wait: float = 60.0) -> tuple[int, str]:
    """Run `mnemo ARGS` with stdin, stdout and stderr on a pseudo-terminal; its exit status
    and what it wrote there. Fails if it has not exited after ``wait`` seconds (nobody types)."""
    master, slave = os.openpty()
    env = {**os.environ, "MNEMO_HOME": str(home), "COLUMNS": "80", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mnemo", *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    out = b""
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the other end closed (Linux: EIO)
                    chunk = b""
                if not chunk and proc.poll() is not None:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        else:
            raise AssertionError(f"`mnemo {' '.join(args)}` was still waiting after {wait:.0f} s: {out!r}")
        return proc.wait(timeout=5), out.decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


def test_ask_with_no_message_on_a_terminal_says_so_at_once(scripted_home):
    start = time.monotonic()
    code, shown = on_a_terminal(scripted_home, "ask")
    lines = [line for line in shown.replace("\r", "").split("\n") if line.strip()]
    assert code == 2, shown
    assert len(lines) == 1 and "give the message, or pipe text in" in lines[0], shown
    assert "Traceback" not in shown
    assert time.monotonic() - start < 30  # it did not wait for stdin (nobody typed)
    assert not (scripted_home / "mnemo.db").exists()  # nothing written


def test_a_long_prompt_says_the_model_is_reading_it_then_erases_that_line(scripted_home):
    long = " ".join(f"word{i}" for i in range(2500))
    code, shown = on_a_terminal(scripted_home, "ask", "--no-memory", long, "--max-tokens", "3")
    assert code == 0, shown
    said = "mnemo: the model is reading a prompt of "
    assert said in shown and "ctrl+c stops" in shown
    after = shown[shown.index(said) :]
    assert after.index("\r\x1b[K") < after.index("Echo:")  # the line is erased before the reply
    short_code, short = on_a_terminal(scripted_home, "ask", "--no-memory", "--new", "hi", "--max-tokens", "3")
    assert short_code == 0 and said not in short  # a short prompt is not worth a line
