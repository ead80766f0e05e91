"""What the rules read in a message, applied against the memory bank: remember, forget,
lists, tasks, facts, and the questions memory answers itself. Each command records what it
wrote and what mnemo says back (``mnemo.memory.say``); the turn answers with that instead
of the model when it is all the message asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mnemo.memory import rules, say

if TYPE_CHECKING:
    from mnemo.memory.bank import Forgetting, MemoryBank
    from mnemo.memory.records import Record
    from mnemo.store import Message


@dataclass
class Done:
    """What the commands of one message wrote, and what mnemo says back."""

    written: list[Record] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)
    forgotten: list[Forgetting] = field(default_factory=list)  # what it erased, to undo it
    used: list[Record] = field(default_factory=list)  # what an answer from memory was made of


@dataclass(frozen=True)
class Where:
    """Where the message was said: its stored row, its conversation, and the number of the
    reply it will get."""

    message: Message
    conversation_id: int
    reply_number: int


def forget(bank: MemoryBank, query: str) -> Forgetting:
    """Erase what ``query`` is about (only the named part of a memory that names more);
    returns what was forgotten, the one copy left to undo it."""
    return bank.forget_about(query)


def _remember(bank: MemoryBank, intent: rules.Remember, where: Where, done: Done) -> None:
    done.written += bank.remember(intent.text, message=where.message)
    done.acks.append(say.remembered(done.written))


def _forget(bank: MemoryBank, intent: rules.Forget, where: Where, done: Done) -> None:
    forgetting = forget(bank, intent.query)
    if forgetting.records or forgetting.tasks:
        done.forgotten.append(forgetting)
    done.acks.append(say.forgot(intent.query, forgetting.records, forgetting.kept, len(forgetting.tasks)))


def _list(bank: MemoryBank, intent: rules.ListOp, where: Where, done: Done) -> None:
    record = bank.update_list(intent, where.message)
    if record is None:  # a removal of what the list does not hold
        if not intent.implied:  # "I bought the idea" is no list business; "remove kiwi" is
            done.acks.append(say.not_on_list(intent.item, intent.name))
        return
    done.written.append(record)
    if done.acks and done.acks[-1].startswith("Your "):
        done.acks.pop()  # the list as it is now says it all
    done.acks.append(say.second_person(record.text))


def _kept(bank: MemoryBank, intent: rules.NewTask, where: Where) -> rules.NewTask:
    """A task that names what the user gave before ("append the quote from Ada Lovelace")
    keeps that thing itself, found now: the quote is appended, not the words about it.
    Not found: the model is asked to do it then, as the user said it."""
    assert intent.refers is not None
    found = bank.referent(intent.refers, where.conversation_id, where.message.id)
    if found is None:
        return replace(intent, action="instruct")
    if intent.action == "say":  # said as the reply itself: the words, not in quotes
        return replace(intent, text=found[1:-1] if found[:1] == found[-1:] == '"' else found)
    return replace(intent, action="append", text=found)


def _new_task(bank: MemoryBank, intent: rules.NewTask, where: Where, done: Done) -> None:
    if intent.refers is not None:
        intent = _kept(bank, intent, where)
    task = bank.tasks.add(intent, where.conversation_id, where.reply_number, where.message.id)
    done.acks.append(say.task_set(task, intent))


def _cancel_task(bank: MemoryBank, intent: rules.CancelTask, where: Where, done: Done) -> None:
    done.acks.append(say.cancelled(bank.tasks.cancel(intent.query)))


def _asked(bank: MemoryBank, intent: rules.Asked, where: Where, done: Done) -> None:
    """A question memory answers: the list as it is now, or every value of a subject."""
    form = intent.form
    if intent.what == "list":
        current = bank.asked_list(intent.name)
        if current is None and intent.name != rules.DEFAULT_LIST:
            return  # a list memory does not keep ("my todo list"): the model's, with its tools
        items = dict(current.meta.get("items", {})) if current else {}
        name = current.meta.get("list", intent.name) if current else intent.name
        done.acks.append(say.list_answer(name, items, form.kind, form.keys))
        done.used += [current] if current else []
        return
    values = bank.values_of(intent.name)
    if values or intent.name == "name":  # no such subject: the model's, with what recall finds
        done.acks.append(
            say.history_answer(
                intent.name, [(v, r.created_at) for v, r in values], form.kind, form.keys, intent.earlier
            )
        )
        done.used += [r for _, r in values]


def _fact(bank: MemoryBank, intent: rules.Fact, where: Where, done: Done) -> None:
    done.written.append(
        bank.add(intent.text, intent.kind, subject=intent.subject, pinned=intent.pinned, message=where.message)
    )


_APPLY: dict[type, Callable[[MemoryBank, Any, Where, Done], None]] = {
    rules.Remember: _remember,
    rules.Forget: _forget,
    rules.ListOp: _list,
    rules.NewTask: _new_task,
    rules.CancelTask: _cancel_task,
    rules.Fact: _fact,
    rules.Asked: _asked,
}


def apply(bank: MemoryBank, intent: Any, where: Where, done: Done) -> None:
    """Apply one intent the rules read; record it in ``done``."""
    _APPLY[type(intent)](bank, intent, where, done)
