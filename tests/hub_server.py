"""A local HTTP server on 127.0.0.1 that speaks the part of the Hugging Face Hub's API that
pulls use: a repo's listing (``/api/models/ORG/REPO[/revision/REV]``, with sizes and LFS
sha256 when asked for blobs) and file downloads (``/ORG/REPO/resolve/REV/FILE``, with HTTP
Range), gated repos, unknown repos, and a switch that cuts a download part way."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit


@dataclass
class Repo:
    files: dict[str, bytes]
    gated: bool = False
    listed_sha: dict[str, str] = field(default_factory=dict)  # a wrong checksum in the listing, by file

    @property
    def commit(self) -> str:
        return hashlib.sha1(json.dumps(sorted(self.files)).encode()).hexdigest()


class Hub:
    def __init__(self):
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.cut_after: int | None = None  # the next full download stops after this many bytes
        self.slow: float = 0.0  # seconds to wait before each 64 KiB of a download
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.do_GET(head=True)

            def do_GET(self, head: bool = False):
                path = unquote(urlsplit(self.path).path)
                hub.requests.append((self.command, path, dict(self.headers)))
                if path.startswith("/api/models/"):
                    return self.listing(path[len("/api/models/") :])
                if "/resolve/" in path:
                    return self.file(path, head)
                self.fail(404, "EntryNotFound")

            def fail(self, code: int, error: str):
                body = json.dumps({"error": error}).encode()
                self.send_response(code)
                self.send_header("X-Error-Code", error)
                self.send_header("X-Error-Message", error)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def listing(self, rest: str):
                repo_id = "/".join(rest.split("/")[:2])
                repo = hub.repos.get(repo_id)
                if repo is None:
                    return self.fail(404, "RepoNotFound")
                siblings = [
                    {
                        "rfilename": name,
                        "size": len(data),
                        "blobId": hashlib.sha1(data).hexdigest(),
                        "lfs": {
                            "size": len(data),
                            "pointerSize": 134,
                            "sha256": repo.listed_sha.get(name, hashlib.sha256(data).hexdigest()),
                        },
                    }
                    for name, data in repo.files.items()
                ]
                body = json.dumps(
                    {
                        "id": repo_id,
                        "modelId": repo_id,
                        "sha": repo.commit,
                        "private": False,
                        "gated": "manual" if repo.gated else False,
                        "siblings": siblings,
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def file(self, path: str, head: bool):
                repo_part, _, rest = path.lstrip("/").partition("/resolve/")
                repo = hub.repos.get(repo_part)
                name = rest.partition("/")[2]
                if repo is None or name not in repo.files:
                    return self.fail(404, "EntryNotFound")
                if repo.gated and not self.headers.get("Authorization"):
                    return self.fail(403, "GatedRepo")
                data = repo.files[name]
                start = 0
                if rng := self.headers.get("Range"):
                    start = int(rng.split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Repo-Commit", repo.commit)
                self.end_headers()
                if head:
                    return
                if hub.cut_after is not None and not rng:
                    cut, hub.cut_after = hub.cut_after, None
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if hub.slow:
                    try:
                        for i in range(0, len(body), 1 << 16):
                            time.sleep(hub.slow)
                            self.wfile.write(body[i : i + (1 << 16)])
                    except OSError:
                        pass  # the client went away (a cancelled pull)
                    return
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def downloads(self) -> list[tuple[str, str | None]]:
        """(file path, Range header) of every download asked for."""
        return [(p, h.get("Range")) for m, p, h in self.requests if m == "GET" and "/resolve/" in p]
