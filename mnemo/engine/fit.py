"""What fits: the memory a GGUF model needs at a context length, from its header, against
this machine's RAM and free GPU memory. Stdlib only (mnemo's process never loads llama.cpp).

The estimate follows what llama.cpp allocates when it loads a model:
- weights: the file (memory-mapped);
- KV cache: layers x n_ctx x KV heads x (key + value length) x 2 bytes (f16), every layer
  at the full context (llama.cpp keeps a full-size cache for sliding-window layers too);
- compute buffer: the larger of the logits (n_ubatch x vocabulary x 4 bytes) and the
  attention scores (n_ubatch x n_ctx x heads x 4 bytes), plus a little.
Checked against llama.cpp's own reports in tests/integration/test_fit.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo.kinds import EngineKind

MIB = 1 << 20
GIB = 1 << 30
N_UBATCH = 512  # llama.cpp's default micro-batch
HEADROOM = 0.9  # share of free GPU memory a model may plan to use (drivers, fragmentation)


@dataclass(frozen=True)
class Shape:
    """What the estimate needs from a GGUF header."""

    architecture: str
    layers: int
    n_embd: int
    n_head: int
    n_head_kv: int
    key_length: int
    value_length: int
    vocab: int
    file_bytes: int

    @classmethod
    def of(cls, meta: dict[str, Any], file_bytes: int) -> Shape:
        arch = str(meta.get("general.architecture") or "llama")

        def get(key: str, default: int = 0) -> int:
            value = meta.get(f"{arch}.{key}", default)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            return default  # an array (per-layer values) or missing: the default

        n_embd = get("embedding_length", 1)
        n_head = max(get("attention.head_count", 1), 1)
        head = n_embd // n_head
        vocab = get("vocab_size") or meta.get("tokenizer.ggml.tokens") or 32000
        return cls(
            arch,
            get("block_count", 1),
            n_embd,
            n_head,
            get("attention.head_count_kv", n_head) or n_head,
            get("attention.key_length", head),
            get("attention.value_length", head),
            int(vocab) if isinstance(vocab, int) else 32000,
            file_bytes,
        )


def size_text(n: int) -> str:
    """Bytes as people read them: "890 MB", "3.9 GB"."""
    return f"{n / GIB:.1f} GB" if n >= GIB else f"{n / MIB:.0f} MB"


@dataclass(frozen=True)
class Need:
    weights: int
    kv_cache: int
    compute: int

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute


def need(shape: Shape, n_ctx: int) -> Need:
    kv = shape.layers * n_ctx * shape.n_head_kv * (shape.key_length + shape.value_length) * 2
    scores = max(N_UBATCH * shape.vocab * 4, N_UBATCH * n_ctx * shape.n_head * 4)
    return Need(shape.file_bytes, kv, int(scores * 1.04) + 4 * MIB)


@dataclass(frozen=True)
class Machine:
    ram_total: int
    ram_available: int
    gpus: tuple[tuple[str, int], ...] = ()  # (name, free bytes)

    @property
    def gpu_free(self) -> int:
        return max((free for _, free in self.gpus), default=0)


def machine() -> Machine:
    """This machine's RAM (/proc/meminfo, or sysconf) and free NVIDIA GPU memory (nvidia-smi)."""
    total = available = 0
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f if line.strip()}
        total, available = info.get("MemTotal", 0), info.get("MemAvailable", 0)
    except (OSError, ValueError, IndexError):
        try:
            total = available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            pass
    return Machine(total, available, tuple(_nvidia_free() or _metal(total)))


def physical_cores(cpuinfo: str | None = None) -> int:
    """The CPU cores this process may run on, counting each physical core once (llama.cpp
    is no faster on a core's second hyper-thread): Linux's /proc/cpuinfo (unique physical
    id and core id pairs), capped by the CPUs this process is allowed; elsewhere, or when
    the file does not tell, os.cpu_count(). ``cpuinfo``: that file's text (tests)."""
    logical = os.cpu_count() or 1
    allowed = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo") as f:
                cpuinfo = f.read()
        except OSError:
            cpuinfo = ""
    cores: set[tuple[str, str]] = set()
    for block in cpuinfo.split("\n\n"):
        fields = dict(
            (key.strip(), value.strip()) for key, _, value in (line.partition(":") for line in block.splitlines())
        )
        if "core id" in fields:
            cores.add((fields.get("physical id", "0"), fields["core id"]))
    return max(1, min(len(cores), allowed) if cores else min(logical, allowed))


def _metal(ram_total: int) -> list[tuple[str, int]]:
    """Apple silicon shares RAM with its GPU; Metal lets a process keep about three quarters of
    it resident (its recommended working-set size)."""
    import platform
    import sys

    if sys.platform == "darwin" and platform.machine() == "arm64" and ram_total:
        return [("Apple silicon (Metal)", int(ram_total * 0.75))]
    return []


def _nvidia_free() -> list[tuple[str, int]]:
    from mnemo.engine.gpu import nvidia

    try:
        return [(name, int(float(free)) * MIB) for name, free in nvidia("name", "memory.free", units=False)]
    except ValueError:
        return []


@dataclass(frozen=True)
class Fit:
    verdict: str  # "gpu", "partial", "cpu" or "too big"
    gpu_layers: int  # layers to offload
    layers: int
    need: Need

    def describe(self) -> str:
        size = size_text(self.need.total)
        return {
            "gpu": f"on the GPU ({size})",
            "partial": f"{self.gpu_layers} of {self.layers} layers on the GPU ({size})",
            "cpu": f"CPU only ({size})",
            "too big": f"too big for this machine (needs {size})",
        }[self.verdict]


def fit(shape: Shape, n_ctx: int, where: Machine, offload: bool = True) -> Fit:
    """Where a model runs best here: all layers on the GPU when they fit (weights, KV cache
    and compute buffer in HEADROOM of the free memory), else as many layers as fit, else the
    CPU; "too big" when it does not fit in RAM either."""
    n = need(shape, n_ctx)
    budget = int(where.gpu_free * HEADROOM) if offload else 0
    if budget >= n.total:
        return Fit("gpu", shape.layers, shape.layers, n)
    if where.ram_total and n.total > where.ram_total:
        return Fit("too big", 0, shape.layers, n)
    per_layer = (n.weights + n.kv_cache) / max(shape.layers, 1)
    layers = int((budget - n.compute) // per_layer) if budget > n.compute else 0
    layers = max(0, min(layers, shape.layers - 1))
    return Fit("partial" if layers else "cpu", layers, shape.layers, n)


def estimate(path: Path, n_ctx: int | None, where: Machine | None = None, offload: bool = True) -> Fit:
    """The fit of the GGUF file at ``path`` at ``n_ctx`` (default: its context, as mnemo runs it)."""
    from mnemo.engine import gguf

    meta = gguf.read_metadata(path)
    return fit(Shape.of(meta, path.stat().st_size), gguf.context_for(meta, n_ctx), where or machine(), offload)


def describe_models(specs: Iterable[Any], models_dir: Path, where: Machine | None = None) -> dict[str, str]:
    """Where each local model (models.toml entries) would run on this machine, or why that
    is not known ("ships in parts, joined on first use", "file missing")."""
    from mnemo.engine import sources
    from mnemo.errors import MnemoError

    where = where or machine()
    out = {}
    for spec in specs:
        if spec.kind != EngineKind.GGUF:
            continue
        try:
            path = sources.resolve(spec, join=False, models_dir=models_dir)
            out[spec.name] = (
                estimate(path, spec.n_ctx, where).describe() if path else "ships in parts, joined on first use"
            )
        except MnemoError:
            out[spec.name] = "file missing"
    return out
