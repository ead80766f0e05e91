"""mnemo's own tools: local, no network, few, with short descriptions (each one offered
costs prompt tokens). They act through ``Reach``, which the turn hands them, so they never
hold the store or the memory bank themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from mnemo.tools.mcp import ToolError, ToolInfo

SERVER = "mnemo"  # the server name of the built-in tools, in cards, --json and config.toml
FILE_CHARS = 20_000  # a file read is cut here (the turn cuts to its token budget after)


class Reach(Protocol):
    """What the built-in tools may do, given by the turn."""

    def now(self) -> float: ...

    def search(self, query: str, limit: int) -> list[dict[str, Any]]: ...  # memories and messages

    def remember(self, text: str) -> str: ...

    def forget(self, query: str) -> str: ...

    def folders(self) -> list[Path]: ...  # where read_file may read


@dataclass(frozen=True)
class Builtin:
    info: ToolInfo
    run: Callable[[Reach, dict[str, Any]], str]


def _time(reach: Reach, args: dict[str, Any]) -> str:
    now = datetime.fromtimestamp(reach.now()).astimezone()
    return now.strftime("%A %d %B %Y, %H:%M (%Z, UTC%z)")


def _search(reach: Reach, args: dict[str, Any]) -> str:
    hits = reach.search(str(args["query"]), int(args.get("limit", 8)))
    if not hits:
        return "Nothing found."
    return "\n".join(f"[{h['kind']} {h['id']}, {h['when']}] {h['text']}" for h in hits)


def _remember(reach: Reach, args: dict[str, Any]) -> str:
    return reach.remember(str(args["text"]))


def _forget(reach: Reach, args: dict[str, Any]) -> str:
    return reach.forget(str(args["query"]))


def _read_file(reach: Reach, args: dict[str, Any]) -> str:
    folders = [f.expanduser().resolve() for f in reach.folders()]
    if not folders:
        raise ToolError("no folder is open to read_file (config.toml: [tools] read_folders = [...])")
    path = Path(str(args["path"])).expanduser()
    if not path.is_absolute():
        path = folders[0] / path
    path = path.resolve()  # links followed before the check, so none leads out
    if not any(path.is_relative_to(f) for f in folders):
        raise ToolError(f"{path} is outside the folders read_file may read ({', '.join(map(str, folders))})")
    if not path.is_file():
        raise ToolError(f"{path} is not a file")
    data = path.read_bytes()[: FILE_CHARS * 4]
    if b"\0" in data[:4096]:
        raise ToolError(f"{path} is not a text file")
    text = data.decode("utf-8", errors="replace")
    return text[:FILE_CHARS] + (f"\n[cut at {FILE_CHARS} characters]" if len(text) > FILE_CHARS else "")


def _info(name: str, description: str, properties: dict[str, Any], required: list[str], read_only: bool) -> ToolInfo:
    schema = {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
    return ToolInfo(SERVER, name, description, schema, read_only)


_TEXT = {"type": "string", "minLength": 1}
BUILTINS = {
    b.info.name: b
    for b in (
        Builtin(_info("current_time", "The current local date and time.", {}, [], True), _time),
        Builtin(
            _info(
                "search_memory",
                "Search what the user told you before: memories and past conversations, with dates.",
                {"query": _TEXT, "limit": {"type": "integer", "minimum": 1, "maximum": 20}},
                ["query"],
                True,
            ),
            _search,
        ),
        Builtin(
            _info("remember", "Keep a fact about the user for later.", {"text": _TEXT}, ["text"], False), _remember
        ),
        Builtin(
            _info("forget", "Forget what the user asks you to forget.", {"query": _TEXT}, ["query"], False), _forget
        ),
        Builtin(
            _info(
                "read_file",
                "Read a text file in the folders the user opened to you.",
                {"path": _TEXT},
                ["path"],
                True,
            ),
            _read_file,
        ),
    )
}
