"""The CLI in pipes: stdin with and without an argument, tables that grep and cut can read,
help that says values in words, unknown model names answered with catalog names."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, write_user_models

pytestmark = pytest.mark.usefixtures("scripted_home")


def user_messages(home: Path) -> list[str]:
    db = sqlite3.connect(home / "mnemo.db")
    try:
        return [r[0] for r in db.execute("SELECT content FROM messages WHERE role = 'user' ORDER BY id")]
    finally:
        db.close()


def test_an_argument_and_piped_text_are_one_message(mnemo_process, home: Path) -> None:
    result = mnemo_process("ask", "Summarise this", input="The meeting moved to Thursday.\n")
    assert result.returncode == 0, result.stderr
    assert user_messages(home) == ["Summarise this\n\nThe meeting moved to Thursday.\n"]
    assert result.stdout.startswith("Echo: Summarise this The meeting moved to Thursday.")


def test_piped_text_alone_is_the_message_without_a_dash(mnemo_process, home: Path) -> None:
    result = mnemo_process("ask", input="hi there\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Echo: hi there"
    assert user_messages(home) == ["hi there\n"]


def test_the_explicit_dash_still_reads_stdin(mnemo_process) -> None:
    result = mnemo_process("ask", "-", input="from the pipe")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Echo: from the pipe"


def test_an_argument_with_stdin_from_dev_null_is_the_argument_alone(mnemo_process, home: Path) -> None:
    result = mnemo_process("ask", "just this")  # the fixture's stdin is /dev/null
    assert result.returncode == 0, result.stderr
    assert user_messages(home) == ["just this"]


def test_an_empty_stdin_and_no_argument_is_one_usage_line(mnemo_process) -> None:
    result = mnemo_process("ask", input="")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnemo: ") and "stdin" in lines[0]
    nothing = mnemo_process("ask")  # /dev/null: nothing piped in
    assert nothing.returncode == 2 and len(nothing.stderr.strip().splitlines()) == 1


def test_a_huge_stdin_is_cut_and_answered(mnemo_process, home: Path) -> None:
    write_user_models(home, 'default = "echo"\n[[models]]\nname = "echo"\nkind = "scripted"\nn_ctx = 2048\n')
    material = " ".join(f"word{i}" for i in range(40_000))  # about 290 KB, far over 2048 tokens
    result = mnemo_process("ask", "What is this?", input=material)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Echo: What is this?")
    assert "was cut to fit" in result.stderr
    assert user_messages(home) == [f"What is this?\n\n{material}"]  # stored whole


def test_an_empty_reply_is_an_error_not_a_silent_success(mnemo, monkeypatch: pytest.MonkeyPatch) -> None:
    from mnemo.engine.scripted import ScriptedEngine

    monkeypatch.setattr(ScriptedEngine, "reply_words", lambda self, messages: [])
    result = mnemo("ask", "anything")
    assert result.returncode == 1
    assert "empty reply" in result.stderr


# ---------------------------------------------------------------------------- tables


def test_tables_through_a_pipe_are_tab_separated_lines(mnemo, home: Path) -> None:
    long_title = "a conversation about " + " ".join(["giraffes"] * 30)
    assert mnemo("ask", long_title).returncode == 0
    out = mnemo("conversations", "list").stdout.splitlines()
    assert out[0].split("\t") == ["id", "updated", "messages", "model", "title"]
    assert len(out) == 2  # one record, one line: nothing wrapped
    fields = out[1].split("\t")
    assert fields[0] == "1" and fields[2] == "2" and fields[3] == "echo"
    assert fields[4].startswith("a conversation about giraffes")

    models = mnemo("models", "list").stdout.splitlines()
    assert models[0].split("\t") == ["", "name", "kind", "fits", "source", "description"]
    echo = next(line.split("\t") for line in models[1:] if line.split("\t")[1] == "echo")
    assert echo[0] == "*" and echo[2] == "scripted"

    catalog = mnemo("models", "catalog").stdout.splitlines()
    assert catalog[0].startswith("name\tparams\tquant\tsize")
    assert all(len(line.split("\t")) == 8 for line in catalog)
    assert "qwen3-4b" in [line.split("\t")[0] for line in catalog[1:]]


def test_memory_list_through_a_pipe_is_tab_separated(mnemo) -> None:
    assert mnemo("memory", "add", "My sister lives in Lisbon and works as a nurse").returncode == 0
    out = mnemo("memory", "list").stdout.splitlines()
    assert out[0].split("\t") == ["id", "kind", "status", "created", "text"]
    assert len(out) == 2 and out[1].split("\t")[4] == "The user's sister lives in Lisbon and works as a nurse."


def test_a_table_on_a_terminal_is_rich(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from mnemo.cli import common

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    common.print_table(("id", "name"), [("1", "one\tword")])
    out = capsys.readouterr().out
    assert "\t" not in out and "name" in out and "one" in out


# ---------------------------------------------------------------------------- help


def commands(group, path=()):
    from typer.main import get_command

    import mnemo.cli

    group = group or get_command(mnemo.cli.app)
    yield path
    for name, cmd in getattr(group, "commands", {}).items():
        if not cmd.hidden:
            yield from commands(cmd, (*path, name))


def test_every_help_says_values_in_words_and_fits_80_columns() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    paths = list(commands(None))
    assert ("ask",) in paths and ("models", "pull") in paths and ("eval", "recall") in paths
    script = (
        "import sys\nfrom mnemo.cli import app\n"
        "for args in " + repr([list(p) for p in paths]) + ":\n"
        "    print('=== ' + ' '.join(args))\n"
        "    try:\n        app(args + ['--help'], prog_name='mnemo')\n"
        "    except SystemExit:\n        pass\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    ).stdout
    assert out.count("=== ") == len(paths) and "Usage: mnemo ask [OPTIONS] [TEXT]" in out
    for bad in ("<bool>", "<int", "<str>", "{text}", "{WHAT}", "range>", "[x>=", "[x<="):
        assert bad not in out, bad
    long = [line for line in out.splitlines() if len(line) > 100]
    assert not long, long
    assert "--max-tokens N" in out and "[1 or more]" in out


# ---------------------------------------------------------------------------- models


def test_models_show_leaves_out_unset_fields(mnemo) -> None:
    out = mnemo("models", "show", "echo").stdout
    assert "echo" in out
    assert "None" not in out
    assert "()" not in out and "[]" not in out  # an empty list of stop strings is left out too
    assert "temperature:" in out  # the set ones stay


@pytest.mark.parametrize(
    "args",
    [
        ("models", "pull", "qwen3-4"),
        ("models", "show", "qwen3-4"),
        ("models", "use", "qwen3-4"),
        ("ask", "-m", "qwen3-4", "hi"),
    ],
)
def test_an_unknown_model_name_suggests_catalog_names(mnemo, args: tuple[str, ...]) -> None:
    result = mnemo(*args)
    assert result.returncode == 2
    assert "unknown model 'qwen3-4'" in result.stderr
    assert "close names in the catalog: qwen3-4b" in result.stderr
    assert "echo" in result.stderr  # the installed ones are still named
