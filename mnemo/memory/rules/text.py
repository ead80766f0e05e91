"""Helpers every reader shares: sentences, cleaning, number words, quotes, and the user
in the third person ("I love my cat" -> "The user loves the user's cat")."""

from __future__ import annotations

import re

from mnemo.memory.rules.words import NUMBERS, TITLES

# Quoted words: 'Carpe diem', "hello", “hi”, ‘bye’.
QUOTE = r"['\"“‘](?P<q>.+?)['\"”’]"
_SPELLING = {"favorite": "favourite", "color": "colour", "colors": "colours"}
# A sentence ends at . ! or ? before a capital or a quote, not after a title ("I'm Dr. Patel"),
# or at a line break.
_SENTENCE_END = re.compile(
    r"(?<=[.!?])" + "".join(rf"(?<!\b{title}\.)" for title in TITLES) + r"""\s+(?=[A-Z"'])  |  \n+""",
    re.VERBOSE,
)


def clean(value: str) -> str:
    value = value.strip().strip(" .!?,;:'\"")
    return re.sub(r"\s+", " ", value)


def cap(value: str) -> str:
    return value[:1].upper() + value[1:]


def subject_key(value: str) -> str:
    words = clean(value).lower().split()
    return " ".join(_SPELLING.get(w, w) for w in words)


def number(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def sentences(text: str) -> list[str]:
    parts = _SENTENCE_END.split(text.strip())
    return [p.strip() for p in parts if p.strip()]


_NOT_CONJUGATED = {
    "is",
    "was",
    "has",
    "can",
    "will",
    "would",
    "should",
    "could",
    "did",
    "does",
    "may",
    "might",
    "must",
    "had",
    "also",
    "really",
    "never",
    "always",
    "often",
    "usually",
    "sometimes",
    "just",
    "still",
    "don't",
    "didn't",
    "won't",
    "can't",
}


def _conjugate(m: re.Match[str]) -> str:
    verb = m.group(1)
    if verb.lower() in _NOT_CONJUGATED or not verb.isalpha():
        return f"the user {verb}"
    if verb == "do":
        return "the user does"
    if re.search(r"(s|sh|ch|x|o)$", verb):
        return f"the user {verb}es"
    if re.search(r"[^aeiou]y$", verb):
        return f"the user {verb[:-1]}ies"
    return f"the user {verb}s"


def third_person(text: str) -> str:
    """'I love my cat' -> 'The user loves the user's cat' (good enough for notes)."""
    out = re.sub(r"\bI am\b|\bI'm\b", "the user is", text)
    out = re.sub(r"\bI have\b|\bI've\b", "the user has", out)
    out = re.sub(r"\bI don't\b", "the user doesn't", out)
    out = re.sub(r"\bI ([A-Za-z']+)", _conjugate, out)
    out = re.sub(r"\bI\b", "the user", out)
    out = re.sub(r"\b[Mm]y\b", "the user's", out)
    out = re.sub(r"\b[Mm]e\b", "the user", out)
    out = re.sub(r"\b[Mm]ine\b", "the user's", out)
    return cap(clean(out)) + "."
