"""The memories one reply was given: text, age and score."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from mnemo.export import age
from mnemo.tui.widgets.plain import plain


class MemoryPanel(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,m", "dismiss", "Close")]

    def __init__(self, memories: list[Any], now: float):
        super().__init__(classes="dialog")
        self.memories = memories
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="box panel-box"):
            n = len(self.memories)
            yield Label(
                f"Memories this reply was given ({n})" if n else "This reply was given no memories.", classes="question"
            )
            table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("age", "kind", "score", "memory")
            for m in self.memories:
                table.add_row(age(self.now - m.created_at), m.kind, f"{m.score:.3f}", plain(m.text))
            yield table
