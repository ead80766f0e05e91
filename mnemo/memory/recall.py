"""Recall: what to put in front of the model for one user message.

Hybrid search (vectors + BM25, fused by reciprocal rank), a kind and recency weight, a
relevance threshold, then: skip what the context window already holds, dedupe, pack into
a token budget, order chronologically. Questions about time ("about two hours ago") and
about every past value ("all the names I told you") get their own candidates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from mnemo.kinds import MemoryKind, MemoryStatus
from mnemo.memory.records import Record, Records
from mnemo.memory.rules.words import ARTICLE, ARTICLES, CARDINALS, DIGITS, HALF, SECONDS, one_of

RRF_K = 60
_BESIDE = ThreadPoolExecutor(1, thread_name_prefix="mnemo-recall")  # the meaning search, beside the words'
TIMELY = 3  # messages recalled for "about N hours ago": the best fits of time and meaning
# The gate, per question: a message that neither speaks of the user ("my", "we", "I'd")
# nor names something memory holds is answered without memory unless a memory is this
# close in meaning (calibrated with `mnemo eval recall`: unrelated requests peak near 0.46).
STRONG_SIM = 0.5
# Per memory, once the question passed: this close in meaning, or a word match this close,
# and no further than SPREAD below the best match. Calibrated with `mnemo eval recall`: a
# paraphrase's evidence can sit near 0.2 while a near miss about someone else is at 0.65.
MIN_SIM = 0.15
MIN_SIM_WITH_WORDS = 0.1
SPREAD = 0.35
NEAR_COPY = 0.9  # an episode this close in meaning to one already chosen is left out
WORD_WEIGHT = 0.5  # a word ranking counts half a meaning ranking: question words are noisy
# A word more than this share of the memories hold (once there are COMMON_LEAST of them) is
# left out of the search: in a recorded dialogue each speaker's name is in half the turns, and
# "what did Ana paint?" would find Ana's every turn before the one about painting (measured
# with `mnemo eval recall --locomo`: 0.61 -> 0.72 of the questions found).
COMMON_SHARE = 0.2
COMMON_LEAST = 50
WORD_HITS = 50  # the word search's list
# FTS5 ranks every memory a query's words match (about 3 µs each): in a large store a word
# held by more than this many is left out of the word search when the rarer words fill its
# list by themselves (see word_search).
RANKED_UP_TO = 1000
# A turn recorded with its speaker ("Ana: …") when the question names that speaker ("what did
# Ana paint?"): what one says of oneself is more often the answer than what is said to one
# (measured with `mnemo eval recall --locomo`).
SPEAKER_WEIGHT = 1.6
HOP_SEEDS = 3  # the best matches whose names are followed for a second hop
# A recalled turn of this many sentences or more is quoted in part (see ``focus``): words
# compared by their first STEM letters ("painting" / "painted"); an exclamation of at most
# FILLER_WORDS words is a filler.
FOCUS_LEAST = 2
STEM = 5
FILLER_WORDS = 5
FOCUS_DEPTH = 3  # times k: how far down the ranking long turns are quoted in part
KIND_WEIGHT: dict[str, float] = {
    MemoryKind.FACT: 1.6,
    MemoryKind.PREFERENCE: 1.6,
    MemoryKind.LIST: 1.6,
    MemoryKind.INSTRUCTION: 1.2,
    MemoryKind.EPISODE: 1.0,
}
STOPWORDS = set(
    """a an and are as at be but by can could did do does for from had has have how i i'm
if in into is it its me my of on or our please so tell that the their them then there these they this
to told us was we were what when where which who whom why will with would you your yours about again
all any ever every know remember""".split()
)
# First person, less the idiom that asks how to do something ("how do I …"); and the
# words people use when they ask about something said before ("… again?", "remind me").
PERSONAL = re.compile(
    r"\b(my|mine|myself|we|we're|we've|our|ours|us|i'm|i've|i'd|i'll|again|remind|"
    r"recall|remember|earlier|previously|last time|you know)\b",
    re.I,
)
# The user asks what mnemo itself said: its own replies are evidence then, and only then
# (otherwise a reply that repeated a memory would come back as if it were news).
YOU_SAID = re.compile(
    r"\byou(?:'ve| have)? (?:said|told|suggested|recommended|answered|replied|wrote|mentioned|gave|"
    r"came up with|proposed)\b|\bdid you (?:say|tell|suggest|recommend|answer|reply|write|mention|give|"
    r"propose)\b|\byour (?:answer|reply|suggestion|advice|recommendation|idea)",
    re.I,
)
# The user asks what they asked before: their own past questions and requests are evidence
# then, and only then (otherwise "what's my dog called?" comes back as if it said something).
I_ASKED = re.compile(
    r"\b(?:I|we)(?:'ve| have)? (?:asked|wondered|wanted to know|inquired|enquired|queried)\b|"
    r"\bdid (?:I|we) (?:ask|wonder|want to know|request)\b|\b(?:I|we)(?:'ve| have)? requested\b|"
    r"\b(?:my|our) (?:last |earlier |previous )?(?:questions?|requests?)\b",
    re.I,
)
_LABEL = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}: ")  # "Caroline: …" (a turn recorded with its speaker)


# A sentence that asks the assistant for something ("Tell me about myself.", "Give me a recipe",
# "Please write a haiku about autumn"): like a question, it says nothing of the user. Not the
# ones that hand something over to keep ("Remember that …", "Note …").
REQUEST = re.compile(
    r"^(?:(?:ok(?:ay)?|so|now|and|hey|hi|please)[,!]? )*(?:(?:can|could|would|will) you (?:please )?)?"
    r"(?:tell|give|show|write|explain|describe|list|suggest|recommend|find|help|summari[sz]e|translate|"
    r"draft|generate|create|compose|search|look up|calculate|define|brainstorm|teach|rewrite|compare|"
    r"convert|outline)\b",
    re.I,
)


def only_asks(text: str) -> bool:
    """Is ``text`` nothing but questions and requests to the assistant ("What's my dog
    called?", "How was Rome? Did you go to the Vatican?", "Tell me about myself."), stating
    nothing?"""
    body = _LABEL.sub("", text.strip(), count=1)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?…])\s+|\n+", body) if s.strip()]
    return bool(sentences) and all(s.endswith("?") or REQUEST.match(s) for s in sentences)


# "I" and "me", less the idioms of a request: "how do I …", "give me …", "show me …".
_I = re.compile(r"\b(?:I|me)\b", re.I)
GENERIC_I = re.compile(
    r"\bhow (?:do|can|could|should|would|might) I\b|\b(?:give|tell|show|send|help|let|get|find|"
    r"write|make|bring|teach|explain to|lend|draw|fetch) me\b",
    re.I,
)
# A capitalised word right after a lower-case one: a name mid-sentence ("see Hannah"), not a
# sentence's first word, a heading or a table cell.
NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+(?:[- ][A-Z][a-z]+)*\b")
# People in the user's life. A message about one of them ("a friend of mine got hired at …",
# "my neighbour's beagle …") is weighed down when the question is about the user alone
# ("where do I work?"), not when it names them ("where does my sister live?").
_PEOPLE = (
    r"friend|neighbou?r|cousin|brother|sister|sibling|mum|mom|mother|dad|father|parent|boss|manager|colleague|"
    r"co-?worker|flatmate|roommate|housemate|partner|wife|husband|son|daughter|kid|child|aunt|uncle|niece|"
    r"nephew|grandma|grandpa|grandmother|grandfather|in-law|classmate|teammate|girlfriend|boyfriend"
)
PEOPLE = re.compile(rf"\b(?:{_PEOPLE})s?\b", re.I)
ABOUT_OTHERS = re.compile(
    rf"^(?:[\w ]{{0,20}}[,:] ?|also |so |and )?(?:my|our|a|an|the|one of my|some)\b(?: \w+){{0,2}}? "
    rf"(?:{_PEOPLE})s?(?:'s| of mine| of ours)?\b",
    re.I,
)
# ... unless the user takes part in it ("my colleague got me into bouldering, we go …").
WITH_USER = re.compile(r"\b(?:I|me|we|us)\b|\b(?:I|we)'", re.I)
# Words that ask for every past value; the ones about the past open the gate too ("each"
# in "how many moons each planet has" does not).
_PAST = r"previous|past|earlier|history|ever|before|used to|over time"
ALL_VALUES = re.compile(rf"\b(all|every|each|{_PAST})\b", re.I)
PAST = re.compile(rf"\b({_PAST})\b", re.I)
_NUM = rf"{DIGITS}|{ARTICLE}|{one_of(CARDINALS)}|{HALF}"
_AGO = re.compile(
    rf"\b(?P<n>{_NUM})(?P<half> and a half)? (?P<u>minute|min|hour|day|week)s?"
    rf"(?:,? (?:and )?(?P<n2>{_NUM}) (?P<u2>minute|min|second)s?)? ago\b",
    re.I,
)
_WORDS = {**ARTICLES, **CARDINALS}


def _count(word: str) -> float:
    word = word.lower()
    if word.startswith("half"):
        return 0.5
    return float(word) if word.isdigit() else float(_WORDS.get(word, 1))


@dataclass(frozen=True)
class Recalled:
    record: Record
    score: float
    earlier: bool = False  # a superseded value, recalled because every past value was asked for
    timely: bool = False  # said at the moment the question asks about
    listed: bool = False  # part of a subject's history that the question asks for in full
    text: str | None = None  # the part of a long episode the question is about (None: all of it)


def time_target(query: str, now: float) -> tuple[float, float] | None:
    """(moment, tolerance in seconds) for "about 2 hours 13 minutes ago", else None."""
    m = _AGO.search(query)
    if m:
        seconds = (_count(m["n"]) + (0.5 if m["half"] else 0)) * SECONDS[m["u"].lower()]
        if m["n2"]:
            seconds += _count(m["n2"]) * SECONDS[m["u2"].lower()]
        return now - seconds, max(600.0, seconds * 0.15)
    if re.search(r"\byesterday\b", query, re.I):
        return now - 86400, 43200
    return None


# The index stems "visited" to "visit" but cannot take "went" to "go": a question's irregular
# verb brings its other forms along ("when did I go to …" finds "went to Marta's wedding").
_IRREGULAR = """go went gone|buy bought|get got gotten|see saw seen|take took taken|make made|meet met|give gave given|
come came|find found|leave left|think thought|bring brought|teach taught|catch caught|fly flew flown|drive drove driven|
ride rode ridden|eat ate eaten|drink drank drunk|write wrote written|run ran|swim swam swum|sing sang sung|
begin began begun|win won|lose lost|sell sold|pay paid|send sent|spend spent|build built|feel felt|keep kept|
sleep slept|hear heard|say said|speak spoke spoken|break broke broken|choose chose chosen|fall fell fallen|
forget forgot forgotten|grow grew grown|wear wore worn|steal stole stolen|throw threw thrown|draw drew drawn|
hold held|stand stood|sit sat|become became|fight fought|lend lent|hang hung|shoot shot|lead led|feed fed|
hide hid hidden|shake shook shaken|blow blew blown|freeze froze frozen|wake woke woken|dig dug|stick stuck|
tear tore torn|forgive forgave forgiven|understand understood|sweep swept|deal dealt|swing swung"""
FORMS = {w: group.split() for group in _IRREGULAR.replace("\n", "").split("|") for w in group.split()}


def keywords(query: str) -> str:
    words = re.findall(r"[\w']+", re.sub(r"'s\b", "", query.lower()))
    kept = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return " ".join(dict.fromkeys(kept + [f for w in kept for f in FORMS.get(w, ())]))


def without_common(query: str, records: Records) -> str:
    """``query`` less the words that most memories hold (see COMMON_SHARE); unchanged when
    nothing would be left to search by."""
    common = records.in_more_than(keywords(query).split(), COMMON_SHARE, COMMON_LEAST)
    if not common:
        return query
    kept = [w for w in query.split() if re.sub(r"'s$", "", re.sub(r"[^\w']", "", w.lower())) not in common]
    return " ".join(kept) if keywords(" ".join(kept)) else query


def word_search(records: Records, words: str) -> list[tuple[int, float]]:
    """The memories holding any of ``words``, best first by BM25. A word more than
    RANKED_UP_TO memories hold weighs little by BM25's own measure, rarity, and costs the
    most to rank: it is searched only when the rarer words find fewer than a full list (at
    100k memories, "… my X get Y?" ranked 4,000 to 9,000 memories for "get" and its forms,
    8 to 26 ms). Stores smaller than RANKED_UP_TO never leave a word out."""
    if not words:
        return []
    frequent = records.frequent(words.split(), RANKED_UP_TO)
    rare = " ".join(w for w in words.split() if w not in frequent)
    if frequent and rare:
        hits = records.fts(rare, WORD_HITS)
        if len(hits) == WORD_HITS:
            return hits
    return records.fts(words, WORD_HITS)


def speaker(text: str) -> str | None:
    """The first name of the label a turn was recorded with ("Ana Lima: …" -> "Ana")."""
    m = _LABEL.match(text)
    return m.group(0).split()[0].rstrip(":") if m else None


def personal(query: str) -> bool:
    """Does the message speak of the user (beyond "how do I …", "give me …")?"""
    if PERSONAL.search(query):
        return True
    return len(_I.findall(query)) > len(GENERIC_I.findall(query))


def names(text: str) -> list[str]:
    """Capitalised words that are not a sentence's first: people, places, things."""
    return [n for n in NAME.findall(text) if n not in ("I", "I'm")]


def shared_ranks(ranking: list[tuple[int, float]]) -> list[int]:
    """Ranks in which equal scores share one place: the same words said many times ("Sounds
    good!") score the same, and count once instead of pushing everything else down."""
    ranks: list[int] = []
    place = -1
    for i, (_, score) in enumerate(ranking):
        if i == 0 or score != ranking[i - 1][1]:
            place += 1
        ranks.append(place)
    return ranks


def about_others(text: str) -> bool:
    """Is the message about someone in the user's life, without the user in it?"""
    m = ABOUT_OTHERS.match(text)
    return m is not None and not WITH_USER.search(text, m.end())


_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def _filler(sentence: str) -> bool:
    """A question back to the other speaker or a short exclamation ("How about you?", "Wow,
    that's great!"): what a long turn can lose without losing what it says."""
    return sentence.endswith("?") or (sentence.endswith("!") and len(sentence.split()) <= FILLER_WORDS)


def focus(text: str, query: str) -> str | None:
    """The part of a long turn that ``query`` is about, or None to quote all of it (see
    ``_focus``)."""
    return _focus(text, _stems(query))


def _stems(query: str) -> set[str]:
    """The question's words as ``_focus`` compares them (their first STEM letters)."""
    return {w[:STEM] for w in keywords(query).split()}


_WORD = re.compile(r"[\w']+")


def _focus(text: str, stems: set[str]) -> str | None:
    """The part of a long turn that a question (its words' ``stems``) is about (None: all of it): from the
    first sentence holding one of the question's words to the one after the last (what answers
    often follows what names the subject), less the fillers between; where no sentence holds
    one, the longest and the one after it. Measured with `mnemo eval recall --locomo`: the
    block 29 % shorter for the same turns found."""
    m = _LABEL.match(text)
    label, body = (m.group(0), text[m.end() :]) if m else ("", text)
    parts = [p for p in _SENTENCE.split(body.strip()) if p]
    if len(parts) < FOCUS_LEAST:
        return None
    hits = [i for i, p in enumerate(parts) if stems & {w[:STEM] for w in _WORD.findall(p.lower())}]
    if not hits:
        hits = [max(range(len(parts)), key=lambda i: len(parts[i]))]
    last = min(hits[-1] + 1, len(parts) - 1)
    kept = [i for i in range(hits[0], last + 1) if i in hits or not _filler(parts[i])] or hits
    if len(kept) == len(parts):
        return None
    return label + " ".join(parts[i] for i in kept)


# Relative dates in a recalled turn, resolved against the day it was said ("I went yesterday",
# said on 8 May 2023: "yesterday (7 May 2023)"): the block gives each note's age, but "when did
# she go?" asks for the day, and a small model gets the arithmetic wrong.
_RELATIVE = re.compile(
    rf"\b(?:(?P<ago>(?P<n>{DIGITS}|{ARTICLE}|{one_of(CARDINALS)}) (?P<u>day|week|month|year)s? ago)|"
    r"(?P<word>yesterday|today|tonight|this morning|this afternoon|this evening|last night|"
    r"last weekend|last week|last month|last year))\b",
    re.I,
)


def _day(t: datetime) -> str:
    return f"{t.day} {t:%B %Y}"


def dated(text: str, said_at: float) -> str:
    """``text`` with each relative date followed by the date it means, as of ``said_at``."""
    said = datetime.fromtimestamp(said_at)

    def resolve(m: re.Match[str]) -> str:
        word = (m["word"] or "").lower()
        if m["ago"]:
            n = int(_count(m["n"]))
            unit = m["u"].lower()
            if unit == "day":
                when = _day(said - timedelta(days=n))
            elif unit == "week":
                when = f"the week of {_day(said - timedelta(weeks=n))}"
            elif unit == "month":
                month = said.month - 1 - n
                when = f"{datetime(said.year + month // 12, month % 12 + 1, 1):%B %Y}"
            else:
                when = str(said.year - n)
        elif word == "yesterday" or word == "last night":
            when = _day(said - timedelta(days=1))
        elif word in ("last week", "last weekend"):
            when = f"the {word.split()[1]} before {_day(said)}"
        elif word == "last month":
            when = f"{said.replace(day=1) - timedelta(days=1):%B %Y}"
        elif word == "last year":
            when = str(said.year - 1)
        else:  # today, tonight, this morning …
            when = _day(said)
        return f"{m[0]} ({when})"

    return _RELATIVE.sub(resolve, text)


def recency(age_s: float) -> float:
    return 1.0 + 0.25 * math.exp(-max(age_s, 0) / (7 * 86400))


def recall(
    records: Records,
    vector_search: Callable[[str], list[tuple[int, float]]] | None,
    similarity: Callable[[str, list[int]], dict[int, float]] | None,
    query: str,
    *,
    now: float,
    exclude_sources: set[int],
    exclude_ids: set[int],
    budget_tokens: int,
    count_many: Callable[[list[str]], list[int]],
    k: int = 12,
    vectors: Callable[[list[int]], dict[int, np.ndarray]] | None = None,
    side_by_side: bool = False,
) -> list[Recalled]:
    """``exclude_sources``: messages the context window holds (their episodes are skipped);
    ``exclude_ids``: memories already in the prompt (the profile) or written by this message;
    ``vectors``: the memories' embeddings, to leave out near copies of what was chosen;
    ``side_by_side``: run the meaning search in a thread beside the word search (worth it
    where the word search is slow, in a large store: see ``search``)."""
    fused: dict[int, float] = {}
    sims: dict[int, float] = {}
    candidates: dict[int, Record] = {}

    def fetch(ids: list[int]) -> None:
        candidates.update((r.id, r) for r in records.many([i for i in ids if i not in candidates]))

    def search(text: str, weight: float = 1.0) -> set[int]:
        """Fuse the vector and the word rankings of ``text`` into ``fused`` and read what they
        found into ``candidates``; return the word hits. ``side_by_side``, the meaning search
        (embedding, then the scan, in numpy) runs beside the word search and the reading of
        its hits (SQLite), each letting go of the GIL: at 100k memories the word search takes
        as long as the embedding and this saved 6 ms a recall; in a small store the two
        threads' wait for the GIL cost 2 to 5 ms more than it saved (`mnemo bench`)."""
        beside = _BESIDE.submit(vector_search, text) if vector_search is not None and side_by_side else None
        found = vector_search(text) if vector_search is not None and beside is None else []
        hits = word_search(records, keywords(text))
        if beside is not None:
            fetch([mid for mid, _ in hits])  # while the meaning search runs
            found = beside.result()
        for rank, (mid, sim) in zip(shared_ranks(found), found):
            sims[mid] = max(sims.get(mid, -1.0), sim * weight)
            fused[mid] = fused.get(mid, 0.0) + weight / (RRF_K + rank)
        for rank, (mid, _) in zip(shared_ranks(hits), hits):
            fused[mid] = fused.get(mid, 0.0) + WORD_WEIGHT * weight / (RRF_K + rank)
        fetch(list(fused))
        return {mid for mid, _ in hits}

    searched = without_common(query, records)
    bm25 = search(searched)
    if similarity is not None and bm25 - set(sims):
        sims.update(similarity(searched, list(bm25 - set(sims))))
    asked_names, about_user = names(query), personal(query)
    named = [n for n in asked_names if records.fts(n, 1)]
    best = max(sims.values(), default=0.0)
    target = time_target(query, now)
    opened = bool(about_user or named or target or PAST.search(query))
    if not (opened or best >= STRONG_SIM):
        return []  # nothing here is about the user or anything memory holds
    # Let in only by a memory very close in meaning ("names for a bakery" / "the bakery ran
    # out of croissants"): only such memories, not what is merely near them.
    only_close = not opened

    # A second hop: names in the best matches lead to what else was said of them ("visit
    # Hannah" -> "Hannah is moving to Lisbon"), weighted below the first.
    floor = max(MIN_SIM, best - SPREAD)
    seeds = sorted(
        (m for m in fused if m in candidates and sims.get(m, 0.0) >= floor), key=lambda m: -sims.get(m, 0.0)
    )[:HOP_SEEDS]
    hop = sorted({n for m in seeds for n in names(candidates[m].text)} - set(asked_names))
    if hop and vector_search is not None:
        search(query + " " + " ".join(hop), weight=0.5)
        bm25 |= {mid for mid, _ in records.fts(" ".join(hop), 50)}  # what names them counts as a word match
    best = max(sims.values(), default=0.0)

    own_words = bool(YOU_SAID.search(query))
    asked_before = bool(I_ASKED.search(query))
    self_only = about_user and not PEOPLE.search(query) and not asked_names
    capitalised = set(re.findall(r"\b[A-Z][\w'-]*", re.sub(r"'s\b", "", query)))  # the first word too
    scored: dict[int, Recalled] = {}
    for mid, base in fused.items():
        r = candidates.get(mid)
        if r is None or r.status != MemoryStatus.ACTIVE or (r.meta.get("generated") and not own_words):
            continue
        sim = sims.get(mid)
        close = sim is not None and sim >= max(MIN_SIM, best - SPREAD)
        worded = mid in bm25 and (sim is None or sim >= MIN_SIM_WITH_WORDS)
        if not (close or worded or r.kind != MemoryKind.EPISODE and sim is not None and sim >= MIN_SIM):
            continue
        if only_close and (sim or 0.0) < STRONG_SIM:
            continue
        if r.kind == MemoryKind.EPISODE and not asked_before and only_asks(r.text):
            continue  # a past question says nothing, unless what was asked is the question
        weight = KIND_WEIGHT.get(r.kind, 1.0)
        if r.kind == MemoryKind.EPISODE and r.meta.get("role") == "assistant":
            weight *= 0.6
        if self_only and r.kind == MemoryKind.EPISODE and about_others(r.text):
            weight *= 0.6
        if r.kind == MemoryKind.EPISODE and speaker(r.text) in capitalised:
            weight *= SPEAKER_WEIGHT
        scored[mid] = Recalled(r, base * weight * recency(now - r.created_at) * (1 + (sim or 0)))

    if target is not None:
        moment, tolerance = target
        near = records.near_time(moment, tolerance)
        near_sims = similarity(query, [r.id for r in near]) if similarity and near else {}

        def fit(r: Record) -> float:
            return (1.0 - abs(r.created_at - moment) / tolerance) + near_sims.get(r.id, sims.get(r.id, 0.0))

        for r in sorted(near, key=fit, reverse=True)[:TIMELY]:
            prior = scored.get(r.id)
            scored[r.id] = Recalled(r, (prior.score if prior else 0.0) + 0.1 * (1 + fit(r)), timely=True)

    if ALL_VALUES.search(query):
        subjects = {x.record.subject for x in scored.values() if x.record.subject}
        for subject in subjects:
            for r in records.history(subject):
                prior = scored.get(r.id)
                scored[r.id] = Recalled(
                    r, prior.score if prior else 0.001, earlier=r.status == MemoryStatus.SUPERSEDED, listed=True
                )

    stale = records.derived_messages(
        [
            x.record.source_message_id
            for x in scored.values()
            if x.record.kind == MemoryKind.EPISODE and x.record.source_message_id
        ]
    )
    chosen: list[Recalled] = []
    seen_text: set[str] = set()
    fact_sources: set[int] = set()
    used = 0
    # What the question asks for outright (every past value, what was said at that time) first.
    # Long turns quoted in part, relative dates resolved (the best few: the rest are seldom
    # reached, and quoted as they are).
    stems = _stems(query)

    def quoted(x: Recalled) -> Recalled:
        part = None if x.listed or x.timely else _focus(x.record.text, stems)
        text = part or x.record.text
        return replace(x, text=dated(text, x.record.created_at) if _RELATIVE.search(text) else part)

    ranked = [
        quoted(x) if i < FOCUS_DEPTH * k and x.record.kind == MemoryKind.EPISODE else x
        for i, x in enumerate(sorted(scored.values(), key=lambda x: (not (x.listed or x.timely), -x.score)))
    ]
    costs = dict(zip((x.record.id for x in ranked), count_many([x.text or x.record.text for x in ranked])))  # one trip
    vecs = vectors([x.record.id for x in ranked if x.record.kind == MemoryKind.EPISODE]) if vectors else {}
    said: list[np.ndarray] = []  # the chosen episodes' vectors
    for item in ranked:
        r = item.record
        in_window = r.kind == MemoryKind.EPISODE and r.source_message_id in exclude_sources
        if (r.id in exclude_ids and not item.listed) or (in_window and not item.timely):
            continue  # the window quotes it already (but not when it was said)
        key = " ".join(r.text.lower().split())
        if key in seen_text or (r.kind == MemoryKind.EPISODE and r.source_message_id in fact_sources | stale):
            continue
        vec = vecs.get(r.id) if r.kind == MemoryKind.EPISODE and not (item.listed or item.timely) else None
        if vec is not None and said and float(np.max(np.array(said) @ vec)) >= NEAR_COPY:
            continue  # the same thing said again in other words adds nothing
        cost = costs[r.id] + 12
        if used + cost > budget_tokens or len(chosen) >= k:
            continue
        used += cost
        seen_text.add(key)
        if vec is not None:
            said.append(vec)
        if r.kind != MemoryKind.EPISODE and r.source_message_id:
            fact_sources.add(r.source_message_id)
        chosen.append(item)
    chosen = [
        c for c in chosen if not (c.record.kind == MemoryKind.EPISODE and c.record.source_message_id in fact_sources)
    ]
    return sorted(chosen, key=lambda x: (x.record.created_at, x.record.id))
