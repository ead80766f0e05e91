"""The status line: model, where it runs, speed, context, memory. On a narrow terminal the
least needed parts go first, so what stays is whole."""

from __future__ import annotations

from textual import events
from textual.widgets import Static

SEPARATOR = " │ "


class StatusBar(Static):
    parts: tuple[tuple[int, str], ...] = ()  # (rank: 0 stays longest, text), in display order

    def show(
        self,
        *,
        model: str,
        model_state: str,
        device: str,
        tokens_per_s: float | None,
        context_used: int,
        n_ctx: int | None,
        memories: int,
        embedder: str,
        incognito: bool,
        pulling: str | None = None,
    ) -> None:
        parts = [(0, f"{model} ({model_state})" if model_state != "ready" else model)]
        if incognito:
            parts.append((0, "INCOGNITO"))
        if pulling:
            parts.append((1, f"↓ {pulling} (esc stops)"))
        if device:
            parts.append((5, device))
        parts.append((3, f"{tokens_per_s:.0f} tok/s" if tokens_per_s else "– tok/s"))
        parts.append((2, f"ctx {context_used}/{n_ctx}" if n_ctx else "ctx –"))
        parts.append((4, f"{memories} {'memory' if memories == 1 else 'memories'}"))
        parts.append((6, f"embedder {embedder}"))
        self.parts = tuple(parts)
        self._fit()

    def _fit(self) -> None:
        room = self.content_size.width or self.app.size.width - 2
        parts = list(self.parts)
        while len(parts) > 1 and len(SEPARATOR.join(t for _, t in parts)) > room:
            parts.remove(max(parts, key=lambda p: p[0]))  # the least needed goes first
        self.update(SEPARATOR.join(t for _, t in parts))

    def on_resize(self, event: events.Resize) -> None:
        self._fit()
