"""Who decides whether a tool call runs (ARCHITECTURE.md, Tools).

Every tool is ``allow``, ``ask`` or ``deny``. What the user set for a tool (config.toml, or
"Always allow this tool" in the chat app) wins; a read-only tool (by its server's own
annotation) is allowed without asking only on a server the user marked trusted; anything
else asks. Where nobody can be asked (``mnemo ask`` without a terminal), ask means deny,
unless the run named the tool (``--allow-tool``). A denial is a tool result the model
sees, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Rule(StrEnum):
    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"


class Answer(StrEnum):
    """What the user said when asked."""

    ONCE = "once"  # Allow once
    ALWAYS = "always"  # Always allow this tool
    DENY = "deny"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    why: str  # for the card and the log: "allowed in config.toml", "you denied it", ...


def rule_for(tool: str, rules: dict[str, str], *, trusted: bool, read_only: bool) -> Rule:
    """The standing rule for ``tool`` before anyone is asked."""
    if tool in rules:
        return Rule(rules[tool])
    if trusted and read_only:
        return Rule.ALLOW
    return Rule.ASK


def decide(rule: Rule, *, named: bool = False, ask: Any = None) -> tuple[Decision, Answer | None]:
    """Apply ``rule``: ``named`` is a tool this run allowed by name; ``ask`` is the way to
    ask the user (a callable returning an ``Answer``), None where nobody can be asked."""
    if rule is Rule.DENY:
        return Decision(False, "denied in config.toml"), None
    if rule is Rule.ALLOW:
        return Decision(True, "allowed in config.toml"), None
    if named:
        return Decision(True, "allowed for this run (--allow-tool)"), None
    if ask is None:
        return Decision(False, "not allowed without a terminal to ask (use --allow-tool NAME)"), None
    answer = Answer(ask())
    if answer is Answer.DENY:
        return Decision(False, "you denied it"), answer
    return Decision(True, "you allowed it" + (" (always)" if answer is Answer.ALWAYS else "")), answer


def denial_result(tool: str, decision: Decision) -> str:
    """What the model is told when a call does not run."""
    return f"The call to {tool} did not run: {decision.why}. Answer without it, or say what you would need."
