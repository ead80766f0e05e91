"""A turn on screen: the message sent, the reply streamed into its view in batches, and its
end (finished, stopped with Esc, failed); editing the last message and answering it again."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from textual import on, work
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownStream
from textual.worker import get_current_worker

from mnemo.kinds import COMMAND_REPLIES, MODEL_ENDINGS, Finish, ModelState
from mnemo.text import printable
from mnemo.tui.messages import Delta, RemindersDue, ReplyFailed, ReplyFinished, ReplyStopped, Thinking, ToolShown
from mnemo.tui.tools import ToolsMixin
from mnemo.tui.widgets.chat import ChatView, MessageView, Reminder, Welcome
from mnemo.tui.widgets.prompt import PromptInput

FRAME = 1 / 20  # seconds between screen updates while a reply streams
QUIT_AGAIN = 3.0  # seconds in which a second ctrl+c quits
STAGES = {  # what the reply's view says before its first token (mnemo.assistant.Progress)
    "start": "thinking…",
    "loading": "loading the model…",
    "recalling": "recalling memories…",
}


def thinking(stage: str, done: int = 0, total: int = 0) -> str:
    if stage == "reading" and total:
        read = f"{done:,} of {total:,} tokens" if done else f"{total:,} tokens"
        return f"reading the prompt ({read})…"
    return STAGES.get(stage, f"{stage}…")


class TurnsMixin(ToolsMixin):
    _stream: MarkdownStream | None = None
    _reply_view: MessageView | None = None
    _tokens = 0
    _undo: tuple[str, Any] | None = None  # ("remembered", records) or ("forgot", forgetting): ctrl+g
    _versioned = False  # the reply on its way is a new version: the views read their ‹n/m› after

    # ---------------------------------------------------------------- sending

    async def submit(self, text: str) -> None:
        """A message from the box (not a command): sent, as a new version of the message Up
        brought back when it is an edit (the old one and its replies stay, ‹1/2›)."""
        if text.strip().startswith("//"):
            text = text.replace("/", "", 1)
        assistant = self.assistant
        if self._starting() or assistant is None or self._busy():
            return
        self.query_one(PromptInput).clear()
        editing, self._editing = self._editing, None
        if editing is not None:
            await self._drop_last_exchange()
        await self.send(text, edit=editing)

    async def _drop_last_exchange(self, keep_question: bool = False) -> None:
        """The views of the version being set aside leave the screen (it stays in the
        database): the last message and its reply, or (``keep_question``) the reply only."""
        chat = self.query_one(ChatView)
        views = list(chat.query(MessageView))
        users = [i for i, v in enumerate(views) if v.role == "user"]
        if users:
            await chat.remove_children(views[users[-1] + int(keep_question) :])

    async def send(self, text: str, *, edit: int | None = None, again: bool = False) -> None:
        """``edit``: the id of the user message ``text`` is a new version of; ``again``: the
        last message answered again (its view stays)."""
        assert self.assistant is not None
        chat = self.query_one(ChatView)
        for welcome in chat.query(Welcome):
            await welcome.remove()
        if not again:
            await chat.mount(MessageView("user", text, created_at=self.now()))
        self._reply_view = MessageView("assistant", "", model=self.assistant.spec.name, created_at=self.now())
        await chat.mount(self._reply_view)
        self._reply_view.think(thinking("start"))  # from Enter to the first token
        await self._keep_recent(chat)
        self._stream = Markdown.get_stream(self._reply_view.body)
        self.generating = True
        self._versioned = edit is not None or again
        if self.model_state in (ModelState.STOPPED, ModelState.FAILED):
            self.model_state = ModelState.LOADING  # the turn starts the model afresh
        self._tokens = 0
        self.speed = None
        chat.anchor()
        self.generate(text, edit, again)

    async def action_say(self, line: str) -> None:
        """/remember and /forget: the Assistant handles them, as it does "remember that …"."""
        if not self._busy():
            await self.send(line)

    @work(thread=True, exclusive=True, group="generate")
    def generate(self, text: str, edit: int | None = None, again: bool = False) -> None:
        from mnemo.assistant import Finished, Progress, TextDelta, ToolFinished, ToolStarted

        assert self.assistant is not None
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

        stream = None
        try:
            assistant, was = self.assistant, self.assistant.conversation_id
            # approve: the dialog, for a call that asks; tools: what the conversation offers (/tools)
            tooling: dict[str, Any] = {"approve": self.approve, "tools": self.offer()}
            stream = assistant.regenerate(**tooling) if again else assistant.stream(text, edit=edit, **tooling)
            self._live = stream  # Esc / ctrl+c stop it from the UI thread (stop_reply)
            with stream:
                for event in stream.events(progress=True):
                    if worker.is_cancelled:
                        break
                    now = time.perf_counter()
                    if isinstance(event, Progress):
                        self.post_message(Thinking(event.stage, event.done, event.total))
                    elif isinstance(event, ToolStarted | ToolFinished):
                        flush(now)  # the text before the call is on screen first
                        self.post_message(ToolShown(event.index, event.call, isinstance(event, ToolFinished)))
                    elif isinstance(event, Finished):
                        flush(now)
                        self.post_message(ReplyFinished(event.reply))
                    elif isinstance(event, TextDelta):
                        first = first or now
                        pending.append(event.text)
                        if now - last_post >= FRAME:
                            flush(now)
            self.keep_offer(was)
            if worker.is_cancelled:
                saved = self._last_reply()
                self.post_message(ReplyStopped(saved, self._given(saved)))
        except Exception as e:
            self.post_message(ReplyFailed(str(e), self._given(self._last_reply())))
        finally:
            if self._live is stream:  # (a newer turn's stream stays)
                self._live = None

    def _last_reply(self) -> Any:
        """The conversation's last message, as saved (the stopped or failed reply)."""
        try:
            history = self.assistant.history() if self.assistant else []
        except Exception:
            return None
        return history[-1] if history else None

    def _given(self, saved: Any) -> list[Any]:
        """The memories a saved reply was given (``m`` shows them, stopped or not)."""
        if self.assistant is None or saved is None or saved.role != "assistant":
            return []
        try:
            return self.assistant.memories_of(saved)
        except Exception:
            return []

    # ------------------------------------------------------------- the reply

    def on_thinking(self, message: Thinking) -> None:
        if self._reply_view is not None and self.generating and not self._reply_view.text:
            self._reply_view.think(thinking(message.stage, message.done, message.total))
        if message.stage == "loading" and self.model_state != ModelState.READY:
            self.model_state = ModelState.LOADING

    async def on_delta(self, message: Delta) -> None:
        if self._stream is None:
            return
        if self._reply_view is not None and not self._reply_view.text:
            self._reply_view.think(None)
        self._tokens += message.tokens
        if message.elapsed > 0 and self._tokens > 2:  # a live figure once the model is writing
            self.speed = (self._tokens - 1) / message.elapsed
        if self._reply_view is not None:
            self._reply_view.text += message.text
        await self._stream.write(printable(message.text))

    async def on_reply_finished(self, message: ReplyFinished) -> None:
        reply = message.reply
        await self._end_stream()
        self.model_state = ModelState.READY
        if self._reply_view is not None:
            await self._reply_view.finish(
                reply.text, finish_reason=reply.finish_reason, memories=reply.memories, message_id=reply.message_id
            )
        self.speed = _speed(reply)
        if reply.finish_reason not in COMMAND_REPLIES:  # a fixed answer leaves ctx the conversation's
            self.context_used = reply.usage.prompt_tokens + reply.usage.completion_tokens
        for notice in reply.notices:
            self.notify(notice, title="Note", severity="warning", timeout=10)
        if reply.remembered:
            self._undo = ("remembered", tuple(reply.remembered))
            self.notify(
                "Remembered: " + " ".join(r.text for r in reply.remembered) + "  (ctrl+g to undo)",
                title="Memory",
                timeout=6,
            )
        if reply.forgotten:
            self._undo = ("forgot", reply.forgotten[-1])
            self.notify(f"{reply.text}  (ctrl+g to undo)", title="Memory", timeout=6)
        self._done_generating()
        await self._show_versions()
        self.refresh_sidebar()

    async def on_reply_stopped(self, message: ReplyStopped) -> None:
        await self._end_stream()
        self.settle_cards()
        saved = message.message
        if self._reply_view is not None and saved is not None and saved.role == "assistant":
            await self._reply_view.finish(
                saved.content, finish_reason=saved.finish_reason, memories=message.memories, message_id=saved.id
            )
            if saved.prompt_tokens:  # what the stopped reply took is the conversation's context now
                self.context_used = saved.prompt_tokens + (saved.completion_tokens or 0)
        elif self._reply_view is not None:
            await self._reply_view.finish(
                self._reply_view.text, finish_reason=Finish.STOPPED, memories=[], message_id=None
            )
        self._done_generating()
        await self._show_versions()

    async def on_reply_failed(self, message: ReplyFailed) -> None:
        await self._end_stream()
        self.settle_cards()
        if self._reply_view is not None:
            await self._reply_view.finish(
                self._reply_view.text or "",
                finish_reason=Finish.ERROR,
                memories=message.memories,
                message_id=None,
                error=message.error,
            )
        if self.assistant is not None and self.assistant.model_status() == ModelState.STOPPED:
            self.model_state = ModelState.STOPPED  # its process died; the next message starts it again
        self.notify(message.error, title="No reply", severity="error", timeout=8)
        self._done_generating()
        self._versioned = False  # the failed reply stays on screen, with its error

    async def _end_stream(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    async def _show_versions(self) -> None:
        """After a new version (an edit, ctrl+r): the conversation read anew, each message
        with its ‹n/m›."""
        assistant = self.assistant
        if not self._versioned or assistant is None:
            return
        self._versioned = False
        await self.show_conversation(assistant.conversation_id)

    def _done_generating(self) -> None:
        self.generating = False
        self.read_status()

    def action_stop(self) -> None:
        """Esc: stop the reply being written, else leave an edit, else a model being pulled
        (its partial file stays); from a message or the conversation list, back to the box."""
        prompt = self.query_one(PromptInput)
        back = self.focused is not prompt
        if self.generating:
            self.stop_reply()
        elif self._editing is not None:
            self._editing = None
            prompt.clear()
        elif self.pulling and not back:
            self.workers.cancel_group(self, "pull")
        if back:
            self.back_to_the_box()

    _live: Any = None  # the reply stream being iterated by the generate worker

    def stop_reply(self) -> None:
        """The model stops at once, even before its first token (while it reads the prompt)."""
        self.workers.cancel_group(self, "generate")
        if self._live is not None:
            self._live.stop()  # the model at once, and a tool call that runs is abandoned
        if self._reply_view is not None and not self._reply_view.text:
            self._reply_view.think("stopping…")

    _interrupted = 0.0  # when ctrl+c last asked to quit

    def action_interrupt(self) -> None:
        """ctrl+c: stops the reply being written; with none, copies what is selected in the
        box (or a field), else a second ctrl+c quits (as ctrl+q does)."""
        focused = self.focused
        if self.generating:
            self.stop_reply()
            self._interrupted = 0.0
            self.notify("Stopped the reply. ctrl+c again (or ctrl+q) quits.", timeout=3)
        elif getattr(focused, "selected_text", "") and hasattr(focused, "action_copy"):
            focused.action_copy()  # type: ignore[union-attr]  # the box's or a field's copy, as before
        elif time.monotonic() - self._interrupted < QUIT_AGAIN:
            self.exit()
        else:
            self._interrupted = time.monotonic()
            self.notify("Press ctrl+c again to quit (or ctrl+q).", timeout=QUIT_AGAIN)

    # -------------------------------------------------------------- reminders

    def check_reminders(self) -> None:
        """On a timer: reminders whose time has come fire now, not with the next message
        (while a reply is written, the turn fires them itself)."""
        if self.assistant is not None and not self.generating:
            self.read_reminders(self.assistant)

    @work(thread=True, exclusive=True, group="reminders")
    def read_reminders(self, assistant: Any) -> None:
        try:
            due = assistant.due_reminders()
        except Exception:
            return  # the database is busy or closing: the next tick looks again
        if due:
            self.post_message(RemindersDue(due))

    async def on_reminders_due(self, message: RemindersDue) -> None:
        chat = self.query_one(ChatView)
        for welcome in chat.query(Welcome):
            await welcome.remove()
        for text in message.reminders:
            await chat.mount(Reminder(text, self.now()))
            self.notify(text, timeout=30)
        self.bell()
        chat.scroll_end(animate=False)

    # ------------------------------------------------------- edit and again

    @on(PromptInput.EditLast)
    async def on_edit_last(self) -> None:
        await self.action_edit_last()

    async def action_edit_last(self) -> None:
        """Up in the empty box: the last message comes back into the box, cursor at its end.
        Nothing changes until the edited message is sent (then the old one stays as its
        other version, ‹1/2›); Esc leaves things as they were."""
        assistant = self.assistant
        if assistant is None or self.generating:
            return
        last = await self.call(assistant.last_user_message)
        if last is None:
            return
        self._editing = last.id
        prompt = self.query_one(PromptInput)
        prompt.text = last.content
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self.notify(
            "Editing your last message: Enter sends it as a new version (the old one stays, ←/→ on "
            "it steps between them); Esc keeps the conversation as it was.",
            timeout=5,
        )

    async def action_regenerate(self) -> None:
        """ctrl+r: the last message answered again; the old reply stays as a version (‹1/2›)."""
        assistant = self.assistant
        if assistant is None or self.generating or self._busy():
            return
        last = await self.call(assistant.last_user_message)
        if last is None:
            self.notify("There is no message to answer again.", severity="warning", timeout=3)
            return
        await self._drop_last_exchange(keep_question=True)
        await self.send(last.content, again=True)

    @on(MessageView.StepVersion)
    async def on_step_version(self, event: MessageView.StepVersion) -> None:
        """left/right on a message with versions: the neighbouring version, and what followed
        it, on screen (and on the conversation's path: the next message continues it)."""
        assistant = self.assistant
        if assistant is None or self._busy():
            return
        shown = await self.call(partial(assistant.switch_version, event.message_id, event.step))
        if shown.id == event.message_id:
            self.notify("There is no other version that way.", timeout=2)
            return
        await self.show_conversation(assistant.conversation_id)
        for view in self.query_one(ChatView).query(MessageView):
            if view.message_id == shown.id:
                view.focus()
                view.scroll_visible(animate=False)

    async def action_version(self, step: int) -> None:
        """The palette's previous/next version: of the focused message, else the newest one
        that has versions."""
        views = list(self.query_one(ChatView).query(MessageView))
        focused = self.focused if isinstance(self.focused, MessageView) else None
        target = focused if focused is not None and focused.version else None
        target = target or next((v for v in reversed(views) if v.version), None)
        if target is None or target.message_id is None:
            self.notify("No message here has another version.", timeout=3)
            return
        await self.on_step_version(MessageView.StepVersion(target.message_id, step))

    async def action_previous_version(self) -> None:
        await self.action_version(-1)

    async def action_next_version(self) -> None:
        await self.action_version(1)

    async def action_undo_memory(self) -> None:
        """ctrl+g: undo what the last reply remembered, or what the last forget erased."""
        undo, assistant = self._undo, self.assistant
        if assistant is None:
            return
        if undo is None:
            self.notify("Nothing to undo: ctrl+g undoes what was just remembered or forgotten.", timeout=3)
            return
        self._undo = None
        kind, what = undo
        if kind == "forgot":
            n = await self.call(partial(assistant.undo_forget, what))
            back = "1 memory back as it was" if n == 1 else f"{n} memories back as they were"
            self.notify(f"Undone: {back}.", timeout=3)
            self.read_status()
            return
        await self.call(partial(assistant.forget_memories, list(what)))
        self.notify(f"Undone: forgot {len(what)} new {'memory' if len(what) == 1 else 'memories'}.", timeout=3)


def _speed(reply: Any) -> float | None:
    """Tokens a second of the model's own writing; None for mnemo's fixed answers."""
    t, n = reply.timings, reply.usage.completion_tokens
    if reply.finish_reason not in MODEL_ENDINGS or t.first_token_ms is None or n < 2:
        return None
    seconds = (t.total_ms - t.first_token_ms) / 1000
    return (n - 1) / seconds if seconds > 0 else None
