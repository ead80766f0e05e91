"""`mnemo ask` and `mnemo chat`."""

import io
import os
import stat
import sys
from typing import Annotated

import typer

from mnemo.cli import app
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
    as_json: JsonOpt = False,
) -> None:
    """Answer one message and exit; the reply streams to stdout."""
    text = _message(None if text is None else utf8(text))
    if new and conversation is not None:
        raise BadInput("--new and --conversation cannot be used together; pick one")
    from mnemo.assistant import Assistant

    assistant = Assistant.open(home(ctx), model=model, memory=not no_memory)
    try:
        if new:
            assistant.new_conversation()
        elif conversation is not None:
            assistant.use_conversation(conversation)
        else:
            assistant.continue_latest()
        out = sys.stdout
        shown = printable if out.isatty() else str  # a pipe gets the exact text
        from mnemo.assistant import Progress, TextDelta

        waiting = _Waiting()
        try:
            with assistant.stream(text, max_tokens=max_tokens) as stream:
                for event in stream.events(progress=True):
                    if isinstance(event, Progress):
                        waiting.show(event)
                    elif isinstance(event, TextDelta):
                        waiting.clear()
                        if not as_json:
                            out.write(shown(event.text))
                            out.flush()
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
