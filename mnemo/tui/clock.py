"""The chat app's clock, for screens and widgets (the Assistant's injectable clock)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from textual.app import App

    from mnemo.tui.app import MnemoApp


def now(app: App[Any]) -> float:
    return cast("MnemoApp", app).now()
