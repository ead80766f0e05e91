"""Small modal dialogs: confirm, ask for a line of text, show an error, help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Markdown

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
    """What went wrong at start-up, in one readable place, with how to fix it."""

    BINDINGS = [Binding("q,escape,ctrl+q", "app.quit", "Quit")]

    def __init__(self, error: str):
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="box error-box"):
            yield Label("mnemo cannot start", classes="question")
            yield Label(plain(self.error), id="error-text")
            yield Label("Fix the file or run `mnemo doctor` for a full check, then start mnemo again. "
                        "Press q to quit.", classes="hint")


HELP = """\
# mnemo

**Send** with {send}, a **new line** with {newline}. **Esc** stops a reply.

| slash command | what it does |
|---|---|
| `/new` | start a new conversation |
| `/model` | pick another model |
| `/remember TEXT` | remember something now |
| `/forget TEXT` | forget what TEXT is about |
| `/memories` | see, search, add, edit, pin and forget memories |
| `/incognito` | this conversation neither reads nor writes memory |
| `/export` | save the conversation as Markdown |
| `/clear` | delete the messages of this conversation |
| `/help` | this help |

**Up** in an empty box brings back your last message to edit (Enter replaces it, Esc
keeps it); **ctrl+r** answers it again. Focus a message (tab or click) and press **c** to copy it, **y** to copy its last
code block, **m** to see the memories its reply used. **F2** opens your memories;
**ctrl+g** undoes what was just remembered. In the sidebar: **enter** opens, **r**
renames, **p** pins, **d** deletes. **ctrl+p** opens the command palette (themes too).
The send and newline keys are set in config.toml (`send_key`, `newline_key`).
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "dismiss", "Close")]

    def __init__(self, send: str, newline: str):
        super().__init__(classes="dialog")
        self.text = HELP.format(send=send, newline=newline)

    def compose(self) -> ComposeResult:
        with Vertical(classes="box help-box"):
            yield Markdown(self.text)
