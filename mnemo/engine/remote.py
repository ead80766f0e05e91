"""A model on another machine behind an OpenAI-compatible chat-completions server
(llama.cpp's llama-server, llama-cpp-python's server, vLLM, Ollama, ...).

Only the final messages of a turn travel; memory, recall, the embedder and the prompt
layout stay in mnemo. Standard library HTTP: one request per reply, streamed as
server-sent events.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from typing import Any

from mnemo.config import ModelSpec, Sampling
from mnemo.engine import Engine, Generation, Message, Tool
from mnemo.errors import BackendError, ModelError
from mnemo.kinds import Finish

CONNECT_TIMEOUT = 10.0  # seconds to open a connection
READ_TIMEOUT = 300.0  # seconds of silence from the server before giving up
RETRIES = 2  # more attempts when the server cannot be reached (before any token)
DEFAULT_N_CTX = 8192
CHARS_PER_TOKEN = 3.0  # the server's tokenizer is not ours: count on the safe side


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.URLError):
        e = e.reason if isinstance(e.reason, BaseException) else e
    if isinstance(e, ConnectionRefusedError):
        return "connection refused"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(e, socket.gaierror):
        return "unknown host"
    return getattr(e, "strerror", None) or str(e) or type(e).__name__


def request(
    url: str, body: dict[str, Any] | None = None, *, api_key: str | None = None, timeout: float = READ_TIMEOUT
) -> http.client.HTTPResponse:
    """Open ``url`` (POST ``body`` as JSON when given), with retries while it cannot be
    reached; HTTP errors become one readable ModelError."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    for attempt in range(RETRIES + 1):
        try:
            return urllib.request.urlopen(req, timeout=timeout)  # the user's own URL
        except urllib.error.HTTPError as e:
            detail = e.read(2000).decode("utf-8", "replace").strip()
            try:
                detail = json.loads(detail)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise BackendError(f"{url} answered HTTP {e.code}: {' '.join(str(detail).split())[:300]}") from None
        except (urllib.error.URLError, OSError) as e:
            if attempt == RETRIES:
                raise BackendError(f"cannot reach {url}: {_reason(e)}") from None
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def list_models(base_url: str, api_key: str | None = None) -> list[str]:
    """The model ids the server at ``base_url`` offers (GET /models)."""
    url = base_url.rstrip("/") + "/models"
    with request(url, api_key=api_key, timeout=CONNECT_TIMEOUT) as resp:
        try:
            data = json.load(resp)
            return [m["id"] for m in data["data"]]
        except (ValueError, KeyError, TypeError):
            raise BackendError(f"{url} did not answer like an OpenAI-compatible server") from None


class RemoteEngine(Engine):
    backend = "remote"
    gpu_layers = 0

    def __init__(self, spec: ModelSpec):
        if not spec.base_url:
            raise ModelError(f"model '{spec.name}': kind = \"openai\" needs base_url")
        self.spec = spec
        self.base_url = spec.base_url.rstrip("/")
        self.n_ctx = spec.n_ctx or DEFAULT_N_CTX
        self.model = spec.model or spec.name
        self.lock = threading.Lock()
        self.api_key = None
        if spec.api_key_env:
            self.api_key = os.environ.get(spec.api_key_env)
            if not self.api_key:
                raise ModelError(
                    f"model '{spec.name}': the environment variable {spec.api_key_env} (api_key_env) is not set"
                )

    # -- counting (an estimate: the server's tokenizer stays on the server)

    def count_tokens(self, text: str) -> int:
        return int(len(text) / CHARS_PER_TOKEN) + 1

    def count_prompt(self, messages: list[Message]) -> int:
        return sum(8 + self.count_tokens(m.get("content") or "") for m in messages)

    @property
    def call_family(self) -> str | None:
        """The server reads ``tools`` itself and answers with ``tool_calls``: ``stream``
        writes them as hermes-style call text for the turn's reader."""
        return "hermes"

    # -- generation

    def _body(self, messages: list[Message], sampling: Sampling, max_tokens: int, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            **extra,
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        return body

    def stream(
        self,
        messages: list[Message],
        sampling: Sampling,
        max_tokens: int | None = None,
        tools: list[Tool] | None = None,
        stop: threading.Event | None = None,
    ) -> Generator[str | Generation, None, None]:
        """``stop`` is seen between the server's events (the server reads the prompt meanwhile)."""
        max_tokens = max_tokens or sampling.max_tokens
        url = f"{self.base_url}/chat/completions"
        extra: dict[str, Any] = {"tools": tools} if tools else {}
        body = self._body(
            _openai_messages(messages),
            sampling,
            max_tokens,
            stream=True,
            stream_options={"include_usage": True},
            **extra,
        )
        parts: list[str] = []
        finish = Finish.STOPPED
        usage: dict[str, Any] = {}
        calls: dict[int, dict[str, str]] = {}  # the server's tool_calls, assembled from their deltas
        with self.lock, request(url, body, api_key=self.api_key) as resp:
            try:
                for event in _events(resp, url):
                    if stop is not None and stop.is_set():
                        return
                    if event.get("usage"):
                        usage = event["usage"]
                    for choice in event.get("choices") or []:
                        delta = choice.get("delta") or {}
                        text = delta.get("content") or ""
                        if text:
                            parts.append(text)
                            yield text
                        for piece in delta.get("tool_calls") or []:
                            call = calls.setdefault(int(piece.get("index", len(calls))), {"name": "", "arguments": ""})
                            function = piece.get("function") or {}
                            call["name"] += function.get("name") or ""
                            call["arguments"] += function.get("arguments") or ""
                        if choice.get("finish_reason"):
                            finish = choice["finish_reason"]
            except (OSError, http.client.HTTPException) as e:
                raise BackendError(f"the server at {self.base_url} stopped mid-reply: {_reason(e)}") from None
        for _, call in sorted(calls.items()):  # as call text the turn's reader reads
            args = call["arguments"] or "{}"
            raw = f'<tool_call>{{"name": {json.dumps(call["name"])}, "arguments": {args}}}</tool_call>'
            parts.append(raw)
            yield raw
        if calls and finish == "tool_calls":
            finish = Finish.STOP
        text = "".join(parts)
        if finish == Finish.STOPPED and not parts:
            raise BackendError(f"the server at {self.base_url} closed the reply without a word")
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        yield Generation(
            text,
            finish,
            usage.get("prompt_tokens") or self.count_prompt(messages),
            usage.get("completion_tokens") or self.count_tokens(text),
            cached,
        )

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> str:
        body = self._body(
            messages, Sampling(temperature=0.0), max_tokens, response_format={"type": "json_object", "schema": schema}
        )
        with self.lock, request(f"{self.base_url}/chat/completions", body, api_key=self.api_key) as resp:
            try:
                return json.load(resp)["choices"][0]["message"]["content"] or ""
            except (ValueError, KeyError, IndexError, TypeError):
                raise BackendError(f"{self.base_url} sent a reply mnemo cannot read") from None


def _openai_messages(messages: list[Message]) -> list[Message]:
    """The turn's messages as the OpenAI API wants them: a call's arguments as a JSON string."""
    out = []
    for m in messages:
        if m.get("tool_calls"):
            m = {
                **m,
                "content": m.get("content") or None,
                "tool_calls": [
                    {**c, "function": {**c["function"], "arguments": json.dumps(c["function"]["arguments"])}}
                    for c in m["tool_calls"]
                ],
            }
        out.append(m)
    return out


def _events(resp: http.client.HTTPResponse, url: str) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a server-sent event stream, until ``[DONE]``."""
    for raw in resp:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            yield json.loads(data)
        except ValueError:
            raise BackendError(f"{url} sent an event mnemo cannot read: {data[:100]}") from None
    raise BackendError(f"the server at {url} stopped mid-reply: the connection closed")
