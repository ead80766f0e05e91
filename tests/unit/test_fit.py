"""Where a model goes, from its shape and a machine's memory (no GPU needed to test it)."""

from mnemo.engine.fit import GIB, MIB, Machine, Shape, fit, need

# an 8B model's shape (Llama 3 8B, Q4_K_M: about 4.9 GB of weights)
LLAMA8B = Shape(
    "llama",
    layers=32,
    n_embd=4096,
    n_head=32,
    n_head_kv=8,
    key_length=128,
    value_length=128,
    vocab=128256,
    file_bytes=int(4.9 * GIB),
)


def test_the_kv_cache_grows_with_the_context():
    assert need(LLAMA8B, 8192).kv_cache == 32 * 8192 * 8 * 256 * 2 == 1 * GIB
    assert need(LLAMA8B, 4096).kv_cache * 2 == need(LLAMA8B, 8192).kv_cache


def test_a_big_gpu_takes_every_layer():
    where = Machine(ram_total=64 * GIB, ram_available=48 * GIB, gpus=(("H200", 139 * GIB),))
    placed = fit(LLAMA8B, 8192, where)
    assert placed.verdict == "gpu" and placed.gpu_layers == 32 and placed.describe().startswith("on the GPU")


def test_a_small_gpu_takes_some_layers():
    where = Machine(ram_total=32 * GIB, ram_available=24 * GIB, gpus=(("laptop", 4 * GIB),))
    placed = fit(LLAMA8B, 8192, where)
    assert placed.verdict == "partial" and 10 <= placed.gpu_layers < 32
    assert placed.describe().startswith(f"{placed.gpu_layers} of 32 layers on the GPU")
    per_layer = (placed.need.weights + placed.need.kv_cache) / 32
    assert placed.gpu_layers * per_layer + placed.need.compute <= 4 * GIB * 0.9  # what it planned fits


def test_no_gpu_is_cpu_only_and_too_little_ram_is_too_big():
    assert fit(LLAMA8B, 8192, Machine(16 * GIB, 12 * GIB)).verdict == "cpu"
    assert fit(LLAMA8B, 8192, Machine(16 * GIB, 12 * GIB, (("tiny", 256 * MIB),))).verdict == "cpu"
    too_big = fit(LLAMA8B, 8192, Machine(4 * GIB, 3 * GIB))
    assert too_big.verdict == "too big" and "too big for this machine" in too_big.describe()
    assert fit(LLAMA8B, 8192, Machine(64 * GIB, 60 * GIB, (("H200", 139 * GIB),)), offload=False).verdict == "cpu"


def test_apple_silicon_counts_metal_s_share_of_the_memory(monkeypatch):
    import platform
    import sys

    from mnemo.engine import fit as fit_module

    monkeypatch.setattr(fit_module, "_nvidia_free", lambda: [])
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    here = fit_module.machine()
    assert here.gpus and here.gpus[0][0] == "Apple silicon (Metal)"
    assert here.gpu_free == int(here.ram_total * 0.75)


def test_free_gpu_memory_is_read_from_nvidia_smi(tmp_path, monkeypatch):
    """A stand-in nvidia-smi answering as the real one does for the queries mnemo makes."""
    from mnemo.engine import fit as fit_module
    from mnemo.engine import gpu

    smi = tmp_path / "nvidia-smi"
    smi.write_text(
        '#!/bin/sh\ncase "$1" in\n'
        '  *memory.free*) echo "NVIDIA H200, 140000" ;;\n'
        '  *memory.total*) echo "NVIDIA H200, 143771 MiB" ;;\nesac\n'
    )
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert gpu.gpu_names() == ["NVIDIA H200 · 143771 MiB"]
    assert fit_module.machine().gpus == (("NVIDIA H200", 140000 * MIB),)
