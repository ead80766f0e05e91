"""GGUF models already on this machine, in the places other tools keep them, so they can be
used in place instead of downloaded again:

- the Hugging Face cache (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else ~/.cache/huggingface/hub):
  ``models--ORG--REPO/snapshots/REV/**.gguf``;
- Ollama (``OLLAMA_MODELS``, else ~/.ollama/models): each manifest under ``manifests/``
  names its weights as the layer of media type ``application/vnd.ollama.image.model``,
  stored as ``blobs/sha256-HEX`` (the digest is the file's sha256);
- LM Studio (~/.lmstudio/models, ~/.cache/lm-studio/models): ``PUBLISHER/REPO/*.gguf``;
- llama.cpp's cache (``LLAMA_CACHE``, else ~/.cache/llama.cpp);
- and folders the user names.
Split models are listed by their first part; vision projectors (mmproj) are left out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mnemo.config import entry_name
from mnemo.engine import gguf
from mnemo.errors import MnemoError

OLLAMA_MODEL = "application/vnd.ollama.image.model"
SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.I)

# llama.cpp's llama_ftype: the quantization a file says it is (general.file_type)
FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4",
}


@dataclass(frozen=True)
class Found:
    path: Path
    origin: str  # "huggingface", "ollama", "lmstudio", "llama.cpp" or "folder"
    name: str  # a models.toml name for it
    architecture: str | None
    parameters: str | None  # the file's size label, e.g. "3B"
    quantization: str | None
    size_bytes: int
    context: int | None
    chat_template: bool

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}


def hf_cache(env: Mapping[str, str] | None = None, user_home: Path | None = None) -> Path:
    """The Hugging Face cache, as huggingface_hub finds it (read now, not at import):
    ``HF_HUB_CACHE``, else ``HF_HOME/hub``, else ``$XDG_CACHE_HOME/huggingface/hub``."""
    env = os.environ if env is None else env
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]).expanduser() / "hub"
    cache = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else (user_home or Path.home()) / ".cache"
    return cache / "huggingface" / "hub"


def places(env: Mapping[str, str] | None = None, user_home: Path | None = None) -> list[tuple[str, Path]]:
    """Where other tools keep their models on this machine (the ones that exist)."""
    env = os.environ if env is None else env
    user = user_home or Path.home()
    hf = hf_cache(env, user)
    candidates = [
        ("huggingface", hf),
        ("ollama", Path(env["OLLAMA_MODELS"]) if env.get("OLLAMA_MODELS") else user / ".ollama" / "models"),
        ("lmstudio", user / ".lmstudio" / "models"),
        ("lmstudio", user / ".cache" / "lm-studio" / "models"),
        ("llama.cpp", Path(env["LLAMA_CACHE"]) if env.get("LLAMA_CACHE") else user / ".cache" / "llama.cpp"),
    ]
    return [(origin, path.expanduser()) for origin, path in candidates if path.expanduser().is_dir()]


def scan(
    folders: list[Path] | None = None, env: Mapping[str, str] | None = None, user_home: Path | None = None
) -> list[Found]:
    """Every GGUF model in the known places (or only in ``folders`` when given), once each."""
    spots = (
        [(_kind_of(Path(f).expanduser()), Path(f).expanduser()) for f in folders] if folders else places(env, user_home)
    )
    seen: set[Path] = set()
    found = []
    for origin, root in spots:
        for path, name in _walk(origin, root):
            where = path.absolute()  # not resolved: other tools' links to one blob are their own entries
            if where in seen:
                continue
            seen.add(where)
            item = _describe(path, origin, name)
            if item is not None:
                found.append(item)
    return found


def _kind_of(folder: Path) -> str:
    """A folder the user names: Ollama's store when it is laid out as one."""
    return "ollama" if (folder / "manifests").is_dir() and (folder / "blobs").is_dir() else "folder"


def _walk(origin: str, root: Path) -> Iterator[tuple[Path, str]]:
    if origin == "ollama":
        yield from _ollama(root)
        return
    for path in sorted(root.rglob("*.gguf")):
        if "mmproj" in path.name.lower() or path.is_dir():
            continue
        split = SPLIT.search(path.name)
        if split and split.group(1) != "00001":
            continue  # a later part of a split model: the first part stands for it
        if origin == "huggingface":
            repo = next((p for p in path.parts if p.startswith("models--")), "")
            stem = repo.split("--")[-1] if repo else path.stem
            yield path, entry_name(stem.removesuffix("-GGUF").removesuffix("-gguf") + "-" + quant_of(path.name))
        else:
            yield path, entry_name(stem_of(path.name))


def _ollama(root: Path) -> Iterator[tuple[Path, str]]:
    """Ollama's manifests: ``manifests/HOST/NAMESPACE/MODEL/TAG`` -> the model layer's blob."""
    manifests = root / "manifests"
    if not manifests.is_dir():
        return
    for manifest in sorted(p for p in manifests.rglob("*") if p.is_file()):
        try:
            layers = json.loads(manifest.read_text(encoding="utf-8")).get("layers") or []
        except (OSError, ValueError, AttributeError):
            continue
        digest = next(
            (
                layer.get("digest")
                for layer in layers
                if isinstance(layer, dict) and layer.get("mediaType") == OLLAMA_MODEL
            ),
            None,
        )
        if not isinstance(digest, str) or not digest.startswith("sha256:"):
            continue
        blob = root / "blobs" / digest.replace(":", "-")
        if blob.is_file():
            parts = manifest.relative_to(manifests).parts
            model, tag = (parts[-2], parts[-1]) if len(parts) >= 2 else (parts[-1], "latest")
            namespace = parts[-3] if len(parts) >= 3 and parts[-3] != "library" else ""
            yield blob, entry_name("-".join(p for p in (namespace, model, tag) if p))


def quant_of(filename: str) -> str:
    """The quantization a GGUF file's name says it is ("Q4_K_M"), or ""."""
    match = re.search(
        r"(?:^|[-_.])((?:I?Q\d_[A-Z0-9_]*?)|[BF]F?16|F32)(?=(?:-\d{5}-of-\d{5})?\.gguf$)", Path(filename).name, re.I
    )
    return match.group(1).upper() if match else ""


def stem_of(filename: str) -> str:
    """A GGUF file's name without the split suffix and the extension."""
    return re.sub(r"\.gguf$", "", SPLIT.sub("", Path(filename).name), flags=re.I)


def _describe(path: Path, origin: str, name: str) -> Found | None:
    try:
        meta = gguf.read_metadata(path)
    except MnemoError:
        return None  # not a GGUF file after all, or a damaged one: nothing to offer
    arch = meta.get("general.architecture")
    file_type = meta.get("general.file_type")
    size = sum(p.stat().st_size for p in _parts(path))
    return Found(
        path=path,
        origin=origin,
        name=name,
        architecture=arch,
        parameters=meta.get("general.size_label") if isinstance(meta.get("general.size_label"), str) else None,
        quantization=FILE_TYPES.get(file_type) if isinstance(file_type, int) else None,
        size_bytes=size,
        context=gguf.training_context(meta),
        chat_template="tokenizer.chat_template" in meta,
    )


def _parts(path: Path) -> list[Path]:
    """All parts of a split model (the first part's name says how many), or the file."""
    split = SPLIT.search(path.name)
    if not split:
        return [path]
    total = int(split.group(2))
    return [
        p
        for i in range(1, total + 1)
        if (p := path.with_name(SPLIT.sub(f"-{i:05d}-of-{total:05d}.gguf", path.name))).exists()
    ]
