"""Runs the LTM benchmark: every agent gets the same long conversation (same model, same
seed, same messages), with distraction between the needles and the questions.

Agents: ``mnemo`` (full memory), ``plain`` (memory off, a short sliding window of the chat)
and ``full-context`` (memory off, the whole history the context holds). Distraction turns
are recorded with ``observe`` (not generated), except while a prospective test waits for
its replies. Each agent works in a home of its own under the output folder, and its
progress is saved after every event, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo.engine import EngineFactory
from mnemo.evals.ltm import Example, Turn, examples
from mnemo.kinds import COMMAND_REPLIES
from mnemo.paths import Home

AGENTS = ("mnemo", "plain", "full-context")
PLAIN_WINDOW = 1024  # tokens of chat history the plain agent keeps
START = 1_800_000_000.0  # the benchmark's clock starts here (2027-01-15)
MAX_TOKENS = 96  # a reply's budget: the answers are short


@dataclass
class Event:
    turn: Turn | None  # None: a distraction turn
    example: int = -1  # index into the examples
    tokens: int = 0  # a distraction turn's size
    attached: bool = False  # follows the previous event with nothing in between


def schedule(exs: list[Example], span_tokens: int, seed: int) -> list[Event]:
    """All examples' turns, randomly interleaved (each example in its own order), with
    distraction filling ``span_tokens`` between them; a prospective request is followed by
    its replies with nothing in between, and each example ends with its reset."""
    rng = random.Random(seed)
    queues = [[*e.turns, *e.reset] for e in exs]
    events: list[Event] = []
    while any(queues):
        i = rng.choice([k for k, q in enumerate(queues) if q])
        turn = queues[i].pop(0)
        events.append(Event(turn, i))
        for _ in range(turn.consecutive):
            events.append(Event(queues[i].pop(0), i, attached=True))
    gaps = len(events)
    out: list[Event] = []
    per_gap = span_tokens / max(gaps, 1)
    owed = 0.0
    for event in events:
        owed += per_gap
        while owed >= 60 and not event.attached:  # distraction turns of about 60-200 tokens
            size = int(min(owed, rng.randint(60, 200)))
            out.append(Event(None, tokens=size))
            owed -= size
        out.append(event)
    return out


def distraction(rng: random.Random, tokens: int) -> tuple[str, str]:
    """A trivia-like exchange of about ``tokens`` tokens, deterministic for the seed."""
    from faker import Faker

    fake = Faker()
    fake.seed_instance(rng.randrange(2**31))
    user = f"Quick question about {fake.job().lower()}s in {fake.city()}: {fake.sentence(nb_words=10)}"
    words: list[str] = []
    while len(words) * 1.3 < tokens - len(user.split()) * 1.3:
        words += fake.sentence(nb_words=12).split()
    return user, " ".join(words) or fake.sentence()


class Clock:
    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _open(agent: str, home: Path, model: str | None, clock: Clock, engine_factory: EngineFactory | None):
    from mnemo.assistant import Assistant

    return Assistant.open(
        home=home,
        model=model,
        clock=clock,
        memory=agent == "mnemo",
        engine_factory=engine_factory,
        window_tokens=PLAIN_WINDOW if agent == "plain" else None,
    )


def run_agent(
    agent: str,
    events: list[Event],
    exs: list[Example],
    *,
    model: str | None,
    out: Path,
    seed: int,
    models_file: Path | None = None,
    engine_factory: EngineFactory | None = None,
    progress: Callable[[str, int, int, int], None] | None = None,
) -> dict[str, Any]:
    """Play ``events`` to one agent and score it; resumes from ``out/state-AGENT.json``."""
    home = out / "homes" / agent
    state_file = out / f"state-{agent}.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else None
    if state is None:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        if models_file is not None and models_file.is_file():  # the user's models, in the agent's home
            shutil.copy(models_file, home / "models.toml")
        state = {
            "done": 0,
            "clock": START,
            "replies": {},
            "recall": {},
            "tokens": 0,
            "seconds": 0.0,
            "conversations": {},
        }
    clock = Clock(state["clock"])
    rng = random.Random(f"{seed}-distraction")
    for _ in range(sum(1 for e in events[: state["done"]] if e.turn is None)):
        rng.randrange(2**31)  # the same distraction text after a resume
    a = _open(agent, home, model, clock, engine_factory)
    try:
        if "main" not in state["conversations"]:
            state["conversations"]["main"] = a.new_conversation("ltm benchmark")
        for n, event in enumerate(events[state["done"] :], start=state["done"]):
            started = time.perf_counter()
            if event.turn is None:
                a.use_conversation(state["conversations"]["main"])
                clock.now += 60
                a.observe(*distraction(rng, event.tokens))
            else:
                _send(a, event, exs, clock, state)
            state["seconds"] += time.perf_counter() - started
            state["done"] = n + 1
            state["clock"] = clock.now
            tmp = state_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(state))
            os.replace(tmp, state_file)
            if progress:
                progress(agent, n + 1, len(events), state["tokens"])
    finally:
        a.close()
    return _scores(state, exs)


def _send(a, event: Event, exs: list[Example], clock: Clock, state: dict[str, Any]) -> None:
    turn = event.turn
    assert turn is not None
    convs = state["conversations"]
    if turn.conversation != "main" and turn.conversation not in convs:
        convs[turn.conversation] = a.new_conversation(turn.conversation)
    a.use_conversation(convs[turn.conversation])
    clock.now += turn.minutes * 60 + 30
    reply = a.send(turn.text, max_tokens=MAX_TOKENS)
    state["tokens"] += reply.usage.prompt_tokens - reply.usage.cached_tokens + reply.usage.completion_tokens
    if turn.asks:
        key = str(event.example)
        asked = len(state["replies"].setdefault(key, []))
        state["replies"][key].append(reply.text)
        example = exs[event.example]
        if example.needed_at is not None and asked != example.needed_at:
            return  # this question does not need the evidence
        if reply.finish_reason in COMMAND_REPLIES:  # mnemo answered from memory itself
            seen = reply.text
        else:  # what the model was shown, and what mnemo's own tasks added to its reply
            seen = " ".join([m["content"] for m in (a.last_prompt.messages if a.last_prompt else [])] + reply.tasks)
        found = [w for w in example.evidence if w.lower() in seen.lower()]
        state["recall"].setdefault(key, []).append(len(found) / len(example.evidence))


def _scores(state: dict[str, Any], exs: list[Example]) -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = {}
    for i, ex in enumerate(exs):
        replies = state["replies"].get(str(i), [])
        recall = state["recall"].get(str(i), [])
        entry = types.setdefault(ex.type, {"examples": []})
        entry["examples"].append(
            {
                "name": ex.name,
                "score": round(ex.score(replies), 4),
                "context_recall": round(sum(recall) / len(recall), 4) if recall else 0.0,
                "replies": replies,
            }
        )
    for entry in types.values():
        scores = [e["score"] for e in entry["examples"]]
        recalls = [e["context_recall"] for e in entry["examples"]]
        entry["score"] = round(sum(scores) / len(scores), 4)
        entry["context_recall"] = round(sum(recalls) / len(recalls), 4)
    return {
        "total": round(sum(t["score"] for t in types.values()), 4),
        "max": len(types),
        "context_recall": round(sum(t["context_recall"] for t in types.values()) / max(len(types), 1), 4),
        "tokens": state["tokens"],
        "seconds": round(state["seconds"], 1),
        "tokens_per_s": round(state["tokens"] / state["seconds"], 1) if state["seconds"] else None,
        "types": types,
    }


def dry_run_factory() -> EngineFactory:
    """mnemo's scripted stand-in model for every agent: a dry run checks the memory side."""
    from mnemo.engine import scripted

    return scripted.factory()


def run(
    *,
    span_tokens: int,
    seed: int,
    agents: list[str],
    model: str | None,
    types: list[str],
    per_type: int,
    out: Path,
    progress: Callable[[str, int, int, int], None] | None = None,
    engine_factory: EngineFactory | None = None,
    home: Home,
) -> dict[str, Any]:
    """Run the benchmark; ``engine_factory`` (e.g. the scripted engine's, for a dry run)
    replaces the models the agents would load. ``home``'s models.toml (the user's, as the
    CLI resolved it) is copied into each agent's home."""
    out.mkdir(parents=True, exist_ok=True)
    exs = examples(seed, types, per_type)
    events = schedule(exs, span_tokens, seed)
    config = {
        "benchmark": "ltm",
        "span_tokens": span_tokens,
        "seed": seed,
        "agents": agents,
        "model": model,
        "types": types,
        "examples_per_type": per_type,
        "events": len(events),
        "plain_window_tokens": PLAIN_WINDOW,
    }
    results: dict[str, Any] = {"config": config, "agents": {}}
    models_file = home.user_models_file
    for agent in agents:  # each in a home of its own
        results["agents"][agent] = run_agent(
            agent,
            events,
            exs,
            model=model,
            out=out,
            seed=seed,
            models_file=models_file,
            engine_factory=engine_factory,
            progress=progress,
        )
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results
