"""A tool call in a reply: a card that says what ran and how it went, and opens to the
arguments and the result (ARCHITECTURE.md, The chat app). Live from ``ToolStarted``
("running…") to ``ToolFinished``; rebuilt from the stored calls when a conversation is
opened again."""

from __future__ import annotations

import json
from typing import Any

from textual.content import Content
from textual.widgets import Collapsible, Label, Static

from mnemo.text import printable
from mnemo.tui.widgets.plain import plain

TITLE_ARGS = 40  # characters of arguments in a card's title; the card itself shows them all
SHOWN_RESULT = 4_000  # characters of a result shown in a card (the model read what the call kept)


def pretty(arguments: dict[str, Any]) -> str:
    """The arguments as the approval dialog and an open card show them: indented JSON."""
    if not arguments:
        return "(no arguments)"
    return json.dumps(arguments, indent=2, ensure_ascii=False, default=str)


def short_args(arguments: dict[str, Any], width: int = TITLE_ARGS) -> str:
    """``timezone="Asia/Tokyo"``: the arguments on one line, cut to ``width`` characters."""
    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in arguments.items())
    text = " ".join(printable(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def outcome(call: Any, finished: bool = True) -> str:
    """One word for how the call went: running…, allowed, denied, failed, stopped."""
    if call.decision != "allow":
        return "denied"
    if not finished:
        return "running…"
    if call.error:
        return "stopped" if call.error == STOPPED else "failed"
    return "allowed"


STOPPED = "stopped while it ran"  # the error of a call its reply's stop abandoned (as the turn stores it)


def card_title(call: Any, finished: bool = True) -> str:
    """``⚙ get_current_time(timezone="Asia/Tokyo") · allowed · 41 ms``."""
    parts = [f"⚙ {call.tool}({short_args(call.arguments)})", outcome(call, finished)]
    if finished and call.decision == "allow" and call.error != STOPPED:
        parts.append(f"{call.ms:,} ms")
    return " · ".join(parts)


def about(call: Any) -> str:
    """Where the tool comes from and who decided: ``time · you allowed it``."""
    source = "mnemo's own tool" if call.server == "mnemo" else f"server {call.server}"
    return " · ".join(p for p in (source, call.why, f"round {call.round}" if call.round > 1 else "") if p)


def result_text(call: Any) -> str:
    text = call.result or ""
    if len(text) > SHOWN_RESULT:
        text = text[:SHOWN_RESULT] + f"\n… {len(call.result) - SHOWN_RESULT:,} more characters not shown"
    if call.cut:
        text += "\n(cut to the [tools] result_tokens budget before the model read it)"
    return text or "(nothing)"


class ToolCard(Collapsible):
    """One call of a reply (``index``: its place among the turn's calls, from 0)."""

    def __init__(self, call: Any, index: int = 0, *, finished: bool = True):
        self.call = call
        self.index = index
        self.finished = finished
        super().__init__(
            Label(plain(about(call)), classes="tool-about"),
            Label("arguments", classes="tool-heading"),
            Static(plain(pretty(call.arguments)), classes="tool-arguments"),
            Label("", classes="tool-heading tool-result-heading"),
            Static("", classes="tool-result"),
            title="",
            classes="tool-card",
        )

    def on_mount(self) -> None:
        self.show(self.call, self.finished)

    def show(self, call: Any, finished: bool = True) -> None:
        """The card as the call is now: running, or done with its result or error."""
        self.call, self.finished = call, finished
        # A Content title: an argument like "[/x]" is never read as markup.
        self.title = Content(card_title(call, finished))  # type: ignore[assignment]
        self.set_class(finished and bool(call.error), "-failed")
        self.set_class(call.decision != "allow", "-denied")
        self.set_class(not finished, "-running")
        self.query_one(".tool-about", Label).update(plain(about(call)))
        self.query_one(".tool-arguments", Static).update(plain(pretty(call.arguments)))
        heading = self.query_one(".tool-result-heading", Label)
        result = self.query_one(".tool-result", Static)
        shown = finished or call.decision != "allow"
        heading.display = result.display = shown
        if not shown:
            return
        if call.error:
            heading.update("error")
            result.update(plain(call.error))
        else:
            heading.update("told the model" if call.decision != "allow" else "result")
            result.update(plain(result_text(call)))
        result.set_class(bool(call.error), "-error")


async def mount_cards(view: Any, calls: list[Any]) -> None:
    """A stored reply's calls, as cards above its text (a conversation opened again)."""
    cards = [ToolCard(call, i) for i, call in enumerate(calls)]
    await view.mount_all(cards, before=view.query_one(".body"))
