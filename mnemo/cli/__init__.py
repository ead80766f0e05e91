"""The ``mnemo`` command. Heavy modules (llama_cpp, textual, torch) load only inside the
commands that need them, so ``mnemo --help`` stays instant.

stdout carries answers and data (``--json``); diagnostics and errors go to stderr.
"""

import logging
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mnemo import __version__
from mnemo.errors import MnemoError
from mnemo.paths import Home
from mnemo.text import printable


def _database_error(e: Exception) -> bool:
    sqlite = sys.modules.get("sqlite_utils.utils")
    return sqlite is not None and isinstance(e, sqlite.sqlite3.DatabaseError)


class _Mnemo(TyperGroup):
    """The root group: a MnemoError (or a broken database) ends the command with one line on
    stderr and its exit code, the same in a process (``main``) and in-process (tests)."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        try:
            return super().invoke(ctx)
        except MnemoError as e:
            print(f"mnemo: {printable(str(e))}", file=sys.stderr)
            raise typer.Exit(e.exit_code) from None
        except Exception as e:
            if not _database_error(e):
                raise
            print(
                f"mnemo: the database failed: {printable(str(e))}; `mnemo doctor` checks it, and a "
                "damaged database can be moved aside (mnemo then starts a new one)",
                file=sys.stderr,
            )
            raise typer.Exit(1) from None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Each command's first sentence whole, wrapped to the terminal (click cuts it to fit
        one line)."""
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


# Plain (click's) help and usage errors: typer's rich ones import rich, markdown-it and
# pygments, most of `mnemo --help`'s time.
PLAIN: dict[str, Any] = {"cls": _Mnemo, "rich_markup_mode": None}

app = typer.Typer(
    **PLAIN,
    name="mnemo",
    help="A local-first terminal assistant that runs open-weight models on your machine and remembers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(
    **PLAIN, help="List, inspect, add, download and pick models (models.toml).", no_args_is_help=True
)
conversations_app = typer.Typer(
    **PLAIN, help="List, read, search, export and delete conversations.", no_args_is_help=True
)
memory_app = typer.Typer(
    **PLAIN, help="See, search, add, forget, export and import what mnemo remembers.", no_args_is_help=True
)
app.add_typer(models_app, name="models")
app.add_typer(conversations_app, name="conversations")
app.add_typer(memory_app, name="memory")
eval_app = typer.Typer(**PLAIN, help="Evaluations: does the memory work?", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
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
    ctx.obj = Home.resolve()  # the one resolution: every command is handed it (common.home)


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


# The command groups register themselves on the apps above.
from mnemo.cli import chat, conversations, doctor, evals, memory, models  # noqa: E402, F401
