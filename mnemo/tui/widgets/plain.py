"""Text from users, models and files, for a Label or a table cell."""

from __future__ import annotations

from rich.text import Text

from mnemo.text import printable


def plain(text: str) -> Text:
    """User or file text for a Label or a table cell: never read as Rich markup (a title
    like "[/x]" would raise), never a control character."""
    return Text(printable(text))
