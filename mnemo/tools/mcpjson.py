"""Other apps' MCP server lists read into config.toml (``mnemo mcp import``).

Claude Desktop, Cursor, LM Studio, Windsurf and Cline keep their servers as
``{"mcpServers": {"NAME": {"command", "args", "env"} | {"url", "headers"}}}``; VS Code's
``mcp.json`` has the same entries under ``"servers"``. Each entry becomes one
``[mcp.servers.NAME]`` table. The file is checked whole before anything is written: a
malformed entry is bad input (one line naming it, nothing written). A name config.toml
already has is skipped and said, and so is a server mnemo cannot speak to (SSE); keys
mnemo does not read (``cwd``, ``alwaysAllow``, ...) are left out and said.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnemo import config, paths
from mnemo.errors import BadInput

KEYS = ("command", "args", "env", "url", "headers", "type", "disabled", "timeout")
HTTP_TYPES = ("http", "streamable-http", "streamable_http", "streamableHttp")
STDIO_TYPES = ("stdio",)
EXAMPLE = '{"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"]}}}'


@dataclass(frozen=True)
class Entry:
    """One server as it goes into config.toml: its name and the keys of its table."""

    name: str
    table: dict[str, Any]
    left_out: tuple[str, ...] = ()  # keys of the entry mnemo does not read


@dataclass
class Plan:
    """What an import adds, and what it skips and why."""

    add: list[Entry] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


def _strings(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object of names to strings")
    out = {}
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{what} {key!r} must be a string")
        out[str(key)] = str(item)
    return out


def _entry(name: str, raw: Any) -> Entry | str:
    """The config.toml table of one entry, or why it is skipped (a string); ValueError
    for a malformed one."""
    if not isinstance(raw, dict):
        raise ValueError("must be an object with command (and args, env) or url (and headers)")
    kind = raw.get("type", raw.get("transport", raw.get("transportType")))
    if kind is not None and not isinstance(kind, str):
        raise ValueError("type must be a string")
    if kind == "sse":
        return "an SSE server (mnemo speaks stdio and streamable HTTP)"
    if kind is not None and kind not in STDIO_TYPES + HTTP_TYPES:
        return f"type {kind!r} is not one mnemo knows (stdio, http)"
    if ("command" in raw) == ("url" in raw):
        raise ValueError("needs command (a program to run) or url (a server on the network), one of them")
    table: dict[str, Any] = {}
    if "command" in raw:
        command = raw["command"]
        if not isinstance(command, str) or not command.strip():
            raise ValueError("command must be a program name or path")
        table["command"] = command
        args = raw.get("args", [])
        if not isinstance(args, list) or not all(
            isinstance(a, str | int | float) and not isinstance(a, bool) for a in args
        ):
            raise ValueError("args must be a list of strings")
        if args:
            table["args"] = [str(a) for a in args]
        if raw.get("env"):
            table["env"] = _strings(raw["env"], "env")
    else:
        url = raw["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        table["url"] = url
        if raw.get("headers"):
            table["headers"] = _strings(raw["headers"], "headers")
    timeout = raw.get("timeout")
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError("timeout must be a number of seconds, more than 0")
        table["timeout"] = timeout
    disabled = raw.get("disabled", False)
    if not isinstance(disabled, bool):
        raise ValueError("disabled must be true or false")
    if disabled:
        table["disabled"] = True
    ignored = {"type", "transport", "transportType"}
    left_out = tuple(k for k in raw if k not in KEYS and k not in ignored)
    return Entry(name, table, left_out)


def read(text: str, source: str) -> tuple[list[Entry], list[tuple[str, str]]]:
    """The entries of an ``mcpServers`` JSON, and those skipped with why; BadInput for a
    file that is not one, or an entry that is malformed (naming it)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{source} is not JSON: {e.msg} at line {e.lineno}, column {e.colno}") from None
    servers = data.get("mcpServers", data.get("servers")) if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        raise BadInput(f'{source} has no "mcpServers" object; the format is {EXAMPLE}')
    entries: list[Entry] = []
    skipped: list[tuple[str, str]] = []
    for name, raw in servers.items():
        if not name.strip() or any(ch in name for ch in "\r\n\t"):
            raise BadInput(f"{source}: server name {name!r} is not a usable name")
        try:
            got = _entry(name, raw)
        except ValueError as e:
            raise BadInput(f"{source}: server '{name}' {e}; nothing was imported") from None
        if isinstance(got, str):
            skipped.append((name, got))
        else:
            entries.append(got)
    return entries, skipped


def plan(path: Path, home: paths.Home) -> Plan:
    """What importing ``path`` would do to the user's config.toml."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path} does not exist") from None
    except IsADirectoryError:
        raise BadInput(f"{path} is a directory; give the JSON file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path} cannot be read: {e}") from None
    entries, skipped = read(text, str(path))
    have = config.server_names(home)
    result = Plan(skipped=skipped)
    for entry in entries:
        if entry.name in have:
            result.skipped.append((entry.name, f"config.toml already has a server named '{entry.name}'"))
        else:
            result.add.append(entry)
    return result


def apply(result: Plan, home: paths.Home) -> Path:
    """Write the plan's servers into config.toml (the rest of the file kept)."""
    return config.add_servers({e.name: e.table for e in result.add}, home)


def toml_text(entries: list[Entry]) -> str:
    """The tables ``entries`` would add, as they would read in config.toml."""
    import tomlkit

    doc = tomlkit.document()
    mcp = tomlkit.table(is_super_table=True)
    servers = tomlkit.table(is_super_table=True)
    for entry in entries:
        table = config.server_table(entry.table)
        servers[entry.name] = table
    mcp["servers"] = servers
    doc["mcp"] = mcp
    return tomlkit.dumps(doc)


def describe(entry: Entry) -> str:
    """One line: how the server is reached."""
    table = entry.table
    how = str(table["url"]) if "url" in table else " ".join([table["command"], *table.get("args", [])])
    return how + (" (disabled)" if table.get("disabled") else "")
