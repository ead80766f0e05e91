"""A local GGUF model in a process of its own, behind the ``Engine`` interface.

mnemo's process never loads llama.cpp: ``ChildEngine`` starts ``mnemo.engine.child``
(which imports llama-cpp-python before anything else), sends it requests over a socket
pair and routes the replies back to the threads that asked, by request id. Starting
returns at once; the model loads while mnemo opens its database, and the first request
that needs it waits. The KV cache lives in the child, so turns reuse it as before.

If the child dies (a segfault or abort in llama.cpp, killed for memory), every waiting
request and every later one raises ``BackendError`` naming the model, the signal and what
to try; the Assistant then starts a fresh child for the next message.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import queue
import signal
import subprocess
import threading
import time
import weakref
from collections import deque
from collections.abc import Generator
from pathlib import Path
from typing import Any

from mnemo import errors
from mnemo.config import ModelSpec, Sampling
from mnemo.engine import Engine, Generation, Message, Tool, probe, warm
from mnemo.errors import BackendError

log = logging.getLogger("mnemo.llama")

CLOSE_WAIT = 3.0  # seconds a closing child gets before it is killed
CANCEL_WAIT = 5.0  # seconds a cancelled stream waits for the child to confirm it stopped
COUNT_CACHE = 4096  # token counts kept per engine (the window's messages recur every turn)
ADVICE = "try `n_gpu_layers = 0` in its models.toml entry, reinstall llama-cpp-python, or run `mnemo doctor`"
SIGILL_ADVICE = (
    "this llama.cpp build uses CPU instructions this machine lacks; rebuild it here with "
    "`pip install --force-reinstall --no-cache-dir llama-cpp-python`, or run `mnemo doctor`"
)
_OFF = {probe.AMX: "without the AMX kernels", probe.REPACK: "without the repacked CPU kernels"}

_children: weakref.WeakSet[ChildEngine] = weakref.WeakSet()


@atexit.register
def _close_children() -> None:
    for child in list(_children):
        child.close()


def _how(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed ({name}; out of memory?)" if name == "SIGKILL" else f"crashed ({name})"
    return f"exited unexpectedly (status {returncode})"


_STOP: dict[str, Any] = {}  # what _next returns when the stream was asked to stop
STOP_POLL = 0.05  # seconds between two looks at a stream's stop while it waits for the child


def _next(waiting: queue.SimpleQueue[dict[str, Any] | None], stop: threading.Event) -> dict[str, Any] | None:
    """The child's next message for a stream, or _STOP once ``stop`` is set."""
    while not stop.is_set():
        try:
            return waiting.get(timeout=STOP_POLL)
        except queue.Empty:
            continue
    return _STOP


class ChildEngine(Engine):
    def __init__(self, spec: ModelSpec, path: Path, verdicts: probe.Verdicts | None = None):
        """Start the model's process; it loads as the remembered verdict for this machine says
        (``mnemo.engine.probe``), else with llama.cpp's defaults and a probe, falling back
        by itself when llama.cpp dies while loading or probing."""
        self.spec = spec
        self.path = path
        self._ids = itertools.count(1)
        self._waiting: dict[int, queue.SimpleQueue[dict[str, Any] | None]] = {0: queue.SimpleQueue()}
        self._send_lock = threading.Lock()
        self._ready_lock = threading.Lock()
        self._life_lock = threading.Lock()  # starting a process (again) against closing
        self._info: dict[str, Any] | None = None
        self._failure: Exception | None = None  # why the child cannot answer any more
        self._closing = False
        self._counts: dict[str, int] = {}
        self._stderr: deque[str] = deque(maxlen=20)
        self.stopped_after: int | None = None  # tokens the child sent for the last cancelled stream
        self._verdicts = verdicts or probe.verdicts(None)
        self._key = probe.key(path)
        self.setup = probe.start(spec.repack, self._verdicts.get(self._key))
        self.fell_back: list[str] = []  # what this start turned off, and why (told to the user once)
        self._loaded = False  # the model's process said it loaded (and probed)
        self._stop_file: Any = None  # the byte mnemo sets to stop a decode mid-batch (warm.Started)
        self._stop_flag: Any = None
        self._start()
        _children.add(self)
        threading.Thread(target=self._read, name=f"mnemo-model-{spec.name}", daemon=True).start()

    def _start(self) -> None:
        load = warm.load_message(self.spec, self.path, self.setup)
        try:
            started = warm.take(load) or warm.spawn()
        except OSError as e:
            raise BackendError(f"cannot start the process for model '{self.spec.name}': {e}") from None
        self._close_stop()  # the last process's, when this one replaces it
        self._proc, self._stop_file, self._stop_flag = started.proc, started.stop_file, started.stop_flag
        self._conn = started.conn
        self._stage = probe.Crash(None)  # where this process is, as it last said
        self._stderr.clear()
        if started.sent is None:  # a process started ahead for this model was sent it already
            self._send({**load, "stop_fd": started.stop_fd})
        self._stderr_reader = threading.Thread(
            target=self._read_stderr, args=(self._proc,), name=f"mnemo-model-log-{self.spec.name}", daemon=True
        )
        self._stderr_reader.start()

    # ------------------------------------------------------------ the process

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        """False once the model's process has died for good (not while it starts again)."""
        return self._failure is None and not self._closing and (self._proc.poll() is None or not self._loaded)

    @property
    def ready(self) -> bool:
        return self._info is not None

    def wait_ready(self) -> None:
        """Block until the model is loaded; raise what stopped it."""
        if self._info is not None:
            return
        with self._ready_lock:
            if self._info is not None:
                return
            if self._failure is not None:
                raise self._failure
            msg = self._waiting[0].get()
            self._waiting.pop(0, None)
            if msg is None:
                raise self._failure or BackendError(f"model '{self.spec.name}' stopped")
            if "error" in msg:
                self._failure = self._error(msg)
                raise self._failure
            self._info = msg["ok"]
            log.info(
                "model '%s' loaded in %.2f s (pid %d, %s, %d GPU layers)",
                self.spec.name,
                self._info["load_s"],
                self.pid,
                self._info["backend"],
                self._info["gpu_layers"],
            )

    def _attr(self, key: str) -> Any:
        """What the loaded model said of itself. Never waits: read before the model has
        loaded (``ready`` is False), it is a mistake in the caller, said as one."""
        if self._info is None:
            raise RuntimeError(f"{key} of model '{self.spec.name}' is known once it has loaded (wait_ready)")
        return self._info[key]

    @property
    def n_ctx(self) -> int:  # type: ignore[override]
        return self._attr("n_ctx")

    @property
    def backend(self) -> str:  # type: ignore[override]
        return self._attr("backend")

    @property
    def gpu_layers(self) -> int:  # type: ignore[override]
        return self._attr("gpu_layers")

    @property
    def notice(self) -> str | None:  # type: ignore[override]
        """Why the model runs where it runs: what this start turned off, and the child's own word."""
        said = [*self.fell_back, self._attr("notice")]
        return "; ".join(n for n in said if n) or None

    @property
    def buffers(self) -> dict[str, float]:
        """llama.cpp's buffer types holding the weights, in MiB (e.g. CPU_Mapped, CPU_REPACK, AMX, CUDA0)."""
        return self._attr("buffers")

    @property
    def template_source(self) -> str:  # type: ignore[override]
        """Where the chat template came from: "gguf", "models.toml" or "chatml fallback"."""
        return self._attr("template_source")

    @property
    def n_threads(self) -> int:
        """llama.cpp's CPU threads for this model (models.toml, config.toml, or the physical cores)."""
        return self._attr("n_threads")

    @property
    def load_seconds(self) -> float:
        return self._attr("load_s")

    @property
    def chat_template(self) -> str | None:  # type: ignore[override]
        """The Jinja chat template the model renders with (its call family is read from it)."""
        return self._attr("chat_template")

    constrained_calls = True

    def info(self) -> dict[str, Any]:
        """llama.cpp's system info, the child's loaded modules, pid and resident memory."""
        return self._call("info")

    def _read(self) -> None:
        """Route the child's replies to the threads waiting for them; when it dies before it
        is ready, start it again with the next fallback, if there is one."""
        while True:
            conn, proc = self._conn, self._proc
            while True:
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    break
                if "stage" in msg:
                    self._stage = probe.Crash(msg["stage"], msg["gpu_layers"], msg["amx"])
                    continue
                if msg["id"] == 0 and "ok" in msg:
                    self._loaded = True
                    if self.setup.probe:  # a start without a probe had its verdict already
                        self._remember()
                elif msg["id"] == 0 and "error" in msg:  # the load failed: that, not its exit, is what stopped it
                    self._failure = self._error(msg)
                waiting = self._waiting.get(msg["id"])
                if waiting is not None:
                    waiting.put(msg)
            try:
                returncode = proc.wait(timeout=CLOSE_WAIT)
            except subprocess.TimeoutExpired:
                returncode = None
            if self._retry(returncode):
                continue
            if self._failure is None:
                self._failure = self._crash(returncode)
            for waiting in list(self._waiting.values()):
                waiting.put(None)
            return

    def _remember(self) -> None:
        """What worked, for the next start on this machine (never stops the reader)."""
        try:
            self._verdicts.put(self._key, self.setup, model=self.spec.name, cpu=probe.cpu_name(), build=probe.version())
        except Exception as e:  # a verdict not kept only costs a probe next time
            log.warning("could not keep what llama.cpp needs on this machine: %s", e)

    def _retry(self, returncode: int | None) -> bool:
        """After the child died loading or probing: start it with the next setting known to
        avoid that crash. False when there is none (or mnemo is closing it)."""
        if self._loaded or returncode is None or returncode >= 0:
            return False  # loaded before it died, hung, or exited by itself: no setting cures that
        with self._life_lock:
            if self._closing:
                return False
            nxt = probe.fallback(self.setup, self._stage, self.spec.name, self.spec.repack)
            if nxt is None:
                return False
            self._stderr_reader.join(timeout=1.0)
            log.warning(
                "llama.cpp %s while %s '%s' (%s); starting it again: %s",
                _how(returncode),
                "probing" if self._stage.stage == "probe" else "loading",
                self.spec.name,
                self._said() or "no message",
                nxt.why[-1],
            )
            self.setup = nxt
            self.fell_back.append(nxt.why[-1])
            try:
                self._start()
            except BackendError as e:
                self._failure = e
                return False
            return True

    def _read_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if not line:
                continue
            level, name, text = logging.WARNING, "mnemo.llama", line
            head, _, rest = line.partition(" ")
            if head[:1] == "L" and head[1:].isdigit():
                level = int(head[1:])
                name, _, text = rest.partition(": ")
            else:
                self._stderr.append(line)  # llama.cpp's own words (GGML_ASSERT, CUDA errors)
            logging.getLogger(name if name.startswith("mnemo") else "mnemo.llama").log(level, "%s", text)

    def _said(self) -> str:
        """The child's last words before it died, if it said any."""
        return next(
            (
                line
                for line in reversed(self._stderr)
                if "crashing on purpose" not in line and not line.startswith("Fatal Python")
            ),
            "",
        )

    def _crash(self, returncode: int | None) -> BackendError:
        if self._closing:
            return BackendError(f"model '{self.spec.name}' was closed")
        self._stderr_reader.join(timeout=1.0)  # its last words, if it said any
        doing = "generating with" if self._info is not None else "loading"
        said = self._said()
        detail = f": {said[:200]}" if said else ""
        tried = (
            f" (also tried {', '.join(_OFF.get(w, 'on the CPU') for w in self.fell_back)})" if self.fell_back else ""
        )
        advice = SIGILL_ADVICE if returncode == -signal.SIGILL else ADVICE
        message = f"llama.cpp {_how(returncode)} while {doing} '{self.spec.name}'{detail}{tried}; {advice}"
        log.error("%s", message)
        return BackendError(message)

    def _error(self, msg: dict[str, Any]) -> Exception:
        kind = getattr(errors, msg.get("type", ""), None)
        if isinstance(kind, type) and issubclass(kind, errors.MnemoError):
            return kind(msg["error"])
        return BackendError(f"model '{self.spec.name}': {msg['error']}")

    # ------------------------------------------------------------ requests

    def _send(self, msg: dict[str, Any]) -> None:
        try:
            with self._send_lock:
                self._conn.send(msg)
        except OSError:
            pass  # the reader sees the child gone and fails what waits

    def _request(self, op: str, **fields: Any) -> tuple[int, queue.SimpleQueue[dict[str, Any] | None]]:
        self.wait_ready()
        if self._failure is not None:
            raise self._failure
        rid = next(self._ids)
        waiting: queue.SimpleQueue[dict[str, Any] | None] = queue.SimpleQueue()
        self._waiting[rid] = waiting
        if self._failure is not None:  # died between the check and the registration
            self._waiting.pop(rid, None)
            raise self._failure
        self._send({"op": op, "id": rid, **fields})
        return rid, waiting

    def _result(self, msg: dict[str, Any] | None) -> Any:
        if msg is None:
            raise self._failure or BackendError(f"model '{self.spec.name}' stopped")
        if "error" in msg:
            raise self._error(msg)
        return msg["ok"]

    def _call(self, op: str, **fields: Any) -> Any:
        rid, waiting = self._request(op, **fields)
        try:
            return self._result(waiting.get())
        finally:
            self._waiting.pop(rid, None)

    # -------------------------------------------------------------- Engine

    def count_many(self, texts: list[str]) -> list[int]:
        """Token counts for many texts in one round trip (counts are cached: a turn's window
        repeats the last turn's)."""
        got = {t: self._counts.get(t) for t in texts}
        todo = [t for t, n in got.items() if n is None]
        if todo:
            fresh = dict(zip(todo, self._call("count", texts=todo)))
            if len(self._counts) + len(fresh) > COUNT_CACHE:
                self._counts.clear()
            self._counts.update(fresh)
            got.update(fresh)
        return [got[t] for t in texts]  # type: ignore[misc]

    def count_tokens(self, text: str) -> int:
        return self.count_many([text])[0]

    def count_prompt(self, messages: list[Message]) -> int:
        return self._call("count_prompt", messages=messages)

    def prompt_tokens(self, messages: list[Message]) -> list[int]:
        return self._call("prompt_tokens", messages=messages)

    def render(self, messages: list[Message], tools: list[Tool] | None = None) -> str:
        """The prompt text the chat template makes of ``messages`` (and the offered ``tools``)."""
        return self._call("render", messages=messages, tools=tools)

    def stream(
        self,
        messages: list[Message],
        sampling: Sampling,
        max_tokens: int | None = None,
        tools: list[Tool] | None = None,
        stop: threading.Event | None = None,
    ) -> Generator[str | Generation, None, None]:
        """A ``stop`` set while the child reads the prompt is told to it at once (it looks
        between two batches of the prompt), not at the first token."""
        if stop is not None and stop.is_set():
            return
        rid, waiting = self._request("stream", messages=messages, sampling=sampling, max_tokens=max_tokens, tools=tools)
        ended = False
        try:
            while True:
                msg = waiting.get() if stop is None else _next(waiting, stop)
                if msg is _STOP:
                    return  # not ended: the child is told to stop (finally)
                if msg is not None and "delta" in msg:
                    yield msg["delta"]
                    continue
                ended = True
                result = self._result(msg)
                if result is not None:
                    yield result
                return
        finally:
            if not ended:
                self._cancel(rid, waiting)
            self._waiting.pop(rid, None)

    def _cancel(self, rid: int, waiting: queue.SimpleQueue[dict[str, Any] | None]) -> None:
        """Stop the child's reply, and wait until it has (so the next request finds it free):
        the shared flag aborts the batch llama.cpp is decoding, the message says which reply."""
        if self._stop_flag is not None:
            self._stop_flag[0] = 1
        self._send({"op": "cancel", "target": rid})
        deadline = time.monotonic() + CANCEL_WAIT
        while time.monotonic() < deadline:
            try:
                msg = waiting.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return
            if msg is None or "delta" not in msg:
                self.stopped_after = (msg or {}).get("sent")
                return

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> str:
        return self._call("json", messages=messages, schema=schema, max_tokens=max_tokens)

    def complete_after(
        self, messages: list[Message], prefix: str, schema: dict, tools: list[Tool] | None = None, max_tokens: int = 512
    ) -> str:
        return self._call("after", messages=messages, prefix=prefix, schema=schema, tools=tools, max_tokens=max_tokens)

    def close(self) -> None:
        """End the child; its memory (RAM, GPU) goes back to the system."""
        with self._life_lock:  # no fallback starts a new one after this
            if self._closing:
                return
            self._closing = True
        _children.discard(self)
        self._send({"op": "close"})
        try:
            self._proc.wait(timeout=CLOSE_WAIT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._conn.close()
        self._close_stop()

    def _close_stop(self) -> None:
        if self._stop_file is not None:
            self._stop_flag.close()
            self._stop_file.close()
            self._stop_file = self._stop_flag = None
