"""mnemo's chat app: the layout, the keys, and the wiring of its parts. It holds no business
logic: it talks to the Assistant in workers that post messages, and handlers on the UI
thread update the widgets. The parts, by concern: the conversation on screen and the
sidebar (``conversations``), a turn (``turns``), the model (``model_state``), the state the
status line shows (``state``), the command table (``commands``) and the help's keys (``keys``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from mnemo.kinds import ModelState
from mnemo.tui import commands
from mnemo.tui.commands import Command
from mnemo.tui.keys import help_keys
from mnemo.tui.messages import AssistantReady, StartupFailed
from mnemo.tui.model_state import ModelsMixin
from mnemo.tui.state import ChatState
from mnemo.tui.turns import TurnsMixin
from mnemo.tui.widgets.chat import ChatView, Welcome
from mnemo.tui.widgets.footer import Footer
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.sidebar import Sidebar
from mnemo.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from mnemo.assistant import Assistant


def open_assistant() -> Assistant:
    """The default way to get an Assistant: the configured model starts loading at once, in
    its own process; a worker waits for it."""
    from mnemo.assistant import Assistant

    return Assistant.open()


class MnemoApp(TurnsMixin, ModelsMixin):
    CSS_PATH = "app.tcss"
    TITLE = "mnemo"
    # The footer shows the first few (F1 first: it fits at 80 columns); help lists them all.
    # A binding's id is its name in config.toml's [keys] and in the help (mnemo.tui.keys).
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+n", "new_conversation", "New", id="new"),
        Binding("ctrl+o", "pick_model", "Model", id="model"),
        Binding("f2", "memories", "Memories", id="memories"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "interrupt", "Stop / quit", show=False, priority=True, id="interrupt"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, id="sidebar"),
        Binding("ctrl+l", "conversations", "Conversations", show=False, id="conversations"),
        Binding("ctrl+r", "regenerate", "Regenerate", show=False, id="regenerate"),
        Binding("ctrl+g", "undo_memory", "Undo memory", show=False, id="undo_memory"),
        Binding("ctrl+f", "search", "Search", show=False, id="search"),
        Binding("escape", "stop", "Stop", show=False, id="stop"),
    ]

    def __init__(
        self,
        opener: Callable[[], Assistant] = open_assistant,
        settings: Any = None,
        incognito: bool = False,
        resume: bool | None = None,
    ):
        """``resume``: reopen the last conversation (None: as config.toml's continue_last says)."""
        super().__init__()
        from mnemo.assistant import load_settings

        self.opener = opener
        self.startup_error: str | None = None
        try:
            self.settings = settings or load_settings()
        except Exception as e:  # a broken config.toml gets the error screen, not a traceback
            from mnemo.assistant import default_settings

            self.settings = default_settings()
            self.startup_error = str(e)
        self._incognito_next = incognito
        self._resume = not incognito and (self.settings.continue_last if resume is None else resume)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield ChatView(Welcome(self._welcome(self._incognito_next), id="welcome"), id="chat")
                yield PromptInput(
                    self.settings.send_key,
                    self.settings.newline_key,
                    id="prompt",
                    placeholder="Message mnemo…  (/help for commands)",
                )
                yield StatusBar(id="status").data_bind(
                    ChatState.model_name,
                    ChatState.model_state,
                    ChatState.speed,
                    ChatState.context_used,
                    ChatState.pulling,
                    ChatState.figures,
                )
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.theme = self.settings.theme
        except Exception:
            pass  # an unknown theme name keeps the default
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))
        self.query_one(PromptInput).focus()
        self.set_interval(0.5, self.read_status)
        if self.startup_error:
            self.push_screen(_error_screen(self.startup_error))
            return
        self.open_assistant()

    REMINDER_EVERY = 5.0  # seconds between looks for reminders due while the chat is open

    def on_unmount(self) -> None:
        if self.assistant is not None:
            self.assistant.close()

    # ---------------------------------------------------------------- startup

    @work(thread=True, exclusive=True, group="startup")
    def open_assistant(self) -> None:
        try:
            self.post_message(AssistantReady(self.opener()))
        except Exception as e:
            self.post_message(StartupFailed(str(e)))

    async def on_assistant_ready(self, message: AssistantReady) -> None:
        assistant = self.assistant = message.assistant
        self.model_name = assistant.spec.name
        self.model_state = ModelState.LOADING
        if self._incognito_next:
            await self.call(partial(assistant.new_conversation, incognito=True))
        elif self._resume and (last := await self.call(assistant.continue_latest)) is not None:
            await self.show_conversation(last)
        self.refresh_sidebar()
        self.load_model()
        assistant.start_memory()  # the embedder loads beside the model, off the UI thread
        self.read_status()
        self.set_interval(self.REMINDER_EVERY, self.check_reminders)

    def on_startup_failed(self, message: StartupFailed) -> None:
        self.push_screen(_error_screen(message.error))

    # --------------------------------------------------------------- commands

    @on(PromptInput.Submitted)
    async def on_prompt_submitted(self, event: PromptInput.Submitted) -> None:
        command = commands.slash_command(event.text)
        if isinstance(command, Command):
            self.query_one(PromptInput).clear()
            await self.run_command(command, event.text.strip())
        elif command is not None:  # a typo of a command is not sent to the model; the text stays
            self.notify(
                f"Unknown command {command}: /help lists them (start with // to send it as a message).",
                severity="warning",
                timeout=5,
            )
        else:
            await self.submit(event.text)

    async def run_command(self, command: Command, line: str = "") -> None:
        """Run a command of the table (typed as ``line``, or picked in the palette)."""
        if command.ready and self._starting():
            return
        if command.needs_arg and not line.partition(" ")[2].strip():
            self.notify(f"Usage: {command.usage}", severity="warning", timeout=3)
            return
        handler = getattr(self, f"action_{command.action}")
        result = handler(line) if command.arg else handler()
        if inspect.isawaitable(result):
            await result

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        yield from super().get_system_commands(screen)
        for command in commands.palette():
            yield SystemCommand(command.title, command.palette_help, partial(self.run_command, command))

    def action_help(self) -> None:
        from mnemo.tui.screens.dialogs import HelpScreen

        keys = help_keys(self, self.settings.send_key, self.settings.newline_key)
        self.push_screen(HelpScreen(keys, commands.slash_help()))

    def action_memories(self) -> None:
        if self.assistant is None:
            return
        from mnemo.tui.screens.memories import MemoriesScreen

        self.push_screen(MemoriesScreen(self.assistant))

    # ------------------------------------------------------------------ misc

    def watch_theme(self, theme: str) -> None:
        if self.is_running and theme != self.settings.theme:
            from dataclasses import replace

            from mnemo.assistant import save_setting

            try:
                if self.assistant is not None:
                    self.assistant.save_setting("theme", theme)
                else:
                    save_setting("theme", theme)
                self.settings = replace(self.settings, theme=theme)
            except Exception as e:
                self.notify(f"Could not save the theme: {e}", severity="warning", timeout=4)


def _error_screen(error: str) -> Any:
    from mnemo.tui.screens.dialogs import ErrorScreen

    return ErrorScreen(error)
