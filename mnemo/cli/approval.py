"""`mnemo ask`'s side of tool calls: the approval prompt on the terminal, and the one
stderr line each call gets.

On a terminal (stdin and stderr both one), a call that asks is put to the user on stderr
and answered on stdin: ``o`` (Allow once), ``a`` (Always allow this tool: config.toml
keeps it), ``d`` (Deny). End of input denies. Without a terminal nobody can be asked: the
turn denies what is not allowed, and the call's line says how to allow it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from mnemo.text import printable
from mnemo.tools.policy import Answer

CHOICES = "[o]nce / [a]lways / [d]eny"
ANSWERS = {
    "o": Answer.ONCE,
    "once": Answer.ONCE,
    "y": Answer.ONCE,
    "yes": Answer.ONCE,
    "a": Answer.ALWAYS,
    "always": Answer.ALWAYS,
    "d": Answer.DENY,
    "deny": Answer.DENY,
    "n": Answer.DENY,
    "no": Answer.DENY,
}
TRIES = 3  # answers that are none of the above before the call is denied
INLINE = 100  # arguments this short (as one line of JSON) are shown on the question's line
SHOWN_LINES = 40  # longer arguments: this many lines of pretty JSON, then how many more


def is_terminal(stdin: Any, stderr: Any) -> bool:
    """Someone can be asked: stdin and stderr are both a terminal."""
    try:
        return bool(stdin is not None and stdin.isatty() and stderr is not None and stderr.isatty())
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def _arguments(arguments: dict[str, Any]) -> tuple[str, list[str]]:
    """The arguments for the question: ``(inline, lines)``, one of them empty."""
    if not arguments:
        return "", []
    one = json.dumps(arguments, ensure_ascii=False)
    if len(one) <= INLINE and "\\n" not in one:
        return one, []
    lines = json.dumps(arguments, ensure_ascii=False, indent=2).splitlines()
    if len(lines) > SHOWN_LINES:
        more = len(lines) - SHOWN_LINES
        lines = [*lines[:SHOWN_LINES], f"… {more} more lines"]
    return "", lines


def question(call: Any) -> str:
    """What the user is asked, ending where the answer is typed."""
    inline, lines = _arguments(call.arguments)
    head = f"Allow mnemo to run {call.tool} ({call.server})"
    if lines:
        body = "\n".join("  " + ln for ln in lines)
        text = f"{head} with these arguments?\n{body}\n{CHOICES} "
    elif inline:
        text = f"{head} with {inline}? {CHOICES} "
    else:
        text = f"{head}? {CHOICES} "
    return printable(text)


def terminal_approver(
    stdin: TextIO, stderr: TextIO, before: Callable[[], None] | None = None
) -> Callable[[Any], Answer]:
    """An ``approve`` for the turn that asks on ``stderr`` and reads the answer from
    ``stdin``. ``before`` runs first (it ends the reply's line on the terminal)."""

    def approve(call: Any) -> Answer:
        if before is not None:
            before()
        for attempt in range(TRIES):
            stderr.write(question(call) if attempt == 0 else f"{CHOICES}? ")
            stderr.flush()
            line = stdin.readline()
            if not line:  # end of input (ctrl+d): nobody said yes
                stderr.write("\n")
                return Answer.DENY
            answer = ANSWERS.get(line.strip().lower())
            if answer is not None:
                return answer
            stderr.write("  answer o (allow once), a (always allow this tool) or d (deny)\n")
        return Answer.DENY

    return approve


def call_line(call: Any) -> str:
    """The one stderr line of a finished call: ``tool get_current_time (time): allowed, 41 ms``."""
    head = f"tool {call.tool} ({call.server})"
    if call.decision != "allow":
        why = call.why.replace("--allow-tool NAME", f"--allow-tool {call.tool}") if call.why else "not allowed"
        return printable(f"{head}: denied: {why}")
    if call.error:
        return printable(f"{head}: allowed, failed after {call.ms} ms: {call.error}")
    cut = ", result cut to fit" if call.cut else ""
    return printable(f"{head}: allowed, {call.ms} ms{cut}")
