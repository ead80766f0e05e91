"""Scores for the long-term-memory benchmark, without any LLM judge: each takes what the
agent answered and what was true, and returns a number from 0 to 1.

They follow GoodAI's LTM Benchmark where it defines them (shopping: a third each for the
items, their quantities and no extra items; names: correct over the longer of the two
lists; prospective memory: the quote in exactly the right reply).
"""

from __future__ import annotations

import json
import re
from typing import Any

_WORD = re.compile(r"[\w'-]+")


def _words(text: str) -> list[str]:
    return [w.lower().strip("'-") for w in _WORD.findall(text)]


def _has(text: str, phrase: str) -> bool:
    """``phrase`` appears in ``text`` as whole words, case and punctuation aside."""
    needle = " ".join(_words(phrase))
    return bool(needle) and f" {needle} " in f" {' '.join(_words(text))} "


def json_list(answer: str) -> list[Any] | None:
    """The first JSON list in ``answer`` (models wrap it in prose or code fences), or None."""
    start = answer.find("[")
    while start != -1:
        depth = 0
        for i in range(start, len(answer)):
            if answer[i] == "[":
                depth += 1
            elif answer[i] == "]":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(answer[start : i + 1])
                    except ValueError:
                        break
                    return value if isinstance(value, list) else None
        start = answer.find("[", start + 1)
    return None


def latest_value(answer: str, latest: str, earlier: list[str]) -> float:
    """Colours: the latest stated value, and none of the replaced ones."""
    if not _has(answer, latest):
        return 0.0
    return 0.0 if any(_has(answer, old) for old in earlier if old.lower() != latest.lower()) else 1.0


def _singular(item: str) -> str:
    item = " ".join(_words(item))
    return item[:-1] if item.endswith("s") and not item.endswith("ss") else item


def shopping(answer: str, expected: dict[str, int]) -> float:
    """A third for the items present, a third for their quantities, a third for no extras.
    The answer should be a JSON list of {"item", "quantity"}."""
    listed = json_list(answer) or []
    got: dict[str, Any] = {}
    for entry in listed:
        if isinstance(entry, dict) and isinstance(entry.get("item"), str):
            got[_singular(entry["item"])] = entry.get("quantity")
    want = {_singular(k): v for k, v in expected.items()}
    if not want:
        return 1.0 if not got else 0.0
    present = sum(1 for item in want if item in got) / len(want)
    right = sum(1 for item, qty in want.items() if item in got and _quantity(got[item]) == qty) / len(want)
    extra = 0.0 if set(got) - set(want) else 1.0
    return (present + right + extra) / 3


def _quantity(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def name_list(answer: str, expected: list[str]) -> float:
    """All past names: correct ones over the longer of the expected and given lists."""
    listed = json_list(answer)
    given = [str(x) for x in listed] if listed is not None else []
    if not given:
        given = [name for name in expected if _has(answer, name)]  # named in prose: still counts
    correct = sum(1 for name in {_singular(n) for n in expected} if name in {_singular(g) for g in given})
    longest = max(len(expected), len(given))
    return correct / longest if longest else 1.0


def prospective(replies: list[str], n: int, quote: str) -> float:
    """The quote in exactly the ``n``-th reply after the request (1-based), in no other."""
    if len(replies) < n:
        return 0.0
    hits = [i for i, reply in enumerate(replies, 1) if _has(reply, quote)]
    return 1.0 if hits == [n] else 0.0


def trigger(replies: list[str], sentence: str) -> float:
    """The agreed sentence in each reply to the trigger."""
    return sum(1 for reply in replies if _has(reply, sentence)) / len(replies) if replies else 0.0


def keywords(answer: str, right: list[str], wrong: list[str]) -> float:
    """Spy meeting: the share of right keywords named, minus the same share for each wrong
    option named, never below 0."""
    if not right:
        return 0.0
    good = sum(1 for k in right if _has(answer, k)) / len(right)
    bad = sum(1 for k in wrong if _has(answer, k)) / len(right)
    return max(0.0, good - bad)


def contains(answer: str, value: str) -> float:
    """Key-value, jokes, facts across conversations: the value is named."""
    return 1.0 if _has(answer, value) else 0.0
