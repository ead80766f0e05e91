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


BLOCK_TAGS = ("<memory>", "</memory>")  # around the recalled notes in a prompt; a reply ends before one
_TAG = re.compile(r"<\s*/?\s*(memory|profile)\b", re.I)


def as_data(text: str) -> str:
    """A note as one line of quoted data for a prompt: it cannot close the block it sits in
    or start lines of its own that would read like the prompt's."""
    return _TAG.sub(lambda m: "‹" + m.group(0)[1:], " ".join(text.split()))


# "The user" as memory writes it, the verb after it, perhaps behind an adverb.
_ADVERB = r"also|often|usually|always|never|really|still|sometimes|now"
_THE_USER = re.compile(rf"\b(?P<t>[Tt])he user(?:(?P<own>'s)\b|(?P<gap> (?:{_ADVERB}) | )(?P<verb>[a-z]+)\b)?")
_TO_YOU = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "goes": "go",
    "isn't": "aren't",
    "wasn't": "weren't",
}


def _plain(verb: str) -> str:
    """The verb as "you" says it: lives -> live, studies -> study, watches -> watch."""
    if verb in _TO_YOU:
        return _TO_YOU[verb]
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"
    if verb.endswith(("ches", "shes", "sses", "xes", "zes")):
        return verb[:-2]
    if verb.endswith("s") and not verb.endswith(("ss", "us", "is")):
        return verb[:-1]
    return verb


def to_you(text: str) -> str:
    """A note about the user, said to them, as the model is to speak to them: "The user's dog
    is called Rex." -> "Your dog is called Rex."; "The user lives in Porto." -> "You live in
    Porto."; "The user said: …" -> "You said: …". A small model answers in the voice of its
    notes: written about "the user", they came back as "The user prefers tea"."""

    def said(m: re.Match[str]) -> str:
        you = "You" if m["t"] == "T" else "you"
        if m["own"]:
            return "Your" if m["t"] == "T" else "your"
        if m["verb"] is None:
            return you
        return f"{you}{m['gap']}{_plain(m['verb'])}"

    return _THE_USER.sub(said, text)
