"""The status line: model, where it runs, speed, context, memory. Its fields are reactive
(the app binds its own to them), so setting one redraws the line. On a narrow terminal the
least needed parts go first, so what stays is whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import reactive
from textual.widgets import Static

from mnemo.kinds import ModelState

if TYPE_CHECKING:
    from mnemo.assistant import Status

SEPARATOR = " │ "


class StatusBar(Static):
    model_name = reactive("…")
    model_state = reactive(ModelState.STARTING)
    speed: reactive[float | None] = reactive(None)  # tokens a second of the last reply
    context_used = reactive(0)
    pulling: reactive[str | None] = reactive(None)  # "name 35%" while a model downloads
    figures: reactive[Status | None] = reactive(None)  # what a worker last read (the database's)

    @property
    def parts(self) -> list[tuple[int, str]]:
        """(rank: 0 stays longest, text), in display order."""
        s = self.figures
        parts = [
            (0, f"{self.model_name} ({self.model_state})" if self.model_state != ModelState.READY else self.model_name)
        ]
        if s and s.incognito:
            parts.append((0, "INCOGNITO"))
        if self.pulling:
            parts.append((1, f"↓ {self.pulling} (esc stops)"))
        if s and s.device:
            parts.append((5, s.device))
        parts.append((3, f"{self.speed:.0f} tok/s" if self.speed else "– tok/s"))
        parts.append((2, f"ctx {self.context_used}/{s.n_ctx}" if s and s.n_ctx else "ctx –"))
        memories = s.memories if s else 0
        parts.append((4, f"{memories} {'memory' if memories == 1 else 'memories'}"))
        parts.append((6, f"embedder {s.embedder if s else 'idle'}"))
        return parts

    def render(self) -> str:
        room = self.content_size.width or self.app.size.width - 2
        parts = self.parts
        while len(parts) > 1 and len(SEPARATOR.join(t for _, t in parts)) > room:
            parts.remove(max(parts, key=lambda p: p[0]))  # the least needed goes first
        return SEPARATOR.join(t for _, t in parts)
