"""Prospective memory: tasks with a condition (reply count, message content, time) that
the assistant fires itself, instead of hoping the model remembers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mnemo.memory.rules import NewTask
from mnemo.store import Store


@dataclass(frozen=True)
class Task:
    id: int
    kind: str
    action: str
    text: str
    trigger: str | None
    conversation_id: int | None
    due_reply: int | None
    due_at: float | None
    repeat: bool
    status: str
    fired: int
    created_at: float
    source_message_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        if self.kind == "on_message":
            return f"whenever you say '{self.trigger}', say '{self.text}'"
        if self.kind == "after_replies":
            what = {
                "append": f"append '{self.text}'",
                "say": f"say '{self.text}'",
                "remind": f"remind you to {self.text}",
                "instruct": self.text,
            }[self.action]
            return f"{what} on reply {self.due_reply} of conversation {self.conversation_id}"
        from mnemo.memory.say import at_time

        return f"remind you to {self.text} {at_time(self.due_at or 0, self.created_at)}"


def _task(row: dict[str, Any]) -> Task:
    return Task(
        id=row["id"],
        kind=row["kind"],
        action=row["action"],
        text=row["text"],
        trigger=row["trigger"],
        conversation_id=row["conversation_id"],
        due_reply=row["due_reply"],
        due_at=row["due_at"],
        repeat=bool(row["repeat"]),
        status=row["status"],
        fired=row["fired"],
        created_at=row["created_at"],
        source_message_id=row["source_message_id"],
    )


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


class Tasks:
    def __init__(self, store: Store):
        self.store = store

    def add(self, new: NewTask, conversation_id: int, replies_so_far: int, source_message_id: int | None) -> Task:
        """``replies_so_far`` counts the reply to the message that set the task: "your third
        reply from now" is the third one after it."""
        now = self.store.clock()
        due_reply = replies_so_far + new.replies if new.kind == "after_replies" and new.replies else None
        with self.store.transaction():
            tid = self.store.db.execute(
                "insert into tasks (kind, action, text, trigger, conversation_id, due_reply, due_at, "
                "repeat, status, fired, source_message_id, created_at, updated_at) "
                "values (?,?,?,?,?,?,?,?,'pending',0,?,?,?)",
                [
                    new.kind,
                    new.action,
                    new.text,
                    new.trigger,
                    conversation_id if new.kind == "after_replies" else None,
                    due_reply,
                    new.due_at,
                    int(new.repeat),
                    source_message_id,
                    now,
                    now,
                ],
            ).lastrowid
        assert tid is not None
        return self.get(tid)

    def get(self, task_id: int) -> Task:
        with self.store.lock:
            return _task(next(self.store.db.query("select * from tasks where id = ?", [task_id])))

    def pending(self) -> list[Task]:
        with self.store.lock:
            return [_task(r) for r in self.store.db.query("select * from tasks where status = 'pending' order by id")]

    def cancel(self, query: str) -> list[Task]:
        """Cancel pending tasks whose trigger or text matches ``query`` (all when vague)."""
        q = _norm(query)
        pending = self.pending()
        hits = [
            t
            for t in pending
            if (t.trigger and _norm(t.trigger) in q)
            or _norm(t.text) in q
            or (t.trigger and q in _norm(t.trigger))
            or (q and q in _norm(t.text))
        ]
        if not hits and re.search(r"\b(all|every|reminders?|triggers?|tasks?)\b", q):
            hits = pending
        self.set_status([t.id for t in hits], "cancelled")
        return hits

    def set_status(self, ids: list[int], status: str) -> None:
        if not ids:
            return
        with self.store.transaction():
            self.store.db.execute(
                f"update tasks set status = ?, updated_at = ? where id in ({','.join('?' * len(ids))})",
                [status, self.store.clock(), *ids],
            )

    def due_by_time(self, now: float) -> list[Task]:
        """The pending reminders set for a time that has come (marked done, or kept
        pending when they repeat), whatever the conversation."""
        due = [t for t in self.pending() if t.kind == "at_time" and t.due_at is not None and t.due_at <= now]
        self._fired(due, now)
        return due

    def due(
        self, conversation_id: int, reply_number: int, text: str, now: float, message_id: int | None = None
    ) -> list[Task]:
        """Tasks that fire on this reply (not those the message itself just set); one-shot
        ones are marked done."""
        fired: list[Task] = []
        message = f" {_norm(text)} "
        for t in self.pending():
            if message_id is not None and t.source_message_id == message_id:
                continue
            if t.kind == "after_replies":
                hit = t.conversation_id == conversation_id and t.due_reply == reply_number
            elif t.kind == "on_message":
                hit = t.trigger is not None and bool(t.trigger) and f" {_norm(t.trigger)} " in message
            else:
                hit = t.due_at is not None and t.due_at <= now
            if hit:
                fired.append(t)
        self._fired(fired, now)
        return fired

    def _fired(self, tasks: list[Task], now: float) -> None:
        if tasks:
            with self.store.transaction():
                for t in tasks:
                    self.store.db.execute(
                        "update tasks set fired = fired + 1, status = ?, updated_at = ? where id = ?",
                        ["pending" if t.repeat else "done", now, t.id],
                    )
