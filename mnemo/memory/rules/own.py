"""What of a message is the user speaking, and what is material they brought: a story, an
article, a transcript, a batch of questions and answers, a quoted e-mail, code. The rules
read only the user's own words, so "Here is the story: My name is Elena and I live in
Lisbon…" teaches mnemo nothing about the user (the message itself stays in the
conversation, and is recalled as what was said).

Material is found by its shape, never by what it says:
- fenced code, and lines quoted with ``>``;
- labelled lines ("Interviewer: …", "Q: …") where a label comes back: a transcript or a
  Q/A batch ("Name: Sam / City: Paris", every label once, is the user filling in a form);
- what an opening introduces: a task on it ("Summarise this", "Translate to French:"), or
  a pointer to it ("Here is the article:", "the following"), but not "here is my address:
  …" with a short value, which is the user's own;
- a long message (``LONG`` characters or more): all of it, but for an opening that
  introduces the rest (a short first paragraph ending in a colon, or one of the above).
Unless the opening hands it over to be kept ("remember this:", "note the following"):
then all of it is the user's.
"""

from __future__ import annotations

import re

from mnemo.memory.rules.phrases import Phrases

LONG = 1000  # characters: a message this long is pasted, bar an opening that introduces it
OPENING = 300  # characters: an opening paragraph longer than this is itself material

_FENCE = re.compile(r"^\s*(```|~~~).*?^\s*\1[^\n]*$", re.M | re.S)
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.M)
# "Name:", "Q:", "**Alice**:", "[10:02] Bob:" at the start of a line, then what they said.
_LABEL = re.compile(r"^\s*(?:\[[\d:. apm]+\]\s*)?(?:\*\*)?(?P<who>[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3})(?:\*\*)?:\s+\S")
_PARAGRAPHS = re.compile(r"\n\s*\n")

# What opens material: a task on it (anything after is material), or a pointer to it
# ("here is", "below"; "here is my address: …" with a short value is the user's own).
TASKS = Phrases(
    "material-task",
    (
        "material-task",
        r"(?:summari[sz]e|translate|proofread|rewrite|rephrase|paraphrase|correct|fix|edit|shorten|simplify|"
        r"explain|analy[sz]e|review|critique|format|convert|reply\ to|respond\ to|tl;?dr)",
    ),
)
POINTERS = Phrases(
    "material-pointer",
    ("material-here-is", r"here(?:'s|\ is|\ are|\ comes)"),
    (
        "material-below",
        r"(?:below|the\ following|attached|pasted|(?:this|that)\ (?:is\ (?:a|an|the)\ )?(?:story|text|article|"
        r"e-?mail|message|transcript|poem|essay|letter|document|post|chat|log|conversation|paragraph|passage|"
        r"excerpt|draft|report|page|code|snippet|thread))",
    ),
)
_POLITE = r"^\W*(?:(?:please|pls|kindly|could\ you|can\ you|would\ you|now|ok|okay)\W+)*"
_TASK = re.compile(rf"{_POLITE}(?:{TASKS})\b", re.I | re.X)
_POINTER = re.compile(rf"{_POLITE}(?:{POINTERS})\b", re.I | re.X)
KEEPERS = Phrases(
    "material-kept",
    (
        "material-keep",
        r"remember|keep|note|save|store|memori[sz]e|don't\ forget|do\ not\ forget|for\ future\ reference",
    ),
)
_KEEPS = re.compile(rf"\b(?:{KEEPERS})\b", re.I | re.X)
_MY_THING = re.compile(rf"{_POLITE}here(?:'s|\ is|\ are)\ (?:my|our)(?:\ [\w-]+){{1,3}}\W*$", re.I | re.X)
HANDING = 60  # characters: "remember this" is short; a paragraph that says "remember" in passing is not
SHORT_VALUE = 150  # characters: "here is my address: …" this short, on one line, is the user's own


def _introduces(head: str, rest: str) -> bool:
    """Does ``head`` open ``rest`` as material (and not hand it over to be kept)?"""
    if _KEEPS.search(head):
        return False
    if _TASK.match(head):
        return True
    if _POINTER.match(head):
        rest = rest.strip()
        return not (_MY_THING.match(head) and len(rest) < SHORT_VALUE and "\n" not in rest)
    return False


def own_words(text: str) -> str:
    """The part of ``text`` that is the user speaking (maybe all of it, maybe nothing)."""
    text = _QUOTED_LINE.sub("", _FENCE.sub("", text)).strip()
    lines = text.splitlines()
    labels = [m["who"].lower() for line in lines if (m := _LABEL.match(line))]
    if len(labels) > len(set(labels)):  # a label comes back: a transcript or a Q/A batch
        text = "\n".join(line for line in lines if not _LABEL.match(line)).strip()
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
    if not paragraphs:
        return ""
    opening, rest = paragraphs[0], "\n\n".join(paragraphs[1:])
    head, colon, after = opening.partition(":") if not rest else (opening.rstrip(":"), ":", rest)
    if colon and _KEEPS.search(head) and (len(head) <= HANDING or opening.endswith(":")):
        return text  # "remember this: …": the user hands it over to be kept
    opens = bool(rest) and opening.endswith(":") or (colon and _introduces(head, after))
    if opens and len(head) <= OPENING and "\n" not in head.strip():
        return head
    if len(text) >= LONG or opens:
        return ""  # pasted, with no opening of the user's own
    return text
