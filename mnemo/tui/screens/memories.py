"""Everything mnemo remembers: search, add, edit, pin, forget. The rows are read, and the
changes made, in workers."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label
from textual.worker import get_current_worker

from mnemo.export import age
from mnemo.tui.messages import MemoriesRead, ReadFailed
from mnemo.tui.screens.dialogs import AskText, Confirm
from mnemo.tui.state import call
from mnemo.tui.widgets.footer import Footer
from mnemo.tui.widgets.plain import plain

if TYPE_CHECKING:
    from mnemo.assistant import Assistant


class MemoriesScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("a", "add", "Add", id="memory_add"),
        Binding("e", "edit", "Edit", id="memory_edit"),
        Binding("p", "pin", "Pin/unpin", id="memory_pin"),
        Binding("f,delete", "forget", "Forget", id="memory_forget"),
        Binding("slash", "search", "Search", show=False),
    ]

    def __init__(self, assistant: Assistant):
        super().__init__()
        self.assistant = assistant
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="memories-main"):
            yield Label("Memories", classes="title")
            yield Input(placeholder="Search memories…", id="memory-search")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="memory-table")
            yield Label("", id="memory-count", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "kind", "pinned", "age", "memory")
        self.refresh_rows()
        table.focus()

    def refresh_rows(self, keep: int | None = None) -> None:
        """Read the rows anew in a worker; the cursor stays on memory ``keep`` (by default
        the one it is on, else on its row)."""
        keep = keep if keep is not None else getattr(self._selected(), "id", None)
        self.read_rows(self.query_one("#memory-search", Input).value, keep)

    @work(thread=True, exclusive=True, group="memories")
    def read_rows(self, query: str, keep: int | None) -> None:
        worker = get_current_worker()
        try:
            read = MemoriesRead(self.assistant.find_memories(query), self.assistant.memory_count(), keep)
        except Exception as e:
            if not worker.is_cancelled:
                self.post_message(ReadFailed("memories", str(e)))
            return
        if not worker.is_cancelled:  # a newer read (the search box changed again) replaces it
            self.post_message(read)

    def on_memories_read(self, message: MemoriesRead) -> None:
        """The rows, pinned first."""
        table = self.query_one(DataTable)
        was, keep = table.cursor_row, message.keep
        self.rows = sorted(message.rows, key=lambda r: not r.pinned)
        table.clear()
        now = self.assistant.clock()
        for r in self.rows:
            table.add_row(
                str(r.id), r.kind, "●" if r.pinned else "", age(now - r.created_at), plain(r.text), key=str(r.id)
            )
        ids = [r.id for r in self.rows]
        if self.rows:
            table.move_cursor(row=ids.index(keep) if keep in ids else min(was or 0, len(ids) - 1))
        self.query_one("#memory-count", Label).update(
            f"{len(self.rows)} of {message.total} shown · a add · e edit · p pin · f forget · / search · esc back"
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_rows()

    def action_search(self) -> None:
        self.query_one("#memory-search", Input).focus()

    def _selected(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_add(self) -> None:
        async def done(text: str | None) -> None:
            if text:
                added = await call(self, partial(self.assistant.remember, text))
                self.app.notify("Remembered: " + "; ".join(r.text for r in added), timeout=3)
                self.refresh_rows(keep=added[0].id if added else None)

        self.app.push_screen(AskText("Remember", placeholder="e.g. My sister is called Anna"), done)

    def action_edit(self) -> None:
        record = self._selected()
        if record is None:
            return

        async def done(text: str | None) -> None:
            if text and text != record.text:
                await call(self, partial(self.assistant.edit_memory, record.id, text))
                self.refresh_rows()

        self.app.push_screen(AskText("Edit memory", value=record.text), done)

    async def action_pin(self) -> None:
        record = self._selected()
        if record is not None:
            await call(self, partial(self.assistant.pin_memory, record.id, not record.pinned))
            self.refresh_rows()

    def action_forget(self) -> None:
        record = self._selected()
        if record is None:
            return

        async def done(yes: bool | None) -> None:
            if yes:
                await call(self, partial(self.assistant.forget_memories, [record]))
                self.app.notify(f"Forgot: {record.text}", timeout=3)
                self.refresh_rows()

        self.app.push_screen(Confirm(f"Forget “{record.text}”?", yes="Forget"), done)
