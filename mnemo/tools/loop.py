"""What a turn does with tool calls between two generations (ARCHITECTURE.md, Tools).

``Rounds`` is the model's reply of a turn (``mnemo.turn``): it streams the reply through a
``calls.CallReader``, and each call it reads goes to ``Caller.decide`` finds the tool and applies its rule (asking the
user where it says ask), ``Caller.run`` runs it within its deadline and cuts the result to
``[tools] result_tokens``; ``next_messages`` gives the model the assistant's calls and their
results for the next round. ``forced`` reads a ``/tool NAME {json}`` message. It yields the text
to show and the calls' events; the turn keeps the reply (saving, persisting).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnemo.config import ModelSpec
from mnemo.engine import Engine, Generation, Message
from mnemo.errors import BadInput
from mnemo.kinds import Finish
from mnemo.tools import calls, policy
from mnemo.tools.builtin import SERVER as BUILTIN_SERVER
from mnemo.tools.calls import BadCall, Call
from mnemo.tools.mcp import ToolError, ToolInfo
from mnemo.tools.toolbox import Toolbox, ToolCall, ToolFinished, ToolStarted

if TYPE_CHECKING:
    from mnemo.memory.bank import MemoryBank
    from mnemo.store import Store

Approve = Callable[[ToolCall], policy.Answer]
FORCED = re.compile(r"\s*/tool(?=\s|\Z)\s*(\S+)?\s*(.*)\Z", re.S)
FORCED_WHY = "you asked for it (/tool)"


def forced(text: str) -> tuple[str, dict[str, Any]] | None:
    """``/tool NAME {json}``: the tool and its arguments (none: ``{}``); None for any other
    message. A bad one is ``BadInput``, said in one line."""
    m = FORCED.match(text)
    if m is None:
        return None
    name, rest = m[1], m[2].strip()
    if not name:
        raise BadInput("/tool needs a tool's name: /tool NAME {json arguments} (`mnemo mcp list` shows the tools)")
    if not rest:
        return name, {}
    try:
        args = json.loads(rest)
    except json.JSONDecodeError as e:
        raise BadInput(f"/tool {name}: the arguments are not JSON ({e.msg} at character {e.pos + 1})") from None
    if not isinstance(args, dict):
        raise BadInput(f'/tool {name}: the arguments must be a JSON object, e.g. {{"timezone": "Asia/Tokyo"}}')
    return name, args


def tool_specs(tools: list[ToolInfo]) -> list[dict[str, Any]]:
    """The offered tools as chat templates (and OpenAI servers) read them."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.schema or {"type": "object"}},
        }
        for t in tools
    ]


def misfit(info: ToolInfo, arguments: dict[str, Any]) -> str | None:
    """Why ``arguments`` do not fit the tool's schema, or None when they do."""
    import jsonschema

    try:
        jsonschema.validate(arguments, info.schema or {"type": "object"})
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path)
        return f"{where + ': ' if where else ''}{e.message}"
    except jsonschema.SchemaError:
        return None  # the server's own schema is broken: the server judges its arguments
    return None


def cut(text: str, limit: int, count: Callable[[str], int]) -> tuple[str, bool]:
    """``text`` within ``limit`` tokens, with a note saying it was cut; and whether it was."""
    total = count(text)
    if total <= limit:
        return text, False
    keep = int(len(text) * limit / total)
    while keep > 0 and count(text[:keep]) > limit:
        keep = int(keep * 0.9)
    return text[:keep] + f"\n[result cut to {limit} of its {total} tokens ([tools] result_tokens)]", True


def for_model(call: ToolCall) -> str:
    """What the model reads of a call: its result, or what went wrong."""
    if call.result is not None:
        return call.result
    return f"Error: {call.error}" if call.error else ""


def next_messages(messages: list[dict[str, Any]], shown: str, calls: list[ToolCall]) -> list[dict[str, Any]]:
    """The messages of the next round: the assistant's reply with its calls, then their results."""
    base = sum(1 for m in messages if m.get("role") == "tool")
    ids = [f"call_{base + i}" for i in range(len(calls))]
    assistant = {
        "role": "assistant",
        "content": shown,
        "tool_calls": [
            {"id": i, "type": "function", "function": {"name": c.tool, "arguments": c.arguments}}
            for i, c in zip(ids, calls)
        ],
    }
    results = [{"role": "tool", "tool_call_id": i, "name": c.tool, "content": for_model(c)} for i, c in zip(ids, calls)]
    return [*messages, assistant, *results]


def folded(messages: list[dict[str, Any]], call: ToolCall) -> list[dict[str, Any]]:
    """A ``/tool`` call told in the user's own message, which every chat template renders
    (a small model's template may know no tool role)."""
    said = json.dumps(call.arguments, ensure_ascii=False)
    text = (
        f"I ran the tool {call.tool} with {said}. It returned:\n\n{for_model(call)}\n\n"
        "Tell me what this result says, briefly."
    )
    return [*messages[:-1], {"role": "user", "content": text}]


MEMORY_TOOLS = {"search_memory": "reads", "remember": "writes", "forget": "writes"}  # built-ins on memory


class MemoryReach:
    """What the built-in tools may do, through the turn's memory bank and store: memory is
    read only where the turn reads it (``reads``) and written only where it writes it
    (``writes``: memory on, the conversation not incognito)."""

    def __init__(
        self,
        bank: MemoryBank,
        store: Store,
        clock: Callable[[], float],
        folders: tuple[str, ...],
        *,
        reads: bool = True,
        writes: bool = True,
    ):
        self.bank, self.store, self.clock, self._folders = bank, store, clock, folders
        self.reads, self.writes = reads, writes

    def allows(self, tool: str) -> bool:
        """Whether a built-in that works on memory may run in this turn."""
        need = MEMORY_TOOLS.get(tool)
        return need is None or (self.reads if need == "reads" else self.writes)

    def _check(self, tool: str) -> None:
        if not self.allows(tool):
            raise ToolError(f"{tool}: long-term memory is off in this conversation")

    def now(self) -> float:
        return self.clock()

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        from mnemo.export import when

        self._check("search_memory")
        self.bank.ready_for_recall()
        found = self.bank.recall(query, budget_tokens=10**6, k=limit, include_profile=True)
        hits = [{"kind": m.kind, "id": m.id, "when": when(m.created_at), "text": m.text} for m in found]
        for hit in self.store.search(query, limit):
            hits.append(
                {"kind": "message", "id": hit.message.id, "when": when(hit.message.created_at), "text": hit.snippet}
            )
        return hits[:limit]

    def remember(self, text: str) -> str:
        self._check("remember")
        written = self.bank.remember(text)
        return "Remembered: " + "; ".join(r.text for r in written)

    def forget(self, query: str) -> str:
        from mnemo.memory import commands

        self._check("forget")
        gone = commands.forget(self.bank, query)
        n = len(gone.erased) + len(gone.trimmed)
        return (
            f"Forgot {n} memor{'y' if n == 1 else 'ies'} about {query}." if n else f"Nothing about {query} to forget."
        )

    def folders(self) -> list[Path]:
        return [Path(f).expanduser() for f in self._folders]


class Caller:
    """Decides and runs one turn's calls."""

    def __init__(
        self,
        toolbox: Toolbox,
        reach: Any,
        count: Callable[[str], int],
        *,
        approve: Approve | None = None,
        allowed: frozenset[str] = frozenset(),
        offered: list[ToolInfo] | None = None,
    ):
        self.toolbox = toolbox
        self.reach = reach
        self.count = count
        self.approve = approve
        self.allowed = allowed
        self.offered = {t.name: t for t in offered or []}

    def decide(self, found: Call | BadCall, round_: int) -> tuple[ToolCall, ToolInfo | None]:
        """A call the model wrote, decided (not run): a call that cannot be read, names a tool
        not offered or carries arguments that do not fit is refused without asking anyone."""
        if isinstance(found, BadCall):
            why = f"the call could not be read: {found.why}"
            return ToolCall("?", "", {}, "deny", why, error=f"{why}; write it again", round=round_), None
        info = self.offered.get(found.name)
        if info is None:
            names = ", ".join(self.offered) or "none"
            why = f"no tool named {found.name} is offered (the tools are: {names})"
            return ToolCall(found.name, "", found.arguments, "deny", why, error=why, round=round_), None
        wrong = misfit(info, found.arguments)
        if wrong is not None:
            why = f"its arguments do not fit the tool's schema ({wrong})"
            call = ToolCall(info.name, info.server, found.arguments, "deny", why, error=why, round=round_)
            return call, None
        pending = ToolCall(info.name, info.server, found.arguments, "deny", "", round=round_)
        ask = (lambda: self.approve(pending)) if self.approve is not None else None  # type: ignore[misc]
        rule = self.toolbox.rule(info)
        decision, answer = policy.decide(rule, named=info.name in self.allowed, ask=ask)
        if rule is policy.Rule.ALLOW:
            decision = policy.Decision(True, self.toolbox.why_allowed(info))
        if answer is policy.Answer.ALWAYS:
            self.toolbox.always(info)
        if not decision.allowed:
            return replace(pending, why=decision.why, result=policy.denial_result(info.name, decision)), None
        return replace(pending, decision="allow", why=decision.why), info

    def force(self, name: str, arguments: dict[str, Any]) -> tuple[ToolCall, ToolInfo]:
        """A ``/tool`` call: the user's own decision. An unknown tool or arguments that do not
        fit are ``BadInput``."""
        info = self.toolbox.find(name)
        if info is None:
            raise BadInput(f"/tool: there is no tool named {name} (`mnemo mcp list` shows the tools)")
        wrong = misfit(info, arguments)
        if wrong is not None:
            raise BadInput(f"/tool {name}: the arguments do not fit its schema ({wrong})")
        return ToolCall(info.name, info.server, arguments, "allow", FORCED_WHY), info

    def run(
        self, info: ToolInfo, call: ToolCall, result_tokens: int, cancelled: threading.Event | None = None
    ) -> ToolCall:
        """The allowed call run, its result (or error) cut to ``result_tokens``."""
        started = time.perf_counter()
        try:
            got = self.toolbox.run(info, call.arguments, self.reach, cancelled)
        except ToolError as e:
            return replace(call, error=str(e), ms=round((time.perf_counter() - started) * 1000))
        text, was_cut = cut(got.text, result_tokens, self.count)
        if got.error:
            return replace(call, error=text, ms=got.ms, cut=was_cut or got.cut)
        return replace(call, result=text, ms=got.ms, cut=was_cut or got.cut)


Item = str | ToolStarted | ToolFinished  # what Rounds yields: shown text, and the calls


class Rounds:
    """The model's reply, with tools where the turn has them: generate (the calls read out of
    the stream, a local model writing their bodies under a grammar), decide and run each
    call, generate again with the results, at most ``[tools] rounds`` rounds of calls.
    A ``/tool`` call is the first round. Without tools it is one plain generation."""

    def __init__(
        self,
        engine: Engine,
        spec: ModelSpec,
        toolbox: Toolbox | None,
        *,
        reach: Any = None,
        approve: Approve | None = None,
        allowed: frozenset[str] = frozenset(),
        offer: set[str] | None = None,
        told: set[str] | None = None,
        cancelled: threading.Event | None = None,
    ):
        """``cancelled``: set from any thread (``ReplyStream.stop``), the reply ends at its
        next step: within a token, or abandoning the call that runs."""
        self.engine, self.spec, self.toolbox = engine, spec, toolbox
        self.cancelled = cancelled or threading.Event()
        self.reach, self.approve, self.allowed, self.offer = reach, approve, allowed, offer
        self.told = told if told is not None else set()
        self.offered: list[ToolInfo] = []  # what the model is offered
        self.family: str | None = None  # how the model writes a call (mnemo.tools.calls)
        self.caller: Caller | None = None
        self.forced: tuple[ToolCall, ToolInfo] | None = None  # a /tool NAME {json} message
        self.calls: list[ToolCall] = []  # the reply's calls, in order, each stored once decided
        self.notices: list[str] = []
        self.result: Generation | None = None  # the last generation's
        self.generated = 0  # tokens the model wrote, all rounds together
        self.finish: str = Finish.STOPPED

    def prepare(self, text: str) -> None:
        """What the model is offered, and the ``/tool`` call ``text`` asks for (a bad one is
        ``BadInput``, before anything is saved; answered again, it runs again)."""
        if self.toolbox is None:
            return
        asked = forced(text)
        if self.spec.tools and self.offer != set():
            self.family = self.engine.call_family or calls.family_of(self.engine.chat_template)
            if self.family is None:
                self.tell(
                    f"'{self.spec.name}' is marked tools = true, but its chat template teaches no tool-call "
                    "syntax mnemo reads; it is offered no tools (a /tool call still works)"
                )
            else:
                allows = getattr(self.reach, "allows", lambda tool: True)
                self.offered = [
                    t for t in self.toolbox.offered(self.offer) if t.server != BUILTIN_SERVER or allows(t.name)
                ]
        for problem in self.toolbox.problems:
            self.tell(problem)
        if asked is None and not self.offered:
            return
        self.caller = Caller(
            self.toolbox,
            self.reach,
            self.engine.count_tokens,
            approve=self.approve,
            allowed=self.allowed,
            offered=self.offered,
        )
        if asked is not None:
            self.forced = self.caller.force(*asked)
            for problem in self.toolbox.problems:  # finding the asked tool may start a server
                self.tell(problem)

    @property
    def tokens(self) -> int:
        """About what the offered tools take in the prompt."""
        return sum(t.tokens + 8 for t in self.offered)

    def tell(self, notice: str) -> None:
        """A notice about tools, said once per Assistant."""
        if notice not in self.told:
            self.told.add(notice)
            self.notices.append(notice)

    def run(
        self,
        messages: list[Message],
        reply_tokens: int,
        keep: Callable[[ToolCall], int],
        written: Callable[[], str],
    ) -> Generator[Item, None, None]:
        """The reply to ``messages``. ``keep`` stores a call (its id); ``written`` is the
        reply's text so far (the rounds' texts are joined with a blank line)."""
        messages = list(messages)
        round_, most = 1, self.toolbox.settings.rounds if self.toolbox else 0
        if self.forced is not None:
            call, info = self.forced
            done = yield from self.call(call, info, keep)
            if self.cancelled.is_set():
                self.finish = Finish.STOPPED
                return
            messages, round_ = folded(messages, done), 2
        while True:
            shown, found = yield from self.generation(messages, reply_tokens, written())
            if not found:
                return
            if round_ > most:
                self.tell(f"the model asked for more tool calls than [tools] rounds = {most} allows; they did not run")
                return
            assert self.caller is not None
            made = []
            for item in found:
                if self.cancelled.is_set():
                    break
                call, tool = self.caller.decide(item, round_)
                made.append((yield from self.call(call, tool, keep)))
            if self.cancelled.is_set():
                self.finish = Finish.STOPPED
                return
            messages, round_ = next_messages(messages, shown, made), round_ + 1

    def generation(
        self, messages: list[Message], reply_tokens: int, before: str
    ) -> Generator[Item, None, tuple[str, list[Call | BadCall]]]:
        """One generation, its calls read out of it as it streams: what it showed, and the calls."""
        engine = self.engine
        reader = calls.CallReader(self.family) if self.family and self.offered else None
        offered = tool_specs(self.offered) if reader else None
        raw: list[str] = []
        shown: list[str] = []
        found: list[Call | BadCall] = []
        gap = "\n\n" if before.strip() and not before.endswith("\n") else ""
        grammar = False
        self.result = None
        stream = engine.stream(  # a stop is told to the model at once, even while it reads the prompt
            messages, self.spec.sampling, reply_tokens, **({"tools": offered} if offered else {}), stop=self.cancelled
        )
        with closing(stream) as deltas:
            for item in deltas:
                if isinstance(item, Generation):
                    self.result = item
                    continue
                if self.cancelled.is_set():
                    break
                raw.append(item)
                text, got = reader.feed(item) if reader else (item, [])
                found += got
                if text and (shown or text.strip() or not gap):
                    text, gap = (gap + text.lstrip() if gap else text), ""
                    shown.append(text)
                    yield text
                if reader is not None and reader.opened and engine.constrained_calls:
                    grammar = True
                    break
        if self.cancelled.is_set():  # what was shown stays; a call being written is dropped
            self.finish = Finish.STOPPED
            return "".join(shown), []
        if reader is not None:
            if grammar:
                so_far = "".join(raw)
                prefix = so_far[: len(so_far) - len(reader.body)]
                schema = calls.call_schema(reader.family, self.offered)
                text, got = reader.rewrite(engine.complete_after(messages, prefix, schema, offered))
            else:
                text, got = reader.finish()
            found += got
            if text.strip():
                shown.append(text)
                yield text
        self.generated += self.result.completion_tokens if self.result else 0
        self.finish = Finish.STOP if grammar else (self.result.finish_reason if self.result else Finish.STOPPED)
        return "".join(shown), found

    def call(
        self, call: ToolCall, tool: ToolInfo | None, keep: Callable[[ToolCall], int]
    ) -> Generator[Item, None, ToolCall]:
        """One decided call: said (``ToolStarted``), run when allowed, stored, said again
        (``ToolFinished``). Stopped before it ran, it is stored as such."""
        index = len(self.calls)
        self.calls.append(call)
        try:
            yield ToolStarted(index, call)
        except GeneratorExit:
            self.calls[index] = call = (
                replace(call, error="stopped before it ran") if call.decision == "allow" else call
            )
            self.calls[index] = replace(call, id=keep(call))
            raise
        if tool is not None and call.decision == "allow" and self.caller is not None and self.toolbox is not None:
            call = self.caller.run(tool, call, self.toolbox.settings.result_tokens, self.cancelled)
        self.calls[index] = call = replace(call, id=keep(call))
        yield ToolFinished(index, call)
        return call
