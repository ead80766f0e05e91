"""A deterministic stand-in model: for tests, ``mnemo bench``'s chat-app figure and dry runs
of the evaluations, wherever the behaviour under test does not depend on what a model says.

It answers ``Echo: <the user's words>`` (the last user message, after any memory block),
one token per word, counts one token per word plus four per message of template, and can
be told to go at a given speed, to stall before its first token, to add words, or to die
after some tokens the way a crashed model process does (``BackendError``). A models.toml
entry with ``kind = "scripted"`` gets one with the defaults.

For tool calls it can be told its ``family`` (the call syntax its "template" teaches) and a
``script``: the raw texts of its next replies, one per generation, streamed four characters
at a time (so call markers arrive split); ``call_text`` writes a family's raw call. When
the script is used up it echoes again: after a tool result, "Echo: <the result>".
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Generator
from typing import Any

from mnemo.config import ModelSpec, Sampling
from mnemo.engine import Engine, Generation, Message, Tool
from mnemo.errors import BackendError
from mnemo.kinds import Finish

PER_MESSAGE = 4


class ScriptedEngine(Engine):
    backend = "cpu"
    gpu_layers = 0

    def __init__(
        self,
        spec: ModelSpec,
        *,
        n_ctx: int | None = None,
        rate: float | None = None,
        words: int = 0,
        paragraph: int = 0,
        stall: float = 0.0,
        crash_after: int | None = None,
        json_reply: str = '{"facts": []}',
        family: str | None = None,
        script: list[str] | tuple[str, ...] = (),
        grammar_body: str | None = None,
    ):
        self.spec = spec
        self.n_ctx = n_ctx or spec.n_ctx or 4096
        self.rate = rate  # tokens a second; None: as fast as it can
        self.words = words  # extra words after the echo: a longer reply
        self.paragraph = paragraph  # every this many words a new paragraph (Markdown to render)
        self.stall = stall  # seconds before the first token
        self.crash_after = crash_after  # tokens after which it dies
        self.json_reply = json_reply
        self.calls = 0  # replies asked of it
        self.family = family
        self.script = list(script)  # raw replies still to write, in order
        self.seen: list[tuple[list[Message], list[Tool] | None]] = []  # what each reply was given
        # grammar_body: it stands for a local model writing a call's body under a grammar
        # (constrained_calls): what complete_after returns; ``after`` records (prefix, schema)
        self.grammar_body = grammar_body
        self.constrained_calls = grammar_body is not None
        self.after: list[tuple[str, dict]] = []
        self.closed = False

    @property
    def alive(self) -> bool:
        return not self.closed

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    @property
    def call_family(self) -> str | None:
        return self.family

    def count_prompt(self, messages: list[Message]) -> int:
        return sum(PER_MESSAGE + self.count_tokens(m.get("content") or "") for m in messages)

    def reply_words(self, messages: list[Message]) -> list[str]:
        last = (messages[-1].get("content") or "").split("</memory>")[-1].strip()
        return ["Echo:"] + last.split()[:200] + [f"w{i}" for i in range(self.words)]

    def stream(
        self,
        messages: list[Message],
        sampling: Sampling,
        max_tokens: int | None = None,
        tools: list[Tool] | None = None,
        stop: threading.Event | None = None,
    ) -> Generator[str | Generation, None, None]:
        self.calls += 1
        self.seen.append(([dict(m) for m in messages], tools))
        limit = max_tokens or sampling.max_tokens
        stop = stop or threading.Event()
        if self.script:
            raw = _before_stop(self.script.pop(0), sampling.stop)
            pieces = re.findall(r".{1,4}", raw, re.S)
            yield from self._write(pieces, limit, messages, stop, joined=True)
            return
        pieces = _before_stop(" ".join(self.reply_words(messages)), sampling.stop).split()
        yield from self._write(pieces, limit, messages, stop)

    def _write(
        self, pieces: list[str], limit: int, messages: list[Message], stop: threading.Event, joined: bool = False
    ) -> Generator[str | Generation, None, None]:
        finish = Finish.LENGTH if len(pieces) > limit else Finish.STOP
        if self.stall and stop.wait(self.stall):  # the stall is its prompt reading: a stop ends it
            return
        start = time.perf_counter()
        out: list[str] = []
        for i, word in enumerate(pieces[:limit]):
            if stop.is_set():
                return
            if self.crash_after is not None and i >= self.crash_after:
                self.closed = True
                raise BackendError(f"llama.cpp crashed (SIGSEGV) while generating with '{self.spec.name}' (scripted)")
            if self.rate:
                delay = start + (i + 1) / self.rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            gap = "\n\n" if self.paragraph and i % self.paragraph == 0 else " "
            piece = word if i == 0 or joined else gap + word
            out.append(piece)
            yield piece
        yield Generation("".join(out), finish, self.count_prompt(messages), len(out), 0)

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> str:
        return self.json_reply

    def complete_after(
        self, messages: list[Message], prefix: str, schema: dict, tools: list[Tool] | None = None, max_tokens: int = 512
    ) -> str:
        if self.grammar_body is None:
            raise NotImplementedError("this scripted engine writes no calls under a grammar (grammar_body)")
        self.after.append((prefix, schema))
        return self.grammar_body

    def close(self) -> None:
        self.closed = True


def call_text(family: str, name: str, arguments: dict[str, Any] | None = None) -> str:
    """A call as a model of ``family`` writes it (mnemo.tools.calls reads each of these)."""
    args = arguments or {}
    if family == "hermes":
        return f"<tool_call>\n{json.dumps({'name': name, 'arguments': args})}\n</tool_call>"
    if family == "llama3":
        return json.dumps({"name": name, "parameters": args})
    if family == "phi4":
        return f"<|tool_call|>{json.dumps([{'name': name, 'arguments': args}])}<|/tool_call|>"
    if family == "granite":
        return f"<|tool_call|>{json.dumps([{'name': name, 'arguments': args}])}"
    if family == "mistral":
        return f"[TOOL_CALLS]{json.dumps([{'name': name, 'arguments': args}])}"
    raise ValueError(f"no call syntax for family {family!r}")


def factory(**options: object):
    """An engine factory making scripted engines with these options; the engines it made are
    in its ``made`` list (the last one is the Assistant's current model)."""
    made: list[ScriptedEngine] = []

    def make(spec: ModelSpec) -> ScriptedEngine:
        engine = ScriptedEngine(spec, **options)  # type: ignore[arg-type]
        made.append(engine)
        return engine

    make.made = made  # type: ignore[attr-defined]
    return make


def _before_stop(text: str, stops: tuple[str, ...]) -> str:
    """What a model writes before the first of its stop strings (llama.cpp's ``stop``)."""
    cuts = [i for i in (text.find(s) for s in stops) if i >= 0]
    return text[: min(cuts)].rstrip() if cuts else text
