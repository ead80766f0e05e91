"""Nothing leaves the machine: no network connection in a whole session, private files,
and deleting really deletes (checked in the bytes of the database file)."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

# Python's audit hooks see every socket a process opens or resolves, whichever library asks.
GUARD = r"""
import socket, sys

def _guard(event, args):
    if event == "socket.getaddrinfo" or event == "socket.gethostbyname" or (
            event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6)):
        with open({log!r}, "a") as f:
            f.write(f"{{event}} {{args!r}}\n")
        raise OSError(f"mnemo test: network blocked ({{event}})")

sys.addaudithook(_guard)
"""


@pytest.fixture
def guarded_env(home: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose Python processes log and refuse any network access."""
    site = tmp_path / "guard"
    site.mkdir()
    log = tmp_path / "network.log"
    (site / "sitecustomize.py").write_text(GUARD.format(log=str(log)))
    env = {**os.environ, "MNEMO_HOME": str(home), "PYTHONPATH": str(site)}
    return env, log


def test_the_guard_itself_catches_a_connection(guarded_env):
    import subprocess

    env, log = guarded_env
    for code in (
        "import socket; socket.socket().connect(('127.0.0.1', 9))",
        "import urllib.request; urllib.request.urlopen('http://example.com')",
    ):
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert r.returncode != 0 and "network blocked" in r.stderr
    assert "socket.connect" in log.read_text() and "socket.getaddrinfo" in log.read_text()


def test_a_whole_session_opens_no_network_connection(guarded_env, home):
    import subprocess

    env, log = guarded_env

    def run(*args: str, input: str | None = None) -> str:
        r = subprocess.run(
            [sys.executable, "-m", "mnemo", *args],
            env=env,
            capture_output=True,
            text=True,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            timeout=300,
        )
        assert r.returncode == 0, r.stderr
        return r.stdout

    run("ask", "--new", "My favourite river is the Danube.", "--max-tokens", "8")
    run("ask", "Which river do I like?", "--max-tokens", "8")
    run("memory", "add", "I keep bees.")
    run("memory", "search", "bees")
    run("memory", "list")
    run("conversations", "search", "Danube")
    run("models", "list")
    run("doctor")
    run("chat", "--help")
    run("eval", "ltm", "--span", "200", "--types", "key_value", "--agents", "mnemo", "--out", str(home.parent / "ltm"))
    probe = (
        "import asyncio, sys, time\n"
        "from mnemo.tui.app import MnemoApp\n"
        "from mnemo.tui.widgets.prompt import PromptInput\n"
        "async def main():\n"
        "    app = MnemoApp()\n"
        "    async with app.run_test() as pilot:\n"
        "        deadline = time.monotonic() + 180\n"
        "        while app.model_state != 'ready':\n"
        "            if app.model_state in ('failed', 'stopped') or time.monotonic() > deadline:\n"
        "                sys.exit(f'the model did not get ready: {app.model_state}')\n"
        "            await pilot.pause(0.02)\n"
        "        app.query_one(PromptInput).text = 'What do I keep?'\n"
        "        await pilot.press('enter')\n"
        "        await pilot.pause(0.1)\n"
        "        while app.generating:\n"
        "            if time.monotonic() > deadline:\n"
        "                sys.exit('the reply did not end within 180 s')\n"
        "            await pilot.pause(0.05)\n"
        "        app.assistant.wait_idle(60)\n"
        "asyncio.run(main())\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert not log.exists(), log.read_text()
    with sqlite3.connect(home / "mnemo.db") as conn:  # the session did happen
        assert conn.execute("select count(*) from messages").fetchone()[0] == 6


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_dir_database_and_exports_are_private(home, mnemo_process, tmp_path):
    assert mnemo_process("ask", "--new", "I was born in Lisbon.", "--max-tokens", "8").returncode == 0
    assert mnemo_process("memory", "export", "-o", str(tmp_path / "memories.json")).returncode == 0
    assert mnemo_process("conversations", "export", "1", "-o", str(tmp_path / "chat.md")).returncode == 0
    assert mode(home) == 0o700
    for name in ("mnemo.db", "mnemo.db-wal", "mnemo.db-shm"):
        if (home / name).exists():
            assert mode(home / name) == 0o600, name
    assert mode(tmp_path / "memories.json") == 0o600
    assert mode(tmp_path / "chat.md") == 0o600


def on_disk(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.glob("mnemo.db*") if p.is_file())


def index_terms(home: Path, table: str, prefix: str) -> list[str]:
    from sqlite_utils.utils import sqlite3 as mnemos_sqlite  # the SQLite mnemo writes with

    with mnemos_sqlite.connect(home / "mnemo.db") as conn:
        conn.execute(f"create virtual table temp.v_{table} using fts5vocab(main, {table}, 'row')")
        return [r[0] for r in conn.execute(f"select term from temp.v_{table} where term like ?", [prefix + "%"])]


def test_forgetting_everything_and_deleting_a_conversation_leave_no_trace_in_the_file(home, mnemo_process):
    said = "Remember that the spare key is under the quokkastone."
    assert mnemo_process("ask", "--new", said, "--max-tokens", "8").returncode == 0
    assert mnemo_process("ask", "My locker code is xylophonequartz.", "--max-tokens", "8").returncode == 0
    assert mnemo_process("memory", "add", "My bike is named zanzibarqueen.").returncode == 0
    data = on_disk(home)
    assert b"quokkastone" in data and b"zanzibarqueen" in data and b"xylophonequartz" in data
    assert index_terms(home, "memories_fts", "zanzibar")

    r = mnemo_process("memory", "forget", "--all", "--yes")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(home / "mnemo.db") as conn:
        assert conn.execute("select count(*) from memories").fetchone()[0] == 0
        assert conn.execute("select count(*) from memory_vectors").fetchone()[0] == 0
    assert index_terms(home, "memories_fts", "zanzibar") == []
    assert b"zanzibarqueen" not in on_disk(home)  # said only to memory: gone from the file
    assert b"quokkastone" in on_disk(home)  # still in the conversation, which was not deleted

    r = mnemo_process("conversations", "delete", "1", "--yes")
    assert r.returncode == 0, r.stderr
    assert index_terms(home, "messages_fts", "quokka") == []
    data = on_disk(home)
    assert b"quokkastone" not in data and b"xylophonequartz" not in data
