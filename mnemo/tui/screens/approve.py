"""Asking before a tool runs: the call (tool, server, arguments) and Allow once / Always
allow this tool / Deny. Focus starts on Deny, Esc denies, and keys typed as it appears
cannot allow: nothing runs by accident."""

from __future__ import annotations

import time
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from mnemo.tools.policy import Answer
from mnemo.tui.widgets.plain import plain
from mnemo.tui.widgets.tool_card import pretty


def source(call: Any) -> str:
    if call.server == "mnemo":
        return "one of mnemo's own tools (on this machine)"
    return f"from the MCP server “{call.server}”"


class ApproveTool(ModalScreen[Answer]):
    """Returns the ``policy.Answer``; "Always allow this tool" is kept in config.toml by the turn."""

    BINDINGS = [
        Binding("o", "answer('once')", "Allow once"),
        Binding("a", "answer('always')", "Always allow"),
        Binding("d,escape", "answer('deny')", "Deny"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, call: Any):
        super().__init__(classes="dialog")
        self.call = call

    def compose(self) -> ComposeResult:
        with Vertical(classes="box approve-box"):
            yield Label(plain(f"Allow mnemo to run {self.call.tool}?"), classes="question")
            yield Label(plain(source(self.call)), classes="hint", id="approve-source")
            with VerticalScroll(id="approve-arguments", can_focus=False):
                yield Static(plain(pretty(self.call.arguments)))
            with Horizontal(classes="buttons"):
                yield Button("Allow once", id="once")
                yield Button("Always allow this tool", id="always")
                yield Button("Deny", variant="error", id="deny")
            yield Label("o allow once · a always allow · d or esc deny", classes="hint approve-keys")

    # Keys typed within this many seconds of the dialog showing cannot allow: someone typing
    # in the message box when it comes up ("hello") must not answer it with their "o".
    GUARD = 0.5

    def on_mount(self) -> None:
        self._shown = time.monotonic()
        self.query_one("#deny", Button).focus()  # the safe choice: Enter right away denies

    def _too_soon(self, answer: Answer) -> bool:
        return answer is not Answer.DENY and time.monotonic() - self._shown < self.GUARD

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        answer = Answer(event.button.id or "deny")
        if not self._too_soon(answer):
            self.dismiss(answer)

    def action_answer(self, answer: str) -> None:
        if not self._too_soon(Answer(answer)):
            self.dismiss(Answer(answer))
