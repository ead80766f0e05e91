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


KEYS = [
    ("{send} / {newline}", "send / new line (`send_key`, `newline_key` in config.toml)"),
    ("esc", "stop the reply (what was written stays); leave search or an edit"),
    ("up (empty box)", "edit your last message: enter replaces it and its reply, esc keeps them"),
    ("ctrl+r", "answer your last message again"),
    ("pageup / pagedown", "scroll the conversation while typing"),
    ("tab, shift+tab", "step through the messages, newest first"),
    ("c / y / m (on a message)", "copy it / copy its code block / the memories its reply was given"),
    ("ctrl+n", "new conversation"),
    ("ctrl+o", "switch model (the conversation goes on); catalog models are pulled"),
    ("f2", "your memories: search, add, edit, pin, forget"),
    ("ctrl+g", "undo what was just remembered"),
    ("ctrl+b / ctrl+f", "show or hide the sidebar (hidden below 100 columns) / search all conversations"),
    ("r / p / d (sidebar)", "rename / pin / delete a conversation (asks first)"),
    ("ctrl+p", "command palette: mnemo's commands and the themes"),
    ("f1", "this help"),
    ("ctrl+q", "quit"),
]

SLASH_HELP = [
    ("/new", "start a new conversation"),
    ("/model", "pick another model"),
    ("/remember TEXT", "remember something now"),
    ("/forget TEXT", "forget what TEXT is about"),
    ("/memories", "see, search, add, edit, pin and forget memories"),
    ("/incognito", "a conversation that neither reads nor writes memory"),
    ("/export", "save the conversation as Markdown"),
    ("/clear", "delete the messages of this conversation"),
    ("/help", "this help"),
]


def help_text(send: str, newline: str) -> str:
    keys = "\n".join(f"| {k.format(send=send, newline=newline)} | {what} |" for k, what in KEYS)
    slash = "\n".join(f"| `{c}` | {what} |" for c, what in SLASH_HELP)
    return (
        f"| key | what it does |\n|---|---|\n{keys}\n\n"
        f"| command | what it does |\n|---|---|\n{slash}\n\n"
        "A message that starts with `//` is sent as it is, with one `/` (`//etc/hosts …`)."
    )


class HelpScreen(ModalScreen[None]):
    """Keys and slash commands; it scrolls (arrows, page keys, the wheel) on a small screen."""

    BINDINGS = [Binding("escape,q,f1", "dismiss", "Close")]

    def __init__(self, send: str, newline: str):
        super().__init__(classes="dialog")
        self.text = help_text(send, newline)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="box help-box", id="help"):
            yield Static("mnemo · keys and commands  (esc closes)", classes="question")
            yield Markdown(self.text)

    def on_mount(self) -> None:
        self.query_one("#help").focus()
