"""Phrase classes: every way of saying something that a reader knows is declared with a
name, so the classes can be listed, and a test can check that each one has a phrasing.

Two shapes. An alternation, one alternative a line, the class as its comment:

    SAYS_NAME = Phrases(
        "name",
        ("name-call-me", r"call\\ me"),
        ("name-go-by", r"i\\ go\\ by"),
    )

``str(SAYS_NAME)`` is ``(?: call\\ me  # name-call-me | i\\ go\\ by  # name-go-by )`` in
``re.VERBOSE`` syntax, to be put in a pattern compiled with ``re.VERBOSE``. An alternative
whose class is None holds another table (its classes are that table's). And an ordered
table of separate patterns, tried one after the other (the facts, the list operations):
``declare("facts", "fact-home", ...)`` names its classes.
"""

from __future__ import annotations

import re

CLASSES: dict[str, str] = {}  # every phrase class -> the table that declares it


def declare(table: str, *classes: str) -> tuple[str, ...]:
    for name in classes:
        if name in CLASSES:
            raise ValueError(f"phrase class {name!r} of {table!r} is already declared by {CLASSES[name]!r}")
        CLASSES[name] = table
    return classes


class Phrases:
    """One alternation of a pattern; ``table`` names it, each alternative has its class."""

    def __init__(self, table: str, *alternatives: tuple[str | None, str]) -> None:
        self.table = table
        self.classes = declare(table, *(name for name, _ in alternatives if name is not None))
        self.patterns = {name: pattern for name, pattern in alternatives if name is not None}
        lines = [f"    {pattern}  # {name or '(its classes tagged inside)'}" for name, pattern in alternatives]
        self.source = "(?:\n" + "\n  |".join(lines) + "\n)"

    def __str__(self) -> str:
        return self.source

    def compile(self, flags: int = 0) -> re.Pattern[str]:
        return re.compile(self.source, flags | re.VERBOSE)
