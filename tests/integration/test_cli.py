"""The real ``mnemo`` command in a subprocess: with mnemo's scripted model where the answer's
content is not the point (flags, contracts, exit codes), on the real default model where
the model file is."""

import json
import stat

import pytest

from tests.conftest import files_in, terminal_lines, write_user_models

CONTRACT_KEYS = {"conversation_id", "message_id", "reply", "model", "memories", "usage", "timings"}


@pytest.mark.model
def test_ask_streams_an_answer(mnemo_process, home):
    result = mnemo_process("ask", "What is the capital of France?", "--max-tokens", "32")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert terminal_lines(result.stderr) == []  # llama.cpp's logging never reaches the terminal
    assert stat.S_IMODE((home / "mnemo.db").stat().st_mode) == 0o600


def test_ask_json_matches_the_contract(scripted_home, mnemo):
    result = mnemo("ask", "--json", "Name a colour.", "--max-tokens", "16")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert CONTRACT_KEYS <= set(data)
    assert isinstance(data["conversation_id"], int) and isinstance(data["message_id"], int)
    assert data["reply"].strip() and data["model"] == "echo"
    assert data["memories"] == []
    assert set(data["usage"]) == {"prompt_tokens", "completion_tokens", "cached_tokens"}
    assert set(data["timings"]) == {"recall_ms", "first_token_ms", "total_ms"}
    assert all(isinstance(v, int) for v in data["usage"].values())
    shown = mnemo("conversations", "show", str(data["conversation_id"]), "--json").json()
    assert shown["messages"][-1]["id"] == data["message_id"]
    assert shown["messages"][-1]["content"] == data["reply"]


def test_conversation_flags(scripted_home, mnemo):
    first = mnemo("ask", "--json", "Hello, I am Ada.", "--max-tokens", "8").json()
    cont = mnemo("ask", "--json", "Who am I?", "--max-tokens", "8").json()
    assert cont["conversation_id"] == first["conversation_id"]  # the latest one by default
    new = mnemo("ask", "--json", "--new", "Fresh start.", "--max-tokens", "8").json()
    assert new["conversation_id"] != first["conversation_id"]
    back = mnemo("ask", "--json", "--conversation", str(first["conversation_id"]), "Again?", "--max-tokens", "8").json()
    assert back["conversation_id"] == first["conversation_id"]
    assert back["usage"]["prompt_tokens"] > first["usage"]["prompt_tokens"]
    messages = mnemo("conversations", "show", str(first["conversation_id"]), "--json").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3


def test_ask_reads_stdin(scripted_home, mnemo, mnemo_process):
    result = mnemo_process("ask", "--json", "-", "--max-tokens", "8", input="What is two plus two?\n")
    assert result.returncode == 0, result.stderr
    conv = result.json()["conversation_id"]
    shown = mnemo("conversations", "show", str(conv), "--json").json()
    assert shown["messages"][0]["content"] == "What is two plus two?\n"


def assert_bad_input(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert result.stdout == ""


def test_bad_n_threads_is_one_line_naming_the_file_and_line(mnemo, home):
    (home / "config.toml").write_text('theme = "nord"\nn_threads = "all"\n')
    for command in (("ask", "hi"), ("models", "list")):
        assert_bad_input(mnemo(*command), str(home / "config.toml"), "line 2", "'n_threads'", "integer")
    doctor = mnemo("doctor")  # doctor reports every problem (exit 1) rather than stopping at the first
    assert doctor.returncode == 1 and f"!! {home / 'config.toml'}, line 2: key 'n_threads'" in doctor.stdout
    assert files_in(home) == {"config.toml"}
    (home / "config.toml").unlink()
    write_user_models(home, '[[models]]\nname = "x"\nsource = "x.gguf"\nn_threads = 1.5\n')
    assert_bad_input(mnemo("models", "list"), str(home / "models.toml"), "line 4", "'n_threads'")


def test_unknown_model_lists_known_ones_and_writes_nothing(mnemo, home):
    assert_bad_input(mnemo("ask", "--model", "nope", "hi"), "unknown model 'nope'", "smollm2-135m", "gemma3-270m")
    assert files_in(home) == set()


def test_invalid_models_toml_names_file_line_key(mnemo, home):
    write_user_models(home, '[[models]]\nname = "x"\nsource = "x.gguf"\nn_ctx = "lots"\n')
    assert_bad_input(mnemo("ask", "hi"), str(home / "models.toml"), "line 4", "'n_ctx'")
    assert files_in(home) == {"models.toml"}


def test_missing_gguf_says_which_file(mnemo, home):
    write_user_models(home, 'default = "gone"\n[[models]]\nname = "gone"\nsource = "/nowhere/gone.gguf"\n')
    assert_bad_input(mnemo("ask", "hi"), "/nowhere/gone.gguf", "does not exist")
    assert files_in(home) == {"models.toml"}


@pytest.mark.model
@pytest.mark.parametrize("kind", ["not-gguf", "truncated-header", "truncated-tensors"])
def test_corrupt_gguf_says_which_file_and_what_to_do(mnemo_process, home, kind):
    from mnemo import config
    from mnemo.engine import sources

    good = sources.resolve(config.load_registry().get()).read_bytes()
    bad = home / "bad.gguf"
    bad.write_bytes(
        {"not-gguf": b"<html>404</html>", "truncated-header": good[:2000], "truncated-tensors": good[: len(good) // 2]}[
            kind
        ]
    )
    write_user_models(home, f'default = "bad"\n[[models]]\nname = "bad"\nsource = "{bad}"\n')
    assert_bad_input(mnemo_process("ask", "hi"), str(bad), "re-download")
    assert files_in(home) == {"models.toml", "bad.gguf"}


def test_empty_message_and_conflicting_flags(scripted_home, mnemo, home):
    assert_bad_input(mnemo("ask", "   "), "empty")
    assert_bad_input(mnemo("ask", "-", input=""), "empty")
    assert_bad_input(mnemo("ask", "--new", "--conversation", "1", "hi"), "--new")
    assert files_in(home) == {"models.toml"}


def test_unknown_conversation(scripted_home, mnemo):
    mnemo("ask", "hi", "--max-tokens", "4")
    assert_bad_input(mnemo("ask", "--conversation", "999", "hi"), "no conversation 999")


def test_conversations_commands(scripted_home, mnemo, home):
    mnemo("ask", "--new", "Tell me about giraffes.", "--max-tokens", "16")
    mnemo("ask", "--new", "What is a quasar?", "--max-tokens", "16")
    listed = mnemo("conversations", "list", "--json").json()
    assert [c["title"] for c in listed] == ["What is a quasar?", "Tell me about giraffes."]
    assert all(c["message_count"] == 2 for c in listed)
    assert "giraffes" in mnemo("conversations", "list").stdout

    hits = mnemo("conversations", "search", "giraffe", "--json").json()
    assert hits and hits[0]["conversation_id"] == listed[1]["id"] and "[giraffes]" in hits[0]["snippet"]

    md = mnemo("conversations", "export", str(listed[1]["id"]))
    assert md.stdout.startswith("# Tell me about giraffes.") and "**You**" in md.stdout
    out = home / "export.json"
    exported = mnemo("conversations", "export", str(listed[1]["id"]), "--format", "json", "-o", str(out))
    assert exported.returncode == 0 and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["messages"][0]["content"] == "Tell me about giraffes."
    assert_bad_input(mnemo("conversations", "export", "1", "--format", "pdf"), "unknown format")

    assert_bad_input(mnemo("conversations", "delete", str(listed[1]["id"])), "--yes")
    deleted = mnemo("conversations", "delete", str(listed[1]["id"]), "--yes")
    assert deleted.returncode == 0
    assert [c["id"] for c in mnemo("conversations", "list", "--json").json()] == [listed[0]["id"]]
    assert mnemo("conversations", "search", "giraffe", "--json").json() == []


def test_models_commands(mnemo, home):
    listed = mnemo("models", "list", "--json").json()
    assert listed["default"] == "smollm2-135m"
    assert {m["name"] for m in listed["models"]} >= {"smollm2-135m", "gemma3-270m"}
    shown = mnemo("models", "show", "--json").json()
    assert shown["gguf"]["architecture"] == "llama" and shown["size_bytes"] > 50_000_000

    from mnemo import config
    from mnemo.engine import sources

    path = sources.resolve(config.load_registry().get())
    added = mnemo("models", "add", str(path), "--name", "my-smol", "--n-ctx", "2048")
    assert added.returncode == 0, added.stderr
    assert mnemo("models", "use", "my-smol").returncode == 0
    assert mnemo("models", "list", "--json").json()["default"] == "my-smol"
    assert_bad_input(mnemo("models", "add", str(path), "--name", "my-smol"), "already has")
    assert_bad_input(mnemo("models", "use", "nope"), "unknown model")
    reply = mnemo("ask", "--json", "hi", "--max-tokens", "4").json()
    assert reply["model"] == "my-smol"
    text = (home / "models.toml").read_text()
    assert 'default = "my-smol"' in text and "n_ctx = 2048" in text
    not_gguf = home / "notes.txt"
    not_gguf.write_text("hello")
    assert_bad_input(mnemo("models", "add", str(not_gguf)), "not a GGUF")


@pytest.mark.model
def test_doctor(mnemo_process, home):
    result = mnemo_process("doctor", "--json")
    assert result.returncode == 0, result.stderr
    report = result.json()
    assert report["ok"] and report["llama_cpp"]["llama_cpp_python"]
    assert report["llama_cpp"]["backend"] == (
        "cpu" if not report["llama_cpp"]["gpu_offload"] else report["llama_cpp"]["backend"]
    )
    default = next(m for m in report["models"] if m["default"])
    assert default["found"] and default["file"].endswith(".gguf")
    assert report["embedder"]["ok"]
    assert report["database"]["exists"] is False and not (home / "mnemo.db").exists()  # doctor only looks
    assert "all good" in mnemo_process("doctor").stdout
    threads = report["threads"]
    assert threads["n_threads"] == threads["physical_cores"] >= 1 and "physical cores" in threads["from"]
    assert report["llama_cpp"]["probe"]["n_threads"] == threads["physical_cores"]  # what the model's process used
    (home / "config.toml").write_text("n_threads = 1\n")
    one = mnemo_process("doctor", "--json").json()
    assert one["threads"]["n_threads"] == 1 and one["threads"]["from"] == "config.toml"
    assert one["llama_cpp"]["probe"]["n_threads"] == 1
    assert "threads: 1 CPU threads, from config.toml" in mnemo_process("doctor").stdout
    (home / "config.toml").unlink()
    (home / "mnemo.db").write_bytes(b"garbage" * 1000)
    broken = mnemo_process("doctor", "--json")
    assert broken.returncode == 1 and broken.json()["database"]["ok"] is False


@pytest.mark.model
def test_corrupt_database_is_one_clear_error(mnemo_process, home):
    (home / "mnemo.db").write_bytes(b"garbage" * 1000)
    result = mnemo_process("ask", "hi", "--max-tokens", "4")
    assert result.returncode == 1 and "mnemo.db" in result.stderr and "Traceback" not in result.stderr
    assert (home / "mnemo.db").read_bytes() == b"garbage" * 1000


def test_the_home_is_resolved_once_at_the_root_and_handed_down(scripted_home, mnemo, monkeypatch):
    import sys

    from mnemo import paths

    calls: list[tuple[object, str, str]] = []
    resolve = paths.Home.resolve.__func__  # type: ignore[attr-defined]

    def counted(cls, home=None):
        caller = sys._getframe(1)
        calls.append((home, caller.f_globals["__name__"], caller.f_code.co_name))
        return resolve(cls, home)

    monkeypatch.setattr(paths.Home, "resolve", classmethod(counted))
    for args in (
        ("ask", "--json", "Hello there.", "--max-tokens", "4"),
        ("ask", "--json", "--no-memory", "Again.", "--max-tokens", "4"),
        ("conversations", "list", "--json"),
        ("memory", "add", "My cat is called Tom"),
        ("memory", "list", "--json"),
        ("models", "list", "--json"),
        ("models", "show", "--json"),
    ):
        calls.clear()
        result = mnemo(*args)
        assert result.returncode == 0, (args, result.stderr)
        # once, by the root command, from MNEMO_HOME: every floor below is handed that home
        assert calls == [(None, "mnemo.cli", "_root")], args
