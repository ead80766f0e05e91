"""Pulls from the Hugging Face Hub, asked for by the user (``mnemo models pull``).

huggingface_hub does what it does well: it asks the Hub for a repo's files with their sizes
and LFS sha256, knows whether the repo is gated, finds the user's token (``HF_TOKEN`` or a
saved login) and names the shared cache's folders (``HF_HUB_CACHE``, ``HF_HOME``;
``HF_ENDPOINT`` for another Hub). mnemo downloads each file itself, resumably (HTTP Range:
an interrupted pull goes on where it stopped), and the file's sha256 is checked before it
is placed, as the cache lays files out (``models--ORG--REPO/blobs/SHA256`` and
``snapshots/COMMIT/FILE``), so other tools find it and it is never fetched twice. A file
whose sha256 is already on disk (an Ollama blob is named by it) is linked, not downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mnemo.engine.download import Progress
from mnemo.engine.scan import SPLIT, quant_of, stem_of
from mnemo.errors import BadInput, MnemoError


@dataclass(frozen=True)
class File:
    name: str  # its path in the repo
    size: int
    sha256: str


@dataclass(frozen=True)
class Plan:
    """What a pull fetches: the files of one model (several when it is split)."""

    repo: str
    commit: str
    files: tuple[File, ...]
    endpoint: str
    token: str | None

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def plan(repo: str, selector: str | None = None, default_quant: str = "Q4_K_M") -> Plan:
    """The files to fetch for ``repo`` and ``selector`` (a quantization such as Q8_0, or a
    file name); errors say in one line what to do."""
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, OfflineModeIsEnabled, RepositoryNotFoundError

    where, token = endpoint(), get_token()
    try:
        info = HfApi(endpoint=where, token=token).model_info(repo, files_metadata=True)
    except GatedRepoError:
        raise BadInput(_gated(repo, where)) from None
    except RepositoryNotFoundError:
        raise BadInput(f"there is no model repo '{repo}' on {where} (if it is private, set HF_TOKEN)") from None
    except OfflineModeIsEnabled:
        raise BadInput("HF_HUB_OFFLINE is set, so nothing can be pulled; unset it for this command") from None
    except HfHubHTTPError as e:
        raise MnemoError(f"the Hub at {where} refused the listing of {repo}: {str(e).splitlines()[0]}") from None
    except Exception as e:  # the connection itself: refused, unreachable, timed out
        raise MnemoError(
            f"cannot reach {where}: {e.__class__.__name__} {str(e).splitlines()[0] if str(e) else ''}".rstrip()
        ) from None
    ggufs = [
        s for s in info.siblings or [] if s.rfilename.lower().endswith(".gguf") and "mmproj" not in s.rfilename.lower()
    ]
    if not ggufs:
        raise BadInput(f"{repo} has no GGUF files; pick a repo whose name ends in -GGUF")
    chosen = _choose(ggufs, selector, default_quant)
    if not chosen:
        have = sorted({quant_of(s.rfilename) for s in ggufs} - {""})
        raise BadInput(
            f"{repo} has no {selector or default_quant} file; it has "
            f"{', '.join(have) or ', '.join(s.rfilename for s in ggufs)}: add one after a colon, "
            f"e.g. {repo}:{have[0] if have else ggufs[0].rfilename}"
        )
    files = []
    for s in chosen:
        if s.lfs is None or not s.lfs.sha256:
            raise MnemoError(f"{repo}/{s.rfilename} has no sha256 in the Hub's listing, so it cannot be verified")
        files.append(File(s.rfilename, s.lfs.size or s.size or 0, s.lfs.sha256.lower()))
    if info.gated and not token:
        raise BadInput(_gated(repo, where))
    return Plan(repo, info.sha or "main", tuple(files), where, token)


def _gated(repo: str, where: str) -> str:
    return (
        f"{repo} is gated: accept its licence at {where}/{repo} while logged in, then set HF_TOKEN "
        "to a token of that account (or run `hf auth login`) and pull again"
    )


def _choose(ggufs: list, selector: str | None, default_quant: str) -> list:
    if selector and selector.lower().endswith(".gguf"):
        exact = [s for s in ggufs if s.rfilename == selector or s.rfilename.endswith("/" + selector)]
        picked = exact[:1]
    else:
        wanted = (selector or default_quant).upper()
        picked = sorted((s for s in ggufs if quant_of(s.rfilename) == wanted), key=lambda s: s.rfilename)[:1]
    if picked and (split := SPLIT.search(picked[0].rfilename)):  # every part of a split model
        prefix = picked[0].rfilename[: split.start()]
        picked = sorted(
            (s for s in ggufs if s.rfilename.startswith(prefix) and SPLIT.search(s.rfilename)),
            key=lambda s: s.rfilename,
        )
    return picked


def cache_dir(repo: str) -> Path:
    """The shared cache's folder for ``repo`` (huggingface_hub's name for it, in the cache the
    environment names now: its own constant is fixed when it is first imported)."""
    from huggingface_hub.file_download import repo_folder_name

    from mnemo.engine.scan import hf_cache

    return hf_cache() / repo_folder_name(repo_id=repo, repo_type="model")


def fetch(
    plan: Plan,
    folder: Path | None = None,
    progress: Callable[[File], Progress] | None = None,
    local: Callable[[str], Path | None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Download (or link) every file of ``plan``; returns the path of the first one, ready to
    load. ``folder``: plain files there instead of the shared cache. ``local(sha256)``: a file
    already on disk with that checksum, to link instead of downloading."""
    from mnemo.engine import download

    headers = {"Authorization": f"Bearer {plan.token}"} if plan.token else {}
    placed = []
    for f in plan.files:
        url = f"{plan.endpoint}/{plan.repo}/resolve/{plan.commit}/{quote(f.name)}"
        if folder is not None:
            target = folder / Path(f.name).name
        else:
            root = cache_dir(plan.repo)
            target = root / "blobs" / f.sha256
        on_disk = local(f.sha256) if local and not target.exists() else None
        if on_disk is not None:
            _link(on_disk, target)
        else:
            download.pull(
                url, f.sha256, target, progress(f) if progress else None, headers=headers, cancelled=cancelled
            )
        if folder is None:
            target = _snapshot(cache_dir(plan.repo), plan.commit, f)
        placed.append(target)
    return placed[0]


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # the same bytes, no copy (same file system)
    except OSError:
        target.symlink_to(source.resolve())


def _snapshot(root: Path, commit: str, f: File) -> Path:
    """``snapshots/COMMIT/FILE`` -> ``blobs/SHA256``, and ``refs/main``, as the cache has them."""
    link = root / "snapshots" / commit / f.name
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.unlink(missing_ok=True)
        link.symlink_to(os.path.relpath(root / "blobs" / f.sha256, link.parent))
    (root / "refs").mkdir(exist_ok=True)
    (root / "refs" / "main").write_text(commit)
    return link


@dataclass(frozen=True)
class Pulled:
    name: str  # the models.toml entry
    path: Path
    plan: Plan
    added: bool  # False: the entry was there already


def target(what: str) -> tuple[str, str | None, Any]:
    """(repo, selector, catalog entry or None) for a catalog name (``qwen3-4b``,
    ``qwen3-4b:Q8_0``) or ``hf:ORG/REPO[:QUANT|:FILE]``."""
    from mnemo.engine import catalog

    if what.startswith("hf:"):
        repo, _, selector = what[3:].partition(":")
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise BadInput("hf: needs ORG/REPO, e.g. hf:Qwen/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M")
        return repo, selector or None, None
    base, _, selector = what.partition(":")
    entry = catalog.find(base)
    if entry is None:
        raise BadInput(f"'{base}' is not in the catalog (see `mnemo models catalog`); use hf:ORG/REPO for any repo")
    return entry.repo, selector or None, entry


def pull(
    what: str,
    home: Any,
    name: str | None = None,
    folder: Path | None = None,
    progress: Callable[[File], Progress] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Pulled:
    """Pull ``what`` (see ``target``) into the shared cache (or ``folder``), linking bytes that
    are on disk already, and register it in ``home``'s models.toml. ``cancelled`` is asked
    between blocks; a cancelled pull keeps its partial file, and the same pull resumes it."""
    from mnemo import config

    repo, selector, entry = target(what)
    plan_ = plan(repo, selector, entry.quant if entry else "Q4_K_M")
    first = Path(plan_.files[0].name).name
    entry_name = name or (
        entry.name + (f"-{selector.lower()}" if selector and selector.upper() != entry.quant else "")
        if entry
        else config.entry_name(stem_of(first))
    )
    path = fetch(plan_, folder, progress, _already_on_disk, cancelled)
    existing = config.load_registry(home).models.get(entry_name)
    if existing is None:
        description = entry.description if entry else f"{repo} ({first})"
        fields = {"source": str(path), "description": description, "tools": True if entry and entry.tools else None}
        config.add_model(entry_name, fields, home)
    elif existing.source != str(path):
        raise BadInput(f"pulled {path}, but a model named '{entry_name}' exists already; pass --name to pick another")
    return Pulled(entry_name, path, plan_, existing is None)


def _already_on_disk(sha256: str) -> Path | None:
    """The same bytes already on disk: an Ollama blob (named by its sha256), another repo's blob."""
    from mnemo.engine import scan

    for origin, root in scan.places():
        candidates = (
            [root / "blobs" / f"sha256-{sha256}"]
            if origin == "ollama"
            else list(root.glob(f"models--*/blobs/{sha256}"))
            if origin == "huggingface"
            else []
        )
        for candidate in candidates:
            if candidate.is_file():
                return candidate
    return None
