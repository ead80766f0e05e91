"""`mnemo mcp …`: the MCP servers in config.toml, their tools, and importing other apps'
server lists."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mnemo.cli import mcp_app
from mnemo.cli.common import JsonOpt, emit_json, home, print_table
from mnemo.text import printable


def _toolbox(ctx: typer.Context) -> Any:
    """The session's tools as the chat app and `mnemo ask` get them (config.toml's
    [tools] and [mcp.servers.NAME]); no database, no model."""
    from mnemo.assistant import load_settings
    from mnemo.tools.toolbox import Toolbox

    where = home(ctx)
    settings = load_settings(where)
    return Toolbox(settings.tools, settings.servers, where.data_dir / "mcp.log", config_file=where.user_config_file)


def _tool_row(toolbox: Any, info: Any) -> dict[str, Any]:
    return {
        "name": info.name,
        "description": info.description,
        "rule": str(toolbox.rule(info)),
        "read_only": info.read_only,
        "tokens": info.tokens,
    }


def listing(toolbox: Any, start: bool = True) -> list[dict[str, Any]]:
    """Each server (mnemo's built-ins first) with its state and tools. ``start``: start
    each server to list its tools (else each is "not started", its tools unknown)."""
    from mnemo.tools.builtin import BUILTINS, SERVER

    builtin_on = toolbox.settings.builtin
    rows: list[dict[str, Any]] = [
        {
            "name": SERVER,
            "builtin": True,
            "transport": "built in",
            "target": "mnemo's own tools",
            "trust": True,
            "state": "built in" if builtin_on else "off",
            "error": None if builtin_on else "[tools] builtin = false in config.toml",
            "tools": [_tool_row(toolbox, b.info) for b in BUILTINS.values()],
        }
    ]
    for name, spec in toolbox.specs.items():
        row: dict[str, Any] = {
            "name": name,
            "builtin": False,
            "transport": "http" if spec.url else "stdio",
            "target": spec.url or " ".join([spec.command or "", *spec.args]),
            "trust": spec.trust,
            "state": "not started",
            "error": None,
            "tools": [],
        }
        if start:
            tools = [t for t in toolbox.offered({name}) if t.server == name]
            if toolbox.problems:
                row["state"], row["error"] = "failed", toolbox.problems[0]
            else:
                row["state"] = "running"
                row["tools"] = [_tool_row(toolbox, t) for t in tools]
        rows.append(row)
    first: dict[str, str] = {}  # tool name -> the server listed first with it
    for row in rows:
        for tool in row["tools"]:
            tool["same_name_as"] = first.get(tool["name"])
            first.setdefault(tool["name"], row["name"])
    return rows


def _state(row: dict[str, Any]) -> str:
    if row["state"] == "failed":
        return f"failed: {row['error']}"
    return str(row["state"])


@mcp_app.command("list")
def mcp_list(
    ctx: typer.Context,
    no_start: Annotated[
        bool, typer.Option("--no-start", help="Do not start the servers (their tools are not listed).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """The MCP servers in config.toml and mnemo's own tools: each server's state, its tools,
    their rule (allow, ask or deny) and what offering each costs in prompt tokens."""
    toolbox = _toolbox(ctx)
    try:
        rows = listing(toolbox, start=not no_start)
    finally:
        toolbox.close()
    offered = [t for r in rows if r["state"] in ("built in", "running") for t in r["tools"]]
    total = sum(t["tokens"] for t in offered)
    if as_json:
        emit_json({"servers": rows, "tools": len(offered), "tokens": total})
        return
    table = []
    for row in rows:
        state = _state(row)
        if not row["tools"] or row["state"] in ("failed", "not started"):
            table.append((row["name"], state, "", "", "", row["target"]))
        for tool in row["tools"]:
            notes = ["read-only"] if tool["read_only"] else []
            if tool["same_name_as"]:
                notes.append(f"same name as {tool['same_name_as']}'s")
            note = ", ".join(notes)
            table.append((row["name"], state, tool["name"], tool["rule"], str(tool["tokens"]), note))
    print_table(("server", "state", "tool", "rule", "tokens", "notes"), [tuple(map(printable, r)) for r in table])
    if len(rows) == 1:
        print(
            "no MCP servers in config.toml; add one as [mcp.servers.NAME], or `mnemo mcp import FILE`",
            file=sys.stderr,
        )
    if not no_start:
        print(f"{len(offered)} tools, about {total} prompt tokens when all are offered", file=sys.stderr)


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
