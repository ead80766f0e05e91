"""Which intent wins when several readers would match (rules.PRECEDENCE)."""

from __future__ import annotations

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import Forget, ListOp, NewTask, Remember
from tests.unit.rules import NOW, parsed

# Each phrasing would be read by a later reader too (a fact, a list addition): the first
# reader in PRECEDENCE wins.
WINNERS = [
    ("forget", "forget that my sister is Anna", [Forget("my sister is Anna")]),
    ("remember-asked", "remember that my sister is Anna", [Remember("my sister is Anna")]),
    (
        "remind-me+due-in-a-while",
        "in 2 hours remind me to buy 2 lemons",
        [NewTask("at_time", "remind", "buy 2 lemons", due_at=NOW + 7200)],
    ),
    ("add-want-to-buy+want-i-need-to", "I like to buy 2 mangoes", [ListOp("shopping list", "add", "mangoes", 2)]),
]


@pytest.mark.parametrize("label, text, intents", WINNERS)
def test_the_first_reader_in_precedence_wins(label, text, intents):
    assert parsed(text) == intents
    later = [read(text, NOW) for read in rules.PRECEDENCE[rules.PRECEDENCE.index(_winner(text)) + 1 :]]
    assert any(found for found in later), "a later reader would have read it too"


def _winner(text: str):
    return next(read for read in rules.PRECEDENCE if read(text, NOW) is not None)
