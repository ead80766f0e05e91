"""Model backends behind one small interface.

``open_engine(spec)`` is the default engine factory the Assistant is given: a local GGUF
model runs in a process of its own (``process.ChildEngine``; llama.cpp is never loaded
into mnemo's process), an ``openai`` entry talks to a server (``remote.RemoteEngine``).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from mnemo.config import ModelSpec, Sampling
from mnemo.engine import probe
from mnemo.kinds import EngineKind
from mnemo.paths import Home

# {"role": ..., "content": ...}; an assistant message may carry "tool_calls" ([{"type": "function",
# "function": {"name", "arguments": {...}}}]) and a "tool" message a "name" (OpenAI's shape,
# which the chat templates read)
Message = dict[str, Any]
Tool = dict[str, Any]  # {"type": "function", "function": {"name", "description", "parameters"}}


@dataclass(frozen=True)
class Generation:
    """What a finished (or stopped) generation produced, after its text deltas."""

    text: str
    finish_reason: str  # a kinds.Finish: STOP, LENGTH or STOPPED (cancelled by the caller)
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int


class Engine(ABC):
    spec: ModelSpec
    n_ctx: int
    backend: str  # "cpu", "cuda", "metal", "vulkan", "remote", ...
    gpu_layers: int
    notice: str | None = None  # why the model runs where it runs, for the user to see once

    @property
    def alive(self) -> bool:
        """False once the model's process has died or the engine was closed."""
        return True

    template_source: str = ""  # where the chat template came from (local models): "gguf", "models.toml", ...

    @property
    def ready(self) -> bool:
        """False while the model still loads. Reading an attribute never waits: those that
        the loaded model tells (n_ctx, backend, gpu_layers, notice, buffers, template_source,
        load_seconds) are read after ``wait_ready``; before it they raise RuntimeError."""
        return True

    setup: probe.Setup = probe.Setup()  # how llama.cpp loads the model on this machine (local models)

    @property
    def buffers(self) -> dict[str, float]:
        """llama.cpp's buffer types holding the weights, in MiB (local models; empty elsewhere)."""
        return {}

    @property
    def load_seconds(self) -> float:
        return 0.0

    def info(self) -> dict[str, Any]:
        """What the backend says of itself (a local model: llama.cpp's system info, its process)."""
        return {}

    def prompt_tokens(self, messages: list[Message]) -> list[int]:
        """The token ids of the whole chat prompt (local models)."""
        raise NotImplementedError

    def wait_ready(self) -> None:
        """Block until the model is loaded; raise what stopped it (``BackendError``, ``ModelError``)."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` with the model's own tokenizer."""

    @abstractmethod
    def count_prompt(self, messages: list[Message]) -> int:
        """Tokens of the whole chat prompt for ``messages``, template included."""

    @abstractmethod
    def stream(
        self,
        messages: list[Message],
        sampling: Sampling,
        max_tokens: int | None = None,
        tools: list[Tool] | None = None,
        stop: threading.Event | None = None,
    ) -> Generator[str | Generation, None, None]:
        """Yield text deltas, then one Generation. Closing the iterator stops generation;
        so does setting ``stop`` from any thread, even before the first token (while the
        model reads the prompt): the iterator then ends without a Generation. ``tools``
        (passed only when a turn offers some): rendered by the model's own chat template;
        its calls come back as text in its family's syntax (``call_family``)."""

    @property
    def call_family(self) -> str | None:
        """How the model writes a tool call ("hermes", "llama3", "phi4", "granite",
        "mistral", see ``mnemo.tools.calls``) when the engine knows it outright; None: the
        turn reads it from ``chat_template``."""
        return None

    chat_template: str | None = None  # the Jinja chat template a local model renders with (after wait_ready)

    constrained_calls: bool = False  # complete_after can write a call's arguments under a grammar

    def complete_after(
        self, messages: list[Message], prefix: str, schema: dict, tools: list[Tool] | None = None, max_tokens: int = 512
    ) -> str:
        """The reply to ``messages`` that begins with ``prefix`` (the text the model wrote up
        to a call's opening marker), continued under a grammar from ``schema`` (JSON): the
        call's body. Only where ``constrained_calls``."""
        raise NotImplementedError

    def count_many(self, texts: list[str]) -> list[int]:
        """Tokens of each text; an engine behind a process or a network answers in one trip."""
        return [self.count_tokens(t) for t in texts]

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> str:
        """A reply constrained to ``schema`` (JSON), for background work such as extraction."""
        raise NotImplementedError

    def close(self) -> None:
        pass


EngineFactory = Callable[[ModelSpec], Engine]


def open_engine(spec: ModelSpec, home: Home | None = None) -> Engine:
    """Start the engine for ``spec``; a local model starts loading in its own process and
    this returns at once (``wait_ready`` waits for it). ``home`` (default: resolved here)
    holds downloaded and joined model files, and what llama.cpp needs on this machine."""
    return _OPENERS[EngineKind(spec.kind)](spec, home)


def _local(spec: ModelSpec, home: Home | None) -> Engine:
    from mnemo.engine import probe, sources
    from mnemo.engine.process import ChildEngine

    home = home or Home.resolve()
    path = sources.resolve(spec, models_dir=home.models_dir)
    assert path is not None
    return ChildEngine(spec, path, probe.verdicts(home.data_dir / probe.FILE))


def _remote(spec: ModelSpec, home: Home | None) -> Engine:
    from mnemo.engine.remote import RemoteEngine

    return RemoteEngine(spec)


def _scripted(spec: ModelSpec, home: Home | None) -> Engine:
    from mnemo.engine.scripted import ScriptedEngine

    return ScriptedEngine(spec)


# The one table of engine kinds (config validates against kinds.EngineKind; each has its opener).
_OPENERS: dict[EngineKind, Callable[[ModelSpec, Home | None], Engine]] = {
    EngineKind.GGUF: _local,
    EngineKind.OPENAI: _remote,
    EngineKind.SCRIPTED: _scripted,
}
