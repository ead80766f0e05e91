"""The status line: model, where it runs, speed, context, memory."""

from __future__ import annotations

from textual.widgets import Static


class StatusBar(Static):
    def show(self, *, model: str, model_state: str, device: str, tokens_per_s: float | None,
             context_used: int, n_ctx: int | None, memories: int, embedder: str, incognito: bool,
             pulling: str | None = None) -> None:
        parts = [f"{model} ({model_state})" if model_state != "ready" else model]
        if device:
            parts.append(device)
        parts.append(f"{tokens_per_s:.0f} tok/s" if tokens_per_s else "– tok/s")
        parts.append(f"ctx {context_used}/{n_ctx}" if n_ctx else "ctx –")
        parts.append(f"{memories} {'memory' if memories == 1 else 'memories'}")
        parts.append(f"embedder {embedder}")
        if incognito:
            parts.append("INCOGNITO")
        if pulling:
            parts.append(f"↓ {pulling} (esc stops)")
        self.update(" │ ".join(parts))
