"""Pick a model: the models.toml entries with where each runs here, then catalog models to
pull (with their download size and fit)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from mnemo.text import printable


class ModelPicker(ModalScreen[str | None]):
    """Dismissed with a model name; a catalog model not pulled yet comes back as "pull:NAME"."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, choices: list[Any], current: str):
        super().__init__(classes="dialog")
        self.choices = choices  # mnemo.assistant.ModelChoice
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="box picker-box"):
            yield Label("Switch model (the conversation goes on)", classes="question")
            options = []
            for c in self.choices:
                mark = "● " if c.name == self.current else "  " if c.pulled else "↓ "
                line = Text(f"{mark}{c.name}  ", style="bold")
                line.append(printable(c.description), style="")
                if not c.chat:
                    line.append("\n    base model: continues text, not made for chat", style="bold yellow")
                if c.fit:
                    line.append(f"\n    {'' if c.pulled else 'pull, then '}runs here: {c.fit}", style="dim")
                options.append(Option(line, id=c.name if c.pulled else f"pull:{c.name}"))
            yield OptionList(*options, id="models")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = [c.name for c in self.choices]
        if self.current in names:
            options.highlighted = names.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
