"""Download a model file: resumable (HTTP Range), with progress, verified by sha256.

The bytes go to ``NAME.part`` beside the target; only a file whose checksum matches is
renamed into place, so an interrupted or bad download never looks like a model.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from mnemo import paths
from mnemo.errors import BadInput, MnemoError, ModelError, PullCancelled

Progress = Callable[[int, int | None], None]  # (bytes so far, total or None)


Cancelled = PullCancelled  # the user stopped a download; its partial file is kept


def _hash_prefix(path: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest


def pull(
    url: str,
    sha256: str,
    target: Path,
    progress: Progress | None = None,
    timeout: float = 30.0,
    headers: dict[str, str] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Download ``url`` to ``target``, resuming a partial ``.part`` file, and place it only if
    its sha256 matches. ``cancelled`` is asked between blocks: a cancelled download raises
    ``Cancelled`` and keeps its partial file for the next try."""
    sha256 = sha256.lower()
    if target.is_file():
        from mnemo.engine.sources import sha256_file

        if sha256_file(target) == sha256:
            return target
        raise ModelError(f"{target} exists with another checksum; remove it or pick another name")
    paths.private_dir(target.parent)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "mnemo", **(headers or {})})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # already complete
            response = None
        elif e.code in (401, 403):
            raise BadInput(
                f"{url} refused the download (HTTP {e.code}): the repo is gated or private; accept its "
                "licence on the Hub and set HF_TOKEN to a token of that account"
            ) from None
        else:
            raise MnemoError(f"cannot download {url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise MnemoError(f"cannot reach {url}: {reason}") from None

    if response is not None:
        with response:
            resumed = response.status == 206
            if not resumed:
                have = 0
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            digest = _hash_prefix(part) if resumed else hashlib.sha256()
            done = have
            try:
                with open(part, "ab" if resumed else "wb") as out:
                    os.chmod(part, 0o600)
                    while block := response.read(1 << 16):
                        if cancelled is not None and cancelled():
                            raise Cancelled(f"download of {url} cancelled at {done} bytes; pull it again to resume")
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            except (OSError, urllib.error.URLError, http.client.HTTPException) as e:
                raise MnemoError(
                    f"download of {url} stopped at {done} bytes ({e}); run the same command to resume"
                ) from None
            if total is not None and done < total:  # the server closed the connection early
                raise MnemoError(
                    f"download of {url} stopped at {done} of {total} bytes (the connection "
                    "closed); run the same command to resume"
                )
    else:
        digest = _hash_prefix(part)
    if digest.hexdigest() != sha256:
        part.unlink(missing_ok=True)
        raise ModelError(
            f"checksum mismatch for {url}: expected {sha256}, got {digest.hexdigest()}; "
            "the partial file was removed, check the URL and --sha256"
        )
    os.replace(part, target)
    return target
