"""`mnemo doctor`."""

import sys

import typer

from mnemo.cli import app
from mnemo.cli.common import JsonOpt, emit_json, home


@app.command()
def doctor(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Check the installation: llama.cpp, GPU offload, models, database, embedder."""
    from mnemo.doctor import report

    result = report(home(ctx))
    if as_json:
        emit_json(result)
    else:
        from mnemo.doctor import render

        text = render(result)
        sys.stdout.write(_fit(text) if sys.stdout.isatty() else text)
    if not result["ok"]:
        raise typer.Exit(1)


def _fit(text: str) -> str:
    """Long lines wrapped at words to the terminal's width, continued under their text (a
    terminal would break them mid-word); a pipe gets the lines whole."""
    import re
    import shutil
    import textwrap

    width = shutil.get_terminal_size((100, 24)).columns
    out = []
    for line in text.split("\n"):
        indent = " " * len(re.match(r"(?:ok |!! |\* | *)", line)[0])  # type: ignore[index]
        out.append(
            textwrap.fill(line, width, subsequent_indent=indent or "   ", break_on_hyphens=False) if line else ""
        )
    return "\n".join(out)
