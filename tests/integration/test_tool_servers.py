"""The Done-when case, with real MCP servers from PyPI and mnemo's scripted tool-capable
model: "What time is it in Tokyo?" calls mcp-server-time once the user allows it, and
mcp-server-git on a temporary repository asks before a writing tool (a denial leaves the
repository as it was)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from mnemo import Assistant
from mnemo.engine import scripted
from mnemo.engine.scripted import call_text
from mnemo.paths import Home
from mnemo.tools.policy import Answer

pytestmark = pytest.mark.slow  # real servers start

MODELS = 'default = "qwen-like"\n[[models]]\nname = "qwen-like"\nkind = "scripted"\ntools = true\n'


def _config(name: str, *args: str, trust: bool = False) -> str:
    listed = ", ".join(json.dumps(a) for a in args)
    return f"[mcp.servers.{name}]\ncommand = {json.dumps(sys.executable)}\nargs = [{listed}]\n" + (
        "trust = true\n" if trust else ""
    )


def _open(home, script, config):
    (home / "models.toml").write_text(MODELS)
    (home / "config.toml").write_text(config)
    make = scripted.factory(family="hermes", script=script)
    return Assistant.open(engine_factory=make), make


def test_what_time_is_it_in_tokyo_calls_mcp_server_time_once_allowed(home):
    config = _config("time", "-m", "mcp_server_time", "--local-timezone", "UTC")
    call = call_text("hermes", "get_current_time", {"timezone": "Asia/Tokyo"})
    a, make = _open(home, ["I'll check the time in Tokyo. " + call], config)
    asked = []

    def approve(pending):
        asked.append(pending)
        return Answer.ONCE

    try:
        stream = a.stream("What time is it in Tokyo?", approve=approve)
        list(stream)
        reply = stream.reply
        (pending,) = asked  # an untrusted server's tool asks
        assert (pending.tool, pending.server) == ("get_current_time", "time")
        (done,) = reply.tool_calls
        assert (done.tool, done.server, done.decision, done.arguments) == (
            "get_current_time",
            "time",
            "allow",
            {"timezone": "Asia/Tokyo"},
        )
        result = json.loads(done.result)
        assert result["timezone"] == "Asia/Tokyo" and "+09:00" in result["datetime"]
        assert result["datetime"] in reply.text  # the answer uses the result
        assert "<tool_call>" not in reply.text
        assert reply.to_dict()["tool_calls"] == [
            {
                "tool": "get_current_time",
                "server": "time",
                "arguments": {"timezone": "Asia/Tokyo"},
                "decision": "allow",
                "result": done.result,
                "error": None,
                "ms": done.ms,
            }
        ]
        assert a.tool_calls(reply.message_id) == [done]
        db = sqlite3.connect(Home.resolve(home).db_path)
        row = db.execute(
            "select tool, server, arguments, decision, result, message_id, conversation_id from tool_calls"
        ).fetchone()
        assert row == (
            "get_current_time",
            "time",
            '{"timezone": "Asia/Tokyo"}',
            "allow",
            done.result,
            reply.message_id,
            reply.conversation_id,
        )
        assert a.toolbox.state("time") == "running"
        assert make.made[-1].seen[-1][0][-1]["role"] == "tool"
    finally:
        a.close()


def test_a_denied_time_call_runs_nothing_and_the_model_hears_why(home):
    config = _config("time", "-m", "mcp_server_time", "--local-timezone", "UTC")
    a, _ = _open(home, [call_text("hermes", "get_current_time", {"timezone": "Asia/Tokyo"})], config)
    try:
        reply = a.send("What time is it in Tokyo?", approve=lambda call: Answer.DENY)
        (done,) = reply.tool_calls
        assert done.decision == "deny" and done.why == "you denied it" and "did not run" in done.result
        assert "+09:00" not in reply.text
    finally:
        a.close()


def _git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q")
    (path / "notes.txt").write_text("first\n")
    _git(path, "add", "notes.txt")
    _git(path, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qm", "first")
    (path / "notes.txt").write_text("first\nsecond\n")
    return path


def test_mcp_server_git_asks_before_writing_and_a_denial_leaves_the_repository_unchanged(home, repo):
    config = _config("git", "-m", "mcp_server_git", "--repository", str(repo), trust=True)
    status = call_text("hermes", "git_status", {"repo_path": str(repo)})
    add = call_text("hermes", "git_add", {"repo_path": str(repo), "files": ["notes.txt"]})
    a, _ = _open(home, [status, add], config)
    head, staged = _git(repo, "rev-parse", "HEAD"), _git(repo, "diff", "--cached")
    asked = []

    def approve(pending):
        asked.append(pending.tool)
        return Answer.DENY

    try:
        reply = a.send("Stage my notes", approve=approve)
        read, write = reply.tool_calls
        assert read.tool == "git_status" and read.decision == "allow"  # read-only, on a trusted server
        assert "notes.txt" in read.result
        assert asked == ["git_add"]  # the writing tool asked, the reading one did not
        assert write.decision == "deny" and write.why == "you denied it"
        assert _git(repo, "rev-parse", "HEAD") == head and _git(repo, "diff", "--cached") == staged == ""
        assert (repo / "notes.txt").read_text() == "first\nsecond\n"
    finally:
        a.close()
