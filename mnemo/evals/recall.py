"""`mnemo eval recall`: does recall find the turns that answer a question, and nothing
when nothing is relevant? Compared with naive search over the same turns, in the same run.

Every conversation of ``recall_data`` is recorded with ``Assistant.observe`` in a home of
its own (real SQLite file, real embedder; the scripted model, since nothing is generated),
each session at its own date. Then each question is asked in a new conversation:
``Assistant.recall(question, k)`` is what would be injected. A question is answered when a
recalled memory comes from an evidence turn (any: one of them; all: every one).

Baselines, one turn a chunk, k each: ``fts`` (SQLite FTS5, the question's words OR-ed,
BM25), ``dense`` (the same MiniLM embedder, cosine) and ``fusion`` (their reciprocal-rank
fusion). They always return k turns, so they inject something for every unrelated prompt.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.evals.recall_data import Conversation, dataset

KINDS = ("single", "multi", "temporal", "preference", "update", "unrelated")
SYSTEMS = ("mnemo", "fts", "dense", "fusion")
RRF_K = 60


class _Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _fts_query(text: str) -> str:
    words = re.findall(r"\w+", text.lower())
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(words))


class Naive:
    """One conversation's turns, searched the naive ways."""

    def __init__(self, texts: list[str], keys: list[Any], encode: Callable[[list[str]], np.ndarray]):
        self.keys = keys
        self.encode = encode
        self.db = sqlite3.connect(":memory:")
        self.db.execute("create virtual table t using fts5(body)")
        self.db.executemany("insert into t(rowid, body) values (?, ?)", list(enumerate(texts)))
        self.vectors = encode(texts)

    def ranked(self, query: str, k: int, depth: int = 50) -> dict[str, list[Any]]:
        """Each naive system's top ``k`` for ``query``; fusion fuses the two rankings to ``depth``."""
        q = _fts_query(query)
        rows = (
            self.db.execute("select rowid from t where t match ? order by rank limit ?", (q, depth)).fetchall()
            if q
            else []
        )
        fts = [self.keys[r[0]] for r in rows]
        sims = self.vectors @ self.encode([query])[0]
        dense = [self.keys[i] for i in np.argsort(-sims)[:depth]]
        scores: dict[Any, float] = defaultdict(float)
        for ranking in (fts, dense):
            for rank, key in enumerate(ranking):
                scores[key] += 1.0 / (RRF_K + rank)
        return {"fts": fts[:k], "dense": dense[:k], "fusion": sorted(scores, key=lambda key: -scores[key])[:k]}


def run(
    *,
    seed: int = 1,
    conversations: int = 6,
    sessions: int = 8,
    turns: int = 24,
    k: int = 10,
    out: Path,
    progress: Callable[[str, int, int], None] | None = None,
    engine_factory: Any = None,
) -> dict[str, Any]:
    """Record, ask, score; returns the figures (see ``summarise``)."""
    from mnemo.assistant import Assistant
    from mnemo.engine import scripted
    from mnemo.memory.embedder import Embedder
    from mnemo.paths import Home

    data = dataset(seed, conversations, sessions, turns)
    embedder = Embedder()  # the baselines' MiniLM, the model mnemo's memory uses
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    for n, conv in enumerate(data):
        home = out / f"home-{n}"
        shutil.rmtree(home, ignore_errors=True)
        clock = _Clock(conv.sessions[0].at)
        with Assistant(Home.resolve(home), engine_factory or scripted.factory(), clock) as assistant:
            assistant.start_memory()
            keys, texts, message_of = _record(assistant, conv, clock)
            assistant.wait_idle(600)
            naive = Naive(texts, keys, embedder.encode)
            clock.now = conv.sessions[-1].at + 3 * 86400
            for question in conv.questions:
                assistant.new_conversation()
                found = assistant.recall(question.text, k=k)
                sources = {m.source_message_id for m in found}
                evidence = {message_of[e] for e in question.evidence}
                row: dict[str, Any] = {
                    "conversation": n,
                    "kind": question.kind,
                    "question": question.text,
                    "injected": {"mnemo": len(found)},
                    "any": {"mnemo": bool(evidence & sources)},
                    "all": {"mnemo": evidence <= sources},
                }
                for system, ranking in naive.ranked(question.text, k).items():
                    got = set(ranking)
                    row["injected"][system] = len(got)
                    row["any"][system] = bool(evidence & got)
                    row["all"][system] = evidence <= got
                results.append(row)
        if progress:
            progress("conversations", n + 1, len(data))
    summary = summarise(results)
    summary.update(
        seed=seed,
        conversations=conversations,
        sessions=sessions,
        turns=turns,
        k=k,
        questions=len(results),
        seconds=round(time.perf_counter() - started, 1),
    )
    return {"summary": summary, "questions": results}


def _record(assistant: Any, conv: Conversation, clock: _Clock) -> tuple[list[int], list[str], dict]:
    """Observe every turn at its session's time; the naive systems index the same turns
    (the user's and the assistant's, each a chunk, keyed by message id)."""
    keys: list[int] = []
    texts: list[str] = []
    message_of: dict[tuple[int, int], int] = {}
    for s, session in enumerate(conv.sessions):
        assistant.new_conversation()
        for t, turn in enumerate(session.turns):
            clock.now = session.at + 90 * t
            user, reply = assistant.observe(turn.user, turn.assistant)
            message_of[(s, t)] = user.id
            keys += [user.id, reply.id]
            texts += [turn.user, turn.assistant]
    return keys, texts, message_of


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """recall@k (any and all evidence) per system, overall and by type; for the unrelated
    prompts, the share with nothing injected and the mean number injected."""
    answerable = [r for r in rows if r["kind"] != "unrelated"]
    unrelated = [r for r in rows if r["kind"] == "unrelated"]
    out: dict[str, Any] = {"systems": {}}
    for system in SYSTEMS:
        figures: dict[str, Any] = {
            "recall_any": _share(r["any"][system] for r in answerable),
            "recall_all": _share(r["all"][system] for r in answerable),
            "by_kind": {kind: _share(r["any"][system] for r in answerable if r["kind"] == kind) for kind in KINDS[:-1]},
            "unrelated_empty": _share(r["injected"][system] == 0 for r in unrelated),
            "unrelated_mean_injected": round(sum(r["injected"][system] for r in unrelated) / len(unrelated), 2)
            if unrelated
            else None,
        }
        out["systems"][system] = figures
    best = max(SYSTEMS[1:], key=lambda s: out["systems"][s]["recall_any"] or 0)
    mnemo, base = out["systems"]["mnemo"], out["systems"][best]
    out["best_naive"] = best
    out["ratio"] = round(mnemo["recall_any"] / base["recall_any"], 2) if base["recall_any"] else None
    out["targets"] = {
        "recall@k >= 1.2x the best naive": bool(out["ratio"] and out["ratio"] >= 1.2),
        # (a type that naive search answers in full cannot be beaten, only matched)
        "every type above the best naive": all(
            (mnemo["by_kind"][kind] or 0) > max(out["systems"][s]["by_kind"][kind] or 0 for s in SYSTEMS[1:])
            or mnemo["by_kind"][kind] == 1.0
            for kind in KINDS[:-1]
            if mnemo["by_kind"][kind] is not None
        ),
        ">= 90% of unrelated prompts with nothing injected": (mnemo["unrelated_empty"] or 0) >= 0.9,
    }
    return out


def _share(values: Any) -> float | None:
    values = list(values)
    return round(sum(bool(v) for v in values) / len(values), 3) if values else None


def table(summary: dict[str, Any]) -> str:
    """The figures as a Markdown table, then the targets."""
    head = "| system | recall@k any | all | " + " | ".join(KINDS[:-1]) + " | unrelated: none injected | mean injected |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for system, f in summary["systems"].items():
        cells = [
            f["recall_any"],
            f["recall_all"],
            *f["by_kind"].values(),
            f["unrelated_empty"],
            f["unrelated_mean_injected"],
        ]
        lines.append(f"| {system} | " + " | ".join("–" if c is None else f"{c:.2f}" for c in cells) + " |")
    lines.append("")
    lines.append(f"mnemo / best naive ({summary['best_naive']}): {summary['ratio']}")
    lines += [f"- [{'x' if ok else ' '}] {name}" for name, ok in summary["targets"].items()]
    return "\n".join(lines)
