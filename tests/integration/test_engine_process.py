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
    bare = subprocess.run([sys.executable, "-c", "import sys, json, llama_cpp; print(json.dumps(list(sys.modules)))"],
                          capture_output=True, text=True, check=True)
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


@pytest.mark.parametrize("how, said", [("abort", "crashed (SIGABRT)"), ("kill", "was killed (SIGKILL; out of memory?)")])
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


def test_ask_reports_a_crash_in_one_line_and_keeps_the_message(mnemo, home, monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "load:segv")
    result = mnemo("ask", "What is the capital of France?", "--max-tokens", "8")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnemo: llama.cpp crashed (SIGSEGV) while loading 'smollm2-135m'")
    monkeypatch.delenv(CRASH_ENV)
    shown = mnemo("conversations", "show", "1", "--json")
    messages = [(m["role"], m["content"], m["finish_reason"]) for m in shown.json()["messages"]]
    assert messages == [("user", "What is the capital of France?", None), ("assistant", "", "error")]
    assert mnemo("ask", "And of Italy?", "--max-tokens", "8").returncode == 0


def test_ask_mid_reply_crash_keeps_the_partial_reply_marked_failed(mnemo, home, monkeypatch):
    monkeypatch.setenv(CRASH_ENV, "token:4:abort")
    result = mnemo("ask", "--json", "Write a long story about a storm.", "--max-tokens", "60")
    assert result.returncode == 1 and "crashed (SIGABRT) while generating" in result.stderr
    assert "Traceback" not in result.stderr
    shown = mnemo("conversations", "show", "1", "--json").json()["messages"]
    assert shown[-1]["finish_reason"] == "error" and shown[-1]["content"]


def test_doctor_reports_a_crash_without_crashing(mnemo, home, monkeypatch):
    ok = mnemo("doctor", "--json").json()
    probe = ok["llama_cpp"]["probe"]
    assert probe["ok"] and probe["model"] == "smollm2-135m" and probe["load_s"] > 0
    assert probe["gpu_layers"] == 0 or ok["llama_cpp"]["gpu_offload"]
    monkeypatch.setenv(CRASH_ENV, "load:abort")
    result = mnemo("doctor", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert not report["llama_cpp"]["ok"] and "crashed (SIGABRT) while loading" in report["llama_cpp"]["problem"]
    text = mnemo("doctor")
    assert text.returncode == 1 and "crashed (SIGABRT)" in text.stdout and "Traceback" not in text.stderr


def test_crash_once_switch_crashes_only_the_first_child(home, monkeypatch, tmp_path):
    monkeypatch.setenv(CRASH_ENV, "load:segv")
    monkeypatch.setenv(CRASH_ONCE_ENV, str(tmp_path / "crashed"))
    first = default_engine()
    with pytest.raises(BackendError):
        first.wait_ready()
    assert not first.alive
    second = default_engine()
    try:
        second.wait_ready()
        assert second.alive and second.count_tokens("one two") > 0
    finally:
        second.close()
