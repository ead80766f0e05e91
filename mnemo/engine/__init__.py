"""Model backends behind one small interface.

``load(spec)`` returns the process-wide engine for a models.toml entry: one model object
per loaded model, kept for the life of the process (so llama.cpp's KV cache is reused
from turn to turn) and guarded by one lock.
"""

from __future__ import annotations

import atexit
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

from mnemo.config import ModelSpec, Sampling

Message = dict[str, str]  # {"role": ..., "content": ...}


@dataclass(frozen=True)
class Generation:
    """What a finished (or stopped) generation produced, after its text deltas."""

    text: str
    finish_reason: str  # "stop", "length", "stopped" (cancelled by the caller)
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int


class Engine(ABC):
    spec: ModelSpec
    n_ctx: int
    backend: str  # "cpu", "cuda", "metal", "vulkan", "remote", ...
    gpu_layers: int
    notice: str | None = None  # why the model runs where it runs, for the user to see once

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` with the model's own tokenizer."""

    @abstractmethod
    def count_prompt(self, messages: list[Message]) -> int:
        """Tokens of the whole chat prompt for ``messages``, template included."""

    @abstractmethod
    def stream(self, messages: list[Message], sampling: Sampling,
               max_tokens: int | None = None) -> Iterator[str | Generation]:
        """Yield text deltas, then one Generation. Closing the iterator stops generation."""

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> str:
        """A reply constrained to ``schema`` (JSON), for background work such as extraction."""
        raise NotImplementedError

    def close(self) -> None:
        pass


_engines: dict[str, Engine] = {}
_loading = threading.Lock()


@atexit.register
def _close_all() -> None:
    """Free the models before the interpreter takes apart the modules their destructors use."""
    for engine in list(_engines.values()):
        engine.close()
    _engines.clear()


def load(spec: ModelSpec) -> Engine:
    """The engine for ``spec``, loaded once per process."""
    with _loading:
        engine = _engines.get(spec.name)
        if engine is not None and engine.spec == spec:
            return engine
        if spec.kind == "gguf":
            from mnemo.engine import sources
            from mnemo.engine.local import LocalEngine

            engine = LocalEngine(spec, sources.resolve(spec))
        else:
            from mnemo.engine.remote import RemoteEngine

            engine = RemoteEngine(spec)
        _engines[spec.name] = engine
        return engine
