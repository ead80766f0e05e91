"""`mnemo chat --continue` (and config.toml's continue_last) reopen the last conversation;
a stop before the first token ends the turn at once. Pilot, a real Assistant and store."""

from __future__ import annotations

from mnemo.assistant import Assistant
from mnemo.tui.app import MnemoApp
from mnemo.tui.widgets.chat import Welcome
from tests.tui.drive import SIZE, ready, settled, views


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


def test_stopping_a_stream_from_another_thread_before_its_first_token(home):
    """ReplyStream.stop (what the chat app's Esc calls while its worker iterates): a model
    that takes 30 s to read the prompt stops at once, and the turn ends saved as stopped."""
    import threading
    import time

    from mnemo.engine import scripted

    with Assistant.open(engine_factory=scripted.factory(stall=30.0), memory=False) as assistant:
        stream = assistant.stream("a question the model will take long to read")
        threading.Timer(0.3, stream.stop).start()
        start = time.perf_counter()
        assert list(stream) == []
        assert time.perf_counter() - start < 2.0
        assert stream.reply.finish_reason == "stopped"
        assert assistant.history()[-1].finish_reason == "stopped"


async def test_esc_before_the_first_token_stops_the_reply_at_once(make_app, home):
    import time

    from mnemo.engine import scripted
    from mnemo.tui.widgets.prompt import PromptInput

    factory = scripted.factory(stall=30.0, rate=500.0)
    app = make_app(memory=False, engine_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        prompt = app.query_one(PromptInput)
        prompt.text = "hello"
        await pilot.press("enter")
        for _ in range(100):  # the model is "reading the prompt"
            await pilot.pause(0.02)
            if app.generating and factory.made[-1].calls:
                break
        start = time.perf_counter()
        await pilot.press("escape")
        for _ in range(150):
            await pilot.pause(0.02)
            if not app.generating:
                break
        assert not app.generating, "the reply was still being written 3 s after Esc"
        assert time.perf_counter() - start < 3.0
        await settled(pilot, app)
        assert app.assistant.history()[-1].finish_reason == "stopped"
        assert "stopped" in str(views(app)[-1].query_one(".meta").render())
