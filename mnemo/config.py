"""models.toml and config.toml -> typed objects.

Both files are read with ``tomllib`` and validated strictly: an unknown key, a wrong
type or a missing field is a :class:`ConfigError` naming the file, the line and the key.
The user's models.toml adds entries to the shipped registry and replaces same-named ones.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mnemo import paths
from mnemo.errors import ConfigError, UnknownModel
from mnemo.kinds import EngineKind

DEFAULT_SYSTEM_PROMPT = (
    "You are mnemo, a helpful assistant that runs privately on the user's own computer. Answer clearly and concisely."
)


def entry_name(text: str) -> str:
    """A models.toml name made of ``text`` (a file stem, a server's model id)."""
    slug = re.sub(r"[^A-Za-z0-9._+-]+", "-", text).strip("-.").lower()
    return slug or "model"


def shipped_models_file() -> Path:
    """The registry shipped with mnemo: inside the wheel, or at the root of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "models.toml", here.parent / "models.toml"):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"mnemo's shipped models.toml is missing beside {here}; reinstall mnemo")


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 512
    seed: int | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str = EngineKind.GGUF
    source: str | None = None
    sha256: str | None = None
    description: str = ""
    n_ctx: int | None = None
    n_gpu_layers: int | str = "auto"
    n_threads: int | None = None  # llama.cpp's CPU threads; None: config.toml's n_threads, else the physical cores
    repack: bool | None = None  # llama.cpp's repacked CPU kernels (AMX among them); None: on unless they crash
    chat_template: str | None = None
    base_url: str | None = None
    model: str | None = None
    api_key_env: str | None = None
    memory_extraction: str = "rules"  # "model": the model also reads facts out of each turn
    chat: bool = True  # False: a base model, which continues text instead of answering
    tools: bool = False  # the model handles tool calls: it is offered tools on its own (else only /tool)
    sampling: Sampling = field(default_factory=Sampling)
    origin: str = ""  # the file that defined this entry

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sampling"}
        out["sampling"] = {f.name: getattr(self.sampling, f.name) for f in fields(Sampling)}
        return out


@dataclass(frozen=True)
class Registry:
    default: str
    models: dict[str, ModelSpec]
    files: tuple[Path, ...]

    def get(self, name: str | None = None) -> ModelSpec:
        name = name or self.default
        try:
            return self.models[name]
        except KeyError:
            known = ", ".join(sorted(self.models)) or "none"
            raise UnknownModel(
                f"unknown model '{name}'; known models: {known} (see `mnemo models list`)", name
            ) from None


EMBEDDERS = ("onnx", "numpy", "sentence-transformers")
MAX_THREADS = 1024


CALL_TIMEOUT = 30.0  # seconds a tool call may take (a server's ``timeout`` overrides it)
TOOL_RULES = ("allow", "ask", "deny")


@dataclass(frozen=True)
class ServerSpec:
    """One ``[mcp.servers.NAME]`` table of config.toml: an MCP server the user configured."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    trust: bool = False  # its read-only tools may run without asking
    timeout: float = CALL_TIMEOUT
    tools: dict[str, str] = field(default_factory=dict)  # tool -> "allow" | "ask" | "deny"


@dataclass(frozen=True)
class ToolSettings:
    """The ``[tools]`` table of config.toml (ARCHITECTURE.md, Tools)."""

    rounds: int = 5  # most generate -> call rounds in one turn
    timeout: float = CALL_TIMEOUT  # a built-in tool's deadline, and a server's unless it sets one
    result_tokens: int = 1000  # a result longer than this is cut, with a note saying so
    read_folders: tuple[str, ...] = ()  # where the built-in read_file may read ("~" expanded)
    builtin: bool = True  # offer mnemo's own tools (memory search, remember, forget, time, read_file)
    rules: dict[str, str] = field(default_factory=dict)  # [tools.rules]: built-in tool -> allow | ask | deny


@dataclass(frozen=True)
class Settings:
    """config.toml: flat string keys, plus the [keys], [tools] and [mcp.servers.NAME] tables."""

    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    theme: str = "textual-dark"  # the TUI's theme, remembered when changed there
    send_key: str = "enter"  # TUI: sends the message
    newline_key: str = "ctrl+j"  # TUI: a new line in the message (many terminals never send shift+enter)
    keys: tuple[tuple[str, str], ...] = ()  # [keys] table: TUI binding id -> key(s), e.g. memories = "f3"
    embedder: str = "onnx"  # or "numpy" (slower), "sentence-transformers" (torch; uses a GPU when torch sees one)
    n_threads: int | None = (
        None  # llama.cpp's CPU threads for every local model without its own; None: the physical cores
    )
    continue_last: bool = False  # `mnemo chat` reopens the last conversation (as `mnemo chat --continue`)
    tools: ToolSettings = field(default_factory=ToolSettings)
    servers: tuple[ServerSpec, ...] = ()  # [mcp.servers.NAME], in file order


# ---------------------------------------------------------------------------- parsing

_SAMPLING_TYPES: dict[str, tuple[type, ...]] = {
    "temperature": (int, float),
    "top_p": (int, float),
    "top_k": (int,),
    "min_p": (int, float),
    "repeat_penalty": (int, float),
    "max_tokens": (int,),
    "seed": (int,),
    "stop": (list,),
}
_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "kind": (str,),
    "source": (str,),
    "sha256": (str,),
    "description": (str,),
    "n_ctx": (int,),
    "n_gpu_layers": (int, str),
    "n_threads": (int,),
    "repack": (bool,),
    "chat_template": (str,),
    "base_url": (str,),
    "model": (str,),
    "api_key_env": (str,),
    "memory_extraction": (str,),
    "chat": (bool,),
    "tools": (bool,),
    **_SAMPLING_TYPES,
}
_SETTING_TYPES: dict[str, tuple[type, ...]] = {"n_threads": (int,), "continue_last": (bool,)}  # the rest are strings
_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list of strings"}


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file; fix or remove it") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot be read ({e.strerror}); fix its permissions") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}; fix that line") from None


def _line_of(text: str, key: str, table: str | None = None, index: int = 0) -> int | None:
    """1-based line of ``key = ...`` inside the ``index``-th ``[[table]]`` (or at top level)."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    header = re.compile(r"^\s*\[")
    if table is not None:
        tables = [i for i, ln in enumerate(lines) if re.match(rf"^\s*\[\[\s*{table}\s*\]\]", ln)]
        if index >= len(tables):
            return None
        start = tables[index] + 1
    nxt = [i for i in range(start, len(lines)) if header.match(lines[i])]
    if nxt:
        end = nxt[0]
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for i in range(start, end):
        if pattern.match(lines[i]):
            return i + 1
    return start if table is not None else None


def _where(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)


def _check_type(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # bool is an int in Python; TOML keeps them apart
        return bool in types
    return isinstance(value, types)


def _parse_entry(raw: Any, index: int, path: Path, text: str) -> ModelSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: every [[models]] item must be a table; fix entry {index + 1}")

    def fail(key: str, problem: str) -> ConfigError:
        line = _line_of(text, key, "models", index)
        return ConfigError(f"{_where(path, line)}: key '{key}' {problem}")

    for key, value in raw.items():
        if key not in _ENTRY_TYPES:
            known = ", ".join(_ENTRY_TYPES)
            raise fail(key, f"is not a model field (known: {known})")
        types = _ENTRY_TYPES[key]
        if not _check_type(value, types):
            want = " or ".join(_TYPE_NAMES[t] for t in types if t in _TYPE_NAMES)
            raise fail(key, f"must be {want}, not {value!r}")
    if "name" not in raw:
        raise fail("name", "is missing from this [[models]] entry")
    name = raw["name"].strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:+-]*", name):
        raise fail("name", f"'{name}' must be letters, digits and . _ : + - only")
    kind = raw.get("kind", EngineKind.GGUF)
    if kind not in tuple(EngineKind):
        raise fail("kind", f'must be "gguf" or "openai" (or "scripted", for tests), not {kind!r}')
    source = raw.get("source")
    if kind == EngineKind.GGUF:
        if not source:
            raise fail("source", "is required for a gguf model (package:, a path or a URL)")
        if source.startswith(("https://", "http://")) and not raw.get("sha256"):
            raise fail("sha256", "is required when source is a URL")
    if kind == EngineKind.OPENAI and not raw.get("base_url"):
        raise fail("base_url", 'is required for kind = "openai"')
    if raw.get("memory_extraction", "rules") not in ("rules", "model"):
        raise fail("memory_extraction", 'must be "rules" or "model"')
    sha = raw.get("sha256")
    if sha is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha):
        raise fail("sha256", "must be 64 hexadecimal digits")
    n_ctx = raw.get("n_ctx")
    if n_ctx is not None and not 256 <= n_ctx <= 1 << 20:
        raise fail("n_ctx", f"must be between 256 and {1 << 20}, not {n_ctx}")
    gpu = raw.get("n_gpu_layers", "auto")
    if isinstance(gpu, str) and gpu != "auto" or isinstance(gpu, int) and gpu < -1:
        raise fail("n_gpu_layers", f'must be "auto", -1 (all) or a layer count, not {gpu!r}')
    threads = raw.get("n_threads")
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        raise fail("n_threads", f"must be between 1 and {MAX_THREADS} (CPU threads), not {threads}")
    sampling_raw = {k: raw[k] for k in _SAMPLING_TYPES if k in raw}
    if "stop" in sampling_raw:
        if not all(isinstance(s, str) and s for s in sampling_raw["stop"]):
            raise fail("stop", "must be a list of non-empty strings")
        sampling_raw["stop"] = tuple(sampling_raw["stop"])
    for key, lo, hi in (
        ("temperature", 0, 5),
        ("top_p", 0, 1),
        ("min_p", 0, 1),
        ("repeat_penalty", 0, 5),
        ("max_tokens", 1, 1 << 20),
        ("top_k", 0, 1 << 20),
    ):
        if key in sampling_raw and not lo <= sampling_raw[key] <= hi:
            raise fail(key, f"must be between {lo} and {hi}, not {sampling_raw[key]}")
    values: dict[str, Any] = {k: (float(v) if float in _SAMPLING_TYPES[k] else v) for k, v in sampling_raw.items()}
    sampling = Sampling(**values)
    return ModelSpec(
        name=name,
        kind=kind,
        source=source,
        sha256=sha.lower() if sha else None,
        description=raw.get("description", ""),
        n_ctx=n_ctx,
        n_gpu_layers=gpu,
        n_threads=threads,
        repack=raw.get("repack"),
        chat_template=raw.get("chat_template"),
        base_url=raw.get("base_url"),
        model=raw.get("model"),
        api_key_env=raw.get("api_key_env"),
        memory_extraction=raw.get("memory_extraction", "rules"),
        chat=raw.get("chat", True),
        tools=raw.get("tools", False),
        sampling=sampling,
        origin=str(path),
    )


def _parse_models_file(path: Path) -> tuple[str | None, list[ModelSpec]]:
    data, text = _read_toml(path)
    for key in data:
        if key not in ("default", "models"):
            raise ConfigError(
                f"{_where(path, _line_of(text, key))}: key '{key}' is not known here "
                "(a models.toml holds `default` and [[models]] tables)"
            )
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"{_where(path, _line_of(text, 'default'))}: key 'default' must be a string")
    models = data.get("models", [])
    if not isinstance(models, list):
        raise ConfigError(f"{_where(path, _line_of(text, 'models'))}: key 'models' must be [[models]] tables")
    specs = [_parse_entry(raw, i, path, text) for i, raw in enumerate(models)]
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if spec.name in seen:
            line = _line_of(text, "name", "models", i)
            raise ConfigError(f"{_where(path, line)}: key 'name': '{spec.name}' is defined twice")
        seen.add(spec.name)
    return default, specs


def load_registry(home: paths.Home | None = None) -> Registry:
    """mnemo's shipped models, then ``home``'s models.toml. Every caller in mnemo passes
    its home; with none (a test, a script) only ``MNEMO_HOME`` or the platform's is read."""
    files = [shipped_models_file()]
    user = (home or paths.Home.resolve()).user_models_file
    if user.exists():
        files.append(user)
    default: str | None = None
    models: dict[str, ModelSpec] = {}
    for path in files:
        file_default, specs = _parse_models_file(path)
        default = file_default or default
        for spec in specs:
            models[spec.name] = spec
    if default is None:
        raise ConfigError(f"{files[0]}: key 'default' is missing; add default = \"NAME\"")
    if default not in models:
        src = files[-1] if len(files) > 1 else files[0]
        data, text = _read_toml(src)
        line = _line_of(text, "default") if "default" in data else None
        known = ", ".join(sorted(models))
        raise ConfigError(f"{_where(src, line)}: key 'default' names unknown model '{default}'; known: {known}")
    threads = load_settings(home).n_threads  # config.toml's, for every entry that does not set its own
    if threads is not None:
        models = {name: spec if spec.n_threads else replace(spec, n_threads=threads) for name, spec in models.items()}
    return Registry(default=default, models=models, files=tuple(files))


def load_settings(home: paths.Home | None = None) -> Settings:
    path = (home or paths.Home.resolve()).user_config_file
    if not path.exists():
        return Settings()
    data, text = _read_toml(path)
    known = {f.name: f for f in fields(Settings) if f.name != "servers"} | {"mcp": None}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(
                f"{_where(path, _line_of(text, key))}: key '{key}' is not a setting (known: {', '.join(known)})"
            )
        if key == "tools":
            values[key] = _parse_tools(value, path, text)
            continue
        if key == "mcp":
            values["servers"] = _parse_servers(value, path, text)
            continue
        if key == "servers":
            raise ConfigError(
                f"{_where(path, _line_of(text, key))}: MCP servers go in [mcp.servers.NAME] tables, not 'servers'"
            )
        if key == "keys":
            if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
                raise ConfigError(
                    f"{_where(path, _line_of(text, key))}: [keys] must map binding ids to "
                    'key names, e.g. memories = "f3"'
                )
            values[key] = tuple(sorted(value.items()))
            continue
        if key in _SETTING_TYPES:
            types = _SETTING_TYPES[key]
            if not _check_type(value, types):
                want = " or ".join(_TYPE_NAMES[t] for t in types)
                raise ConfigError(f"{_where(path, _line_of(text, key))}: key '{key}' must be {want}, not {value!r}")
            if key == "n_threads" and not 1 <= value <= MAX_THREADS:
                raise ConfigError(
                    f"{_where(path, _line_of(text, key))}: key 'n_threads' must be between 1 and {MAX_THREADS} "
                    f"(CPU threads), not {value}"
                )
            values[key] = value
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{_where(path, _line_of(text, key))}: key '{key}' must be a string")
        if key == "embedder" and value not in EMBEDDERS:
            raise ConfigError(
                f"{_where(path, _line_of(text, key))}: embedder must be one of {', '.join(EMBEDDERS)}, not {value!r}"
            )
        values[key] = value
    return Settings(**values)


_TOOLS_TYPES: dict[str, tuple[type, ...]] = {
    "rounds": (int,),
    "timeout": (int, float),
    "result_tokens": (int,),
    "read_folders": (list,),
    "builtin": (bool,),
    "rules": (dict,),
}
_SERVER_TYPES: dict[str, tuple[type, ...]] = {
    "command": (str,),
    "args": (list,),
    "env": (dict,),
    "url": (str,),
    "headers": (dict,),
    "trust": (bool,),
    "timeout": (int, float),
    "tools": (dict,),
    # what other apps' mcpServers entries carry and mnemo does not use
    "type": (str,),
    "disabled": (bool,),
}


def _table_line(text: str, table: str, key: str | None = None) -> int | None:
    """1-based line of ``key`` inside ``[table]`` (the header's line without a key)."""
    lines = text.splitlines()
    head = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
    for i, ln in enumerate(lines):
        if head.match(ln):
            if key is None:
                return i + 1
            pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
            for j in range(i + 1, len(lines)):
                if lines[j].lstrip().startswith("["):
                    break
                if pattern.match(lines[j]):
                    return j + 1
            return i + 1
    return None


def _check_table(raw: Any, types: dict[str, tuple[type, ...]], table: str, path: Path, text: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{_where(path, _line_of(text, table.split('.')[0]))}: [{table}] must be a table")
    for key, value in raw.items():
        where = _where(path, _table_line(text, table, key))
        if key not in types:
            raise ConfigError(f"{where}: key '{key}' is not known in [{table}] (known: {', '.join(types)})")
        if not _check_type(value, types[key]):
            names = " or ".join(_TYPE_NAMES.get(t, "a table") for t in types[key])
            raise ConfigError(f"{where}: [{table}] {key} must be {names}")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: [{table}] {key} must be a list of strings")
        if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{where}: [{table}] {key} must map names to strings")
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            raise ConfigError(f"{where}: [{table}] {key} must be more than 0")
    return raw


def _check_rules(rules: dict[str, str], table: str, path: Path, text: str) -> dict[str, str]:
    for tool, rule in rules.items():
        if rule not in TOOL_RULES:
            raise ConfigError(
                f"{_where(path, _table_line(text, table, tool))}: tool '{tool}' must be "
                f'"allow", "ask" or "deny", not {rule!r}'
            )
    return dict(rules)


def _parse_tools(raw: Any, path: Path, text: str) -> ToolSettings:
    values = _check_table(raw, _TOOLS_TYPES, "tools", path, text)
    values = dict(values)
    if "read_folders" in values:
        values["read_folders"] = tuple(values["read_folders"])
    if "rules" in values:
        values["rules"] = _check_rules(values["rules"], "tools.rules", path, text)
    return ToolSettings(**values)


def _parse_servers(raw: Any, path: Path, text: str) -> tuple[ServerSpec, ...]:
    if not isinstance(raw, dict) or set(raw) - {"servers"}:
        raise ConfigError(
            f"{_where(path, _line_of(text, 'mcp'))}: [mcp] holds only [mcp.servers.NAME] tables, "
            'e.g. [mcp.servers.time] command = "uvx" args = ["mcp-server-time"]'
        )
    servers = raw.get("servers", {})
    if not isinstance(servers, dict):
        raise ConfigError(f"{path}: [mcp.servers] must hold one table per server, [mcp.servers.NAME]")
    specs = []
    for name, entry in servers.items():
        table = f"mcp.servers.{name}"
        values = dict(_check_table(entry, _SERVER_TYPES, table, path, text))
        where = _where(path, _table_line(text, table))
        if ("command" in values) == ("url" in values):
            raise ConfigError(
                f"{where}: server '{name}' needs command (a program to run) or url (a server on the network)"
            )
        if "url" in values and not str(values["url"]).startswith(("http://", "https://")):
            raise ConfigError(f"{where}: server '{name}': url must start with http:// or https://")
        values.pop("type", None)
        if values.pop("disabled", False):
            continue
        if "args" in values:
            values["args"] = tuple(values["args"])
        if "tools" in values:
            values["tools"] = _check_rules(values["tools"], f"{table}.tools", path, text)
        specs.append(ServerSpec(name=name, **values))
    return tuple(specs)


def server_names(home: paths.Home) -> set[str]:
    """The names of config.toml's ``[mcp.servers.NAME]`` tables, disabled ones included."""
    load_settings(home)  # a broken file is reported, never edited
    path = home.user_config_file
    if not path.exists():
        return set()
    servers = _read_toml(path)[0].get("mcp", {}).get("servers", {})
    return set(servers)


def server_table(values: dict[str, Any]) -> Any:
    """One ``[mcp.servers.NAME]`` table for tomlkit (env and headers as inline tables)."""
    import tomlkit

    table = tomlkit.table()
    for key, value in values.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            table[key] = inline
        else:
            table[key] = value
    return table


def add_servers(tables: dict[str, dict[str, Any]], home: paths.Home) -> Path:
    """Add ``[mcp.servers.NAME]`` tables to the user's config.toml with tomlkit, keeping the
    rest of the file as it is (``mnemo mcp import``). A name already there is an error (the
    caller leaves those out); the file is checked after writing and restored if the result
    does not load, so a bad entry never leaves a broken config.toml."""
    import tomlkit

    path = home.user_config_file
    old = path.read_text(encoding="utf-8") if path.exists() else None
    doc = tomlkit.parse(_read_toml(path)[1]) if old is not None else tomlkit.document()
    mcp = doc.get("mcp")
    if mcp is None:
        mcp = tomlkit.table(is_super_table=True)
        doc["mcp"] = mcp
    servers = mcp.get("servers")
    if servers is None:
        servers = tomlkit.table(is_super_table=True)
        mcp["servers"] = servers
    for name, values in tables.items():
        if name in servers:
            raise ConfigError(f"{path} already has an MCP server named '{name}'")
        servers[name] = server_table(values)
    _write_checked(path, tomlkit.dumps(doc), old, lambda: load_settings(home))
    return path


def save_setting(key: str, value: str, home: paths.Home) -> None:
    """Write one setting into the user's config.toml, keeping the rest of the file as it is."""
    import tomlkit

    if key not in {f.name for f in fields(Settings)}:
        raise ConfigError(f"'{key}' is not a setting")
    path = home.user_config_file
    doc = tomlkit.parse(_read_toml(path)[1]) if path.exists() else tomlkit.document()
    doc[key] = value
    _write_atomically(path, tomlkit.dumps(doc))


def save_tool_rule(path: Path, server: str | None, tool: str, rule: str) -> None:
    """Write a tool's rule into config.toml at ``path``, keeping the rest of the file:
    ``[tools.rules]`` for a built-in tool (``server`` None), ``[mcp.servers.NAME.tools]``
    for a server's."""
    import tomlkit

    if rule not in TOOL_RULES:
        raise ConfigError(f"a tool rule is one of {', '.join(TOOL_RULES)}, not {rule!r}")
    doc = tomlkit.parse(_read_toml(path)[1]) if path.exists() else tomlkit.document()
    if server is None:
        tools = doc.setdefault("tools", tomlkit.table())
        table = tools.setdefault("rules", tomlkit.table())
    else:
        mcp = doc.setdefault("mcp", tomlkit.table(is_super_table=True))
        servers = mcp.setdefault("servers", tomlkit.table(is_super_table=True))
        entry = servers.setdefault(server, tomlkit.table())
        table = entry.setdefault("tools", tomlkit.table())
    table[tool] = rule
    _write_atomically(path, tomlkit.dumps(doc))


def _write_atomically(path: Path, text: str) -> None:
    import os

    paths.private_dir(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ----------------------------------------------------------- editing models.toml


def _user_models_doc(home: paths.Home) -> Any:
    import tomlkit

    path = home.user_models_file
    if path.exists():
        _read_toml(path)  # a broken file is reported, never overwritten
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Your models: entries here add to or replace mnemo's shipped ones."))
    return doc


def _save_user_models(home: paths.Home, doc: Any) -> None:
    """Write the user's models.toml atomically; if the result does not load, restore it."""
    import tomlkit

    path = home.user_models_file
    old = path.read_text(encoding="utf-8") if path.exists() else None
    _write_checked(path, tomlkit.dumps(doc), old, lambda: load_registry(home))


def _write_checked(path: Path, text: str, old: str | None, check: Callable[[], object]) -> None:
    """Write ``text`` atomically, then ``check`` that it loads; if not, put ``old`` back (or
    remove the file it created) and raise what ``check`` said."""
    _write_atomically(path, text)
    try:
        check()
    except ConfigError:
        if old is None:
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise


def add_model(name: str, fields_: dict[str, Any], home: paths.Home) -> Path:
    """Add an entry to the user's models.toml (None values are left out); the file is
    checked after writing and restored if the result does not load."""
    import tomlkit

    from mnemo.errors import BadInput

    doc = _user_models_doc(home)
    models = doc.get("models")
    if models is None:
        models = tomlkit.aot()
        doc.append("models", models)
    for entry in models:
        if entry.get("name") == name:
            raise BadInput(f"{home.user_models_file} already has a model named '{name}'; pass --name to pick another")
    table = tomlkit.table()
    table["name"] = name
    for key, value in fields_.items():
        if value is not None:
            table[key] = value
    models.append(table)
    _save_user_models(home, doc)
    return home.user_models_file


def set_default_model(name: str, home: paths.Home) -> Path:
    """Make ``name`` (an entry of the registry) the default, in the user's models.toml."""
    load_registry(home).get(name)
    doc = _user_models_doc(home)
    doc["default"] = name
    _save_user_models(home, doc)
    return home.user_models_file
