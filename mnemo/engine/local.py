"""A GGUF model run by llama-cpp-python. Imported only in the model's own process
(``mnemo.engine.child``); mnemo's process talks to it through ``mnemo.engine.process``."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import re
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from mnemo.config import ModelSpec, Sampling
from mnemo.engine import Engine, Generation, Message, Tool
from mnemo.engine.gguf import context_for, read_metadata
from mnemo.engine.gpu import gpu_present
from mnemo.errors import ModelError
from mnemo.kinds import Finish

log = logging.getLogger("mnemo.llama")

# Used when a GGUF file carries no chat template of its own.
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# ggml_log_level: NONE=0, DEBUG=1, INFO=2, WARN=3, ERROR=4, CONT=5 (continues the last one)
_LEVELS = {0: logging.CRITICAL, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_last_level = logging.DEBUG
_BUFFER = re.compile(r"(\S+) model buffer size\s*=\s*([\d.]+) MiB")
buffers: dict[str, float] = {}  # llama.cpp's buffer types holding the weights of the model loaded last, in MiB


@llama_cpp.llama_log_callback
def _route_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    global _last_level
    _last_level = _LEVELS.get(level, _last_level)
    message = text.decode("utf-8", errors="replace").rstrip()
    if found := _BUFFER.search(message):
        buffers[found[1]] = float(found[2])
    if message.strip("."):
        log.log(_last_level, "%s", message)


# llama.cpp's own logging goes to Python logging, never onto the terminal.
llama_cpp.llama_log_set(_route_log, ctypes.c_void_p(0))


def system_info() -> dict[str, Any]:
    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace").strip()
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    upper = info.upper()
    backend = "cpu"
    for name in ("CUDA", "METAL", "VULKAN", "HIP", "SYCL"):
        if f"{name} :" in upper or f"{name} =" in upper or f"{name}:" in upper:
            backend = name.lower()
            break
    features = [name for name, on in re.findall(r"(\w+) = (\d+)", info) if on != "0"]
    return {
        "llama_cpp_python": llama_cpp.__version__,
        "gpu_offload": offload,
        "backend": backend if offload else "cpu",
        "system_info": info,
        "cpu_features": features,
        "amx": any(f.startswith("AMX") for f in features),
    }


@contextlib.contextmanager
def _extra_buffer_types(on: bool) -> Iterator[None]:
    """llama.cpp's extra buffer types (the AMX and repacked CPU kernels) on or off for the
    models loaded inside. ``use_extra_bufts`` is a field of the model params, not a ``Llama``
    keyword: ``Llama`` reads ``llama_model_default_params()`` as it loads, so that is where
    it is set."""
    if on:
        yield
        return
    lib = llama_cpp.llama_cpp
    defaults = lib.llama_model_default_params

    def without() -> Any:
        params = defaults()
        params.use_extra_bufts = False
        return params

    lib.llama_model_default_params = without
    try:
        yield
    finally:
        lib.llama_model_default_params = defaults


def _auto_layers(meta: dict[str, Any], path: Path, n_ctx: int) -> int:
    """``n_gpu_layers = "auto"``: every layer when the model fits in the GPU's free memory,
    else as many as fit (partial offload); all when the free memory cannot be asked (Metal's
    unified memory)."""
    from mnemo.engine import fit

    where = fit.machine()
    if not where.gpus:
        return -1
    placed = fit.fit(fit.Shape.of(meta, path.stat().st_size), n_ctx, where)
    log.info("'%s' at n_ctx %d: %s", path.name, n_ctx, placed.describe())
    return -1 if placed.verdict == "gpu" else placed.gpu_layers


def threads(spec: ModelSpec) -> int:
    """llama.cpp's CPU threads: the entry's ``n_threads`` (config.toml's fills it in), else
    this machine's physical cores."""
    from mnemo.engine.fit import physical_cores

    return spec.n_threads or physical_cores()


class Interrupted(Exception):
    """The reply was stopped between two batches (``LocalEngine.between_batches``)."""


PROBE_TEXT = "mnemo checks that llama.cpp runs this model on this machine."


class LocalEngine(Engine):
    def __init__(
        self,
        spec: ModelSpec,
        path: Path,
        *,
        repack: bool = True,
        gpu: bool = True,
        stage: Callable[[int], None] = lambda gpu_layers: None,
    ):
        """Load ``path``; ``repack`` and ``gpu`` off turn off llama.cpp's extra buffer types and
        GPU offload (``mnemo.engine.probe``); ``stage(gpu_layers)`` is told before each load."""
        self.spec = spec
        self.path = path
        self.repack = repack
        meta = read_metadata(path)
        self.n_ctx = context_for(meta, spec.n_ctx)
        self.n_threads = threads(spec)
        build_offloads = llama_cpp.llama_supports_gpu_offload()
        offload = build_offloads and gpu  # gpu False: offloading crashed here (mnemo.engine.probe)
        if spec.n_gpu_layers == "auto":
            gpu_layers = _auto_layers(meta, path, self.n_ctx) if offload else 0
        else:
            gpu_layers = int(spec.n_gpu_layers) if offload else 0
        self.backend = system_info()["backend"] if gpu_layers else "cpu"
        self.notice: str | None = None  # shown once to the user: why the model runs where it runs
        if gpu_layers == 0 and spec.n_gpu_layers != 0 and not build_offloads and gpu_present():
            self.notice = (
                f"this llama.cpp build cannot use the GPU, so '{spec.name}' runs on the CPU; "
                "see the README's GPU section to install a GPU build"
            )
        try:
            stage(gpu_layers)
            self.llm = self._load(path, gpu_layers)
        except ModelError as e:
            if gpu_layers == 0:
                raise
            self.notice = f"'{spec.name}' did not load on the GPU (too big for its memory?); it runs on the CPU"
            log.warning("%s: %s", self.notice, e)
            gpu_layers = 0
            stage(0)
            self.llm = self._load(path, 0)
        self._buffers = dict(buffers)
        n_layers = meta.get(f"{meta.get('general.architecture')}.block_count")
        self.gpu_layers = (n_layers or 0) if gpu_layers == -1 else gpu_layers
        self.lock = threading.Lock()
        self.between_batches: Callable[[], bool] | None = None  # the child's: was this reply cancelled?
        self.stop_flag: Any = None  # a shared byte the parent sets to stop a decode mid-batch (abort_on)
        self._watch_batches()
        model = self.llm._model
        eos, bos = self.llm.token_eos(), self.llm.token_bos()
        self._eos_text = model.token_get_text(eos) if eos != -1 else ""
        template = spec.chat_template or meta.get("tokenizer.chat_template") or CHATML_TEMPLATE
        self.template_source = (
            "models.toml"
            if spec.chat_template
            else "gguf"
            if meta.get("tokenizer.chat_template")
            else "chatml fallback"
        )
        self.chat_template = template  # the turn reads its call family from it (mnemo.tools.calls)
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=self._eos_text,
            bos_token=model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )

    @property
    def buffers(self) -> dict[str, float]:
        return self._buffers

    # -- tokens

    def tokenize(self, text: str, special: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8", errors="replace"), add_bos=False, special=special)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def render(self, messages: list[Message], tools: list[Tool] | None = None) -> str:
        try:
            return self._formatter(messages=messages, tools=tools).prompt
        except Exception as e:  # a broken Jinja template from models.toml
            raise ModelError(f"model '{self.spec.name}': its chat template failed: {e}") from None

    def _load(self, path: Path, gpu_layers: int) -> llama_cpp.Llama:
        buffers.clear()
        try:
            with _extra_buffer_types(self.repack):
                return llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.n_ctx,
                    n_gpu_layers=gpu_layers,
                    n_threads=self.n_threads,
                    seed=self.spec.sampling.seed
                    if self.spec.sampling.seed is not None
                    else llama_cpp.LLAMA_DEFAULT_SEED,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as e:
            raise ModelError(
                f"cannot load model file {path}: llama.cpp could not read it ({e}); "
                "the file is corrupt or truncated, re-download it"
            ) from None

    def probe(self) -> None:
        """Decode one short batch, as a prompt does (where llama.cpp's AMX kernels crash),
        then forget it."""
        with self.lock:
            self.llm.eval(self.tokenize(PROBE_TEXT)[:16])
            self.llm.reset()

    def prompt_tokens(self, messages: list[Message], tools: list[Tool] | None = None) -> list[int]:
        return self.tokenize(self.render(messages, tools), special=True)

    def count_prompt(self, messages: list[Message]) -> int:
        return len(self.prompt_tokens(messages))

    # -- generation

    def _watch_batches(self) -> None:
        """``between_batches`` is asked before each batch llama.cpp decodes (the prompt's, then
        one per token); when it says stop, ``Interrupted`` ends the reply there. llama-cpp-python
        keeps its tokens and KV cache as they were after the last whole batch."""
        ctx = getattr(self.llm, "_ctx", None)
        decode = getattr(ctx, "decode", None)
        if decode is None:
            return

        def checked(batch: Any) -> None:
            if self.between_batches is not None and self.between_batches():
                raise Interrupted
            try:
                decode(batch)
            except RuntimeError:  # "llama_decode returned 2": the stop flag aborted it mid-batch
                if self.stop_flag is not None and self.stop_flag[0]:
                    raise Interrupted from None
                raise

        ctx.decode = checked

    def abort_on(self, flag: Any) -> bool:
        """Let llama.cpp abort a decode mid-batch when ``flag[0]`` (a shared byte, then a NUL)
        is set: its abort callback, checked between the graph's nodes on the CPU, is libc's
        ``strlen`` on that byte, so no Python runs in llama.cpp's loop (1: abort, 0: go on).
        False where it cannot be set up (the batch checks still stop a reply)."""
        try:
            address = ctypes.addressof(ctypes.c_char.from_buffer(flag))
            strlen = ctypes.cast(ctypes.CDLL(None).strlen, ctypes.c_void_p).value
            callback = llama_cpp.ggml_abort_callback(strlen)
            llama_cpp.llama_set_abort_callback(self.llm._ctx.ctx, callback, ctypes.c_void_p(address))
        except (AttributeError, OSError, TypeError, ValueError) as e:
            log.info("no mid-batch stop for '%s': %s", self.spec.name, e)
            return False
        self._abort = callback  # kept alive as long as llama.cpp may call it
        self.stop_flag = flag
        return True

    def stream(
        self,
        messages: list[Message],
        sampling: Sampling,
        max_tokens: int | None = None,
        tools: list[Tool] | None = None,
        stop: threading.Event | None = None,
    ) -> Generator[str | Generation, None, None]:
        """In the model's own process; ``stop`` is not used here (the child asks
        ``between_batches`` instead, which reads the parent's cancel)."""
        tokens = self.prompt_tokens(messages, tools)
        room = self.n_ctx - len(tokens)
        if room <= 0:
            raise ModelError(f"the prompt has {len(tokens)} tokens, more than the model's context of {self.n_ctx}")
        max_tokens = min(max_tokens or sampling.max_tokens, room)
        parts: list[str] = []
        finish: str = Finish.STOPPED
        with self.lock:
            cached = llama_cpp.Llama.longest_token_prefix(self.llm._input_ids.tolist(), tokens)
            chunks = self.llm.create_completion(
                tokens,
                max_tokens=max_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k,
                min_p=sampling.min_p,
                repeat_penalty=sampling.repeat_penalty,
                seed=sampling.seed,
                stop=[s for s in (self._eos_text, *sampling.stop) if s],
                stream=True,
            )
            try:
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    text = choice.get("text") or ""
                    if text:
                        parts.append(text)
                        yield text
                    if choice.get("finish_reason"):
                        finish = str(choice["finish_reason"])
            finally:
                chunks.close()
        text = "".join(parts)
        yield Generation(text, finish, len(tokens), self.count_tokens(text), min(cached, len(tokens)))

    def complete_json(self, messages: list[Message], schema: dict, max_tokens: int = 256) -> str:
        """Greedy, grammar-constrained; the conversation's KV cache is saved and restored
        around it, so the next turn still reuses its prefix."""
        import json

        from llama_cpp.llama_grammar import LlamaGrammar

        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        tokens = self.prompt_tokens(messages)
        with self.lock:
            state = self.llm.save_state()
            try:
                out = self.llm.create_completion(
                    tokens,
                    max_tokens=min(max_tokens, max(1, self.n_ctx - len(tokens))),
                    temperature=0.0,
                    grammar=grammar,
                    stream=False,
                )
            finally:
                self.llm.load_state(state)
        return out["choices"][0]["text"]

    constrained_calls = True

    def complete_after(
        self, messages: list[Message], prefix: str, schema: dict, tools: list[Tool] | None = None, max_tokens: int = 512
    ) -> str:
        """A call's body under a grammar from ``schema``, after the prompt and ``prefix`` (the
        reply so far, up to the call's opening marker). Greedy: the arguments are the model's
        likeliest that validate. The KV cache keeps the prompt for the next round."""
        import json

        from llama_cpp.llama_grammar import LlamaGrammar

        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        tokens = self.prompt_tokens(messages, tools) + self.tokenize(prefix, special=True)
        with self.lock:
            out = self.llm.create_completion(
                tokens,
                max_tokens=min(max_tokens, max(1, self.n_ctx - len(tokens))),
                temperature=0.0,
                grammar=grammar,
                stream=False,
            )
        return out["choices"][0]["text"]

    def close(self) -> None:
        self.llm.close()
