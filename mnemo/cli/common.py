"""What the command groups share: JSON and table output, exported files, the Assistant
opened without a model."""

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from mnemo.errors import BadInput
from mnemo.paths import Home

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def home(ctx: typer.Context) -> Home:
    """The home the root command resolved (``ctx.obj``), handed to every command."""
    found = ctx.find_root().obj
    assert isinstance(found, Home), "the root callback resolves the home"
    return found


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def print_table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table on stdout: rich's on a terminal; through a pipe or into a file, a header line
    and then one record per line, columns separated by tabs (nothing wrapped or cut, for
    grep and cut). A tab or line break inside a field becomes a space there."""
    if not sys.stdout.isatty():

        def field(value: str) -> str:
            return " ".join(value.replace("\t", " ").splitlines())

        for line in (columns, *rows):
            sys.stdout.write("\t".join(field(str(v)) for v in line) + "\n")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console().print(table, markup=False)


def when(ts: float | None) -> str:
    """A time as people read it."""
    from mnemo import export

    return export.when(ts)


def progress_bar():
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console(stderr=True),
        transient=True,
    )


def write_out(text: str, output: Path | None) -> None:
    """Exported data goes to stdout, or to a file only the user can read (mode 0600)."""
    if output is None:
        sys.stdout.write(text)
        return
    from mnemo import paths

    if output.is_dir():
        raise BadInput(f"{output} is a directory; give a file name")
    paths.private_file(output).write_text(text, encoding="utf-8")
    print(f"wrote {output}", file=sys.stderr)


@contextmanager
def core(where: Home, create: bool = False) -> Iterator[Any]:
    """The Assistant of ``where``, without a model, for a command about conversations or
    memories; None when there is no database yet and ``create`` is False (nothing is
    created to look)."""
    from mnemo.assistant import Assistant

    if not create and not where.db_path.exists():
        yield None
        return
    assistant = Assistant.open(where, load_model=False)
    try:
        yield assistant
    finally:
        assistant.close()


@contextmanager
def existing(where: Home) -> Iterator[Any]:
    with core(where) as a:
        if a is None:
            raise BadInput("there are no conversations yet; start one with `mnemo ask`")
        yield a


def utf8(text: str) -> str:
    """Bytes that are not UTF-8 (Python keeps them as surrogates) become U+FFFD: SQLite
    and the model take only real text."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
