"""Lists: "add 3 eggs to my shopping list", "I need to buy bread", "we're out of butter",
"I bought the milk" (implied: silent when the list does not hold it), "clear the list"."""

from __future__ import annotations

import re

from mnemo.memory.rules.intents import ListOp
from mnemo.memory.rules.phrases import Phrases, declare
from mnemo.memory.rules.text import clean, number
from mnemo.memory.rules.words import (
    ARTICLE,
    ASKING,
    COUNTS,
    DIGITS,
    PLEASE,
    THANKS,
    TIME_UNITS,
    cardinals,
    one_of,
    plurals,
)

_LIST = r"(?:my\ |the\ |our\ )?(?P<list>[a-z]+\ list)"
_QUANTITY = rf"{one_of(COUNTS)}|{DIGITS}|{ARTICLE}|{one_of(cardinals(1, 10))}|some"
_CONTAINERS = (
    r"bottles?|cartons?|packs?|packets?|pieces?|bags?|boxes?|cans?|kilos?|kg|pounds?|lbs?|loaves|loaf|dozen|jars?"
    r"|tins?|rolls?|bunch(?:es)?"
)
_ITEM = re.compile(
    rf"""^(?:(?P<n>{_QUANTITY})\ )?
    (?:(?:{_CONTAINERS})\ of\ )?
    (?:the\ |my\ |some\ |more\ )?(?P<item>[a-z][a-z -]*)$""",
    re.VERBOSE,
)
_NOT_ITEMS = {"it", "them", "that", "this", "some", "more", "one", "ones", "stuff", "things", "everything", "all"}
# Not groceries: "I need two weeks off", "we need three people"
_NOT_GOODS = re.compile(
    rf"""^(?:{plurals(TIME_UNITS)}|people|persons?|times?
    |more|of|help|break|votes?|points?|pages?|words?|steps?|examples?|ideas?|reasons?|ways?
    |volunteers?|helpers?|guests?|players?|members?|participants?|friends?|hands?|seats?
    |tickets?\ for|answers?|solutions?|options?|things?)\b""",
    re.VERBOSE,
)
# "add it to my calendar", "remove the first line of this file": not a list
_NOT_A_LIST = re.compile(
    r"""\b(?:to|from|into|onto|in|on|with|for|at|about|after|before|between|under|over|above|below|instead
    |inside|within|without|this|that|these|those|your|his|her|their)\b""",
    re.VERBOSE,
)


def _items(text: str) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    if _NOT_A_LIST.search(text):
        return out
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+", text):
        m = _ITEM.match(part.strip())
        if m and m["item"].strip() not in _NOT_ITEMS and not _NOT_GOODS.match(m["item"]):
            n = m["n"]
            out.append((clean(m["item"]), COUNTS.get(n or "") or number(n)))
    return out


DEFAULT_LIST = "shopping list"  # the list "my list" and "the list" mean


def list_name(name: str | None) -> str:
    """The list a name says: "my list", "the list" are the shopping list."""
    words = (name or "").split()
    return (
        DEFAULT_LIST
        if not words or words[0] in ("the", "my", "our", "a", "new", "fresh", "whole", "entire", "another")
        else name or DEFAULT_LIST
    )


_BOUGHT = ("bought", "got", "picked up")
_CLEAR = Phrases(
    "list-clear",
    (
        "clear-bought-everything",
        rf"\b(?:i|we|i've|we've)(?:\ have)?\ (?:already\ )?{one_of(_BOUGHT)}\ (?:all|everything)\b",
    ),
    (
        "clear-the-list",
        r"\b(?:clear|empty|reset|delete|wipe|scrap|bin|throw\ away|throw\ out|get\ rid\ of)(?:\ out)?"
        r"\ (?:my\ |the\ |our\ )?(?:whole\ |entire\ )?(?:[a-z]+\ )?list\b",
    ),
    ("clear-start-a-new-list", r"\bstart\ (?:a\ |my\ )?(?:new|fresh|another)\ (?:[a-z]+\ )?list\b"),
    ("clear-new-list", r"^(?:a\ )?(?:new|fresh)\ (?:[a-z]+\ )?list\b"),
    (
        "clear-start-over",
        r"\bstart\ (?:the\ |my\ |our\ )?(?:[a-z]+\ )?list\ (?:again\ |over\ |afresh\ )?"
        r"(?:from\ scratch|over|afresh|again)\b",
    ),
).compile()
_PLEASE = rf"(?:{one_of((*PLEASE, *ASKING))}\ )?"
_WANT = Phrases(
    "list-want",
    (
        "want-i-need-to",
        r"(?:i|we)(?:'d|\ would|'ve|'m|'re|\ am|\ are)?(?:\ really|\ still|\ also)?"
        r"\ (?:need|require|want|have|got|must|should|like|going|ought)(?:\ to)?",
    ),
    ("want-gotta", r"gotta|got\ to"),
    ("want-need-to", r"need\ to|have\ to|must"),
    (
        "want-dont-let-me-forget",
        r"don't\ let\ me\ forget\ to|remind\ me\ to|i\ must\ not\ forget\ to|i\ mustn't\ forget\ to",
    ),
)
_COUNTED = rf"(?:{DIGITS}|{one_of(cardinals(2, 10))}|some|more|{one_of(w for w in COUNTS if ' ' in w)})"
# Tried in this order, per operation (adds first), the first that matches wins. implied:
# the removal was not asked for ("I bought the milk"), so it changes nothing, silently, when
# the list does not hold the item. "buy" is always shopping; "get", "grab", "pick up" only
# with a count ("get 2 lemons", not "get better at chess" or "get going").
RULES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "add": (
        ("add", rf"{_PLEASE}add\ (?P<items>.+?)(?:\ (?:to|on|onto)\ {_LIST})?$", False),
        (
            "add-put-on-the-list",
            rf"{_PLEASE}(?:put|stick|pop|throw|chuck|toss|jot\ down|jot|write\ down|note\ down|slap|bung|include)"
            r"\ (?P<items>.+?)\ (?:to|on|onto|in|into)\ (?:my|the|our)\ (?:(?P<list>[a-z]+\ list)|list)$",
            False,
        ),
        (
            "add-heading",
            r"^(?:shopping|groceries|grocery|grocery\ list|shopping\ list|to\ buy)\s*[:-]\s*(?P<items>.+)$",
            False,
        ),
        ("add-want-to-buy", rf"(?:.*\b)?{_WANT}\ (?:buy|purchase)(?:\ some|\ more)?\ (?P<items>.+?)$", False),
        ("add-want-to-get-some", rf"(?:.*\b)?{_WANT}\ (?:get|grab|pick\ up|order)\ (?P<items>{_COUNTED}\ .+?)$", False),
        (
            "add-need-some",
            r"(?:^|.*\b(?:i|we)(?:'ll|'d|\ will|\ would|'m\ going\ to|'re\ going\ to|\ am\ going\ to|\ are\ going\ to)?"
            r"\ )(?:also\ |still\ |really\ )?(?:need|require)"
            rf"\ (?P<items>(?:{DIGITS}|{one_of(cardinals(2, 10))}|a\ dozen)\ .+?)$",
            False,
        ),
        (
            "add-out-of",
            r"(?:.*\b)?(?:we're|we\ are|i'm|i\ am|we've\ run|i've\ run|we\ ran|i\ ran|we're\ almost|we\ are\ almost"
            r"|i'm\ almost|we're\ nearly|i'm\ nearly)\ out\ of\ (?P<items>[a-z ]+?)$",
            False,
        ),
        (
            "add-low-on",
            r"(?:.*\b)?(?:we're|we\ are|i'm|i\ am|we've\ been|i've\ been)(?:\ running|\ getting)?\ (?:low|short)\ on"
            r"\ (?P<items>[a-z ]+?)$",
            False,
        ),
    ),
    "remove": (
        (
            "remove-from-the-list",
            rf"{_PLEASE}(?:remove|take|delete|cross\ off|cross|scratch|strike)\ (?P<items>.+?)\ (?:from|off)\ {_LIST}$",
            False,
        ),
        ("remove", rf"{_PLEASE}(?:remove|delete|cross\ off|scratch|strike)\ (?P<items>.+?)$", True),
        ("remove-take-off", rf"{_PLEASE}take\ (?P<items>.+?)\ off$", True),
        (
            "remove-have-enough",
            r"(?:(?:i|we)\ )?(?:already\ have|(?:i|we)\ have\ enough|(?:i|we)\ have\ plenty\ of|never\ mind)"
            r"\ (?:the\ |some\ )?(?P<items>[a-z ,]+?)(?:\ now|\ already|\ at\ home)?$",
            True,
        ),
        (
            "remove-bought-the",
            rf"(?:.*\b)?(?:(?:i|we)(?:\ have|\ already|\ just)*\ )?{one_of((*_BOUGHT, 'purchased'))}\ (?:the|our|my)"
            r"\ (?P<items>[a-z ,]+?)(?:\ today|\ already|\ yesterday|\ earlier|\ now)?$",
            True,
        ),
        (
            "remove-no-need",
            r"(?:.*\b)?(?:no\ need\ for|(?:i|we)\ (?:don't|do\ not|no\ longer)\ need)\ (?:the\ |any\ )?"
            r"(?P<items>[a-z ,]+?)(?:\ anymore|\ any\ more)?$",
            True,
        ),
    ),
}
declare("lists", *(name for rules_ in RULES.values() for name, _, _ in rules_))
_RULES = [
    (op, re.compile(pattern, re.VERBOSE), implied) for op, rules_ in RULES.items() for _, pattern, implied in rules_
]
# Clauses: at a stop, or at a comma or "and"/"then" before another request ("…, and remove …").
_CLAUSES = re.compile(
    r"""[.;!?\n]
    |  ,\s*(?=(?:and\ |then\ |but\ )?(?:i|we|add|remove|take|put|delete)\b)
    |  ,?\ (?:and|then)\ (?=add|remove|take|put|delete)""",
    re.VERBOSE,
)


# Words after a request that are not part of the item: "add milk too", "… as well, please".
_TRAILING = Phrases(
    "list-trailing",
    ("trailing-too", r"too"),
    ("trailing-as-well", r"as\ well"),
    ("trailing-also", r"also"),
    ("trailing-please", one_of(PLEASE)),
    ("trailing-for-me", r"for\ me"),
    ("trailing-thanks", one_of(THANKS)),
)
_TRAILING_AT_END = re.compile(rf"(?:[\s,]+{_TRAILING})+[\s!.]*$", re.VERBOSE)
# The item first, the request after it, of them: "I need 4 onions, could you pop them on
# the list?", "Oat milk - add it to my groceries list". The first clause is read as a list
# clause ("I need 4 onions", "we're out of eggs") or, failing that, as the items themselves.
_PUT = r"(?:add|put|stick|pop|throw|chuck|toss|jot\ down|jot|write\ down|note\ down|slap|bung|include)"
_THOSE = r"(?:it|them|those|these|that|this|both|all\ of\ them|them\ all|some|one)"
_ASK = rf"(?:{one_of(('please', 'pls', *ASKING))}\ )?"
_ITEM_THEN_ASK = re.compile(
    rf"""^(?P<first>[^.;!?]+?)\s*(?:,|\ -|\ –|:|[.!]|\ so|,\ so)\s*(?:and\ |so\ )?{_ASK}
    (?:(?P<add>{_PUT}\ {_THOSE}|(?:jot|write|note)\ {_THOSE}\ down)\ (?:to|on|onto|in|into)
      |(?P<remove>(?:remove|delete|scratch|strike|cross|take)\ {_THOSE}(?:\ off)?)\ (?:from|off)
    )\ {_LIST}$""",
    re.VERBOSE,
)
declare("lists", "add-item-then-ask", "remove-item-then-ask")
# A first clause that asks for the items to be fetched: "Grab some bread for me, put it on
# my list", "Pick up 2 lemons - add them to the list".
_FETCH = Phrases(
    "list-fetch",
    ("fetch-grab", r"grab"),
    ("fetch-get", r"get"),
    ("fetch-buy", r"buy"),
    ("fetch-pick-up", r"pick\ up"),
)
_FETCHED = re.compile(rf"^{_FETCH}\ (?:me\ |us\ )?", re.VERBOSE)
# A first clause that says something instead of naming items, read by no list rule.
_NOT_BARE_ITEMS = re.compile(
    r"\b(?:i|we|you|it|is|are|was|were|here|there|got|have|has|had|no|not|left|what|how|my\ \w+\ is)\b"
)


def _without_trailing(clause: str) -> str:
    return _TRAILING_AT_END.sub("", clause).strip(" ,")


def _item_then_ask(lowered: str) -> list[ListOp] | None:
    m = _ITEM_THEN_ASK.match(_without_trailing(lowered.strip().rstrip("?.! ")))
    if not m:
        return None
    op = "add" if m["add"] else "remove"
    first = _without_trailing(m["first"].strip(" ,"))
    found = _list_rule(first)
    if found and found[0] == op:  # "I need 4 onions, …", "got the eggs, cross them off …"
        items = _items(found[1]["items"])
    elif _NOT_BARE_ITEMS.search(first) or len(first.split()) > 6:
        return None  # "here is my code, add it to my list": not a named item
    else:
        items = _items(_FETCHED.sub("", first) if op == "add" else first)
    name = list_name(m["list"])
    return [ListOp(name, op, item, (n or 1) if op == "add" else n) for item, n in items] or None


def _list_rule(clause: str) -> tuple[str, re.Match[str], bool] | None:
    for op, pattern, implied in _RULES:
        if m := pattern.match(clause):
            return op, m, implied
    return None


def list_ops(text: str) -> list[ListOp]:
    lowered = text.lower()
    if _CLEAR.search(lowered):
        m = re.search(r"\b([a-z]+) list\b", lowered)
        return [ListOp(list_name(m.group(0) if m else None), "clear")]
    if (asked := _item_then_ask(lowered)) is not None:
        return asked
    ops: list[ListOp] = []
    for clause in _CLAUSES.split(lowered):
        found = _list_rule(_without_trailing(clause.strip(" ,")))
        if found:
            op, m, implied = found
            name = list_name(m.groupdict().get("list"))
            ops += [ListOp(name, op, item, (n or 1) if op == "add" else n, implied) for item, n in _items(m["items"])]
    return ops
