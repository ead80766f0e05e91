"""The ``mnemo`` command. Heavy modules (llama_cpp, textual, torch) load only inside the
commands that need them, so ``mnemo --help`` stays instant.

stdout carries answers and data (``--json``); diagnostics and errors go to stderr.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from mnemo import __version__
from mnemo.errors import MnemoError
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
eval_app = typer.Typer(help="Evaluations: does the memory work?", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


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


# The command groups register themselves on the apps above.
from mnemo.cli import chat, conversations, doctor, evals, memory, models  # noqa: E402, F401
