"""Issue 24's Done-when in the chat app and in `mnemo ask --json`, with the real
mcp-server-time from PyPI and mnemo's scripted tool-capable model: "What time is it in
Tokyo?" calls the server once the user allows it, the answer uses the result, and the call
is in the chat (its card), in --json and in the database; a denial changes nothing."""

from __future__ import annotations

import json
import sqlite3
import sys

import pytest

from mnemo.engine.scripted import call_text
from tests.conftest import SCRIPTED_MODELS, write_user_models
from tests.scripted_mnemo import install
from tests.tui.drive import until
from tests.tui.test_tools import SIZE, dialog_up, ready, send

pytestmark = pytest.mark.slow  # a real MCP server starts

TOKYO = call_text("hermes", "get_current_time", {"timezone": "Asia/Tokyo"})
CONFIG = (
    f"[mcp.servers.time]\ncommand = {json.dumps(sys.executable)}\n"
    'args = ["-m", "mcp_server_time", "--local-timezone", "UTC"]\n'
)


def _home(home):
    write_user_models(home, SCRIPTED_MODELS + "tools = true\n")
    (home / "config.toml").write_text(CONFIG)


def _rows(home) -> list[tuple]:
    with sqlite3.connect(home / "mnemo.db") as db:
        return db.execute("select tool, server, decision, result from tool_calls order by id").fetchall()


@pytest.mark.parametrize("key, decision", [("o", "allow"), ("d", "deny")])
async def test_the_chat_app_asks_then_the_card_shows_the_call_and_the_answer_uses_it(make_app, home, key, decision):
    from mnemo.engine import scripted
    from mnemo.tui.widgets.chat import MessageView
    from mnemo.tui.widgets.tool_card import ToolCard

    _home(home)
    app = make_app(engine_factory=scripted.factory(family="hermes", script=["Let me look. " + TOKYO]))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "What time is it in Tokyo?")
        await dialog_up(pilot, app)
        await pilot.press(key)
        await until(pilot, lambda: not app.generating, 60.0)
        reply = list(app.query(MessageView))[-1]
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        card = reply.query_one(ToolCard)
        assert str(card.title).startswith('⚙ get_current_time(timezone="Asia/Tokyo") · ')
        (stored,) = app.assistant.tool_calls(reply.message_id)
        assert (stored.server, stored.decision) == ("time", decision)
        if decision == "allow":
            assert "Asia/Tokyo" in stored.result and "+09:00" in stored.result
            assert "+09:00" in reply.text  # the scripted model echoes what it read: the result
        else:
            assert stored.result.startswith("The call to get_current_time did not run")  # the model's denial
            assert "+09:00" not in reply.text
    assert [(t, s, d) for t, s, d, _ in _rows(home)] == [("get_current_time", "time", decision)]


def test_ask_json_lists_the_call_and_the_database_holds_it(home, mnemo, monkeypatch):
    from mnemo import engine

    _home(home)
    monkeypatch.setattr(engine, "_OPENERS", dict(engine._OPENERS))
    install("hermes", ["Let me look. " + TOKYO])
    r = mnemo("ask", "--json", "--allow-tool", "get_current_time", "What time is it in Tokyo?")
    assert r.returncode == 0, r.stderr
    out = r.json()
    (call,) = out["tool_calls"]
    assert (call["tool"], call["server"], call["decision"]) == ("get_current_time", "time", "allow")
    assert "+09:00" in call["result"] and "+09:00" in out["reply"]
    assert call["arguments"] == {"timezone": "Asia/Tokyo"} and call["ms"] >= 0
    ((tool, server, decision, result),) = _rows(home)
    assert (tool, server, decision) == ("get_current_time", "time", "allow") and result == call["result"]
