"""The user's name, in many shapes (mnemo/memory/rules/names.py)."""

from __future__ import annotations

import pytest

from mnemo.memory.rules import Fact
from tests.unit.rules import acted_on, parsed

NAMES = [
    ("name-my-name-is", "My name is Liam"),
    ("name-i-am", "I'm Liam"),
    ("name-call-me", "Call me Liam"),
    ("name-call-me", "You can call me Liam"),
    ("name-here", "Liam here, hello!"),
    ("name-the-name", "The name's Liam"),
    ("name-go-by", "I go by Liam"),
    ("name-my-name-is", "Hi! My name, by the way, is Liam."),
    ("name-call-me", "People call me Liam"),
    ("name-this-is", "This is Liam speaking"),
    ("name-i-am", "I am Liam."),
    ("name-i-am", "hello, I'm Liam and I like tea"),
    ("name-my-name-is", "My name which is Liam is Irish"),
    ("name-my-name-is", "My name is now Liam."),
    ("name-call-me", "Actually, call me Liam now"),
    ("name-here", "Hey there, Liam speaking."),
    ("name-call-me", "Folks usually call me Liam"),
    ("name-my-names", "my names Liam"),
    ("name-call-me", "Everyone calls me Liam"),
    ("name-address-me-as", "You may address me as Liam"),
    ("name-is-my-name", "Liam's my name"),
    ("name-here", "It's Liam here"),
    ("name-my-name-is", "my first name is Liam"),
    ("name-know-me-as", "People know me as Liam"),
    ("name-the-name", "The name is Liam"),
    ("name-is-my-name", "Liam's the name"),
    ("name-my-name-s", "my name's Liam"),
    ("name-name-s", "Name's Liam"),
    ("name-called", "I'm called Liam"),
    ("name-is-what-they-call-me", "Liam is what my friends call me"),
    ("name-is-what-they-call-me", "Liam's what everyone calls me."),
    ("name-is-what-they-call-me", "Liam is what I go by"),
    ("name-is-what-they-call-me", "Liam is the name I go by these days"),
    ("name-is-what-they-call-me", "Liam is what I'm usually called"),
    ("name-is-what-they-call-me", "Hi, Liam is how most people know me"),
    ("name-is-what-they-call-me", "Actually Liam is what you should call me"),
]


@pytest.mark.parametrize("label, text", NAMES)
def test_names(label, text):
    facts = [i for i in parsed(text) if isinstance(i, Fact) and i.subject == "name"]
    assert facts and facts[0].text == "The user's name is Liam.", parsed(text)


TITLED = [("name-i-am", "I'm Dr. Patel, nice to meet you", "The user's name is Dr. Patel.")]


@pytest.mark.parametrize("label, text, note", TITLED)
def test_a_name_with_a_title_is_kept_whole(label, text, note):
    assert [i.text for i in parsed(text)] == [note]


NOT_NAMES = [
    ("name-i-am", "I'm tired"),
    ("name-i-am", "I'm going home"),
    ("name-i-am", "I am happy today"),
    ("name-is-my-name", "What's my name?"),
    ("name-call-me", "call me later, ok?"),
    ("name-i-am", "I'm Sorry"),
    ("name-is-what-they-call-me", "That is what they call me"),
    ("name-is-what-they-call-me", "Liam is what my brother calls his dog"),
    ("name-is-what-they-call-me", "What is it they call me?"),
]


@pytest.mark.parametrize("label, text", NOT_NAMES)
def test_near_misses_do_not_trigger(label, text):
    found = acted_on(text)
    assert not found, found
