"""How times and conversations read for people: timestamps, ages ("2 hours ago") and a
conversation as Markdown, its replies' tool calls included (`mnemo conversations show` and
`export`, the chat app's /export)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mnemo.kinds import COMMAND_REPLIES, MODEL_ENDINGS, Finish

if TYPE_CHECKING:
    from mnemo.store import Conversation, Message

PLAIN_ENDINGS = {None, Finish.OBSERVED, *MODEL_ENDINGS, *COMMAND_REPLIES}  # endings not worth a mark


def when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return "just now"
    minutes = seconds / 60
    if minutes < 60:
        return f"{round(minutes)} minutes ago"
    hours = minutes / 60
    if hours < 36:
        h, m = int(hours), round((hours - int(hours)) * 60)
        if m == 60:
            h, m = h + 1, 0
        unit = "hour" if h == 1 else "hours"
        return f"{h} {unit} ago" if m < 5 else f"{h} {unit} {m} minutes ago"
    days = hours / 24
    if days < 14:
        return f"{round(days)} days ago"
    if days < 60:
        return f"{round(days / 7)} weeks ago"
    return f"{round(days / 30)} months ago"


def _cut(text: str, lines: int | None) -> list[str]:
    rows = text.splitlines() or [""]
    if lines is None or len(rows) <= lines:
        return rows
    return [*rows[:lines], f"… {len(rows) - lines} more lines"]


def tool_call(call: Any, result_lines: int | None = None) -> list[str]:
    """One call of a reply, as Markdown lines: the tool, its arguments and what was decided,
    then its result (or error) as an indented block, cut to ``result_lines`` where given.
    ``call`` is a ``ToolCall`` (tools floor; read by its fields here)."""
    args = json.dumps(call.arguments, ensure_ascii=False) if call.arguments else ""
    if result_lines is not None and len(args) > 200:
        args = args[:199] + "…"
    if call.decision != "allow":
        outcome = f"denied: {call.why}" if call.why else "denied"
    elif call.error:
        outcome = "allowed" + (f" ({call.why})" if call.why else "") + f", failed after {call.ms} ms"
    else:
        outcome = "allowed" + (f" ({call.why})" if call.why else "") + f" · {call.ms} ms"
        outcome += " · result cut to fit" if call.cut else ""
    lines = [f"⚙ `{call.tool}` ({call.server}) {f'`{args}` ' if args else ''}· {outcome}", ""]
    body = call.error if call.error else call.result if call.decision == "allow" else None
    if body:
        lines += ["    " + row for row in _cut(body, result_lines)] + [""]
    return lines


def markdown(
    conv: Conversation,
    messages: list[Message],
    calls: Mapping[int, Sequence[Any]] | None = None,
    result_lines: int | None = None,
) -> str:
    """``calls``: each reply's tool calls by message id, shown before its text."""
    lines = [
        f"# {conv.title or 'Untitled'}",
        "",
        f"_conversation {conv.id} · {conv.model or 'unknown model'} · started {when(conv.created_at)}_",
        "",
    ]
    for m in messages:
        who = "You" if m.role == "user" else f"mnemo ({m.model})" if m.model else m.role
        mark = "" if m.finish_reason in PLAIN_ENDINGS else f" · {m.finish_reason}"
        lines += [f"**{who}** · {when(m.created_at)}{mark}", ""]
        for call in (calls or {}).get(m.id, ()):
            lines += tool_call(call, result_lines)
        lines += [m.content, ""]
    return "\n".join(lines)
