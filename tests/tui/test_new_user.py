"""The chat app as a new user tried it (issue #26): incognito that stays, focus that comes
back to the box, indicators that tell the truth, reminders on time, and /model NAME."""

from __future__ import annotations

from textual.widgets import ListView
from textual.widgets._toast import Toast, ToastRack

from mnemo.engine.scripted import ScriptedEngine
from mnemo.tui.screens.dialogs import Confirm
from mnemo.tui.screens.memory_panel import MemoryPanel
from mnemo.tui.widgets.chat import MessageView, Reminder
from mnemo.tui.widgets.prompt import PromptInput
from tests.tui.drive import SIZE, fresh_status, idle, ready, say, settled, until, views


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def incognito(app) -> bool:
    cid = app.assistant.conversation_id
    return cid is not None and app.assistant.conversation(cid).incognito


# ------------------------------------------------------------------ incognito


async def test_incognito_survives_clear_and_memory_commands_say_memory_is_off(make_app, scripted):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "/incognito")
        await say(pilot, app, "hello there")
        assert "INCOGNITO" in await fresh_status(pilot, app)
        await say(pilot, app, "/clear")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert incognito(app) and not views(app)
        assert "Incognito" in str(app.query_one("#welcome").render())  # not "remembers what you tell it"
        assert "INCOGNITO" in await fresh_status(pilot, app)  # the badge stays
        assert any("Still incognito" in n for n in notes(app))

        calls = scripted.calls
        for command in (
            "/remember I like green tea",
            "remember that my cat is called Tom",
            "remind me in 2 hours to eat",
        ):
            await say(pilot, app, command)
            reply = views(app)[-1]
            assert reply.finish_reason == "memory"
            assert reply.text.startswith("Memory is off in this conversation")
        assert scripted.calls == calls  # none of them went to the model as plain text
        assert app.assistant.memories() == [] and incognito(app)


async def test_leaving_incognito_is_said_plainly(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "/incognito")
        await say(pilot, app, "/new")
        await settled(pilot, app)
        assert not incognito(app)
        assert any("reads and writes memory again" in n for n in notes(app))


# ---------------------------------------------------------------------- focus


async def test_escape_from_a_message_returns_to_the_box_and_letters_type_there(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "hello there")
        prompt = app.query_one(PromptInput)
        await pilot.press("tab")
        assert isinstance(app.focused, MessageView)
        await pilot.press("escape")
        assert app.focused is prompt
        await pilot.press("tab")
        assert isinstance(app.focused, MessageView)
        await pilot.press("h", "i")  # no key of a message: it is typing, and goes to the box
        assert app.focused is prompt and prompt.text == "hi"
        assert not any("Copied" in n for n in notes(app))


async def test_a_key_focuses_the_conversation_list_and_escape_comes_back(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=(80, 24)) as pilot:  # the sidebar is hidden at 80 columns
        await ready(pilot, app)
        await say(pilot, app, "first conversation")
        await pilot.press("ctrl+l")
        await settled(pilot, app)
        assert isinstance(app.focused, ListView) and app.query_one("#sidebar").display
        await pilot.press("escape")
        assert app.focused is app.query_one(PromptInput)
        assert not app.query_one("#sidebar").display  # it was hidden at this width: hidden again


async def test_ctrl_c_stops_a_reply_and_a_second_one_quits(make_app, scripted):
    scripted.rate, scripted.words = 50.0, 300
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        prompt = app.query_one(PromptInput)
        prompt.text = "tell me everything"
        await pilot.press("enter")
        await until(pilot, lambda: app.generating)
        await pilot.pause(0.3)
        await pilot.press("ctrl+c")
        await idle(pilot, app)
        assert app.is_running and views(app)[-1].finish_reason == "stopped"
        assert app.assistant.history()[-1].finish_reason == "stopped"
        prompt.text = "some words"
        prompt.select_all()
        await pilot.press("ctrl+c")  # with text selected in the box, it copies, as it did
        assert app.clipboard == "some words" and app.is_running
        prompt.clear()
        await pilot.press("ctrl+c")
        await pilot.pause(0.05)
        assert app.is_running  # one ctrl+c with no reply only says how to quit
        assert any("ctrl+c again" in n for n in notes(app))
        await pilot.press("ctrl+c")
        await pilot.pause(0.1)
        assert not app.is_running


# ----------------------------------------------------------------- indicators


async def test_a_thinking_state_from_enter_to_the_first_token(make_app, home):
    made: list[ScriptedEngine] = []

    def stalling(spec):
        made.append(ScriptedEngine(spec, stall=1.0))
        return made[-1]

    app = make_app(memory=False, engine_factory=stalling)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        prompt = app.query_one(PromptInput)
        prompt.text = "hello there"
        await pilot.press("enter")
        await pilot.pause(0.05)
        reply = views(app)[-1]
        thinking = reply.query_one(".thinking")
        assert thinking.display and "…" in str(thinking.render())
        await until(pilot, lambda: "reading the prompt (" in str(thinking.render()))
        assert "tokens)" in str(thinking.render()) and not reply.text
        await idle(pilot, app)
        assert not thinking.display and reply.text == "Echo: hello there"


async def test_m_on_a_stopped_reply_shows_what_it_was_given(make_app, scripted):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "remember that my dog is called Rex")
        assert app.assistant.wait_idle(120)
        await pilot.press("ctrl+n")
        await settled(pilot, app)
        scripted.rate, scripted.words = 50.0, 300
        for engine in scripted.made:
            engine.rate, engine.words = 50.0, 300
        prompt = app.query_one(PromptInput)
        prompt.text = "What is my dog called?"
        await pilot.press("enter")
        await until(pilot, lambda: len(views(app)[-1].text) > 10)
        await pilot.press("escape")
        await idle(pilot, app)
        reply = views(app)[-1]
        assert reply.finish_reason == "stopped"
        assert any("Rex" in m.text for m in reply.memories)
        saved = app.assistant.history()[-1]
        assert app.context_used == saved.prompt_tokens + saved.completion_tokens > 0  # ctx: this reply's
        reply.focus()
        await pilot.press("m")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MemoryPanel)
        table = app.screen.query_one("DataTable")
        assert any("Rex" in str(table.get_row_at(i)[-1]) for i in range(table.row_count))


async def test_ctx_stays_the_conversation_s_after_a_fixed_answer(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "hello there my friend")
        used = app.context_used
        assert used > 10
        await say(pilot, app, "remember that I like green tea")
        assert views(app)[-1].finish_reason == "memory"
        assert app.context_used == used


async def test_toasts_never_cover_the_message_box(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot, app)
        app.notify("A long note that takes a few lines of the screen to say what it has to say.", timeout=10)
        await pilot.pause(0.3)
        toasts = list(app.screen.get_child_by_type(ToastRack).query(Toast))
        assert toasts and all(t.region.height for t in toasts)
        box = app.query_one(PromptInput).region
        for toast in toasts:
            assert toast.region.bottom <= box.y, (toast.region, box)


# ----------------------------------------------------------------------- time


async def test_a_reminder_fires_on_time_in_an_idle_open_chat(make_app):
    from tests.tui.conftest import Clock

    clock = Clock()
    app = make_app(memory=True, clock=clock)
    app.REMINDER_EVERY = 0.1
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "remind me in 1 minute to stretch")
        confirm = views(app)[-1].text
        assert confirm == "OK, I will remind you to stretch at 8:01."  # no ISO timestamp
        await pilot.pause(0.3)
        assert not app.query(Reminder)  # not yet
        clock.now += 61
        await until(pilot, lambda: "Reminder: stretch" in notes(app) and bool(app.query(Reminder)))
        assert "stretch" in str(app.query_one(Reminder).render())
        await pilot.pause(0.3)
        assert len(app.query(Reminder)) == 1  # said once
        await say(pilot, app, "hello")
        assert "Reminder" not in views(app)[-1].text  # nor again with the next message


# ---------------------------------------------------------------------- model


async def test_model_name_switches_and_an_unknown_name_changes_nothing(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        names = [m.name for m in app.assistant.models()]
        current = app.assistant.spec.name
        other = next(n for n in names if n != current)
        await say(pilot, app, "/model no-such-model")
        await pilot.pause(0.1)
        assert app.assistant.spec.name == current and app.screen is app.screen_stack[0]
        assert any("no model called “no-such-model”" in n for n in notes(app))
        await say(pilot, app, f"/model {other}")
        await until(pilot, lambda: app.assistant.spec.name == other and app.model_state == "ready")
        assert app.model_name == other
