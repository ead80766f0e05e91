"""The rules' tests, a module per reader. Every phrasing in a table (an upper-case list at
module level) starts with the phrase classes it exercises, as declared in
``mnemo.memory.rules`` ("name-call-me", several joined by "+"); a near miss names the class
it nearly triggers. ``test_phrase_classes`` checks that every declared class has a phrasing
and every phrasing names declared classes. How people actually say it: at least ten phrasings
per intent, and near misses that must not trigger; none of them is the rules' own example
sentence. When a new phrasing fails, add the class it belongs to, not the sentence."""

from __future__ import annotations

from datetime import datetime

from mnemo.memory import rules

NOW = datetime(2027, 1, 15, 8, 0).timestamp()  # a Friday


def parsed(text: str) -> list:
    return rules.parse(text, NOW)


def acted_on(text: str) -> list:
    """What a near miss must not give: any intent but a fact, or a name."""
    return [i for i in parsed(text) if not isinstance(i, rules.Fact) or i.subject == "name"]
