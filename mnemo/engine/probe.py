"""What a local model needs to run on this machine, found by trying (parent side, stdlib only).

A model's process starts with llama.cpp's defaults and, right after loading, decodes one
short batch (the probe). When llama.cpp dies while loading or in that first batched
decode, ``ChildEngine`` starts it again with the next setting known to avoid that class
of crash (``fallback``): the extra buffer types off where the AMX or repacked CPU kernels
crash (llama.cpp #20824, PR #26954), no GPU offload where offloading crashes. What worked
is remembered per CPU, GPU, llama.cpp build and model file in the home (``Verdicts``), so
the next start neither crashes first nor probes again. Nothing is turned off on a machine
that does not need it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

FILE = "llama-probe.json"  # in the home's data dir

AMX = "llama.cpp's AMX kernels crash on this CPU; running without them (repack = false)"
REPACK = "llama.cpp's repacked CPU kernels crash on this CPU; running without them (repack = false)"
GPU = "llama.cpp crashes offloading '{model}' to the GPU; running it on the CPU (n_gpu_layers = 0)"


@dataclass(frozen=True)
class Setup:
    """How a model's process loads the model."""

    repack: bool = True  # llama.cpp's extra buffer types (AMX, repacked CPU kernels): its use_extra_bufts
    gpu: bool = True  # offload layers as n_gpu_layers says; False: every layer on the CPU
    probe: bool = True  # decode one short batch right after loading
    why: tuple[str, ...] = ()  # each setting turned off, and why, for the user

    def to_dict(self) -> dict[str, Any]:
        return {"repack": self.repack, "gpu": self.gpu, "probe": self.probe, "why": list(self.why)}

    def verdict(self) -> dict[str, Any]:
        """What this machine needs, as its crashes showed: a setting forced in models.toml is
        not part of it (the repacked kernels are off only where a fallback turned them off)."""
        return {"repack": not {AMX, REPACK} & set(self.why), "gpu": self.gpu, "why": list(self.why)}


@dataclass(frozen=True)
class Crash:
    """Where the model's process was when it died, as it last said."""

    stage: str | None  # "load", "probe", or None (it died before saying: importing llama.cpp)
    gpu_layers: int = 0  # layers it was putting on the GPU
    amx: bool = False  # the CPU has AMX, as llama.cpp's system info says


def start(forced_repack: bool | None, remembered: dict[str, Any] | None) -> Setup:
    """The setup of a first start: the remembered verdict (no probe: it was made), else
    llama.cpp's defaults with a probe; ``repack`` in models.toml wins over both."""
    setup = Setup()
    if remembered is not None:
        setup = Setup(
            repack=bool(remembered.get("repack", True)),
            gpu=bool(remembered.get("gpu", True)),
            probe=False,
            why=tuple(remembered.get("why", ())),
        )
    if forced_repack is not None:
        setup = replace(setup, repack=forced_repack)
    return setup


def fallback(setup: Setup, crash: Crash, model: str, forced_repack: bool | None) -> Setup | None:
    """The next setup to try after ``crash``, or None when no known setting avoids it.

    With layers on the GPU, offloading is turned off first, unless the CPU has AMX (then its
    kernels are the likelier cause, and keeping the GPU is worth a try). Without, the extra
    buffer types go. A setting forced in models.toml is never changed.
    """
    if crash.stage is None:
        return None
    can_repack = setup.repack and forced_repack is None
    on_gpu = crash.gpu_layers != 0 and setup.gpu
    if can_repack and (not on_gpu or crash.amx):
        return replace(setup, repack=False, probe=True, why=(*setup.why, AMX if crash.amx else REPACK))
    if on_gpu:
        return replace(setup, gpu=False, probe=True, why=(*setup.why, GPU.format(model=model)))
    return None


# ------------------------------------------------------------------ the machine


@functools.cache  # the same for the whole process; a start computes the key twice (warm.ahead, ChildEngine)
def _cpu() -> str:
    """The CPU as the OS describes it: model name and instruction flags (Linux), else the
    platform's words."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            first = f.read(65536).split("\n\n")[0]
    except OSError:
        return f"{platform.machine()} {platform.processor()} {os.cpu_count()}"
    keep = ("model name", "flags", "features", "cpu implementer", "cpu part", "vendor_id", "hardware")
    return "\n".join(line.strip() for line in first.splitlines() if line.split(":")[0].strip().lower() in keep)


def cpu_name() -> str:
    for line in _cpu().splitlines():
        if line.lower().startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


@functools.cache
def _gpus() -> str:
    """The NVIDIA GPUs as the driver lists them (no nvidia-smi: it is slow to start), or
    Apple silicon's."""
    root = Path("/proc/driver/nvidia/gpus")
    try:
        return "\n".join(sorted((p / "information").read_text(errors="replace") for p in root.iterdir()))
    except OSError:
        return "apple" if platform.system() == "Darwin" and platform.machine() == "arm64" else ""


@functools.cache
def _package() -> Path | None:
    """llama-cpp-python's folder, found without importing it (None: not installed)."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


@functools.cache
def _build() -> str:
    """llama-cpp-python's version and its native libraries' sizes and times (a rebuild with
    other flags is another build), found without importing it."""
    package = _package()
    if package is None:
        return "none"
    libs = sorted(p for p in package.rglob("*") if p.suffix in (".so", ".dylib", ".dll") or ".so." in p.name)
    stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in libs]
    return json.dumps([version(), stats])


def version() -> str:
    """llama-cpp-python's version, read from its ``__init__.py`` without importing it: the
    package metadata's lookup scans every installed distribution (about 50 ms in mnemo's
    environment, before the model's process starts)."""
    package = _package()
    if package is None:
        return "unknown"
    try:
        head = (package / "__init__.py").read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        head = ""
    found = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", head, re.M)
    if found:
        return found[1]
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("llama-cpp-python")
    except PackageNotFoundError:
        return "unknown"


def key(model_file: Path) -> str:
    """One verdict's key: this CPU, these GPUs, this llama.cpp build and this model file."""
    stat = model_file.stat()
    parts = [_cpu(), _gpus(), _build(), str(model_file.resolve()), stat.st_size, stat.st_mtime_ns]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


# ------------------------------------------------------------------ remembering


@dataclass
class Verdicts:
    """What worked for each (CPU, GPU, build, model file), in a JSON file in the home; with
    no file, for this process only."""

    path: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _here: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)  # put by this process

    def _file(self) -> dict[str, dict[str, Any]]:
        """The verdicts in the file (none when there is no file yet, or it is unreadable:
        probing again only costs a start)."""
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        verdicts = data.get("verdicts") if isinstance(data, dict) else None
        return verdicts if isinstance(verdicts, dict) else {}

    def get(self, key: str) -> dict[str, Any] | None:
        """The verdict for ``key``: this process's own (kept even where the file cannot be
        written), else the file's."""
        found = self._here.get(key) or self._file().get(key)
        return found if isinstance(found, dict) else None

    def put(self, key: str, setup: Setup, **about: Any) -> None:
        """Keep what ``setup`` shows this machine needs (``Setup.verdict``) for ``key``."""
        verdict = {**setup.verdict(), **about}
        with self._lock:
            self._here[key] = verdict
            verdicts = self._file()
            if self.path is None or verdicts.get(key) == verdict:
                return
            verdicts[key] = verdict
            from mnemo.paths import private_dir

            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            try:
                private_dir(self.path.parent)
                fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump({"verdicts": verdicts}, f, indent=1)
                os.replace(tmp, self.path)
            except OSError:  # a read-only home: the verdict holds for this process
                with contextlib.suppress(OSError):
                    tmp.unlink()


_shared: dict[Path | None, Verdicts] = {}


def verdicts(path: Path | None) -> Verdicts:
    """The verdicts kept in ``path`` (one object per file in this process)."""
    if path not in _shared:
        _shared[path] = Verdicts(path)
    return _shared[path]
