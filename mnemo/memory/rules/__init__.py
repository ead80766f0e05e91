"""Rule-based reading of what the user says: facts to keep, lists to update, things to
forget, tasks to do later. Fast (regular expressions), deterministic, no model needed.

``parse(text, now)`` returns intents; the memory bank applies them. One module per kind of
intent (forget, remember, task, lists, fact, with names and times; singular where the
plural is a function of this package: ``facts``, ``tasks``), the vocabulary
once in ``words``, and every phrase class declared in ``phrases`` (ARCHITECTURE.md, The
memory pipeline: where a new phrasing goes).
"""

from __future__ import annotations

from mnemo.memory.rules import forget, question, remember
from mnemo.memory.rules.fact import NOT_FACT_SUBJECTS, facts
from mnemo.memory.rules.forget import Person, person
from mnemo.memory.rules.intents import (
    Asked,
    CancelTask,
    Fact,
    Forget,
    Form,
    Intent,
    ListOp,
    NewTask,
    Reader,
    Remember,
)
from mnemo.memory.rules.lists import DEFAULT_LIST, list_ops
from mnemo.memory.rules.names import NOT_NAMES, mentions
from mnemo.memory.rules.own import own_words
from mnemo.memory.rules.refers import IT as REFERRED_IT
from mnemo.memory.rules.refers import KINDS as REFERRED
from mnemo.memory.rules.refers import Reference, referent
from mnemo.memory.rules.task import tasks
from mnemo.memory.rules.text import subject_key, third_person
from mnemo.memory.rules.times import DEFAULT_HOUR
from mnemo.memory.rules.words import NUMBERS, ORDINALS, WEEKDAYS

__all__ = [
    "DEFAULT_LIST",
    "DEFAULT_HOUR",
    "NOT_FACT_SUBJECTS",
    "NOT_NAMES",
    "NUMBERS",
    "ORDINALS",
    "PRECEDENCE",
    "REFERRED",
    "REFERRED_IT",
    "WEEKDAYS",
    "Asked",
    "CancelTask",
    "Fact",
    "Forget",
    "Form",
    "Intent",
    "ListOp",
    "NewTask",
    "Person",
    "Reference",
    "Remember",
    "facts",
    "list_ops",
    "mentions",
    "own_words",
    "parse",
    "person",
    "referent",
    "subject_key",
    "tasks",
    "third_person",
]


def _tasks(text: str, now: float) -> list[Intent] | None:
    return [*tasks(text, now)] or None


def _lists(text: str, now: float) -> list[Intent] | None:
    return [*list_ops(text)] or None


def _facts(text: str, now: float) -> list[Intent] | None:
    return [*facts(text)]


# Which intent wins when several would match: the first reader that claims the message.
# - forget first: "forget my address" is no fact about an address, "forget the milk" no
#   list removal (a message about a list, "… from my list", goes on to the lists).
# - remember next: "remember that …" is kept as said (or, about shopping, goes to the
#   list), not read as a task or a fact; "don't forget to …" goes on.
# - questions next: "what's on my shopping list? answer as JSON" is answered from memory
#   (not a list change, nor a task "in your answer"); only a message that is just that.
# - tasks before lists: "remind me in 2 hours to buy milk" and "in your 5th reply add
#   'x'" are tasks, not list additions.
# - lists before facts: a message that changes a list states nothing about the user.
# - facts last: almost any statement may hold one.
PRECEDENCE: tuple[Reader, ...] = (forget.read, remember.read, question.read, _tasks, _lists, _facts)


def parse(text: str, now: float) -> list[Intent]:
    """Everything a user message asks mnemo to remember, change, forget or do later, read
    in the user's own words (``own.own_words``: not in material they pasted)."""
    text = own_words(text)
    if not text:
        return []
    for read in PRECEDENCE:
        found = read(text, now)
        if found is not None:
            return found
    return []
