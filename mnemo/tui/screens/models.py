"""Pick a model from models.toml."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


class ModelPicker(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, models: list[tuple[str, str]], current: str):
        super().__init__(classes="dialog")
        self.models = models
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="box picker-box"):
            yield Label("Switch model (the conversation goes on)", classes="question")
            options = [Option(f"{'● ' if name == self.current else '  '}{name}  {desc}", id=name)
                       for name, desc in self.models]
            yield OptionList(*options, id="models")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = [name for name, _ in self.models]
        if self.current in names:
            options.highlighted = names.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
