"""Conversations: new, switch, rename, delete, pin, and full-text search over all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, ListItem, ListView

from mnemo.tui.widgets.plain import plain


class ConversationItem(ListItem):
    def __init__(self, conversation: Any):
        pin = "● " if conversation.pinned else ""
        ghost = "◌ " if conversation.incognito else ""
        super().__init__(Label(plain(f"{pin}{ghost}{conversation.title or 'New conversation'}")))
        self.conversation = conversation


class ConversationList(ListView):
    BINDINGS = [
        Binding("r", "sidebar('rename')", "Rename", id="conversation_rename"),
        Binding("p", "sidebar('pin')", "Pin", id="conversation_pin"),
        Binding("d,delete", "sidebar('delete')", "Delete", id="conversation_delete"),
    ]

    def action_sidebar(self, action: str) -> None:
        item = self.highlighted_child
        if isinstance(item, ConversationItem):
            self.post_message(Sidebar.Action(action, item.conversation))


class Sidebar(Vertical):

    @dataclass
    class Action(Message):
        """The user asked for ``action`` (open, rename, pin, delete) on a conversation."""

        action: str
        conversation: Any

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search conversations…", id="conversation-search")
        yield ConversationList(id="conversations")
        yield Label("", id="search-info", classes="hint")

    async def show(self, conversations: list[Any], current: int | None, note: str = "") -> None:
        view = self.query_one(ListView)
        await view.clear()
        await view.extend(ConversationItem(c) for c in conversations)
        ids = [c.id for c in conversations]
        if current in ids:
            view.index = ids.index(current)
        self.query_one("#search-info", Label).update(note)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, ConversationItem):
            self.post_message(self.Action("open", event.item.conversation))
