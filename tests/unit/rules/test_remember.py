"""Explicit requests to remember (mnemo/memory/rules/remember.py)."""

from __future__ import annotations

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import Remember
from tests.unit.rules import NOW, acted_on, parsed

REMEMBERS = [
    ("remember-asked", "remember that my sister is Anna"),
    ("remember-command", "/remember my sister is Anna"),
    ("remember-asked", "Please remember: my sister is Anna"),
    ("remember-asked", "don't forget that my sister is Anna"),
    ("remember-asked", "keep in mind that my sister is Anna"),
    ("remember-asked", "make a note that my sister is Anna"),
    ("remember-asked", "note that my sister is Anna"),
    ("remember-asked", "for future reference, my sister is Anna"),
    ("remember-asked", "save this: my sister is Anna"),
    ("remember-asked", "could you remember that my sister is Anna?"),
]


@pytest.mark.parametrize("label, text", REMEMBERS)
def test_remember_requests(label, text):
    found = parsed(text)
    assert found and isinstance(found[0], Remember) and found[0].text.rstrip("?") == "my sister is Anna", found


REMEMBERED = [
    ("remember-asked+fact-called", "remember that my wife is called Jane", [Remember("my wife is called Jane")]),
    ("remember-command", "/remember I prefer tea", [Remember("I prefer tea")]),
]


@pytest.mark.parametrize("label, text, intents", REMEMBERED)
def test_remember_requests_exactly(label, text, intents):
    assert rules.parse(text, NOW) == intents


NOT_REMEMBERS = [("remember-asked", "don't forget to reply")]


@pytest.mark.parametrize("label, text", NOT_REMEMBERS)
def test_near_misses_do_not_trigger(label, text):
    found = acted_on(text)
    assert not found, found
