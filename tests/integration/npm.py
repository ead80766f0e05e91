"""The npm MCP servers the set-up installs (mcp-servers/, npm ci): where they are, and
server-everything over streamable HTTP as a real child process on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "mcp-servers" / "node_modules" / "@modelcontextprotocol"


def npm_server(package: str) -> Path:
    """The installed server's entry point; a missing one fails with the set-up command."""
    entry = PACKAGES / package / "dist" / "index.js"
    if not entry.is_file():
        pytest.fail(f"{entry} is missing: run the set-up command (npm ci --prefix mcp-servers)")
    return entry


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("node is not on PATH: the set-up needs Node.js 20+")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@dataclass
class Running:
    url: str
    proc: subprocess.Popen[bytes]


@pytest.fixture
def everything() -> Iterator[Running]:
    """server-everything over streamable HTTP, a real child process on a free port of
    127.0.0.1, killed (and reaped) at the end."""
    port = free_port()
    proc = subprocess.Popen(
        [node(), str(npm_server("server-everything")), "streamableHttp"],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server-everything ended at start (exit {proc.returncode})")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("server-everything did not listen within 60 s")
                time.sleep(0.1)
        yield Running(f"http://127.0.0.1:{port}/mcp", proc)
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL and gone(proc.pid)
