"""Facts, preferences and standing instructions the user states about themselves: "I live
in Ghent", "my favourite band is Muse", "from now on, answer in French". One fact a
clause ("My dog is called Rex and my cat is called Tom": two); a question states nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

from mnemo.memory.rules.intents import Fact
from mnemo.memory.rules.names import NAME_WORD, NOT_NAMES, fragment, is_name, name_in
from mnemo.memory.rules.phrases import Phrases, declare
from mnemo.memory.rules.text import cap, clean, sentences, subject_key, third_person
from mnemo.memory.rules.words import (
    COLOURS,
    DIGITS,
    KIN_ADJECTIVES,
    MONTHS,
    PERIODS,
    PETS,
    RELATIVES,
    WEEKDAYS,
    cardinals,
    one_of,
)

NOT_FACT_SUBJECTS = {
    "question",
    "point",
    "answer",
    "problem",
    "guess",
    "bad",
    "fault",
    "pleasure",
    "turn",
    "mistake",
    "idea",
    "request",
    "message",
    "reply",
    "last question",
}
DIETS = (
    "vegetarian",
    "vegan",
    "pescatarian",
    "teetotal",
    "teetotaler",
    "teetotaller",
    "gluten-free",
    "lactose intolerant",
    "coeliac",
    "celiac",
    "diabetic",
    "kosher",
    "halal",
)
_VALUE = r"(?P<v>[^,.;!?]+)"  # up to the end of the clause

# When, after a value, is not part of it: "I moved to Bergen last year", "… in 2019".
_WHEN_SAID = Phrases(
    "when-said",
    (
        "when-relative",
        rf"(?:a\ |a\ couple\ of\ |the\ )?(?:last|this|next|earlier\ this|a|{'|'.join(cardinals(1, 3))}|few|{DIGITS})"
        rf"\ (?:{'|'.join(PERIODS)}|days?|weeks?|months?|years?)\b.*",
    ),
    ("when-lately", r"(?:recently|lately|now|already|a\ while\ ago|ago)"),
    ("when-in-year-or-month", rf"in\ (?:\d{{4}}|{'|'.join(MONTHS)})\b.*"),
    ("when-since", r"since\b.*"),
    (
        "when-for",
        rf"for\ (?:a|an|{DIGITS}|{'|'.join(cardinals(2, 3))}|many|some|my|our|the|work|school|uni)\b.*",
    ),
    ("when-because", r"because\b.*"),
    ("when-with", r"with\ (?:my|our)\b.*"),
)
_WHEN_SAID_AT_END = re.compile(rf"\s+{_WHEN_SAID}$", re.I | re.VERBOSE)


def _value(text: str) -> str:
    return clean(_WHEN_SAID_AT_END.sub("", clean(text)))


def _name(m: re.Match[str]) -> Fact | None:
    name = name_in(m.group(0))
    return Fact("fact", f"The user's name is {name}.", "name", pinned=True) if name else None


def _favourite(m: re.Match[str]) -> Fact:
    thing = clean(m["k"]).lower()
    return Fact("preference", f"The user's favourite {thing} is {clean(m['v'])}.", subject_key(f"favourite {thing}"))


_WHEN_NOW = r"(?:now|these\ days|nowadays|at\ the\ moment|right\ now|actually|by\ far)\b"
_NOT_FAVOURITES = {"this", "that", "it", "which", "what", "mine", "there", "here", "one", "who", "yours", "these"}


def _favourite_value_first(m: re.Match[str]) -> Fact | None:
    """ "Teal is my favourite colour now"; "teal is my favourite now": a colour's by its name."""
    value = clean(m["v"])
    kind = clean(m["k"] or "").lower()
    if value.lower().split()[0] in _NOT_FAVOURITES:
        return None
    if kind in ("", "one", "thing"):
        if value.lower().split()[-1] not in COLOURS:
            return None  # "pizza is my favourite now": a favourite what is not said
        kind = "colour"
    return Fact("preference", f"The user's favourite {kind} is {value}.", subject_key(f"favourite {kind}"))


def _home(m: re.Match[str]) -> Fact | None:
    place = _value(m["v"])
    return Fact("fact", f"The user lives in {place}.", "home") if place else None


def _allergy(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user is {m['how'].lower()} to {_value(m['v'])}.")


def _diet(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user is {m['v'].lower()}.", "diet")


def _prefers(m: re.Match[str]) -> Fact:
    return Fact("preference", f"The user prefers {clean(m['v'])} over {clean(m['w'])}.")


def _called(m: re.Match[str]) -> Fact:
    thing = clean(m["k"]).lower()
    return Fact("fact", f"The user's {thing} is called {clean(m['v'])}.", subject_key(f"{thing} name"))


# Who of the user's is named, and the name: "my (little) brother", "our dog"; "Sam".
_KIN = rf"(?:{one_of(KIN_ADJECTIVES)}\ )?(?P<k>{one_of(sorted((*RELATIVES, *PETS), key=len, reverse=True))})"
_KIN_NAME = rf"(?P<v>{NAME_WORD})"
_NOT_KIN_NAMES = {*NOT_NAMES, *(w.capitalize() for w in (*WEEKDAYS, *MONTHS)), "Today", "Tonight", "Yesterday"}


def _kin_called(m: re.Match[str]) -> Fact | tuple[Fact, ...] | None:
    name = m["v"]
    if name.split()[0] in _NOT_KIN_NAMES or not is_name(name.split()[0]):
        return None
    thing = m["k"].lower()
    called = Fact("fact", f"The user's {thing} is called {name}.", subject_key(f"{thing} name"))
    rest = m.groupdict().get("rest")
    if not rest:
        return called
    # "My mum, Ruth, lives in Leeds": the name, and what is said of her
    return called, Fact("fact", third_person(f"my {thing} {_value(rest)}"))


# What the user has or uses, as a habit: "I drive a Honda Civic", "I use a Pixel 8 as my
# phone". The thing is named (a capital or a digit: a make, a model); what follows it, where
# or how often, is not part of it.
_HABIT_ENDS = re.compile(
    r"""\s+(?:to|at|for|on|in|with|every|each|most|daily|when|because|since|now|these\ days|nowadays
    |a\ lot|all\ the\ time|sometimes|often|mostly|and|but|which|that)\b.*$""",
    re.I | re.VERBOSE,
)
_AS_MY = re.compile(r"\s+as\s+(?:my|our)\s+(?P<as>[a-z]+(?:\ [a-z]+)?)\b.*$", re.I | re.VERBOSE)
_HABIT_SUBJECTS = {"drive": "car", "ride": "bike"}  # else what the thing is ("piano"), if said
_NEEDS_ARTICLE = {"play"}  # "I play a Yamaha piano", not "I play Minecraft"


def _owns(m: re.Match[str]) -> Fact | None:
    verb = m["verb"].lower()
    thing = m["obj"]
    as_my = _AS_MY.search(thing)
    if as_my:
        thing = thing[: as_my.start()]
    thing = clean(_HABIT_ENDS.sub("", thing))
    words = thing.split()
    bare = words[1:] if words and words[0].lower() in ("a", "an", "my", "the", "our") else words
    if not bare or not re.search(r"[A-Z0-9]", " ".join(bare)) or (verb in _NEEDS_ARTICLE and bare == words):
        return None
    done = {"drive": "drives", "ride": "rides"}.get(verb, verb + "s")
    if as_my:
        what = subject_key(as_my["as"])
        return Fact("fact", f"The user {done} {thing} as their {what}.", what)
    head = bare[-1] if len(bare) > 1 and bare[-1].isalpha() and bare[-1].islower() else None
    subject = _HABIT_SUBJECTS.get(verb) if verb == "drive" or not head else head
    return Fact("fact", third_person(f"I {verb} {thing}"), subject)


def _work(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user works {m.group(0).split(' ', 2)[2].split(' ', 1)[0]} {clean(m['v'])}.", "work")


def _likes(m: re.Match[str]) -> Fact:
    verb = m["verb"].lower()
    verb = {"don't like": "does not like", "do not like": "does not like", "can't stand": "cannot stand"}.get(
        verb, verb + "s"
    )
    return Fact("preference", f"The user {verb} {clean(m['v'])}.")


def _instruction(m: re.Match[str]) -> Fact:
    text = clean(m.group(0))
    return Fact("instruction", f"Standing instruction from the user: {cap(text)}.", pinned=True)


# "my son is too", "my wife is the same": no value of its own
_NO_VALUE = re.compile(r"^(?:too|also|as\ well|the\ same|same|not|so|either|neither)\b", re.I | re.VERBOSE)


def _my_x_is(m: re.Match[str]) -> Fact | None:
    thing = clean(m["k"]).lower()
    if thing in NOT_FACT_SUBJECTS or thing.split()[-1] in NOT_FACT_SUBJECTS or _NO_VALUE.match(m["v"]):
        return None
    if thing.split()[-1] in ("name", "surname") and not is_name(clean(m["v"])):
        return None  # "my name is Not telling": no name (a fragment is no value at all: _no_value)
    return Fact("fact", f"The user's {thing} is {clean(m['v'])}.", subject_key(thing))


Make = Callable[[re.Match[str]], Fact | tuple[Fact, ...] | None]
# Tried in this order, the first that makes a fact wins: the most specific first. The name
# comes first (any statement may give it, in many shapes: names.py); "my dog's name is Rex"
# before "my X is Y", which would read it as a fact about "dog's name"; "my X is Y" last,
# as it fits almost any sentence about the user's things.
RULES: tuple[tuple[str, str, Make], ...] = (
    ("fact-name", r".+", _name),
    (
        "fact-favourite",
        r"\bmy\ (?:new\ |current\ )?(?:favou?rite)\ (?P<k>[\w ]{1,30}?)\ (?:is|are)(?:\ now|\ actually)?\ (?P<v>.+)",
        _favourite,
    ),
    (
        "fact-favourite-value-first",
        r"^(?:(?:actually|now|well|oh|ok|okay|so|these\ days|nowadays)[, ]+)*"
        r"(?P<v>[\w'-]+(?:\ [\w'-]+){0,2}?)(?:'s|\ is|\ are)\ (?:now\ |actually\ )?"
        r"my\ (?:new\ |current\ |absolute\ |all-time\ )?favou?rite"
        rf"(?:\ (?P<k>(?!{_WHEN_NOW})[a-z]+(?:\ (?!{_WHEN_NOW})[a-z]+)?))??"
        rf"(?:\ {_WHEN_NOW})*[.!]*$",
        _favourite_value_first,
    ),
    (
        "fact-home",
        r"\bi\ (?:now\ |currently\ )?(?:live|am\ living|'m\ living|moved|have\ moved|relocated|just\ moved)"
        rf"\ (?:in|to)\ {_VALUE}",
        _home,
    ),
    (
        "fact-allergy",
        rf"\bi(?:'m|\ am)(?:\ very|\ really|\ quite|\ severely|\ a\ bit)?\ (?P<how>allergic|intolerant)\ to\ {_VALUE}",
        _allergy,
    ),
    ("fact-diet", rf"\bi(?:'m|\ am)(?:\ now|\ actually)?\ (?:a\ |an\ )?(?P<v>{one_of(DIETS)})\b", _diet),
    (
        "fact-prefers",
        r"\bi\ (?:much\ |really\ |generally\ )?prefer\ (?P<v>[^,.;!?]+?)\ (?:over|to|rather\ than)\ (?P<w>[^,.;!?]+)",
        _prefers,
    ),
    ("fact-named-thing", rf"\bmy\ (?P<k>[a-z]+(?:\ [a-z]+)??)(?:'s)?\ name\ is(?:\ now)?\ {_VALUE}", _called),
    ("fact-called", rf"\bmy\ (?P<k>[a-z]+(?:\ [a-z]+)?)\ is\ (?:called|named)\ {_VALUE}", _called),
    (
        "fact-kin-goes-by",
        rf"\b(?:my|our)\ {_KIN}(?:'s|\ is|\ was)?\ (?:goes\ by|answers\ to|known\ as|nicknamed|called|named)"
        rf"(?:\ the\ name(?:\ of)?)?\ {_KIN_NAME}",
        _kin_called,
    ),
    (
        "fact-kin-i-have-a",
        rf"\b(?:i|we)(?:\ have|'ve\ got|\ have\ got|\ got)\ (?:a|an|one|this)\ {_KIN}"
        rf"(?:,\ |\ called\ |\ named\ |\ by\ the\ name\ of\ ){_KIN_NAME}",
        _kin_called,
    ),
    (
        "fact-kin-we-named",
        rf"\b(?:i|we)(?:'ve|\ have)?\ (?:named|called|name|call)\ (?:my|our|the)\ {_KIN}\ {_KIN_NAME}",
        _kin_called,
    ),
    (
        "fact-kin-comma-name",
        rf"\b(?:my|our)\ {_KIN},?\ {_KIN_NAME},?"
        r"\ (?P<rest>(?-i:(?:is|was|has|can|will|[a-z]+s))\ [^,;!?]+)",
        _kin_called,
    ),
    ("fact-work", rf"\bi\ (?:work|am\ working)\ (?:as|at|for)\ {_VALUE}", _work),
    (
        "fact-owns-uses",
        r"^(?:(?:also|now|actually|these\ days|nowadays|currently|well|oh|so|btw|by\ the\ way)[, ]+)*"
        r"i\ (?:now\ |currently\ |also\ |usually\ |mostly\ |still\ |normally\ |always\ |only\ )?"
        r"(?P<verb>drive|ride|use|play|own|wear|run)\ (?P<obj>[^,;!?]+?)[.!]*$",
        _owns,
    ),
    (
        "fact-likes",
        r"\bi(?:\ really|\ also)?\ (?P<verb>like|love|enjoy|adore|hate|dislike|don't\ like|do\ not\ like|can't\ stand)"
        rf"\ {_VALUE}",
        _likes,
    ),
    (
        "fact-instruction",
        r"^(?:please\ )?(?:from\ now\ on|always|never(?!\ mind)|in\ future|in\ the\ future|going\ forward)"
        r"\b[, ]*(?P<v>.+)",
        _instruction,
    ),
    ("fact-my-x-is", r"\bmy\ (?P<k>[a-z]+(?:\ [a-z]+)?)\ (?:is|are)\ (?P<v>[^,;!?]+)", _my_x_is),
)
declare("facts", *(name for name, _, _ in RULES))
_RULES = [(name, re.compile(pattern, re.I | re.VERBOSE), make) for name, pattern, make in RULES]

# A value that says nothing lasting about the user, a class each: a pronoun ("I like it",
# "I love you"), what points at the conversation ("I like that idea", "my mum is here"), a
# clause about the reply ("I love how you explain", "I like when you do that"), a fragment
# ("my favourite colour is I don't know"), a place in the text ("my code is below").
NOT_A_VALUE = declare(
    "not-values",
    "not-value-pronoun",
    "not-value-deictic",
    "not-value-clause",
    "not-value-fragment",
    "not-value-in-the-text",
)
_PRONOUN_VALUES = {"it", "you", "them", "him", "her", "us", "me", "one", "ones", "yours", "mine", "ya", "u"}
_PRONOUN_VALUES |= {"everything", "anything", "nothing", "something", "someone", "anyone", "everyone"}
_DEICTIC = {"that", "this", "these", "those", "here", "there", "such"}
_CLAUSE = {"how", "what", "when", "where", "why", "which", "whatever", "whenever", "if", "whether"}
_IN_THE_TEXT = {"below", "above", "attached", "following", "as follows", "the following", "here below"}
_VALUED = {"fact-name", "fact-instruction", "fact-diet"}  # their own checks (a name, a standing instruction)


def not_a_value(value: str) -> str | None:
    """The class of a value that says nothing lasting ("it", "that idea", "how you explain"), else None."""
    words = clean(value).lower().split()
    if not words:
        return "not-value-fragment"
    if words[0] in _PRONOUN_VALUES:
        return "not-value-pronoun"
    if words[0] in _DEICTIC:
        return "not-value-deictic"
    if words[0] in _CLAUSE:
        return "not-value-clause"
    if " ".join(words) in _IN_THE_TEXT or words[0] in ("below", "above"):
        return "not-value-in-the-text"
    if fragment(" ".join(words)):
        return "not-value-fragment"
    return None


def _no_value(name: str, m: re.Match[str]) -> bool:
    if name in _VALUED:
        return False
    values = [m.groupdict().get(g) for g in ("v", "w", "obj")]
    return any(v is not None and not_a_value(v) is not None for v in values)


# Two statements in one sentence: "My dog is called Rex and my cat is called Tom", "I live
# in Porto, and I work at a bakery": a clause each, at "and"/"but" before "my"/"I"/"we".
_TWO_FACTS = Phrases(
    "two-facts",
    ("two-facts-and-my", r",?\s+(?:and|but|plus|while)\s+(?=(?:my|our)\b)"),
    ("two-facts-and-i", r",?\s+(?:and|but|plus|while)\s+(?=(?:i|i'm|i've|i'd|we|we're|we've|if)\b)"),
    ("two-facts-semicolon", r"\s*;\s+"),
).compile(re.I)


# What is only supposed states nothing: "If we name our dog Biscuit, …", "Suppose I drive a
# Tesla". The clause after its comma still may ("If you need it, my email is …").
_SUPPOSED = Phrases(
    "supposed",
    ("supposed-if", r"(?:what\ )?if|unless|in\ case|whether"),
    ("supposed-imagine", r"suppose|supposing|imagine|assuming|pretend|hypothetically|let's\ say"),
).compile(re.I)
_SUPPOSED_AT_START = re.compile(
    rf"^(?:and\ |but\ |so\ |ok\ |okay\ |well\ )?(?:{_SUPPOSED.pattern})\b", re.I | re.VERBOSE
)


def _stated(clause: str) -> str:
    """The clause without what it only supposes: "If you need it, my email is x" -> "my email is x"."""
    if not _SUPPOSED_AT_START.match(clause):
        return clause
    _, comma, rest = clause.partition(",")
    return rest.strip() if comma else ""


def facts(text: str) -> list[Fact]:
    found: list[Fact] = []
    for sentence in sentences(text):
        if sentence.endswith("?"):
            continue  # a question states nothing
        for clause in filter(None, map(_stated, _TWO_FACTS.split(sentence))):
            for name, pattern, make in _RULES:
                m = pattern.search(clause)
                if m and _no_value(name, m):
                    break  # "I like it", "my dog is called I forget what": the clause states nothing
                if m and (fact := make(m)) is not None:
                    found += fact if isinstance(fact, tuple) else [fact]
                    break  # one fact per clause, the most specific rule first
    return found
