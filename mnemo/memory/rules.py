"""Rule-based reading of what the user says: facts to keep, lists to update, things to
forget, tasks to do later. Fast (regular expressions), deterministic, no model needed.

``parse(text, now)`` returns intents; the memory bank applies them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

ORDINALS = {
    "next": 1,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "some": 1,
    "a couple of": 2,
}
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


@dataclass(frozen=True)
class Fact:
    kind: str  # fact | preference | instruction
    text: str
    subject: str | None = None
    pinned: bool = False


@dataclass(frozen=True)
class ListOp:
    name: str  # "shopping list"
    op: str  # add | remove | clear
    item: str = ""
    quantity: int | None = None
    implied: bool = False  # read from "I bought the milk", not asked for: a no-op is silent


@dataclass(frozen=True)
class Forget:
    query: str


@dataclass(frozen=True)
class NewTask:
    kind: str  # after_replies | on_message | at_time
    action: str  # append | say | remind
    text: str
    trigger: str | None = None
    replies: int | None = None
    due_at: float | None = None
    repeat: bool = False


@dataclass(frozen=True)
class CancelTask:
    query: str


@dataclass(frozen=True)
class Remember:
    """An explicit request: "remember that ..." or /remember."""

    text: str


Intent = Fact | ListOp | Forget | NewTask | CancelTask | Remember

_QUOTE = r"['\"“‘](?P<q>.+?)['\"”’]"


_SPELLING = {"favorite": "favourite", "color": "colour", "colors": "colours"}


def subject_key(value: str) -> str:
    words = _clean(value).lower().split()
    return " ".join(_SPELLING.get(w, w) for w in words)


def _clean(value: str) -> str:
    value = value.strip().strip(" .!?,;:'\"")
    return re.sub(r"\s+", " ", value)


def _cap(value: str) -> str:
    return value[:1].upper() + value[1:]


_NOT_CONJUGATED = {
    "is",
    "was",
    "has",
    "can",
    "will",
    "would",
    "should",
    "could",
    "did",
    "does",
    "may",
    "might",
    "must",
    "had",
    "also",
    "really",
    "never",
    "always",
    "often",
    "usually",
    "sometimes",
    "just",
    "still",
    "don't",
    "didn't",
    "won't",
    "can't",
}


def _conjugate(m: re.Match[str]) -> str:
    verb = m.group(1)
    if verb.lower() in _NOT_CONJUGATED or not verb.isalpha():
        return f"the user {verb}"
    if verb == "do":
        return "the user does"
    if re.search(r"(s|sh|ch|x|o)$", verb):
        return f"the user {verb}es"
    if re.search(r"[^aeiou]y$", verb):
        return f"the user {verb[:-1]}ies"
    return f"the user {verb}s"


def third_person(text: str) -> str:
    """'I love my cat' -> 'The user loves the user's cat' (good enough for notes)."""
    out = re.sub(r"\bI am\b|\bI'm\b", "the user is", text)
    out = re.sub(r"\bI have\b|\bI've\b", "the user has", out)
    out = re.sub(r"\bI don't\b", "the user doesn't", out)
    out = re.sub(r"\bI ([A-Za-z']+)", _conjugate, out)
    out = re.sub(r"\bI\b", "the user", out)
    out = re.sub(r"\b[Mm]y\b", "the user's", out)
    out = re.sub(r"\b[Mm]e\b", "the user", out)
    out = re.sub(r"\b[Mm]ine\b", "the user's", out)
    return _cap(_clean(out)) + "."


def _number(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.lower().strip()
    if word.isdigit():
        return int(word)
    return NUMBERS.get(word)


def _sentences(text: str) -> list[str]:
    # not after a title: "I'm Dr. Patel" is one sentence
    parts = re.split(
        r"(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!Mrs\.)(?<!\bMs\.)(?<!Prof\.)\s+(?=[A-Z\"'])|\n+", text.strip()
    )
    return [p.strip() for p in parts if p.strip()]


# ----------------------------------------------------------------------- facts

_FACT_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Fact | None]]] = []


def _rule(pattern: str):
    def register(fn):
        _FACT_RULES.append((re.compile(pattern, re.I), fn))
        return fn

    return register


_NAME_WORD = r"(?-i:[A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?)"
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
# How people give their name: "my name (, by the way,) is X", "I'm X", "call me X", "X here".
_NAMED = re.compile(
    r"\b(?:my (?:first |given )?name(?:,? (?:by the way|btw),?| which| now)? is|my name's|the name's|the name is|name's|i am called|"
    r"i'm called|(?:you can |you may |people |everyone |everybody |friends |folks |most people )?(?:usually |just )?"
    r"(?:call|calls) me|(?:you can |you may |please )?(?:address|refer to) me as|(?:people |everyone |most people )?know me as|i go by|i'm|i am|this is|my names)"
    rf"(?: now| actually)?\s+(?P<v>(?-i:(?:(?:Dr|Mr|Mrs|Ms|Prof)\.? )?){_NAME_WORD})"
    rf"|^(?:hi|hello|hey)?(?: there)?[,!. ]*(?:it's |it is |this is )?(?P<w>{_NAME_WORD}) (?:here|speaking)\b"
    rf"|^(?:hi|hello|hey)?(?: there)?[,!. ]*(?P<x>{_NAME_WORD})(?:'s| is) (?:my (?:first )?|the )name\b",
    re.I,
)


def _name_in(sentence: str) -> str | None:
    for m in _NAMED.finditer(sentence):
        named = m["v"] or m["w"] or m["x"]
        titled = re.match(r"(?:Dr|Mr|Mrs|Ms|Prof)\.? ", named)
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


@_rule(r".+")  # any statement (facts() skips questions): it may give the user's name, in many shapes
def _name(m: re.Match[str]) -> Fact | None:
    name = _name_in(m.group(0))
    return Fact("fact", f"The user's name is {name}.", "name", pinned=True) if name else None


@_rule(r"\bmy (?:new |current )?(?:favou?rite) (?P<k>[\w ]{1,30}?) (?:is|are)(?: now| actually)? (?P<v>.+)")
def _favourite(m: re.Match[str]) -> Fact:
    thing = _clean(m["k"]).lower()
    return Fact("preference", f"The user's favourite {thing} is {_clean(m['v'])}.", subject_key(f"favourite {thing}"))


# When, after a value, is not part of it: "I moved to Bergen last year", "… in 2019".
_WHEN_SAID = re.compile(
    r"\s+(?:(?:a |a couple of |the )?(?:last|this|next|earlier this|a|one|two|three|few|\d+) (?:year|month|week|summer|winter|"
    r"spring|autumn|fall|weekend|days?|weeks?|months?|years?)\b.*|recently|lately|now|already|"
    r"a while ago|ago|in (?:\d{4}|january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\b.*|since\b.*|for (?:a|an|\d+|two|three|many|some|my|our|the|work|school|uni)\b.*|"
    r"because\b.*|with (?:my|our)\b.*)$",
    re.I,
)


def _value(text: str) -> str:
    return _clean(_WHEN_SAID.sub("", _clean(text)))


@_rule(
    r"\bi (?:now |currently )?(?:live|am living|'m living|moved|have moved|relocated|just moved) (?:in|to) (?P<v>[^,.;!?]+)"
)
def _home(m: re.Match[str]) -> Fact | None:
    place = _value(m["v"])
    return Fact("fact", f"The user lives in {place}.", "home") if place else None


@_rule(r"\bi(?:'m| am)(?: very| really| quite| severely| a bit)? (?P<how>allergic|intolerant) to (?P<v>[^,.;!?]+)")
def _allergy(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user is {m['how'].lower()} to {_value(m['v'])}.")


@_rule(
    r"\bi(?:'m| am)(?: now| actually)? (?:a |an )?(?P<v>vegetarian|vegan|pescatarian|teetotal|teetotaler|teetotaller|"
    r"gluten-free|lactose intolerant|coeliac|celiac|diabetic|kosher|halal)\b"
)
def _diet(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user is {m['v'].lower()}.", "diet")


@_rule(r"\bi (?:much |really |generally )?prefer (?P<v>[^,.;!?]+?) (?:over|to|rather than) (?P<w>[^,.;!?]+)")
def _prefers(m: re.Match[str]) -> Fact:
    return Fact("preference", f"The user prefers {_clean(m['v'])} over {_clean(m['w'])}.")


@_rule(r"\bmy (?P<k>[a-z]+(?: [a-z]+)??)(?:'s)? name is(?: now)? (?P<v>[^,.;!?]+)")
def _named_thing(m: re.Match[str]) -> Fact:
    thing = _clean(m["k"]).lower()
    return Fact("fact", f"The user's {thing} is called {_clean(m['v'])}.", subject_key(f"{thing} name"))


@_rule(r"\bmy (?P<k>[a-z]+(?: [a-z]+)?) is (?:called|named) (?P<v>[^,.;!?]+)")
def _called(m: re.Match[str]) -> Fact:
    thing = _clean(m["k"]).lower()
    return Fact("fact", f"The user's {thing} is called {_clean(m['v'])}.", subject_key(f"{thing} name"))


@_rule(r"\bi (?:work|am working) (?:as|at|for) (?P<v>[^,.;!?]+)")
def _work(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user works {m.group(0).split(' ', 2)[2].split(' ', 1)[0]} {_clean(m['v'])}.", "work")


@_rule(
    r"\bi(?: really| also)? (?P<verb>like|love|enjoy|adore|hate|dislike|don't like|do not like|can't stand) (?P<v>[^,.;!?]+)"
)
def _likes(m: re.Match[str]) -> Fact:
    verb = m["verb"].lower()
    verb = {"don't like": "does not like", "do not like": "does not like", "can't stand": "cannot stand"}.get(
        verb, verb + "s"
    )
    return Fact("preference", f"The user {verb} {_clean(m['v'])}.")


@_rule(r"^(?:please )?(?:from now on|always|never(?! mind)|in future|in the future|going forward)\b[, ]*(?P<v>.+)")
def _instruction(m: re.Match[str]) -> Fact:
    text = _clean(m.group(0))
    return Fact("instruction", f"Standing instruction from the user: {_cap(text)}.", pinned=True)


@_rule(r"\bmy (?P<k>[a-z]+(?: [a-z]+)?) (?:is|are) (?P<v>[^,;!?]+)")
def _my_x_is(m: re.Match[str]) -> Fact | None:
    thing = _clean(m["k"]).lower()
    if thing in NOT_FACT_SUBJECTS or thing.split()[-1] in NOT_FACT_SUBJECTS:
        return None
    return Fact("fact", f"The user's {thing} is {_clean(m['v'])}.", subject_key(thing))


def facts(text: str) -> list[Fact]:
    found: list[Fact] = []
    for sentence in _sentences(text):
        if sentence.endswith("?"):
            continue  # a question states nothing
        for pattern, make in _FACT_RULES:
            m = pattern.search(sentence)
            if m and (fact := make(m)) is not None:
                found.append(fact)
                break  # one fact per sentence, the most specific rule first
    return found


# ----------------------------------------------------------------------- lists

_LIST = r"(?:my |the |our )?(?P<list>[a-z]+ list)"
_NUMBER_WORDS = r"a dozen|a couple of|a few|dozen|\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|some"
_ITEM = re.compile(
    rf"^(?:(?P<n>{_NUMBER_WORDS}) )?"
    r"(?:(?:bottles?|cartons?|packs?|packets?|pieces?|bags?|boxes?|cans?|kilos?|kg|pounds?|lbs?|loaves|loaf|dozen|jars?|"
    r"tins?|rolls?|bunch(?:es)?) of )?"
    r"(?:the |my |some |more )?(?P<item>[a-z][a-z -]*)$"
)
_NOT_ITEMS = {"it", "them", "that", "this", "some", "more", "one", "ones", "stuff", "things", "everything", "all"}
# Not groceries: "I need two weeks off", "we need three people"
_NOT_GOODS = re.compile(
    r"^(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|people|persons?|times?|"
    r"more|of|help|break|votes?|points?|pages?|words?|steps?|examples?|ideas?|reasons?|ways?|"
    r"volunteers?|helpers?|guests?|players?|members?|participants?|friends?|hands?|seats?|"
    r"tickets? for|answers?|solutions?|options?|things?)\b"
)
_COUNTS = {"a dozen": 12, "dozen": 12, "a few": 3}


def _items(text: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    if re.search(
        r"\b(?:to|from|into|onto|in|on|with|for|at|about|after|before|between|under|over|above|below|instead|"
        r"inside|within|without|this|that|these|those|your|his|her|their)\b",
        text,
    ):
        return out  # "add it to my calendar", "remove the first line of this file": not a list
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", text):
        m = _ITEM.match(part.strip())
        if m and m["item"].strip() not in _NOT_ITEMS and not _NOT_GOODS.match(m["item"]):
            n = m["n"]
            out.append((_clean(m["item"]), _COUNTS.get(n or "") or _number(n)))
    return out


def _list_name(name: str | None) -> str:
    words = (name or "").split()
    return (
        "shopping list"
        if not words or words[0] in ("the", "my", "our", "a", "new", "fresh", "whole", "entire", "another")
        else name or "shopping list"
    )


_CLEAR = re.compile(
    r"\b(?:i|we|i've|we've)(?: have)? (?:already )?(?:bought|got|picked up) (?:all|everything)\b"
    r"|\b(?:clear|empty|reset|delete|wipe|scrap|bin|throw away|throw out|get rid of)(?: out)? (?:my |the |our )?"
    r"(?:whole |entire )?(?:[a-z]+ )?list\b"
    r"|\bstart (?:a |my )?(?:new|fresh|another) (?:[a-z]+ )?list\b|^(?:a )?(?:new|fresh) (?:[a-z]+ )?list\b"
    r"|\bstart (?:the |my |our )?(?:[a-z]+ )?list (?:again |over |afresh )?(?:from scratch|over|afresh|again)\b"
)
_PLEASE = r"(?:please |pls |plz |could you |can you |would you )?"
_WANT = (
    r"(?:.*\b)?(?:(?:i|we)(?:'d| would|'ve|'m|'re| am| are)?(?: really| still| also)? (?:need|require|want|have|got|"
    r"must|should|like|going|ought)(?: to)?|gotta|got to|need to|have to|must|don't let me forget to|"
    r"remind me to|i must not forget to|i mustn't forget to)"
)
_COUNTED = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|some|more|a couple of|a few|a dozen)"
# (pattern, implied): implied removals ("I bought the milk") change nothing, silently,
# when the list does not hold the item. "buy" is always shopping; "get", "grab", "pick up"
# only with a count ("get 2 lemons", not "get better at chess" or "get going").
_LIST_RULES = {
    "add": [
        (rf"{_PLEASE}add (?P<items>.+?)(?: (?:to|on|onto) {_LIST})?$", False),
        (
            rf"{_PLEASE}(?:put|stick|pop|throw|chuck|toss|jot down|jot|write down|note down|slap|bung|include) "
            r"(?P<items>.+?) (?:to|on|onto|in|into) (?:my|the|our) (?:(?P<list>[a-z]+ list)|list)$",
            False,
        ),
        (r"^(?:shopping|groceries|grocery|grocery list|shopping list|to buy)\s*[:-]\s*(?P<items>.+)$", False),
        (rf"{_WANT} (?:buy|purchase)(?: some| more)? (?P<items>.+?)$", False),
        (rf"{_WANT} (?:get|grab|pick up|order) (?P<items>{_COUNTED} .+?)$", False),
        (
            r"(?:^|.*\b(?:i|we)(?:'ll|'d| will| would|'m going to|'re going to| am going to| are going to)? )"
            r"(?:also |still |really )?(?:need|require) "
            r"(?P<items>(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a dozen) .+?)$",
            False,
        ),
        (
            r"(?:.*\b)?(?:we're|we are|i'm|i am|we've run|i've run|we ran|i ran|we're almost|we are almost|i'm almost|"
            r"we're nearly|i'm nearly) out of (?P<items>[a-z ]+?)$",
            False,
        ),
        (
            r"(?:.*\b)?(?:we're|we are|i'm|i am|we've been|i've been)(?: running| getting)? (?:low|short) on (?P<items>[a-z ]+?)$",
            False,
        ),
    ],
    "remove": [
        (
            rf"{_PLEASE}(?:remove|take|delete|cross off|cross|scratch|strike) (?P<items>.+?) (?:from|off) {_LIST}$",
            False,
        ),
        (rf"{_PLEASE}(?:remove|delete|cross off|scratch|strike) (?P<items>.+?)$", True),
        (rf"{_PLEASE}take (?P<items>.+?) off$", True),
        (
            r"(?:(?:i|we) )?(?:already have|(?:i|we) have enough|(?:i|we) have plenty of|never mind) (?:the |some )?"
            r"(?P<items>[a-z ,]+?)(?: now| already| at home)?$",
            True,
        ),
        (
            r"(?:.*\b)?(?:(?:i|we)(?: have| already| just)* )?(?:bought|got|picked up|purchased) (?:the|our|my) "
            r"(?P<items>[a-z ,]+?)(?: today| already| yesterday| earlier| now)?$",
            True,
        ),
        (
            r"(?:.*\b)?(?:no need for|(?:i|we) (?:don't|do not|no longer) need) (?:the |any )?(?P<items>[a-z ,]+?)"
            r"(?: anymore| any more)?$",
            True,
        ),
    ],
}


def _list_rule(clause: str) -> tuple[str, re.Match[str], bool] | None:
    for op, rules_ in _LIST_RULES.items():
        for pattern, implied in rules_:
            if m := re.match(pattern, clause):
                return op, m, implied
    return None


def list_ops(text: str) -> list[ListOp]:
    lowered = text.lower()
    if _CLEAR.search(lowered):
        m = re.search(r"\b([a-z]+) list\b", lowered)
        return [ListOp(_list_name(m.group(0) if m else None), "clear")]
    ops: list[ListOp] = []
    for clause in re.split(
        r"[.;!?\n]|,\s*(?=(?:and |then |but )?(?:i|we|add|remove|take|put|delete)\b)"
        r"|,? (?:and|then) (?=add|remove|take|put|delete)",
        lowered,
    ):
        found = _list_rule(clause.strip(" ,"))
        if found:
            op, m, implied = found
            name = _list_name(m.groupdict().get("list"))
            ops += [ListOp(name, op, item, (n or 1) if op == "add" else n, implied) for item, n in _items(m["items"])]
    return ops


# ----------------------------------------------------------------------- tasks

_ORD = r"(?P<ord>\d+(?:st|nd|rd|th)?|" + "|".join(ORDINALS) + r")"


def _ordinal(word: str) -> int | None:
    word = word.lower()
    if word in ORDINALS:
        return ORDINALS[word]
    digits = re.match(r"\d+", word)
    return int(digits.group(0)) if digits else None


_COUNT = r"(?P<cnt>\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_REPLY = r"(?:repl(?:y|ies)|responses?|answers?|messages?)"
# When: "your 5th response", "the fifth reply from now", "in two replies", "after three more
# answers", "three responses from now", "your next reply", "reply number 4 from now".
_WHEN = [
    rf"\b(?:your |the |my )?{_ORD} {_REPLY}\b(?: (?:from now|after this|from this))?",
    rf"\bin (?:your |the )?(?:next )?{_COUNT} (?:more )?{_REPLY}\b",
    rf"\bafter {_COUNT} (?:more )?{_REPLY}\b",
    rf"\b{_COUNT} (?:more )?{_REPLY} (?:from now|later|on|down the line)\b",
    rf"\b{_REPLY} (?:number |no\.? |#)?(?P<ord2>\d+|one|two|three|four|five|six|seven|eight|nine|ten) from now\b",
]
_APPEND = re.compile(
    r"\b(append|add|include|end with|ends with|end it with|attach|at the end|sign off|finish with|"
    r"tack|stick on|close with|put)\b"
)
# Left over around what to do once the "when" is taken out: "in …", "could you …", "to …".
_LEAD = re.compile(
    r"^(?:(?:please|pls|could you|can you|would you|will you|kindly)\s+)*(?:(?:in|on|at|by|with|for)\s+)?"
    r"(?:(?:to|about|of|that)\s+)?",
    re.I,
)


def _reply_count(lowered: str) -> tuple[int, re.Match[str]] | None:
    for pattern in _WHEN:
        m = re.search(pattern, lowered)
        if m:
            d = m.groupdict()
            n = _ordinal(d["ord"]) if d.get("ord") else _number(d.get("cnt") or d.get("ord2"))
            if n:
                return n, m
    return None


def _after_replies(text: str, lowered: str) -> NewTask | None:
    found = _reply_count(lowered)
    if found is None:
        return None
    n, when = found
    if re.search(r"\bremind me\b", lowered):  # "remind me in my second reply to drink water"
        rest = text[: when.start()] + " " + text[when.end() :]
        what = _LEAD.sub("", _clean(re.sub(r"\bremind me\b", " ", rest, flags=re.I)))
        return NewTask("after_replies", "remind", _clean(what), replies=n) if what else None
    quote = re.search(_QUOTE, text)
    action = "append" if _APPEND.search(lowered) else "say"
    if quote:
        return NewTask("after_replies", action, quote["q"], replies=n)
    if not _APPEND.search(lowered) or not re.search(r"\b(your|you)\b", lowered):
        return None  # "my second reply was wrong": about replies, not a task
    # No quoted words: what to add is for the model to write then ("the quote from Emerson").
    what = _LEAD.sub("", _clean(re.sub(r"\s+", " ", text[: when.start()] + " " + text[when.end() :])))
    what = re.sub(r"\b(?:to|in|on|for)\s*$", "", what).strip(" ,")
    return NewTask("after_replies", "instruct", _cap(what), replies=n)


_TRIGGER = re.compile(
    r"\b(?:whenever|every time|each time|any ?time|if|when)(?: i ever| i| you (?:see|hear|read|get))?"
    r"(?: (?:say|write|type|send|mention|use|enter))? "
    + _QUOTE.replace("?P<q>", "?P<t>")
    + r".*?\b(?:say|reply|answer|respond|write|type)(?: with| back)?:? "
    + _QUOTE,
    re.I,
)
_CANCEL = re.compile(
    r"\b(?:stop|cancel|quit|no longer|don't|do not|never)\b.*?\b(?:saying|replying|responding|"
    r"answering|reminding|reminders?|triggers?|tasks?|say|reply|respond|answer|remind)\b.*?"
    r"(?:['\"“‘]|\banymore\b|\bany more\b|\bwhen i\b|\bwhenever\b|\breminders?\b|\btriggers?\b|\btasks?\b)"
)


def tasks(text: str, now: float) -> list[NewTask | CancelTask]:
    lowered = text.lower()
    quote = re.search(_QUOTE, text)
    trigger = _TRIGGER.search(text)
    if _CANCEL.search(lowered) and not trigger:
        return [CancelTask(quote["q"] if quote else lowered)]
    task = _after_replies(text, lowered)
    if task is not None:
        return [task]
    if trigger:
        return [NewTask("on_message", "say", trigger["q"], trigger=trigger["t"], repeat=True)]
    due = _due_time(lowered, now)
    m = re.search(
        r"\b(?:remind|nudge|ping|tell) me\b|\bset (?:a |an )?(?:reminder|alarm)\b"
        r"|\bgive me (?:a |an )?(?:nudge|shout|reminder|heads-up|heads up|ping)\b",
        lowered,
    )
    if due is not None and m:
        rest = re.sub(_DUE, " ", text[m.end() :], flags=re.I)
        what = _clean(re.sub(r"^[\s:,-]*(?:for\b[^:]*:|to|of|about|that)?\s*", "", _clean(rest), flags=re.I))
        return [NewTask("at_time", "remind", what or "this", due_at=due)]
    return []


_AMOUNT = r"\d+|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty-five|ninety|half an?"
_IN = rf"\bin (?P<n>{_AMOUNT}) (?P<u>minute|min|hour|day|week)s?\b"
_AT = (
    r"\b(?:at|for|by) (?:(?P<noon>noon|midday|midnight)|(?P<h>\d{1,2})(?::(?P<m>\d\d))? ?"
    r"(?P<ap>am|pm|a\.m\.|p\.m\.)?(?!\d|:\d))"
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = (
    rf"\b(?:(?P<rel>tomorrow|today|tonight)(?: (?:morning|evening|afternoon|night))?"
    rf"|(?:on |next |this |coming )(?P<wd>{'|'.join(WEEKDAYS)}))\b"
)
_DUE = rf"(?:{_IN}|{_DAY}|{_AT})"
_AMOUNTS = {"fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45, "ninety": 90}
DEFAULT_HOUR = 9  # "remind me tomorrow", "on Friday": in the morning (8 pm for "tonight")


def _clock_time(m: re.Match[str]) -> tuple[int, int] | None:
    if m["noon"]:
        return (0, 0) if m["noon"] == "midnight" else (12, 0)
    hour, minute = int(m["h"]), int(m["m"] or 0)
    ap = (m["ap"] or "").replace(".", "")
    if ap == "pm" and hour < 12:
        hour += 12
    if ap == "am" and hour == 12:
        hour = 0
    return (hour, minute) if hour <= 23 and minute <= 59 else None


def _due_time(lowered: str, now: float) -> float | None:
    m = re.search(_IN, lowered)
    if m:
        n = 0.5 if m["n"].startswith("half") else _number(m["n"]) or _AMOUNTS.get(m["n"], 1)
        unit = {"minute": 60, "min": 60, "hour": 3600, "day": 86400, "week": 604800}[m["u"]]
        return now + n * unit
    at, day = re.search(_AT, lowered), re.search(_DAY, lowered)
    if not at and not day:
        return None
    when = _clock_time(at) if at else (20, 0) if day and day["rel"] == "tonight" else (DEFAULT_HOUR, 0)
    if when is None:
        return None
    current = datetime.fromtimestamp(now)
    due = current.replace(hour=when[0], minute=when[1], second=0, microsecond=0)
    if day and day["wd"]:
        due += timedelta(days=(WEEKDAYS.index(day["wd"]) - current.weekday()) % 7 or 7)
    elif day and day["rel"] == "tomorrow":
        due += timedelta(days=1)
    elif due.timestamp() <= now:
        due += timedelta(days=1)
    return due.timestamp()


# ----------------------------------------------------------------------- all

_REMEMBER = re.compile(
    r"^\s*(?:/remember\b|(?:please |can you |could you |would you )?(?:remember|don't forget|do not forget|keep in mind|"
    r"make a note of|make a note|take a note|note down|jot down|note|save this|store this|for future reference)"
    r"(?: that| this)?[:,]?\s)(?P<v>.+)",
    re.I | re.S,
)
# "remember to buy 2 baguettes", "note down 5 limes for the shop": the shopping list
_BUY = r"^to (?:buy|get|grab|pick up|purchase)\b"
_TO_BUY = re.compile(rf"{_BUY}|\s(?:for|from|at) the (?:shops?|store|supermarket|market|grocer'?s)$", re.I)
# "forget where I live", "erase my phone number", "delete what you know about my job",
# "stop remembering my sister's name", "drop my address from your memory".
_FORGET = re.compile(
    r"^\s*(?:please |can you |could you |would you )?(?:"
    r"/?forget\b(?!-)[,:]?\s*(?:about |that |the fact that )?"
    r"|(?:stop remembering|don't remember|do not remember|unlearn|no longer remember|don't keep|do not keep|"
    r"stop keeping|don't store|do not store|stop storing)\s+"
    r"|(?:erase|delete|remove|wipe|drop|clear|purge|scrub|scrap|get rid of|clear out)\s+(?:(?:what|everything|anything|all) "
    r"(?:(?:that )?you (?:know|remember|have|have stored|keep|kept) )?about |"
    r"the memor(?:y|ies) (?:about|of) |your memory of |(?=my\b))"
    r")(?P<v>.*?)(?:\s+from (?:your )?memory|\s+anymore|\s+any more)?[.!?]*$",
    re.I | re.S,
)

# "Forget X" that is not about memory: what was just said ("forget everything above", "what
# I said", "my last message"), or a dismissal before another request ("forget the previous
# instructions and write a poem", "forget about it, what is 2+2?", "forget the rules, just …").
_REQUEST = (
    r"write|tell|give|make|show|explain|summari[sz]e|answer|translate|draft|create|generate|compose|start|"
    r"begin|continue|let's|focus|act|pretend|respond|reply|say|try|redo|retry"
)
_NOT_MEMORY = re.compile(
    r"^(?:it|this|that|all (?:of )?(?:that|this)|everything|(?:everything |all )?(?:above|before|so far)|"
    r"(?:what|everything|anything) (?:I|we|you) (?:just )?(?:said|wrote|asked|typed|told you)(?: before| above| earlier)?|"
    r"(?:my|your|the) (?:last|previous|earlier|first) (?:\w+ )?(?:message|question|answer|reply|prompt|request)s?)$"
    rf"|(?:,|;|:|\.|\s+-+|\s+—)\s*(?:just |instead |now |and )?(?:{_REQUEST}|help|do)\b"
    r"|[,;:]\s*(?:what|how|who|why|when|which|can|could|would|is|are)\b(?:\W+\w+){3,}"  # a question, not "…, is that ok?"
    r"|\b(?:from|in) (?:this|these|the above|the following|the (?:text|essay|file|code|document|draft|email))\b"
    rf"|\s(?:and|then)\s+(?:just |instead |now |then )?(?:{_REQUEST}|help me)\b",
    re.I,
)


# The reason given after what to forget is not part of it: "forget where I work, I quit",
# "forget my address - we moved", "forget my sister's name because we fell out".
_REASON = re.compile(
    r"(?:\s*[,;]|\s+-+|\s+—)\s*(?:I|I'm|I've|we|we're|we've|it|it's|that's|they|he|she|since|as|"
    r"because|cause|'cause)\b.*$|\s+(?:because|since|'cause)\b.*$",
    re.I | re.S,
)


# "forget what I told you about my ex": what to forget is "my ex"
_TOLD = re.compile(
    r"^(?:what|everything|anything|all)(?: that)?(?: (?:I|I've|I have|we|we've) (?:told|said to|mentioned to|"
    r"shared with|said|mentioned|shared)(?: you)?| you (?:know|remember))? (?:about|regarding|concerning) ",
    re.I,
)


def _forget_query(said: str) -> str:
    """What to forget, less the politeness, the reason and "what I told you about"."""
    said = re.sub(
        r",?\s*(?:is that (?:ok|okay|alright)|can you|could you|please|thanks|thank you)\s*$",
        "",
        said.strip(" .!?"),
        flags=re.I,
    )
    return _clean(_TOLD.sub("", _REASON.sub("", said)))


def parse(text: str, now: float) -> list[Intent]:
    """Everything a user message asks mnemo to remember, change, forget or do later."""
    m = _FORGET.match(text)
    if m and _NOT_MEMORY.search(m["v"].strip(" .!?")):
        m = None
    if m and not re.match(r"^\s*forget it\b", text, re.I) and not re.search(r"\blist\b", m["v"], re.I):
        query = _forget_query(m["v"])
        return [Forget(query)] if query else []
    m = _REMEMBER.match(text)
    if m and not re.match(r"^\s*(?:don't|do not) forget to\b", text, re.I):
        inner = _clean(m["v"])
        listed: list[Intent] = [*(list_ops(inner) or list_ops(text))]  # "note that I need to buy candles": the list
        if not listed and _TO_BUY.search(inner):
            goods = re.sub(rf"{_BUY}\s+|\s(?:for|from|at) the \S+$", "", inner, flags=re.I)
            listed = [*list_ops(f"I need to buy {goods}")]
        return listed or ([Remember(inner)] if inner else [])
    intents: list[Intent] = [*tasks(text, now)]
    if not intents:
        intents += list_ops(text)
    if not intents:
        intents += facts(text)
    return intents
