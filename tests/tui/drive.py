"""How the chat app's tests drive it: wait until it is ready, send a message and wait for
the reply, wait for a condition, read what it shows.

The waits poll with ``tick`` (the app runs meanwhile, its screen redrawn on its own timer)
and bring the screen up to date once, with ``pilot.pause``, when the condition holds. A
``pilot.pause`` posts a callback to every widget on the screen and waits for each: a chat
screen has about ninety, so a poll of 20 ms that paused every time cost a message sent, a
sixth of its CPU (320 against 265 ms, measured on twenty messages in one app)."""

from __future__ import annotations

import asyncio

from mnemo.tui.app import MnemoApp
from mnemo.tui.widgets.chat import MessageView
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.sidebar import ConversationItem
from mnemo.tui.widgets.status import StatusBar

SIZE = (120, 40)
POLL = 0.02  # seconds between two looks at a condition
READS = ("database", "conversations", "memories")  # the workers that read the database for the UI


async def tick(seconds: float = POLL) -> None:
    """Let the app run for ``seconds``, without bringing its screen up to date."""
    await asyncio.sleep(seconds)


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Wait until ``condition()`` holds; the screen is then up to date."""
    for looked in range(int(seconds / POLL)):
        if condition():
            if looked:
                await pilot.pause(0)
            return
        await tick()
    raise AssertionError("it never happened")


async def ready(pilot, app: MnemoApp) -> None:
    """The model is loaded and the status line has read the figures that come with it."""
    try:
        await until(
            pilot,
            lambda: (
                app.assistant is not None
                and app.model_state == "ready"
                and app.figures is not None
                and app.figures.model_state == "ready"
            ),
            8.0,
        )
    except AssertionError:
        raise AssertionError("the app never became ready") from None


def reading(app: MnemoApp) -> bool:
    return any(w.group in READS and not w.is_finished for w in app.workers)


async def settled(pilot, app: MnemoApp) -> None:
    """The database work the UI started (in workers) is done, and what it read is shown."""
    for _ in range(500):
        if not reading(app):
            await pilot.pause(0.05)
            return
        await tick()
    raise AssertionError("the database reads never finished")


async def idle(pilot, app: MnemoApp) -> None:
    """The reply is written and what the UI reads after it is shown."""
    for _ in range(1000):
        await tick()
        if not app.generating:
            await tick(0.05)
            await settled(pilot, app)
            return
    raise AssertionError("the reply never finished")


async def say(pilot, app: MnemoApp, text: str) -> None:
    """Type ``text`` in the message box, send it, and wait for the reply."""
    prompt = app.query_one(PromptInput)
    prompt.focus()
    prompt.text = text
    await pilot.press("enter")
    await tick(0.05)
    await idle(pilot, app)


async def fresh_status(pilot, app: MnemoApp) -> str:
    """The status line once a worker has read the figures anew."""
    app.figures = None
    app.read_status()
    await until(pilot, lambda: app.figures is not None, 4.0)
    return status(app)


async def on_conversation(pilot, app: MnemoApp, conversation_id: int, key: str) -> None:
    """Highlight a conversation in the sidebar and press ``key`` there."""
    listing = app.query_one("#conversations")
    listing.focus()
    listing.index = [i.conversation.id for i in app.query(ConversationItem)].index(conversation_id)
    await pilot.press(key)
    await pilot.pause(0.1)
    await settled(pilot, app)


def views(app: MnemoApp) -> list[MessageView]:
    return list(app.query(MessageView))


def status(app: MnemoApp) -> str:
    return str(app.query_one(StatusBar).render())
