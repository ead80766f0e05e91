"""MCP servers the user configured, on the official SDK (``mcp`` 2.x).

``Servers`` holds one session's servers: each starts on first use (its tools listed once),
is shared by the session's turns, and ends with it (``close``). The SDK is asynchronous;
mnemo is not, so the servers live on one event loop in a thread of their own, and
``tools``/``call`` wait for it with a deadline. A stdio server gets the SDK's allow-listed
environment (PATH, HOME, LANG and a few more, never the user's whole one) plus the ``env``
its entry names; its stderr goes to a log file, not the user's terminal.

A server that will not start, stops answering or dies is a ``ToolError`` with one line
saying which and why; the next use starts it again.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mnemo.config import ServerSpec
from mnemo.errors import MnemoError

if TYPE_CHECKING:  # asyncio is imported where a server starts: `mnemo ask` without one never needs it
    import asyncio

START_TIMEOUT = 30.0  # seconds for a server to start and list its tools
RESULT_CHARS = 20_000  # what a result may hold before it is cut (the turn cuts to tokens after)


STOPPED = "stopped while it ran"  # the error of a call abandoned when its reply was stopped


class ToolError(MnemoError):
    """A tool could not be reached or did not answer; the turn shows it and goes on."""


@dataclass(frozen=True)
class ToolInfo:
    server: str
    name: str
    description: str
    schema: dict[str, Any]
    read_only: bool  # the server's own annotation (readOnlyHint); a hint, trusted only on trusted servers

    @property
    def tokens(self) -> int:
        """About what offering it costs in the prompt (four characters a token)."""
        return len(json.dumps({"name": self.name, "description": self.description, "parameters": self.schema})) // 4


@dataclass(frozen=True)
class Result:
    text: str
    error: bool  # the tool itself said the call failed (its text says why)
    ms: int
    cut: bool = False


def _leaf(e: BaseException) -> BaseException:
    """The exception that says what happened, out of anyio's task-group wrappers."""
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    return e


def _why(e: BaseException) -> str:
    e = _leaf(e)
    if isinstance(e, FileNotFoundError):
        return f"its command was not found ({e.filename or e})"
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:200]


def _text(result: Any) -> str:
    parts = []
    for block in result.content or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "resource" and getattr(block.resource, "text", None):
            parts.append(block.resource.text)
        else:
            parts.append(f"[{kind or 'content'} not shown]")
    if not parts and getattr(result, "structured_content", None) is not None:
        parts.append(json.dumps(result.structured_content))
    return "\n".join(parts)


class _Server:
    """One running server: its client, held open by a task on the loop until stopped."""

    def __init__(self, spec: ServerSpec):
        self.spec = spec
        self.client: Any = None
        self.tools: list[ToolInfo] = []
        self.stop: asyncio.Event | None = None
        self.task: asyncio.Task[None] | None = None
        self.dead: str | None = None  # why it ended, when it ended on its own

    def transport(self, errlog: TextIO) -> Any:
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client
        from mcp.client.streamable_http import streamable_http_client

        if self.spec.url:
            if self.spec.headers:
                import httpx2

                http = httpx2.AsyncClient(headers=self.spec.headers, timeout=self.spec.timeout)
                return streamable_http_client(self.spec.url, http_client=http)
            return self.spec.url
        params = StdioServerParameters(command=self.spec.command or "", args=list(self.spec.args), env=self.spec.env)
        return stdio_client(params, errlog=errlog)

    async def hold(self, ready: asyncio.Future[None], errlog: TextIO) -> None:
        import asyncio

        from mcp import Client

        self.stop = asyncio.Event()
        try:
            async with Client(self.transport(errlog), mode="legacy") as client:
                listed = await client.list_tools()
                self.tools = [
                    ToolInfo(
                        self.spec.name,
                        t.name,
                        (t.description or "").strip(),
                        dict(t.input_schema or {}),
                        bool(t.annotations and t.annotations.read_only_hint),
                    )
                    for t in listed.tools
                ]
                self.client = client
                ready.set_result(None)
                await self.stop.wait()
        except BaseException as e:  # noqa: B036 (a cancelled or failed server: said once, the loop goes on)
            if not ready.done():
                ready.set_exception(ToolError(f"MCP server '{self.spec.name}' did not start: {_why(e)}"))
            else:
                self.dead = _why(e)
        finally:
            self.client = None


class Servers:
    """The configured MCP servers of one session."""

    def __init__(self, specs: list[ServerSpec], log: Path | None = None, start_timeout: float = START_TIMEOUT):
        self.specs = {s.name: s for s in specs}
        self.start_timeout = start_timeout
        self._running: dict[str, _Server] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._log_path = log
        self._log: TextIO | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        import asyncio

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="mnemo-mcp", daemon=True)
            self._thread.start()
        return self._loop

    def _errlog(self) -> TextIO:
        if self._log is None:
            path = self._log_path or Path("/dev/null")
            path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(path, "a", encoding="utf-8")  # noqa: SIM115 (open for the session)
        return self._log

    def state(self, name: str) -> str:
        """ "stopped" (not started, or ended), "running", or "died: why"."""
        server = self._running.get(name)
        if server is None:
            return "stopped"
        if server.dead:
            return f"died: {server.dead}"
        return "running" if server.client is not None else "starting"

    def _server(self, name: str) -> _Server:
        import asyncio

        if name not in self.specs:
            raise ToolError(f"no MCP server named '{name}' in config.toml")
        with self._lock:
            server = self._running.get(name)
            if server is not None and server.client is not None and not server.dead:
                return server
            loop = self._ensure_loop()
            server = _Server(self.specs[name])
            errlog = self._errlog()

            async def launch() -> None:
                ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                server.task = asyncio.create_task(server.hold(ready, errlog))
                await asyncio.wait_for(asyncio.shield(ready), self.start_timeout)

            try:
                asyncio.run_coroutine_threadsafe(launch(), loop).result(self.start_timeout + 5)
            except TimeoutError:
                self._stop(server)
                raise ToolError(
                    f"MCP server '{name}' did not start within {self.start_timeout:.0f} s (see its log)"
                ) from None
            self._running[name] = server
            return server

    def tools(self, name: str) -> list[ToolInfo]:
        """The server's tools (it starts on first use)."""
        return list(self._server(name).tools)

    def call(
        self,
        name: str,
        tool: str,
        arguments: dict[str, Any],
        timeout: float | None = None,
        cancelled: threading.Event | None = None,
    ) -> Result:
        """Call ``tool``; ``cancelled`` set while it runs abandons it (``ToolError``)."""
        import asyncio

        server = self._server(name)
        limit = timeout or server.spec.timeout
        loop = self._ensure_loop()
        started = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.wait_for(server.client.call_tool(tool, arguments), limit), loop
        )
        try:
            deadline = time.monotonic() + limit + 5
            while cancelled is not None and not future.done() and time.monotonic() < deadline:
                if cancelled.wait(0.05):
                    future.cancel()
                    raise ToolError(STOPPED)
            result = future.result(max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            future.cancel()
            raise ToolError(f"{tool} on '{name}' did not answer within {limit:.0f} s") from None
        except Exception as e:  # the connection failed: the next use starts the server again
            why = server.dead or _why(e)
            self._forget(server)
            raise ToolError(f"MCP server '{name}' stopped during {tool}: {why}") from None
        text = _text(result)
        cut = len(text) > RESULT_CHARS
        return Result(text[:RESULT_CHARS], bool(result.is_error), round((time.perf_counter() - started) * 1000), cut)

    def _forget(self, server: _Server) -> None:
        with self._lock:
            if self._running.get(server.spec.name) is server:
                del self._running[server.spec.name]
        self._stop(server)

    def _stop(self, server: _Server) -> None:
        import asyncio

        loop = self._loop
        if loop is None:
            return

        async def end() -> None:
            if server.task is None:
                return
            if server.client is None:  # still starting: nothing to end politely
                server.task.cancel()
            elif server.stop is not None:
                server.stop.set()
            try:
                await asyncio.wait_for(server.task, 10)  # the SDK ends the process (TERM, then KILL)
            except BaseException:  # noqa: B036 (a server that will not end is cancelled)
                server.task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(end(), loop).result(15)
        except Exception:
            pass

    def close(self) -> None:
        """End every server this session started (their processes end with them)."""
        with self._lock:
            for server in list(self._running.values()):
                self._stop(server)
            self._running.clear()
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self._loop.stop)
                if self._thread is not None:
                    self._thread.join(5)
                self._loop = None
            if self._log is not None:
                self._log.close()
                self._log = None
