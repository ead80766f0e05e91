"""The numpy MiniLM gives sentence-transformers' vectors (so either can fill the index)."""

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
def test_numpy_backend_matches_sentence_transformers():
    fast = Embedder("numpy")
    assert fast.ready(60)
    a = fast.encode(TEXTS)
    reference = Embedder("sentence-transformers", device="cpu")
    assert reference.ready(300)
    b = reference.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(1).min()) > 0.9999


def test_numpy_backend_loads_without_torch():
    import subprocess

    code = (
        "import sys; from mnemo.memory.embedder import Embedder; e = Embedder(); e.ready(60); "
        "v = e.encode(['hello world']); print(v.shape, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "(1, 384) False", out.stderr
