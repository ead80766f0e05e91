"""Messages that workers post to the app; handlers on the UI thread apply them."""

from __future__ import annotations

from dataclasses import dataclass
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
class ReplyFinished(Message):
    reply: Any


@dataclass
class ReplyStopped(Message):
    message: Any  # the saved partial reply (mnemo.store.Message) or None


@dataclass
class ReplyFailed(Message):
    error: str


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
