"""The MiniLM on onnxruntime, on numpy and in sentence-transformers gives the same vectors
(so any of them can fill the index)."""

import sys

import numpy as np
import pytest

from mnemo.memory.embedder import Embedder

TEXTS = [
    "My dog is called Rex.",
    "What is my dog's name?",
    "",
    "Ünïcödé, emojis 🐕 and\ttabs",
    "word " * 400,
    "Which joke did I tell you about 2 hours 13 minutes ago?",
]


@pytest.mark.model
def test_onnx_backend_matches_sentence_transformers():
    fast = Embedder("onnx")
    assert fast.ready(60)
    a = fast.encode(TEXTS)
    reference = Embedder("sentence-transformers", device="cpu")
    assert reference.ready(300)
    b = reference.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(1).min()) > 0.9999


def test_the_weights_mapped_from_the_file_are_the_tensors_safetensors_reads(tmp_path):
    from safetensors.numpy import load_file, save_file

    from mnemo.memory.embedder import model_dir
    from mnemo.memory.minilm import read_safetensors

    path = model_dir() / "model.safetensors"
    read, mapped = load_file(str(path)), read_safetensors(path)
    assert read.keys() == mapped.keys()
    assert all(mapped[k].dtype == read[k].dtype and np.array_equal(mapped[k], read[k]) for k in read)
    assert not mapped["embeddings.word_embeddings.weight"].flags.writeable  # the file's, not a copy
    odd = tmp_path / "odd.safetensors"
    save_file({"x": np.zeros(3, dtype=np.uint8)}, str(odd))
    with pytest.raises(ValueError, match="dtype U8"):
        read_safetensors(odd)


def test_onnx_graph_computes_what_numpy_computes():
    from mnemo.memory.embedder import model_dir
    from mnemo.memory.minilm import ONNX_AFTER, MiniLM

    onnx, plain = MiniLM(model_dir(), runtime="onnx"), MiniLM(model_dir(), runtime="numpy")
    onnx.encode(["warm up"] * ONNX_AFTER)  # enough to move to onnxruntime
    assert onnx.moved.wait(60) and onnx.runtime == "onnx" and plain.runtime == "numpy"
    short = [t for t in TEXTS if len(t) < 200]  # one batch, padded to its longest
    a, b = onnx.encode(short), plain.encode(short)
    assert a.shape == b.shape == (len(short), 384) and a.dtype == np.float32
    assert float(np.abs(a - b).max()) < 1e-5
    long = ["word " * 400]  # cut at MAX_TOKENS: every position embedding in use
    assert float(np.abs(onnx.encode(long) - plain.encode(long)).max()) < 1e-5
    # batched with padding (texts of different lengths in one batch) as one at a time
    assert float(np.abs(onnx.encode(TEXTS[:2]) - np.stack([onnx.encode([t])[0] for t in TEXTS[:2]])).max()) < 1e-5


def _in_a_child(prelude: str, texts: int) -> str:
    import subprocess

    code = prelude + (
        "import sys; from mnemo.memory.embedder import Embedder; e = Embedder(); e.ready(60); "
        f"v = e.encode([f'text {{i}}' for i in range({texts})]); e._model.moved.wait(0 if {texts} < 32 else 60); "
        "print(v.shape, e._model.runtime, sys.modules.get('onnxruntime') is not None, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return out.stdout.strip() or out.stderr


def test_default_embedder_moves_to_onnxruntime_once_it_pays_without_torch():
    assert _in_a_child("", 2) == "(2, 384) numpy False False"  # `mnemo ask`: onnxruntime never loaded
    assert _in_a_child("", 40) == "(40, 384) onnx True False"


def test_embedder_stays_on_numpy_where_onnxruntime_cannot_be_imported():
    prelude = "import sys; sys.modules['onnxruntime'] = None; "
    assert _in_a_child(prelude, 40) == "(40, 384) numpy False False"
