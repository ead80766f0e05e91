"""`mnemo ask` with mnemo's own tools, in-process on the scripted stand-in (fast: no server
starts): a call that asks is denied without a terminal and changes nothing, --allow-tool
lets it run, /tool forces a call on a model that does not use tools, and each call is in
--json, on stderr and in `conversations show`."""

from __future__ import annotations

import pytest

from tests.conftest import SCRIPTED_MODELS, write_user_models
from tests.scripted_mnemo import install

TOOL_MODEL = SCRIPTED_MODELS + "tools = true\n"


@pytest.fixture
def script(scripted_home, monkeypatch):
    """``script(*replies)``: the next models opened (tool-capable, hermes syntax) write these."""
    from mnemo import engine

    write_user_models(scripted_home, TOOL_MODEL)

    def make(*replies: str) -> list:
        monkeypatch.setattr(engine, "_OPENERS", dict(engine._OPENERS))  # undone after the test
        return install("hermes", list(replies))

    return make


def hermes(name: str, arguments: dict) -> str:
    from mnemo.engine.scripted import call_text

    return call_text("hermes", name, arguments)


def _memories(mnemo) -> list[str]:
    return [m["text"] for m in mnemo("memory", "list", "--json").json()]


def test_forget_asks_so_without_a_terminal_it_is_denied_and_nothing_is_forgotten(script, mnemo):
    assert mnemo("memory", "add", "I live in Prague").returncode == 0
    script(hermes("forget", {"query": "where I live"}), "I did not forget it.")
    r = mnemo("ask", "--json", "Tidy up what you know about my home town")
    assert r.returncode == 0, r.stderr
    [call] = r.json()["tool_calls"]
    assert (call["tool"], call["server"], call["decision"]) == ("forget", "mnemo", "deny")
    assert "tool forget (mnemo): denied: not allowed without a terminal to ask (use --allow-tool forget)" in r.stderr
    assert any("Prague" in m for m in _memories(mnemo))


def test_allow_tool_names_a_builtin_for_this_run(script, mnemo):
    assert mnemo("memory", "add", "I live in Prague").returncode == 0
    script(hermes("forget", {"query": "Prague"}), "Done.")
    r = mnemo("ask", "--allow-tool", "forget", "Tidy up what you know about my home town")
    assert r.returncode == 0, r.stderr
    assert "tool forget (mnemo): allowed, " in r.stderr
    assert not any("Prague" in m for m in _memories(mnemo))
    assert r.stdout.strip() == "Done."  # the call's text is not part of the reply


def test_a_read_only_builtin_runs_and_shows_in_the_conversation(script, mnemo):
    script(hermes("current_time", {}), "It is morning.")
    r = mnemo("ask", "--json", "What time is it?")
    assert r.returncode == 0, r.stderr
    data = r.json()
    [call] = data["tool_calls"]
    assert call["decision"] == "allow" and call["result"] and call["error"] is None
    shown = mnemo("conversations", "show", str(data["conversation_id"])).stdout
    assert "⚙ `current_time` (mnemo) · allowed (read-only, mnemo's own) · " in shown
    assert f"    {call['result']}" in shown


def test_tool_forces_a_call_on_a_model_that_does_not_use_tools(scripted_home, mnemo):
    r = mnemo("ask", "--json", "/tool current_time")  # the plain scripted model: tools = false
    assert r.returncode == 0, r.stderr
    [call] = r.json()["tool_calls"]
    assert (call["tool"], call["decision"]) == ("current_time", "allow") and call["result"]
    assert "tool current_time (mnemo): allowed, " in r.stderr


def test_a_bad_forced_call_is_one_line_exit_2(scripted_home, mnemo):
    r = mnemo("ask", "/tool nonesuch {}")
    assert r.returncode == 2 and "/tool: there is no tool named nonesuch" in r.stderr
    bad = mnemo("ask", "/tool current_time {not json")
    assert bad.returncode == 2 and "the arguments are not JSON" in bad.stderr


def test_tools_none_offers_nothing_and_unknown_names_are_bad_input(script, mnemo):
    made = script("Nothing to call.")
    assert mnemo("ask", "--tools", "none", "Hello").returncode == 0
    assert not made[-1].seen[-1][1]
    made = script("Nothing to call.")
    assert mnemo("ask", "--tools", "mnemo", "Hello").returncode == 0  # a server's name: all its tools
    assert len(made[-1].seen[-1][1]) == 5
    r = mnemo("ask", "--allow-tool", "nonesuch", "Hello")
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "mnemo: --allow-tool: there is no tool or MCP server named 'nonesuch'; `mnemo mcp list` shows them"
    )


def test_show_cuts_a_long_result_and_export_keeps_it_whole(script, mnemo, home, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "list.txt").write_text("".join(f"item {i}\n" for i in range(1, 21)))
    (home / "config.toml").write_text(f"[tools]\nread_folders = [{str(folder)!r}]\n".replace("'", '"'))
    script(hermes("read_file", {"path": "list.txt"}), "Twenty items.")
    data = mnemo("ask", "--json", "How long is my list?").json()
    assert data["tool_calls"][0]["result"].startswith("item 1\n")
    cid = str(data["conversation_id"])
    shown = mnemo("conversations", "show", cid).stdout
    assert "    item 6" in shown and "    item 7" not in shown and "    … 14 more lines" in shown
    exported = mnemo("conversations", "export", cid).stdout
    assert "    item 20" in exported and "more lines" not in exported


def test_offering_only_a_server_that_will_not_start_says_why(script, scripted_home, mnemo):
    (scripted_home / "config.toml").write_text('[mcp.servers.ghost]\ncommand = "/nonexistent/mcp-ghost"\n')
    script("Nothing to call.")
    r = mnemo("ask", "--tools", "ghost", "What is in my notes?")
    assert r.returncode == 0, r.stderr
    assert "ghost" in r.stderr and "did not start" in r.stderr  # one note, not silence
