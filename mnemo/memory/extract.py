"""Model-based fact extraction (``memory_extraction = "model"`` in models.toml).

After a turn, the model is asked, under a JSON grammar, for the facts about the user that
the user's message states. A small model invents things, so a fact is kept only when its
content words come from the message itself.
"""

from __future__ import annotations

import json
import re

from mnemo.memory.rules import Fact, subject_key
from mnemo.memory.rules.names import is_name

SCHEMA = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "subject": {"type": "string", "maxLength": 40},
                    "statement": {"type": "string", "maxLength": 160},
                },
                "required": ["subject", "statement"],
            },
        }
    },
    "required": ["facts"],
}

INSTRUCTIONS = (
    "Read the user's message and list the lasting facts it states about the user: who they "
    "are, people and pets in their life, where they live, what they like, their plans. Write "
    'each statement in the third person, starting with "The user". Ignore questions, '
    'greetings and small talk. Answer with JSON: {"facts": [{"subject": ..., "statement": ...}]}.'
)
_STOP = {
    "the",
    "user",
    "user's",
    "is",
    "a",
    "an",
    "and",
    "of",
    "to",
    "in",
    "has",
    "have",
    "with",
    "their",
    "they",
    "likes",
    "loves",
    "lives",
    "called",
    "named",
    "works",
    "as",
    "at",
    "for",
}


_NAMED = re.compile(r"^the user's (?:first |full |given )?name is (?P<v>.+?)\.?$", re.I)


def messages_for(user_text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": f"Message: {user_text}"}]


def parse(raw: str, user_text: str) -> list[Fact]:
    """Facts from the model's JSON that are grounded in ``user_text``."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return []
    source = set(re.findall(r"[\w']+", user_text.lower()))
    facts: list[Fact] = []
    for item in data.get("facts", []) if isinstance(data, dict) else []:
        if not isinstance(item, dict):
            continue
        statement = " ".join(str(item.get("statement", "")).split()).strip()
        subject = re.sub(r"^(?:the )?user(?:'s)?\b\s*", "", subject_key(str(item.get("subject", ""))))
        content = set(re.findall(r"[\w']+", statement.lower())) - _STOP
        if len(statement) < 8 or not content or not content <= source | {w.rstrip("s") for w in source}:
            continue  # a word the user never said: invented
        named = _NAMED.match(statement)
        if named and not is_name(named["v"]):
            continue  # "The user's name is I'm.": a name slot holding no name
        if not statement.endswith("."):
            statement += "."
        facts.append(Fact("fact", statement[0].upper() + statement[1:], subject or None))
    return facts
