"""Tasks for later: after a number of replies ("in your 5th response, append 'Stay
curious.'"), on a message ("whenever I say 'banana', say 'yellow!'"), at a time ("remind me
in 2 hours to call mum"), and cancelling them ("stop saying 'yellow!'")."""

from __future__ import annotations

import re

from mnemo.memory.rules.intents import CancelTask, NewTask
from mnemo.memory.rules.phrases import Phrases, declare
from mnemo.memory.rules.refers import reference
from mnemo.memory.rules.text import QUOTE, cap, clean, number
from mnemo.memory.rules.times import WHEN_DUE, due_time
from mnemo.memory.rules.words import ASKING, DIGITS, KINDLY, ORDINALS, cardinals, one_of

_ORD = rf"(?P<ord>{DIGITS}(?:st|nd|rd|th)?|{'|'.join(ORDINALS)})"
_COUNT = rf"(?P<cnt>{DIGITS}|{one_of(cardinals(1, 10))})"
_REPLY = r"(?:repl(?:y|ies)|responses?|answers?|messages?)"
# When, tried in this order (the first that gives a number wins): "your 5th response", "the
# fifth reply from now", "in two replies", "after three more answers", "three responses
# from now", "your next reply", "reply number 4 from now".
WHEN: tuple[tuple[str, str], ...] = (
    ("replies-nth", rf"\b(?:your\ |the\ |my\ )?{_ORD}\ {_REPLY}\b(?:\ (?:from\ now|after\ this|from\ this))?"),
    ("replies-in-n", rf"\bin\ (?:your\ |the\ )?(?:next\ )?{_COUNT}\ (?:more\ )?{_REPLY}\b"),
    ("replies-after-n", rf"\bafter\ {_COUNT}\ (?:more\ )?{_REPLY}\b"),
    ("replies-n-from-now", rf"\b{_COUNT}\ (?:more\ )?{_REPLY}\ (?:from\ now|later|on|down\ the\ line)\b"),
    (
        "replies-number-n",
        rf"\b{_REPLY}\ (?:number\ |no\.?\ |\#)?(?P<ord2>{DIGITS}|{one_of(cardinals(1, 10))})\ from\ now\b",
    ),
)
declare("replies", *(name for name, _ in WHEN))
_WHEN = [re.compile(pattern, re.VERBOSE) for _, pattern in WHEN]
_APPENDING = (
    "append",
    "add",
    "include",
    "end with",
    "ends with",
    "end it with",
    "attach",
    "at the end",
    "sign off",
    "finish with",
    "tack",
    "stick on",
    "close with",
    "put",
)
_APPEND = re.compile(rf"\b(?:{one_of(_APPENDING)}|end\ (?:your|the|my|that)\ (?:\w+\ ){{1,3}}with)\b")
_SAYING = re.compile(r"\b(?:say|repeat|quote|recite|tell\ me|give\ me|write|show\ me|remind\ me\ of)\b", re.VERBOSE)
# Left over around what to do once the "when" is taken out: "in …", "could you …", "to …".
_LEAD = re.compile(
    rf"""^(?:{one_of(("please", "pls", *ASKING, "will you", KINDLY))}\s+)*
    (?:(?:in|on|at|by|with|for)\s+)?
    (?:(?:to|about|of|that)\s+)?""",
    re.I | re.VERBOSE,
)


def _ordinal(word: str) -> int | None:
    word = word.lower()
    if word in ORDINALS:
        return ORDINALS[word]
    digits = re.match(r"\d+", word)
    return int(digits.group(0)) if digits else None


def _reply_count(lowered: str) -> tuple[int, re.Match[str]] | None:
    for pattern in _WHEN:
        m = pattern.search(lowered)
        if m:
            d = m.groupdict()
            n = _ordinal(d["ord"]) if d.get("ord") else number(d.get("cnt") or d.get("ord2"))
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
        what = _LEAD.sub("", clean(re.sub(r"\bremind me\b", " ", rest, flags=re.I)))
        return NewTask("after_replies", "remind", clean(what), replies=n) if what else None
    quote = re.search(QUOTE, text)
    action = "append" if _APPEND.search(lowered) else "say"
    if quote:
        return NewTask("after_replies", action, quote["q"], replies=n)
    what = _LEAD.sub("", clean(re.sub(r"\s+", " ", text[: when.start()] + " " + text[when.end() :])))
    what = cap(re.sub(r"\b(?:to|in|on|for)\s*$", "", what).strip(" ,"))
    refers = reference(what)
    if not re.search(r"\b(your|you)\b", lowered) and refers is None:
        return None  # "my second reply was wrong": about replies, not a task
    if not _APPEND.search(lowered):
        # "say the quote from Ada Lovelace in your third reply": that quote, once it is found
        said = refers is not None and _SAYING.search(lowered)
        return NewTask("after_replies", "say", what, replies=n, refers=refers) if said else None
    # No quoted words: what to add is for the model to write then ("a quote from Seneca"), or
    # what the user gave before, once it is found ("the quote from Ada Lovelace").
    return NewTask("after_replies", "instruct", what, replies=n, refers=refers)


TRIGGER = Phrases(
    "trigger",
    (
        "trigger-whenever-i-say",
        r"\b(?:whenever|every\ time|each\ time|any\ ?time|if|when)(?:\ i\ ever|\ i|\ you\ (?:see|hear|read|get))?"
        r"(?:\ (?:say|write|type|send|mention|use|enter))?\ "
        + QUOTE.replace("?P<q>", "?P<t>")
        + r".*?\b(?:say|reply|answer|respond|write|type)(?:\ with|\ back)?:?\ "
        + QUOTE,
    ),
)
_TRIGGER = TRIGGER.compile(re.I)
# The same without quotes, the whole message: "every time I type banana, say yellow".
_NOT_QUOTE = r"""[^\s,:'"“‘]"""
BARE_TRIGGER = Phrases(
    "trigger-bare",
    (
        "trigger-every-time-i-type",
        r"^(?:ok(?:ay)?[, ]+|so[, ]+|from\ now\ on[, ]+|please[, ]+)*"
        r"(?:whenever|every\ time|each\ time|any\ ?time|when|if)\ i(?:\ ever)?\ (?:say|write|type|send|enter|text)\ "
        rf"(?P<t>{_NOT_QUOTE}+(?:\ {_NOT_QUOTE}+){{0,2}}?)\s*(?:,|:|\ -|\ –)?\s*(?:then\ )?"
        r"(?:you\ (?:should\ |must\ |can\ |will\ |have\ to\ )?|please\ |just\ )?"
        r"(?:say|reply|answer|respond|write|type)(?:\ with|\ back\ with|\ back)?:?\ "
        rf"(?P<q>{_NOT_QUOTE}[^'\"“‘”’]*?)(?:\ back)?[\s.]*$",
    ),
)
_BARE_TRIGGER = BARE_TRIGGER.compile(re.I)
# Not a word to answer to ("when I write code, …"), nor words to say ("… reply in French").
_NOT_TRIGGERS = re.compile(
    r"^(?:a|an|the|my|your|some|any|something|anything|nothing|it|this|that|these|those|code|stuff|words?)\b", re.I
)
_NOT_SAID = re.compile(
    r"""^(?:in|with|using|by|to|as|like|only|briefly|concisely|shortly|more|less|without|a|an|the|my|your|that
    |this|it|something|anything|me|properly|correctly|differently|normally|accordingly|slowly|quickly)\b""",
    re.I | re.VERBOSE,
)


def _bare_trigger(text: str) -> tuple[str, str] | None:
    m = _BARE_TRIGGER.match(text.strip())
    if not m or _NOT_TRIGGERS.match(m["t"]) or _NOT_SAID.match(m["q"]):
        return None
    return m["t"], m["q"].strip()


_CANCELLED = Phrases(  # after "stop saying", "cancel the reminder": what makes it a cancel
    "cancel",
    ("cancel-quoted", r"""['"“‘]"""),
    ("cancel-anymore", r"\banymore\b|\bany\ more\b"),
    ("cancel-when-i-say", r"\bwhen\ i\b|\bwhenever\b"),
    ("cancel-the-tasks", r"\breminders?\b|\btriggers?\b|\btasks?\b"),
)
_CANCEL = re.compile(
    rf"""\b(?:stop|cancel|quit|no\ longer|don't|do\ not|never)\b
    .*?\b(?:saying|replying|responding|answering|reminding|reminders?|triggers?|tasks?
           |say|reply|respond|answer|remind)\b
    .*?{_CANCELLED}""",
    re.VERBOSE,
)
_REMIND = Phrases(
    "remind",
    ("remind-me", r"\b(?:remind|nudge|ping|tell)\ me\b"),
    ("remind-set-a-reminder", r"\bset\ (?:a\ |an\ )?(?:reminder|alarm)\b"),
    ("remind-give-me-a-nudge", r"\bgive\ me\ (?:a\ |an\ )?(?:nudge|shout|reminder|heads-up|heads\ up|ping)\b"),
).compile()


def tasks(text: str, now: float) -> list[NewTask | CancelTask]:
    # A cancel wins unless the message sets a trigger; then replies counted; then a trigger;
    # then a reminder at a time.
    lowered = text.lower()
    quote = re.search(QUOTE, text)
    trigger = _TRIGGER.search(text)
    bare = None if trigger else _bare_trigger(text)
    if _CANCEL.search(lowered) and not trigger and not bare:
        return [CancelTask(quote["q"] if quote else lowered)]
    task = _after_replies(text, lowered)
    if task is not None:
        return [task]
    if trigger:
        return [NewTask("on_message", "say", trigger["q"], trigger=trigger["t"], repeat=True)]
    if bare:
        return [NewTask("on_message", "say", bare[1], trigger=bare[0], repeat=True)]
    due = due_time(lowered, now)
    m = _REMIND.search(lowered)
    if due is not None and m:
        rest = WHEN_DUE.sub(" ", text[m.end() :])
        what = clean(re.sub(r"^[\s:,-]*(?:for\b[^:]*:|to|of|about|that)?\s*", "", clean(rest), flags=re.I))
        return [NewTask("at_time", "remind", what or "this", due_at=due)]
    return []
