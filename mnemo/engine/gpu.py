"""What GPUs this machine has, asked without loading llama.cpp (stdlib only), so the
parent process can tell the user where a model could run."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys


def gpu_present() -> bool:
    """Whether this machine visibly has a GPU llama.cpp could use (NVIDIA, or Apple silicon)."""
    return (
        os.path.exists("/proc/driver/nvidia/gpus")
        or shutil.which("nvidia-smi") is not None
        or (sys.platform == "darwin" and platform.machine() == "arm64")
    )


def nvidia(*fields: str, units: bool = True) -> list[list[str]]:
    """One row of ``fields`` per NVIDIA GPU, as nvidia-smi tells (empty when it is not there)."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run(
            [smi, f"--query-gpu={','.join(fields)}", "--format=csv,noheader" + ("" if units else ",nounits")],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [[part.strip() for part in line.rsplit(",", len(fields) - 1)] for line in out.splitlines() if line.strip()]


def gpu_names() -> list[str]:
    """NVIDIA GPUs with their memory, e.g. "NVIDIA H200 · 143771 MiB"."""
    return [" · ".join(row) for row in nvidia("name", "memory.total")]
