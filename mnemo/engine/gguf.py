"""Read the metadata header of a GGUF file without loading the model.

Used to check a file before handing it to llama.cpp (a clear error instead of a crash),
to pick the default context length, and by `mnemo doctor` / `mnemo models show`.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from mnemo.errors import ModelError

MAGIC = b"GGUF"
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
_CHUNK = 1 << 20
_MAX_STRING = 64 << 20  # a chat template or token is never this long: the file is corrupt


class _Corrupt(Exception):
    pass


def _read(f: BinaryIO, n: int) -> bytes:
    b = f.read(n)
    if len(b) != n:
        raise _Corrupt("the file ends inside its header")
    return b


def _string(f: BinaryIO) -> str:
    (n,) = struct.unpack("<Q", _read(f, 8))
    if n > _MAX_STRING:
        raise _Corrupt("a header string is impossibly long")
    return _read(f, n).decode("utf-8", errors="replace")


def _skip_strings(f: BinaryIO, count: int) -> None:
    """Step over ``count`` strings (the vocabulary: most of the header), walking their lengths
    in a buffer read a megabyte at a time (a read and a seek per string took 45 ms for a
    49,152-token vocabulary, before every answer)."""
    unpack = struct.Struct("<Q").unpack_from
    base = f.tell()
    buf, pos = f.read(_CHUNK), 0
    for _ in range(count):
        if pos + 8 > len(buf):
            base += pos
            f.seek(base)
            buf, pos = f.read(_CHUNK), 0
            if len(buf) < 8:
                raise _Corrupt("the file ends inside its header")
        (n,) = unpack(buf, pos)
        if n > _MAX_STRING:
            raise _Corrupt("a string in the header is longer than the file could hold")
        pos += 8 + n
    f.seek(base + pos)


def _value(f: BinaryIO, vtype: int, keep: bool) -> Any:
    if vtype in _SCALARS:
        fmt = _SCALARS[vtype]
        return struct.unpack(fmt, _read(f, struct.calcsize(fmt)))[0]
    if vtype == _STRING:
        return _string(f)
    if vtype == _ARRAY:
        (etype,) = struct.unpack("<I", _read(f, 4))
        (count,) = struct.unpack("<Q", _read(f, 8))
        if etype in _SCALARS and not keep:
            f.seek(count * struct.calcsize(_SCALARS[etype]), 1)
            return count
        if etype == _STRING and not keep:  # the vocabulary: skipped, not decoded (it is most of the header)
            _skip_strings(f, count)
            return count
        items = [_value(f, etype, keep) for _ in range(count)]
        return items if keep else count
    raise _Corrupt(f"unknown metadata value type {vtype}")


# Headers read in this process, by file and its size and time: stepping over the vocabulary
# costs about 30 ms of CPU a read, and one process may check the same file many times (each
# Assistant opened checks the model's fit; a chat app's test run opens hundreds).
_headers: dict[tuple[str, int, int, int], dict[str, Any]] = {}
_HEADERS = 8


def read_metadata(path: Path, keep_arrays: bool = False) -> dict[str, Any]:
    """Metadata key/values of a GGUF file; arrays are replaced by their length unless asked.

    Raises ModelError naming the file when it is missing, unreadable or not a GGUF file.
    """
    try:
        if keep_arrays:
            return _read_header(path, keep_arrays=True)
        st = os.stat(path)
        key = (os.fspath(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if key not in _headers:
            if len(_headers) >= _HEADERS:
                _headers.clear()
            _headers[key] = _read_header(path, keep_arrays=False)
        return dict(_headers[key])
    except FileNotFoundError:
        raise ModelError(f"model file {path} does not exist; fix the source in models.toml") from None
    except IsADirectoryError:
        raise ModelError(f"model file {path} is a directory, not a .gguf file") from None
    except PermissionError:
        raise ModelError(f"model file {path} cannot be read; check its permissions") from None
    except (_Corrupt, struct.error, MemoryError) as e:
        raise ModelError(f"model file {path} is corrupt or truncated ({e}); re-download it") from None


def _read_header(path: Path, keep_arrays: bool) -> dict[str, Any]:
    with open(path, "rb") as f:
        if f.read(4) != MAGIC:
            raise ModelError(
                f"{path} is not a GGUF model file (wrong magic bytes); "
                "re-download it or point models.toml at a .gguf file"
            )
        version, n_tensors, n_kv = struct.unpack("<IQQ", _read(f, 20))
        if version not in (2, 3) or n_kv > 1 << 20 or n_tensors > 1 << 24:
            raise _Corrupt(f"unsupported GGUF version {version} or a damaged header")
        meta: dict[str, Any] = {"GGUF.version": version, "GGUF.tensor_count": n_tensors}
        for _ in range(n_kv):
            key = _string(f)
            (vtype,) = struct.unpack("<I", _read(f, 4))
            meta[key] = _value(f, vtype, keep_arrays)
        return meta


def training_context(meta: dict[str, Any]) -> int | None:
    arch = meta.get("general.architecture")
    value = meta.get(f"{arch}.context_length")
    return int(value) if isinstance(value, int) else None


N_CTX_CAP = 8192  # the longest context mnemo asks of a model by default (the KV cache grows with it)


def context_for(meta: dict[str, Any], wanted: int | None) -> int:
    """The context a model runs with: models.toml's ``n_ctx``, else its training context
    capped at N_CTX_CAP (the KV cache grows with it)."""
    return wanted or min(training_context(meta) or 4096, N_CTX_CAP)
