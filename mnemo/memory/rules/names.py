"""The user's name, in the many shapes people give it: "my name (, by the way,) is X",
"I'm X", "call me X", "X here", "X's my name", "X is what my friends call me"."""

from __future__ import annotations

import re

from mnemo.memory.rules.phrases import Phrases
from mnemo.memory.rules.words import TITLES, one_of

NOT_NAMES = {
    "Sorry",
    "Back",
    "Here",
    "Fine",
    "Good",
    "Not",
    "So",
    "Just",
    "Really",
    "Done",
    "Ready",
    "New",
    "Going",
    "Happy",
    "Tired",
    "Busy",
    "Home",
    "Okay",
    "Ok",
    "Still",
    "Also",
    "Very",
    "Glad",
    "Sure",
    "Afraid",
    "Hungry",
    "Late",
    "Working",
    "Trying",
    "Looking",
    "The",
    "A",
    "An",
    "In",
    "At",
    "From",
    "It",
    "It's",
    "Its",
    "This",
    "That",
    "That's",
    "There",
    "Who",
    "What",
}
_NAME_WORD = r"(?-i:[A-Z][a-z'-]+(?:\ [A-Z][a-z'-]+)?)"  # one or two capitalised words
NAME_WORD = _NAME_WORD  # for the readers of other people's and pets' names (fact.py)
_TITLE = rf"(?:{one_of(TITLES)}\.?\ )"  # "Dr. ", "Mrs "
_GREETING = r"^(?:hi|hello|hey)?(?:\ there)?[,!. ]*"
# The words before the name; order matters where one begins another ("i'm called" before "i'm").
_SAYS_NAME = Phrases(
    "name-said",
    ("name-my-name-is", r"my\ (?:first\ |given\ )?name(?:,?\ (?:by\ the\ way|btw),?|\ which|\ now)?\ is"),
    ("name-my-name-s", r"my\ name's"),
    ("name-the-name", r"the\ name(?:'s|\ is)"),
    ("name-name-s", r"name's"),
    ("name-called", r"i(?:\ am|'m)\ called"),
    (
        "name-call-me",
        r"(?:you\ can\ |you\ may\ |people\ |everyone\ |everybody\ |friends\ |folks\ |most\ people\ )?"
        r"(?:usually\ |just\ )?(?:call|calls)\ me",
    ),
    ("name-address-me-as", r"(?:you\ can\ |you\ may\ |please\ )?(?:address|refer\ to)\ me\ as"),
    ("name-know-me-as", r"(?:people\ |everyone\ |most\ people\ )?know\ me\ as"),
    ("name-go-by", r"i\ go\ by"),
    ("name-i-am", r"i(?:'m|\ am)"),
    ("name-this-is", r"this\ is"),
    ("name-my-names", r"my\ names"),  # the apostrophe left out
)
_NAMED = Phrases(
    "name",
    (None, rf"\b{_SAYS_NAME}(?:\ now|\ actually)?\s+(?P<v>(?-i:{_TITLE}?){_NAME_WORD})"),
    ("name-here", rf"{_GREETING}(?:it's\ |it\ is\ |this\ is\ )?(?P<w>{_NAME_WORD})\ (?:here|speaking)\b"),
    ("name-is-my-name", rf"{_GREETING}(?P<x>{_NAME_WORD})(?:'s|\ is)\ (?:my\ (?:first\ )?|the\ )name\b"),
    (
        "name-is-what-they-call-me",
        rf"{_GREETING}(?:it's\ |actually\ |well\ )?(?P<y>{_NAME_WORD})(?:'s|\ is)\ (?:what|the\ name|how)\b"
        r"[^.!?]{0,40}?\b(?:call\ me|calls\ me|called|go\ by|know\ me|knows\ me|address\ me)\b",
    ),
).compile(re.I)
_TITLED = re.compile(_TITLE, re.VERBOSE)


def name_in(sentence: str) -> str | None:
    """The name the user gives in ``sentence``, if any: "I'm Dr. Patel" -> "Dr. Patel"."""
    for m in _NAMED.finditer(sentence):
        named = m["v"] or m["w"] or m["x"] or m["y"]
        titled = _TITLED.match(named)
        title, name = (titled[0], named[titled.end() :]) if titled else (None, named)
        name = name.split("\n")[0]
        first, *rest = name.split()
        if first in NOT_NAMES:
            continue
        if title:  # "I'm Dr. Patel": the name is as they gave it
            return title + first
        # "my name is Mary Jane": both words; "I'm Liam And …" or "Liam here": the first
        both = rest and rest[0] not in NOT_NAMES and m.group(0).lower().startswith("my name")
        return f"{first} {rest[0]}" if both else first
    return None
