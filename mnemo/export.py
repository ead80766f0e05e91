"""A conversation as Markdown, for `mnemo conversations export` and the TUI's /export."""

from __future__ import annotations

from datetime import datetime

from mnemo.store import Conversation, Message

PLAIN_ENDINGS = (None, "stop", "length", "observed", "memory", "task")


def when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def markdown(conv: Conversation, messages: list[Message]) -> str:
    lines = [f"# {conv.title or 'Untitled'}", "",
             f"_conversation {conv.id} · {conv.model or 'unknown model'} · started {when(conv.created_at)}_", ""]
    for m in messages:
        who = "You" if m.role == "user" else f"mnemo ({m.model})" if m.model else m.role
        mark = "" if m.finish_reason in PLAIN_ENDINGS else f" · {m.finish_reason}"
        lines += [f"**{who}** · {when(m.created_at)}{mark}", "", m.content, ""]
    return "\n".join(lines)
