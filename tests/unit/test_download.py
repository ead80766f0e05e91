"""`mnemo models pull` against a real HTTP server on 127.0.0.1 (Range requests supported)."""

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mnemo import config
from mnemo.engine import download, sources
from mnemo.errors import MnemoError, ModelError

PAYLOAD = b"GGUF" + bytes(range(256)) * 4000  # about 1 MB
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(BaseHTTPRequestHandler):
    ranges: list[str | None] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path != "/models/tiny.gguf":
            self.send_error(404)
            return
        rng = self.headers.get("Range")
        type(self).ranges.append(rng)
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            body = PAYLOAD[start:]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            body = PAYLOAD
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    Handler.ranges = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_pull_downloads_verifies_and_registers(mnemo, home, server):
    url = f"{server}/models/tiny.gguf"
    result = mnemo("models", "pull", url, "--sha256", SHA)
    assert result.returncode == 0, result.stderr
    target = home / "models" / "tiny.gguf"
    assert target.read_bytes() == PAYLOAD
    assert not (home / "models" / "tiny.gguf.part").exists()
    spec = config.load_registry().get("tiny")
    assert (spec.source, spec.sha256) == (url, SHA)
    assert sources.resolve(spec, models_dir=home / "models") == target
    # pulling by name again is a no-op that re-verifies the file
    again = mnemo("models", "pull", "tiny")
    assert again.returncode == 0, again.stderr
    assert Handler.ranges == [None]


def test_pull_resumes_a_partial_download(home, server):
    target = home / "models" / "tiny.gguf"
    target.parent.mkdir(parents=True)
    (home / "models" / "tiny.gguf.part").write_bytes(PAYLOAD[:300_000])
    seen = []
    download.pull(f"{server}/models/tiny.gguf", SHA, target, progress=lambda d, t: seen.append((d, t)))
    assert Handler.ranges == ["bytes=300000-"]
    assert target.read_bytes() == PAYLOAD
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert seen[0][0] > 300_000  # progress counts the bytes already there


def test_checksum_mismatch_keeps_nothing(mnemo, home, server):
    result = mnemo("models", "pull", f"{server}/models/tiny.gguf", "--sha256", "0" * 64)
    assert result.returncode == 2
    assert "checksum mismatch" in result.stderr and "Traceback" not in result.stderr
    assert not list((home / "models").iterdir())
    assert not (home / "models.toml").exists()


def test_http_error_and_unreachable_server(home, server):
    with pytest.raises(MnemoError, match="HTTP 404"):
        download.pull(f"{server}/nope.gguf", SHA, home / "x.gguf")
    with pytest.raises(MnemoError, match="cannot reach http://127.0.0.1:9/"):
        download.pull("http://127.0.0.1:9/x.gguf", SHA, home / "x.gguf", timeout=5)


def test_pull_url_needs_a_sha256(mnemo, server):
    result = mnemo("models", "pull", f"{server}/models/tiny.gguf")
    assert result.returncode == 2 and "--sha256" in result.stderr


def test_existing_file_with_other_content_is_not_overwritten(home, server):
    target = home / "models" / "tiny.gguf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"something else")
    with pytest.raises(ModelError, match="another checksum"):
        download.pull(f"{server}/models/tiny.gguf", SHA, target)
    assert target.read_bytes() == b"something else"
