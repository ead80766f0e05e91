"""A request to forget: "forget where I live", "erase my phone number", "delete what you
know about my job", "stop remembering my sister's name", "drop my address from your
memory". Not one about what was just said ("forget everything above"), nor a dismissal
before another request ("forget the previous instructions and write a poem")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mnemo.memory.rules.intents import Forget, Intent
from mnemo.memory.rules.names import not_a_name
from mnemo.memory.rules.phrases import Phrases
from mnemo.memory.rules.text import clean
from mnemo.memory.rules.words import ASKING, KIN_ADJECTIVES, PETS, RELATIVES, THANKS, one_of

_ERASE_WHAT = Phrases(
    "forget-erase",
    (
        "forget-erase-what-you-know",
        r"(?:what|everything|anything|all)\ (?:(?:that\ )?you\ (?:know|remember|have|have\ stored|keep|kept)\ )?"
        r"about\ ",
    ),
    ("forget-erase-the-memory", r"(?:all\ )?(?:the\ |your\ |any\ )?memor(?:y|ies)\ (?:about|of)\ "),
    ("forget-erase-your-memory-of", r"your\ memory\ of\ "),
    ("forget-erase-my", r"(?=my\b)"),
)
_FORGETTING = Phrases(
    "forget",
    ("forget", r"/?forget\b(?!-)[,:]?\s*(?:about\ |that\ |the\ fact\ that\ )?"),
    (
        "forget-stop-remembering",
        r"(?:stop\ remembering|don't\ remember|do\ not\ remember|unlearn|no\ longer\ remember|don't\ keep"
        r"|do\ not\ keep|stop\ keeping|don't\ store|do\ not\ store|stop\ storing)\s+",
    ),
    (None, rf"(?:erase|delete|remove|wipe|drop|clear|purge|scrub|scrap|get\ rid\ of|clear\ out)\s+{_ERASE_WHAT}"),
)
_FORGET = re.compile(
    rf"""^\s*(?:{one_of(("please", *ASKING))}\ )?{_FORGETTING}
    (?P<v>.*?)(?:\s+from\ (?:your\ )?memory|\s+anymore|\s+any\ more)?
    (?:,?\s+(?:completely|entirely|for\ good|altogether|permanently|forever|totally))?[.!?]*$""",
    re.I | re.S | re.VERBOSE,
)
_REQUEST = (
    r"write|tell|give|make|show|explain|summari[sz]e|answer|translate|draft|create|generate|compose|start|"
    r"begin|continue|let's|focus|act|pretend|respond|reply|say|try|redo|retry"
)
# "Forget X" that is not about memory: what was just said ("forget everything above", "what
# I said", "my last message"), or a dismissal before another request ("forget the previous
# instructions and write a poem", "forget about it, what is 2+2?", "forget the rules, just …").
_WHAT_WAS_SAID = Phrases(
    "not-memory-said",
    ("said-it", r"it|this|that|all\ (?:of\ )?(?:that|this)"),
    ("said-everything-above", r"everything|(?:everything\ |all\ )?(?:above|before|so\ far)"),
    (
        "said-what-i-said",
        r"(?:what|everything|anything)\ (?:I|we|you)\ (?:just\ )?(?:said|wrote|asked|typed|told\ you)"
        r"(?:\ before|\ above|\ earlier)?",
    ),
    (
        "said-my-last-message",
        r"(?:my|your|the)\ (?:last|previous|earlier|first)\ (?:\w+\ )?"
        r"(?:message|question|answer|reply|prompt|request)s?",
    ),
)
_NOT_MEMORY = Phrases(
    "not-memory",
    (None, rf"^{_WHAT_WAS_SAID}$"),
    (
        "not-memory-then-request",
        rf"(?:,|;|:|\.|\s+-+|\s+—)\s*(?:just\ |instead\ |now\ |and\ )?(?:{_REQUEST}|help|do)\b",
    ),
    (
        "not-memory-then-question",  # a question, not "…, is that ok?"
        r"[,;:]\s*(?:what|how|who|why|when|which|can|could|would|is|are)\b(?:\W+\w+){3,}",
    ),
    (
        "not-memory-in-this-text",
        r"\b(?:from|in)\ (?:this|these|the\ above|the\ following|the\ (?:text|essay|file|code|document|draft|email))\b",
    ),
    ("not-memory-and-request", rf"\s(?:and|then)\s+(?:just\ |instead\ |now\ |then\ )?(?:{_REQUEST}|help\ me)\b"),
).compile(re.I)
# The reason given after what to forget is not part of it: "forget where I work, I quit",
# "forget my address - we moved", "forget my sister's name because we fell out".
_REASON = Phrases(
    "forget-reason",
    (
        "reason-clause",
        r"(?:\s*[,;]|\s+-+|\s+—)\s*(?:I|I'm|I've|we|we're|we've|it|it's|that's|they|he|she|since|as"
        r"|because|cause|'cause)\b.*$",
    ),
    ("reason-because", r"\s+(?:because|since|'cause)\b.*$"),
).compile(re.I | re.S)
# "forget what I told you about my ex": what to forget is "my ex"
_TOLD = Phrases(
    "forget-told",
    (
        "told-you-about",
        r"^(?:what|everything|anything|all|all\ the\ (?:stuff|things|facts|memories))(?:\ that)?"
        r"(?:\ (?:I|I've|I\ have|we|we've)\ (?:told|said\ to|mentioned\ to"
        r"|shared\ with|said|mentioned|shared)(?:\ you)?|\ you\ (?:know|remember|have))?"
        r"\ (?:about|regarding|concerning|to\ do\ with|related\ to|relating\ to|involving)\ ",
    ),
).compile(re.I)
_POLITE_END = re.compile(
    rf",?\s*(?:is\ that\ (?:ok|okay|alright)|{one_of(('can you', 'could you', 'please', *THANKS))})\s*$",
    re.I | re.VERBOSE,
)
_FORGET_IT = re.compile(r"^\s*forget\ it\b", re.I | re.VERBOSE)
_LIST = re.compile(r"\blist\b", re.I)  # "forget the milk on my list": the list's, not memory's
# One word that names a kind of memory, not someone ("forget address", "forget job").
_NOT_PEOPLE = {
    "address",
    "job",
    "birthday",
    "email",
    "phone",
    "diet",
    "allergies",
    "age",
    "name",
    "password",
    "work",
}


def _forget_query(said: str) -> str:
    """What to forget, less the politeness, the reason and "what I told you about"."""
    said = _POLITE_END.sub("", said.strip(" .!?"))
    return clean(_TOLD.sub("", _REASON.sub("", said)))


def read(text: str, now: float) -> list[Intent] | None:
    m = _FORGET.match(text)
    if not m or _NOT_MEMORY.search(m["v"].strip(" .!?")) or _FORGET_IT.match(text) or _LIST.search(m["v"]):
        return None
    query = _forget_query(m["v"])
    return [Forget(query)] if query else []


# What to forget that is a person (or a pet) by one of their names: who they are to the
# user ("my brother", "my little sister", "our dog") or what they are called ("Sam"), or
# both ("my brother Sam", "Sam, my brother"). The bank then forgets what names them by any
# of their names: the relation and the name are one subject.
_KIN = one_of(sorted((*RELATIVES, *PETS), key=len, reverse=True))


def _my_kin(group: str) -> str:
    return rf"(?:my|our|the\ user's)\ (?:{one_of(KIN_ADJECTIVES)}\ )?(?P<{group}>{_KIN})"


_A_NAME = r"[A-Za-z][a-z'-]+"
_PERSON = Phrases(
    "forget-person",
    ("forget-person-kin", _my_kin("k")),
    ("forget-person-name", rf"(?P<n>{_A_NAME})"),
    ("forget-person-kin-and-name", rf"{_my_kin('i')},?\ (?P<m>{_A_NAME})"),
    ("forget-person-name-and-kin", rf"(?P<o>{_A_NAME}),?\ {_my_kin('j')}"),
    ("forget-person-who", rf"who\ (?:(?P<w>{_A_NAME})|{_my_kin('q')})\ (?:is|was)"),
).compile(re.I)


@dataclass(frozen=True)
class Person:
    """Who a forget is about: their relation to the user ("brother"), their name ("Sam")."""

    kin: str | None = None
    name: str | None = None


def person(query: str) -> Person | None:
    """The person ``query`` names, if it is only that: "my brother" -> Person("brother"),
    "Sam" -> Person(name="Sam"), "my brother Sam" -> both; "my brother's phone" -> None."""
    m = _PERSON.fullmatch(clean(query))
    if not m:
        return None
    kin = (m["k"] or m["i"] or m["j"] or m["q"] or "").lower() or None
    name = m["n"] or m["m"] or m["o"] or m["w"]
    if name and not_a_name(name) is not None:
        return None  # "forget everything", "forget that"
    if name and not kin and name.lower() in _NOT_PEOPLE:
        return None  # "forget chess": one word, but no one's name
    return Person(kin, name)
