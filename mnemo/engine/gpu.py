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
    return (os.path.exists("/proc/driver/nvidia/gpus") or shutil.which("nvidia-smi") is not None
            or (sys.platform == "darwin" and platform.machine() == "arm64"))


def gpu_names() -> list[str]:
    """NVIDIA GPUs with their memory, as nvidia-smi tells (empty when it is not there)."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return []
    try:
        out = subprocess.run([smi, "--query-gpu=name,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=5, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [" · ".join(part.strip() for part in line.split(",")) for line in out.splitlines() if line.strip()]
