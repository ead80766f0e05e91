"""Rule-based reading of what the user says: facts to keep, lists to update, things to
forget, tasks to do later. Fast (regular expressions), deterministic, no model needed.

``parse(text, now)`` returns intents; the memory bank applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

ORDINALS = {
    "next": 1, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "some": 1, "a couple of": 2}
NOT_FACT_SUBJECTS = {"question", "point", "answer", "problem", "guess", "bad", "fault", "pleasure",
                     "turn", "mistake", "idea", "request", "message", "reply", "last question"}


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


_NOT_CONJUGATED = {"is", "was", "has", "can", "will", "would", "should", "could", "did", "does",
                   "may", "might", "must", "had", "also", "really", "never", "always", "often",
                   "usually", "sometimes", "just", "still", "don't", "didn't", "won't", "can't"}


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
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])|\n+", text.strip())
    return [p.strip() for p in parts if p.strip()]


# ----------------------------------------------------------------------- facts

_FACT_RULES: list[tuple[re.Pattern[str], callable]] = []


def _rule(pattern: str):
    def register(fn):
        _FACT_RULES.append((re.compile(pattern, re.I), fn))
        return fn
    return register


@_rule(r"^(?:hi|hello|hey)?[,!. ]*(?:my name is|my name's|i am called|i'm called|call me)(?: now)? (?P<v>[A-Za-z][\w'-]*(?: [A-Z][\w'-]*)?)")
def _name(m: re.Match[str]) -> Fact:
    name = _clean(m["v"])
    return Fact("fact", f"The user's name is {name}.", "name", pinned=True)


@_rule(r"\bmy (?:new |current )?(?:favou?rite) (?P<k>[\w ]{1,30}?) (?:is|are)(?: now| actually)? (?P<v>.+)")
def _favourite(m: re.Match[str]) -> Fact:
    thing = _clean(m["k"]).lower()
    return Fact("preference", f"The user's favourite {thing} is {_clean(m['v'])}.", subject_key(f"favourite {thing}"))


@_rule(r"\bi (?:now |currently )?(?:live|am living|'m living|moved|have moved|relocated|just moved) (?:in|to) (?P<v>[^,.;!?]+)")
def _home(m: re.Match[str]) -> Fact:
    return Fact("fact", f"The user lives in {_clean(m['v'])}.", "home")


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


@_rule(r"\bi(?: really| also)? (?P<verb>like|love|enjoy|adore|hate|dislike|don't like|do not like|can't stand) (?P<v>[^,.;!?]+)")
def _likes(m: re.Match[str]) -> Fact:
    verb = m["verb"].lower()
    verb = {"don't like": "does not like", "do not like": "does not like", "can't stand": "cannot stand"}.get(verb, verb + "s")
    return Fact("preference", f"The user {verb} {_clean(m['v'])}.")


@_rule(r"^(?:please )?(?:from now on|always|never|in future|in the future|going forward)\b[, ]*(?P<v>.+)")
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
_ITEM = re.compile(
    r"^(?:(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|some|a couple of) )?"
    r"(?:(?:bottles?|cartons?|packs?|pieces?|bags?|cans?|kilos?|kg|pounds?|lbs?|loaves|loaf|dozen|jars?) of )?"
    r"(?:the |my |some )?(?P<item>[a-z][a-z -]*)$")


def _items(text: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    if re.search(r"\b(?:to|from|into|onto|in|on|with)\b", text):
        return out  # "add it to my calendar", "add salt into the soup": not a list
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", text):
        m = _ITEM.match(part.strip())
        if m and m["item"].strip() not in ("it", "them", "that", "this"):
            out.append((_clean(m["item"]), _number(m["n"])))
    return out


def _list_name(name: str | None) -> str:
    return "shopping list" if not name or name.split()[0] in ("the", "my", "our", "a") else name


def list_ops(text: str) -> list[ListOp]:
    ops: list[ListOp] = []
    lowered = text.lower()
    if re.search(r"\b(?:i (?:have )?bought|i got) (?:all|everything)|\b(?:clear|empty|reset|delete|wipe) (?:my |the )?(?:[a-z]+ )?list\b", lowered):
        m = re.search(r"\b([a-z]+) list\b", lowered)
        ops.append(ListOp(_list_name(m.group(0) if m else None), "clear"))
        return ops
    for clause in re.split(r"[.;!\n]|,? (?:and|then) (?=add|remove|take|put|delete)", lowered):
        clause = clause.strip()
        m = re.match(rf"(?:please )?(?:add|put) (?P<items>.+?)(?: (?:to|on|onto) {_LIST})?$", clause)
        if m:
            ops += [ListOp(_list_name(m["list"]), "add", item, n or 1) for item, n in _items(m["items"])]
            continue
        m = re.match(rf"(?:please )?(?:remove|take|delete|cross off) (?P<items>.+?)(?: (?:from|off) {_LIST})?(?: off)?$", clause)
        if m:
            ops += [ListOp(_list_name(m["list"]), "remove", item, n) for item, n in _items(m["items"])]
    return ops


# ----------------------------------------------------------------------- tasks

_ORD = r"(?P<ord>\d+(?:st|nd|rd|th)?|" + "|".join(ORDINALS) + r")"


def _ordinal(word: str) -> int | None:
    word = word.lower()
    if word in ORDINALS:
        return ORDINALS[word]
    digits = re.match(r"\d+", word)
    return int(digits.group(0)) if digits else None


def tasks(text: str, now: float) -> list[NewTask | CancelTask]:
    found: list[NewTask | CancelTask] = []
    lowered = text.lower()
    quote = re.search(_QUOTE, text)
    m = re.search(rf"\b{_ORD} (?:reply|response|answer|message)s?\b.*?\b(?:from now|after this|from this)", lowered) or \
        re.search(r"\b(?:reply|response|answer) (?:number )?(?P<ord>\d+) from now", lowered)
    if m and quote:
        n = _ordinal(m["ord"])
        if n:
            action = "append" if re.search(r"\b(append|add|include|end|attach)\b", lowered) else "say"
            found.append(NewTask("after_replies", action, quote["q"], replies=n))
            return found
    m = re.search(r"\bwhenever (?:i|you hear me) (?:say|write|type) " + _QUOTE.replace("?P<q>", "?P<t>")
                  + r".*?\b(?:say|reply|answer|respond|write)(?: with)? " + _QUOTE, text, re.I)
    if m:
        found.append(NewTask("on_message", "say", m["q"], trigger=m["t"], repeat=True))
        return found
    m = re.search(r"\b(?:stop|cancel|no longer|don't|do not|quit)\b.*?(?:saying|respond|reply|answer|remind|trigger|reminder)", lowered)
    if m:
        found.append(CancelTask(quote["q"] if quote else lowered))
        return found
    due = _due_time(lowered, now)
    m = re.search(r"\bremind me (?:to |of |about |that )?(?P<what>.+?)(?: in \d+ \w+| at \d.*)?$", text.strip(" .!"), re.I)
    if due is not None and m:
        found.append(NewTask("at_time", "remind", _clean(m["what"]), due_at=due))
    return found


def _due_time(lowered: str, now: float) -> float | None:
    m = re.search(r"\bin (?P<n>\d+|an?|one|two|three|five|ten|fifteen|thirty) (?P<u>minute|min|hour|day)s?\b", lowered)
    if m:
        n = _number(m["n"]) or {"fifteen": 15, "thirty": 30}.get(m["n"], 1)
        unit = {"minute": 60, "min": 60, "hour": 3600, "day": 86400}[m["u"]]
        return now + n * unit
    m = re.search(r"\bat (?P<h>\d{1,2})(?::(?P<m>\d\d))? ?(?P<ap>am|pm)?\b", lowered)
    if m:
        hour, minute = int(m["h"]), int(m["m"] or 0)
        if m["ap"] == "pm" and hour < 12:
            hour += 12
        if m["ap"] == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return None
        current = datetime.fromtimestamp(now)
        due = current.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if due.timestamp() <= now:
            due += timedelta(days=1)
        return due.timestamp()
    return None


# ----------------------------------------------------------------------- all

_REMEMBER = re.compile(r"^\s*(?:/remember\b|(?:please |can you |could you )?remember(?: that| this)?[:,]?\s)(?P<v>.+)", re.I | re.S)
_FORGET = re.compile(r"^\s*(?:please |can you |could you )?/?forget\b[,:]?\s*(?:about |that |the fact that )?(?P<v>.*)$", re.I | re.S)


def parse(text: str, now: float) -> list[Intent]:
    """Everything a user message asks mnemo to remember, change, forget or do later."""
    m = _FORGET.match(text)
    if m and not re.match(r"^\s*forget it\b", text, re.I):
        query = _clean(m["v"])
        return [Forget(query)] if query else []
    m = _REMEMBER.match(text)
    if m:
        inner = _clean(m["v"])
        return [Remember(inner)] if inner else []
    intents: list[Intent] = [*tasks(text, now)]
    if not intents:
        intents += list_ops(text)
    if not intents:
        intents += facts(text)
    return intents
