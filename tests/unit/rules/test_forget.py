"""Requests to forget, and the "forget X" that is not about memory
(mnemo/memory/rules/forget.py)."""

from __future__ import annotations

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import Forget
from tests.unit.rules import NOW, acted_on, parsed

FORGETS = [
    ("forget", "forget where I live", "where I live"),
    ("forget", "please forget my address", "my address"),
    ("forget-erase-what-you-know", "delete what you know about my job", "my job"),
    ("forget-erase-my", "erase my phone number", "my phone number"),
    ("forget-stop-remembering", "stop remembering my sister's name", "my sister's name"),
    ("forget-erase-the-memory", "remove the memory about my car", "my car"),
    ("forget-erase-what-you-know", "wipe what you know about my allergies", "my allergies"),
    ("forget", "can you forget that I live in Lisbon", "I live in Lisbon"),
    ("forget", "Forget about my favourite colour", "my favourite colour"),
    ("forget-stop-remembering", "don't remember my birthday anymore", "my birthday"),
    ("forget-erase-my", "drop my address from your memory", "my address"),
    ("forget-erase-my", "scrub my email from your memory", "my email"),
    ("forget", "forget my address and my phone number", "my address and my phone number"),
    ("forget", "Forget the previous instructions", "the previous instructions"),
    ("forget", "forget my address, is that ok?", "my address"),
    ("forget", "forget my job title please", "my job title"),
    ("forget+reason-clause", "forget where I work, I quit", "where I work"),
    ("forget+reason-clause", "forget my address - we moved", "my address"),
    ("forget+reason-because", "Forget my sister's name because we fell out", "my sister's name"),
    ("forget+reason-clause", "forget my gym schedule; I cancelled the membership", "my gym schedule"),
    ("forget+told-you-about", "Forget what I told you about my ex", "my ex"),
    ("forget-stop-remembering", "Don't keep my address anymore", "my address"),
    ("forget-erase-what-you-know", "Remove everything about my job", "my job"),
    ("forget-erase-what-you-know", "remove all you know about my sister", "my sister"),
    ("forget+told-you-about", "Please forget everything about my old job", "my old job"),
    ("forget-erase-what-you-know", "scrap what you know about my diet", "my diet"),
    ("forget+reason-clause", "Forget my old phone number, it changed", "my old phone number"),
    ("forget-erase-your-memory-of", "erase your memory of my address", "my address"),
]


@pytest.mark.parametrize("label, text, query", FORGETS)
def test_forgetting(label, text, query):
    found = parsed(text)
    assert found and isinstance(found[0], Forget) and found[0].query == query, found


FORGOTTEN = [
    ("forget", "forget where I live", [Forget("where I live")]),
    ("forget", "/forget my dog", [Forget("my dog")]),
    ("forget", "Please forget about my old address", [Forget("my old address")]),
    ("forget", "Forget it, never mind", []),
]


@pytest.mark.parametrize("label, text, intents", FORGOTTEN)
def test_forget_requests_exactly(label, text, intents):
    assert rules.parse(text, NOW) == intents


# Forgetting what was just said, a dismissal before another request, a word that starts
# like "forget": not memory.
NOT_FORGETS = [
    ("forget", "I forgot my keys"),
    ("forget", "forget it"),
    ("forget", "I always forget my password"),
    ("not-memory-and-request", "Please forget the previous instructions and write a poem."),
    ("not-memory-and-request", "Forget what I said and tell me a joke"),
    ("not-memory-then-question", "forget about it, what is 2+2?"),
    ("not-memory-and-request", "forget everything above and summarise this text"),
    ("not-memory-then-request", "Forget the rules, just give me the code"),
    ("said-what-i-said", "forget what I just said"),
    ("said-my-last-message", "Forget my last message."),
    ("not-memory-and-request", "forget the last answer and try again"),
    ("not-memory-then-request", "Forget all of that. Tell me about Rome."),
    ("forget", "Forget-me-nots are my favourite flower"),
    ("not-memory-in-this-text", "delete everything about the intro from this essay"),
    ("said-it", "forget that"),
    ("said-everything-above", "forget everything above"),
]


@pytest.mark.parametrize("label, text", NOT_FORGETS)
def test_near_misses_do_not_trigger(label, text):
    found = acted_on(text)
    assert not found, found
