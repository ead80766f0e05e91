"""Conversations: new, switch, rename, delete, pin, and full-text search over all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, ListItem, ListView

from mnemo.tui.widgets.plain import plain


class ConversationItem(ListItem):
    def __init__(self, conversation: Any, snippet: str = ""):
        self.row = row(conversation, snippet)
        _, title, snippet = self.row
        labels = [Label(plain(title))]
        if snippet:  # what matched the search, in its words
            labels.append(Label(plain(snippet), classes="snippet"))
        super().__init__(*labels)
        self.conversation = conversation


def row(conversation: Any, snippet: str = "") -> tuple[int, str, str]:
    """What a conversation's row shows: its id, its title line, the snippet a search found."""
    pin = "● " if conversation.pinned else ""
    ghost = "◌ " if conversation.incognito else ""
    return conversation.id, f"{pin}{ghost}{conversation.title or 'New conversation'}", " ".join(snippet.split())


class SearchBox(Input):
    """Typing searches every conversation; Esc clears the search and goes back to the box."""

    BINDINGS = [Binding("escape", "leave", "Leave search", show=False)]

    def action_leave(self) -> None:
        self.value = ""
        self.post_message(Sidebar.SearchLeft())


class ConversationList(ListView):
    BINDINGS = [
        Binding("r", "sidebar('rename')", "Rename", id="conversation_rename"),
        Binding("p", "sidebar('pin')", "Pin", id="conversation_pin"),
        Binding("d,delete", "sidebar('delete')", "Delete", id="conversation_delete"),
    ]

    def on_key(self, event: events.Key) -> None:
        """Letters that are no key of the list go to the message box."""
        from mnemo.tui.widgets.chat import typed_on

        typed_on(self, event)

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

    class SearchLeft(Message):
        """Esc in the search box: the search is cleared; focus goes back to the message box."""

    _note = ""

    def compose(self) -> ComposeResult:
        yield SearchBox(placeholder="Search conversations…", id="conversation-search")
        yield ConversationList(id="conversations")
        yield Label("", id="search-info", classes="hint")

    @property
    def query_text(self) -> str:
        return self.query_one(SearchBox).value.strip()

    async def show(
        self,
        conversations: list[Any],
        current: int | None,
        note: str = "",
        snippets: dict[int, str] | None = None,
        keep: int | None = None,
    ) -> None:
        """List ``conversations``; the highlight stays on ``keep`` (the one just renamed or
        pinned), else on the row where it was (after a delete), else on ``current``. Rows that
        would read as they do are kept (the list is read again after every reply, and a
        hundred rows mounted anew each time are a hundred widgets laid out and styled)."""
        view = self.query_one(ListView)
        was = view.index
        snippets = snippets or {}
        shown = list(view.query(ConversationItem))
        if [item.row for item in shown] == [row(c, snippets.get(c.id, "")) for c in conversations]:
            for item, conversation in zip(shown, conversations):
                item.conversation = conversation  # its counts and times, which the rows do not show
        else:
            await view.clear()
            await view.extend(ConversationItem(c, snippets.get(c.id, "")) for c in conversations)
        ids = [c.id for c in conversations]
        if keep in ids:
            view.index = ids.index(keep)
        elif keep is not None and was is not None and ids:
            view.index = min(was, len(ids) - 1)
        elif current in ids:
            view.index = ids.index(current)
        if note != self._note:  # a label updated lays the screen out again
            self._note = note
            self.query_one("#search-info", Label).update(note)

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if isinstance(event.item, ConversationItem):
            self.post_message(self.Action("open", event.item.conversation))
