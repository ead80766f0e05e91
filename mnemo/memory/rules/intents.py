"""What the readers find in a message: the intents the memory bank applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    kind: str  # fact | preference | instruction
    text: str
    subject: str | None = None
    pinned: bool = False


@dataclass(frozen=True)
class ListOp:
    name: str  # "shopping list"
    op: str  # add | remove | clear
    item: str = ""
    quantity: int | None = None
    implied: bool = False  # read from "I bought the milk", not asked for: a no-op is silent


@dataclass(frozen=True)
class Forget:
    query: str


@dataclass(frozen=True)
class NewTask:
    kind: str  # after_replies | on_message | at_time
    action: str  # append | say | remind
    text: str
    trigger: str | None = None
    replies: int | None = None
    due_at: float | None = None
    repeat: bool = False


@dataclass(frozen=True)
class CancelTask:
    query: str


@dataclass(frozen=True)
class Remember:
    """An explicit request: "remember that ..." or /remember."""

    text: str


Intent = Fact | ListOp | Forget | NewTask | CancelTask | Remember
# A reader: the intents of its kind in a message (a list, maybe empty: the message is
# its, no other reader looks), or None (not its kind: the next reader looks).
Reader = Callable[[str, float], list[Intent] | None]
