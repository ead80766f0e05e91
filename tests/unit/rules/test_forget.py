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


# A forget about a person (or pet) by one of their names, as five people would say it: the
# bank then forgets what names them by any of their names (tests/unit/test_memory_bank.py).
FORGET_PERSON = [
    ("forget+told-you-about+forget-person-kin", "forget everything about my brother", "brother", None),
    ("forget-erase-what-you-know+forget-person-kin", "Delete what you know about my little brother", "brother", None),
    ("forget-erase-my+forget-person-kin", "erase my brother from your memory", "brother", None),
    ("forget-stop-remembering+forget-person-kin", "stop remembering my sister", "sister", None),
    ("forget+forget-person-kin", "Please forget about our dog", "dog", None),
    ("forget+forget-person-name", "forget Sam", None, "Sam"),
    ("forget+told-you-about+forget-person-name", "Forget everything I told you about Sam.", None, "Sam"),
    ("forget-erase-what-you-know+forget-person-name", "wipe all you know about Priya", None, "Priya"),
    ("forget+forget-person-name", "forget sam please", None, "sam"),
    ("forget-stop-remembering+forget-person-name", "Don't remember Rex anymore", None, "Rex"),
    ("forget+forget-person-kin-and-name", "forget my brother Sam", "brother", "Sam"),
    ("forget+forget-person-kin-and-name", "Forget about my mum, Ruth", "mum", "Ruth"),
    ("forget-erase-what-you-know+forget-person-kin-and-name", "remove everything about our cat Tom", "cat", "Tom"),
    ("forget+told-you-about+forget-person-kin-and-name", "forget what I said about my boss Dana", "boss", "Dana"),
    ("forget+forget-person-kin-and-name", "forget my best friend Lee", "best friend", "Lee"),
    ("forget+forget-person-name-and-kin", "forget Sam, my brother", "brother", "Sam"),
    ("forget+forget-person-name-and-kin", "Forget about Ruth my mum", "mum", "Ruth"),
    ("forget-erase-what-you-know+forget-person-name-and-kin", "delete everything about Tom, our cat", "cat", "Tom"),
    ("forget+forget-person-name-and-kin", "forget Dana, my boss, please", "boss", "Dana"),
    ("forget+forget-person-name-and-kin", "forget Lee my best friend", "best friend", "Lee"),
    ("forget+forget-person-who", "forget who Sam is", None, "Sam"),
    ("forget+forget-person-who", "Forget who my sister is", "sister", None),
    ("forget-stop-remembering+forget-person-who", "stop remembering who Priya is", None, "Priya"),
    ("forget+forget-person-who", "please forget who my boss was", "boss", None),
    ("forget+forget-person-who", "forget who Rex was, he's gone", None, "Rex"),
    ("forget+told-you-about+forget-person-kin", "forget everything to do with my brother", "brother", None),
    ("forget+told-you-about+forget-person-name", "forget anything related to Sam", None, "Sam"),
    ("forget+told-you-about+forget-person-kin", "forget all the stuff about my brother", "brother", None),
    ("forget-erase-the-memory+forget-person-kin", "erase all memories of my brother", "brother", None),
    ("forget+forget-person-kin", "Forget my brother completely", "brother", None),
    ("forget+forget-person-name", "forget Sam entirely.", None, "Sam"),
    ("forget+told-you-about+forget-person-kin", "Please forget all about my ex", "ex", None),
]


@pytest.mark.parametrize("label, text, kin, name", FORGET_PERSON)
def test_a_forget_about_a_person_names_them(label, text, kin, name):
    found = parsed(text)
    assert found and isinstance(found[0], Forget), found
    assert rules.person(found[0].query) == rules.Person(kin, name), found[0].query


# A forget that names something of a person, or no one: not the person's whole subject.
NOT_A_PERSON = [
    ("forget-person-kin", "forget my brother's phone number"),
    ("forget-person-kin", "forget where my sister lives"),
    ("forget-person-name", "forget my address"),
    ("forget-person-name", "forget everything about my job"),
    ("forget-person-name", "forget that"),
    ("forget-person-kin-and-name", "forget my brother is in Oslo"),
]


@pytest.mark.parametrize("label, text", NOT_A_PERSON)
def test_a_forget_about_something_else_names_no_person(label, text):
    found = parsed(text)
    assert not found or not isinstance(found[0], Forget) or rules.person(found[0].query) is None, found
