"""The user's name, in the many shapes people give it: "my name (, by the way,) is X",
"I'm X", "call me X", "X here", "X's my name", "X is what my friends call me"."""

from __future__ import annotations

import re

from mnemo.memory.rules.phrases import Phrases, declare
from mnemo.memory.rules.words import (
    DEMONYMS,
    FEELINGS,
    FUNCTION_WORDS,
    MONTHS,
    PRONOUNS,
    TITLES,
    WEEKDAYS,
    one_of,
)

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

# What a name slot holds that is no name, a class each: "This is I'm not sure" (a
# contraction), "I'm You know" (a pronoun), "This is Why I ask" (a function word), "I'm
# Absolutely sure" (an adverb), "I'm Thinking of …" (a verb), "I'm English" (where from, a
# faith, a feeling), "I'm Tuesday's …" (a day), and, after "I'm"/"this is", a name that the
# sentence carries on from ("This is Python code": a fragment of another sentence).
NOT_A_NAME = declare(
    "not-names",
    "not-name-pronoun",
    "not-name-function-word",
    "not-name-contraction",
    "not-name-adverb",
    "not-name-verb-form",
    "not-name-demonym-or-feeling",
    "not-name-date",
    "not-name-fragment",
)
_CONTRACTION = re.compile(r"(?:'(?:m|s|re|ve|ll|d|t)|n't)$", re.I)
_ADVERB = re.compile(r"(?:tely|ally|ously|ably|ibly|ntly|estly|ctly|ately|iously)$", re.I)
_VERB_FORM = re.compile(r"[a-z]{2,}ing$", re.I)
_DATES = {*WEEKDAYS, *MONTHS}
# After "I'm Liam" or "This is Liam", what may follow the name in the same sentence: the end,
# a stop or comma, a surname, or one of these ("I'm Liam and I like tea", "… from Leeds").
_AFTER_NAME = re.compile(
    r"""^(?:\s*(?:$|[.,;:!?)—–-])
    |\s+(?-i:[A-Z])
    |\s+(?:and|but|from|by|btw|here|speaking|again|now|actually|too|also|though|of|calling|writing|with|in|at
    |who|nice|pleased|glad|i|i'm|not|the\ one|your|you|if|so|to|again)\b)""",
    re.I | re.VERBOSE,
)
_WEAK_SLOT = re.compile(r"\b(?:i'm|i\ am|this\ is)\s+$", re.I | re.VERBOSE)


def not_a_name(word: str, weak: bool = False) -> str | None:
    """The class of a word that cannot be a name ("I'm", "You", "Why"), else None; ``weak``:
    after "I'm" or "this is", where a verb's -ing form is no name either ("I'm Thinking";
    "my name is Irving" is one)."""
    lowered = word.lower()
    if lowered in PRONOUNS:
        return "not-name-pronoun"
    if _CONTRACTION.search(word):
        return "not-name-contraction"
    if lowered in FUNCTION_WORDS or word in NOT_NAMES:
        return "not-name-function-word"
    if lowered in DEMONYMS or lowered in FEELINGS:
        return "not-name-demonym-or-feeling"
    if lowered.split("-")[0] in _DATES:
        return "not-name-date"
    if len(word) > 6 and _ADVERB.search(word):
        return "not-name-adverb"
    if weak and len(word) > 5 and _VERB_FORM.search(word):
        return "not-name-verb-form"
    return None


def fragment(value: str) -> bool:
    """A value that begins another sentence instead of naming something ("my dog is called
    I don't know", "my name is I'm not telling"): its first word a pronoun or a contraction."""
    first = (value.split() or [""])[0]
    return not_a_name(first) in ("not-name-pronoun", "not-name-contraction")


def is_name(value: str) -> bool:
    """A value for the name slot that is a name: every word of it capitalised and none of
    them a word that is never a name ("I'm", "My", "Because")."""
    words = value.split()
    return bool(words) and len(words) <= 4 and all(w[:1].isupper() and not_a_name(w.rstrip(".")) is None for w in words)


def name_in(sentence: str) -> str | None:
    """The name the user gives in ``sentence``, if any: "I'm Dr. Patel" -> "Dr. Patel"."""
    for m in _NAMED.finditer(sentence):
        named = m["v"] or m["w"] or m["x"] or m["y"]
        titled = _TITLED.match(named)
        title, name = (titled[0], named[titled.end() :]) if titled else (None, named)
        name = name.split("\n")[0]
        first, *rest = name.split()
        before = sentence[m.start() : m.start("v")] if m["v"] else ""
        weak = bool(_WEAK_SLOT.search(before)) and not title
        if not_a_name(first, weak) is not None:
            continue
        after = sentence[m.start("v") + len(first) :] if weak else ""
        if weak and not _AFTER_NAME.match(after):
            continue  # "This is Python code", "I'm Doing well": the sentence goes on another way
        if title:  # "I'm Dr. Patel": the name is as they gave it
            return title + first
        # "my name is Mary Jane": both words; "I'm Liam And …" or "Liam here": the first
        both = rest and not_a_name(rest[0]) is None and m.group(0).lower().startswith("my name")
        return f"{first} {rest[0]}" if both else first
    return None


# A name that is also a word (Will, May, Mark, Bill, Sue) opens a sentence as that word
# when a pronoun or an article follows it: "Will you call me?", "May I ask?", "Mark the
# date", where "Will is my brother" and "Will, you're late" name someone.
_AS_A_WORD = re.compile(rf"\s+(?i:{one_of(PRONOUNS)}|my|your|our|his|their|the|a|an|this|that|these|those|there)\b")
_SENTENCE_END = (".", "!", "?", ":", ";", "\n")  # ":" ends a speaker's label ("Ana: Will you …")


def mentions(name: str, text: str) -> bool:
    """Does ``text`` name ``name`` (as written, capitalised, or with 's), and not only say the
    word it also is at a sentence's start?"""
    for m in re.finditer(rf"\b{re.escape(name)}(?:'s)?\b", text):
        before = text[: m.start()].rstrip(" \t\"'(")
        if (not before or before.endswith(_SENTENCE_END)) and _AS_A_WORD.match(text, m.end()):
            continue
        return True
    return False
