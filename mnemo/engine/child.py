"""The model's own process: one per loaded GGUF model, started by ``mnemo.engine.process``.

It is started as ``python -P -c "import llama_cpp; from mnemo.engine.child import serve; ..."``
so llama-cpp-python is loaded before anything else, and it imports none of mnemo's other
native dependencies (no SQLite, torch or Textual): other native libraries sharing a process
with a CUDA build of llama.cpp were seen to crash it. A crash or abort in llama.cpp ends
this process only; the parent sees the socket close and reports it.

Requests arrive as pickled dicts on one socket, each with an ``id``; replies carry the same
``id``. While a reply streams, the socket is polled between tokens, so a ``cancel`` stops it
within a token and token counts are answered without waiting for the reply to end.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections import deque
from multiprocessing.connection import Connection
from typing import Any

BOOT = "import llama_cpp, sys; from mnemo.engine.child import serve; serve(int(sys.argv[1]))"
# test-only: "load", "token:N" or "batch" (the first batched decode, while llama.cpp's extra
# buffer types are on: the AMX crash's shape), then ":segv" | ":abort" | ":kill"
CRASH_ENV = "MNEMO_TEST_CRASH"
CRASH_ONCE_ENV = "MNEMO_TEST_CRASH_ONCE"  # test-only: a file; crash only while it does not exist


class _Stderr(logging.Handler):
    """Log records go to stderr as "L<level> <name>: <text>"; the parent reads them back
    into its own logging (never onto the user's terminal)."""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().replace("\n", " ")
        try:
            sys.stderr.write(f"L{record.levelno} {record.name}: {text}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def _die_with_parent() -> None:
    """On Linux, end this process when mnemo's ends (even by kill -9)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _crash_plan() -> tuple[str, int, str] | None:
    """(when, after how many tokens, how) from the test-only switch, or None."""
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return None
    once = os.environ.get(CRASH_ONCE_ENV)
    if once:
        if os.path.exists(once):
            return None
    parts = spec.split(":")
    when = parts[0]
    after = int(parts[1]) if when == "token" and len(parts) > 1 else 0
    how = parts[-1] if parts[-1] in ("segv", "abort", "kill") else "segv"
    return when, after, how


def _crash(how: str) -> None:
    once = os.environ.get(CRASH_ONCE_ENV)
    if once:
        open(once, "w").close()
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file from a crash on purpose
    sys.stderr.write(f"crashing on purpose ({how}), as {CRASH_ENV} asks\n")
    sys.stderr.flush()
    if how == "abort":
        os.abort()
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    import ctypes

    ctypes.string_at(0)  # SIGSEGV


def _modules() -> list[str]:
    return list(sys.modules)  # in the order they were imported


QUICK = ("count", "count_prompt", "prompt_tokens", "render", "info")  # answered even while a reply streams


def rss_mb() -> float:
    """This process's resident memory, in MB (Linux; NaN where /proc cannot tell)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _stop_flag(fd: int | None) -> Any:
    """The byte the parent sets to stop a decode mid-batch (a file both map), or None."""
    if fd is None:
        return None
    import mmap

    try:
        return mmap.mmap(fd, 2)
    except (OSError, ValueError):
        return None


class _Server:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.engine: Any = None
        self.pending: deque[dict[str, Any]] = deque()
        self.crash = _crash_plan()

    def reply(self, rid: int, **fields: Any) -> None:
        self.conn.send({"id": rid, **fields})

    def load(self, msg: dict[str, Any]) -> None:
        """Load the model as ``setup`` says, telling the parent each stage first (so it knows
        where a crash happened), and with ``setup["probe"]`` decode one short batch."""
        from mnemo.engine.local import LocalEngine, system_info

        logging.getLogger().setLevel(msg.get("log_level", logging.WARNING))
        setup = msg.get("setup") or {}
        amx = system_info()["amx"]

        def stage(gpu_layers: int) -> None:
            self.reply(0, stage="load", gpu_layers=gpu_layers, amx=amx)
            if self.crash and self.crash[0] == "load":
                _crash(self.crash[2])

        start = time.perf_counter()
        flag = _stop_flag(msg.get("stop_fd"))
        try:
            engine = LocalEngine(
                msg["spec"], msg["path"], repack=setup.get("repack", True), gpu=setup.get("gpu", True), stage=stage
            )
            self.engine = engine
            if flag is not None:
                engine.abort_on(flag)
            if setup.get("probe", True):
                self.reply(0, stage="probe", gpu_layers=engine.gpu_layers, amx=amx)
                self.batch_crash()
                engine.probe()
        except Exception as e:
            self.reply(0, error=str(e), type=type(e).__name__)
            raise SystemExit(0) from None
        self.reply(
            0,
            ok={
                "n_ctx": engine.n_ctx,
                "backend": engine.backend,
                "gpu_layers": engine.gpu_layers,
                "notice": engine.notice,
                "template_source": engine.template_source,
                "load_s": time.perf_counter() - start,
                "pid": os.getpid(),
                "buffers": engine.buffers,
                "n_threads": engine.n_threads,
                "chat_template": engine.chat_template,
            },
        )

    def batch_crash(self) -> None:
        """The test-only "batch" crash: in the first batched decode, while the extra buffer
        types are on."""
        if self.crash and self.crash[0] == "batch" and self.engine.repack:
            _crash(self.crash[2])

    def run(self) -> None:
        self.load(self.conn.recv())
        while True:
            msg = self.pending.popleft() if self.pending else self.conn.recv()
            self.handle(msg)

    def handle(self, msg: dict[str, Any]) -> None:
        op, rid = msg["op"], msg.get("id", 0)
        if op == "close":
            raise SystemExit(0)
        if op == "cancel":
            return  # its stream has already ended
        try:
            if op == "stream":
                self.stream(msg)
            elif op == "json":
                if self.engine.stop_flag is not None:
                    self.engine.stop_flag[0] = 0
                self.reply(rid, ok=self.engine.complete_json(msg["messages"], msg["schema"], msg["max_tokens"]))
            elif op == "after":
                if self.engine.stop_flag is not None:
                    self.engine.stop_flag[0] = 0
                self.reply(
                    rid,
                    ok=self.engine.complete_after(
                        msg["messages"], msg["prefix"], msg["schema"], msg.get("tools"), msg["max_tokens"]
                    ),
                )
            else:
                self.quick(msg)
        except Exception as e:  # a Python-level error (a broken template): the parent raises it
            self.reply(rid, error=str(e), type=type(e).__name__)

    def quick(self, msg: dict[str, Any]) -> None:
        """Requests answered at once, even while a reply streams."""
        op, rid, e = msg["op"], msg["id"], self.engine
        if op == "count":
            self.reply(rid, ok=[e.count_tokens(t) for t in msg["texts"]])
        elif op == "count_prompt":
            self.reply(rid, ok=e.count_prompt(msg["messages"]))
        elif op == "prompt_tokens":
            self.reply(rid, ok=e.prompt_tokens(msg["messages"]))
        elif op == "render":
            self.reply(rid, ok=e.render(msg["messages"], msg.get("tools")))
        elif op == "info":
            from mnemo.engine.local import system_info

            self.reply(rid, ok={**system_info(), "modules": _modules(), "pid": os.getpid(), "rss_mb": rss_mb()})
        else:
            self.reply(rid, error=f"unknown request {op!r}", type="ValueError")

    def stream(self, msg: dict[str, Any]) -> None:
        rid = msg["id"]
        self.batch_crash()  # not probed (a verdict said it need not be): this is the first batch
        if self.crash and self.crash[0] == "batch":
            self.crash = None
        from mnemo.engine.local import Interrupted

        if self.engine.stop_flag is not None:
            self.engine.stop_flag[0] = 0  # a stop the parent set for an earlier reply
        deltas = self.engine.stream(msg["messages"], msg["sampling"], msg["max_tokens"], msg.get("tools"))
        sent = 0
        crash_after = self.crash[1] if self.crash and self.crash[0] == "token" else None
        self.engine.between_batches = lambda: self.interrupted(rid)  # a cancel while the prompt is read
        try:
            for item in deltas:
                if not isinstance(item, str):
                    self.reply(rid, ok=item)
                    return
                self.reply(rid, delta=item)
                sent += 1
                if crash_after is not None and sent >= crash_after:
                    _crash(self.crash[2])  # type: ignore[index]
                if self.interrupted(rid):
                    self.reply(rid, ok=None, sent=sent)
                    return
        except Interrupted:
            self.reply(rid, ok=None, sent=sent)
        finally:
            self.engine.between_batches = None
            deltas.close()

    def interrupted(self, rid: int) -> bool:
        """Between two tokens: answer quick requests, keep the others for later, and say
        whether this stream was cancelled."""
        cancelled = False
        while self.conn.poll():
            msg = self.conn.recv()
            op = msg["op"]
            if op == "close":
                raise SystemExit(0)
            if op == "cancel":
                cancelled = cancelled or msg.get("target") == rid
            elif op in QUICK:
                self.quick(msg)
            else:
                self.pending.append(msg)
        return cancelled


def serve(fd: int) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.getLogger().addHandler(_Stderr())
    conn = Connection(fd)
    try:
        _Server(conn).run()
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        pass  # mnemo has gone: so does its model
    except Exception:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    finally:
        os._exit(0)  # skip interpreter teardown (llama.cpp's destructors); the OS frees it all
