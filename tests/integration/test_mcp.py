"""MCP servers for real: mcp-server-time from PyPI over stdio, and a small server of the
test's own (the SDK's MCPServer) over stdio and streamable HTTP on 127.0.0.1, killed,
silent and missing."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from mnemo.tools.mcp import Servers, ServerSpec, ToolError

pytestmark = pytest.mark.slow  # real servers start, are killed and time out

SERVER = """
import os, sys, time
from mcp.server.mcpserver import MCPServer

app = MCPServer("probe")

@app.tool()
def pid() -> int:
    return os.getpid()

@app.tool()
def env() -> str:
    return " ".join(sorted(os.environ))

@app.tool()
def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"

if sys.argv[1:] == ["http"]:
    app.run(transport="streamable-http", host="127.0.0.1", port=int(os.environ["PORT"]))
else:
    app.run()
"""


@pytest.fixture
def probe(tmp_path):
    script = tmp_path / "probe_server.py"
    script.write_text(SERVER)
    return script


def _servers(*specs, tmp_path, **kw) -> Servers:
    return Servers(list(specs), log=tmp_path / "mcp.log", **kw)


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a child of ours that ended stays a zombie until reaped
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.1)
    return False


def test_mcp_server_time_lists_and_answers(tmp_path):
    spec = ServerSpec("time", command=sys.executable, args=("-m", "mcp_server_time", "--local-timezone", "UTC"))
    servers = _servers(spec, tmp_path=tmp_path)
    try:
        assert servers.state("time") == "stopped"  # started on first use, not before
        tools = {t.name: t for t in servers.tools("time")}
        assert {"get_current_time", "convert_time"} <= set(tools)
        assert "timezone" in tools["get_current_time"].schema["properties"]
        assert tools["get_current_time"].tokens > 20
        assert servers.state("time") == "running"
        result = servers.call("time", "get_current_time", {"timezone": "Asia/Tokyo"})
        assert not result.error and json.loads(result.text)["timezone"] == "Asia/Tokyo" and result.ms >= 0
        bad = servers.call("time", "get_current_time", {"timezone": "Nowhere/Atlantis"})
        assert bad.error and "Nowhere/Atlantis" in bad.text  # the tool's own failure: a result the model sees
    finally:
        servers.close()
    assert servers.state("time") == "stopped"
    assert "Nowhere/Atlantis" in (tmp_path / "mcp.log").read_text()  # its stderr went to the log, not ours


def test_a_stdio_server_gets_an_allow_listed_environment(tmp_path, probe, monkeypatch):
    monkeypatch.setenv("MNEMO_TEST_SECRET", "do-not-pass")
    spec = ServerSpec("probe", command=sys.executable, args=(str(probe),), env={"GIVEN_TO_IT": "1"})
    servers = _servers(spec, tmp_path=tmp_path)
    try:
        names = servers.call("probe", "env", {}).text.split()
        assert "GIVEN_TO_IT" in names and "PATH" in names
        assert "MNEMO_TEST_SECRET" not in names
    finally:
        servers.close()


def test_a_killed_server_is_one_error_and_the_next_use_starts_it_again(tmp_path, probe):
    servers = _servers(ServerSpec("probe", command=sys.executable, args=(str(probe),)), tmp_path=tmp_path)
    try:
        first = int(servers.call("probe", "pid", {}).text)
        killer = threading.Timer(1.0, os.kill, (first, signal.SIGKILL))
        killer.start()
        with pytest.raises(ToolError, match="stopped during slow"):
            servers.call("probe", "slow", {"seconds": 30})
        killer.join()
        second = int(servers.call("probe", "pid", {}).text)
        assert second != first and _gone(first)
    finally:
        servers.close()
    assert _gone(second)  # close ends the processes it started


def test_a_call_past_its_timeout_is_one_error(tmp_path, probe):
    servers = _servers(ServerSpec("probe", command=sys.executable, args=(str(probe),), timeout=1), tmp_path=tmp_path)
    try:
        started = time.monotonic()
        with pytest.raises(ToolError, match=r"slow on 'probe' did not answer within 1 s"):
            servers.call("probe", "slow", {"seconds": 20})
        assert time.monotonic() - started < 10
    finally:
        servers.close()


def test_servers_that_never_start_say_so_in_one_line(tmp_path):
    missing = ServerSpec("missing", command="/nonexistent/mcp-server")
    silent = ServerSpec("silent", command=sys.executable, args=("-c", "import time; time.sleep(60)"))
    crashing = ServerSpec("crashing", command=sys.executable, args=("-c", "import sys; sys.exit(3)"))
    servers = _servers(missing, silent, crashing, tmp_path=tmp_path, start_timeout=3)
    try:
        with pytest.raises(ToolError, match="'missing' did not start: its command was not found"):
            servers.tools("missing")
        started = time.monotonic()
        with pytest.raises(ToolError, match="'silent' did not start within 3 s"):
            servers.tools("silent")
        assert time.monotonic() - started < 15
        with pytest.raises(ToolError, match="'crashing' did not start"):
            servers.tools("crashing")
        with pytest.raises(ToolError, match="no MCP server named 'other'"):
            servers.tools("other")
    finally:
        servers.close()


def test_streamable_http_on_localhost(tmp_path, probe):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(probe), "http"],
        env={**os.environ, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        servers = _servers(ServerSpec("web", url=f"http://127.0.0.1:{port}/mcp"), tmp_path=tmp_path)
        try:
            assert {"pid", "env", "slow"} <= {t.name for t in servers.tools("web")}
            assert int(servers.call("web", "pid", {}).text) == proc.pid
        finally:
            servers.close()
    finally:
        proc.kill()
        proc.wait(10)
