"""The Assistant: the one door to mnemo's core (ARCHITECTURE.md, "The door").

This is the whole Python API (``from mnemo import Assistant``); the CLI and the TUI are
thin layers over its public methods and never reach the store, the memory bank or the
engine. It is built from what it needs (a home, an engine factory, a clock) and reads no
global state after that. It never imports Textual. It holds delegation, lifecycle and the
context a turn is handed; the turn itself is ``mnemo.turn``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mnemo import config, prompt, turn
from mnemo.config import ModelSpec
from mnemo.engine import Engine, EngineFactory, open_engine
from mnemo.errors import BackendError, BadInput
from mnemo.kinds import COMMAND_REPLIES, Finish, MemoryKind, ModelState
from mnemo.memory import commands, rules, say
from mnemo.models import ModelChoice, Models, explained
from mnemo.paths import Home, private_dir, private_file
from mnemo.tools import policy
from mnemo.tools.toolbox import Toolbox, ToolCall
from mnemo.turn import Finished, Progress, Reply, ReplyStream, TextDelta, Timings, ToolFinished, ToolStarted, Usage

__all__ = [
    "Assistant",
    "Finished",
    "ModelChoice",
    "Progress",
    "Reply",
    "ReplyStream",
    "Status",
    "TextDelta",
    "Timings",
    "ToolCall",
    "ToolFinished",
    "ToolStarted",
    "Usage",
]

if TYPE_CHECKING:
    from mnemo.memory.bank import Forgetting, Memory
    from mnemo.memory.records import Record
    from mnemo.store import Conversation, Message, SearchHit

Clock = Callable[[], float]
Approve = Callable[[ToolCall], policy.Answer]
TITLE_CHARS = 60
MEMORY_KINDS = tuple(MemoryKind)  # for the CLI's messages


@dataclass(frozen=True)
class Status:
    """What the chat app's status line shows; computed off the UI thread."""

    model: str
    model_state: str  # see Assistant.model_status
    device: str  # "CPU", "GPU CUDA (30 layers)", "remote HOST", or "" while loading
    n_ctx: int | None
    memories: int
    embedder: str
    incognito: bool


SLASH_COMMAND = re.compile(r"\s*/[A-Za-z][\w-]*(?:\s|$)")  # "/remember …", not "/etc/hosts"


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


CLOSE_WAIT = 10.0  # closing waits this long, at most, for the embedding backlog


def load_settings(home: Home | None = None) -> config.Settings:
    """config.toml, for the chat app before its Assistant has opened (theme, keys)."""
    return config.load_settings(home)


def default_settings() -> config.Settings:
    """The settings with nothing in config.toml (the chat app's, when that file is broken)."""
    return config.Settings()


def save_setting(key: str, value: str, home: Home | None = None) -> None:
    """Write one setting to config.toml, with no Assistant open (the chat app's theme);
    ``home`` (default: resolved here, as ``Assistant.open`` does)."""
    config.save_setting(key, value, home or Home.resolve())


def _first_load(engine: Engine) -> None:
    """Wait for the model: a file llama.cpp cannot read raises here, before anything is
    written. A crash is left for the turn to report, with the user's message kept."""
    try:
        engine.wait_ready()
    except BackendError:
        pass


class Assistant:
    """One user's mnemo: conversations, long-term memory and a model, behind public methods."""

    def __init__(
        self,
        home: Home | str | Path | None = None,
        engine_factory: EngineFactory | None = None,
        clock: Clock | None = None,
        *,
        model: str | None = None,
        memory: bool = True,
        start_model: bool = True,
        window_tokens: int | None = None,
    ):
        """Validate the configuration, resolve the model and open the store.

        Bad configuration or a missing/corrupt model file raises before anything is written.
        With ``start_model`` the model starts loading at once (a local one in its own
        process) while the store opens; the first turn waits for it. ``memory=False``
        neither reads nor writes long-term memory; ``window_tokens`` caps the conversation
        window below what the context allows.
        """
        self.home = home if isinstance(home, Home) else Home.resolve(home)
        self.clock: Clock = clock or time.time
        self._factory: EngineFactory = engine_factory or partial(open_engine, home=self.home)
        self.registry = config.load_registry(self.home)
        self.settings = config.load_settings(self.home)
        with explained():
            self.spec: ModelSpec = self.registry.get(model)
        self._engine: Engine | None = self._factory(self.spec) if start_model else None
        try:
            if self._engine is not None:  # while the model's process starts
                self._check_model_file(self.spec)  # a clear error for a damaged file, before anything is written
            if self._engine is not None and not self.home.db_path.exists():
                _first_load(self._engine)  # a first run creates nothing for a model that cannot load
            # The heavy parts load while the model does.
            from mnemo.memory.bank import MemoryBank
            from mnemo.memory.embedder import Embedder
            from mnemo.store import Store

            self._store = Store.open(self.home.db_path, clock=self.clock)
        except BaseException:
            if self._engine is not None:
                self._engine.close()
            raise
        self._bank = MemoryBank(self._store, Embedder(self.settings.embedder))
        self._memory = memory
        self._conversation_id: int | None = None
        self._last_prompt: prompt.Prompt | None = None
        self._engine_lock = threading.Lock()
        self._told: set[str] = set()  # engine notices already shown
        self._toolbox: Toolbox | None = None  # made on first use: its servers start when a turn offers them
        self.window_tokens = window_tokens
        if memory and self._bank.records.count() > 0:
            self._bank.start()  # load the embedder while the user types / the model runs

    @classmethod
    def open(
        cls,
        home: Home | str | Path | None = None,
        model: str | None = None,
        clock: Clock | None = None,
        *,
        load_model: bool = True,
        memory: bool = True,
        engine_factory: EngineFactory | None = None,
        window_tokens: int | None = None,
    ) -> Assistant:
        """The convenience constructor: ``home`` (a resolved ``Home``, a folder, else
        ``MNEMO_HOME``, else the platform's dirs), the configured model started at once
        unless ``load_model=False``."""
        return cls(
            home if isinstance(home, Home) else Home.resolve(home),
            engine_factory,
            clock,
            model=model,
            memory=memory,
            start_model=load_model,
            window_tokens=window_tokens,
        )

    @classmethod
    def opening(
        cls, home: Home | str | Path | None = None, model: str | None = None, **options: Any
    ) -> Callable[[], Assistant]:
        """Start ``open`` in a thread now (the model's process starts at once) and return a
        function that waits for the Assistant, or raises what stopped it: the chat app loads
        meanwhile."""
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(1, thread_name_prefix="mnemo-open")
        future = pool.submit(cls.open, home, model, **options)
        pool.shutdown(wait=False)
        return future.result

    def _check_model_file(self, spec: ModelSpec) -> None:
        """A damaged file, or a model too big for this machine's memory, is one clear error."""
        if spec.kind == "gguf":
            from mnemo.engine import fit, sources
            from mnemo.errors import ModelError

            path = sources.resolve(spec, models_dir=self.home.models_dir)
            assert path is not None
            placed = fit.estimate(path, spec.n_ctx, offload=spec.n_gpu_layers != 0)
            if placed.verdict == "too big":
                raise ModelError(
                    f"model '{spec.name}' is {placed.describe()} (weights, KV cache at its n_ctx and "
                    "buffers); pick a smaller quantization or a smaller n_ctx in models.toml"
                )

    @property
    def memory_enabled(self) -> bool:
        return self._memory

    @property
    def conversation_id(self) -> int | None:
        return self._conversation_id

    @property
    def last_prompt(self) -> prompt.Prompt | None:
        """The messages the model was given for the last reply (None after a command)."""
        return self._last_prompt

    # ------------------------------------------------------------------ model

    def load_model(self) -> Engine:
        """The current model, loaded (waits for it). A model whose process has died is
        started afresh."""
        with self._engine_lock:
            old = self._engine
            if old is None or old.spec != self.spec or not old.alive:
                self._engine = self._factory(self.spec)
                if old is not None:
                    old.close()
            engine = self._engine
        assert engine is not None
        engine.wait_ready()
        return engine

    def model_status(self) -> ModelState:
        """READY, LOADING, STOPPED (its process died, or it could not load: the next turn
        starts it again) or NONE (not started yet). Never waits."""
        engine = self._engine
        if engine is None:
            return ModelState.NONE
        if not engine.alive:
            return ModelState.STOPPED
        return ModelState.READY if engine.ready else ModelState.LOADING

    def use_model(self, name: str) -> Engine:
        """Switch model; the conversation goes on with the new one and the old one's
        process ends. If the new one cannot be loaded, the current model stays."""
        with explained():
            spec = self.registry.get(name)
        engine = self._factory(spec)
        try:
            engine.wait_ready()
        except BaseException:
            engine.close()
            raise
        with self._engine_lock:
            old, self.spec, self._engine = self._engine, spec, engine
        if old is not None and old is not engine:
            old.close()
        return engine

    def models(self) -> list[ModelSpec]:
        """The models.toml entries, the shipped ones and the user's."""
        return list(self.registry.models.values())

    def model_choices(self) -> list[ModelChoice]:
        """The models.toml entries with where each runs here, then the catalog models not yet
        pulled, with their estimated size and fit. Reads GGUF headers: call it off the UI thread."""
        return Models(self.home).choices()

    def pull_model(
        self,
        name: str,
        progress: Callable[[int, int | None], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> str:
        """Download a catalog model (``name`` or ``name:QUANT``, or ``hf:ORG/REPO[:QUANT]``) into
        the shared Hugging Face cache and register it in this home; returns its models.toml
        name. A cancelled pull (``PullCancelled``) keeps its partial file to resume."""
        pulled = Models(self.home).pull(
            name, progress=(lambda _file, _size: progress) if progress else None, cancelled=cancelled
        )
        self.registry = config.load_registry(self.home)
        return pulled.name

    def save_setting(self, key: str, value: str) -> None:
        """Write one setting to this home's config.toml (the chat app's theme)."""
        config.save_setting(key, value, self.home)

    # ----------------------------------------------------------- conversations

    def new_conversation(self, title: str = "", incognito: bool = False) -> int:
        self._conversation_id = self._store.create_conversation(title, self.spec.name, incognito).id
        return self._conversation_id

    def start_over(self) -> None:
        """The next message starts a new conversation."""
        self._conversation_id = None

    def use_conversation(self, conversation_id: int) -> None:
        self._store.conversation(conversation_id)  # NotFound if it does not exist
        self._conversation_id = conversation_id

    def continue_latest(self) -> int | None:
        latest = self._store.latest_conversation()
        self._conversation_id = latest.id if latest else None
        return self._conversation_id

    def conversation(self, conversation_id: int | None = None) -> Conversation:
        """A conversation (default: the current one); NotFound if there is none."""
        cid = conversation_id if conversation_id is not None else self._conversation_id
        if cid is None:
            raise BadInput("there is no conversation yet")
        return self._store.conversation(cid)

    def conversations(self, limit: int | None = None, query: str = "") -> list[Conversation]:
        """Pinned first, then newest first; with ``query``, those whose title holds it or
        whose messages match it (full text), best first."""
        if query:
            return [c for c, _ in self.search_conversations(query, limit)]
        return self._store.conversations(limit)

    def search_conversations(self, query: str, limit: int | None = None) -> list[tuple[Conversation, str]]:
        """Conversations whose title holds ``query`` or whose messages match it (full text),
        best first, each with the snippet of its best matching message ("" for a title)."""
        items = self._store.conversations(None)
        by_id = {c.id: c for c in items}
        snippets: dict[int, str] = {}
        for hit in self._store.search(query, limit=200):
            snippets.setdefault(hit.message.conversation_id, hit.snippet)
        ranked = [c.id for c in items if query.lower() in c.title.lower()] + list(snippets)
        return [(by_id[i], snippets.get(i, "")) for i in dict.fromkeys(ranked) if i in by_id][:limit]

    def search_messages(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over every message, with snippets."""
        return self._store.search(query, limit)

    def history(self, conversation_id: int | None = None) -> list[Message]:
        """The messages of a conversation (default: the current one), oldest first."""
        cid = conversation_id if conversation_id is not None else self._conversation_id
        return self._store.messages(cid) if cid else []

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        return self._store.update_conversation(conversation_id, title=title)

    def pin_conversation(self, conversation_id: int, pinned: bool = True) -> Conversation:
        return self._store.update_conversation(conversation_id, pinned=int(pinned))

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation with its messages and episodes (facts learnt in it stay)."""
        self._bank.drop_conversation(conversation_id)
        if self._conversation_id == conversation_id:
            self._conversation_id = None

    def export_conversation(
        self, conversation_id: int | None = None, fmt: str = "markdown", *, result_lines: int | None = None
    ) -> str:
        """A conversation as Markdown or JSON text, each reply with its tool calls.
        ``result_lines``: Markdown shows this many lines of each call's result (None: all)."""
        import json

        from mnemo.export import markdown

        conv = self.conversation(conversation_id)
        messages = self._store.messages(conv.id)
        calls = {m.id: self.tool_calls(m.id) for m in messages if m.role == "assistant"}
        if fmt == "json":
            rows = []
            for m in messages:
                row = m.to_dict()
                if m.role == "assistant":
                    row["tool_calls"] = [
                        {**c.to_dict(), "why": c.why, "round": c.round, "cut": c.cut} for c in calls[m.id]
                    ]
                rows.append(row)
            return json.dumps({"conversation": conv.to_dict(), "messages": rows}, ensure_ascii=False, indent=2) + "\n"
        return markdown(conv, messages, calls, result_lines)

    def save_export(self, conversation_id: int | None = None) -> Path:
        """Write a conversation as Markdown into the home's exports folder (mode 0600)."""
        conv = self.conversation(conversation_id)
        target = private_dir(self.home.exports_dir) / f"conversation-{conv.id}.md"
        private_file(target).write_text(self.export_conversation(conv.id), encoding="utf-8")
        return target

    def last_user_message(self, history: list[Message] | None = None) -> Message | None:
        """The user's last message in the current conversation (or in ``history``)."""
        return next((m for m in reversed(self.history() if history is None else history) if m.role == "user"), None)

    def retract_last(self) -> str | None:
        """Remove the last exchange (the user's message and the reply) and return the user's
        text, to edit it or generate again."""
        history = self.history()
        last_user = self.last_user_message(history)
        if last_user is None:
            return None
        self._bank.drop_messages([m.id for m in history if m.id >= last_user.id])
        return last_user.content

    def _conversation_for(self, text: str) -> Conversation:
        """The current conversation, started if need be; its title is its first real message
        (a slash command such as "/remember …" leaves it for the next one)."""
        title = "" if SLASH_COMMAND.match(text) else _title(text)
        if self._conversation_id is None:
            self.new_conversation(title)
        conv = self._store.conversation(self._conversation_id)  # type: ignore[arg-type]
        if not conv.title and title:
            conv = self._store.update_conversation(conv.id, title=title)
        return conv

    def _remembers(self, conv: Conversation | None) -> bool:
        return self._memory and not (conv and conv.incognito)

    # ---------------------------------------------------------------- memories

    def memories(
        self, *, include_all: bool = False, kind: str | None = None, episodes: bool = False, limit: int | None = None
    ) -> list[Record]:
        """What mnemo remembers, oldest first: active facts, preferences, instructions and
        lists (``include_all``: superseded and forgotten too; ``episodes``: message chunks)."""
        return self._bank.records.listing(
            include_all=include_all, kinds=(kind,) if kind else None, episodes=episodes, limit=limit
        )

    def find_memories(self, query: str) -> list[Record]:
        """Active memories whose words match ``query`` or that contain it (a search box)."""
        return self._bank.records.find(query)

    def memory_count(self) -> int:
        return self._bank.records.count(include_episodes=False)

    def memory(self, memory_id: int) -> Record:
        return self._bank.records.get(memory_id)

    def search_memories(self, query: str, limit: int = 10) -> list[Memory]:
        """Memories as recall finds them (meaning and words, profile included), best first."""
        self._bank.ready_for_recall()
        found = self._bank.recall(query, budget_tokens=10**6, k=limit, include_profile=True)
        return sorted(found, key=lambda m: -m.score)

    def memories_about(self, query: str) -> list[Record]:
        """What "forget ``query``" would forget (not forgotten already)."""
        return self._bank.about(query)

    def remember(self, text: str, kind: str = MemoryKind.FACT, pinned: bool = False) -> list[Record]:
        """Store a fact at once (``/remember``, ``mnemo memory add``)."""
        return self._bank.remember(text, kind, pinned=pinned)

    def edit_memory(self, memory_id: int, text: str) -> Record:
        return self._bank.edit(memory_id, text=text)

    def pin_memory(self, memory_id: int, pinned: bool = True) -> Record:
        return self._bank.edit(memory_id, pinned=pinned)

    def forget(self, query: str) -> list[Record]:
        """Erase what ``query`` is about (``/forget``, "forget where I live"): gone from the
        file, a tombstone without content left; a memory that names more than that keeps the
        rest. Returns the memories as they were."""
        return commands.forget(self._bank, query).records

    def undo_forget(self, forgetting: Forgetting) -> int:
        """Put back what a turn's forget erased (``Reply.forgotten``), from the copy this
        process kept; returns how many memories came back."""
        return self._bank.unforget(forgetting)

    def forget_memories(self, memories: Iterable[Record]) -> int:
        """Erase these memories (undo of what a turn remembered, the memories screen)."""
        return self._bank.forget(list(memories))

    def forget_everything(self) -> list[int]:
        """Erase every memory for good: text, vectors and full-text index. Returns their ids."""
        return self._bank.erase_everything()

    def import_memories(self, rows: list[dict[str, Any]]) -> int:
        """Add memories exported by ``mnemo memory export`` (rows already checked); returns
        how many were new."""
        return self._bank.records.import_rows(rows)  # embedded by the next process that starts memory

    def memories_of(self, message: Message) -> list[Memory]:
        """The memories a stored reply was given, as they are now."""
        return self._bank.given((message.meta or {}).get("memories") or [])

    def start_memory(self) -> None:
        """Load the embedder and the vector index in the background now (idempotent)."""
        if self._memory:
            self._bank.start()

    def status(self) -> Status:
        """The status line's figures. Reads the database: call it off the UI thread."""
        engine = self._engine
        ready = engine is not None and engine.ready and engine.alive
        device = ""
        if ready and engine.backend == "remote":  # type: ignore[union-attr]
            device = f"remote {urlsplit(engine.spec.base_url or '').netloc}"  # type: ignore[union-attr]
        elif ready:
            layers = engine.gpu_layers  # type: ignore[union-attr]
            device = "CPU" if layers == 0 else f"GPU {engine.backend.upper()} ({layers} layers)"  # type: ignore[union-attr]
        cid = self._conversation_id
        return Status(
            model=self.spec.name,
            model_state=self.model_status(),
            device=device,
            n_ctx=engine.n_ctx if ready else None,  # type: ignore[union-attr]
            memories=self.memory_count(),
            embedder=self._bank.embedder.state,
            incognito=bool(cid and self._store.conversation(cid).incognito),
        )

    def system_prompt(self) -> str:
        """The stable head of every prompt: settings' system prompt plus the profile."""
        return turn.system_prompt(self.settings.system_prompt, self._bank.profile() if self._memory else [])

    def recall(self, query: str, k: int = 10) -> list[Memory]:
        """What would be injected for ``query`` in the current conversation, without generating."""
        conv = self._store.conversation(self._conversation_id) if self._conversation_id else None
        if not self._remembers(conv):
            return []
        engine = self.load_model()
        _, _, window = turn.window(
            engine,
            self.system_prompt(),
            self.history(),
            query,
            turn.reply_budget(self.spec, engine),
            turn.memory_budget(engine),
        )
        return turn.recall(self._bank, engine, query, window, k)

    # ------------------------------------------------------------------ turns

    def send(
        self,
        text: str,
        max_tokens: int | None = None,
        *,
        approve: Approve | None = None,
        allowed: Iterable[str] = (),
        tools: Iterable[str] | None = None,
    ) -> Reply:
        """One message and its whole reply."""
        stream = self.stream(text, max_tokens=max_tokens, approve=approve, allowed=allowed, tools=tools)
        for _ in stream:
            pass
        return stream.reply

    def stream(
        self,
        text: str,
        max_tokens: int | None = None,
        *,
        edit: int | None = None,
        approve: Approve | None = None,
        allowed: Iterable[str] = (),
        tools: Iterable[str] | None = None,
    ) -> ReplyStream:
        """The reply to ``text`` on its way: iterate for its text deltas, then read
        ``.reply`` (``events()`` gives the tool calls too). Nothing happens until it is
        iterated. Closing it early stops generation; the partial reply is saved with
        ``finish_reason = "stopped"`` ("error" when the model failed, and the error goes on
        up), with the calls made so far.

        ``edit``: the id of a user message of the current conversation's active path that
        ``text`` is a new version of; the old version and what followed it stay, as a branch
        (``versions``, ``switch_version``).

        Tools (a model with ``tools = true``, or a ``/tool NAME {json}`` message):
        ``approve(call)`` is asked for each call whose rule is ask and returns a
        ``policy.Answer`` (it may block: the chat app's dialog); None: nobody can be asked,
        so ask means deny. ``allowed``: tools this run allows by name (``--allow-tool``).
        ``tools``: the tools (or servers) offered; None: all; empty: none."""
        cancelled = threading.Event()
        tooling = (approve, frozenset(allowed), None if tools is None else set(tools), cancelled)
        return ReplyStream(self._turn(text, max_tokens, edit=edit, tooling=tooling), cancelled)

    def regenerate(
        self,
        max_tokens: int | None = None,
        *,
        approve: Approve | None = None,
        allowed: Iterable[str] = (),
        tools: Iterable[str] | None = None,
    ) -> ReplyStream:
        """The last user message of the active path answered again; the old replies stay as
        versions of the new one (each with its own tool calls)."""
        last = self.last_user_message()
        if last is None:
            raise BadInput("there is no message to answer again")
        cancelled = threading.Event()
        tooling = (approve, frozenset(allowed), None if tools is None else set(tools), cancelled)
        return ReplyStream(self._turn(last.content, max_tokens, again=last, tooling=tooling), cancelled)

    # ------------------------------------------------------------------ tools

    @property
    def toolbox(self) -> Toolbox:
        """This session's tools: the built-ins and the configured MCP servers (``mnemo mcp
        list``; a server starts on first use and ends with ``close``)."""
        if self._toolbox is None:
            self._toolbox = Toolbox(
                self.settings.tools,
                self.settings.servers,
                log=self.home.data_dir / "mcp.log",
                config_file=self.home.user_config_file,
            )
        return self._toolbox

    def tool_calls(self, message_id: int) -> list[ToolCall]:
        """The tool calls of a stored reply, in call order."""
        return [ToolCall.from_row(row) for row in self._store.tool_calls(message_id)]

    def versions(self, conversation_id: int | None = None) -> dict[int, tuple[int, int]]:
        """Message id -> (which version it is, how many there are) for the messages of a
        conversation (default: the current one) that were edited or answered again."""
        cid = conversation_id if conversation_id is not None else self._conversation_id
        return self._store.versions(cid) if cid else {}

    def switch_version(self, message_id: int, step: int) -> Message:
        """Put the version ``step`` places after (or before, when negative) this message on
        the active path; returns it (the message itself at either end)."""
        siblings = self._store.siblings(message_id)
        at = next(i for i, m in enumerate(siblings) if m.id == message_id)
        target = siblings[max(0, min(len(siblings) - 1, at + step))]
        if target.id != message_id:
            conv = self._store.conversation(target.conversation_id)
            before = self._store.messages(conv.id)
            self._store.choose(target.id)
            if self._remembers(conv):
                self._follow_path(before, self._store.messages(conv.id))
        return target

    def _follow_path(self, before: list[Message], after: list[Message]) -> None:
        """Memory follows the active path: the episodes of the messages a switch set aside
        leave it, and the messages it brought back (whose episodes an edit or a regeneration
        dropped) are remembered again; a memory command and mnemo's fixed answer to it never
        were episodes, and are not made ones."""
        was, now = {m.id for m in before}, {m.id for m in after}
        self._bank.drop_episodes_of(sorted(was - now))
        back = [m for m in after if m.id not in was]
        commands = {m.parent_id for m in back if m.finish_reason in COMMAND_REPLIES}
        kept = {r.source_message_id for r in self._bank.records.episodes_of({m.id for m in back})}
        for m in back:
            if m.finish_reason not in COMMAND_REPLIES and m.id not in commands and m.id not in kept and m.content:
                self._bank.ingest(m)

    def _turn(
        self,
        text: str,
        max_tokens: int | None,
        *,
        edit: int | None = None,
        again: Message | None = None,
        tooling: tuple[Approve | None, frozenset[str], set[str] | None, threading.Event] | None = None,
    ) -> Generator[turn.Event, None, None]:
        if not text.strip():
            raise BadInput("the message is empty; type something to send")
        start = time.perf_counter()
        loaded = self._engine
        if loaded is None or not loaded.alive or not loaded.ready or loaded.spec != self.spec:
            yield turn.Progress("loading")
        approve, allowed, offer, cancelled = tooling or (None, frozenset(), None, threading.Event())
        edited = self._edited(edit) if edit is not None else None
        engine = self._engine_for(text, edited, again)
        conv = self._conversation_for(text)
        if edited is not None and edited.parent_id is None and conv.title == _title(edited.content):
            conv = self._store.update_conversation(conv.id, title=_title(text))  # the title follows the edit
        ctx = turn.Context(
            store=self._store,
            bank=self._bank,
            engine=engine,
            spec=self.spec,
            system=self.settings.system_prompt,
            clock=self.clock,
            memory=self._memory,
            remembers=self._remembers(conv),
            window_tokens=self.window_tokens,
            told=self._told,
            tools=self.toolbox,
            approve=approve,
            allowed=allowed,
            offer=offer,
            cancelled=cancelled,
        )
        this = turn.Turn(ctx, conv, text, max_tokens, start, edit=edited, again=again)
        try:
            yield from this.events()
        finally:
            if this.planned:
                self._last_prompt = this.built

    def _edited(self, message_id: int) -> Message:
        """The user message an edit is a new version of: on the current conversation's path."""
        edited = next((m for m in self.history() if m.id == message_id and m.role == "user"), None)
        if edited is None:
            raise BadInput(f"message {message_id} is not a message of yours in this conversation")
        return edited

    def _engine_for(self, text: str, edit: Message | None = None, again: Message | None = None) -> Engine:
        """The loaded model for a turn. If its process dies while loading, the user's message
        is kept (as a new version when it is an edit; as it was when it is answered again),
        with an empty reply marked failed, and the error goes on up."""
        try:
            return self.load_model()
        except BackendError:
            conv = self._conversation_for(text)
            if again is not None:
                user = again
            elif edit is not None:
                user = self._store.add_message(
                    conv.id, "user", text, parent_id=edit.parent_id, model=self.spec.name, branch=True
                )
            else:
                _, user = turn.add_user_message(self._store, conv, text, model=self.spec.name)
            self._store.add_message(
                conv.id,
                "assistant",
                "",
                parent_id=user.id,
                model=self.spec.name,
                finish_reason=Finish.ERROR,
                branch=again is not None,
            )
            raise

    def observe(self, user: str, assistant: str) -> tuple[Message, Message]:
        """Record a turn that happened elsewhere, without generating (memory still learns)."""
        conv = self._conversation_for(user)
        history = self._store.messages(conv.id)
        engine = self._engine
        count = engine.count_tokens if engine is not None and engine.ready and engine.alive else (lambda _: None)
        u = self._store.add_message(
            conv.id, "user", user, parent_id=history[-1].id if history else None, tokens=count(user)
        )
        a = self._store.add_message(
            conv.id, "assistant", assistant, parent_id=u.id, tokens=count(assistant), finish_reason=Finish.OBSERVED
        )
        if self._remembers(conv):
            for f in rules.facts(user):
                self._bank.add(f.text, f.kind, subject=f.subject, pinned=f.pinned, message=u)
            self._bank.ingest(u)
            self._bank.ingest(a)
        return u, a

    def due_reminders(self) -> list[str]:
        """The reminders whose time has come, each said once (marked done): what an open
        chat shows on time, without waiting for the next message. A reminder that fires
        here does not fire again with the next message."""
        return [say.reminder(t) for t in self._bank.tasks.due_by_time(self.clock())]

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until background memory work (loading the embedder, embedding) is done."""
        if self._bank.records.count() == 0:
            return True
        self._bank.start()
        return self._bank.wait_idle(timeout)

    def close(self) -> None:
        if self._toolbox is not None:
            self._toolbox.close()  # the MCP servers this session started end
        if self._bank.embedder.state in ("loading", "ready"):
            self._bank.wait_idle(CLOSE_WAIT)  # vectors of this session land on disk; the next process embeds the rest
        self._bank.close()
        self._store.close()
        with self._engine_lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()  # a local model's process ends, and its memory is given back

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
