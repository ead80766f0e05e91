"""Everything mnemo remembers: search, add, edit, pin, forget."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label

from mnemo.export import age
from mnemo.tui import clock
from mnemo.tui.screens.dialogs import AskText, Confirm
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
        """The rows, pinned first; the cursor stays on memory ``keep`` (or on its row)."""
        table = self.query_one(DataTable)
        was = table.cursor_row
        keep = keep if keep is not None else getattr(self._selected(), "id", None)
        rows = self.assistant.find_memories(self.query_one("#memory-search", Input).value)
        self.rows = sorted(rows, key=lambda r: not r.pinned)
        table.clear()
        now = clock.now(self.app)
        for r in self.rows:
            table.add_row(
                str(r.id), r.kind, "●" if r.pinned else "", age(now - r.created_at), plain(r.text), key=str(r.id)
            )
        ids = [r.id for r in self.rows]
        if self.rows:
            table.move_cursor(row=ids.index(keep) if keep in ids else min(was or 0, len(ids) - 1))
        total = self.assistant.memory_count()
        self.query_one("#memory-count", Label).update(
            f"{len(self.rows)} of {total} shown · a add · e edit · p pin · f forget · / search · esc back"
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
        def done(text: str | None) -> None:
            if text:
                added = self.assistant.remember(text)
                self.app.notify("Remembered: " + "; ".join(r.text for r in added), timeout=3)
                self.refresh_rows(keep=added[0].id if added else None)

        self.app.push_screen(AskText("Remember", placeholder="e.g. My sister is called Anna"), done)

    def action_edit(self) -> None:
        record = self._selected()
        if record is None:
            return

        def done(text: str | None) -> None:
            if text and text != record.text:
                self.assistant.edit_memory(record.id, text)
                self.refresh_rows()

        self.app.push_screen(AskText("Edit memory", value=record.text), done)

    def action_pin(self) -> None:
        record = self._selected()
        if record is not None:
            self.assistant.pin_memory(record.id, not record.pinned)
            self.refresh_rows()

    def action_forget(self) -> None:
        record = self._selected()
        if record is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.assistant.forget_memories([record])
                self.app.notify(f"Forgot: {record.text}", timeout=3)
                self.refresh_rows()

        self.app.push_screen(Confirm(f"Forget “{record.text}”?", yes="Forget"), done)
