"""Messages that workers post to the app; handlers on the UI thread apply them. (A widget's
own messages, what the user asked of it, are its nested classes.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class AssistantReady(Message):
    assistant: Any


@dataclass
class StartupFailed(Message):
    error: str


@dataclass
class ModelLoaded(Message):
    name: str


@dataclass
class ModelFailed(Message):
    error: str


@dataclass
class Delta(Message):
    """Text the model produced since the last Delta: ``tokens`` pieces of it, the last one
    ``elapsed`` seconds after the first token of the reply."""

    text: str
    tokens: int = 1
    elapsed: float = 0.0


@dataclass
class Thinking(Message):
    """What the turn is doing before the reply's first token (``mnemo.assistant.Progress``)."""

    stage: str
    done: int = 0
    total: int = 0


@dataclass
class RemindersDue(Message):
    """Reminders whose time has come while the chat is open, as mnemo says them."""

    reminders: list[str]


@dataclass
class ReplyFinished(Message):
    reply: Any


@dataclass
class ReplyStopped(Message):
    message: Any  # the saved partial reply (mnemo.store.Message) or None
    memories: list[Any] = field(default_factory=list)  # what it was given (mnemo.memory.Memory)


@dataclass
class ReplyFailed(Message):
    error: str
    memories: list[Any] = field(default_factory=list)  # what the failed reply was given


@dataclass
class StatusRead(Message):
    """The Assistant's status figures, read in a worker (they come from the database)."""

    status: Any  # mnemo.assistant.Status


@dataclass
class ModelChoices(Message):
    choices: list[Any]  # mnemo.assistant.ModelChoice


@dataclass
class PullProgress(Message):
    name: str
    done: int
    total: int | None


@dataclass
class PullDone(Message):
    name: str  # the models.toml entry it was registered as


@dataclass
class PullFailed(Message):
    name: str
    error: str
    cancelled: bool = False


@dataclass
class ConversationsRead(Message):
    """The sidebar's list as a worker read it: the ``conversations`` (with what matched the
    search, ``snippets``, and its ``note``), the ``current`` one, and ``keep``, the one the
    highlight stays on."""

    conversations: list[Any]  # mnemo.store.Conversation
    current: int | None
    note: str = ""
    snippets: dict[int, str] = field(default_factory=dict)
    keep: int | None = None


@dataclass
class MemoriesRead(Message):
    """The memories screen's rows as a worker read them (``total``: all there are), and
    ``keep``, the memory the cursor stays on."""

    rows: list[Any]  # mnemo.memory.Record
    total: int
    keep: int | None = None


@dataclass
class ReadFailed(Message):
    """A worker could not read what a panel shows (``what``: its name); the error says why."""

    what: str
    error: str


@dataclass
class ToolShown(Message):
    """A call of the reply on its way began (``ToolStarted``) or, ``finished``, ended
    (``ToolFinished``); ``index`` is its place among the turn's calls."""

    index: int
    call: Any  # mnemo.tools.toolbox.ToolCall
    finished: bool = False


@dataclass
class AskApproval(Message):
    """The turn's worker waits on ``answered`` for the user's ``answer`` to ``call``;
    ``withdrawn``: the reply was stopped meanwhile, the dialog goes."""

    call: Any  # mnemo.tools.toolbox.ToolCall
    answered: Any  # threading.Event
    withdrawn: bool = False
    answer: Any = "deny"  # mnemo.tools.policy.Answer, set on the UI thread before ``answered``
