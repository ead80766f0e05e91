"""How times and conversations read for people: timestamps, ages ("2 hours ago") and a
conversation as Markdown (`mnemo conversations export`, the chat app's /export)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

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


def markdown(conv: Conversation, messages: list[Message]) -> str:
    lines = [
        f"# {conv.title or 'Untitled'}",
        "",
        f"_conversation {conv.id} · {conv.model or 'unknown model'} · started {when(conv.created_at)}_",
        "",
    ]
    for m in messages:
        who = "You" if m.role == "user" else f"mnemo ({m.model})" if m.model else m.role
        mark = "" if m.finish_reason in PLAIN_ENDINGS else f" · {m.finish_reason}"
        lines += [f"**{who}** · {when(m.created_at)}{mark}", "", m.content, ""]
    return "\n".join(lines)
