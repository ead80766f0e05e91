"""The tools a turn may offer (``Toolbox``), and the record of one call (ARCHITECTURE.md, Tools).

``ToolCall`` is what is stored with a turn, shown as a card, printed by ``conversations
show`` and listed in ``mnemo ask --json`` (``tool_calls``, DESIGN.md's Public contracts).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnemo.config import ServerSpec, ToolSettings, save_tool_rule
from mnemo.tools.builtin import BUILTINS, SERVER, Reach
from mnemo.tools.mcp import STOPPED, Result, Servers, ToolError, ToolInfo
from mnemo.tools.policy import Rule, rule_for


@dataclass(frozen=True)
class ToolCall:
    """One call of one turn: what the model (or ``/tool``) asked, what was decided, what came back."""

    tool: str
    server: str  # "mnemo" for the built-in tools, else the [mcp.servers.NAME] it came from
    arguments: dict[str, Any] = field(default_factory=dict)
    decision: str = "deny"  # "allow" | "deny"
    why: str = ""  # who decided and how: "allowed in config.toml", "you denied it", ...
    result: str | None = None  # what the tool returned (as the model read it), when it ran
    error: str | None = None  # why it failed (no start, timeout, the tool's own error), when it did
    ms: int = 0
    round: int = 1  # which generate -> call round of the turn (1 to [tools] rounds)
    cut: bool = False  # the result was cut to [tools] result_tokens
    id: int | None = None  # its row, once stored

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ToolCall:
        """A stored call (``Store.tool_calls``)."""
        return cls(
            tool=row["tool"],
            server=row["server"],
            arguments=row["arguments"],
            decision=row["decision"],
            why=row["why"] or "",
            result=row["result"],
            error=row["error"],
            ms=row["ms"] or 0,
            round=row["round"] or 1,
            cut=bool(row["cut"]),
            id=row["id"],
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``tool_calls`` item of ``mnemo ask --json``."""
        return {
            "tool": self.tool,
            "server": self.server,
            "arguments": self.arguments,
            "decision": self.decision,
            "result": self.result,
            "error": self.error,
            "ms": self.ms,
        }


@dataclass(frozen=True)
class ToolStarted:
    """A call the model (or ``/tool``) made, decided and about to run (``call.decision`` is
    "allow"), or denied (then ``ToolFinished`` follows at once). ``index``: its place in
    the turn's calls, from 0, shared by its ``ToolFinished``."""

    index: int
    call: ToolCall


@dataclass(frozen=True)
class ToolFinished:
    """The call is over: ``call.result`` or ``call.error`` is filled in, and it is stored."""

    index: int
    call: ToolCall


class Toolbox:
    """The tools of one session: mnemo's built-ins and the configured MCP servers' (each
    started on first use, shared by the session's turns, ended by ``close``)."""

    def __init__(
        self,
        settings: ToolSettings,
        servers: tuple[ServerSpec, ...] = (),
        log: Path | None = None,
        *,
        config_file: Path | None = None,
    ):
        """``config_file``: the config.toml that "Always allow this tool" writes to (None:
        held for the session only)."""
        self.settings = settings
        self.specs = {s.name: s for s in servers}
        self.servers = Servers(list(servers), log=log)
        self.config_file = config_file
        self.problems: list[str] = []  # one line per server that failed the last time it was asked
        self._always: set[tuple[str, str]] = set()  # (server, tool) allowed for the session
        self._lock = threading.Lock()

    def offered(self, names: set[str] | None = None) -> list[ToolInfo]:
        """The tools a turn may offer: the built-ins, then each server's (it starts now).
        ``names``: only these tools (a server's name stands for all its tools); None: all.
        A server that will not start is left out, its reason in ``problems``."""
        with self._lock:
            self.problems = []
            found: list[ToolInfo] = []
            if self.settings.builtin:
                found += [b.info for b in BUILTINS.values()]
            for name in self.specs:
                if names is not None and name not in names and not self._asks_for_tools_of(name, names):
                    continue
                try:
                    found += self.servers.tools(name)
                except ToolError as e:
                    self.problems.append(str(e))
        if names is not None:
            found = [t for t in found if t.name in names or t.server in names]
        unique: dict[str, ToolInfo] = {}
        for t in found:  # one tool a name, the first found (as find does): the model calls by name
            if t.name not in unique:
                unique[t.name] = t
            else:
                self.problems.append(
                    f"MCP server '{t.server}' also has a tool named {t.name}; the model is offered "
                    f"{unique[t.name].server}'s (`/tool {t.server}.{t.name}` calls the other)"
                )
        return list(unique.values())

    def _asks_for_tools_of(self, server: str, names: set[str]) -> bool:
        """``names`` may name a server's tool without naming the server: start it only when a
        name is not a built-in (what else could it be)."""
        return any(n not in BUILTINS and n not in self.specs for n in names)

    def find(self, name: str) -> ToolInfo | None:
        """A tool by name, offered or not (``/tool``): a built-in first, then each server's."""
        if name in BUILTINS:
            return BUILTINS[name].info
        if name.startswith(f"{SERVER}.") and name[len(SERVER) + 1 :] in BUILTINS:
            return BUILTINS[name[len(SERVER) + 1 :]].info
        if "." in name and name.split(".", 1)[0] in self.specs:  # "server.tool" names one server's
            server, tool = name.split(".", 1)
            return next((t for t in self._tools_of(server) if t.name == tool), None)
        for server in self.specs:
            hit = next((t for t in self._tools_of(server) if t.name == name), None)
            if hit is not None:
                return hit
        return None

    def _tools_of(self, server: str) -> list[ToolInfo]:
        try:
            return self.servers.tools(server)
        except ToolError as e:
            if str(e) not in self.problems:
                self.problems.append(str(e))
            return []

    def rule(self, info: ToolInfo) -> Rule:
        """Its standing rule: "Always allow" said this session, then config.toml's rule, then
        allow for a read-only tool of a trusted server (mnemo's own are), else ask."""
        if (info.server, info.name) in self._always:
            return Rule.ALLOW
        if info.server == SERVER:
            return rule_for(info.name, self.settings.rules, trusted=True, read_only=info.read_only)
        spec = self.specs.get(info.server)
        if spec is None:
            return Rule.ASK
        return rule_for(info.name, spec.tools, trusted=spec.trust, read_only=info.read_only)

    def why_allowed(self, info: ToolInfo) -> str:
        """Why its rule is allow, in the card's words."""
        if (info.server, info.name) in self._always:
            return "always allowed (you said so)"
        rules = self.settings.rules if info.server == SERVER else getattr(self.specs.get(info.server), "tools", {})
        if rules.get(info.name) == "allow":
            return "allowed in config.toml"
        return "read-only, on a trusted server" if info.server != SERVER else "read-only, mnemo's own"

    def always(self, info: ToolInfo) -> None:
        """ "Always allow this tool": allowed for the rest of the session, and written into
        config.toml (``[tools.rules]`` or ``[mcp.servers.NAME.tools]``)."""
        self._always.add((info.server, info.name))
        if self.config_file is not None:
            save_tool_rule(self.config_file, None if info.server == SERVER else info.server, info.name, "allow")

    def run(
        self, info: ToolInfo, arguments: dict[str, Any], reach: Reach, cancelled: threading.Event | None = None
    ) -> Result:
        """Run one call within its deadline. The tool's own failure is a ``Result`` with
        ``error``; a server that cannot be reached, dies or does not answer in time raises
        ``ToolError``, and so does ``cancelled`` set while it runs (the reply was stopped)."""
        if info.server == SERVER:
            return self._builtin(info, arguments, reach, cancelled)
        spec = self.specs.get(info.server)
        if spec is None:
            raise ToolError(f"no MCP server named '{info.server}' in config.toml")
        return self.servers.call(info.server, info.name, arguments, timeout=spec.timeout, cancelled=cancelled)

    def _builtin(
        self, info: ToolInfo, arguments: dict[str, Any], reach: Reach, cancelled: threading.Event | None = None
    ) -> Result:
        started = time.perf_counter()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["text"] = BUILTINS[info.name].run(reach, arguments)
            except ToolError as e:
                box["error"] = str(e)
            except Exception as e:  # a built-in's own failure is its result, not mnemo's crash
                box["error"] = f"{type(e).__name__}: {e}"

        worker = threading.Thread(target=work, name=f"mnemo-tool-{info.name}", daemon=True)
        worker.start()
        deadline = time.monotonic() + self.settings.timeout
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(min(0.05, max(0.0, deadline - time.monotonic())))
            if cancelled is not None and cancelled.is_set() and worker.is_alive():
                raise ToolError(STOPPED)
        ms = round((time.perf_counter() - started) * 1000)
        if worker.is_alive():
            raise ToolError(f"{info.name} did not answer within {self.settings.timeout:.0f} s")
        if "error" in box:
            return Result(box["error"], True, ms)
        return Result(box["text"], False, ms)

    def state(self, server: str) -> str:
        """A server's state, for ``mnemo mcp list``: "stopped", "running", "died: why"."""
        return self.servers.state(server)

    def close(self) -> None:
        self.servers.close()
