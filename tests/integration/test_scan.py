"""`mnemo models scan`: fake homes laid out as the Hugging Face cache, Ollama, LM Studio and
llama.cpp's cache lay out their models, holding the real shipped GGUF file (linked, as the
Hugging Face cache itself links), found, described from its header and added in place."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from mnemo import config
from mnemo.engine import scan, sources

SMOL = sources.resolve(config.load_registry().get("smollm2-135m"))


def link(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(SMOL)
    return target


@pytest.fixture
def machine(tmp_path) -> tuple[dict[str, str], Path]:
    """A user's home with models from four other tools."""
    user = tmp_path / "user"
    hf = user / ".cache" / "huggingface" / "hub" / "models--HuggingFaceTB--SmolLM2-135M-Instruct-GGUF"
    link(hf / "snapshots" / "abc123" / "smollm2-135m-instruct-q4_1.gguf")
    link(hf / "snapshots" / "abc123" / "mmproj-smollm2-f16.gguf")  # a vision projector: left out
    ollama = user / ".ollama" / "models"
    digest = "sha256:" + hashlib.sha256(b"stand-in digest").hexdigest()
    link(ollama / "blobs" / digest.replace(":", "-"))
    manifest = ollama / "manifests" / "registry.ollama.ai" / "library" / "smollm2" / "135m"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        json.dumps(
            {
                "layers": [
                    {"mediaType": "application/vnd.ollama.image.template", "digest": "sha256:" + "0" * 64},
                    {"mediaType": "application/vnd.ollama.image.model", "digest": digest},
                ]
            }
        )
    )
    link(user / ".lmstudio" / "models" / "bartowski" / "SmolLM2-GGUF" / "SmolLM2-135M-Q4_1.gguf")
    link(user / ".cache" / "llama.cpp" / "split-model-00001-of-00002.gguf")
    link(user / ".cache" / "llama.cpp" / "split-model-00002-of-00002.gguf")
    (user / ".cache" / "llama.cpp" / "notes.gguf").write_text("not a model")
    return {}, user


def test_scan_finds_each_tool_s_models_and_reads_their_headers(machine):
    env, user = machine
    found = {f.origin: f for f in scan.scan(env=env, user_home=user)}
    assert set(found) == {"huggingface", "ollama", "lmstudio", "llama.cpp"}
    assert found["huggingface"].name == "smollm2-135m-instruct-q4_1"
    assert found["ollama"].name == "smollm2-135m" and found["ollama"].path.name.startswith("sha256-")
    assert found["llama.cpp"].name == "split-model"
    assert found["llama.cpp"].size_bytes == 2 * SMOL.stat().st_size  # both parts
    for f in found.values():
        assert (f.architecture, f.parameters, f.quantization, f.context, f.chat_template) == (
            "llama",
            "135M",
            "Q4_1",
            8192,
            True,
        )


def test_environment_variables_name_the_places(tmp_path):
    hub, ollama = tmp_path / "hub", tmp_path / "ollama"
    hub.mkdir(), ollama.mkdir()
    where = dict(scan.places({"HF_HUB_CACHE": str(hub), "OLLAMA_MODELS": str(ollama)}, tmp_path / "nobody"))
    assert where == {"huggingface": hub, "ollama": ollama}
    home_hf = tmp_path / "hfhome" / "hub"
    home_hf.mkdir(parents=True)
    assert dict(scan.places({"HF_HOME": str(tmp_path / "hfhome")}, tmp_path / "nobody")) == {"huggingface": home_hf}


def test_models_scan_add_registers_them_in_place_once(mnemo, home, machine, monkeypatch):
    _, user = machine
    run = lambda *a: mnemo("models", "scan", *a)  # noqa: E731
    monkeypatch.setenv("HOME", str(user))  # the subprocess inherits it
    for name in ("HF_HOME", "HF_HUB_CACHE", "OLLAMA_MODELS", "LLAMA_CACHE"):
        monkeypatch.delenv(name, raising=False)
    listed = run("--json").json()
    assert {f["origin"] for f in listed["found"]} == {"huggingface", "ollama", "lmstudio", "llama.cpp"}
    assert listed["added"] == []
    added = run("--add", "--json").json()["added"]
    assert len(added) == 4 and "smollm2-135m-2" in added  # the shipped smollm2-135m keeps its name
    models = {m["name"]: m for m in mnemo("models", "list", "--json").json()["models"]}
    ollama = models["smollm2-135m-2"]
    assert ollama["source"].startswith(str(user / ".ollama" / "models" / "blobs"))  # used in place
    assert "llama 135M Q4_1 (from ollama)" == ollama["description"]
    assert run("--add", "--json").json()["added"] == []  # nothing twice
    folder = run(str(user / ".lmstudio"), "--json").json()["found"]
    assert [f["origin"] for f in folder] == ["folder"]
    assert mnemo("models", "scan", str(user / "nowhere")).returncode == 2


@pytest.mark.model
def test_an_ollama_blob_added_in_place_answers(mnemo_process, home, machine, monkeypatch):
    _, user = machine
    monkeypatch.setenv("HOME", str(user))
    monkeypatch.delenv("OLLAMA_MODELS", raising=False)
    added = mnemo_process("models", "scan", str(user / ".ollama" / "models"), "--add", "--json").json()["added"]
    assert added == ["smollm2-135m-2"]  # a folder laid out as Ollama's store is read as one
    answer = mnemo_process("ask", "--model", "smollm2-135m-2", "--json", "Say hi.", "--max-tokens", "4")
    assert answer.returncode == 0, answer.stderr
    assert answer.json()["model"] == "smollm2-135m-2"
