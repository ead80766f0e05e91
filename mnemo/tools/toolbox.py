"""The tools a turn may offer, and the record of one call (ARCHITECTURE.md, Tools).

``ToolCall`` is what is stored with a turn, shown as a card, printed by ``conversations
show`` and listed in ``mnemo ask --json`` (``tool_calls``, DESIGN.md's Public contracts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
