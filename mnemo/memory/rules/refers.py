"""What a task refers to, kept as itself: "append the quote from Ada Lovelace to your 5th
reply" names a quote the user gave earlier ("Here is a quote by Ada Lovelace: '…'"); the
task is to append that quote, not the words that describe it. ``reference`` reads what
the words name (the kind of thing, whose, about what); ``referent`` finds it in a message
the user wrote (the bank looks through the conversation, then memory)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mnemo.memory.rules.phrases import Phrases
from mnemo.memory.rules.text import clean

# The kinds of thing a task may name, each with the words that name the same kind.
KINDS = {
    "quote": ("quote", "quotation", "saying", "motto", "line", "words", "sentence", "phrase"),
    "poem": ("poem", "haiku", "verse", "lyrics", "limerick", "rhyme"),
    "joke": ("joke", "pun", "riddle"),
    "link": ("link", "url", "website"),
    "fact": ("fact",),
    "tip": ("tip", "advice"),
}
IT = "it"  # what the last message gave, whatever it is
_NOUN = "|".join(sorted({w for words in KINDS.values() for w in (*words, *(f"{w}s" for w in words))}, key=len)[::-1])
_STOP = r"(?:to|in|into|on|onto|at|after|for|when|as|and|from\ now|every)\b"
_WHO = rf"(?:(?!{_STOP})[\w.'-]+(?:\ |$)){{1,4}}"
_GAVE = (
    r"(?:(?:that\ |which\ )?(?:i|we)\ (?:just\ |already\ )?"
    r"(?:gave|sent|shared|pasted|wrote|posted|showed|told|mentioned|quoted|liked|gave\ you|sent\ you)(?:\ you)?"
    r"(?:\ (?:earlier|before|above|yesterday))?|you\ (?:got|saw|read|liked)"
    r"|above|earlier|from\ before|from\ earlier|from\ (?:my|the)\ (?:last|previous|earlier)\ message)"
)
_VERBS = {"add", "append", "include", "attach", "put", "stick", "say", "repeat", "quote", "tell", "write", "recite"}
_VERBS |= {"share", "show", "give", "end", "finish", "close", "sign", "tack", "then", "and", "also", "please"}
REFERS = Phrases(
    "refers",
    ("refers-the-noun-by", rf"\b(?:the|that|this)\ (?P<n1>{_NOUN})\ (?:from|by|of)\ (?P<by1>{_WHO})"),
    ("refers-whose-noun", rf"\b(?P<by2>(?-i:[A-Z][\w.-]*)(?:\ (?-i:[A-Z][\w.-]*)){{0,3}})'s\ (?P<n2>{_NOUN})\b"),
    ("refers-the-noun-i-gave", rf"\b(?:the|that|this|my)\ (?P<n3>{_NOUN})\ {_GAVE}"),
    ("refers-the-noun-about", rf"\b(?:the|that|this)\ (?P<n4>{_NOUN})\ (?:about|on)\ (?P<about>{_WHO})"),
    ("refers-that-noun", rf"\b(?:that|this|my|the\ same)\ (?P<n5>{_NOUN})\b"),
    (
        "refers-it",  # what the user's last message gave: "append it to your 5th reply"
        r"^(?:please\ )?(?:append|add|include|attach|put|stick|tack|say|repeat|end\ with)\ "
        r"(?P<n6>it|that|this|those\ words|these\ words|them)(?:\ (?:back|again|as\ well|too|at\ the\ end(?:\ of)?))?$",
    ),
).compile(re.I)


@dataclass(frozen=True)
class Reference:
    """What a task names: a kind ("quote"), whose it is ("Ada Lovelace"), what about."""

    kind: str
    by: str | None = None
    about: str | None = None


def _kind(noun: str) -> str:
    noun = noun.lower()
    if noun in ("it", "that", "this", "those words", "these words", "them"):
        return IT
    return next(k for k, words in KINDS.items() if noun in words or noun.rstrip("s") in words or noun[:-1] in words)


def reference(what: str) -> Reference | None:
    """What ``what`` names that the user gave before: "the quote from Ada Lovelace" ->
    Reference("quote", by="Ada Lovelace"); "a quote from Seneca" (any) -> None."""
    m = REFERS.search(what)
    if not m:
        return None
    noun = next(m[g] for g in ("n1", "n2", "n3", "n4", "n5", "n6") if m[g])
    by = m["by1"] or m["by2"]
    if by and by.split()[0].lower() in _VERBS:
        by = " ".join(by.split()[1:])  # "Add Ada Lovelace's quote": the verb is no one's name
    about = m["about"]
    return Reference(_kind(noun), clean(by) if by else None, clean(about) if about else None)


# Quoted text: “…”, "…", ‘…’, or '…' not inside a word (so "it's" is no quote).
_QUOTED = re.compile(r"“(?P<a>[^”]{2,})”|\"(?P<b>[^\"]{2,})\"|‘(?P<c>[^’]{2,})’|(?<!\w)'(?P<d>[^\n]{2,}?)'(?!\w)")
_URL = re.compile(r"https?://\S+[^\s.,;:!?)\]'\"]")
_AFTER_COLON = re.compile(r":\s*(?P<v>[^\n]{3,})")


def _mentions(text: str, words: str | None) -> bool:
    if not words:
        return True
    return all(re.search(rf"\b{re.escape(w)}\b", text, re.I) for w in words.split() if len(w) > 1)


def referent(text: str, ref: Reference) -> str | None:
    """The thing ``ref`` names, as ``text`` gives it ("'That brain of mine …' — Ada
    Lovelace"), when ``text`` gives one: it says the kind, whose and what about, and holds
    the thing (quoted, a link, or after a colon)."""
    kind_words = KINDS.get(ref.kind, ())
    if kind_words and not re.search(rf"\b(?:{'|'.join(kind_words)})s?\b", text, re.I) and ref.kind != "link":
        return None
    if not _mentions(text, ref.by) or not _mentions(text, ref.about):
        return None
    if ref.kind == "link":
        url = _URL.search(text)
        return url.group(0) if url else None
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
    quoted = [q.strip() for q in quoted if len(q.split()) >= 2]
    if quoted:
        thing = f'"{max(quoted, key=len)}"'
    elif colon := _AFTER_COLON.search(text):
        thing = colon["v"].strip()
    else:
        return None
    if ref.by:
        whose = re.search(r"\b" + r"\W+".join(map(re.escape, ref.by.split())) + r"\b", text, re.I)
        thing += f" — {whose.group(0) if whose else ref.by}"
    return thing
