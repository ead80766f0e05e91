"""The message box: multi-line, with a send key and a newline key (both remappable)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """``send_key`` sends; ``newline_key`` (and alt+enter) starts a new line. Many terminals
    never send shift+enter, so the defaults are enter and ctrl+j."""

    @dataclass
    class Submitted(Message):
        text: str

    class EditLast(Message):
        """Up in an empty box: take back the last message to edit it."""

    @dataclass
    class Scroll(Message):
        """Page up or down in the box: the conversation scrolls (``pages`` = -1 or 1)."""

        pages: int

    class ToMessages(Message):
        """Tab in the box: focus goes to the newest message."""

    def __init__(self, send_key: str = "enter", newline_key: str = "ctrl+j", **kwargs):
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **kwargs)
        self.send_key = send_key
        self.newline_keys = {newline_key, "alt+enter", "shift+enter"} - {send_key}

    async def _on_key(self, event: events.Key) -> None:
        if event.key == self.send_key:
            event.stop()
            event.prevent_default()
            text = self.text
            if text.strip():
                self.post_message(self.Submitted(text))
            return
        if event.key == "up" and not self.text:
            event.stop()
            event.prevent_default()
            self.post_message(self.EditLast())
            return
        if event.key in ("pageup", "pagedown"):
            event.stop()
            event.prevent_default()
            self.post_message(self.Scroll(-1 if event.key == "pageup" else 1))
            return
        if event.key == "tab":
            event.stop()
            event.prevent_default()
            self.post_message(self.ToMessages())
            return
        if event.key in self.newline_keys:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)
