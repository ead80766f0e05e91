"""`mnemo models pull` from a local server that speaks the Hub's API (HF_ENDPOINT), serving
the real shipped GGUF: by catalog name and by repo, resumed after a cut, a wrong checksum
refused, a gated repo with and without a token, a split model, and the same bytes already
on disk linked instead of downloaded. Files land in the shared Hugging Face cache layout."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mnemo import config
from mnemo.engine import sources
from tests.hub_server import Hub, Repo

FULL = sources.resolve(config.load_registry().get("smollm2-135m")).read_bytes()  # the real shipped GGUF
SMOL = FULL[: 3 << 20]  # its first 3 MB (the whole header): quick to serve and hash where nothing loads it
SMOL_SHA = hashlib.sha256(SMOL).hexdigest()
CATALOG_REPO = "HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF"  # catalog entry smollm2-1.7b


@pytest.fixture
def hub(monkeypatch, tmp_path, home):
    with Hub() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HOME", str(tmp_path / "user"))  # no real Ollama or cache is looked at
        for name in (
            "HF_TOKEN",
            "HF_HUB_CACHE",
            "OLLAMA_MODELS",
            "LLAMA_CACHE",
            "HUGGING_FACE_HUB_TOKEN",
            "HF_HUB_OFFLINE",
        ):
            monkeypatch.delenv(name, raising=False)
        server.repos[CATALOG_REPO] = Repo(
            {"smollm2-1.7b-instruct-q4_k_m.gguf": SMOL, "smollm2-1.7b-instruct-q8_0.gguf": SMOL[:1000] + b"other"}
        )
        yield server


def cache(tmp_path, repo: str) -> Path:
    return tmp_path / "hf" / "hub" / ("models--" + repo.replace("/", "--"))


def registered(mnemo) -> dict[str, dict]:
    return {m["name"]: m for m in mnemo("models", "list", "--json").json()["models"]}


def test_pull_by_catalog_name_lands_in_the_shared_cache_and_is_registered(hub, mnemo, tmp_path):
    result = mnemo("models", "pull", "smollm2-1.7b")
    assert result.returncode == 0, result.stderr
    assert "sha256 verified" in result.stderr and "mnemo chat --model smollm2-1.7b" in result.stderr
    root = cache(tmp_path, CATALOG_REPO)
    commit = hub.repos[CATALOG_REPO].commit
    snapshot = root / "snapshots" / commit / "smollm2-1.7b-instruct-q4_k_m.gguf"
    assert snapshot.is_symlink() and snapshot.resolve() == (root / "blobs" / SMOL_SHA).resolve()
    assert snapshot.read_bytes() == SMOL and (root / "refs" / "main").read_text() == commit
    assert registered(mnemo)["smollm2-1.7b"]["source"] == str(snapshot)
    assert hub.downloads() == [(f"/{CATALOG_REPO}/resolve/{commit}/smollm2-1.7b-instruct-q4_k_m.gguf", None)]
    again = mnemo("models", "pull", "smollm2-1.7b")  # there already: verified, not fetched again
    assert again.returncode == 0 and len(hub.downloads()) == 1


def test_pull_by_repo_and_quantization(hub, mnemo, tmp_path):
    result = mnemo("models", "pull", f"hf:{CATALOG_REPO}:Q8_0")
    assert result.returncode == 0, result.stderr
    entry = registered(mnemo)["smollm2-1.7b-instruct-q8_0"]
    assert Path(entry["source"]).read_bytes() == SMOL[:1000] + b"other"
    missing = mnemo("models", "pull", f"hf:{CATALOG_REPO}:Q2_K")
    assert missing.returncode == 2 and "has no Q2_K file; it has Q4_K_M, Q8_0" in missing.stderr
    unknown = mnemo("models", "pull", "hf:nobody/nothing-GGUF")
    assert unknown.returncode == 2 and "no model repo 'nobody/nothing-GGUF'" in unknown.stderr


def test_an_interrupted_pull_resumes_where_it_stopped(hub, mnemo, tmp_path):
    hub.cut_after = 1 << 20
    first = mnemo("models", "pull", "smollm2-1.7b")
    assert first.returncode == 1 and "run the same command to resume" in first.stderr
    assert "Traceback" not in first.stderr and "smollm2-1.7b" not in registered(mnemo)
    part = cache(tmp_path, CATALOG_REPO) / "blobs" / f"{SMOL_SHA}.part"
    assert part.stat().st_size == 1 << 20
    second = mnemo("models", "pull", "smollm2-1.7b")
    assert second.returncode == 0, second.stderr
    assert [rng for _, rng in hub.downloads()] == [None, f"bytes={1 << 20}-"]
    assert Path(registered(mnemo)["smollm2-1.7b"]["source"]).read_bytes() == SMOL


def test_a_wrong_checksum_is_refused_and_nothing_is_registered(hub, mnemo, tmp_path):
    hub.repos[CATALOG_REPO].listed_sha["smollm2-1.7b-instruct-q4_k_m.gguf"] = "0" * 64
    result = mnemo("models", "pull", "smollm2-1.7b")
    assert result.returncode == 2 and "checksum mismatch" in result.stderr
    assert "smollm2-1.7b" not in registered(mnemo)
    assert not list((cache(tmp_path, CATALOG_REPO) / "blobs").glob("*"))


def test_a_gated_repo_needs_a_token(hub, mnemo, monkeypatch):
    hub.repos["meta/gated-GGUF"] = Repo({"model-Q4_K_M.gguf": SMOL}, gated=True)
    refused = mnemo("models", "pull", "hf:meta/gated-GGUF")
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "is gated: accept its licence" in refused.stderr and "HF_TOKEN" in refused.stderr
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    allowed = mnemo("models", "pull", "hf:meta/gated-GGUF")
    assert allowed.returncode == 0, allowed.stderr
    auth = [h.get("Authorization") for m, p, h in hub.requests if "/resolve/" in p]
    assert auth == ["Bearer hf_test_token"]


def test_a_split_model_comes_whole(hub, mnemo, tmp_path):
    half = len(SMOL) // 2
    hub.repos["org/big-GGUF"] = Repo(
        {
            "Big-Q4_K_M-00001-of-00002.gguf": SMOL[:half],
            "Big-Q4_K_M-00002-of-00002.gguf": SMOL[half:],
            "Big-Q8_0.gguf": b"GGUF other",
        }
    )
    result = mnemo("models", "pull", "hf:org/big-GGUF")
    assert result.returncode == 0, result.stderr
    snapshot = cache(tmp_path, "org/big-GGUF") / "snapshots" / hub.repos["org/big-GGUF"].commit
    assert sorted(p.name for p in snapshot.iterdir()) == [
        "Big-Q4_K_M-00001-of-00002.gguf",
        "Big-Q4_K_M-00002-of-00002.gguf",
    ]
    assert registered(mnemo)["big-q4_k_m"]["source"] == str(snapshot / "Big-Q4_K_M-00001-of-00002.gguf")


def test_bytes_already_in_ollama_are_linked_not_downloaded(hub, mnemo, tmp_path):
    blob = tmp_path / "user" / ".ollama" / "models" / "blobs" / f"sha256-{SMOL_SHA}"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(SMOL)
    result = mnemo("models", "pull", "smollm2-1.7b")
    assert result.returncode == 0, result.stderr
    assert hub.downloads() == []
    placed = cache(tmp_path, CATALOG_REPO) / "blobs" / SMOL_SHA
    assert os.path.samefile(placed, blob)  # a link to the same bytes, no copy


@pytest.mark.model
def test_a_pulled_catalog_model_answers(hub, mnemo_process):
    hub.repos[CATALOG_REPO].files["smollm2-1.7b-instruct-q4_k_m.gguf"] = FULL
    assert mnemo_process("models", "pull", "smollm2-1.7b").returncode == 0
    answer = mnemo_process("ask", "--model", "smollm2-1.7b", "--json", "Say hi.", "--max-tokens", "4")
    assert answer.returncode == 0, answer.stderr
    assert answer.json()["model"] == "smollm2-1.7b"


def test_catalog_lists_models_with_size_and_fit(mnemo):
    rows = {r["name"]: r for r in mnemo("models", "catalog", "--json").json()}
    assert {"qwen3-4b", "llama3.2-3b", "gemma3-4b", "phi4-mini", "smollm2-1.7b"} <= set(rows)
    qwen = rows["qwen3-4b"]
    assert qwen["repo"] == "unsloth/Qwen3-4B-Instruct-2507-GGUF" and qwen["quant"] == "Q4_K_M"
    assert 2e9 < qwen["size_bytes"] < 3e9 and qwen["fit"].startswith(("CPU only", "on the GPU", "too big"))
    assert rows["smollm2-1.7b"]["pulled"] is False


def test_offline_mode_says_so(hub, mnemo_process, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = mnemo_process("models", "pull", "smollm2-1.7b")
    assert result.returncode == 2 and "HF_HUB_OFFLINE is set" in result.stderr and hub.requests == []
