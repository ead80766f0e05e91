"""`mnemo mcp …`: the MCP servers in config.toml, their tools, and importing other apps'
server lists."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from mnemo.cli import mcp_app
from mnemo.cli.common import home
from mnemo.text import printable


@mcp_app.command("import")
def mcp_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="An mcpServers JSON: Claude Desktop's claude_desktop_config.json, Cursor's or LM Studio's mcp.json.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be added to config.toml; change nothing.")
    ] = False,
) -> None:
    """Add the servers of another app's mcpServers JSON to config.toml (the rest of the file
    is kept; a name already there is skipped)."""
    from mnemo.tools import mcpjson

    where = home(ctx)
    plan = mcpjson.plan(file, where)
    for name, why in plan.skipped:
        print(f"skipped '{printable(name)}': {printable(why)}", file=sys.stderr)
    for entry in plan.add:
        if entry.left_out:
            print(
                f"'{printable(entry.name)}': left out {', '.join(entry.left_out)} "
                f"(mnemo does not read {'it' if len(entry.left_out) == 1 else 'them'})",
                file=sys.stderr,
            )
    if not plan.add:
        print(f"nothing to add from {file}", file=sys.stderr)
        return
    if dry_run:
        sys.stdout.write(mcpjson.toml_text(plan.add))
        print(f"would add {len(plan.add)} to {where.user_config_file} (--dry-run: nothing written)", file=sys.stderr)
        return
    path = mcpjson.apply(plan, where)
    for entry in plan.add:
        print(f"added '{printable(entry.name)}': {printable(mcpjson.describe(entry))}", file=sys.stderr)
    print(
        f"wrote {path}; `mnemo mcp list` starts them and shows their tools",
        file=sys.stderr,
    )
