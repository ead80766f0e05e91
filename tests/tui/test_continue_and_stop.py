"""`mnemo chat --continue` (and config.toml's continue_last) reopen the last conversation;
a stop before the first token ends the turn at once. Pilot, a real Assistant and store."""

from __future__ import annotations

from mnemo.assistant import Assistant
from mnemo.tui.app import MnemoApp
from mnemo.tui.widgets.chat import Welcome
from tests.tui.test_app import SIZE, ready, settled, views


def two_conversations(scripted) -> int:
    """Two conversations said before the app opens; the id of the last one."""
    with Assistant.open(engine_factory=scripted, memory=False) as assistant:
        for text in ("about otters", "about herons"):
            assistant.new_conversation()
            assistant.send(text)
        return assistant.conversation_id


async def test_continue_reopens_the_last_conversation(make_app, scripted):
    last = two_conversations(scripted)
    app = make_app(memory=False, resume=True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await settled(pilot, app)
        assert app.assistant is not None and app.assistant.conversation_id == last
        assert [v.text for v in views(app)] == ["about herons", "Echo: about herons"]
        assert not app.query(Welcome)


async def test_continue_last_in_config_toml_does_it_by_default(make_app, scripted, home):
    last = two_conversations(scripted)
    (home / "config.toml").write_text("continue_last = true\n")
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await settled(pilot, app)
        assert app.assistant.conversation_id == last
        assert [v.text for v in views(app)][-1] == "Echo: about herons"
    app = make_app(memory=False, resume=False)  # --continue's opposite: the setting off for one start
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await settled(pilot, app)
        assert views(app) == [] and app.query(Welcome)


async def test_without_continue_the_app_starts_empty(make_app, scripted):
    two_conversations(scripted)
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await settled(pilot, app)
        assert views(app) == [] and app.query(Welcome)


def test_chat_continue_flag_reaches_the_app(scripted_home, mnemo, monkeypatch):
    seen: list[bool] = []
    monkeypatch.setattr(MnemoApp, "run", lambda self, *a, **k: seen.append(self._resume))
    for args, want in ((("chat", "--continue"), True), (("chat", "-c"), True), (("chat",), False)):
        result = mnemo(*args)
        assert result.returncode == 0, result.stderr
        assert seen.pop() is want
    result = mnemo("chat", "--continue", "--incognito")
    assert result.returncode == 2 and "--continue and --incognito" in result.stderr and not seen
