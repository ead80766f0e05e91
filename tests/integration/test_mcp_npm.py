"""MCP servers from npm that nobody here wrote, run with the machine's node: the official
filesystem server over stdio on a temporary folder, and the "everything" server over
streamable HTTP on 127.0.0.1. The set-up command installs them into mcp-servers/ (npm ci),
so nothing is downloaded here."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.tools import policy
from mnemo.tools.mcp import Servers, ServerSpec, ToolError
from tests.integration.npm import node, npm_server

pytestmark = pytest.mark.slow  # node servers start in a second or two each


def filesystem_spec(folder: Path, **kw) -> ServerSpec:
    return ServerSpec("files", command=node(), args=(str(npm_server("server-filesystem")), str(folder)), **kw)


def test_filesystem_server_reads_in_its_folder_and_marks_what_writes(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text("buy oat milk\n")
    spec = filesystem_spec(folder, trust=True)
    servers = Servers([spec], log=tmp_path / "mcp.log")
    try:
        tools = {t.name: t for t in servers.tools("files")}
        assert {"read_text_file", "write_file", "edit_file", "list_directory"} <= set(tools)
        assert tools["read_text_file"].read_only and not tools["write_file"].read_only
        read_rule = policy.rule_for("read_text_file", spec.tools, trusted=spec.trust, read_only=True)
        write_rule = policy.rule_for("write_file", spec.tools, trusted=spec.trust, read_only=False)
        assert (read_rule, write_rule) == (policy.Rule.ALLOW, policy.Rule.ASK)
        result = servers.call("files", "read_text_file", {"path": str(folder / "todo.txt")})
        assert not result.error and result.text == "buy oat milk\n"
        outside = servers.call("files", "read_text_file", {"path": str(tmp_path / "mcp.log")})
        assert outside.error and "denied" in outside.text.lower()  # the server keeps to its folder
        listing = servers.call("files", "list_directory", {"path": str(folder)})
        assert "todo.txt" in listing.text
    finally:
        servers.close()


def test_filesystem_server_writes_only_when_it_is_called(tmp_path):
    """The write the loop denies is one it never sends; one it allows changes the file (so
    an unchanged file after a denial says the denial held, not that writing fails)."""
    folder = tmp_path / "notes"
    folder.mkdir()
    target = folder / "todo.txt"
    target.write_text("buy oat milk\n")
    servers = Servers([filesystem_spec(folder)], log=tmp_path / "mcp.log")
    try:
        decision, answer = policy.decide(policy.Rule.ASK, ask=lambda: policy.Answer.DENY)
        assert not decision.allowed and answer is policy.Answer.DENY
        assert target.read_text() == "buy oat milk\n"
        written = servers.call("files", "write_file", {"path": str(target), "content": "sell the car\n"})
        assert not written.error, written.text
        assert target.read_text() == "sell the car\n"
    finally:
        servers.close()


def test_everything_server_over_streamable_http(everything, tmp_path):
    servers = Servers([ServerSpec("everything", url=everything.url)], log=tmp_path / "mcp.log")
    try:
        assert servers.state("everything") == "stopped"
        tools = {t.name: t for t in servers.tools("everything")}
        assert {"echo", "get-sum"} <= set(tools)
        assert tools["echo"].schema["properties"]["message"]["type"] == "string" and tools["echo"].tokens > 10
        assert servers.call("everything", "echo", {"message": "hello from mnemo"}).text == "Echo: hello from mnemo"
        assert servers.call("everything", "get-sum", {"a": 2, "b": 40}).text == "The sum of 2 and 40 is 42."
        bad = servers.call("everything", "get-sum", {"a": "two"})
        assert bad.error  # arguments the tool rejects: a result the model reads, not a crash
        assert servers.state("everything") == "running"
    finally:
        servers.close()
    assert servers.state("everything") == "stopped"


def test_a_killed_http_server_is_one_error_line(everything, tmp_path):
    servers = Servers([ServerSpec("everything", url=everything.url)], log=tmp_path / "mcp.log", start_timeout=5)
    try:
        assert servers.call("everything", "echo", {"message": "a"}).text == "Echo: a"
        everything.proc.kill()
        everything.proc.wait(10)
        with pytest.raises(ToolError) as e:
            servers.call("everything", "echo", {"message": "b"})
        assert "'everything'" in str(e.value) and "\n" not in str(e.value)
        with pytest.raises(ToolError, match="'everything' did not start"):  # the next use tries again, and says so
            servers.tools("everything")
    finally:
        servers.close()
