"""`mnemo models …`: renders what the models service (mnemo.models) returns."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from mnemo.cli import models_app
from mnemo.cli.common import JsonOpt, console, emit_json, home, print_table, progress_bar
from mnemo.text import printable


def _models(ctx: typer.Context) -> Any:
    from mnemo.models import Models

    return Models(home(ctx))


@models_app.command("list")
def models_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The models you can use, and where each would run here; the default is marked with *."""
    default, rows = _models(ctx).listing()
    if as_json:
        emit_json({"default": default, "models": rows})
        return
    lines = []
    for row in rows:
        src = row["source"] if row["kind"] == "gguf" else row["base_url"]
        fits = row["fit"] or ("remote" if row["kind"] == "openai" else "")
        lines.append(
            ("*" if row["name"] == default else "", row["name"], row["kind"], fits, src or "", row["description"] or "")
        )
    print_table(("", "name", "kind", "fits", "source", "description"), lines)


@models_app.command("show")
def models_show(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Default: the default model.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """One model's settings, file and GGUF metadata."""
    details = _models(ctx).show(name)
    if as_json:
        emit_json(details)
        return
    con = console()
    for key, value in details.items():  # an unset field (None, empty) is left out
        if isinstance(value, dict):
            shown = {k: v for k, v in value.items() if not _unset(v)}
            if shown:
                con.print(f"{key}:", markup=False)
                for k, v in shown.items():
                    con.print(f"  {k}: {v}", markup=False)
        elif not _unset(value):
            con.print(f"{key}: {value}", markup=False)


def _unset(value: Any) -> bool:
    """None, an empty string or an empty list: nothing to show."""
    return value is None or (isinstance(value, str | list | tuple) and not value)


@models_app.command("use")
def models_use(ctx: typer.Context, name: str) -> None:
    """Make NAME the default model (written to your models.toml)."""
    _models(ctx).use(name)
    print(f"default model: {name}", file=sys.stderr)


@models_app.command("add")
def models_add(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .gguf file on this machine.")],
    name: Annotated[str | None, typer.Option(help="Default: the file name without .gguf.")] = None,
    n_ctx: Annotated[int | None, typer.Option(help="Context length.")] = None,
) -> None:
    """Register a local GGUF file in your models.toml."""
    added, target = _models(ctx).add(path, name, n_ctx)
    print(f"added model '{added}' to {target}", file=sys.stderr)


@models_app.command("scan")
def models_scan(
    ctx: typer.Context,
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

    found, added = _models(ctx).scan(folders, add)
    if as_json:
        emit_json({"found": [f.to_dict() for f in found], "added": added})
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
    lines = [
        (
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
        for f in found
    ]
    print_table(("name", "from", "arch", "params", "quant", "size", "context", "template", "file"), lines)
    if add:
        print(f"added {len(added)} to your models.toml: {', '.join(added) or 'none new'}", file=sys.stderr)
    else:
        print("add them with --add (used where they are, not copied), then --model NAME", file=sys.stderr)


@models_app.command("discover")
def models_discover(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="An OpenAI-compatible server, e.g. http://gpu-box:8080/v1")],
    add: Annotated[bool, typer.Option("--add", help="Add each model to your models.toml.")] = False,
    api_key_env: Annotated[str | None, typer.Option(help="Environment variable holding the API key.")] = None,
    n_ctx: Annotated[int | None, typer.Option(help="Context length to assume for added models.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the models a server offers (GET /models); --add registers them as kind = "openai"."""
    ids, added = _models(ctx).discover(url, add, api_key_env, n_ctx)
    if as_json:
        emit_json({"url": url, "models": ids, "added": added})
        return
    for model_id in ids:
        print(printable(model_id))
    if add:
        print(f"added {len(added)} to your models.toml: {', '.join(added) or 'none new'}", file=sys.stderr)
    elif ids:
        print("add them with --add, then use one with --model NAME", file=sys.stderr)


@models_app.command("pull")
def models_pull(
    ctx: typer.Context,
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
    models = _models(ctx)
    hub = models.from_hub(what)
    if hub and (before := models.before_pull(what)):
        print(before, file=sys.stderr)  # before anything is fetched: will it fit?
    with progress_bar() as bar:

        def progress(file: str, size: int | None) -> Callable[[int, int | None], None]:
            task = bar.add_task(file, total=size)
            return lambda done, total: bar.update(task, completed=done, total=total)

        pulled = models.pull(what, name, folder, progress) if hub else models.pull_url(what, sha256, name, progress)
    print(pulled.said, file=sys.stderr)


@models_app.command("catalog")
def models_catalog(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Well-known instruct models to pull by name, with their size and whether they fit here."""
    from mnemo.models import size_text

    rows = _models(ctx).catalog()
    if as_json:
        emit_json(rows)
        return
    lines = [
        (
            r["name"],
            r["params"],
            r["quant"],
            f"≈{size_text(r['size_bytes'])}",
            r["fit"],
            r["license"],
            "pulled" if r["pulled"] else "",
            r["description"],
        )
        for r in rows
    ]
    print_table(("name", "params", "quant", "size", "fits here", "licence", "", "about"), lines)
    print("pull one with `mnemo models pull NAME` (NAME:Q8_0 for another quantization)", file=sys.stderr)
