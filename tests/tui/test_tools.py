"""Tools in the chat app: the approval dialog, the app's ``approve`` (called from the turn's
thread worker), the tool cards of a reply, ``/tool``, and their snapshots at 80x24 and
120x40. The scripted engine stands in for the model; the rest is real."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Button, Collapsible

from mnemo.tools.policy import Answer
from mnemo.tools.toolbox import ToolCall
from mnemo.tui.messages import ToolShown
from mnemo.tui.screens.approve import ApproveTool
from mnemo.tui.widgets.chat import MessageView
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.tool_card import STOPPED, ToolCard, card_title, short_args
from tests.tui.drive import until

SIZE = (100, 32)
SIZES = [(80, 24), (120, 40)]

TOKYO = ToolCall("get_current_time", "time", {"timezone": "Asia/Tokyo"})
TOKYO_DONE = ToolCall(
    "get_current_time",
    "time",
    {"timezone": "Asia/Tokyo"},
    decision="allow",
    why="you allowed it",
    result='{"timezone": "Asia/Tokyo", "datetime": "2027-01-15T17:00:00+09:00", "is_dst": false}',
    ms=41,
)
WRITE = ToolCall(
    "write_file",
    "filesystem",
    {"path": "/home/ada/notes/todo.md", "content": "- buy milk\n- call [mum]\n"},
    decision="deny",
    why="you denied it",
    result="The call to write_file did not run: you denied it. Answer without it, or say what you would need.",
)


async def ready(pilot, app) -> None:
    await until(pilot, lambda: app.assistant is not None and app.model_state == "ready", 8.0)


async def say(pilot, app, text: str) -> None:
    prompt = app.query_one(PromptInput)
    prompt.focus()
    prompt.text = text
    await pilot.press("enter")
    await pilot.pause(0.05)
    await until(pilot, lambda: not app.generating, 20.0)
    await pilot.pause(0.05)


async def dialog_up(pilot, app) -> ApproveTool:
    """The approval dialog, on screen and composed."""
    await until(pilot, lambda: isinstance(app.screen, ApproveTool) and bool(app.screen.query("#deny")))
    await pilot.pause(ApproveTool.GUARD + 0.05)  # keys that come sooner cannot allow
    return app.screen


def text_of(widget) -> str:
    return str(widget.render())


# ------------------------------------------------------------ the dialog


@pytest.mark.parametrize(
    ("keys", "answer"),
    [
        (["o"], Answer.ONCE),
        (["a"], Answer.ALWAYS),
        (["d"], Answer.DENY),
        (["escape"], Answer.DENY),
        (["enter"], Answer.DENY),  # focus starts on Deny: Enter at once runs nothing
        (["left", "enter"], Answer.ALWAYS),
        (["left", "left", "enter"], Answer.ONCE),
    ],
    ids=["o", "a", "d", "esc", "enter", "left-enter", "left-left-enter"],
)
async def test_the_dialog_answers_with_its_keys(make_app, keys, answer):
    app = make_app(memory=False)
    got: list[Answer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        app.push_screen(ApproveTool(TOKYO), got.append)
        dialog = await dialog_up(pilot, app)
        assert app.focused is dialog.query_one("#deny", Button)
        shown = " ".join(text_of(w) for w in dialog.query("Label, Static"))
        assert "get_current_time" in shown and "“time”" in shown
        assert '"timezone": "Asia/Tokyo"' in shown  # the arguments, as pretty JSON
        for key in keys:
            await pilot.press(key)
        await until(pilot, lambda: bool(got))
        assert got == [answer]
        assert not isinstance(app.screen, ApproveTool)


async def test_keys_typed_as_the_dialog_appears_cannot_allow(make_app):
    app = make_app(memory=False)
    got: list[Answer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        dialog = ApproveTool(TOKYO)
        dialog.GUARD = 30.0  # a loaded machine may take longer than the real guard to press the keys
        app.push_screen(dialog, got.append)
        await until(pilot, lambda: isinstance(app.screen, ApproveTool) and bool(app.screen.query("#deny")))
        await pilot.press("o", "a")  # "hello", "again" typed into the box as it comes up
        await pilot.click("#once")
        await pilot.pause(0.05)
        assert got == [] and app.screen is dialog
        dialog.GUARD = 0.0  # the guard's time is up
        await pilot.press("o")
        await until(pilot, lambda: bool(got))
        assert got == [Answer.ONCE]


async def test_the_dialog_s_buttons_answer_too(make_app):
    app = make_app(memory=False)
    got: list[Answer | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        app.push_screen(ApproveTool(WRITE), got.append)
        await dialog_up(pilot, app)
        await pilot.click("#always")
        await until(pilot, lambda: bool(got))
        assert got == [Answer.ALWAYS]


async def test_long_arguments_scroll_and_the_buttons_stay_on_an_80x24_screen(make_app):
    call = ToolCall(
        "write_file", "filesystem", {"path": "/tmp/x", "content": "\n".join(f"line {i}" for i in range(60))}
    )
    call = ToolCall(call.tool, call.server, {**call.arguments, **{f"k{i}": i for i in range(30)}})
    app = make_app(memory=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        app.push_screen(ApproveTool(call))
        dialog = await dialog_up(pilot, app)
        for selector in ("#once", "#always", "#deny", ".approve-keys"):
            region = dialog.query_one(selector).region
            assert region.height >= 1 and region.bottom <= 24 and region.right <= 80, selector
            assert dialog.query_one(".approve-box").content_region.contains_region(region), selector
        assert dialog.query_one("#approve-arguments").max_scroll_y > 0  # the rest scrolls


async def test_markup_in_arguments_is_shown_as_written(make_app):
    call = ToolCall("echo", "everything", {"message": "[bold]hi[/] [/x]"})
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        app.push_screen(ApproveTool(call))
        await dialog_up(pilot, app)
        shown = " ".join(text_of(w) for w in app.screen.query("Static"))
        assert "[bold]hi[/] [/x]" in shown


# -------------------------------------------------- approve, from a worker


async def test_approve_from_the_turn_s_worker_waits_for_the_answer(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        worker = app.run_worker(lambda: app.approve(TOKYO), thread=True, group="generate")
        await dialog_up(pilot, app)
        assert not worker.is_finished  # it waits on the user
        await pilot.press("o")
        assert await worker.wait() is Answer.ONCE


async def test_approve_denies_when_the_reply_is_stopped_and_the_dialog_goes(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        answers: list[Answer] = []
        worker = app.run_worker(lambda: answers.append(app.approve(TOKYO)), thread=True, group="generate")
        await dialog_up(pilot, app)
        app.generating = True
        await pilot.press("ctrl+c")  # a priority key: it reaches the app over the dialog
        await until(pilot, lambda: bool(answers))
        assert worker.is_cancelled and answers == [Answer.DENY]
        await until(pilot, lambda: not isinstance(app.screen, ApproveTool))
        app.generating = False


async def test_approve_denies_when_the_app_closes(make_app):
    app = make_app(memory=False)
    answers: list[Answer] = []
    thread = None
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        thread = threading.Thread(target=lambda: answers.append(app.approve(TOKYO)))
        thread.start()
        await dialog_up(pilot, app)
    thread.join(5)
    assert not thread.is_alive()
    assert answers == [Answer.DENY]
    assert app.approve(TOKYO) is Answer.DENY  # a closed app asks nobody


# ------------------------------------------------------------- the cards


def test_a_card_s_title_says_the_call_and_how_it_went():
    assert card_title(TOKYO_DONE) == '⚙ get_current_time(timezone="Asia/Tokyo") · allowed · 41 ms'
    assert card_title(TOKYO_DONE, finished=False) == '⚙ get_current_time(timezone="Asia/Tokyo") · running…'
    assert card_title(WRITE).endswith(" · denied")
    failed = ToolCall("get_current_time", "time", {}, decision="allow", error="timed out after 30 s", ms=30_000)
    assert card_title(failed) == "⚙ get_current_time() · failed · 30,000 ms"
    long = short_args({"path": "/a/very/long/path/that/goes/on/and/on.txt", "content": "x\ny"})
    assert len(long) == 40 and long.endswith("…") and "\n" not in long


async def reply_with(pilot, app, text: str = "What time is it in Tokyo?") -> MessageView:
    """A reply on screen that the cards go into, as they do while a turn runs."""
    await say(pilot, app, text)
    view = list(app.query(MessageView))[-1]
    app._reply_view = view
    return view


async def test_cards_go_live_from_started_to_finished(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        view = await reply_with(pilot, app)
        app.post_message(ToolShown(0, TOKYO_DONE, finished=False))
        await until(pilot, lambda: bool(view.query(ToolCard)))
        card = view.query_one(ToolCard)
        assert "running…" in str(card.title) and card.has_class("-running")
        assert card.collapsed
        assert list(view.children).index(card) < list(view.children).index(view.body)  # above the text
        app.post_message(ToolShown(0, TOKYO_DONE, finished=True))
        app.post_message(ToolShown(1, WRITE, finished=False))
        app.post_message(ToolShown(1, WRITE, finished=True))
        await until(pilot, lambda: len(view.query(ToolCard)) == 2)
        await pilot.pause(0.05)
        first, second = view.query(ToolCard)
        assert str(first.title) == '⚙ get_current_time(timezone="Asia/Tokyo") · allowed · 41 ms'
        assert str(second.title).endswith("· denied") and second.has_class("-denied")
        await pilot.click(first.query_one("CollapsibleTitle"))
        await until(pilot, lambda: not first.collapsed)
        opened = " ".join(text_of(w) for w in first.query("Label, Static"))
        assert '"timezone": "Asia/Tokyo"' in opened and "2027-01-15T17:00:00+09:00" in opened
        assert "server time" in opened and "you allowed it" in opened
        told = " ".join(text_of(w) for w in second.query("Label, Static"))
        assert "told the model" in told and "did not run: you denied it" in told
        assert "call [mum]" in told  # markup in arguments stays text


async def test_a_stopped_reply_s_running_card_says_stopped(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        view = await reply_with(pilot, app)
        app.post_message(ToolShown(0, TOKYO_DONE, finished=False))
        await until(pilot, lambda: bool(view.query(ToolCard)))
        app.settle_cards()
        card = view.query_one(ToolCard)
        assert card.finished and card.call.error == STOPPED
        assert str(card.title).endswith("· stopped") and card.has_class("-failed")


# ---------------------------------------------------------------- /tool


def test_tool_is_a_command_with_its_help():
    from mnemo.tui.commands import slash_command, slash_help

    command = slash_command('/tool get_current_time {"timezone": "Asia/Tokyo"}')
    assert command is not None and not isinstance(command, str) and command.action == "tool"
    assert any(usage == "/tool NAME [JSON]" for usage, _ in slash_help())


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("/tool current_time {timezone: Tokyo}", "/tool current_time: the arguments are not JSON"),
        ('/tool current_time ["Asia/Tokyo"]', "/tool current_time: the arguments are not a JSON object (like {"),
        ("/tool launch_rockets", "/tool: there is no tool called launch_rockets (/tools lists them)."),
    ],
    ids=["not-json", "not-an-object", "no-such-tool"],
)
async def test_tool_with_bad_arguments_is_said_and_kept_in_the_box(make_app, line, said):
    app = make_app(memory=False)
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
        prompt = app.query_one(PromptInput)
        prompt.text = line
        await pilot.press("enter")
        await until(pilot, lambda: bool(notes))
        assert notes[0].startswith(said)
        assert prompt.text == line
        assert not app.generating and len(app.query(MessageView)) == 0


# ------------------------------------------------- a turn with the real loop

TOOLS_MODELS = 'default = "echo"\n[[models]]\nname = "echo"\nkind = "scripted"\ntools = true\n'
MISO = {"text": "The user's cat is called Miso."}


def tool_app(make_app, home, *script: str, memory: bool = True):
    """The app on a tool-capable scripted model that writes ``script`` (raw replies, Qwen's
    <tool_call> syntax) and then echoes what it read; mnemo's own tools are the real ones."""
    from mnemo.engine import scripted

    (home / "models.toml").write_text(TOOLS_MODELS)
    return make_app(memory=memory, engine_factory=scripted.factory(family="hermes", script=list(script)))


def remember_call() -> str:
    from mnemo.engine.scripted import call_text

    return call_text("hermes", "remember", MISO)


async def send(pilot, app, text: str) -> None:
    prompt = app.query_one(PromptInput)
    prompt.focus()
    prompt.text = text
    await pilot.press("enter")


def memories(app) -> list[str]:
    return [m.text for m in app.assistant.memories()]


async def test_a_call_that_asks_waits_for_allow_once_then_runs_and_shows_its_card(make_app, home):
    app = tool_app(make_app, home, remember_call())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "Hello there")
        dialog = await dialog_up(pilot, app)
        assert "Allow mnemo to run remember?" in text_of(dialog.query_one(".question"))
        assert "Miso" in text_of(dialog.query_one("#approve-arguments Static"))
        assert app.generating and not any("Miso" in m for m in memories(app))  # nothing ran yet
        await pilot.press("o")
        await until(pilot, lambda: not app.generating, 20.0)
        reply = list(app.query(MessageView))[-1]
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        card = reply.query_one(ToolCard)
        assert str(card.title).startswith('⚙ remember(text="The user\'s cat is called Miso.") · allowed · ')
        assert str(card.title).endswith(" ms") and card.call.why == "you allowed it"
        assert any("Miso" in m for m in memories(app))
        assert reply.text.startswith("Echo:") and "Remembered" in reply.text  # the model read the result
        assert "<tool_call>" not in reply.text
        (stored,) = app.assistant.tool_calls(reply.message_id)
        assert stored.decision == "allow" and stored.arguments == MISO


async def test_deny_runs_nothing_and_the_card_says_denied(make_app, home):
    app = tool_app(make_app, home, remember_call())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "Hello there")
        await dialog_up(pilot, app)
        await pilot.press("escape")  # the dialog's: Deny (not the app's stop)
        await until(pilot, lambda: not app.generating, 20.0)
        reply = list(app.query(MessageView))[-1]
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        card = reply.query_one(ToolCard)
        assert str(card.title).endswith("· denied") and card.call.why == "you denied it"
        assert not any("Miso" in m for m in memories(app))  # remember never ran
        assert reply.finish_reason == "stop" and "did not run" in reply.text


async def test_stopping_the_reply_while_the_dialog_waits_denies_and_keeps_what_happened(make_app, home):
    app = tool_app(make_app, home, remember_call())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "Hello there")
        await dialog_up(pilot, app)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not app.generating, 20.0)
        await until(pilot, lambda: not isinstance(app.screen, ApproveTool))
        assert not any("Miso" in m for m in memories(app))  # remember never ran
        reply = list(app.query(MessageView))[-1]
        assert reply.finish_reason == "stopped" and reply.message_id is not None
        for card in reply.query(ToolCard):  # whatever was shown of the call did not run
            assert card.finished and card.call.decision == "deny"


async def test_always_allow_keeps_the_rule_and_the_next_call_runs_without_asking(make_app, home):
    from mnemo.engine.scripted import call_text

    second = call_text("hermes", "remember", {"text": "The user's dog is called Rex."})
    app = tool_app(make_app, home, remember_call(), "Noted.", second)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "Hello there")
        await dialog_up(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: not app.generating, 20.0)
        assert "remember" in (home / "config.toml").read_text()
        asked: list[object] = []
        app.push_screen = lambda screen, *a, **kw: asked.append(screen)  # type: ignore[method-assign]
        await say(pilot, app, "And my dog?")
        assert asked == []  # no dialog this time
        reply = list(app.query(MessageView))[-1]
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        assert str(reply.query_one(ToolCard).title).startswith("⚙ remember(text=\"The user's dog")
        assert any("Rex" in m for m in memories(app))


async def test_t_on_a_reply_opens_and_closes_its_cards(make_app, home):
    app = tool_app(make_app, home, memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "/tool current_time")
        await until(pilot, lambda: len(app.query(MessageView)) == 2 and not app.generating, 20.0)
        user, reply = app.query(MessageView)
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        card = reply.query_one(ToolCard)
        reply.focus()
        await pilot.press("t")
        await until(pilot, lambda: not card.collapsed)
        await pilot.press("t")
        await until(pilot, lambda: card.collapsed)
        notes: list[str] = []
        app.notify = lambda message, **kw: notes.append(str(message))  # type: ignore[method-assign]
        user.focus()
        await pilot.press("t")
        await until(pilot, lambda: bool(notes))
        assert notes == ["This message made no tool calls."]
        assert app.query_one(PromptInput).text == ""  # t was the message's key, not typed


async def test_esc_while_a_tool_runs_abandons_it_and_the_card_says_stopped(make_app, home, monkeypatch):
    import time

    from mnemo.engine.scripted import call_text
    from mnemo.tools import builtin

    started = threading.Event()

    def slow_time(reach, args):
        started.set()
        time.sleep(5)
        return "too late"

    info = builtin.BUILTINS["current_time"].info
    monkeypatch.setitem(builtin.BUILTINS, "current_time", builtin.Builtin(info, slow_time))
    app = tool_app(make_app, home, "One moment. " + call_text("hermes", "current_time", {}), memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "What time is it?")
        await until(pilot, started.is_set)
        reply = list(app.query(MessageView))[-1]
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        assert "running…" in str(reply.query_one(ToolCard).title)
        t0 = time.monotonic()
        await pilot.press("escape")
        await until(pilot, lambda: not app.generating)
        assert time.monotonic() - t0 < 4  # not the tool's five seconds
        assert reply.finish_reason == "stopped" and reply.text.startswith("One moment.")
        card = reply.query_one(ToolCard)
        assert str(card.title).endswith("· stopped") and card.finished
        await until(pilot, lambda: bool(app.assistant.tool_calls(reply.message_id)))
        (stored,) = app.assistant.tool_calls(reply.message_id)
        assert stored.error == STOPPED and stored.result is None


async def test_a_reopened_conversation_shows_its_cards_again(make_app, home):
    from functools import partial

    app = tool_app(make_app, home, remember_call())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "Hello there")
        await dialog_up(pilot, app)
        await pilot.press("o")
        await until(pilot, lambda: not app.generating, 20.0)
        await until(pilot, lambda: bool(app.query(ToolCard)))
        live = str(app.query_one(ToolCard).title)
        cid = app.assistant.conversation_id
        await app.action_new_conversation()
        await until(pilot, lambda: not app.query(ToolCard))
        await app.call(partial(app.assistant.use_conversation, cid))
        await app.show_conversation(cid)
        reply = list(app.query(MessageView))[-1]
        (card,) = reply.query(ToolCard)
        assert str(card.title) == live and card.collapsed
        assert list(reply.children).index(card) < list(reply.children).index(reply.body)
        card.collapsed = False
        await pilot.pause(0.1)
        assert "Miso" in " ".join(text_of(w) for w in card.query("Static"))


async def test_regenerate_makes_a_new_turn_with_its_own_calls_and_the_old_version_keeps_its(make_app, home):
    from mnemo.engine.scripted import call_text

    app = tool_app(make_app, home, remember_call(), "Noted.", call_text("hermes", "current_time", {}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "Hello there")
        await dialog_up(pilot, app)
        await pilot.press("o")
        await until(pilot, lambda: not app.generating, 20.0)
        await until(pilot, lambda: bool(app.query(ToolCard)))
        await pilot.press("ctrl+r")
        await pilot.pause(0.1)
        await until(pilot, lambda: not app.generating, 20.0)

        def titles() -> list[str]:
            return [str(c.title).split("(")[0] for c in app.query(ToolCard)]

        await until(pilot, lambda: titles() == ["⚙ current_time"])
        reply = list(app.query(MessageView))[-1]
        assert reply.version == (2, 2)
        reply.focus()
        await pilot.press("left")
        await until(pilot, lambda: titles() == ["⚙ remember"])
        assert list(app.query(MessageView))[-1].version == (1, 2)


async def test_slash_tool_runs_the_call_and_the_reply_uses_its_result(make_app, home):
    app = tool_app(make_app, home, memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await send(pilot, app, "/tool current_time")
        await until(pilot, lambda: len(app.query(MessageView)) == 2)
        await until(pilot, lambda: not app.generating, 20.0)
        user, reply = app.query(MessageView)
        assert user.text == "/tool current_time"
        await until(pilot, lambda: bool(reply.query(ToolCard)))
        card = reply.query_one(ToolCard)
        assert str(card.title).startswith("⚙ current_time() · allowed · ")
        assert card.call.why == "you asked for it (/tool)" and "2027" in (card.call.result or "")
        assert "2027" in reply.text


# ------------------------------------------------ the conversation's tools


def offered_to_the_model(factory) -> set[str]:
    """The tool names the scripted model was given with its last reply."""
    tools = factory.made[-1].seen[-1][1]
    return {t["function"]["name"] for t in tools or []}


async def choose_tools(pilot, app, names: set[str] | None, *keys: str):
    """/tools, then only ``names`` chosen (None: leave the choice as it is), then ``keys``
    (ctrl+s, save, unless told)."""
    from textual.widgets import SelectionList

    from mnemo.tui.screens.tools import ToolsScreen

    await send(pilot, app, "/tools")
    await until(pilot, lambda: isinstance(app.screen, ToolsScreen) and bool(app.screen.query(SelectionList)))
    await pilot.pause(0.05)
    screen = app.screen
    listing = screen.query_one(SelectionList)
    if names is not None:
        await pilot.press("n")
        for i in range(listing.option_count):
            if listing.get_option_at_index(i).value in names:
                listing.highlighted = i
                await pilot.press("space")
    await pilot.pause(0.05)
    *first, last = keys or ("ctrl+s",)
    await pilot.press(*first)
    await pilot.pause(0.05)
    cost = text_of(screen.query_one("#tools-cost"))
    await pilot.press(last)
    await until(pilot, lambda: not isinstance(app.screen, ToolsScreen))
    return listing, cost


async def test_tools_chooses_what_this_conversation_offers_the_model(make_app, home):
    from mnemo.engine import scripted

    (home / "models.toml").write_text(TOOLS_MODELS)
    factory = scripted.factory(family="hermes")
    app = make_app(memory=False, engine_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "Hello")
        everything = offered_to_the_model(factory)
        assert {"current_time", "read_file"} <= everything  # (with memory off, no memory tools)
        listing, cost = await choose_tools(pilot, app, {"current_time"})
        assert set(listing.selected) == {"current_time"} and cost.startswith("1 of ")
        await say(pilot, app, "What time is it?")
        assert offered_to_the_model(factory) == {"current_time"}
        await choose_tools(pilot, app, {"read_file"}, "escape")  # Esc keeps the choice
        await say(pilot, app, "And now?")
        assert offered_to_the_model(factory) == {"current_time"}
        first = app.assistant.conversation_id
        await app.action_new_conversation()
        await say(pilot, app, "A new conversation")
        assert offered_to_the_model(factory) == everything  # a new conversation offers them all
        await app.call(lambda: app.assistant.use_conversation(first))
        await app.show_conversation(first)
        await say(pilot, app, "Back again")
        assert offered_to_the_model(factory) == {"current_time"}


async def test_a_choice_before_the_first_message_is_that_conversation_s(make_app, home):
    from mnemo.engine import scripted

    (home / "models.toml").write_text(TOOLS_MODELS)
    factory = scripted.factory(family="hermes")
    app = make_app(memory=False, engine_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        _, cost = await choose_tools(pilot, app, set())
        assert cost.startswith("0 of ") and "about 0 prompt tokens" in cost
        await say(pilot, app, "Hello")
        assert offered_to_the_model(factory) == set()
        await say(pilot, app, "Still none?")
        assert offered_to_the_model(factory) == set()
        listing, cost = await choose_tools(pilot, app, None, "a", "ctrl+s")  # a: all again
        assert cost.startswith(f"{listing.option_count} of {listing.option_count} tools")
        await say(pilot, app, "And now all")
        assert "current_time" in offered_to_the_model(factory)


# ------------------------------------------------------------- snapshots


async def steady(pilot) -> None:
    app = pilot.app
    await ready(pilot, app)
    await until(pilot, lambda: app.figures is not None and app.figures.model_state == "ready")
    app.query_one(PromptInput).cursor_blink = False
    app.speed = 42.0


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_snapshot_the_approval_dialog(snap_compare, make_app, size):
    app = make_app(memory=False)

    async def run_before(pilot):
        await steady(pilot)
        await app.push_screen(ApproveTool(WRITE))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_snapshot_tool_cards(snap_compare, make_app, size):
    """A reply with two calls: one open (arguments and result), one denied, closed."""
    app = make_app(memory=False)

    async def run_before(pilot):
        await steady(pilot)
        view = await reply_with(pilot, app)
        app.post_message(ToolShown(0, TOKYO_DONE, finished=True))
        app.post_message(ToolShown(1, WRITE, finished=True))
        await until(pilot, lambda: len(view.query(ToolCard)) == 2)
        view.query(Collapsible).first().collapsed = False
        app.speed = 42.0
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_snapshot_the_tools_choice(snap_compare, make_app, size):
    from mnemo.tui.screens.tools import ToolRow, ToolsScreen

    rows = [
        ToolRow("current_time", "mnemo", "The current date and time.", "allow", 38),
        ToolRow("search_memory", "mnemo", "Search what the user told mnemo and past conversations.", "allow", 71),
        ToolRow("remember", "mnemo", "Remember a fact about the user.", "ask", 52),
        ToolRow("get_current_time", "time", "Get current time in a specific timezone", "ask", 96),
        ToolRow("git_commit", "git", "Records changes to the repository", "ask", 88),
        *(ToolRow(f"git_{n}", "git", f"git {n}", "ask", 60) for n in ("add", "diff", "log", "show", "status", "reset")),
    ]
    problems = ["server everything: could not start (connection refused at http://127.0.0.1:3001/mcp)"]
    app = make_app(memory=False)

    async def run_before(pilot):
        await steady(pilot)
        await app.push_screen(ToolsScreen(rows, {"current_time", "search_memory", "time"}, problems))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_a_withdrawn_question_while_the_app_closes_is_let_go(make_app):
    """The reply stopped while the app is closing (no screens left): the withdrawal finds
    nothing to dismiss and raises nothing (it raised ScreenStackError from a worker)."""
    from mnemo.tui.messages import AskApproval

    app = make_app(memory=False)
    app._asking = ApproveTool(TOKYO)
    answered = threading.Event()
    app.on_ask_approval(AskApproval(TOKYO, answered, withdrawn=True))  # no screen stack: not running
    assert app._asking is not None and not answered.is_set()
