"""Notes about the user are said to them ("you"), in the prompt: a small model answers in
the voice of its notes."""

from __future__ import annotations

import pytest

from mnemo.text import to_you


@pytest.mark.parametrize(
    "note, said",
    [
        ("The user's dog is called Rex.", "Your dog is called Rex."),
        ("The user lives in Porto.", "You live in Porto."),
        ("The user is allergic to peanuts.", "You are allergic to peanuts."),
        ("The user was born in Lyon.", "You were born in Lyon."),
        ("The user has two cats.", "You have two cats."),
        ("The user also likes jazz.", "You also like jazz."),
        ("The user watches films on Fridays.", "You watch films on Fridays."),
        ("The user studies law.", "You study law."),
        ("The user misses Lisbon.", "You miss Lisbon."),
        ("The user went hiking with Ana.", "You went hiking with Ana."),
        ('The user said: "My sister is a painter."', 'You said: "My sister is a painter."'),
        ("Ana met the user in Rome, with the user's brother.", "Ana met you in Rome, with your brother."),
        ("Tea, not coffee, for breakfast.", "Tea, not coffee, for breakfast."),  # nothing to turn
    ],
)
def test_a_note_about_the_user_is_said_to_them(note, said):
    assert to_you(note) == said


def test_the_memory_block_speaks_to_the_user_with_the_age_after_the_note(tmp_path):
    from mnemo.memory.bank import Memory, MemoryBank
    from mnemo.memory.embedder import Embedder
    from mnemo.store import Store

    store = Store.open(tmp_path / "m.db", clock=lambda: 1_000_000.0)
    bank = MemoryBank(store, Embedder())
    try:
        block = bank.block([Memory(1, "fact", "The user's dog is called Rex.", 0.5, 1_000_000.0)])
    finally:
        bank.close()
        store.close()
    lines = block.splitlines()
    assert lines[0] == "<memory>" and lines[-1] == "</memory>"
    assert lines[2] == "- Your dog is called Rex. (just now)"
    assert "The user" not in block
