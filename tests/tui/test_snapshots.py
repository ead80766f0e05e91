"""SVG snapshots at a fixed size, with a fixed clock, a scripted engine and no cursor blink.
Update them with `pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate
change, and look at the report."""

from __future__ import annotations

import pytest

from mnemo.memory.bank import Memory
from mnemo.tui.screens.memories import MemoriesScreen
from mnemo.tui.screens.memory_panel import MemoryPanel
from mnemo.tui.screens.models import ModelPicker
from mnemo.tui.widgets.chat import MessageView
from mnemo.tui.widgets.prompt import PromptInput
from tests.tui.drive import idle, ready

SIZE = (110, 32)
NOW = 1_800_000_000.0


async def steady(pilot) -> None:
    app = pilot.app
    await ready(pilot, app)
    app.query_one(PromptInput).cursor_blink = False
    app.speed = 42.0


def chatted(*messages: str, pulling: str | None = None):
    """A run_before: the app, steady, after ``messages`` were sent (and a pull under way)."""

    async def run_before(pilot):
        app = pilot.app
        await steady(pilot)
        prompt = app.query_one(PromptInput)
        for text in messages:
            prompt.text = text
            await pilot.press("enter")
            await idle(pilot, app)
        app.speed = 42.0
        app.pulling = pulling
        await pilot.pause(0.1)

    return run_before


def snap_screen(snap_compare, app, make_screen, prepare=None) -> bool:
    """The app, steady, with the screen ``make_screen()`` pushed over it."""

    async def run_before(pilot):
        await steady(pilot)
        if prepare:
            prepare()
        await app.push_screen(make_screen())
        await pilot.pause(0.1)

    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_chat_screen(snap_compare, make_app):
    assert snap_compare(
        make_app(memory=False), terminal_size=SIZE, run_before=chatted("How do I list files, newest first?", "Thanks!")
    )


def test_memory_panel(snap_compare, make_app):
    app = make_app(memory=False)
    memories = [
        Memory(1, "fact", "The user's dog is called Rex.", 0.0512, NOW - 3 * 86400, 1),
        Memory(2, "episode", 'The user said: "I walk Rex every morning at seven."', 0.0331, NOW - 2 * 3600, 5),
        Memory(3, "preference", "The user loves hiking in the mountains.", 0.0214, NOW - 600, 9),
    ]

    assert snap_screen(snap_compare, app, lambda: MemoryPanel(memories, now=NOW))


def test_memories_screen(snap_compare, make_app):
    app = make_app(memory=True)

    def remember():
        for text in ["My name is Ada", "My dog is called Rex", "I live in Prague", "I love hiking"]:
            app.assistant.remember(text)
            app.assistant.clock.now += 3600

    assert snap_screen(snap_compare, app, lambda: MemoriesScreen(app.assistant), remember)


def test_model_picker(snap_compare, make_app):
    app = make_app(memory=False)

    def picker():
        return ModelPicker(app.assistant.model_choices(), app.assistant.spec.name)

    assert snap_screen(snap_compare, app, picker)


SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_help(snap_compare, make_app, size):
    app = make_app(memory=False)

    async def run_before(pilot):
        await steady(pilot)
        await pilot.press("f1")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


BROKEN = (
    "/home/ada/.config/mnemo/models.toml: invalid TOML: Invalid value (at line 4, column 9); fix the "
    "file or remove it (mnemo's shipped models.toml is used without it)"
)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_startup_error(snap_compare, make_app, size):
    """The screen a broken models.toml opens (the message as config gives it, at a fixed path)."""
    from mnemo.tui.screens.dialogs import ErrorScreen

    app = make_app(memory=False)

    async def run_before(pilot):
        await steady(pilot)
        await app.push_screen(ErrorScreen(BROKEN))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_status_bar(snap_compare, make_app, size):
    assert snap_compare(
        make_app(memory=False), terminal_size=size, run_before=chatted("Hello there", pulling="qwen2.5-1.5b 35%")
    )


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_thinking(snap_compare, make_app, size):
    """From Enter to the first token the reply says what it waits on (here, the model
    reading the prompt; the scripted model stalls before its first token)."""
    from mnemo.engine.scripted import ScriptedEngine
    from tests.tui.drive import until, views

    app = make_app(memory=False, engine_factory=lambda spec: ScriptedEngine(spec, stall=1.5))

    async def run_before(pilot):
        await steady(pilot)
        prompt = app.query_one(PromptInput)
        prompt.text = "How do I list files, newest first?"
        await pilot.press("enter")
        await until(pilot, lambda: "reading the prompt" in str(views(app)[-1].query_one(".thinking").render()))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_versions_of_a_reply(snap_compare, make_app):
    """ctrl+r twice: the reply shows ‹3/3› and the keys that step through its versions;
    left on it shows the second one."""

    async def run_before(pilot):
        app = pilot.app
        await chatted("What is a quokka?")(pilot)
        for _ in range(2):
            await pilot.press("ctrl+r")
            await pilot.pause(0.1)
            await idle(pilot, app)
        app.query(MessageView).last().focus()
        await pilot.press("left")
        await pilot.pause(0.2)
        app.speed = 42.0
        await pilot.pause(0.1)

    assert snap_compare(make_app(memory=False), terminal_size=SIZE, run_before=run_before)
