"""`mnemo memory …`."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mnemo.cli import memory_app
from mnemo.cli.common import JsonOpt, console, core, emit_json, home, print_table, utf8, when, write_out
from mnemo.errors import BadInput
from mnemo.text import printable


def _memory_rows(records: list[Any]) -> None:
    print_table(
        ("id", "kind", "status", "created", "text"),
        [
            (str(r.id), r.kind, r.status + (" · pinned" if r.pinned else ""), when(r.created_at), printable(r.text))
            for r in records
        ],
    )


@memory_app.command("list")
def memory_list(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include superseded and forgotten memories.")] = False,
    kind: Annotated[str | None, typer.Option(help="fact, preference, instruction, list or episode.")] = None,
    episodes: Annotated[bool, typer.Option(help="Include episodes (the stored message chunks).")] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """What mnemo remembers (facts, preferences, instructions, lists), oldest first."""
    from mnemo.assistant import MEMORY_KINDS

    if kind is not None and kind not in MEMORY_KINDS:
        raise BadInput(f"unknown kind '{kind}'; use one of {', '.join(MEMORY_KINDS)}")
    with core(home(ctx)) as a:
        records = a.memories(include_all=show_all, kind=kind, episodes=episodes, limit=limit) if a else []
    if as_json:
        emit_json([r.to_dict() for r in records])
    elif records:
        _memory_rows(records)
    else:
        print("no memories yet", file=sys.stderr)


@memory_app.command("search")
def memory_search(
    ctx: typer.Context,
    query: str,
    limit: Annotated[int, typer.Option(help="How many.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Search memories the way recall does (meaning and words), best first."""
    with core(home(ctx)) as a:
        found = a.search_memories(query, limit) if a else []
    if as_json:
        emit_json([{**m.to_dict(), "source_message_id": m.source_message_id} for m in found])
        return
    if not found:
        print(f"nothing remembered about {query!r}", file=sys.stderr)
        return
    con = console()
    for m in found:
        con.print(f"{m.id:>5}  {m.score:.3f}  {when(m.created_at)}  {m.kind:<11} {printable(m.text)}", markup=False)


@memory_app.command("add")
def memory_add(
    ctx: typer.Context,
    text: str,
    kind: Annotated[str, typer.Option(help="fact, preference or instruction.")] = "fact",
    pin: Annotated[bool, typer.Option("--pin", help="Keep it in every prompt (the profile).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remember something now, as you would with /remember."""
    if kind not in ("fact", "preference", "instruction"):
        raise BadInput(f"--kind must be fact, preference or instruction, not '{kind}'")
    text = utf8(text)
    if not text.strip():
        raise BadInput("the memory is empty; give the text to remember")
    with core(home(ctx), create=True) as a:
        added = a.remember(text, kind, pinned=pin)
    if as_json:
        emit_json([r.to_dict() for r in added])
    else:
        for r in added:
            print(f"remembered #{r.id}: {printable(r.text)}", file=sys.stderr)


@memory_app.command("forget")
def memory_forget(
    ctx: typer.Context,
    what: Annotated[str | None, typer.Argument(help="A memory id, or words saying what to forget.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Erase every memory for good (text, vectors, index).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Forget memories: erased from the database file (text, vectors, full-text index)."""
    if everything == (what is not None):
        raise BadInput("give a memory id or what to forget, or --all (not both)")

    def confirm(prompt: str) -> None:
        if yes:
            return
        if not sys.stdin.isatty():
            raise BadInput("pass --yes to forget without a confirmation prompt")
        typer.confirm(prompt, abort=True, err=True)

    with core(home(ctx)) as a:
        if a is None:
            raise BadInput("there are no memories yet")
        if everything:
            confirm(f"Erase all {len(a.memories(include_all=True, episodes=True))} memories for good?")
            gone = a.forget_everything()
        else:
            assert what is not None
            records = [a.memory(int(what))] if what.isdigit() else a.memories_about(what)
            records = [r for r in records if r.status != "forgotten"]
            if not records:
                raise BadInput(f"nothing remembered matches {what!r}; see `mnemo memory list`")
            if not what.isdigit():
                _memory_rows(records)
                confirm(f"Forget these {len(records)} memories?")
            a.forget_memories(records)
            gone = [r.id for r in records]
    if as_json:
        emit_json({"forgotten": gone})
    else:
        print(f"forgot {len(gone)} {'memory' if len(gone) == 1 else 'memories'}", file=sys.stderr)


@memory_app.command("export")
def memory_export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (mode 0600).")] = None,
    episodes: Annotated[bool, typer.Option(help="Include episodes (message chunks).")] = False,
) -> None:
    """Export memories as JSON Lines (one memory per line): current and earlier values;
    forgotten memories are erased and never exported."""
    with core(home(ctx)) as a:
        records = a.memories(include_all=True, episodes=episodes) if a else []
    records = [r for r in records if r.status != "forgotten"]
    keys = ("kind", "text", "subject", "status", "pinned", "created_at", "updated_at", "meta")
    text = "".join(json.dumps({k: getattr(r, k) for k in keys}, ensure_ascii=False) + "\n" for r in records)
    write_out(text, output)


@memory_app.command("import")
def memory_import(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A JSON Lines file from `mnemo memory export`.")],
    as_json: JsonOpt = False,
) -> None:
    """Import memories from JSON Lines; the file is checked whole before anything is written."""
    from mnemo.assistant import MEMORY_KINDS as KINDS

    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"cannot read {source}: {getattr(e, 'strerror', None) or e}") from None
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadInput(f"{source}, line {n}: not JSON ({e.msg}); nothing was imported") from None
        if (
            not isinstance(row, dict)
            or row.get("kind") not in KINDS
            or not isinstance(row.get("text"), str)
            or not row["text"].strip()
        ):
            raise BadInput(
                f"{source}, line {n}: needs a 'kind' ({', '.join(KINDS)}) and a non-empty 'text'; nothing was imported"
            )
        if row.get("status", "active") not in ("active", "superseded", "forgotten"):
            raise BadInput(f"{source}, line {n}: unknown status {row.get('status')!r}; nothing was imported")
        for key in ("created_at", "updated_at"):
            if key in row and not isinstance(row[key], (int, float)):
                raise BadInput(f"{source}, line {n}: '{key}' must be a number; nothing was imported")
        rows.append(row)
    with core(home(ctx), create=True) as a:
        added = a.import_memories(rows)
    if as_json:
        emit_json({"imported": added, "skipped": len(rows) - added})
    else:
        print(f"imported {added} memories ({len(rows) - added} were there already)", file=sys.stderr)
