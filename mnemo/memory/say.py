"""Every fixed sentence mnemo says about its memory, in one place (the replies to memory
commands and tasks; the model says everything else)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mnemo.kinds import MemoryKind, MemoryStatus

if TYPE_CHECKING:
    from mnemo.memory.records import Record
    from mnemo.memory.rules import NewTask
    from mnemo.memory.tasks import Task


def second_person(text: str) -> str:
    """A memory as said to the user: "The user's name is Ada" -> "Your name is Ada"."""
    out = text.replace("The user's", "Your").replace("the user's", "your")
    out = out.replace("The user", "You").replace("the user", "you")
    return out.replace("You is ", "You are ").replace("you is ", "you are ")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def remembered(written: list[Record]) -> str:
    return "Got it, I will remember that. " + " ".join(second_person(r.text) for r in written)


def forgot(query: str, gone: list[Record], kept: list[str] | None = None) -> str:
    """What a "forget …" turn says: what it forgot, counted as the user would count it, and
    what is left of a memory that named more than that."""
    said = _forgot(query, gone)
    if kept:
        said += " I kept the rest: " + " ".join(second_person(t) for t in kept)
    return said


def _forgot(query: str, gone: list[Record]) -> str:
    if not gone:
        return f'I had nothing about "{query}" to forget.'
    active = sum(r.kind != MemoryKind.EPISODE and r.status == MemoryStatus.ACTIVE for r in gone)
    earlier = sum(r.kind != MemoryKind.EPISODE and r.status == MemoryStatus.SUPERSEDED for r in gone)
    said = sum(r.kind == MemoryKind.EPISODE for r in gone)
    parts = [_plural(active, "memory", "memories")] if active else []
    parts += [_plural(earlier, "earlier value", "earlier values")] if earlier else []
    parts += [_plural(said, "past message that mentioned it", "past messages that mentioned it")] if said else []
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f'Done, I forgot {listed} about "{query}".'


MEMORY_OFF = "Memory is off in this conversation (incognito); nothing was changed."


def memory_off() -> str:
    """What a memory command gets in an incognito conversation."""
    return MEMORY_OFF


def at_time(when: float, now: float) -> str:
    """A time as people say it, seen from ``now``: "at 7:45" (today), "tomorrow at 9:00",
    "on Friday at 9:00" (within a week), "on 3 March at 9:00" (later; with the year when
    it is another one)."""
    from datetime import datetime

    due, today = datetime.fromtimestamp(when), datetime.fromtimestamp(now)
    clock = f"{due.hour}:{due.minute:02d}"
    days = (due.date() - today.date()).days
    if days == 0:
        return f"at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if 1 < days < 7:
        return f"on {due:%A} at {clock}"
    year = f" {due.year}" if due.year != today.year else ""
    return f"on {due.day} {due:%B}{year} at {clock}"


def reminder(task: Task) -> str:
    """A reminder whose time has come, as the open chat shows it."""
    return f"Reminder: {task.text}"


def not_on_list(item: str, name: str) -> str:
    return f"There is no {item} on your {name}."


def task_set(task: Task, intent: NewTask) -> str:
    if task.kind == "after_replies" and task.action == "instruct":
        return f"OK, in my reply number {intent.replies} from now: {task.text}."
    if task.kind == "after_replies" and task.action == "remind":
        return f"OK, I will remind you to {task.text} in my reply number {intent.replies} from now."
    if task.kind == "after_replies":
        verb = "append" if task.action == "append" else "say"
        return f'OK, I will {verb} "{task.text}" in my reply number {intent.replies} from now.'
    if task.kind == "on_message":
        return f'OK, whenever you say "{task.trigger}", I will say "{task.text}".'
    return f"OK, I will {task.describe()}."


def cancelled(tasks: list[Task]) -> str:
    return "Cancelled: " + "; ".join(t.describe() for t in tasks) + "." if tasks else "There was nothing to cancel."
