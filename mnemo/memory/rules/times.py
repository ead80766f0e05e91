"""When a reminder is due: "in 20 minutes", "in half an hour", "at 5pm", "tomorrow at 9",
"tonight", "on Friday", "next Monday"."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from mnemo.memory.rules.phrases import Phrases
from mnemo.memory.rules.text import number
from mnemo.memory.rules.words import AMOUNTS, ARTICLE, DIGITS, HALF, SECONDS, WEEKDAYS, cardinals, one_of

DEFAULT_HOUR = 9  # "remind me tomorrow", "on Friday": in the morning (8 pm for "tonight")
# Amounts of time: six to nine minutes are not among them (as before this package).
_AMOUNT = rf"{DIGITS}|{ARTICLE}|{one_of([*cardinals(1, 5), 'ten', *AMOUNTS])}|{HALF}"
UNITS = one_of(unit for unit in SECONDS if unit != "second")  # minute|min|hour|day|week
DUE = Phrases(
    "due",
    ("due-in-a-while", rf"\bin\ (?P<n>{_AMOUNT})\ (?P<u>{UNITS})s?\b"),
    (
        "due-on-a-day",
        r"\b(?:(?P<rel>tomorrow|today|tonight)(?:\ (?:morning|evening|afternoon|night))?"
        rf"|(?:on\ |next\ |this\ |coming\ )(?P<wd>{one_of(WEEKDAYS)}))\b",
    ),
    (
        "due-at-a-time",
        r"\b(?:at|for|by)\ (?:(?P<noon>noon|midday|midnight)|(?P<h>\d{1,2})(?::(?P<m>\d\d))?\ ?"
        r"(?P<ap>am|pm|a\.m\.|p\.m\.)?(?!\d|:\d))",
    ),
)
_IN, _DAY, _AT = (re.compile(pattern, re.VERBOSE) for pattern in DUE.patterns.values())
WHEN_DUE = DUE.compile(re.I)  # any of them, to take out of what to be reminded of


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


def due_time(lowered: str, now: float) -> float | None:
    """When a reminder asked for in ``lowered`` (the message in lower case) is due, if it says."""
    m = _IN.search(lowered)
    if m:
        n = 0.5 if m["n"].startswith("half") else number(m["n"]) or AMOUNTS.get(m["n"], 1)
        return now + n * SECONDS[m["u"]]
    at, day = _AT.search(lowered), _DAY.search(lowered)
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
