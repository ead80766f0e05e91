"""What the readers find in a message: the intents the memory bank applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mnemo.memory.rules.refers import Reference


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
    refers: Reference | None = None  # what the text names that the user gave before ("the quote from X")


@dataclass(frozen=True)
class CancelTask:
    query: str


@dataclass(frozen=True)
class Remember:
    """An explicit request: "remember that ..." or /remember."""

    text: str


@dataclass(frozen=True)
class Form:
    """How the user asked for an answer: plain (a sentence), markdown (a list), table,
    json, comma-separated, lines; the keys (or columns) they named, in their order."""

    kind: str = "plain"
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asked:
    """A question mnemo answers from memory itself: what a list holds (``what="list"``,
    ``name`` the list), or every value a subject had (``what="history"``, ``name`` the
    subject; ``earlier``: only the values before the current one)."""

    what: str  # list | history
    name: str
    form: Form = Form()
    earlier: bool = False


Intent = Fact | ListOp | Forget | NewTask | CancelTask | Remember | Asked
# A reader: the intents of its kind in a message (a list, maybe empty: the message is
# its, no other reader looks), or None (not its kind: the next reader looks).
Reader = Callable[[str, float], list[Intent] | None]
