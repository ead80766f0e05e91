"""Turn a models.toml ``source`` into a local GGUF file path.

- ``package:MODULE/FILE.gguf``: a file shipped inside an installed PyPI package, found with
  ``importlib.util.find_spec`` (the package is never imported). Files too big for one
  package come as ``FILE.partNN`` chunks in sibling packages ``MODULE_part1..N``; they are
  joined once into mnemo's models dir.
- a path (``~`` expanded; relative to the models.toml that names it).
- an ``https://`` URL with ``sha256``: the file that ``mnemo models pull`` downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from mnemo import paths
from mnemo.config import ModelSpec
from mnemo.errors import ModelError


def is_url(source: str) -> bool:
    return source.startswith(("https://", "http://"))


def url_filename(url: str) -> str:
    name = Path(unquote(urlparse(url).path)).name
    return re.sub(r"[^A-Za-z0-9._+-]", "_", name) or "model.gguf"


def downloaded_path(url: str, models_dir: Path) -> Path:
    return models_dir / url_filename(url)


def _package_dir(module: str) -> Path | None:
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    return Path(list(found.submodule_search_locations)[0])


def _chunks(module: str, filename: str) -> list[Path]:
    chunks: list[Path] = []
    k = 1
    while (d := _package_dir(f"{module}_part{k}")) is not None:
        chunks += sorted(p for p in (*d.glob(f"{filename}.part*"), *d.glob(f"data/{filename}.part*")))
        k += 1
    return chunks


def _expected_sha256(package: Path, filename: str) -> str | None:
    for sums in (package / "SHA256SUMS", package / "data" / "SHA256SUMS"):
        if sums.is_file():
            for line in sums.read_text(errors="replace").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1].lstrip("*") == filename:
                    return parts[0].lower()
    return None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _is_joined(chunks: list[Path], target: Path) -> bool:
    return target.is_file() and target.stat().st_size == sum(c.stat().st_size for c in chunks)


def _join_chunks(chunks: list[Path], target: Path, expected: str | None) -> Path:
    """Join chunk files into ``target`` once; later calls only compare sizes."""
    if _is_joined(chunks, target):
        return target
    paths.private_dir(target.parent)
    tmp = target.with_name(target.name + f".joining-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for c in chunks:
                with open(c, "rb") as f:
                    while block := f.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if expected and digest.hexdigest() != expected:
            raise ModelError(f"the chunks of {target.name} do not match their checksum; reinstall the package")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _needed(models_dir: Path | None, spec: ModelSpec) -> Path:
    if models_dir is None:
        raise TypeError(f"model '{spec.name}' lives in the home's models dir: pass models_dir")
    return models_dir


def resolve(spec: ModelSpec, join: bool = True, models_dir: Path | None = None) -> Path | None:
    """The local file of a gguf model; ModelError says what to do when there is none.

    With ``join=False`` a model shipped in parts that are not joined yet gives None
    instead of being joined (``mnemo doctor`` looks without writing). Joined and
    downloaded files live in ``models_dir`` (the home's ``models_dir``), which a source
    that is one file (a package file, a path) does not need.
    """
    source = spec.source or ""
    if source.startswith("package:"):
        module, _, filename = source[len("package:") :].partition("/")
        package = _package_dir(module)
        if package is None:
            dist = module.replace("_", "-")
            raise ModelError(f"model '{spec.name}': package '{module}' is not installed; run `pip install {dist}`")
        for candidate in (package / filename, package / "data" / filename):
            if candidate.is_file():
                return candidate
        chunks = _chunks(module, filename)
        if chunks:
            joined = _needed(models_dir, spec) / filename
            if not join:
                return joined if _is_joined(chunks, joined) else None
            return _join_chunks(chunks, joined, _expected_sha256(package, filename))
        raise ModelError(
            f"model '{spec.name}': {filename} is not inside package '{module}' ({package}); "
            "reinstall that package or fix the source in models.toml"
        )
    if is_url(source):
        path = downloaded_path(source, _needed(models_dir, spec))
        if not path.is_file():
            raise ModelError(f"model '{spec.name}' is not downloaded yet; run `mnemo models pull {spec.name}`")
        return path
    path = Path(source).expanduser()
    if not path.is_absolute() and spec.origin:
        path = Path(spec.origin).parent / path
    if not path.is_file():
        raise ModelError(
            f"model '{spec.name}': file {path} does not exist; fix its source in {spec.origin or 'models.toml'}"
        )
    return path
