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

        sys.stdout.write(render(result))
    if not result["ok"]:
        raise typer.Exit(1)
