"""Small modal dialogs: confirm, ask for a line of text, show an error, help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Markdown, Static

from mnemo.tui.widgets.plain import plain


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel"), Binding("y", "dismiss(True)", "Yes")]

    def __init__(self, question: str, yes: str = "Delete"):
        super().__init__(classes="dialog")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label(plain(self.question), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button("Cancel", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class AskText(ModalScreen[str | None]):
    """One line of text: a new title, a memory to add or edit."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = ""):
        super().__init__(classes="dialog")
        self.title_text = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="box"):
            yield Label(self.title_text, classes="question")
            yield Input(self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class ErrorScreen(Screen[None]):
    """What went wrong at start-up, in one readable place, with how to fix it. Leaving it
    ends mnemo with exit status 2 (bad configuration), as `mnemo ask` does."""

    BINDINGS = [Binding("q,escape,ctrl+q", "leave", "Quit")]

    def __init__(self, error: str):
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="box error-box"):
            yield Static("mnemo cannot start", classes="question")
            yield Static(plain(self.error), id="error-text")
            yield Static(
                "Fix what it names, or run `mnemo doctor` for a full check, then start mnemo again.", classes="hint"
            )
        yield Static("q quit", id="error-keys", classes="hint")

    def action_leave(self) -> None:
        self.app.exit(return_code=2)


def help_text(keys: list[tuple[str, str]], commands: list[tuple[str, str]]) -> str:
    """The help's two tables: (keys, what they do) and (slash command, what it does)."""
    key_rows = "\n".join(f"| {k} | {what} |" for k, what in keys)
    slash = "\n".join(f"| `{c}` | {what} |" for c, what in commands)
    return (
        f"| key | what it does |\n|---|---|\n{key_rows}\n\n"
        f"| command | what it does |\n|---|---|\n{slash}\n\n"
        "A message that starts with `//` is sent as it is, with one `/` (`//etc/hosts …`)."
    )


class HelpScreen(ModalScreen[None]):
    """Keys and slash commands, as the app gives them (``mnemo.tui.keys``, ``mnemo.tui.commands``);
    it scrolls (arrows, page keys, the wheel) on a small screen. The help key closes it too."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close"), Binding("f1", "dismiss", "Close", id="help")]

    def __init__(self, keys: list[tuple[str, str]], commands: list[tuple[str, str]]):
        super().__init__(classes="dialog")
        self.text = help_text(keys, commands)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="box help-box", id="help"):
            yield Static("mnemo · keys and commands  (esc closes)", classes="question")
            yield Markdown(self.text)

    def on_mount(self) -> None:
        self.query_one("#help").focus()
