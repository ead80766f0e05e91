"""The remote backend (kind = "openai") against a real OpenAI-compatible server: llama-cpp-
python's own server on 127.0.0.1, serving the SmolLM2 model that ships with mnemo."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import write_user_models

pytestmark = pytest.mark.model


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smollm_path() -> str:
    from mnemo import config
    from mnemo.engine import sources

    return str(sources.resolve(config.load_registry().models["smollm2-135m"]))


def start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(tmp / f"server-{port}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            smollm_path(),
            "--model_alias",
            "smol-remote",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp / f"server-{port}.log").read_text()[-2000:]
        try:
            with urllib.request.urlopen(base + "/models", timeout=2) as r:
                if json.load(r)["data"]:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("the llama-cpp-python server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, base = start_server(tmp_path_factory.mktemp("server"))
    yield base
    proc.terminate()
    proc.wait(30)


def remote_models(home: Path, base: str, name: str = "remote", default: bool = True) -> None:
    write_user_models(
        home,
        (f'default = "{name}"\n' if default else "")
        + f'[[models]]\nname = "{name}"\nkind = "openai"\nbase_url = "{base}"\n'
        f'model = "smol-remote"\nn_ctx = 2048\ntemperature = 0.2\n',
    )


def test_ask_streams_through_the_server_and_memory_stays_local(home, mnemo_process, server):
    remote_models(home, server)
    first = mnemo_process("ask", "--new", "--json", "My name is Ada Quill and I live in Porto.", "--max-tokens", "16")
    assert first.returncode == 0, first.stderr
    out = first.json()
    assert out["model"] == "remote" and out["reply"].strip()
    assert out["usage"]["prompt_tokens"] > 10 and out["usage"]["completion_tokens"] > 0  # the server's counts
    second = mnemo_process("ask", "--new", "--json", "Where do I live?", "--max-tokens", "16")
    assert second.returncode == 0, second.stderr
    assert any("Porto" in m["text"] for m in second.json()["memories"])  # recalled here, sent there


def test_the_assistant_streams_deltas_from_the_server(home, server):
    from mnemo.assistant import Assistant, Reply

    remote_models(home, server)
    with Assistant.open() as a:
        stream = a.stream("Write two sentences about the sea.", max_tokens=40)
        deltas = list(stream)
        reply = stream.reply
        assert isinstance(reply, Reply) and len(deltas) > 3 and all(isinstance(d, str) for d in deltas)
        assert reply.text == "".join(deltas) and reply.finish_reason in ("stop", "length")
        assert a.load_model().backend == "remote"
        sent = a.last_prompt.messages
        assert sent[0]["role"] == "system" and sent[-1]["content"].endswith("Write two sentences about the sea.")


def test_discover_lists_and_adds_the_servers_models(home, mnemo_process, server):
    listed = mnemo_process("models", "discover", server, "--json")
    assert listed.returncode == 0, listed.stderr
    assert listed.json()["models"] == ["smol-remote"]
    added = mnemo_process("models", "discover", server, "--add", "--n-ctx", "2048")
    assert added.returncode == 0 and "smol-remote" in added.stderr
    names = [m["name"] for m in mnemo_process("models", "list", "--json").json()["models"]]
    assert "smol-remote" in names
    r = mnemo_process("ask", "--new", "--model", "smol-remote", "Say hi.", "--max-tokens", "8")
    assert r.returncode == 0, r.stderr


def test_an_unreachable_server_is_one_clear_line(home, mnemo_process):
    port = free_port()  # nothing listens there
    remote_models(home, f"http://127.0.0.1:{port}/v1")
    r = mnemo_process("ask", "--new", "Hello?", "--max-tokens", "8")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert f"cannot reach http://127.0.0.1:{port}/v1/chat/completions: connection refused" in lines[0]
    gone = mnemo_process("models", "discover", f"http://127.0.0.1:{port}/v1")
    assert gone.returncode == 1 and "connection refused" in gone.stderr


def test_a_server_that_dies_mid_reply_leaves_the_partial_reply_marked(home, tmp_path):
    from mnemo.assistant import Assistant
    from mnemo.errors import BackendError

    proc, base = start_server(tmp_path)
    try:
        remote_models(home, base)
        with Assistant.open() as a:
            stream = a.stream("Count from 1 to 500, separated by commas.", max_tokens=1500)
            got = []
            with pytest.raises(BackendError, match="stopped mid-reply"):
                for item in stream:
                    got.append(item)
                    if len(got) == 5:
                        os.kill(proc.pid, signal.SIGKILL)
            saved = a.history()[-1]
            assert saved.role == "assistant" and saved.finish_reason == "error"
            assert saved.content and saved.content == "".join(got)
    finally:
        proc.kill()
        proc.wait(30)
