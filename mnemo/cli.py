"""The ``mnemo`` command. Heavy modules (llama_cpp, textual, torch) load only inside the
commands that need them, so ``mnemo --help`` stays instant.

stdout carries answers and data (``--json``); diagnostics and errors go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from mnemo import __version__
from mnemo.errors import BadInput, MnemoError
from mnemo.text import printable

app = typer.Typer(
    name="mnemo",
    help="A local-first terminal assistant that runs open-weight models on your machine and remembers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(help="List, inspect, add, download and pick models (models.toml).", no_args_is_help=True)
conversations_app = typer.Typer(help="List, read, search, export and delete conversations.", no_args_is_help=True)
memory_app = typer.Typer(help="See, search, add, forget, export and import what mnemo remembers.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(conversations_app, name="conversations")
app.add_typer(memory_app, name="memory")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _when(ts: float | None) -> str:
    from mnemo.export import when

    return when(ts)


@app.callback(invoke_without_command=True)
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log diagnostics to stderr.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        print(f"mnemo {__version__}")
        raise typer.Exit()
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger("mnemo").addHandler(handler)
        logging.getLogger("mnemo").setLevel(logging.DEBUG)


# ---------------------------------------------------------------------------- ask


@app.command()
def ask(
    text: Annotated[str, typer.Argument(help="The message; '-' reads it from stdin.")],
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
    text = _utf8(text)
    if text == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    if not text.strip():
        raise BadInput("the message is empty; pass the text, or '-' with text on stdin")
    if new and conversation is not None:
        raise BadInput("--new and --conversation cannot be used together; pick one")
    from mnemo.assistant import Assistant

    assistant = Assistant.open(model=model, memory=not no_memory)
    try:
        if new:
            assistant.new_conversation()
        elif conversation is not None:
            assistant.use_conversation(conversation)
        else:
            assistant.continue_latest()
        out = sys.stdout
        shown = printable if out.isatty() else str  # a pipe gets the exact text
        with assistant.stream(text, max_tokens=max_tokens) as stream:
            for delta in stream:
                if not as_json:
                    out.write(shown(delta))
                    out.flush()
        reply = stream.reply
        if as_json:
            _emit_json(reply.to_dict())
        else:
            out.write("\n")
            for notice in reply.notices:
                print(f"mnemo: note: {printable(notice)}", file=sys.stderr)
    finally:
        assistant.close()


def _utf8(text: str) -> str:
    """Bytes that are not UTF-8 (Python keeps them as surrogates) become U+FFFD: SQLite
    and the model take only real text."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# --------------------------------------------------------------------------- chat


@app.command()
def chat(
    model: Annotated[str | None, typer.Option("--model", "-m", help="A models.toml entry.")] = None,
    incognito: Annotated[
        bool, typer.Option("--incognito", help="Start with a conversation that neither reads nor writes memory.")
    ] = False,
) -> None:
    """Open the chat app."""
    from mnemo.assistant import Assistant

    opener = Assistant.opening(model=model)  # the model's process starts before the app loads
    from mnemo.tui.app import MnemoApp

    app = MnemoApp(opener, incognito=incognito)
    app.run()
    if app.return_code:  # the start-up error screen: a configuration to fix (exit 2)
        raise typer.Exit(app.return_code)


# ------------------------------------------------------------------------- models


def _models() -> Any:
    from mnemo.models import Models
    from mnemo.paths import Home

    return Models(Home.resolve())


@models_app.command("list")
def models_list(as_json: JsonOpt = False) -> None:
    """The models you can use, and where each would run here; the default is marked with *."""
    default, rows = _models().listing()
    if as_json:
        _emit_json({"default": default, "models": rows})
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("", "name", "kind", "fits", "source", "description"):
        table.add_column(col, overflow="fold")
    for row in rows:
        src = row["source"] if row["kind"] == "gguf" else row["base_url"]
        fits = row["fit"] or ("remote" if row["kind"] == "openai" else "")
        table.add_row(
            "*" if row["name"] == default else "", row["name"], row["kind"], fits, src or "", row["description"]
        )
    _console().print(table)


@models_app.command("show")
def models_show(
    name: Annotated[str | None, typer.Argument(help="Default: the default model.")] = None, as_json: JsonOpt = False
) -> None:
    """One model's settings, file and GGUF metadata."""
    details = _models().show(name)
    if as_json:
        _emit_json(details)
        return
    console = _console()
    for key, value in details.items():
        if isinstance(value, dict):
            console.print(f"{key}:", markup=False)
            for k, v in value.items():
                console.print(f"  {k}: {v}", markup=False)
        elif value not in (None, ""):
            console.print(f"{key}: {value}", markup=False)


@models_app.command("use")
def models_use(name: str) -> None:
    """Make NAME the default model (written to your models.toml)."""
    _models().use(name)
    print(f"default model: {name}", file=sys.stderr)


@models_app.command("add")
def models_add(
    path: Annotated[Path, typer.Argument(help="A .gguf file on this machine.")],
    name: Annotated[str | None, typer.Option(help="Default: the file name without .gguf.")] = None,
    n_ctx: Annotated[int | None, typer.Option(help="Context length.")] = None,
) -> None:
    """Register a local GGUF file in your models.toml."""
    added, target = _models().add(path, name, n_ctx)
    print(f"added model '{added}' to {target}", file=sys.stderr)


@models_app.command("scan")
def models_scan(
    folders: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Folders to search (default: where Hugging Face, Ollama, LM Studio and llama.cpp keep models)."
        ),
    ] = None,
    add: Annotated[bool, typer.Option("--add", help="Register each new one in your models.toml, in place.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Find GGUF models already on this machine; --add uses them where they are (no copy)."""
    from mnemo.models import size_text

    found, added = _models().scan(folders, add)
    if as_json:
        _emit_json({"found": [f.to_dict() for f in found], "added": added})
        return
    if not found:
        print(
            "no GGUF models found"
            + (
                " there"
                if folders
                else " in the Hugging Face cache, Ollama, LM Studio or llama.cpp's cache; name a folder to search it"
            ),
            file=sys.stderr,
        )
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("name", "from", "arch", "params", "quant", "size", "context", "template", "file"):
        table.add_column(col, overflow="fold")
    for f in found:
        table.add_row(
            f.name,
            f.origin,
            f.architecture or "?",
            f.parameters or "?",
            f.quantization or "?",
            size_text(f.size_bytes),
            str(f.context or "?"),
            "yes" if f.chat_template else "no",
            printable(str(f.path)),
        )
    _console().print(table, markup=False)
    if add:
        print(f"added {len(added)} to your models.toml: {', '.join(added) or 'none new'}", file=sys.stderr)
    else:
        print("add them with --add (used where they are, not copied), then --model NAME", file=sys.stderr)


@models_app.command("discover")
def models_discover(
    url: Annotated[str, typer.Argument(help="An OpenAI-compatible server, e.g. http://gpu-box:8080/v1")],
    add: Annotated[bool, typer.Option("--add", help="Add each model to your models.toml.")] = False,
    api_key_env: Annotated[str | None, typer.Option(help="Environment variable holding the API key.")] = None,
    n_ctx: Annotated[int | None, typer.Option(help="Context length to assume for added models.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the models a server offers (GET /models); --add registers them as kind = "openai"."""
    ids, added = _models().discover(url, add, api_key_env, n_ctx)
    if as_json:
        _emit_json({"url": url, "models": ids, "added": added})
        return
    for model_id in ids:
        print(printable(model_id))
    if add:
        print(f"added {len(added)} to your models.toml: {', '.join(added) or 'none new'}", file=sys.stderr)
    elif ids:
        print("add them with --add, then use one with --model NAME", file=sys.stderr)


@models_app.command("pull")
def models_pull(
    what: Annotated[
        str,
        typer.Argument(
            help="A catalog name (qwen3-4b, qwen3-4b:Q8_0), hf:ORG/REPO[:QUANT|:FILE], "
            "an https:// URL, or a models.toml entry with a URL source."
        ),
    ],
    sha256: Annotated[str | None, typer.Option("--sha256", help="Expected checksum (required with a URL).")] = None,
    name: Annotated[str | None, typer.Option(help="Name for the new entry.")] = None,
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Put the file here instead of the shared Hugging Face cache.")
    ] = None,
) -> None:
    """Download a model (resumable, with progress), verify its checksum and register it."""
    models = _models()
    hub = models.from_hub(what)
    if hub and (before := models.before_pull(what)):
        print(before, file=sys.stderr)  # before anything is fetched: will it fit?
    with _progress_bar() as bar:

        def progress(file: str, size: int | None) -> Callable[[int, int | None], None]:
            task = bar.add_task(file, total=size)
            return lambda done, total: bar.update(task, completed=done, total=total)

        pulled = models.pull(what, name, folder, progress) if hub else models.pull_url(what, sha256, name, progress)
    print(pulled.said, file=sys.stderr)


def _progress_bar():
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=_console(stderr=True),
        transient=True,
    )


@models_app.command("catalog")
def models_catalog(as_json: JsonOpt = False) -> None:
    """Well-known instruct models to pull by name, with their size and whether they fit here."""
    from mnemo.models import size_text

    rows = _models().catalog()
    if as_json:
        _emit_json(rows)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("name", "params", "quant", "size", "fits here", "licence", "", "about"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["name"],
            r["params"],
            r["quant"],
            f"≈{size_text(r['size_bytes'])}",
            r["fit"],
            r["license"],
            "pulled" if r["pulled"] else "",
            r["description"],
        )
    _console().print(table, markup=False)
    print("pull one with `mnemo models pull NAME` (NAME:Q8_0 for another quantization)", file=sys.stderr)


def _write_out(text: str, output: Path | None) -> None:
    """Exported data goes to stdout, or to a file only the user can read (mode 0600)."""
    if output is None:
        sys.stdout.write(text)
        return
    from mnemo import paths

    if output.is_dir():
        raise BadInput(f"{output} is a directory; give a file name")
    paths.private_file(output).write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)


# ------------------------------------------------------------------ conversations


@contextmanager
def _core(create: bool = False) -> Iterator[Any]:
    """The Assistant, without a model, for a command about conversations or memories; None
    when there is no database yet and ``create`` is False (nothing is created to look)."""
    from mnemo import paths
    from mnemo.assistant import Assistant

    if not create and not paths.Home.resolve().db_path.exists():
        yield None
        return
    assistant = Assistant.open(load_model=False)
    try:
        yield assistant
    finally:
        assistant.close()


@conversations_app.command("list")
def conversations_list(
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Conversations, pinned first, then newest first."""
    with _core() as a:
        items = a.conversations(limit) if a else []
    if as_json:
        _emit_json([c.to_dict() for c in items])
        return
    if not items:
        print("no conversations yet; start one with `mnemo ask` or `mnemo chat`", file=sys.stderr)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("id", "updated", "messages", "model", "title"):
        table.add_column(col, overflow="fold")
    for c in items:
        table.add_row(str(c.id), _when(c.updated_at), str(c.message_count), c.model or "", printable(c.title))
    _console().print(table, markup=False)


@contextmanager
def _existing() -> Iterator[Any]:
    with _core() as a:
        if a is None:
            raise BadInput("there are no conversations yet; start one with `mnemo ask`")
        yield a


@conversations_app.command("show")
def conversations_show(conversation_id: int, as_json: JsonOpt = False) -> None:
    """Print a conversation."""
    with _existing() as a:
        text = a.export_conversation(conversation_id, "json" if as_json else "markdown")
    if as_json:
        sys.stdout.write(text)
        return
    sys.stdout.write(printable(text) if sys.stdout.isatty() else text)


@conversations_app.command("search")
def conversations_search(
    query: str,
    limit: Annotated[int, typer.Option(help="How many hits.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search over every message (SQLite FTS5)."""
    with _core() as a:
        hits = a.search_messages(query, limit) if a else []
    if as_json:
        _emit_json(
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
    console = _console()
    for h in hits:
        console.print(
            f"{h.message.conversation_id}#{h.message.id} {_when(h.message.created_at)} "
            f"{h.message.role}: {printable(' '.join(h.snippet.split()))}",
            markup=False,
        )


@conversations_app.command("export")
def conversations_export(
    conversation_id: int,
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown or json")] = "markdown",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (mode 0600) instead of stdout.")
    ] = None,
) -> None:
    """Export a conversation as Markdown or JSON."""
    if fmt not in ("markdown", "md", "json"):
        raise BadInput(f"unknown format '{fmt}'; use markdown or json")
    with _existing() as a:
        text = a.export_conversation(conversation_id, "json" if fmt == "json" else "markdown")
    _write_out(text, output)


@conversations_app.command("delete")
def conversations_delete(
    conversation_id: int,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a conversation and every message in it (text and search index)."""
    with _existing() as a:
        conv = a.conversation(conversation_id)
        if not yes:
            if not sys.stdin.isatty():
                raise BadInput("pass --yes to delete without a confirmation prompt")
            typer.confirm(
                f"Delete conversation {conv.id} '{conv.title}' ({conv.message_count} messages)?", abort=True, err=True
            )
        a.delete_conversation(conversation_id)
    print(f"deleted conversation {conversation_id}", file=sys.stderr)


# ------------------------------------------------------------------------ memory


def _memory_rows(records: list[Any]) -> None:
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("id", "kind", "status", "created", "text"):
        table.add_column(col, overflow="fold")
    for r in records:
        status = r.status + (" · pinned" if r.pinned else "")
        table.add_row(str(r.id), r.kind, status, _when(r.created_at), printable(r.text))
    _console().print(table, markup=False)


@memory_app.command("list")
def memory_list(
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
    with _core() as a:
        records = a.memories(include_all=show_all, kind=kind, episodes=episodes, limit=limit) if a else []
    if as_json:
        _emit_json([r.to_dict() for r in records])
    elif records:
        _memory_rows(records)
    else:
        print("no memories yet", file=sys.stderr)


@memory_app.command("search")
def memory_search(
    query: str,
    limit: Annotated[int, typer.Option(help="How many.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Search memories the way recall does (meaning and words), best first."""
    with _core() as a:
        found = a.search_memories(query, limit) if a else []
    if as_json:
        _emit_json([{**m.to_dict(), "source_message_id": m.source_message_id} for m in found])
        return
    if not found:
        print(f"nothing remembered about {query!r}", file=sys.stderr)
        return
    console = _console()
    for m in found:
        console.print(
            f"{m.id:>5}  {m.score:.3f}  {_when(m.created_at)}  {m.kind:<11} {printable(m.text)}", markup=False
        )


@memory_app.command("add")
def memory_add(
    text: str,
    kind: Annotated[str, typer.Option(help="fact, preference or instruction.")] = "fact",
    pin: Annotated[bool, typer.Option("--pin", help="Keep it in every prompt (the profile).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remember something now, as you would with /remember."""
    if kind not in ("fact", "preference", "instruction"):
        raise BadInput(f"--kind must be fact, preference or instruction, not '{kind}'")
    text = _utf8(text)
    if not text.strip():
        raise BadInput("the memory is empty; give the text to remember")
    with _core(create=True) as a:
        added = a.remember(text, kind, pinned=pin)
    if as_json:
        _emit_json([r.to_dict() for r in added])
    else:
        for r in added:
            print(f"remembered #{r.id}: {printable(r.text)}", file=sys.stderr)


@memory_app.command("forget")
def memory_forget(
    what: Annotated[str | None, typer.Argument(help="A memory id, or words saying what to forget.")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Erase every memory for good (text, vectors, index).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Forget memories: they are never recalled again and their vectors are deleted."""
    if everything == (what is not None):
        raise BadInput("give a memory id or what to forget, or --all (not both)")

    def confirm(prompt: str) -> None:
        if yes:
            return
        if not sys.stdin.isatty():
            raise BadInput("pass --yes to forget without a confirmation prompt")
        typer.confirm(prompt, abort=True, err=True)

    with _core() as a:
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
        _emit_json({"forgotten": gone})
    else:
        print(f"forgot {len(gone)} {'memory' if len(gone) == 1 else 'memories'}", file=sys.stderr)


@memory_app.command("export")
def memory_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (mode 0600).")] = None,
    episodes: Annotated[bool, typer.Option(help="Include episodes (message chunks).")] = False,
) -> None:
    """Export memories as JSON Lines (one memory per line), every status included."""
    with _core() as a:
        records = a.memories(include_all=True, episodes=episodes) if a else []
    keys = ("kind", "text", "subject", "status", "pinned", "created_at", "updated_at", "meta")
    text = "".join(json.dumps({k: getattr(r, k) for k in keys}, ensure_ascii=False) + "\n" for r in records)
    _write_out(text, output)


@memory_app.command("import")
def memory_import(
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
    with _core(create=True) as a:
        added = a.import_memories(rows)
    if as_json:
        _emit_json({"imported": added, "skipped": len(rows) - added})
    else:
        print(f"imported {added} memories ({len(rows) - added} were there already)", file=sys.stderr)


# ------------------------------------------------------------------------- bench


eval_app = typer.Typer(help="Evaluations: does the memory work?", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _span(text: str) -> int:
    """'8k' -> 8000 tokens."""
    t = text.strip().lower()
    try:
        return int(float(t[:-1]) * 1000) if t.endswith("k") else int(t)
    except ValueError:
        raise BadInput(f"--span must be a number of tokens such as 8k or 1500, not '{text}'") from None


@eval_app.command("ltm")
def eval_ltm(
    span: Annotated[str, typer.Option(help="Tokens of distraction the memories must span: 1k, 8k, 32k, 120k.")] = "8k",
    seed: Annotated[int, typer.Option(help="The same seed gives the same conversation.")] = 1,
    agents: Annotated[
        str, typer.Option(help="Comma-separated: mnemo, plain, full-context.")
    ] = "mnemo,plain,full-context",
    model: Annotated[str | None, typer.Option("--model", "-m", help="A models.toml entry.")] = None,
    types: Annotated[str | None, typer.Option(help="Comma-separated test types (default: all).")] = None,
    examples: Annotated[int, typer.Option(help="Examples per test type.")] = 1,
    out: Annotated[Path, typer.Option(help="Folder for results.json, report.md, chart.png (and resume state).")] = Path(
        "ltm-results"
    ),
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Play it to mnemo's scripted stand-in model: checks the "
            "run and the memory side in seconds; the scores say nothing of a model.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """GoodAI-style long-term-memory benchmark: one long conversation with distraction
    between the needles and the questions, scored without an LLM judge. Resumes when run
    again with the same --out."""
    import importlib.util

    missing = [name for name in ("faker", "matplotlib") if importlib.util.find_spec(name) is None]
    if missing:
        raise BadInput(f"mnemo eval needs {' and '.join(missing)}: pip install 'mnemo[eval]'")
    from mnemo.evals import report, runner
    from mnemo.evals.ltm import TYPES

    span_tokens = _span(span)
    agent_list = [a.strip() for a in agents.split(",") if a.strip()]
    bad = sorted(set(agent_list) - set(runner.AGENTS))
    if bad or not agent_list:
        raise BadInput(f"unknown agent(s) {', '.join(bad) or '(none)'}; use {', '.join(runner.AGENTS)}")
    type_list = [t.strip() for t in types.split(",")] if types else list(TYPES)
    bad = sorted(set(type_list) - set(TYPES))
    if bad:
        raise BadInput(f"unknown test type(s) {', '.join(bad)}; use {', '.join(TYPES)}")
    if examples < 1:
        raise BadInput("--examples must be at least 1")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[tokens]} tokens"),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(agent: str, done: int, total: int, tokens: int) -> None:
            if agent not in tasks:
                tasks[agent] = bar.add_task(agent, total=total, tokens=0)
            bar.update(tasks[agent], completed=done, tokens=tokens)

        results = runner.run(
            span_tokens=span_tokens,
            seed=seed,
            agents=agent_list,
            model=model,
            types=type_list,
            per_type=examples,
            out=out,
            progress=progress,
            engine_factory=runner.dry_run_factory() if dry_run else None,
        )
    text = report.markdown(results)
    _write_out(text, out / "report.md")
    report.chart(results, out / "chart.png")
    if as_json:
        _emit_json(results)
    else:
        sys.stdout.write(text)


@eval_app.command("recall")
def eval_recall(
    conversations: Annotated[int, typer.Option(help="Generated conversations (each its own home).")] = 8,
    sessions: Annotated[int, typer.Option(help="Dated sessions per conversation.")] = 8,
    turns: Annotated[int, typer.Option(help="Turns per session.")] = 24,
    k: Annotated[int, typer.Option(help="Memories recalled per question (recall@k).")] = 10,
    seed: Annotated[int, typer.Option(help="The same seed gives the same conversations.")] = 1,
    out: Annotated[Path, typer.Option(help="Folder for the homes, results.json and report.md.")] = Path(
        "recall-results"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Recall on long multi-session conversations: does it find the turns that answer each
    question (and nothing for unrelated requests), against naive FTS5, dense and fused
    search over the same turns, computed in the same run."""
    from mnemo.evals import recall

    if min(conversations, sessions, turns, k) < 1 or sessions < 3:
        raise BadInput("--conversations, --turns and --k must be at least 1, --sessions at least 3")
    out.mkdir(parents=True, exist_ok=True)
    console = _console(stderr=True)
    results = recall.run(
        seed=seed,
        conversations=conversations,
        sessions=sessions,
        turns=turns,
        k=k,
        out=out,
        progress=lambda what, done, total: console.print(f"{what}: {done}/{total}"),
    )
    (out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = recall.table(results["summary"]) + "\n"
    _write_out(text, out / "report.md")
    if as_json:
        _emit_json(results["summary"])
    else:
        sys.stdout.write(text)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Fewer runs and smaller sizes (a minute or two).")] = False,
    only: Annotated[
        str | None, typer.Option(help="Comma-separated parts: generation, recall, startup, chat, tui, memory.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure mnemo against its baselines on this machine (in a temporary home)."""
    from mnemo import bench as benchmarks

    parts = [p.strip() for p in only.split(",")] if only else None
    known = {"generation", "recall", "startup", "chat", "tui", "memory"}
    if parts and set(parts) - known:
        raise BadInput(f"unknown part(s) {', '.join(sorted(set(parts) - known))}; use {', '.join(sorted(known))}")
    result = benchmarks.run(quick=quick, only=parts, progress=lambda name: print(f"measuring {name}…", file=sys.stderr))
    if as_json:
        _emit_json(result)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in ("figure", "value", "unit", "baseline", "ratio", "target", "ok"):
        table.add_column(col)
    for f in result["figures"]:
        table.add_row(
            f["name"],
            str(f["value"]),
            f["unit"],
            str(f["baseline"] if f["baseline"] is not None else "–"),
            str(f["ratio"] if f["ratio"] is not None else "–"),
            f["target"],
            {True: "yes", False: "NO", None: "–"}[f["ok"]],
        )
    _console().print(table, markup=False)


# ------------------------------------------------------------------------ doctor


@app.command()
def doctor(as_json: JsonOpt = False) -> None:
    """Check the installation: llama.cpp, GPU offload, models, database, embedder."""
    from mnemo.doctor import report

    result = report()
    if as_json:
        _emit_json(result)
    else:
        from mnemo.doctor import render

        sys.stdout.write(render(result))
    if not result["ok"]:
        raise typer.Exit(1)


# -------------------------------------------------------------------------- main


def main() -> None:
    try:
        app()
    except MnemoError as e:
        print(f"mnemo: {printable(str(e))}", file=sys.stderr)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        print("mnemo: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:
        sqlite = sys.modules.get("sqlite_utils.utils")
        if sqlite is not None and isinstance(e, sqlite.sqlite3.DatabaseError):
            print(
                f"mnemo: the database failed: {printable(str(e))}; `mnemo doctor` checks it, and a "
                "damaged database can be moved aside (mnemo then starts a new one)",
                file=sys.stderr,
            )
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
