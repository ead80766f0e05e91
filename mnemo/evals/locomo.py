"""`mnemo eval recall --locomo FILE`: recall measured on real long conversations.

FILE is in the format of LoCoMo's ``locomo10.json`` (Maharana et al., ACL 2024): a list of
conversations, each with ``conversation.session_N`` (turns: ``speaker``, ``dia_id``,
``text``, perhaps ``blip_caption`` for a shared photo), ``session_N_date_time`` ("1:56 pm on
8 May, 2023"), and ``qa`` (``question``, ``category``, ``evidence``: the ``dia_id``s that
hold the answer). mnemo ships no such file; users bring their own.

Each conversation is recorded in a home of its own: every session a conversation at its
date, every turn observed as said ("Speaker: text"). Then each question is asked in a new
conversation, three days after the last session: ``Assistant.recall(question, k)`` is what
would be injected, and the question is answered when a recalled memory comes from an
evidence turn (any: one of them; all: every one).

The naive systems search the same turns, one turn a chunk (``recall.Naive``: FTS5 BM25,
MiniLM cosine, their fusion), two ways: ``@budget``, as many of their top turns as fit in
the tokens mnemo's recall returned for that question (so a bigger grain or a longer block
earns nothing by itself), and ``@k``, their top k turns whatever their length.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mnemo.errors import BadInput
from mnemo.evals.recall import Naive, _Clock, _share

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}  # 5: adversarial, no evidence
NAIVE = ("fts", "dense", "fusion")
SYSTEMS = ("mnemo", *(f"{s}@budget" for s in NAIVE), *(f"{s}@k" for s in NAIVE))
TURN_GAP = 60.0  # seconds between turns within a session


@dataclass(frozen=True)
class Turn:
    key: tuple[int, int]  # (session, turn) as LoCoMo numbers them: D3:7 is (3, 7)
    speaker: str
    text: str  # as recorded: "Speaker: text", a shared photo's caption after it


@dataclass(frozen=True)
class Session:
    at: float
    turns: list[Turn]


@dataclass(frozen=True)
class Question:
    text: str
    category: str
    evidence: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Dialogue:
    name: str
    sessions: list[Session]
    questions: list[Question]


def _dia_ids(value: Any) -> set[tuple[int, int]]:
    """LoCoMo's evidence ids as written, quirks included: "D3:7", "D30:05", "D9:1 D4:4" in one
    string, "D:11:26"."""
    found = set()
    for item in value if isinstance(value, list) else [value]:
        for s, t in re.findall(r"D:?(\d+):(\d+)", str(item)):
            found.add((int(s), int(t)))
    return found


def _when(text: str) -> float:
    """ "1:56 pm on 8 May, 2023" as a local timestamp."""
    cleaned = re.sub(r"\s+", " ", text.strip())
    return datetime.strptime(cleaned, "%I:%M %p on %d %B, %Y").timestamp()


def load(path: Path) -> list[Dialogue]:
    """Read a LoCoMo-format file; a question whose evidence names no turn of its dialogue is
    left out (it could be answered by no system)."""
    try:
        return _load(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BadInput(f"{path}: cannot be read as JSON ({e})") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise BadInput(f"{path}: not in LoCoMo's format ({type(e).__name__}: {e})") from None


def _load(raw: Any) -> list[Dialogue]:
    dialogues = []
    for n, item in enumerate(raw):
        conv = item["conversation"]
        sessions, keys = [], set()
        numbers = sorted(int(m[1]) for k in conv if (m := re.fullmatch(r"session_(\d+)", k)))
        for s in numbers:
            turns = []
            for t in conv[f"session_{s}"]:
                key = next(iter(_dia_ids(t["dia_id"])), None)
                if key is None:
                    continue
                text = f"{t['speaker']}: {t['text']}"
                if t.get("blip_caption"):
                    text += f" [shares a photo: {t['blip_caption']}]"
                turns.append(Turn(key, t["speaker"], text))
                keys.add(key)
            sessions.append(Session(_when(conv[f"session_{s}_date_time"]), turns))
        questions = []
        for q in item.get("qa", []):
            category = CATEGORIES.get(q.get("category"))
            evidence = frozenset(_dia_ids(q.get("evidence", [])) & keys)
            if category and evidence:
                questions.append(Question(q["question"], category, evidence))
        dialogues.append(Dialogue(item.get("sample_id", f"conversation-{n + 1}"), sessions, questions))
    return dialogues


def tokens(text: str) -> int:
    """The token budget's measure, the same for every system: words and punctuation marks."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def _within(ranking: list[Any], cost: dict[Any, int], budget: int) -> list[Any]:
    """The top of ``ranking`` that fits in ``budget`` tokens (never past the first that does not)."""
    taken, used = [], 0
    for key in ranking:
        if used + cost[key] > budget:
            break
        taken.append(key)
        used += cost[key]
    return taken


def run(
    path: Path,
    *,
    conversations: int | None = None,
    k: int = 10,
    out: Path,
    progress: Callable[[str, int, int], None] | None = None,
    engine_factory: Any = None,
) -> dict[str, Any]:
    """Record, ask, score; returns ``{"summary": ..., "questions": [...]}``."""
    from mnemo.assistant import Assistant
    from mnemo.engine import scripted
    from mnemo.memory.embedder import Embedder
    from mnemo.paths import Home

    data = load(path)[:conversations]
    embedder = Embedder()  # the naive systems' MiniLM, the model mnemo's memory uses
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    for n, dialogue in enumerate(data):
        home = out / f"home-{n}"
        shutil.rmtree(home, ignore_errors=True)
        clock = _Clock(dialogue.sessions[0].at)
        with Assistant(Home.resolve(home), engine_factory or scripted.factory(), clock) as assistant:
            assistant.start_memory()
            turn_of: dict[int, tuple[int, int]] = {}  # message id -> LoCoMo turn
            for session in dialogue.sessions:
                assistant.new_conversation()
                for t, turn in enumerate(session.turns):
                    clock.now = session.at + TURN_GAP * t
                    user, _ = assistant.observe(turn.text, "")
                    turn_of[user.id] = turn.key
            assistant.wait_idle(1800)
            turns = [t for s in dialogue.sessions for t in s.turns]
            cost = {t.key: tokens(t.text) for t in turns}
            naive = Naive([t.text for t in turns], [t.key for t in turns], embedder.encode)
            clock.now = dialogue.sessions[-1].at + 3 * 86400
            for question in dialogue.questions:
                assistant.new_conversation()
                found = assistant.recall(question.text, k=k)
                budget = sum(tokens(m.text) for m in found)
                got: dict[str, set[Any]] = {
                    "mnemo": {turn_of[m.source_message_id] for m in found if m.source_message_id in turn_of}
                }
                for system, ranking in naive.ranked(question.text, k=len(turns)).items():
                    got[f"{system}@budget"] = set(_within(ranking, cost, budget))
                    got[f"{system}@k"] = set(ranking[:k])
                results.append(
                    {
                        "conversation": dialogue.name,
                        "category": question.category,
                        "question": question.text,
                        "budget_tokens": budget,
                        "injected": {s: len(g) for s, g in got.items()},
                        "any": {s: bool(question.evidence & g) for s, g in got.items()},
                        "all": {s: question.evidence <= g for s, g in got.items()},
                    }
                )
        if progress:
            progress("conversations", n + 1, len(data))
    summary = summarise(results)
    summary.update(
        file=str(path),
        conversations=len(data),
        k=k,
        questions=len(results),
        seconds=round(time.perf_counter() - started, 1),
    )
    return {"summary": summary, "questions": results}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """recall@k (any and all evidence) per system, overall and by category; mnemo against
    the best naive system at the same token budget."""
    out: dict[str, Any] = {"systems": {}}
    for system in SYSTEMS:
        out["systems"][system] = {
            "recall_any": _share(r["any"][system] for r in rows),
            "recall_all": _share(r["all"][system] for r in rows),
            "by_category": {
                c: _share(r["any"][system] for r in rows if r["category"] == c) for c in CATEGORIES.values()
            },
            "mean_injected": round(sum(r["injected"][system] for r in rows) / len(rows), 2) if rows else None,
        }
    budgeted = [f"{s}@budget" for s in NAIVE]
    best = max(budgeted, key=lambda s: out["systems"][s]["recall_any"] or 0)
    mnemo, base = out["systems"]["mnemo"], out["systems"][best]
    out["best_naive"] = best
    out["ratio"] = round(mnemo["recall_any"] / base["recall_any"], 2) if base["recall_any"] else None
    out["targets"] = {
        "recall@k >= 1.2x the best naive at the same budget": bool(out["ratio"] and out["ratio"] >= 1.2),
        "every category at or above the best naive": all(
            (mnemo["by_category"][c] or 0) >= max(out["systems"][s]["by_category"][c] or 0 for s in budgeted)
            for c in CATEGORIES.values()
            if mnemo["by_category"][c] is not None
        ),
    }
    return out


def table(summary: dict[str, Any]) -> str:
    """The figures as a Markdown table, then the targets."""
    names = list(CATEGORIES.values())
    head = "| system | recall@k any | all | " + " | ".join(names) + " | mean injected |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for system, f in summary["systems"].items():
        cells = [f["recall_any"], f["recall_all"], *f["by_category"].values(), f["mean_injected"]]
        lines.append(f"| {system} | " + " | ".join("–" if c is None else f"{c:.2f}" for c in cells) + " |")
    lines.append("")
    lines.append(f"mnemo / best naive at the same budget ({summary['best_naive']}): {summary['ratio']}")
    lines += [f"- [{'x' if ok else ' '}] {name}" for name, ok in summary["targets"].items()]
    return "\n".join(lines)
