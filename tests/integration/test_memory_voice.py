"""The real model after a memory-rich history: it answers in its own voice, not its notes'
("The user prefers tea"), and does not hand back the notes' lines or tags."""

from __future__ import annotations

import pytest

from tests.conftest import Clock

pytestmark = pytest.mark.model

TOLD = [
    "My dog is called Rex.",
    "I live in Porto.",
    "I work as a nurse at the city hospital.",
    "My sister Ana is a painter.",
    "I prefer tea over coffee.",
    "My favourite colour is teal.",
    "Last week I went hiking in the Alps with Ana.",
    "I am allergic to peanuts.",
]
ASKED = [
    "What's my dog called?",
    "Where do I live?",
    "What do you know about my sister?",
    "What should I drink this afternoon?",
    "Can you suggest a snack for me?",
    "What do I do for a living?",
    "Where did I go hiking?",
    "Tell me about myself.",
    "Any ideas for a weekend trip?",
    "What colour should I paint my room?",
    "Write a short birthday note for my sister.",
    "What pet do I have?",
    "Plan my breakfast.",
    "Who is Ana?",
    "What am I allergic to?",
    "Recommend a hobby for me.",
]


def _notes(content: str) -> list[str]:
    if "<memory>" not in content:
        return []
    return [line.lstrip("-* ").strip() for line in content.split("<memory>")[1].split("</memory>")[0].splitlines()[2:]]


def test_after_a_memory_rich_history_replies_speak_for_themselves(home):
    """On a clock the test moves (a minute a message), so that every run gives the model the
    same prompts (the notes' ages are in them) and its replies are the same."""
    from mnemo.assistant import Assistant

    clock = Clock()
    with Assistant(home, clock=clock) as assistant:
        for said in TOLD:
            clock.now += 60
            assistant.new_conversation()
            assistant.send(said, max_tokens=16)
        assert assistant.wait_idle(120)
        voiced, tagged, copied, given = [], [], [], 0
        for question in ASKED:
            clock.now += 60
            assistant.new_conversation()
            reply = assistant.send(question, max_tokens=60).text.strip()
            notes = _notes(assistant.last_prompt.messages[-1]["content"])
            given += bool(notes)
            if reply.lower().startswith(("the user", "user:")):
                voiced.append((question, reply))
            if any(tag in reply.lower() for tag in ("<memory", "</memory", "<profile", "</profile")):
                tagged.append((question, reply))
            if any(note and note in reply for note in notes):
                copied.append((question, reply))
    assert given >= len(ASKED) // 2  # the history was recalled: the test is about what the model did with it
    assert voiced == [] and tagged == []
    # The 135M model still hands back a note's line now and then (2 of these 16; with the
    # notes written about "the user", age first, 7 of 16, all in the notes' voice).
    assert len(copied) <= 3, copied
