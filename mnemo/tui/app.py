"""mnemo's chat app. It holds no business logic: it talks to the Assistant, in workers
that post messages; handlers on the UI thread update the widgets."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown
from textual.widgets.markdown import MarkdownStream
from textual.worker import get_current_worker

from mnemo.text import printable
from mnemo.tui.messages import (
    AssistantReady,
    Delta,
    ModelChoices,
    ModelFailed,
    ModelLoaded,
    PullDone,
    PullFailed,
    PullProgress,
    ReplyFailed,
    ReplyFinished,
    ReplyStopped,
    StartupFailed,
    StatusRead,
)
from mnemo.tui.widgets.chat import ChatView, Earlier, MessageView, Welcome
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.sidebar import Sidebar
from mnemo.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from mnemo.assistant import Assistant, Status

SHOWN = 80  # messages kept on screen; /export writes the whole conversation
FRAME = 1 / 20  # seconds between screen updates while a reply streams
SLASH = ("/new", "/model", "/remember", "/forget", "/memories", "/export", "/clear", "/help", "/incognito")
COMMAND = re.compile(r"/[A-Za-z][\w-]*$")  # the first word of "/foo bar"; "/etc/hosts" is text
SIDEBAR_COLUMNS = 100  # a narrower terminal hides the sidebar until ctrl+b or ctrl+f
MODEL_ENDINGS = ("stop", "length")  # a reply the model wrote (not one of mnemo's fixed answers)


def open_assistant() -> Assistant:
    """The default way to get an Assistant: the configured model starts loading at once, in
    its own process; a worker waits for it."""
    from mnemo.assistant import Assistant

    return Assistant.open()


class MnemoApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "mnemo"
    # The footer shows the first few (F1 first: it fits at 80 columns); help lists them all.
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+n", "new_conversation", "New", id="new"),
        Binding("ctrl+o", "pick_model", "Model", id="model"),
        Binding("f2", "memories", "Memories", id="memories"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, id="sidebar"),
        Binding("ctrl+r", "regenerate", "Regenerate", show=False, id="regenerate"),
        Binding("ctrl+g", "undo_memory", "Undo memory", show=False, id="undo_memory"),
        Binding("ctrl+f", "search", "Search", show=False, id="search"),
        Binding("escape", "stop", "Stop", show=False, id="stop"),
    ]

    def __init__(self, opener: Callable[[], Assistant] = open_assistant, settings: Any = None, incognito: bool = False):
        super().__init__()
        from mnemo.assistant import load_settings

        self.opener = opener
        self.assistant: Assistant | None = None
        self._status: Status | None = None
        self.startup_error: str | None = None
        try:
            self.settings = settings or load_settings()
        except Exception as e:  # a broken config.toml gets the error screen, not a traceback
            from mnemo.assistant import default_settings

            self.settings = default_settings()
            self.startup_error = str(e)
        self.model_name = "…"
        self.model_state = "starting"
        self.generating = False
        self._stream: MarkdownStream | None = None
        self._reply_view: MessageView | None = None
        self._tokens = 0
        self._speed: float | None = None
        self._context_used = 0
        self._undo: list[Any] = []
        self._incognito_next = incognito
        self.pulling: str | None = None  # "name 35%" while a model downloads
        self._editing: int | None = None  # the user message Up brought back into the box
        self._sidebar_chosen = False  # ctrl+b decides; until then it shows when there is room

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield ChatView(Welcome(self._welcome(), id="welcome"), id="chat")
                yield PromptInput(
                    self.settings.send_key,
                    self.settings.newline_key,
                    id="prompt",
                    placeholder="Message mnemo…  (/help for commands)",
                )
                yield StatusBar(id="status")
        yield Footer()

    def _welcome(self) -> str:
        return (
            "Ask anything. mnemo runs the model on this machine and remembers what you tell it.\n"
            f"{self.settings.send_key} sends · {self.settings.newline_key} new line · /help"
        )

    def on_mount(self) -> None:
        try:
            self.theme = self.settings.theme
        except Exception:
            pass  # an unknown theme name keeps the default
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))
        self.query_one(PromptInput).focus()
        self._show_status()
        self.set_interval(0.5, self.read_status)
        if self.startup_error:
            self.push_screen(_error_screen(self.startup_error))
            return
        self.open_assistant()

    def now(self) -> float:
        return self.assistant.clock() if self.assistant else time.time()

    # ---------------------------------------------------------------- workers

    @work(thread=True, exclusive=True, group="startup")
    def open_assistant(self) -> None:
        try:
            self.post_message(AssistantReady(self.opener()))
        except Exception as e:
            self.post_message(StartupFailed(str(e)))

    @work(thread=True, exclusive=True, group="status")
    def read_status(self) -> None:
        if self.assistant is not None:
            try:
                self.post_message(StatusRead(self.assistant.status()))
            except Exception:
                pass  # the database is busy or closing: the next tick tries again

    @work(thread=True, exclusive=True, group="model")
    def load_model(self, name: str | None = None) -> None:
        try:
            engine = self.assistant.use_model(name) if name else self.assistant.load_model()
            self.post_message(ModelLoaded(engine.spec.name))
        except Exception as e:
            self.post_message(ModelFailed(str(e)))

    @work(thread=True, exclusive=True, group="generate")
    def generate(self, text: str) -> None:
        from mnemo.assistant import Finished, TextDelta

        worker = get_current_worker()
        # A fast model makes hundreds of tokens a second; the screen takes them in batches of
        # at most FRAME seconds so the UI thread never falls behind (no growing backlog).
        pending: list[str] = []
        first = last_post = 0.0

        def flush(now: float) -> None:
            nonlocal last_post
            if pending:
                self.post_message(Delta("".join(pending), len(pending), now - first))
                pending.clear()
            last_post = now

        try:
            with self.assistant.stream(text) as stream:
                for event in stream.events():
                    if worker.is_cancelled:
                        break
                    now = time.perf_counter()
                    if isinstance(event, Finished):
                        flush(now)
                        self.post_message(ReplyFinished(event.reply))
                    elif isinstance(event, TextDelta):
                        first = first or now
                        pending.append(event.text)
                        if now - last_post >= FRAME:
                            flush(now)
            if worker.is_cancelled:
                history = self.assistant.history()
                self.post_message(ReplyStopped(history[-1] if history else None))
        except Exception as e:
            self.post_message(ReplyFailed(str(e)))

    # ------------------------------------------------------------- handlers

    async def on_assistant_ready(self, message: AssistantReady) -> None:
        self.assistant = message.assistant
        self.model_name = self.assistant.spec.name
        self.model_state = "loading"
        if self._incognito_next:
            self.assistant.new_conversation(incognito=True)
        await self.refresh_sidebar()
        self.load_model()
        self.assistant.start_memory()  # the embedder loads beside the model, off the UI thread
        self.read_status()

    def on_status_read(self, message: StatusRead) -> None:
        self._status = message.status
        self._show_status()

    def on_startup_failed(self, message: StartupFailed) -> None:
        self.push_screen(_error_screen(message.error))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        self.model_name = message.name
        self.model_state = "ready"
        self._show_status()
        self.read_status()

    def on_model_failed(self, message: ModelFailed) -> None:
        self.model_name = self.assistant.spec.name if self.assistant else self.model_name
        self.model_state = "ready" if self.assistant and self.assistant.model_status() == "ready" else "failed"
        self._show_status()
        self.notify(message.error, title="The model could not be loaded", severity="error", timeout=10)

    async def on_delta(self, message: Delta) -> None:
        if self._stream is None:
            return
        self._tokens += message.tokens
        if message.elapsed > 0 and self._tokens > 2:  # a live figure once the model is writing
            self._speed = (self._tokens - 1) / message.elapsed
        if self._reply_view is not None:
            self._reply_view.text += message.text
        await self._stream.write(printable(message.text))

    async def on_reply_finished(self, message: ReplyFinished) -> None:
        reply = message.reply
        await self._end_stream()
        self.model_state = "ready"
        if self._reply_view is not None:
            await self._reply_view.finish(
                reply.text, finish_reason=reply.finish_reason, memories=reply.memories, message_id=reply.message_id
            )
        self._speed = _speed(reply)
        self._context_used = reply.usage.prompt_tokens + reply.usage.completion_tokens
        for notice in reply.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)
        if reply.remembered:
            self._undo = list(reply.remembered)
            self.notify(
                "Remembered: " + " ".join(r.text for r in reply.remembered) + "  (ctrl+g to undo)",
                title="Memory",
                timeout=6,
            )
        self._done_generating()
        await self.refresh_sidebar()

    async def on_reply_stopped(self, message: ReplyStopped) -> None:
        await self._end_stream()
        saved = message.message
        if self._reply_view is not None and saved is not None and saved.role == "assistant":
            await self._reply_view.finish(
                saved.content, finish_reason=saved.finish_reason, memories=[], message_id=saved.id
            )
        self._done_generating()

    async def on_reply_failed(self, message: ReplyFailed) -> None:
        await self._end_stream()
        if self._reply_view is not None:
            await self._reply_view.finish(
                self._reply_view.text or "", finish_reason="error", memories=[], message_id=None, error=message.error
            )
        if self.assistant is not None and self.assistant.model_status() == "stopped":
            self.model_state = "stopped"  # its process died; the next message starts it again
        self.notify(message.error, title="No reply", severity="error", timeout=8)
        self._done_generating()

    async def _end_stream(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    def _done_generating(self) -> None:
        self.generating = False
        self._show_status()
        self.read_status()

    # ------------------------------------------------------------- sending

    @on(PromptInput.EditLast)
    async def on_edit_last(self) -> None:
        await self.action_edit_last()

    @on(PromptInput.Scroll)
    def on_prompt_scroll(self, event: PromptInput.Scroll) -> None:
        chat = self.query_one(ChatView)
        chat.scroll_page_up() if event.pages < 0 else chat.scroll_page_down()

    @on(PromptInput.ToMessages)
    def on_prompt_to_messages(self) -> None:
        newest = self.query_one(ChatView).newest()
        if newest is not None:
            newest.focus()
            newest.scroll_visible(animate=False)
        else:
            self.screen.focus_next()

    @on(ChatView.LeftMessages)
    def on_left_messages(self, event: ChatView.LeftMessages) -> None:
        sidebar = self.query_one(Sidebar)
        if event.older and sidebar.display:
            self.query_one("#conversation-search").focus()
        else:
            self.query_one(PromptInput).focus()

    @on(Sidebar.SearchLeft)
    async def on_search_left(self) -> None:
        await self.refresh_sidebar()
        self.query_one(PromptInput).focus()

    @on(PromptInput.Submitted)
    async def on_prompt_submitted(self, event: PromptInput.Submitted) -> None:
        text = event.text
        word = text.strip().split(maxsplit=1)[0]
        if word in SLASH:
            self.query_one(PromptInput).clear()
            await self.run_slash(text.strip())
            return
        if COMMAND.match(word):  # a typo of a command is not sent to the model; the text stays
            self.notify(
                f"Unknown command {word}: /help lists them (start with // to send it as a message).",
                severity="warning",
                timeout=5,
            )
            return
        if word.startswith("//"):
            text = text.replace("/", "", 1)
        if self.assistant is None:
            self.notify("mnemo is still starting; try again in a moment.", severity="warning", timeout=3)
            return
        if self._busy():
            return
        self.query_one(PromptInput).clear()
        if self._editing is not None:  # the edit replaces the last exchange, now that it is sent
            last = self.assistant.last_user_message()
            if last is not None and last.id == self._editing:
                self.assistant.retract_last()
                await self.show_conversation(self.assistant.conversation_id)
            self._editing = None
        await self.send(text)

    async def send(self, text: str) -> None:
        chat = self.query_one(ChatView)
        for welcome in chat.query(Welcome):
            await welcome.remove()
        await chat.mount(MessageView("user", text, created_at=self.now()))
        self._reply_view = MessageView("assistant", "", model=self.assistant.spec.name, created_at=self.now())
        await chat.mount(self._reply_view)
        await self._keep_recent(chat)
        self._stream = Markdown.get_stream(self._reply_view.body)
        self.generating = True
        if self.model_state in ("stopped", "failed"):
            self.model_state = "loading"  # the turn starts the model afresh
        self._tokens = 0
        self._speed = None
        chat.anchor()
        self.generate(text)

    def _busy(self) -> bool:
        """True (and says so) while a reply is being written."""
        if self.generating:
            self.notify("Still answering: press Esc to stop it first.", severity="warning", timeout=3)
        return self.generating

    def action_stop(self) -> None:
        """Esc: stop the reply being written, else a model being pulled (its partial file stays)."""
        if self.generating:
            self.workers.cancel_group(self, "generate")
        elif self._editing is not None:
            self._editing = None
            self.query_one(PromptInput).clear()
        elif self.pulling:
            self.workers.cancel_group(self, "pull")

    # --------------------------------------------------------- conversations

    async def refresh_sidebar(self, keep: int | None = None) -> None:
        """The conversation list, filtered by the search box; ``keep``: the conversation the
        highlight stays on (one just renamed, pinned or deleted)."""
        if self.assistant is None:
            return
        for sidebar in self.query(Sidebar):  # none while the app is closing
            query = sidebar.query_text
            if query:
                found = self.assistant.search_conversations(query)
                conversations, snippets = [c for c, _ in found], {c.id: snip for c, snip in found}
                note = f"{len(found)} match{'es' if len(found) != 1 else ''} · esc leaves the search"
            else:
                conversations, snippets, note = self.assistant.conversations(), {}, ""
            await sidebar.show(conversations, self.assistant.conversation_id, note, snippets, keep)

    @on(Input.Changed, "#conversation-search")
    async def on_search_changed(self) -> None:
        await self.refresh_sidebar()

    async def show_conversation(self, conversation_id: int | None) -> None:
        chat = self.query_one(ChatView)
        await chat.remove_children()
        messages = self.assistant.history() if conversation_id else []
        if not messages:
            await chat.mount(Welcome(self._welcome(), id="welcome"))
        hidden = max(0, len(messages) - SHOWN)
        if hidden:
            earlier = Earlier()
            earlier.show(hidden)
            await chat.mount(earlier)
        views = []
        for m in messages[hidden:]:
            memories = self.assistant.memories_of(m) if m.role == "assistant" else []
            views.append(
                MessageView(
                    m.role,
                    m.content,
                    model=m.model,
                    created_at=m.created_at,
                    finish_reason=m.finish_reason,
                    memories=memories,
                    message_id=m.id,
                )
            )
        await chat.mount_all(views)
        chat.scroll_end(animate=False)
        chat.anchor()
        self._context_used = _context(messages)
        self._show_status()
        self.read_status()

    async def _keep_recent(self, chat: ChatView) -> None:
        """At most SHOWN messages stay mounted: a long chat does not grow the app's memory
        (or slow its layout) with every turn."""
        views = list(chat.query(MessageView))
        extra = len(views) - SHOWN
        if extra <= 0:
            return
        await chat.remove_children(views[:extra])
        notes = list(chat.query(Earlier))
        earlier = notes[0] if notes else Earlier()
        earlier.show(earlier.hidden + extra)
        if not notes:
            await chat.mount(earlier, before=0)

    @on(Sidebar.Action)
    async def on_sidebar_action(self, event: Sidebar.Action) -> None:
        conversation = event.conversation
        if event.action == "open":
            if self._busy():
                return
            self.assistant.use_conversation(conversation.id)
            await self.show_conversation(conversation.id)
            self.query_one(PromptInput).focus()
        elif event.action == "pin":
            self.assistant.pin_conversation(conversation.id, not conversation.pinned)
            await self.refresh_sidebar(keep=conversation.id)
        elif event.action == "rename":
            from mnemo.tui.screens.dialogs import AskText

            async def renamed(title: str | None) -> None:
                if title:
                    self.assistant.rename_conversation(conversation.id, title)
                    await self.refresh_sidebar(keep=conversation.id)

            self.push_screen(AskText("Rename conversation", value=conversation.title), renamed)
        elif event.action == "delete":
            from mnemo.tui.screens.dialogs import Confirm

            async def deleted(yes: bool | None) -> None:
                if yes:
                    self.assistant.delete_conversation(conversation.id)
                    if self.assistant.conversation_id is None:
                        await self.show_conversation(None)
                    await self.refresh_sidebar(keep=conversation.id)
                    self.notify(f"Deleted “{conversation.title}”.", timeout=3)

            self.push_screen(
                Confirm(f"Delete “{conversation.title}” and its {conversation.message_count} messages?"), deleted
            )

    async def action_new_conversation(self, incognito: bool = False) -> None:
        if self.assistant is None or self.generating:
            return
        self._editing = None
        self.assistant.start_over()
        if incognito:
            self.assistant.new_conversation(incognito=True)
        await self.show_conversation(None)
        await self.refresh_sidebar()
        self.query_one(PromptInput).focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display
        self._sidebar_chosen = True

    def on_resize(self, event: events.Resize) -> None:
        """Below SIDEBAR_COLUMNS the conversation gets the width (ctrl+b shows the sidebar)."""
        if not self._sidebar_chosen:
            for sidebar in self.query(Sidebar):
                sidebar.display = event.size.width >= SIDEBAR_COLUMNS

    def action_search(self) -> None:
        self.query_one(Sidebar).display = True
        self.query_one("#conversation-search", Input).focus()

    async def action_edit_last(self) -> None:
        """Up in the empty box: the last message comes back into the box, cursor at its end.
        Nothing is deleted until the edited message is sent; Esc leaves things as they were."""
        if self.assistant is None or self.generating:
            return
        last = self.assistant.last_user_message()
        if last is None:
            return
        self._editing = last.id
        prompt = self.query_one(PromptInput)
        prompt.text = last.content
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self.notify(
            "Editing your last message: Enter sends it in place of the old one and its reply; "
            "Esc keeps the conversation as it was.",
            timeout=5,
        )

    async def action_regenerate(self) -> None:
        if self.assistant is None or self.generating:
            return
        text = self.assistant.retract_last()
        if text is not None:
            await self.show_conversation(self.assistant.conversation_id)
            await self.send(text)

    # ----------------------------------------------------------------- models

    def action_pick_model(self) -> None:
        if self.assistant is not None:
            self.read_model_choices()

    @work(thread=True, exclusive=True, group="choices")
    def read_model_choices(self) -> None:
        """Where each model runs here comes from GGUF headers and nvidia-smi: off the UI thread."""
        try:
            self.post_message(ModelChoices(self.assistant.model_choices()))
        except Exception as e:
            self.post_message(ModelFailed(str(e)))

    def on_model_choices(self, message: ModelChoices) -> None:
        from mnemo.tui.screens.models import ModelPicker

        def picked(name: str | None) -> None:
            self.query_one(PromptInput).focus()
            if name and name.startswith("pull:"):
                if self.pulling:
                    self.notify(f"Already pulling {self.pulling}; Esc stops it.", severity="warning", timeout=4)
                else:
                    self.pull_model(name.removeprefix("pull:"))
            elif name and name != self.assistant.spec.name:
                self.model_name = name
                self.model_state = "loading"
                self._show_status()
                self.load_model(name)

        self.push_screen(ModelPicker(message.choices, self.assistant.spec.name), picked)

    @work(thread=True, exclusive=True, group="pull")
    def pull_model(self, name: str) -> None:
        """Download a catalog model while the conversation goes on; Esc cancels it (the
        partial file stays, and pulling it again resumes)."""
        from mnemo.errors import PullCancelled

        worker = get_current_worker()
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.perf_counter()
            if now - last >= 0.2 or (total and done >= total):
                last = now
                self.post_message(PullProgress(name, done, total))

        self.post_message(PullProgress(name, 0, None))
        try:
            self.post_message(PullDone(self.assistant.pull_model(name, progress, lambda: worker.is_cancelled)))
        except PullCancelled:
            self.post_message(PullFailed(name, "stopped; pull it again to resume where it stopped", cancelled=True))
        except Exception as e:
            self.post_message(PullFailed(name, str(e)))

    def on_pull_progress(self, message: PullProgress) -> None:
        share = f" {message.done * 100 // message.total}%" if message.total else ""
        self.pulling = f"{message.name}{share}"
        self._show_status()

    def on_pull_done(self, message: PullDone) -> None:
        self.pulling = None
        self.notify(f"Pulled {message.name}; switching to it.", title="Model", timeout=5)
        self.model_name = message.name
        self.model_state = "loading"
        self._show_status()
        self.load_model(message.name)

    def on_pull_failed(self, message: PullFailed) -> None:
        self.pulling = None
        self._show_status()
        self.notify(
            message.error,
            title=f"Pull of {message.name} " + ("stopped" if message.cancelled else "failed"),
            severity="warning" if message.cancelled else "error",
            timeout=8,
        )

    # ----------------------------------------------------------------- memory

    def action_memories(self) -> None:
        if self.assistant is None:
            return
        from mnemo.tui.screens.memories import MemoriesScreen

        self.push_screen(MemoriesScreen(self.assistant))

    def action_undo_memory(self) -> None:
        if not self._undo or self.assistant is None:
            return
        self.assistant.forget_memories(self._undo)
        self.notify(
            f"Undone: forgot {len(self._undo)} new {'memory' if len(self._undo) == 1 else 'memories'}.", timeout=3
        )
        self._undo = []

    def action_help(self) -> None:
        from mnemo.tui.screens.dialogs import HelpScreen

        self.push_screen(HelpScreen(self.settings.send_key, self.settings.newline_key))

    async def run_slash(self, line: str) -> None:
        command, _, arg = line.partition(" ")
        arg = arg.strip()
        if command == "/help":
            self.action_help()
        elif self.assistant is None:
            self.notify("mnemo is still starting; try again in a moment.", severity="warning", timeout=3)
        elif command == "/new":
            await self.action_new_conversation()
        elif command == "/model":
            self.action_pick_model()
        elif command == "/memories":
            self.action_memories()
        elif command == "/incognito":
            await self.action_new_conversation(incognito=True)
            self.notify("Incognito: this conversation neither reads nor writes memory.", timeout=4)
        elif command in ("/remember", "/forget"):
            if not arg:
                self.notify(f"Usage: {command} TEXT", severity="warning", timeout=3)
            elif not self._busy():
                await self.send(line)  # the assistant handles it, as it does "remember that …"
        elif command == "/export":
            self.export_conversation()
        elif command == "/clear":
            self.clear_conversation()

    def export_conversation(self) -> Path | None:
        if self.assistant is None or self.assistant.conversation_id is None:
            self.notify("Nothing to export yet.", severity="warning", timeout=3)
            return None
        target = self.assistant.save_export()
        self.notify(f"Saved {target}", title="Exported", timeout=6)
        return target

    def clear_conversation(self) -> None:
        from mnemo.tui.screens.dialogs import Confirm

        if self.assistant is None or self.assistant.conversation_id is None:
            return
        conversation_id = self.assistant.conversation_id

        async def cleared(yes: bool | None) -> None:
            if yes:
                self.assistant.delete_conversation(conversation_id)
                await self.show_conversation(None)
                await self.refresh_sidebar()

        self.push_screen(Confirm("Delete every message of this conversation?", yes="Clear"), cleared)

    # ----------------------------------------------------------------- status

    def _show_status(self) -> None:
        """The status line from the app's own state and the last figures a worker read."""
        s = self._status
        for bar in self.query(StatusBar):
            bar.show(
                model=self.model_name,
                model_state=self.model_state,
                device=s.device if s else "",
                tokens_per_s=self._speed,
                context_used=self._context_used,
                n_ctx=s.n_ctx if s else None,
                memories=s.memories if s else 0,
                embedder=s.embedder if s else "idle",
                incognito=s.incognito if s else False,
                pulling=self.pulling,
            )

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

    def get_system_commands(self, screen: Screen) -> Any:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New conversation", "Start a new conversation (/new)", self.action_new_conversation)
        yield SystemCommand(
            "Incognito conversation",
            "A conversation that neither reads nor writes memory",
            lambda: self.run_slash("/incognito"),
        )
        yield SystemCommand("Switch model", "Pick another model from models.toml (/model)", self.action_pick_model)
        yield SystemCommand(
            "Memories", "See, search, add, edit, pin and forget memories (/memories)", self.action_memories
        )
        yield SystemCommand(
            "Export conversation", "Save this conversation as Markdown (/export)", self.export_conversation
        )
        yield SystemCommand(
            "Edit last message", "Edit the last message; Enter replaces it, Esc keeps it", self.action_edit_last
        )
        yield SystemCommand("Regenerate", "Answer the last message again", self.action_regenerate)
        yield SystemCommand("Help", "Keys and slash commands (/help)", self.action_help)

    def on_unmount(self) -> None:
        if self.assistant is not None:
            self.assistant.close()


def _speed(reply: Any) -> float | None:
    """Tokens a second of the model's own writing; None for mnemo's fixed answers."""
    t, n = reply.timings, reply.usage.completion_tokens
    if reply.finish_reason not in MODEL_ENDINGS or t.first_token_ms is None or n < 2:
        return None
    seconds = (t.total_ms - t.first_token_ms) / 1000
    return (n - 1) / seconds if seconds > 0 else None


def _context(messages: list[Any]) -> int:
    """The context the conversation's last reply took (prompt and reply), 0 for none."""
    last = next((m for m in reversed(messages) if m.role == "assistant" and m.prompt_tokens), None)
    return (last.prompt_tokens or 0) + (last.completion_tokens or 0) if last else 0


def _error_screen(error: str) -> Any:
    from mnemo.tui.screens.dialogs import ErrorScreen

    return ErrorScreen(error)
