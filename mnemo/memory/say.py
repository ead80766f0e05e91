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


def _and(parts: list[str]) -> str:
    """ "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def remembered(written: list[Record]) -> str:
    return "Got it, I will remember that. " + " ".join(second_person(r.text) for r in written)


def forgot(query: str, gone: list[Record], kept: list[str] | None = None, cancelled: int = 0) -> str:
    """What a "forget …" turn says: what it forgot, counted as the user would count it, what
    is left of a memory that named more than that, and the tasks that named it, cancelled."""
    said = _forgot(query, gone) if gone or not cancelled else f'Done, I forgot "{query}".'
    if kept:
        said += " I kept the rest: " + " ".join(second_person(t) for t in kept)
    if cancelled:
        said += f" I also cancelled {_plural(cancelled, 'task', 'tasks')} that named it."
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
    return f'Done, I forgot {_and(parts)} about "{query}".'


MEMORY_OFF = "Memory is off in this conversation (incognito); nothing was changed."


def memory_off() -> str:
    """What a memory command gets in an incognito conversation."""
    return MEMORY_OFF


def memory_off_asked() -> str:
    """What a question only memory answers gets in an incognito conversation."""
    return "Memory is off in this conversation (incognito), so I can't see your lists or what you told me before."


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
        shown = task.text if task.text[:1] in '"“' else f'"{task.text}"'  # a quote kept as given is quoted already
        return f"OK, I will {verb} {shown} in my reply number {intent.replies} from now."
    if task.kind == "on_message":
        return f'OK, whenever you say "{task.trigger}", I will say "{task.text}".'
    return f"OK, I will {task.describe()}."


def cancelled(tasks: list[Task]) -> str:
    return "Cancelled: " + "; ".join(t.describe() for t in tasks) + "." if tasks else "There was nothing to cancel."


# ------------------------------------------------------- answers from memory

_ITEM_KEYS = {"item", "name", "product", "thing", "what", "food", "grocery", "title", "entry", "article", "description"}
_QUANTITY_KEYS = {"quantity", "qty", "count", "amount", "number", "how_many", "howmany", "n", "num", "units", "total"}
_ORDER_KEYS = {"order", "index", "position", "rank", "seq", "step", "#", "no", "nr", "number", "n"}
_DATE_KEYS = {"date", "when", "time", "given", "given_at", "given_on", "at", "on", "timestamp", "day", "since"}
_DATE_KEYS |= {"created", "created_at", "added", "said", "said_at", "set"}
_CURRENT_KEYS = {"current", "now", "active", "is_current", "latest", "in_use"}


def _roles(keys: tuple[str, ...], known: dict[str, set[str]], order: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Each key the user named with the field it holds (by its meaning, else the next field
    not yet given, else none): ("item", "qty") -> item, quantity."""
    taken: set[str] = set()
    out: list[tuple[str, str | None]] = []
    for key in keys:
        norm = key.lower().replace(" ", "_").replace("-", "_")
        role = next((r for r in order if r not in taken and norm in known[r]), None)
        out.append((key, role))
        taken.add(role or "")
    for i, (key, role) in enumerate(out):
        if role is None:
            free = next((r for r in order if r not in taken), None)
            out[i] = (key, free)
            taken.add(free or "")
    return out


def _json(rows: list[dict[str, object]] | list[object]) -> str:
    import json

    return json.dumps(rows, ensure_ascii=False)


def _table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _listed(parts: list[str], kind: str) -> str:
    if kind == "markdown":
        return "\n".join(f"- {p}" for p in parts)
    if kind == "numbered":
        return "\n".join(f"{i}. {p}" for i, p in enumerate(parts, 1))
    if kind == "lines":
        return "\n".join(parts)
    return ", ".join(parts)


def list_answer(name: str, items: dict[str, int], kind: str = "plain", keys: tuple[str, ...] = ()) -> str:
    """What a list holds, in the form asked for: a sentence, a Markdown list or table, one
    a line, comma-separated, or JSON (with the keys the user named, else item and quantity)."""
    fields = {"item": _ITEM_KEYS, "quantity": _QUANTITY_KEYS}
    roles = _roles(keys, fields, ("item", "quantity")) if keys else [("item", "item"), ("quantity", "quantity")]
    rows = [{"item": item, "quantity": quantity} for item, quantity in items.items()]
    if kind == "json":
        if keys and len(keys) == 1 and roles[0][1] == "item":
            return _json([{keys[0]: r["item"]} for r in rows])
        return _json([{key: r[role] if role else None for key, role in roles} for r in rows])
    if kind == "table":
        return _table([k for k, _ in roles], [[r[role] if role else None for _, role in roles] for r in rows])
    if not items:
        return f"Your {name} is empty."
    parts = [f"{q} {i}" for i, q in items.items()]
    if kind == "plain":
        return f"Your {name}: {', '.join(parts)}."
    return _listed(parts, kind)


def _plural_of(word: str) -> str:
    return word + ("es" if word.endswith(("s", "x", "ch", "sh")) else "s")


def history_answer(
    subject: str,
    values: list[tuple[str, float]],
    kind: str = "plain",
    keys: tuple[str, ...] = (),
    earlier: bool = False,
) -> str:
    """Every value the user gave for ``subject``, oldest first ("the names I have given
    you"), or only those before the current one (``earlier``), in the form asked for; in
    JSON each value with the keys named (its order, the date it was given, whether it is
    the current one), else a list of the values."""
    from datetime import datetime

    current = values[-1][0] if values else None
    shown = values[:-1] if earlier else values
    fields = {"value": {"value", "values", "name", "names", *subject.split()}, "order": _ORDER_KEYS}
    fields |= {"date": _DATE_KEYS, "current": _CURRENT_KEYS}
    rows = [
        {
            "value": v,
            "order": i,
            "date": datetime.fromtimestamp(at).date().isoformat(),
            "current": i == len(values),
        }
        for i, (v, at) in enumerate(shown, 1)
    ]
    if kind in ("json", "table"):
        default = ("value",) if kind == "json" else ("order", subject, "date")
        roles = _roles(keys or default, fields, ("value", "order", "date", "current"))
        if kind == "table":
            return _table([k for k, _ in roles], [[r[role] if role else None for _, role in roles] for r in rows])
        if not keys:
            return _json([r["value"] for r in rows])
        return _json([{key: r[role] if role else None for key, role in roles} for r in rows])
    if not values:
        return f"You have not told me your {subject}."
    if earlier and not shown:
        return f"You have only given me one {subject}: {current}."
    if kind != "plain":
        parts = [f"{r['value']} (the current one)" if r["current"] else str(r["value"]) for r in rows]
        return _listed(parts, kind)
    if earlier:
        return f"Before {current}, your {subject} was {', then '.join(v for v, _ in shown)}."
    if len(values) == 1:
        return f"You have given me one {subject}: {current}."
    return (
        f"You have given me {len(values)} {_plural_of(subject)}, in this order: "
        f"{_and([v for v, _ in values])} ({current} is the current one)."
    )
