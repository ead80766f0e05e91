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


def _plain_help() -> None:
    """Help as click writes it: typer's plain help shows each value's Python type
    (``--limit <int>``, ``text <str>``, ``<int range>  [x>=1]``); here an option's value is
    a word (``--limit N``, ``--model TEXT``), an argument is its name in capitals (``NAME``)
    and a range is said in words (``[1 or more]``)."""
    from typer import core

    words = {"int": "N", "float": "NUMBER", "str": "TEXT", "bool": "", "Path": "PATH"}

    def value(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        label = core._TyperParameter.display_type(self, ctx).strip("<>")
        label = words.get(label.removesuffix(" range"), label.upper().replace(" ", "_"))
        return label + ("..." if self.nargs != 1 and label else "")

    def number_range(self: Any) -> str | None:
        low, high = self.min, self.max
        if low is None and high is None:
            return None
        if high is None:
            return f"{low} or more"
        return f"at most {high}" if low is None else f"{low} to {high}"

    def argument_name(self: Any) -> str:
        return str(self.metavar) if self.metavar is not None else str(self.name).upper()

    def usage_name(self: Any) -> str:  # typer writes a required one {NAME}: click's is NAME
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")

    core.TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]
    core.TyperOption.display_type_rich = value  # type: ignore[method-assign]
    core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    core.TyperArgument.display_name_raw = property(argument_name)  # type: ignore[method-assign,assignment]
    core.TyperOption._get_number_range_help_str = number_range  # type: ignore[method-assign]
    core.TyperArgument._get_number_range_help_str = number_range  # type: ignore[method-assign]


_plain_help()

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
mcp_app = typer.Typer(
    **PLAIN, help="MCP servers: list them with their tools, import other apps' server lists.", no_args_is_help=True
)
app.add_typer(mcp_app, name="mcp")
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
from mnemo.cli import chat, conversations, doctor, evals, mcp, memory, models  # noqa: E402, F401
