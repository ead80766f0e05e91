"""An explicit request to remember: "remember that my sister is Anna", "/remember …",
"note that …", "for future reference, …". About shopping, it goes to the list ("remember
to buy 2 baguettes", "note down 5 limes for the shop")."""

from __future__ import annotations

import re

from mnemo.memory.rules.intents import Intent, Remember
from mnemo.memory.rules.lists import list_ops
from mnemo.memory.rules.phrases import Phrases
from mnemo.memory.rules.text import clean
from mnemo.memory.rules.words import ASKING, one_of

_REMEMBERING = (
    "remember",
    "don't forget",
    "do not forget",
    "keep in mind",
    "make a note of",
    "make a note",
    "take a note",
    "note down",
    "jot down",
    "note",
    "save this",
    "store this",
    "for future reference",
)
_ASKED = Phrases(
    "remember",
    ("remember-command", r"/remember\b"),
    ("remember-asked", rf"(?:{one_of(('please', *ASKING))}\ )?{one_of(_REMEMBERING)}(?:\ that|\ this)?[:,]?\s"),
)
_REMEMBER = re.compile(rf"^\s*{_ASKED}(?P<v>.+)", re.I | re.S | re.VERBOSE)
_DONT_FORGET_TO = re.compile(r"^\s*(?:don't|do\ not)\ forget\ to\b", re.I | re.VERBOSE)  # a task, not a note
_BUY = r"^to\ (?:buy|get|grab|pick\ up|purchase)\b"
_FOR_THE_SHOP = r"\s(?:for|from|at)\ the\ "
_TO_BUY = Phrases(
    "remember-shopping",
    ("remember-to-buy", _BUY),
    ("remember-for-the-shop", rf"{_FOR_THE_SHOP}(?:shops?|store|supermarket|market|grocer'?s)$"),
).compile(re.I)
_AROUND_GOODS = re.compile(rf"{_BUY}\s+|{_FOR_THE_SHOP}\S+$", re.I | re.VERBOSE)


def read(text: str, now: float) -> list[Intent] | None:
    m = _REMEMBER.match(text)
    if not m or _DONT_FORGET_TO.match(text):
        return None
    inner = clean(m["v"])
    listed: list[Intent] = [*(list_ops(inner) or list_ops(text))]  # "note that I need to buy candles": the list
    if not listed and _TO_BUY.search(inner):
        goods = _AROUND_GOODS.sub("", inner)
        listed = [*list_ops(f"I need to buy {goods}")]
    return listed or ([Remember(inner)] if inner else [])
