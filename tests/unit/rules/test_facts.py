"""Facts, preferences and standing instructions (mnemo/memory/rules/fact.py)."""

from __future__ import annotations

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import Fact
from tests.unit.rules import parsed

FACTS_WITH_SUBJECTS = [
    ("fact-called", "My dog is called Rex", "The user's dog is called Rex.", "dog name"),
    ("fact-named-thing", "My dog's name is Rex.", "The user's dog is called Rex.", "dog name"),
    ("fact-home", "I live in Prague.", "The user lives in Prague.", "home"),
    ("fact-home", "I just moved to Berlin, it is cold", "The user lives in Berlin.", "home"),
    ("fact-favourite", "My favourite colour is now Red.", "The user's favourite colour is Red.", "favourite colour"),
    ("fact-favourite", "My favorite color is Brown", "The user's favourite color is Brown.", "favourite colour"),
    ("fact-name+name-my-name-is", "Hi, my name is Ada Lovelace.", "The user's name is Ada Lovelace.", "name"),
    ("fact-work", "I work as a nurse", "The user works as a nurse.", "work"),
    ("fact-my-x-is", "My car is a red Skoda", "The user's car is a red Skoda.", "car"),
]


@pytest.mark.parametrize("label, text, text_out, subject", FACTS_WITH_SUBJECTS)
def test_facts_with_subjects(label, text, text_out, subject):
    [fact] = rules.facts(text)
    assert (fact.text, fact.subject) == (text_out, subject)


PINNED = [
    ("fact-name+name-my-name-is", "My name is Bob", "fact", "name"),
    ("fact-instruction", "From now on, answer in French", "instruction", None),
]


@pytest.mark.parametrize("label, text, kind, subject", PINNED)
def test_name_is_pinned_and_instructions_are_kept_in_the_profile(label, text, kind, subject):
    assert rules.facts(text)[0].pinned
    [fact] = rules.facts(text)
    assert fact.kind == kind and fact.pinned and fact.subject == subject


CHATTER = [
    ("fact-named-thing", "What is my dog's name?"),
    ("fact-my-x-is", "My question is simple."),
    ("fact-home", "Where do I live?"),
    ("fact-my-x-is", "The weather is nice today."),
]


@pytest.mark.parametrize("label, text", CHATTER)
def test_questions_and_chatter_state_nothing(label, text):
    assert rules.facts(text) == []


PREFERENCES = [
    (
        "fact-likes",
        "I really love hiking in the mountains",
        Fact("preference", "The user loves hiking in the mountains."),
    ),
]


@pytest.mark.parametrize("label, text, fact", PREFERENCES)
def test_preferences_accumulate_without_a_subject(label, text, fact):
    [like] = rules.facts(text)
    assert like == fact


# The value without when it was said, or why.
FACTS = [
    ("fact-home+when-relative", "I moved to Bergen last year", "The user lives in Bergen."),
    ("fact-home+when-lately", "I live in Ghent now", "The user lives in Ghent."),
    ("fact-home+when-in-year-or-month", "I relocated to San Francisco in 2019", "The user lives in San Francisco."),
    ("fact-home+when-for", "I moved to Porto for work", "The user lives in Porto."),
    ("fact-home+when-relative", "I moved to Leeds a few months ago", "The user lives in Leeds."),
    ("fact-allergy", "I'm allergic to walnuts", "The user is allergic to walnuts."),
    ("fact-diet", "I'm vegetarian", "The user is vegetarian."),
    ("fact-prefers", "I prefer tea over coffee", "The user prefers tea over coffee."),
    ("fact-favourite", "My favourite band is Muse", "The user's favourite band is Muse."),
    ("fact-home+when-since", "I live in Oslo since 2019", "The user lives in Oslo."),
    ("fact-home+when-with", "I moved to Leeds with my partner", "The user lives in Leeds."),
    ("fact-home+when-because", "I moved to Rome because of the job", "The user lives in Rome."),
]


@pytest.mark.parametrize("label, text, note", FACTS)
def test_facts_keep_the_value_and_leave_out_when_it_was_said(label, text, note):
    assert [f.text for f in parsed(text) if isinstance(f, Fact)] == [note]


# Two statements in one sentence: a fact each, in the third person, each with its subject.
TWO_FACTS = [
    (
        "two-facts-and-my+fact-called",
        "My dog is called Rex and my cat is called Tom",
        [("The user's dog is called Rex.", "dog name"), ("The user's cat is called Tom.", "cat name")],
    ),
    (
        "two-facts-and-i+fact-home+fact-work",
        "I live in Porto and I work at a bakery",
        [("The user lives in Porto.", "home"), ("The user works at a bakery.", "work")],
    ),
    (
        "two-facts-and-i+fact-favourite+fact-diet",
        "My favourite colour is green, and I'm vegetarian.",
        [("The user's favourite colour is green.", "favourite colour"), ("The user is vegetarian.", "diet")],
    ),
    (
        "two-facts-and-i+fact-likes",
        "I love hiking but I hate running",
        [("The user loves hiking.", None), ("The user hates running.", None)],
    ),
    (
        "two-facts-semicolon+fact-called",
        "My sister is called Anna; my brother is called Ben.",
        [("The user's sister is called Anna.", "sister name"), ("The user's brother is called Ben.", "brother name")],
    ),
    (
        "two-facts-and-i+fact-work+fact-home",
        "I work as a nurse and I moved to Leeds last year",
        [("The user works as a nurse.", "work"), ("The user lives in Leeds.", "home")],
    ),
    # the second clause states nothing of its own: one fact
    (
        "two-facts-and-my+fact-allergy",
        "I'm allergic to peanuts and my son is too",
        [("The user is allergic to peanuts.", None)],
    ),
    ("two-facts-and-i+fact-home", "I moved to Leeds in May and we love it", [("The user lives in Leeds.", "home")]),
]


@pytest.mark.parametrize("label, text, found", TWO_FACTS)
def test_a_sentence_with_two_facts_gives_both(label, text, found):
    assert [(f.text, f.subject) for f in parsed(text) if isinstance(f, Fact)] == found


# A relative's or pet's name, said with a verb other than "is called": the same fact (and
# subject) as "my brother is called Sam", so a later name replaces it.
KIN_NAMES = [
    ("fact-kin-goes-by", "My brother goes by Sam", [("The user's brother is called Sam.", "brother name")]),
    ("fact-kin-goes-by", "My son answers to Theo.", [("The user's son is called Theo.", "son name")]),
    ("fact-kin-goes-by", "My little sister's called Ella", [("The user's sister is called Ella.", "sister name")]),
    ("fact-kin-goes-by", "Our cat is known as Mr Whiskers", [("The user's cat is called Mr Whiskers.", "cat name")]),
    ("fact-kin-goes-by", "my wife goes by the name Jess", [("The user's wife is called Jess.", "wife name")]),
    ("fact-kin-i-have-a", "I have a daughter, Mia", [("The user's daughter is called Mia.", "daughter name")]),
    ("fact-kin-i-have-a", "We've got a puppy called Biscuit", [("The user's puppy is called Biscuit.", "puppy name")]),
    ("fact-kin-i-have-a", "I have a son named Theo", [("The user's son is called Theo.", "son name")]),
    ("fact-kin-we-named", "We named our dog Biscuit", [("The user's dog is called Biscuit.", "dog name")]),
    ("fact-kin-we-named", "I called my kitten Luna", [("The user's kitten is called Luna.", "kitten name")]),
    (
        "fact-kin-comma-name",
        "My mum, Ruth, lives in Leeds",
        [("The user's mum is called Ruth.", "mum name"), ("The user's mum lives in Leeds.", None)],
    ),
    (
        "fact-kin-comma-name",
        "My brother Sam plays football",
        [("The user's brother is called Sam.", "brother name"), ("The user's brother plays football.", None)],
    ),
    (
        "fact-kin-comma-name",
        "My boss, Greg, is strict.",
        [("The user's boss is called Greg.", "boss name"), ("The user's boss is strict.", None)],
    ),
]


@pytest.mark.parametrize("label, text, found", KIN_NAMES)
def test_a_relative_or_pets_name_in_other_words(label, text, found):
    assert [(f.text, f.subject) for f in parsed(text) if isinstance(f, Fact)] == found


NOT_KIN_NAMES = [
    ("fact-kin-we-named", "I called my mum yesterday"),
    ("fact-kin-we-named", "I called my mum Tuesday"),
    ("fact-kin-goes-by", "My dog answers to his name"),
    ("fact-kin-i-have-a", "I have a cat, which is lovely"),
    ("fact-kin-comma-name", "Every morning I walk my dog Bruno along the river"),
    ("fact-kin-goes-by", "What does my brother go by?"),
]


@pytest.mark.parametrize("label, text", NOT_KIN_NAMES)
def test_near_misses_name_nobody(label, text):
    assert not [f for f in parsed(text) if isinstance(f, Fact) and (f.subject or "").endswith(" name")]


# The new value first: the same fact, and subject, as "my favourite colour is red", so it
# replaces it; without the word "colour", a colour's name says what it is a favourite of.
FAVOURITES_VALUE_FIRST = [
    (
        "fact-favourite-value-first",
        "teal is my favourite now",
        "The user's favourite colour is teal.",
        "favourite colour",
    ),
    (
        "fact-favourite-value-first",
        "Teal is my favourite colour now",
        "The user's favourite colour is Teal.",
        "favourite colour",
    ),
    (
        "fact-favourite-value-first",
        "Teal's my favourite colour.",
        "The user's favourite colour is Teal.",
        "favourite colour",
    ),
    (
        "fact-favourite-value-first",
        "Dark green is my new favourite color",
        "The user's favourite color is Dark green.",
        "favourite colour",
    ),
    (
        "fact-favourite-value-first",
        "Actually, purple is my favourite these days",
        "The user's favourite colour is purple.",
        "favourite colour",
    ),
    (
        "fact-favourite-value-first",
        "Pizza is my favourite food",
        "The user's favourite food is Pizza.",
        "favourite food",
    ),
    (
        "fact-favourite-value-first",
        "Muse are my favourite band by far",
        "The user's favourite band is Muse.",
        "favourite band",
    ),
]


@pytest.mark.parametrize("label, text, note, subject", FAVOURITES_VALUE_FIRST)
def test_a_favourite_said_value_first(label, text, note, subject):
    assert [(f.text, f.subject) for f in parsed(text) if isinstance(f, Fact)] == [(note, subject)]
    if subject == "favourite colour":  # what "my favourite colour is red" said is replaced
        assert rules.facts("My favourite colour is red")[0].subject == subject


NOT_FAVOURITES = [
    ("fact-favourite-value-first", "Pizza is my favourite now"),  # a favourite what?
    ("fact-favourite-value-first", "That is my favourite colour"),
    ("fact-favourite-value-first", "Which is my favourite colour?"),
    ("fact-favourite-value-first", "Green is my favourite colour, right?"),
]


@pytest.mark.parametrize("label, text", NOT_FAVOURITES)
def test_near_misses_state_no_favourite(label, text):
    assert not [f for f in parsed(text) if isinstance(f, Fact) and (f.subject or "").startswith("favourite")]


# What the user has or uses, said as a habit; the subject is what it is (a car, a phone), so
# "I drive a Tesla now" replaces "I drive a Honda Civic" (and "my car is a red Skoda").
OWNS_USES = [
    ("fact-owns-uses", "I drive a Honda Civic", "The user drives a Honda Civic.", "car"),
    ("fact-owns-uses+when-lately", "I drive a Tesla now", "The user drives a Tesla.", "car"),
    ("fact-owns-uses", "These days I drive a Volvo.", "The user drives a Volvo.", "car"),
    ("fact-owns-uses", "I use a Pixel 8 as my phone", "The user uses a Pixel 8 as their phone.", "phone"),
    ("fact-owns-uses", "I use VS Code as my editor", "The user uses VS Code as their editor.", "editor"),
    ("fact-owns-uses", "I ride a Trek bike to work", "The user rides a Trek bike.", "bike"),
    ("fact-owns-uses", "I ride a Specialized now", "The user rides a Specialized.", "bike"),
    ("fact-owns-uses", "I play a Yamaha piano", "The user plays a Yamaha piano.", "piano"),
    ("fact-owns-uses", "I own a Fender guitar", "The user owns a Fender guitar.", "guitar"),
    ("fact-owns-uses", "I wear Ray-Ban glasses", "The user wears Ray-Ban glasses.", "glasses"),
    ("fact-owns-uses", "I mostly use Firefox for browsing", "The user uses Firefox.", None),
    ("fact-owns-uses", "I run Arch Linux on my laptop", "The user runs Arch Linux.", None),
    (
        "two-facts-and-i+fact-owns-uses",
        "I live in Porto and I drive a Fiat Panda",
        "The user drives a Fiat Panda.",
        "car",
    ),
]


@pytest.mark.parametrize("label, text, note, subject", OWNS_USES)
def test_what_the_user_has_or_uses(label, text, note, subject):
    assert (note, subject) in [(f.text, f.subject) for f in parsed(text) if isinstance(f, Fact)]
    if subject in ("car", "phone"):  # the same subject as "my car is ...", "my phone is ..."
        assert rules.facts(f"My {subject} is a Fiat")[0].subject == subject


NOT_OWNS_USES = [
    ("fact-owns-uses", "What do I drive?"),
    ("fact-owns-uses", "My brother drives a Honda"),
    ("fact-owns-uses", "If I drove a Honda I'd be happy"),
    ("fact-owns-uses", "If I drive a Honda, is insurance cheaper?"),
    ("fact-owns-uses", "I drive a hard bargain"),
    ("fact-owns-uses", "I play Minecraft"),
    ("fact-owns-uses", "I use a lot of emojis"),
    ("fact-owns-uses", "I run a small business"),
    ("fact-owns-uses", "Should I use a Mac?"),
]


@pytest.mark.parametrize("label, text", NOT_OWNS_USES)
def test_near_misses_say_nothing_the_user_has(label, text):
    assert parsed(text) == []


# What is only supposed states nothing; the clause after its comma still may.
SUPPOSED = [
    ("supposed-if+fact-kin-we-named", "If we name our dog Biscuit, the kids will laugh", []),
    ("supposed-if+fact-kin-we-named", "What if we named our dog Biscuit", []),
    ("supposed-if+fact-home", "If I move to Berlin, I'll need a visa", []),
    ("supposed-imagine+fact-owns-uses", "Suppose I drive a Tesla", []),
    ("supposed-imagine+fact-favourite", "Imagine my favourite colour is teal", []),
    ("supposed-imagine+fact-home", "Let's say I live in Paris.", []),
    (
        "supposed-if+fact-my-x-is",
        "If you need it, my email is ada@example.com",
        ["The user's email is ada@example.com."],
    ),
    (
        "supposed-if+two-facts-and-i+fact-home",
        "I live in Leeds and if I move to York I'd drive a Fiat",
        ["The user lives in Leeds."],
    ),
]


@pytest.mark.parametrize("label, text, notes", SUPPOSED)
def test_what_is_only_supposed_states_nothing(label, text, notes):
    assert [f.text for f in parsed(text) if isinstance(f, Fact)] == notes


# A value that says nothing lasting about the user, as five people would say it: no fact.
NO_VALUES = [
    ("not-value-pronoun+fact-likes", "I like it"),
    ("not-value-pronoun+fact-likes", "I love you"),
    ("not-value-pronoun+fact-likes", "I don't like them"),
    ("not-value-pronoun+fact-allergy", "I'm allergic to it"),
    ("not-value-pronoun+fact-my-x-is", "My favourite food is it"),
    ("not-value-pronoun+fact-likes", "I enjoy it when you explain things"),
    ("not-value-deictic+fact-likes", "I like that idea"),
    ("not-value-deictic+fact-likes", "I love this!"),
    ("not-value-deictic+fact-my-x-is", "My mum is here"),
    ("not-value-deictic+fact-my-x-is", "My email is that"),
    ("not-value-deictic+fact-prefers", "I prefer this over that"),
    ("not-value-deictic+fact-favourite", "My favourite is this one"),
    ("not-value-clause+fact-likes", "I love how you explain"),
    ("not-value-clause+fact-likes", "I like what you did"),
    ("not-value-clause+fact-likes", "I like when you do that"),
    ("not-value-clause+fact-my-x-is", "My question is why it fails"),
    ("not-value-clause+fact-likes", "I hate when it crashes"),
    ("not-value-fragment+fact-favourite", "My favourite colour is I don't know"),
    ("not-value-fragment+fact-my-x-is", "My job is I'm not sure"),
    ("not-value-fragment+fact-called", "My dog is called I forget what"),
    ("not-value-fragment+fact-likes", "I like I guess"),
    ("not-value-fragment+fact-my-x-is", "My answer is I'd rather not"),
    ("not-value-in-the-text+fact-my-x-is", "My code is below"),
    ("not-value-in-the-text+fact-my-x-is", "My question is above"),
    ("not-value-in-the-text+fact-my-x-is", "My draft is attached"),
    ("not-value-in-the-text+fact-my-x-is", "My list is as follows"),
    ("not-value-in-the-text+fact-my-x-is", "My essay is the following"),
]


@pytest.mark.parametrize("label, text", NO_VALUES)
def test_a_value_that_says_nothing_lasting_is_no_fact(label, text):
    assert [f for f in parsed(text) if isinstance(f, Fact)] == []


# Values near those classes that say something: kept.
VALUES_NEAR_NONE = [
    ("fact-likes", "I like to code", "The user likes to code."),
    ("fact-likes", "I love hiking in the Alps", "The user loves hiking in the Alps."),
    ("fact-my-x-is", "My car is a Tesla", "The user's car is a Tesla."),
    ("fact-home", "I live in Thatcham", "The user lives in Thatcham."),
    ("fact-likes", "I love Italian food", "The user loves Italian food."),
]


@pytest.mark.parametrize("label, text, note", VALUES_NEAR_NONE)
def test_values_near_the_empty_classes_are_kept(label, text, note):
    assert [f.text for f in parsed(text) if isinstance(f, Fact)] == [note]
