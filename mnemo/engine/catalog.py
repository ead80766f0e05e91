"""The catalog: well-known instruct GGUFs on the Hugging Face Hub that mnemo can pull by a
short name (``mnemo models pull qwen3-4b``, ``qwen3-4b:Q8_0``).

File names are not kept here: at pull time the repo's listing is asked for the file of the
chosen quantization. The shape fields (layers, heads, vocabulary) let mnemo say whether a
model fits this machine before anything is downloaded; sizes are estimates until then.
"""

from __future__ import annotations

from dataclasses import dataclass

from mnemo.engine.fit import Fit, Machine, Shape, fit
from mnemo.engine.gguf import N_CTX_CAP

BITS = {
    "Q4_K_M": 4.85,
    "Q4_K_S": 4.6,
    "Q5_K_M": 5.7,
    "Q6_K": 6.6,
    "Q8_0": 8.5,
    "Q4_0": 4.55,
    "F16": 16.0,
    "BF16": 16.0,
    "Q3_K_M": 3.9,
    "Q2_K": 3.0,
    "IQ4_XS": 4.3,
}


@dataclass(frozen=True)
class Entry:
    name: str
    repo: str
    params: str  # as people say it: "1.5B"
    billions: float
    quants: tuple[str, ...]  # the first is the default
    context: int
    license: str
    gated: bool
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    description: str
    tools: bool = False  # handles tool calls (models.toml ``tools = true``): Qwen2.5/3, Llama 3.2 3B, Phi-4-mini

    @property
    def quant(self) -> str:
        return self.quants[0]

    def size(self, quant: str | None = None) -> int:
        """Bytes of the file at ``quant``, estimated from the parameters (the listing knows)."""
        return int(self.billions * 1e9 * BITS.get((quant or self.quant).upper(), 5.0) / 8)

    def fits(self, where: Machine, quant: str | None = None) -> Fit:
        """Where it would run on ``where``, at the context mnemo would give it."""
        return fit(self.shape(quant), min(self.context, N_CTX_CAP), where)

    def shape(self, quant: str | None = None) -> Shape:
        return Shape(
            "catalog",
            self.layers,
            self.heads * self.head_dim,
            self.heads,
            self.kv_heads,
            self.head_dim,
            self.head_dim,
            self.vocab,
            self.size(quant),
        )


CATALOG: tuple[Entry, ...] = (
    Entry(
        "qwen2.5-1.5b",
        "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
        "1.5B",
        1.54,
        ("Q4_K_M", "Q5_K_M", "Q8_0"),
        32768,
        "apache-2.0",
        False,
        28,
        12,
        2,
        128,
        151936,
        "Qwen2.5 1.5B Instruct: small, multilingual",
        tools=True,
    ),
    Entry(
        "qwen2.5-3b",
        "Qwen/Qwen2.5-3B-Instruct-GGUF",
        "3B",
        3.09,
        ("Q4_K_M", "Q5_K_M", "Q8_0"),
        32768,
        "qwen-research",
        False,
        36,
        16,
        2,
        128,
        151936,
        "Qwen2.5 3B Instruct",
        tools=True,
    ),
    Entry(
        "qwen3-4b",
        "unsloth/Qwen3-4B-Instruct-2507-GGUF",
        "4B",
        4.02,
        ("Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"),
        262144,
        "apache-2.0",
        False,
        36,
        32,
        8,
        128,
        151936,
        "Qwen3 4B Instruct (2507): strong for its size",
        tools=True,
    ),
    Entry(
        "llama3.2-1b",
        "bartowski/Llama-3.2-1B-Instruct-GGUF",
        "1B",
        1.24,
        ("Q4_K_M", "Q6_K", "Q8_0"),
        131072,
        "llama3.2",
        False,
        16,
        32,
        8,
        64,
        128256,
        "Llama 3.2 1B Instruct",
    ),
    Entry(
        "llama3.2-3b",
        "bartowski/Llama-3.2-3B-Instruct-GGUF",
        "3B",
        3.21,
        ("Q4_K_M", "Q6_K", "Q8_0"),
        131072,
        "llama3.2",
        False,
        28,
        24,
        8,
        128,
        128256,
        "Llama 3.2 3B Instruct",
        tools=True,
    ),
    Entry(
        "gemma3-4b",
        "unsloth/gemma-3-4b-it-GGUF",
        "4B",
        3.88,
        ("Q4_K_M", "Q6_K", "Q8_0"),
        131072,
        "gemma",
        False,
        34,
        8,
        4,
        256,
        262208,
        "Gemma 3 4B instruction-tuned",
    ),
    Entry(
        "phi4-mini",
        "unsloth/Phi-4-mini-instruct-GGUF",
        "3.8B",
        3.84,
        ("Q4_K_M", "Q6_K", "Q8_0"),
        131072,
        "mit",
        False,
        32,
        24,
        8,
        128,
        200064,
        "Phi-4 mini instruct: reasoning and code",
        tools=True,
    ),
    Entry(
        "smollm2-1.7b",
        "HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF",
        "1.7B",
        1.71,
        ("Q4_K_M", "Q8_0"),
        8192,
        "apache-2.0",
        False,
        24,
        32,
        32,
        64,
        49152,
        "SmolLM2 1.7B Instruct: the shipped model's big sibling",
    ),
)


def find(name: str) -> Entry | None:
    return next((e for e in CATALOG if e.name == name.lower()), None)
