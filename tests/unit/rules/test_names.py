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


# What a name slot catches when the sentence goes on another way: never a name, a class
# each, as five people would say it (from real dialogues: "The user's name is I'm." was
# stored from "This is I'm not sure ...").
JUNK_NAMES = [
    ("not-name-contraction", "This is I'm not sure what to do"),
    ("not-name-contraction", "My name is I'm not telling you"),
    ("not-name-contraction", "Hi, I'm I'm a bit lost"),
    ("not-name-contraction", "Call me Don't ask"),
    ("not-name-contraction", "It's I'm here again"),
    ("not-name-pronoun", "I'm You know what I mean"),
    ("not-name-pronoun", "This is Me again"),
    ("not-name-pronoun", "I am He who asked before"),
    ("not-name-pronoun", "I'm Everyone's favourite"),
    ("not-name-pronoun", "This is They said so"),
    ("not-name-function-word", "Call me Maybe"),
    ("not-name-function-word", "This is Why I ask"),
    ("not-name-function-word", "My name is My business"),
    ("not-name-function-word", "This is Because of you"),
    ("not-name-function-word", "Call me When you can"),
    ("not-name-adverb", "I'm Absolutely sure"),
    ("not-name-adverb", "I'm Totally fine"),
    ("not-name-adverb", "This is Seriously annoying"),
    ("not-name-adverb", "I'm Honestly not sure"),
    ("not-name-adverb", "I'm Definitely coming"),
    ("not-name-verb-form", "I'm Thinking about it"),
    ("not-name-verb-form", "I'm Doing well"),
    ("not-name-verb-form", "I'm Hoping you can help"),
    ("not-name-verb-form", "I'm Planning a trip"),
    ("not-name-verb-form", "This is Amazing news"),
    ("not-name-demonym-or-feeling", "I'm English"),
    ("not-name-demonym-or-feeling", "I'm Excited!"),
    ("not-name-demonym-or-feeling", "I'm Catholic"),
    ("not-name-demonym-or-feeling", "This is Great"),
    ("not-name-demonym-or-feeling", "I'm Curious."),
    ("not-name-date", "This is Tuesday's plan"),
    ("not-name-date", "I'm Monday morning tired"),
    ("not-name-date", "This is May"),
    ("not-name-date", "I'm Friday-ready"),
    ("not-name-date", "this is June"),
    ("not-name-fragment", "This is Python code"),
    ("not-name-fragment", "This is Chapter one of my book"),
    ("not-name-fragment", "I'm Team lead here"),
    ("not-name-fragment", "This is Section two"),
    ("not-name-fragment", "I'm Level three now"),
]


@pytest.mark.parametrize("label, text", JUNK_NAMES)
def test_a_name_slot_holding_no_name_gives_no_name(label, text):
    names = [i for i in parsed(text) if isinstance(i, Fact) and i.subject == "name"]
    assert not names, names


# Names that look like those classes and are names: kept.
NAMES_NEAR_JUNK = [
    ("name-i-am", "I'm Emily", "Emily"),
    ("name-call-me", "Call me Kelly", "Kelly"),
    ("name-my-name-is", "My name is Irving", "Irving"),
    ("name-i-am", "I'm Sam, nice to meet you", "Sam"),
    ("name-this-is", "Hi, this is Priya from accounting", "Priya"),
    ("name-i-am", "I'm Noor and I like tea", "Noor"),
    ("name-i-am", "Hello, I'm Zoe.", "Zoe"),
    ("name-i-am", "I'm Ana by the way", "Ana"),
    ("name-i-am", "I'm Tom Baker", "Tom"),
    ("name-my-name-is", "My name is Sterling", "Sterling"),
]


@pytest.mark.parametrize("label, text, name", NAMES_NEAR_JUNK)
def test_names_near_the_junk_classes_are_kept(label, text, name):
    names = [i.text for i in parsed(text) if isinstance(i, Fact) and i.subject == "name"]
    assert names == [f"The user's name is {name}."]


@pytest.mark.parametrize("word", ["I'm", "You", "Because", "My", "Absolutely", "English", "Tuesday", "I'm Sam"])
def test_is_name_refuses_the_junk_classes(word):
    from mnemo.memory.rules.names import is_name

    assert not is_name(word)
    assert is_name("Sam") and is_name("Mary Jane") and is_name("Irving")
