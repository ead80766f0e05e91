"""`mnemo conversations …`."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from mnemo.cli import conversations_app
from mnemo.cli.common import JsonOpt, console, core, emit_json, existing, home, print_table, when, write_out
from mnemo.errors import BadInput
from mnemo.text import printable

SHOWN_LINES = 6  # `show` prints this many lines of each tool call's result (`export` all of them)


@conversations_app.command("list")
def conversations_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Conversations, pinned first, then newest first."""
    with core(home(ctx)) as a:
        items = a.conversations(limit) if a else []
    if as_json:
        emit_json([c.to_dict() for c in items])
        return
    if not items:
        print("no conversations yet; start one with `mnemo ask` or `mnemo chat`", file=sys.stderr)
        return
    print_table(
        ("id", "updated", "messages", "model", "title"),
        [(str(c.id), when(c.updated_at), str(c.message_count), c.model or "", printable(c.title)) for c in items],
    )


@conversations_app.command("show")
def conversations_show(ctx: typer.Context, conversation_id: int, as_json: JsonOpt = False) -> None:
    """Print a conversation, each reply with its tool calls (their results cut to a few lines)."""
    with existing(home(ctx)) as a:
        text = a.export_conversation(conversation_id, "json" if as_json else "markdown", result_lines=SHOWN_LINES)
    if as_json:
        sys.stdout.write(text)
        return
    sys.stdout.write(printable(text) if sys.stdout.isatty() else text)


@conversations_app.command("search")
def conversations_search(
    ctx: typer.Context,
    query: str,
    limit: Annotated[int, typer.Option(help="How many hits.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search over every message (SQLite FTS5)."""
    with core(home(ctx)) as a:
        hits = a.search_messages(query, limit) if a else []
    if as_json:
        emit_json(
            [
                {
                    "conversation_id": h.message.conversation_id,
                    "conversation_title": h.conversation_title,
                    "message_id": h.message.id,
                    "role": h.message.role,
                    "snippet": h.snippet,
                    "created_at": h.message.created_at,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        print(f"nothing matches {query!r}", file=sys.stderr)
        return
    con = console()
    for h in hits:
        con.print(
            f"{h.message.conversation_id}#{h.message.id} {when(h.message.created_at)} "
            f"{h.message.role}: {printable(' '.join(h.snippet.split()))}",
            markup=False,
        )


@conversations_app.command("export")
def conversations_export(
    ctx: typer.Context,
    conversation_id: int,
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown or json")] = "markdown",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (mode 0600) instead of stdout.")
    ] = None,
) -> None:
    """Export a conversation as Markdown or JSON."""
    if fmt not in ("markdown", "md", "json"):
        raise BadInput(f"unknown format '{fmt}'; use markdown or json")
    with existing(home(ctx)) as a:
        text = a.export_conversation(conversation_id, "json" if fmt == "json" else "markdown")
    write_out(text, output)


@conversations_app.command("delete")
def conversations_delete(
    ctx: typer.Context,
    conversation_id: int,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a conversation and every message in it (text and search index)."""
    with existing(home(ctx)) as a:
        conv = a.conversation(conversation_id)
        if not yes:
            if not sys.stdin.isatty():
                raise BadInput("pass --yes to delete without a confirmation prompt")
            typer.confirm(
                f"Delete conversation {conv.id} '{conv.title}' ({conv.message_count} messages)?", abort=True, err=True
            )
        a.delete_conversation(conversation_id)
    print(f"deleted conversation {conversation_id}", file=sys.stderr)
