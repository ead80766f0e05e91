"""The Textual chat app (``mnemo chat``). Nothing outside this package imports it."""

from mnemo.tui.app import MnemoApp

__all__ = ["MnemoApp"]
