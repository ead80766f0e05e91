"""Tool calls in a local model's text, read while it streams.

Each model family writes a call its own way (ARCHITECTURE.md, Tools):

- ``hermes``: Qwen2.5, Qwen3, Hermes and most fine-tunes: ``<tool_call>{"name": …,
  "arguments": {…}}</tool_call>``, one block a call.
- ``llama3``: Llama 3.x: the whole reply is one JSON object, ``{"name": …, "parameters":
  {…}}``, or ``<|python_tag|>`` then that object.
- ``phi4``: Phi-4-mini: ``<|tool_call|>[{"name": …, "arguments": {…}}]<|/tool_call|>``.
- ``granite``: Granite 3.x: ``<|tool_call|>[{"name": …, "arguments": {…}}]`` to the end.
- ``mistral``: ``[TOOL_CALLS][{"name": …, "arguments": {…}}]``, or the newer
  ``[TOOL_CALLS]name[ARGS]{…}``.

``CallReader(family).feed(delta)`` returns what is safe to show now (text the model wrote)
and the calls completed so far; text that may be the start of a call marker is held back
until it is not. A call inside ``<think>…</think>`` is thinking, shown as text. A call
that cannot be read (not JSON, no name) is a ``BadCall``: the turn tells the model, it is
never run. Anything else stays text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

FAMILIES = ("hermes", "llama3", "phi4", "granite", "mistral")


@dataclass(frozen=True)
class Call:
    name: str
    arguments: dict[str, Any]
    raw: str  # the call as the model wrote it


@dataclass(frozen=True)
class BadCall:
    raw: str
    why: str


@dataclass(frozen=True)
class Syntax:
    opens: tuple[str, ...]  # markers that start a call
    close: str | None  # the marker that ends one; None: the call runs to the end of the reply
    bare_json: bool = False  # a reply that is only a JSON object is a call (Llama 3.x)


SYNTAX = {
    "hermes": Syntax(("<tool_call>",), "</tool_call>"),
    "llama3": Syntax(("<|python_tag|>",), None, bare_json=True),
    "phi4": Syntax(("<|tool_call|>",), "<|/tool_call|>"),
    "granite": Syntax(("<|tool_call|>",), None),
    "mistral": Syntax(("[TOOL_CALLS]",), None),
}

# What in a chat template says which family the model is (the first that matches wins).
_TEMPLATE_SIGNS = (
    ("hermes", "<tool_call>"),
    ("llama3", "<|python_tag|>"),
    ("phi4", "<|/tool_call|>"),
    ("granite", "<|tool_call|>"),
    ("mistral", "[TOOL_CALLS]"),
)


def family_of(template: str | None) -> str | None:
    """The call syntax a model's chat template teaches it; None when it teaches none."""
    for family, sign in _TEMPLATE_SIGNS:
        if template and sign in template:
            return family
    return None


THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


@dataclass
class CallReader:
    """Splits a streamed reply into shown text and calls, for one family."""

    family: str
    _syntax: Syntax = field(init=False)
    _pending: str = ""  # text not yet shown: it may start a marker
    _call: str | None = None  # the text of a call being written, from its open marker on
    _thinking: bool = False
    _started: bool = False  # anything but white space was shown or held as a call
    _bare: str | None = None  # a reply that may be one bare JSON object (llama3)

    def __post_init__(self) -> None:
        self._syntax = SYNTAX[self.family]

    @property
    def opened(self) -> bool:
        """A call is being written (its opening marker, or a bare JSON reply, has been read)."""
        return self._call is not None or self._bare is not None

    @property
    def body(self) -> str:
        """What the model has written of the open call so far (after its marker)."""
        return self._call if self._call is not None else (self._bare or "")

    def rewrite(self, body: str) -> tuple[str, list[Call | BadCall]]:
        """The open call's body replaced by ``body`` (written under a grammar), the call
        closed, and the reply ended: what ``finish`` returns."""
        if self._call is not None:
            self._call = ""
        elif self._bare is not None:
            self._bare = ""
        self._pending = body + (self._syntax.close or "")
        return self._drain(final=True)

    def feed(self, delta: str) -> tuple[str, list[Call | BadCall]]:
        self._pending += delta
        return self._drain(final=False)

    def finish(self) -> tuple[str, list[Call | BadCall]]:
        """The end of the reply: what was held back, and a call left open."""
        return self._drain(final=True)

    def _drain(self, final: bool) -> tuple[str, list[Call | BadCall]]:
        shown: list[str] = []
        calls: list[Call | BadCall] = []
        while True:
            if self._bare is not None:
                self._bare += self._pending
                self._pending = ""
                if final:
                    found = _read(self._bare, self.family)
                    if isinstance(found, list) and found and all(isinstance(c, Call) for c in found):
                        calls += found
                    else:  # JSON that is not a call is an answer in JSON
                        shown.append(self._bare)
                    self._bare = None
                break
            if self._call is not None:
                close = self._syntax.close
                self._call += self._pending
                self._pending = ""
                end = self._call.find(close) if close else -1
                if end >= 0:
                    self._pending = self._call[end + len(close or "") :]
                    calls += _as_calls(self._call[:end], self.family)
                    self._call = None
                    continue
                if final:
                    calls += _as_calls(self._call, self.family)
                    self._call = None
                break
            text = self._pending
            markers = (THINK_CLOSE,) if self._thinking else (THINK_OPEN, *self._syntax.opens)
            hit = _first(text, markers)
            if hit is not None:
                at, marker = hit
                shown.append(text[:at])
                self._started = self._started or bool(text[:at].strip())
                self._pending = text[at + len(marker) :]
                if marker == THINK_OPEN:
                    self._thinking = True
                    shown.append(marker)
                elif marker == THINK_CLOSE:
                    self._thinking = False
                    shown.append(marker)
                else:
                    self._call = ""
                continue
            if self._syntax.bare_json and not self._started and not self._thinking:
                stripped = text.lstrip()
                if stripped.startswith("{"):
                    self._bare = text
                    self._pending = ""
                    continue
                if not stripped and not final:
                    break  # only white space so far: the reply may still open with "{"
            keep = 0 if final else _held(text, markers)
            shown.append(text[: len(text) - keep])
            self._started = self._started or bool(text[: len(text) - keep].strip())
            self._pending = text[len(text) - keep :]
            break
        return "".join(shown), calls


def _first(text: str, markers: tuple[str, ...]) -> tuple[int, str] | None:
    found = [(text.find(m), m) for m in markers if m in text]
    return min(found) if found else None


def _held(text: str, markers: tuple[str, ...]) -> int:
    """How many characters at the end of ``text`` could be the start of a marker."""
    best = 0
    for m in markers:
        for n in range(min(len(m) - 1, len(text)), best, -1):
            if text.endswith(m[:n]):
                best = n
                break
    return best


def _as_calls(body: str, family: str) -> list[Call | BadCall]:
    found = _read(body, family)
    return found if isinstance(found, list) else [BadCall(body.strip(), found)]


def _read(body: str, family: str) -> list[Call | BadCall] | str:
    """The calls in a call block, or why there are none."""
    body = body.strip()
    if family == "mistral" and (m := re.fullmatch(r"([A-Za-z0-9_.-]+)\[ARGS\](.*)", body, re.S)):
        name, rest = m[1], m[2]
        try:
            args = json.loads(rest)
        except json.JSONDecodeError as e:
            return f"the arguments of {name} are not JSON ({e.msg})"
        return [_call({"name": name, "arguments": args}, body)]
    try:
        value = json.loads(body)
    except json.JSONDecodeError as e:
        return f"not JSON ({e.msg})"
    items = value if isinstance(value, list) else [value]
    if not items:
        return "no call in it"
    return [_call(item, body) for item in items]


def _call(item: Any, raw: str) -> Call | BadCall:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        return BadCall(raw, "a call needs a name")
    args = item.get("arguments", item.get("parameters", {}))
    if isinstance(args, str):  # some templates have the model write the arguments as a JSON string
        try:
            args = json.loads(args)
        except json.JSONDecodeError:
            return BadCall(raw, f"the arguments of {item['name']} are not JSON")
    if not isinstance(args, dict):
        return BadCall(raw, f"the arguments of {item['name']} are not an object")
    return Call(item["name"], args, raw)


LISTS = ("phi4", "granite", "mistral")  # families that write a list of calls


def call_schema(family: str, tools: list[Any]) -> dict[str, Any]:
    """The JSON schema of one call's body in ``family``'s syntax, for the grammar a local
    model writes a call under: the name is one of ``tools`` (``ToolInfo``s), the arguments
    that tool's schema, nothing else."""
    key = "parameters" if family == "llama3" else "arguments"
    options = []
    for tool in tools:
        args = _enforceable(dict(tool.schema or {"type": "object"}))
        args.setdefault("type", "object")
        args.setdefault("additionalProperties", False)
        args.pop("$schema", None)
        options.append(
            {
                "type": "object",
                "properties": {"name": {"const": tool.name}, key: args},
                "required": ["name", key],
                "additionalProperties": False,
            }
        )
    one = options[0] if len(options) == 1 else {"anyOf": options}
    if family in LISTS:
        return {"type": "array", "items": one, "minItems": 1, "maxItems": 1}
    return one


ENUM_RANGE = 100  # an integer between bounds this close is written as one of its values


def _enforceable(schema: Any) -> Any:
    """``schema`` as llama.cpp's grammar can enforce it: a bounded integer becomes the list
    of its values (the grammar knows no minimum or maximum). What it still cannot enforce,
    the turn checks before a call runs (``loop.misfit``)."""
    if isinstance(schema, list):
        return [_enforceable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _enforceable(v) for k, v in schema.items()}
    if out.get("type") == "integer" and "minimum" in out and "maximum" in out and "enum" not in out:
        lo, hi = int(out["minimum"]), int(out["maximum"])
        if 0 <= hi - lo <= ENUM_RANGE:
            out = {k: v for k, v in out.items() if k not in ("type", "minimum", "maximum")}
            out["enum"] = list(range(lo, hi + 1))
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {name: _enforceable(v) for name, v in schema["properties"].items()}
    return out
