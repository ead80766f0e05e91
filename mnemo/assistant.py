"""One turn of conversation: build the prompt, generate (streaming), persist.

This is the whole Python API (``from mnemo import Assistant``); the CLI and the TUI
are thin layers over it. It never imports Textual.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mnemo import config, prompt
from mnemo.config import ModelSpec, Registry, Settings
from mnemo.engine import Engine, Generation
from mnemo.errors import BadInput
from mnemo.store import Message, Store

Clock = Callable[[], float]
TITLE_CHARS = 60


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0


@dataclass(frozen=True)
class Timings:
    recall_ms: float = 0.0
    first_token_ms: float | None = None
    total_ms: float = 0.0


@dataclass(frozen=True)
class Memory:
    id: int
    kind: str
    text: str
    score: float
    created_at: float
    source_message_id: int | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    conversation_id: int
    message_id: int
    model: str
    finish_reason: str
    memories: list[Memory] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    timings: Timings = field(default_factory=Timings)

    def to_dict(self) -> dict[str, Any]:
        """The ``mnemo ask --json`` object (DESIGN.md, public contracts)."""
        return {
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "reply": self.text,
            "model": self.model,
            "finish_reason": self.finish_reason,
            "memories": [
                {k: m.__dict__[k] for k in ("id", "kind", "text", "score", "created_at")}
                for m in self.memories
            ],
            "usage": asdict(self.usage),
            "timings": asdict(self.timings),
        }


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 1)


class Assistant:
    def __init__(self, registry: Registry, spec: ModelSpec, settings: Settings, store: Store,
                 clock: Clock):
        self.registry = registry
        self.spec = spec
        self.settings = settings
        self.store = store
        self.clock = clock
        self.conversation_id: int | None = None
        self.last_prompt: prompt.Prompt | None = None
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()

    @classmethod
    def open(cls, home: str | Path | None = None, model: str | None = None,
             clock: Clock | None = None, *, load_model: bool = True) -> "Assistant":
        """Validate the configuration, resolve the model and open the store.

        Bad configuration or a missing/corrupt model raises before anything is written.
        ``home`` is the same as ``MNEMO_HOME``. With ``load_model=False`` the model loads on
        first use (or through :meth:`load_model`, which the TUI calls in a worker).
        """
        if home is not None:
            os.environ["MNEMO_HOME"] = str(home)
        registry = config.load_registry()
        settings = config.load_settings()
        spec = registry.get(model)
        engine = None
        if load_model:
            from mnemo import engine as engines

            engine = engines.load(spec)
        elif spec.kind == "gguf":
            from mnemo.engine import gguf, sources

            gguf.read_metadata(sources.resolve(spec))
        store = Store.open(clock=clock)
        assistant = cls(registry, spec, settings, store, clock or time.time)
        assistant._engine = engine
        return assistant

    # ------------------------------------------------------------------ model

    @property
    def engine(self) -> Engine:
        return self.load_model()

    def load_model(self) -> Engine:
        with self._engine_lock:
            if self._engine is None or self._engine.spec != self.spec:
                from mnemo import engine as engines

                self._engine = engines.load(self.spec)
            return self._engine

    def use_model(self, name: str) -> Engine:
        """Switch model; the conversation goes on with the new one."""
        self.spec = self.registry.get(name)
        return self.load_model()

    # ----------------------------------------------------------- conversations

    def new_conversation(self, title: str = "") -> int:
        self.conversation_id = self.store.create_conversation(title, self.spec.name).id
        return self.conversation_id

    def use_conversation(self, conversation_id: int) -> None:
        self.store.conversation(conversation_id)  # NotFound if it does not exist
        self.conversation_id = conversation_id

    def continue_latest(self) -> int | None:
        latest = self.store.latest_conversation()
        self.conversation_id = latest.id if latest else None
        return self.conversation_id

    def history(self) -> list[Message]:
        return self.store.messages(self.conversation_id) if self.conversation_id else []

    def _conversation_for(self, text: str) -> int:
        if self.conversation_id is None:
            return self.new_conversation(_title(text))
        conv = self.store.conversation(self.conversation_id)
        if not conv.title:
            self.store.update_conversation(conv.id, title=_title(text))
        return conv.id

    # ------------------------------------------------------------------ turns

    def send(self, text: str, max_tokens: int | None = None) -> Reply:
        reply = None
        for item in self.stream(text, max_tokens=max_tokens):
            if isinstance(item, Reply):
                reply = item
        assert reply is not None
        return reply

    def stream(self, text: str, max_tokens: int | None = None) -> Iterator[str | Reply]:
        """Yield the reply's text deltas, then the Reply.

        Closing the iterator early stops generation; the partial reply is saved with
        ``finish_reason = "stopped"``.
        """
        if not text.strip():
            raise BadInput("the message is empty; type something to send")
        start = time.perf_counter()
        engine = self.engine
        sampling = self.spec.sampling
        reply_tokens = max_tokens or sampling.max_tokens
        conversation_id = self._conversation_for(text)
        history = self.store.messages(conversation_id)
        turns = [prompt.Turn(m.role, m.content, m.tokens) for m in history
                 if m.role in ("user", "assistant")]
        built = prompt.build(engine, self.settings.system_prompt, turns, text,
                             min(reply_tokens, engine.n_ctx // 2))
        self.last_prompt = built
        user = self.store.add_message(
            conversation_id, "user", text, parent_id=history[-1].id if history else None,
            tokens=engine.count_tokens(text), model=self.spec.name,
        )
        recalled = time.perf_counter()
        parts: list[str] = []
        first: float | None = None
        result: Generation | None = None
        finish = "stopped"
        try:
            with closing(engine.stream(built.messages, sampling, reply_tokens)) as deltas:
                for item in deltas:
                    if isinstance(item, Generation):
                        result = item
                        continue
                    if first is None:
                        first = time.perf_counter()
                    parts.append(item)
                    yield item
            finish = result.finish_reason if result else "stopped"
        except GeneratorExit:
            finish = "stopped"
            raise
        except Exception:
            finish = "error"
            raise
        finally:
            end = time.perf_counter()
            reply_text = result.text if result else "".join(parts)
            usage = Usage(
                prompt_tokens=result.prompt_tokens if result else built.tokens,
                completion_tokens=result.completion_tokens if result else engine.count_tokens(reply_text),
                cached_tokens=result.cached_tokens if result else 0,
            )
            timings = Timings(
                recall_ms=_ms(start, recalled),
                first_token_ms=_ms(start, first) if first else None,
                total_ms=_ms(start, end),
            )
            saved = self.store.add_message(
                conversation_id, "assistant", reply_text, parent_id=user.id,
                tokens=usage.completion_tokens, model=self.spec.name, finish_reason=finish,
                prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                cached_tokens=usage.cached_tokens, meta={"timings": asdict(timings), "memories": []},
            )
        yield Reply(
            text=reply_text, conversation_id=conversation_id, message_id=saved.id,
            model=self.spec.name, finish_reason=finish, memories=[], usage=usage, timings=timings,
        )

    def observe(self, user: str, assistant: str) -> tuple[Message, Message]:
        """Record a turn that happened elsewhere, without generating."""
        conversation_id = self._conversation_for(user)
        history = self.store.messages(conversation_id)
        count = self._engine.count_tokens if self._engine else (lambda _: None)
        u = self.store.add_message(conversation_id, "user", user,
                                   parent_id=history[-1].id if history else None, tokens=count(user))
        a = self.store.add_message(conversation_id, "assistant", assistant, parent_id=u.id,
                                   tokens=count(assistant), finish_reason="observed")
        return u, a

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait for background memory work; there is none before the memory issue lands."""
        return True

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Assistant":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
