"""A scripted engine for UI tests that are about the UI; the rest of mnemo is real
(config, SQLite store, memory, the Assistant)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from mnemo.engine import Engine, Generation


class ScriptedEngine(Engine):
    """Answers "Echo: <message>" (its first 200 words) word by word, ``delay`` seconds per word."""

    delay = 0.002
    words = 0  # a longer reply: this many extra words
    calls = 0

    def __init__(self, spec):
        self.spec = spec
        self.n_ctx = 4096
        self.backend = "cpu"
        self.gpu_layers = 0

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def count_prompt(self, messages) -> int:
        return sum(4 + self.count_tokens(m["content"]) for m in messages)

    def stream(self, messages, sampling, max_tokens=None) -> Iterator[str | Generation]:
        type(self).calls += 1
        last = messages[-1]["content"].split("</memory>")[-1].strip()
        pieces = ["Echo:"] + last.split()[:200] + [f"w{i}" for i in range(type(self).words)]
        out = []
        for i, piece in enumerate(pieces):
            time.sleep(type(self).delay)
            text = piece if i == 0 else " " + piece
            out.append(text)
            yield text
        yield Generation("".join(out), "stop", self.count_prompt(messages), len(pieces), 0)

    def complete_json(self, messages, schema, max_tokens=256) -> str:
        return '{"facts": []}'


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0  # 2027-01-15 08:00 UTC

    def __call__(self):
        return self.now


@pytest.fixture
def scripted(monkeypatch, home):
    """The scripted engine, reset; ``make_app`` gives it to the Assistant as its engine factory."""
    ScriptedEngine.delay = 0.002
    ScriptedEngine.words = 0
    ScriptedEngine.calls = 0
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return ScriptedEngine


@pytest.fixture
def make_app(scripted, home):
    from mnemo.assistant import Assistant
    from mnemo.tui.app import MnemoApp

    def make(memory: bool = True, clock=None, engine_factory=None, **kwargs):
        clock = clock or Clock()
        factory = engine_factory or scripted
        return MnemoApp(lambda: Assistant.open(memory=memory, clock=clock, engine_factory=factory), **kwargs)

    return make
