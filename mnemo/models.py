"""The one models service: what the CLI's `mnemo models …` and the chat app's model picker
both use (ARCHITECTURE.md, "The floors"). It lists, shows, finds and adds models.toml
entries, pulls from the Hub or a URL, and says where each model would run on this machine;
callers render what it returns. It never loads a model."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo import config
from mnemo.errors import BadInput, ConfigError, UnknownModel
from mnemo.paths import Home

Progress = Callable[[int, int | None], None]  # (bytes done, bytes in all or None)


@dataclass(frozen=True)
class ModelChoice:
    """A model the user can switch to: one of models.toml, or a catalog model to pull first."""

    name: str
    description: str
    fit: str  # where it would run here, e.g. "CPU only (3.9 GB)"
    pulled: bool  # False: a catalog model not downloaded yet
    chat: bool = True  # False: a base model (it continues text rather than answering)


@dataclass(frozen=True)
class Pulled:
    """What a pull brought: its models.toml name, its file and a line for the user."""

    name: str
    path: Path
    said: str


@contextmanager
def explained() -> Iterator[None]:
    """An unknown model that the catalog has becomes "… not pulled yet; run `mnemo models pull …`"."""
    from mnemo.engine import catalog

    try:
        yield
    except UnknownModel as e:
        if catalog.find(e.name.partition(":")[0]):
            raise ConfigError(
                f"model '{e.name}' is in the catalog but not pulled yet; run `mnemo models pull {e.name}`"
            ) from None
        close = difflib.get_close_matches(e.name.partition(":")[0].lower(), [c.name for c in catalog.CATALOG], n=3)
        if not close:
            raise
        raise UnknownModel(
            f"{e}; close names in the catalog: {', '.join(close)} (pull one with `mnemo models pull NAME`)", e.name
        ) from None


def size_text(n: int) -> str:
    """Bytes as people read them: "3.9 GB"."""
    from mnemo.engine import fit

    return fit.size_text(n)


class Models:
    """The models of one home."""

    def __init__(self, home: Home):
        self.home = home

    def registry(self) -> config.Registry:
        """models.toml as it is now (the shipped file and the user's)."""
        return config.load_registry(self.home)

    def get(self, name: str | None = None) -> config.ModelSpec:
        """The entry ``name`` (default: the default); an unknown one that the catalog has
        says how to pull it."""
        with explained():
            return self.registry().get(name)

    # ------------------------------------------------------------------ reading

    def listing(self) -> tuple[str, list[dict[str, Any]]]:
        """(the default's name, every entry with where it would run here)."""
        from mnemo.engine import fit

        registry = self.registry()
        where = fit.describe_models(registry.models.values(), self.home.models_dir)
        return registry.default, [{**s.to_dict(), "fit": where.get(s.name)} for s in registry.models.values()]

    def show(self, name: str | None = None) -> dict[str, Any]:
        """One entry with its file, size and GGUF metadata, or the problem with it."""
        from mnemo.doctor import model_details

        return model_details(self.get(name), self.home)

    def catalog(self) -> list[dict[str, Any]]:
        """Well-known instruct models to pull by name, with their size and fit here."""
        from mnemo.engine import catalog, fit

        where = fit.machine()
        registry = self.registry()
        return [
            {
                "name": e.name,
                "repo": e.repo,
                "params": e.params,
                "quant": e.quant,
                "quants": list(e.quants),
                "size_bytes": e.size(),
                "context": e.context,
                "license": e.license,
                "gated": e.gated,
                "fit": e.fits(where).describe(),
                "pulled": e.name in registry.models,
                "description": e.description,
            }
            for e in catalog.CATALOG
        ]

    def choices(self) -> list[ModelChoice]:
        """The models.toml entries with where each runs here, then the catalog models not yet
        pulled, with their estimated size and fit. Reads GGUF headers: call it off the UI thread."""
        from mnemo.engine import catalog, fit

        where = fit.machine()
        registry = self.registry()
        specs = list(registry.models.values())
        fits = fit.describe_models(specs, self.home.models_dir, where)
        choices = [
            ModelChoice(s.name, s.description, fits.get(s.name, "remote" if s.kind == "openai" else ""), True, s.chat)
            for s in specs
        ]
        return choices + [
            ModelChoice(
                e.name,
                f"{e.description} ({e.params}, {e.quant}, about {fit.size_text(e.size())} to download)",
                e.fits(where).describe(),
                False,
            )
            for e in catalog.CATALOG
            if e.name not in registry.models
        ]

    # ------------------------------------------------------------------ adding

    def use(self, name: str) -> None:
        """Make ``name`` the default (written to the user's models.toml)."""
        with explained():
            config.set_default_model(name, self.home)

    def add(self, path: Path, name: str | None = None, n_ctx: int | None = None) -> tuple[str, Path]:
        """Register a GGUF file on this machine; (its name, the models.toml written)."""
        from mnemo.engine import gguf

        path = path.expanduser().resolve()
        gguf.read_metadata(path)  # a clear error for a missing or non-GGUF file
        name = name or config.entry_name(path.stem)
        return name, config.add_model(name, {"source": str(path), "n_ctx": n_ctx}, self.home)

    def scan(self, folders: list[Path] | None = None, add: bool = False) -> tuple[list[Any], list[str]]:
        """GGUF files already on this machine (default: the Hugging Face cache, Ollama, LM
        Studio, llama.cpp's cache); with ``add`` each new one is registered in place."""
        from mnemo.engine import scan

        for folder in folders or []:
            if not folder.expanduser().is_dir():
                raise BadInput(f"{folder} is not a folder")
        found = scan.scan(folders)
        registry = self.registry()
        known = {
            str(Path(s.source).expanduser().absolute())
            for s in registry.models.values()
            if s.kind == "gguf" and s.source and not s.source.startswith(("package:", "http"))
        }
        names = set(registry.models)
        added = []
        for item in found:
            if not add or str(item.path.absolute()) in known:
                continue
            name, n = item.name, 2
            while name in names:
                name, n = f"{item.name}-{n}", n + 1
            details = " ".join(x for x in (item.architecture, item.parameters, item.quantization) if x)
            config.add_model(
                name, {"source": str(item.path), "description": f"{details} (from {item.origin})"}, self.home
            )
            names.add(name)
            known.add(str(item.path.absolute()))
            added.append(name)
        return found, added

    def discover(
        self, url: str, add: bool = False, api_key_env: str | None = None, n_ctx: int | None = None
    ) -> tuple[list[str], list[str]]:
        """The models an OpenAI-compatible server offers; with ``add`` each is registered."""
        import os

        from mnemo.engine.remote import list_models

        if not url.startswith(("http://", "https://")):
            raise BadInput(f"'{url}' is not an http:// or https:// URL")
        ids = list_models(url, os.environ.get(api_key_env) if api_key_env else None)
        known = self.registry().models
        added = []
        for model_id in ids if add else []:
            name = config.entry_name(model_id)
            if name in known:
                continue
            fields = {"kind": "openai", "base_url": url, "model": model_id, "api_key_env": api_key_env, "n_ctx": n_ctx}
            config.add_model(name, fields, self.home)
            added.append(name)
        return ids, added

    # ------------------------------------------------------------------ pulling

    def from_hub(self, what: str) -> bool:
        """Whether ``what`` is pulled from the Hub (a catalog name or hf:ORG/REPO)."""
        from mnemo.engine import catalog

        return what.startswith("hf:") or catalog.find(what.partition(":")[0]) is not None

    def before_pull(self, what: str) -> str | None:
        """For a catalog model, before anything is fetched: its size and whether it fits here."""
        from mnemo.engine import fit, hub

        _, selector, entry = hub.target(what)
        if entry is None:
            return None
        placed = entry.fits(fit.machine(), selector)
        return (
            f"{entry.name} ({entry.params}, {(selector or entry.quant).upper()}, about "
            f"{fit.size_text(entry.size(selector))}) here: {placed.describe()}"
        )

    def pull(
        self,
        what: str,
        name: str | None = None,
        folder: Path | None = None,
        progress: Callable[[str, int | None], Progress] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Pulled:
        """A catalog model (``name`` or ``name:QUANT``) or ``hf:ORG/REPO[:QUANT|:FILE]``, into
        the shared Hugging Face cache (or ``folder``), registered in this home. ``progress``
        is told each file's name and size and returns that file's progress callback. A
        cancelled pull (``PullCancelled``) keeps its partial file; the same pull resumes it."""
        from mnemo.engine import fit, hub

        def each(f: hub.File) -> Progress:
            assert progress is not None
            return progress(Path(f.name).name, f.size or None)

        pulled = hub.pull(
            what, self.home, name, folder.expanduser() if folder else None, each if progress else None, cancelled
        )
        said = (
            f"pulled {pulled.plan.repo} ({fit.size_text(pulled.plan.size)}, sha256 verified) to {pulled.path}; "
            f"chat with it: mnemo chat --model {pulled.name}"
        )
        return Pulled(pulled.name, pulled.path, said)

    def pull_url(
        self,
        what: str,
        sha256: str | None = None,
        name: str | None = None,
        progress: Callable[[str, int | None], Progress] | None = None,
    ) -> Pulled:
        """An https:// URL with its checksum, or a models.toml entry whose source is one:
        downloaded (resumable), verified and registered."""
        from mnemo.engine import download, sources

        registry = self.registry()
        if sources.is_url(what):
            url = what
            if not sha256 or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
                raise BadInput("--sha256 with the file's 64-hex-digit checksum is required with a URL")
            existing = next((s for s in registry.models.values() if s.source == url), None)
        else:
            with explained():
                existing = registry.get(what)
            if not existing.source or not sources.is_url(existing.source):
                raise BadInput(f"model '{what}' has no URL source; there is nothing to download")
            url, sha256 = existing.source, existing.sha256
        assert sha256 is not None
        target = sources.downloaded_path(url, self.home.models_dir)
        entry_name = name or (existing.name if existing else config.entry_name(target.stem))
        if existing is None and entry_name in registry.models:
            raise BadInput(f"a model named '{entry_name}' exists already; pass --name to pick another")
        download.pull(url, sha256, target, progress=progress(target.name, None) if progress else None)
        if existing is None:
            config.add_model(entry_name, {"source": url, "sha256": sha256.lower()}, self.home)
        return Pulled(entry_name, target, f"downloaded {target} and verified it; use it with --model {entry_name}")
