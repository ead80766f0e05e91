"""Which tools this conversation offers the model: mnemo's own and each MCP server's, with
their rule (allow / ask / deny) and what each costs in prompt tokens. Fewer tools leave a
small model more of its context, and fewer names to mix up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, SelectionList
from textual.widgets.selection_list import Selection

from mnemo.text import printable


@dataclass(frozen=True)
class ToolRow:
    """A tool as the screen lists it (from ``Assistant.toolbox``)."""

    name: str
    server: str
    description: str
    rule: str  # allow | ask | deny
    tokens: int


def chosen_names(rows: list[ToolRow], selected: set[str]) -> set[str] | None:
    """What the conversation offers: None when every tool is chosen (a tool added to
    config.toml later is offered too), else the chosen tools' names (maybe none)."""
    return None if selected >= {r.name for r in rows} else selected


class ToolsScreen(ModalScreen[tuple[set[str] | None] | None]):
    """Dismissed with the new choice in a 1-tuple (``(None,)``: all tools), or None when
    left with Esc."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
        Binding("n", "none", "None"),
        Binding("a", "all", "All"),
    ]

    def __init__(self, rows: list[ToolRow], offered: set[str] | None, problems: list[str], model_tools: bool = True):
        super().__init__(classes="dialog")
        self.rows = rows
        self.offered = offered  # None: all
        self.problems = problems
        self.model_tools = model_tools

    def compose(self) -> ComposeResult:
        with Vertical(classes="box tools-box"):
            yield Label("Tools this conversation offers the model", classes="question")
            if not self.model_tools:
                yield Label(
                    "This model is offered no tools on its own (tools = true in models.toml); /tool NAME still works.",
                    classes="hint tools-note",
                )
            selections = []
            for row in self.rows:
                line = Text(f"{row.name}", style="bold")
                where = "mnemo" if row.server == "mnemo" else row.server
                line.append(f"  {where} · {row.rule} · ~{row.tokens} tokens", style="dim")
                if row.description:  # its first line, as far as the width goes
                    line.append("  " + " ".join(printable(row.description).split())[:120], style="italic")
                on = self.offered is None or row.name in self.offered or row.server in self.offered
                selections.append(Selection(line, row.name, on))
            yield SelectionList[str](*selections, id="tool-list")
            for problem in self.problems:
                yield Label(Text(printable(problem)), classes="failure")
            yield Label("", id="tools-cost", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Label("space choose · n none · a all · ctrl+s save · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self._cost()

    def _cost(self) -> None:
        chosen = set(self.query_one(SelectionList).selected)
        tokens = sum(r.tokens for r in self.rows if r.name in chosen)
        self.query_one("#tools-cost", Label).update(
            f"{len(chosen)} of {len(self.rows)} tools · about {tokens:,} prompt tokens a turn"
        )

    def on_selection_list_selected_changed(self) -> None:
        self._cost()

    def action_none(self) -> None:
        self.query_one(SelectionList).deselect_all()

    def action_all(self) -> None:
        self.query_one(SelectionList).select_all()

    def action_save(self) -> None:
        chosen = chosen_names(self.rows, set(self.query_one(SelectionList).selected))
        self.dismiss((chosen,))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)


def rows_of(toolbox: Any) -> tuple[list[ToolRow], list[str]]:
    """Every tool the session could offer (servers start now), and the servers that failed."""
    infos = toolbox.offered()
    rows = [ToolRow(t.name, t.server, t.description, str(toolbox.rule(t)), t.tokens) for t in infos]
    return rows, list(toolbox.problems)
