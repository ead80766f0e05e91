"""Text from users, models and files, made harmless for a terminal."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and the C1 range (0x9b alone starts a CSI sequence)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character (escape sequences start with one) shown as
    U+FFFD, so nothing it holds can move the cursor, recolour, retitle or write the
    clipboard of the terminal it is printed to. Stored text is never changed."""
    return _CONTROL.sub("\ufffd", text)


_TAG = re.compile(r"<\s*/?\s*(memory|profile)\b", re.I)


def as_data(text: str) -> str:
    """A note as one line of quoted data for a prompt: it cannot close the block it sits in
    or start lines of its own that would read like the prompt's."""
    return _TAG.sub(lambda m: "‹" + m.group(0)[1:], " ".join(text.split()))
