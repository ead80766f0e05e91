"""Material the user brings (mnemo/memory/rules/own.py) is never read as the user's own
facts, instructions, lists or tasks; the user's own words around it still are."""

from __future__ import annotations

import pytest

from mnemo.memory import rules
from mnemo.memory.rules import Fact, ListOp, Remember
from tests.unit.rules import parsed

STORY = (
    "My name is Elena and I live in Lisbon. I work as a nurse at the city hospital. Every morning I walk "
    "my dog Bruno along the river. I am allergic to peanuts, and I always tell my friends to remember that. "
    'My favourite colour is green.\n\nOne day Elena met a stranger who said: "Call me Ishmael. I live on a '
    'ship." She laughed. I never saw him again, she wrote later, but I think of him every spring.'
)
TRANSCRIPT = (
    "Interviewer: Where do you live?\nGuest: I live in Toronto and I work at a bank.\n"
    "Interviewer: Any pets?\nGuest: My cat is called Milo. Remember that I hate mornings."
)
QA = (
    "Q: What is your name?\nA: My name is Sam.\nQ: Where do you work?\nA: I work at Google.\n"
    "Q: What should the assistant always do?\nA: Always answer in French."
)
LONG_BLOCK = " ".join(
    ["I grew up in Oslo and my father is called Lars, and I work as a baker in a small town by the sea."] * 14
)
# Material, each opened as people open it; the class is what marks it as material.
MATERIAL = [
    ("material-here-is", f"Here is the story I found:\n\n{STORY}"),
    ("material-here-is", "here's a bio for my website: I live in Berlin and I work as a designer."),
    ("material-below", f"The following is from a novel.\n\n{STORY}"),
    ("material-below", "this is an email from a client:\n\nMy name is Dana Fox and I work at Initech."),
    ("material-below", f"Pasted from the forum\n\n{TRANSCRIPT}"),
    ("material-task", f"Summarise this please\n\n{STORY}"),
    ("material-task", "Translate to French: I live in Paris and my sister is called Anne."),
    ("material-task", "can you proofread: My name is Jon, I am a teacher in Leeds."),
    ("material-task", "Rewrite this more politely\n\nI hate mornings and my boss is called Greg."),
    ("material-task", "tl;dr\n\nI moved to Madrid last year and I work at a bank now."),
    ("material-task", "Reply to this for me:\n\nHi, I'm Priya, I live in Pune. Can we meet?"),
]


@pytest.mark.parametrize("label, text", MATERIAL)
def test_material_opened_by_the_user_is_not_their_own(label, text):
    assert parsed(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "\n\n".join([STORY] * 3),  # long, with no opening of its own
        LONG_BLOCK,  # one long block
        TRANSCRIPT,
        QA,
        "> My name is Ben and I live in Rome.\n> I work at a bakery.\n\nWhat a strange email.",
        "```\n# my name is root\nI_LIVE_IN = 'Paris'\nmy favourite colour is blue\n```",
    ],
    ids=["long-story", "long-block", "transcript", "qa", "quoted-email", "code"],
)
def test_pasted_shapes_hold_nothing_of_the_user(text):
    assert parsed(text) == []


# The user's own words stay theirs, around material and in shapes that look like it.
OWN = [
    ("remember-asked+material-keep", "Remember this:\n\nMy locker code is 4411.", Remember),
    ("remember-asked+material-keep", "note the following: my locker code is 4411", Remember),
    ("fact-name", "Name: Sam\nCity: Paris\n\nThat's me, by the way. My name is Sam.", Fact),
    ("fact-home", "I live in Porto.\n\nAnd I work at a small bakery near the river.", Fact),
    ("add", "add oat milk to my shopping list", ListOp),
]


@pytest.mark.parametrize("label, text, kind", OWN)
def test_the_users_own_words_are_still_read(label, text, kind):
    found = parsed(text)
    assert found and isinstance(found[0], kind), (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "here is my new address: 12 Elm Street, Leeds",
        "Here's my phone number: 0161 496 0000",
        "Name: Sam\nCity: Paris\nJob: nurse",  # a form: each label once
        "Translate is a word I like. I live in Porto.",  # no colon, no paragraphs: a plain message
    ],
)
def test_the_users_own_words_are_kept_whole(text):
    assert rules.own_words(text) == text


def test_the_opening_of_material_is_still_the_users():
    found = parsed(f"My name is Ruth, and this is what my student wrote:\n\n{STORY}\n\n{STORY}")
    assert found and all(isinstance(i, Fact) for i in found)
    assert [i.text for i in found] == ["The user's name is Ruth."]


def test_own_words_keeps_a_short_message_whole():
    assert rules.own_words("I live in Porto") == "I live in Porto"
    assert rules.own_words("  ") == ""
