"""Textual's footer, drawn again only when the keys it shows change.

Textual's own footer makes and styles every key widget again each time the screen's
bindings signal a change, which is every focus move, though most moves change no key (the
box and the reply list show the same ones). This one remembers what it showed and lets the
signal pass only when that differs: the chat app's tests spent a tenth of their CPU on
footers recomposed to the same keys.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


def _keys(screen: Screen) -> tuple[Any, ...]:
    """What a footer draws from the screen's bindings."""
    return tuple(
        (key, b.key, b.key_display, b.action, b.description, b.show, b.group, enabled, tooltip)
        for key, (_, b, enabled, tooltip) in screen.active_bindings.items()
    )


class Footer(TextualFooter):
    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        keys = _keys(screen)
        if self._bindings_ready and keys == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = keys  # the recompose is on its way
