"""The conversation: one MessageView per message, streaming Markdown for replies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, Label, Markdown, Static

from mnemo.export import when
from mnemo.kinds import Finish
from mnemo.text import printable
from mnemo.tui.widgets.plain import plain

# A fenced block; one the model never closed runs to the end, as Markdown shows it.
CODE_BLOCK = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.S | re.M)
ENDINGS: dict[str, str] = {
    Finish.STOPPED: "stopped",
    Finish.ERROR: "failed",
    Finish.LENGTH: "cut at max tokens",
    Finish.INTERRUPTED: "interrupted",
}


DISPLAY_CHARS = 20_000  # longest message shown in full; a bigger paste is shown cut
MARKDOWN_CHARS = 8_000  # a longer message is shown as plain text (parsing it would stall the screen)


def shown(text: str) -> str:
    """What the chat displays of a message: harmless, and cut when it is huge (rendering a
    megabyte of Markdown would freeze the screen); the stored message stays whole."""
    if len(text) > DISPLAY_CHARS:
        rest = len(text) - DISPLAY_CHARS
        text = text[:DISPLAY_CHARS] + f"\n\n*… {rest:,} more characters not shown (/export shows them all)*"
    return printable(text)


class MessageView(Vertical, can_focus=True):
    """A message; focus it to copy it (c), copy its code (y), see its memories (m) or open
    its tool calls (t)."""

    @dataclass
    class ShowMemories(Message):
        """m on a reply: the app shows the memories it was given."""

        memories: list[Any]

    @dataclass
    class StepVersion(Message):
        """left/right on a message with versions: the app puts the one ``step`` away on the
        conversation's path."""

        message_id: int
        step: int

    BINDINGS = [
        Binding("c", "copy", "Copy", id="copy_reply"),
        Binding("y", "copy_code", "Copy code", id="copy_code"),
        Binding("m", "show_memories", "Memories used", id="reply_memories"),
        Binding("t", "toggle_tools", "Tool calls", show=False, id="reply_tools"),  # in the help
        Binding("left", "step_version(-1)", "Previous version", id="version_previous"),
        Binding("right", "step_version(1)", "Next version", id="version_next"),
        Binding("tab,up", "step(-1)", "Older", show=False),
        Binding("shift+tab,down", "step(1)", "Newer", show=False),
    ]

    def __init__(
        self,
        role: str,
        text: str = "",
        *,
        model: str | None = None,
        created_at: float | None = None,
        finish_reason: str | None = None,
        memories: list[Any] | None = None,
        message_id: int | None = None,
        version: tuple[int, int] | None = None,
    ):
        super().__init__(classes=f"message {role}")
        self.version = version  # (which, of how many) when the message was edited or answered again
        self.role = role
        self.text = text
        self.model = model
        self.created_at = created_at
        self.finish_reason = finish_reason
        self.memories = memories or []
        self.message_id = message_id
        self._doing: str | None = None  # what think() shows

    def compose(self):
        yield Label(self._header(), classes="meta")
        if len(self.text) > MARKDOWN_CHARS:  # a paste: shown as it is
            yield Static(Text(shown(self.text)), classes="body paste")
        else:
            yield Markdown(shown(self.text), classes="body")
        if self.role == "user":  # a message of the user's uses no memories and waits on nothing
            return
        hint = Label(self._footer(), classes="memories-hint")
        hint.display = bool(self.memories)
        yield hint
        waiting = Label("", classes="thinking")
        waiting.display = False
        yield waiting

    def think(self, doing: str | None) -> None:
        """What the reply is waiting on before its first token ("recalling memories…");
        None once it writes. Said again as it was, it changes nothing (each delta says None:
        a label updated lays the screen out again)."""
        if doing == self._doing:
            return
        self._doing = doing
        for label in self.query(".thinking").results(Label):
            label.update(doing or "")
            label.display = bool(doing)

    def on_key(self, event: events.Key) -> None:
        """A letter that is none of a message's keys goes to the message box (and focus with
        it): typing after Tab is not lost, nor taken for a command."""
        typed_on(self, event)

    def _header(self) -> str:
        who = "You" if self.role == "user" else f"mnemo · {self.model}" if self.model else "mnemo"
        stamp = f" · {when(self.created_at)[11:]}" if self.created_at else ""
        ending = ENDINGS.get(self.finish_reason or "", "")
        version = f" · ‹{self.version[0]}/{self.version[1]}› ←/→" if self.version else ""
        return f"{who}{stamp}" + (f" · {ending}" if ending else "") + version

    def _footer(self) -> str:
        n = len(self.memories)
        return f"{n} {'memory' if n == 1 else 'memories'} used · m to show" if n else ""

    @property
    def body(self) -> Markdown:
        """The Markdown body of a reply (a long paste is a Static; see ``shown_text``)."""
        return self.query_one(".body", Markdown)

    @property
    def shown_text(self) -> str:
        body = self.query_one(".body")
        return body.source if isinstance(body, Markdown) else str(body.render())

    async def finish(
        self,
        text: str,
        *,
        finish_reason: str | None,
        memories: list[Any],
        message_id: int | None,
        created_at: float | None = None,
        error: str | None = None,
    ) -> None:
        streamed, self.text = self.text, text
        self.finish_reason = finish_reason
        self.memories = memories
        self.message_id = message_id
        self.created_at = created_at or self.created_at
        if text != streamed:  # what streamed in is already on screen
            await self.body.update(shown(text))
        self.query_one(".meta", Label).update(self._header())
        self.think(None)
        hint = self.query_one(".memories-hint", Label)
        hint.update(self._footer())
        hint.display = bool(self.memories)
        if error:  # why there is no (whole) reply, in the conversation where it happened
            await self.mount(Label(plain(error), classes="failure"), before=hint)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.app.notify("Copied the message.", timeout=2)

    def action_copy_code(self) -> None:
        blocks = code_blocks(self.text)
        if not blocks:
            self.app.notify("This message has no code block.", severity="warning", timeout=2)
            return
        self.app.copy_to_clipboard(blocks[-1])
        self.app.notify("Copied the code block.", timeout=2)

    def action_step(self, direction: int) -> None:
        """Tab goes to the next older message, shift+tab to the newer one; past the newest
        is the message box, past the oldest the sidebar (when shown)."""
        views = list(self.parent.query_children(MessageView)) if self.parent else []
        at = views.index(self) + direction if self in views else -1
        if 0 <= at < len(views):
            views[at].focus()
            views[at].scroll_visible(animate=False)
        else:
            self.post_message(ChatView.LeftMessages(older=direction < 0))

    def action_step_version(self, step: int) -> None:
        if self.version is None or self.message_id is None:
            self.app.notify("This message has no other version.", timeout=2)
            return
        self.post_message(self.StepVersion(self.message_id, step))

    def action_toggle_tools(self) -> None:
        """t on a reply: open its tool calls' cards (all closed again when all are open)."""
        cards = list(self.query(Collapsible))
        if not cards:
            self.app.notify("This message made no tool calls.", timeout=2)
            return
        closed = any(card.collapsed for card in cards)
        for card in cards:
            card.collapsed = not closed
        if closed:
            cards[0].scroll_visible(animate=False)

    def action_show_memories(self) -> None:
        self.post_message(self.ShowMemories(self.memories))


def typed_on(widget: Widget, event: events.Key) -> None:
    """A printable key no binding takes (after config.toml's keymap), posted as typed."""
    if event.is_printable and event.character and event.key not in widget.screen.active_bindings:
        event.stop()
        event.prevent_default()
        widget.post_message(ChatView.TypedOn(event.character))


def code_blocks(text: str) -> list[str]:
    """The fenced code blocks of a message, as shown: an unclosed one runs to the end."""
    return [m.group(2) for m in CODE_BLOCK.finditer(text)]


class ChatView(VerticalScroll):
    """Scrolls with the reply while you are at the bottom; stays put when you scroll up."""

    @dataclass
    class LeftMessages(Message):
        """Tab stepped past the oldest message (``older``) or shift+tab past the newest."""

        older: bool

    @dataclass
    class TypedOn(Message):
        """A character typed on a message or the conversation list: it belongs in the box."""

        character: str

    def newest(self) -> MessageView | None:
        views = list(self.query_children(MessageView))
        return views[-1] if views else None

    def on_mount(self) -> None:
        self.anchor()


class Welcome(Static):
    pass


class Earlier(Static):
    """Stands for the messages of a long conversation that are no longer on screen."""

    hidden = 0

    def show(self, hidden: int) -> None:
        self.hidden = hidden
        self.update(
            f"{hidden} earlier {'message is' if hidden == 1 else 'messages are'} not shown here "
            "· /export writes the whole conversation"
        )


class Reminder(Static):
    """A reminder that came due while the chat was open (shown, not part of the conversation)."""

    def __init__(self, text: str, at: float):
        super().__init__(plain(f"⏰ {text} · {when(at)[11:]}"), classes="reminder")
