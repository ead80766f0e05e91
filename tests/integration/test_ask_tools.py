"""`mnemo ask` with tools, end to end: the scripted stand-in as a tool-capable model that
writes real calls (hermes syntax) to the real npm servers (server-filesystem over stdio on
a temporary folder, server-everything over streamable HTTP on 127.0.0.1); the approval
prompt on a real terminal (a pty); the calls in --json, on stderr, in the database and in
`conversations show` / `export`."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import SCRIPTED_MODELS, write_user_models
from tests.integration.npm import ROOT, node, npm_server
from tests.scripted_mnemo import install

pytestmark = pytest.mark.slow  # a node server starts for each

TOOL_MODEL = SCRIPTED_MODELS + "tools = true\n"
TODO = "buy oat milk\n"


def hermes(name: str, arguments: dict) -> str:
    from mnemo.engine.scripted import call_text

    return call_text("hermes", name, arguments)


@pytest.fixture
def notes(tmp_path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.txt").write_text(TODO)
    return folder


@pytest.fixture
def files_home(home, notes) -> Path:
    """A home whose default model handles tools and whose config.toml has the filesystem
    server on ``notes``, trusted (its read-only tools run without asking)."""
    write_user_models(home, TOOL_MODEL)
    (home / "config.toml").write_text(
        "[mcp.servers.files]\n"
        f"command = {json.dumps(node())}\n"
        f"args = [{json.dumps(str(npm_server('server-filesystem')))}, {json.dumps(str(notes))}]\n"
        "trust = true\n"
    )
    return home


def _script(monkeypatch, *replies: str) -> list:
    """The next models opened write ``replies``; the engines made are in the list returned."""
    from mnemo import engine

    monkeypatch.setattr(engine, "_OPENERS", dict(engine._OPENERS))  # undone after the test
    return install("hermes", list(replies))


def test_a_read_only_tool_of_a_trusted_server_runs_and_the_answer_uses_it(files_home, notes, mnemo, monkeypatch):
    made = _script(monkeypatch, hermes("read_text_file", {"path": str(notes / "todo.txt")}), "You need oat milk.")
    r = mnemo("ask", "--json", "What is on my todo list?")
    assert r.returncode == 0, r.stderr
    data = r.json()
    [call] = data["tool_calls"]
    assert call == {
        "tool": "read_text_file",
        "server": "files",
        "arguments": {"path": str(notes / "todo.txt")},
        "decision": "allow",
        "result": TODO,
        "error": None,
        "ms": call["ms"],
    }
    assert data["reply"] == "You need oat milk."
    second = made[-1].seen[-1][0]  # the model's second generation was given the result
    assert any(m.get("role") == "tool" and "buy oat milk" in (m.get("content") or "") for m in second)
    assert "tool read_text_file (files): allowed, " in r.stderr

    shown = mnemo("conversations", "show", str(data["conversation_id"]))
    assert '⚙ `read_text_file` (files) `{"path": ' in shown.stdout and "    buy oat milk" in shown.stdout
    assert shown.stdout.index("⚙ `read_text_file`") < shown.stdout.index("You need oat milk.")
    exported = json.loads(mnemo("conversations", "export", str(data["conversation_id"]), "-f", "json").stdout)
    reply = exported["messages"][-1]
    assert reply["id"] == data["message_id"]
    assert reply["tool_calls"][0]["result"] == TODO and reply["tool_calls"][0]["decision"] == "allow"
    assert reply["tool_calls"][0]["why"] == "read-only, on a trusted server"
    assert "· allowed (read-only, on a trusted server) · " in shown.stdout


def test_a_write_without_a_terminal_is_denied_and_the_file_is_unchanged(files_home, notes, mnemo, monkeypatch):
    write = hermes("write_file", {"path": str(notes / "todo.txt"), "content": "sell the car\n"})
    made = _script(monkeypatch, write, "I could not change it.")
    r = mnemo("ask", "--json", "Replace my todo list with: sell the car")
    assert r.returncode == 0, r.stderr
    [call] = r.json()["tool_calls"]
    assert call["decision"] == "deny" and call["result"] and "did not run" in call["result"]
    assert (notes / "todo.txt").read_text() == TODO
    assert (
        "tool write_file (files): denied: not allowed without a terminal to ask (use --allow-tool write_file)"
        in r.stderr
    )
    told = made[-1].seen[-1][0]  # the denial is a tool result the model reads
    assert any(m.get("role") == "tool" and "did not run" in (m.get("content") or "") for m in told)


def test_allow_tool_lets_this_run_write(files_home, notes, mnemo, monkeypatch):
    write = hermes("write_file", {"path": str(notes / "todo.txt"), "content": "sell the car\n"})
    _script(monkeypatch, write, "Done.")
    r = mnemo("ask", "--allow-tool", "write_file", "Replace my todo list with: sell the car")
    assert r.returncode == 0, r.stderr
    assert (notes / "todo.txt").read_text() == "sell the car\n"
    assert "tool write_file (files): allowed, " in r.stderr
    # a server's name allows all of its tools for the run
    _script(monkeypatch, hermes("write_file", {"path": str(notes / "todo.txt"), "content": "x\n"}), "Done.")
    assert mnemo("ask", "--allow-tool", "files", "Write x").returncode == 0
    assert (notes / "todo.txt").read_text() == "x\n"
    # and "server.tool" names one server's tool
    _script(monkeypatch, hermes("write_file", {"path": str(notes / "todo.txt"), "content": "y\n"}), "Done.")
    assert mnemo("ask", "--allow-tool", "files.write_file", "Write y").returncode == 0
    assert (notes / "todo.txt").read_text() == "y\n"


def test_tools_picks_what_is_offered(files_home, mnemo, monkeypatch):
    made = _script(monkeypatch, "Nothing to call.")
    assert mnemo("ask", "--tools", "none", "Hello").returncode == 0
    assert not made[-1].seen[-1][1]  # no tools given to the model
    made = _script(monkeypatch, "Nothing to call.")
    assert mnemo("ask", "--tools", "current_time,read_text_file", "Hello").returncode == 0
    offered = {
        t["name"] if isinstance(t, dict) and "name" in t else t["function"]["name"] for t in made[-1].seen[-1][1]
    }
    assert offered == {"current_time", "read_text_file"}


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (("--tools", "nonesuch"), "--tools: there is no tool or MCP server named 'nonesuch'"),
        (("--allow-tool", "rm_rf"), "--allow-tool: there is no tool or MCP server named 'rm_rf'"),
        (("--tools", " , "), "--tools needs tool or server names"),
    ],
)
def test_unknown_tool_names_are_bad_input(files_home, mnemo, monkeypatch, flags, says):
    _script(monkeypatch, "unused")
    r = mnemo("ask", *flags, "Hello")
    assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert mnemo("conversations", "list", "--json").json() == []  # nothing was sent or stored


def test_everything_server_over_http_through_ask(home, mnemo, monkeypatch, everything):
    write_user_models(home, TOOL_MODEL)
    (home / "config.toml").write_text(f'[mcp.servers.everything]\nurl = "{everything.url}"\ntrust = true\n')
    _script(monkeypatch, hermes("get-sum", {"a": 2, "b": 40}), "It is 42.")
    r = mnemo("ask", "--json", "What is 2 + 40?")
    assert r.returncode == 0, r.stderr
    [call] = r.json()["tool_calls"]
    assert (call["server"], call["decision"], call["result"]) == ("everything", "allow", "The sum of 2 and 40 is 42.")


# ------------------------------------------------------------------ on a real terminal


def _on_a_terminal(args: list[str], env: dict[str, str], answer: str, timeout: float = 120) -> tuple[int, str, str]:
    """Run the scripted `mnemo` with stdin and stderr on a pty (stdout a pipe); type
    ``answer`` once the question is on the terminal. Returns (exit, stdout, terminal)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.scripted_mnemo", *args],
        stdin=slave,
        stderr=slave,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    seen = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the process ended: the terminal is closed
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"[o]nce / [a]lways / [d]eny" in seen:
                os.write(master, answer.encode())
                answered = True
            if proc.poll() is not None and not ready:
                break
        else:
            pytest.fail(f"mnemo did not finish within {timeout} s; the terminal showed: {seen.decode()!r}")
        out = proc.stdout.read().decode() if proc.stdout else ""
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        os.close(master)
    return proc.returncode, out, seen.decode(errors="replace")


@pytest.mark.parametrize(("answer", "content"), [("d\n", TODO), ("o\n", "sell the car\n"), ("a\n", "sell the car\n")])
def test_a_write_asks_on_the_terminal(files_home, notes, answer, content):
    write = hermes("write_file", {"path": str(notes / "todo.txt"), "content": "sell the car\n"})
    env = {
        **os.environ,
        "MNEMO_HOME": str(files_home),
        "MNEMO_TEST_FAMILY": "hermes",
        "MNEMO_TEST_SCRIPT": json.dumps([write, "All right."]),
        "COLUMNS": "200",
    }
    rc, out, terminal = _on_a_terminal(["ask", "Replace my todo list with: sell the car"], env, answer)
    assert rc == 0, terminal
    assert "Allow mnemo to run write_file (files) with these arguments?" in terminal
    assert '"content": "sell the car\\n"' in terminal
    assert (notes / "todo.txt").read_text() == content  # a denial left the file as it was
    decided = "denied: you denied it" if answer == "d\n" else "allowed, "
    assert f"tool write_file (files): {decided}" in terminal
    assert out.strip() == "All right."
    rules = tomllib.loads((files_home / "config.toml").read_text())["mcp"]["servers"]["files"].get("tools", {})
    assert rules == ({"write_file": "allow"} if answer == "a\n" else {})  # "always" is kept in config.toml


def test_mcp_list_shows_the_filesystem_servers_tools_and_a_name_two_servers_share(files_home, mnemo):
    data = mnemo("mcp", "list", "--json").json()
    files = next(s for s in data["servers"] if s["name"] == "files")
    tools = {t["name"]: t for t in files["tools"]}
    assert files["state"] == "running"
    assert (tools["read_text_file"]["rule"], tools["write_file"]["rule"]) == ("allow", "ask")  # trusted: reads run
    assert tools["read_file"]["same_name_as"] == "mnemo" and tools["write_file"]["same_name_as"] is None
    rows = [r.split("\t") for r in mnemo("mcp", "list").stdout.splitlines()]
    assert any(r[0] == "files" and r[2] == "read_file" and r[5] == "read-only, same name as mnemo's" for r in rows)
