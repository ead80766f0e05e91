"""What the chat app's parts share: the Assistant, the settings, the state the status line
shows (reactive: the status bar is bound to it, so setting a field redraws the line), and
how a handler calls the Assistant off the UI thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import App
from textual.dom import DOMNode
from textual.reactive import var
from textual.worker import WorkerFailed

from mnemo.kinds import ModelState
from mnemo.tui.messages import StatusRead

if TYPE_CHECKING:
    from mnemo.assistant import Assistant, Status

T = TypeVar("T")


class ChatState(App[None]):
    # Bound to the StatusBar's fields of the same names (see MnemoApp.compose).
    model_name = var("…")
    model_state = var(ModelState.STARTING)  # kinds.ModelState
    speed: var[float | None] = var(None)  # tokens a second of the model's last reply
    context_used = var(0)  # the context the conversation on screen took
    pulling: var[str | None] = var(None)  # "name 35%" while a model downloads
    figures: var[Status | None] = var(None)  # the Assistant's status, read by a worker

    assistant: Assistant | None = None
    settings: Any = None
    generating = False
    _editing: int | None = None  # the user message Up brought back into the box

    @work(thread=True, exclusive=True, group="status")
    def read_status(self) -> None:
        if self.assistant is not None:
            try:
                self.post_message(StatusRead(self.assistant.status()))
            except Exception:
                pass  # the database is busy or closing: the next tick tries again

    def on_status_read(self, message: StatusRead) -> None:
        self.figures = message.status

    def now(self) -> float:
        return self.assistant.clock() if self.assistant else time.time()

    def _busy(self) -> bool:
        """True (and says so) while a reply is being written."""
        if self.generating:
            self.notify("Still answering: press Esc to stop it first.", severity="warning", timeout=3)
        return self.generating

    def _starting(self) -> bool:
        """True (and says so) while there is no Assistant yet."""
        if self.assistant is None:
            self.notify("mnemo is still starting; try again in a moment.", severity="warning", timeout=3)
        return self.assistant is None

    async def call(self, work: Callable[[], T]) -> T:
        return await call(self, work)


async def call(node: DOMNode, work: Callable[[], T]) -> T:
    """``work()`` (the Assistant reading or writing the database) in a thread worker of
    ``node``, so the UI thread never waits on SQLite; its result, or its exception. For a
    handler whose next step needs the result; a panel's listing posts a message instead."""
    worker = node.run_worker(work, thread=True, group="database", exit_on_error=False)
    try:
        return await worker.wait()
    except WorkerFailed as e:
        raise e.error from None
