"""`mnemo ask` and `mnemo chat`."""

import io
import os
import stat
import sys
from typing import Annotated, Any, TextIO

import typer

from mnemo.cli import app
from mnemo.cli.approval import call_line, is_terminal, terminal_approver
from mnemo.cli.common import JsonOpt, emit_json, home, utf8
from mnemo.errors import BadInput
from mnemo.text import printable


def _piped() -> str | None:
    """stdin's text when it is a pipe or a file (not a terminal, nor /dev/null); None
    otherwise."""
    stream = sys.stdin
    if stream is None:
        return None
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, io.UnsupportedOperation):  # in-process (tests): what it was given
        mode = stat.S_IFIFO
    if not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode)) or stream.isatty():
        return None
    return utf8(stream.buffer.read().decode("utf-8", errors="surrogateescape"))


def _message(text: str | None) -> str:
    """The message from the argument and stdin: '-' or no argument reads stdin; an
    argument with text piped in is the instruction, then a blank line, then the text."""
    if text == "-" or text is None:
        if text is None and sys.stdin is not None and sys.stdin.isatty():
            raise BadInput("give the message, or pipe text in (`mnemo ask --help`)")
        piped = _piped() if text is None else utf8(sys.stdin.buffer.read().decode("utf-8", errors="surrogateescape"))
        if not piped or not piped.strip():
            raise BadInput("the message is empty: nothing came on stdin; give the message, or pipe text in")
        return piped
    piped = _piped()
    if not text.strip() and not (piped and piped.strip()):
        raise BadInput("the message is empty; pass the text, or '-' with text on stdin")
    if piped and piped.strip():
        return f"{text.strip()}\n\n{piped}" if text.strip() else piped
    return text


LONG_PROMPT = 2000  # tokens: a prompt this long takes the model a while to read (said on a terminal)


class _Waiting:
    """On a terminal (stderr), one line while the model reads a long prompt, erased at the
    first word: a big paste takes seconds to minutes on a CPU, and says so."""

    def __init__(self) -> None:
        self.on = sys.stderr.isatty()
        self.shown = False

    def show(self, event: object) -> None:
        total = getattr(event, "total", 0)
        if self.on and getattr(event, "stage", "") == "reading" and total >= LONG_PROMPT:
            sys.stderr.write(f"mnemo: the model is reading a prompt of {total:,} tokens; ctrl+c stops…")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


class _Screen:
    """The reply's text on stdout, and where its line is: a question or a call's line on
    stderr starts on a line of its own when both go to the terminal (a pipe gets the
    reply's exact text, nothing added)."""

    def __init__(self, out: TextIO, shows_text: bool):
        self.out = out
        self.shows_text = shows_text
        self.mid_line = False

    def write(self, text: str) -> None:
        if not self.shows_text or not text:
            return
        self.out.write(text)
        self.out.flush()
        self.mid_line = not text.endswith("\n")

    def end_line(self) -> None:
        if self.mid_line and self.out.isatty():
            self.out.write("\n")
            self.out.flush()
            self.mid_line = False


def _tool_choice(toolbox: Any, allow: list[str], offer: str | None) -> tuple[frozenset[str], set[str] | None]:
    """``--allow-tool`` and ``--tools`` checked against the tools there are: the tool names
    this run may call without asking (a server's name stands for its tools), and what it
    offers (None: all). A name that is neither a tool nor a server is bad input."""
    from mnemo.tools.builtin import BUILTINS, SERVER

    def unknown(flag: str, name: str) -> BadInput:
        why = "; ".join(toolbox.problems)
        return BadInput(
            f"{flag}: there is no tool or MCP server named '{name}'"
            + (f" ({why})" if why else "")
            + "; `mnemo mcp list` shows them"
        )

    def tools_of(flag: str, server: str) -> set[str]:
        if server == SERVER:
            return set(BUILTINS)
        found = {t.name for t in toolbox.offered({server}) if t.server == server}
        if toolbox.problems:
            raise BadInput(f"{flag} {server}: {toolbox.problems[0]}")
        return found

    allowed: set[str] = set()
    for name in allow:
        name = name.strip()
        if name == SERVER or name in toolbox.specs:
            allowed |= tools_of("--allow-tool", name)
        elif (info := toolbox.find(name)) is not None:
            allowed.add(info.name)  # "server.tool" names it by its own name, as calls do
        else:
            raise unknown("--allow-tool", name)
    if offer is None:
        return frozenset(allowed), None
    if offer.strip().lower() == "none":
        return frozenset(allowed), set()
    names = {n.strip() for n in offer.split(",") if n.strip()}
    if not names:
        raise BadInput("--tools needs tool or server names, comma-separated, or 'none'")
    offered: set[str] = set()
    for name in names:
        if name == SERVER or name in toolbox.specs:
            offered.add(name)
        elif (info := toolbox.find(name)) is not None:
            offered.add(info.name)
        else:
            raise unknown("--tools", name)
    return frozenset(allowed), offered


@app.command()
def ask(
    ctx: typer.Context,
    text: Annotated[
        str | None,
        typer.Argument(
            help="The message; '-' reads it from stdin. With text piped in as well, this is the "
            "instruction and the piped text its material (one message).",
            show_default=False,
        ),
    ] = None,
    conversation: Annotated[
        int | None, typer.Option("--conversation", "-c", help="Continue this conversation (default: the latest one).")
    ] = None,
    new: Annotated[bool, typer.Option("--new", "-n", help="Start a new conversation.")] = False,
    model: Annotated[str | None, typer.Option("--model", "-m", help="A models.toml entry.")] = None,
    max_tokens: Annotated[
        int | None,
        typer.Option("--max-tokens", min=1, help="Longest reply, in tokens (default: the model's max_tokens)."),
    ] = None,
    no_memory: Annotated[bool, typer.Option("--no-memory", help="Neither read nor write long-term memory.")] = False,
    allow_tool: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-tool",
            metavar="NAME",
            help="Let this run call this tool without asking (repeatable; a server's name: all its tools).",
        ),
    ] = None,
    tools: Annotated[
        str | None,
        typer.Option(
            "--tools",
            metavar="NAME,NAME",
            help="Offer only these tools (tool or server names); 'none' offers none. Default: all.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer one message and exit; the reply streams to stdout. A tool call that asks is put
    to you on the terminal; without one, only allowed tools run (see --allow-tool)."""
    text = _message(None if text is None else utf8(text))
    if new and conversation is not None:
        raise BadInput("--new and --conversation cannot be used together; pick one")
    from mnemo.assistant import Assistant, Progress, TextDelta, ToolFinished

    assistant = Assistant.open(home(ctx), model=model, memory=not no_memory)
    try:
        if new:
            assistant.new_conversation()
        elif conversation is not None:
            assistant.use_conversation(conversation)
        else:
            assistant.continue_latest()
        allowed, offer = _tool_choice(assistant.toolbox, allow_tool or [], tools)
        out = sys.stdout
        shown = printable if out.isatty() else str  # a pipe gets the exact text
        screen = _Screen(out, shows_text=not as_json)
        waiting = _Waiting()

        def own_line() -> None:  # a question or a call's line on stderr starts a line of its own
            waiting.clear()
            screen.end_line()

        approve = (
            terminal_approver(sys.stdin, sys.stderr, before=own_line) if is_terminal(sys.stdin, sys.stderr) else None
        )
        try:
            with assistant.stream(text, max_tokens=max_tokens, approve=approve, allowed=allowed, tools=offer) as stream:
                for event in stream.events(progress=True):
                    if isinstance(event, Progress):
                        waiting.show(event)
                    elif isinstance(event, TextDelta):
                        waiting.clear()
                        screen.write(shown(event.text))
                    elif isinstance(event, ToolFinished):
                        own_line()
                        print(call_line(event.call), file=sys.stderr)
        finally:
            waiting.clear()  # before an error or "interrupted" is said
        reply = stream.reply
        if as_json:
            emit_json(reply.to_dict())
        else:
            out.write("\n")
            for notice in reply.notices:
                print(f"mnemo: note: {printable(notice)}", file=sys.stderr)
        if not reply.text.strip():
            why = " after your message was cut to fit its context" if any("was cut" in n for n in reply.notices) else ""
            print(
                f"mnemo: the model ({reply.model}) gave an empty reply{why}; try a shorter message, "
                "or a model with a larger n_ctx",
                file=sys.stderr,
            )
            raise typer.Exit(1)
    finally:
        assistant.close()


@app.command()
def chat(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option("--model", "-m", help="A models.toml entry.")] = None,
    incognito: Annotated[
        bool, typer.Option("--incognito", help="Start with a conversation that neither reads nor writes memory.")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--continue",
            "-c",
            help="Reopen the last conversation (continue_last = true in config.toml does it every time).",
        ),
    ] = False,
) -> None:
    """Open the chat app."""
    if resume and incognito:
        raise BadInput("--continue and --incognito cannot be used together: an incognito chat starts empty")
    from mnemo.assistant import Assistant

    opener = Assistant.opening(home(ctx), model=model)  # the model's process starts before the app loads
    from mnemo.tui.app import MnemoApp

    app = MnemoApp(opener, incognito=incognito, resume=True if resume else None)
    app.run()
    if app.return_code:  # the start-up error screen: a configuration to fix (exit 2)
        raise typer.Exit(app.return_code)
