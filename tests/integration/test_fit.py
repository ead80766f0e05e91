"""The fit estimate from a GGUF header against what llama.cpp itself allocates when it loads
the same model (its own log lines), for both shipped models at two context lengths."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from mnemo import config
from mnemo.engine import fit, gguf, sources

pytestmark = pytest.mark.model

LOAD = """
import sys, llama_cpp
llama_cpp.Llama(model_path=sys.argv[1], n_ctx=int(sys.argv[2]), n_gpu_layers=0, verbose=True)
"""


def reported(path, n_ctx: int) -> tuple[float, float]:
    """(KV cache, compute buffer) in MiB, as llama.cpp logs them while loading."""
    out = subprocess.run(
        [sys.executable, "-c", LOAD, str(path), str(n_ctx)], capture_output=True, text=True, timeout=300, check=True
    ).stderr
    kv = sum(float(x) for x in re.findall(r"KV buffer size =\s*([\d.]+) MiB", out))
    compute = float(re.findall(r"sched_reserve:.*compute buffer size =\s*([\d.]+) MiB", out)[-1])
    return kv, compute


@pytest.mark.parametrize("name", ["smollm2-135m", "gemma3-270m"])
@pytest.mark.parametrize("n_ctx", [2048, 8192])
def test_the_estimate_matches_what_llama_cpp_allocates(home, name, n_ctx):
    path = sources.resolve(config.load_registry().get(name), models_dir=home / "models")
    need = fit.need(fit.Shape.of(gguf.read_metadata(path), path.stat().st_size), n_ctx)
    kv, compute = reported(path, n_ctx)
    assert need.kv_cache / fit.MIB == pytest.approx(kv, rel=0.01)
    assert need.compute / fit.MIB == pytest.approx(compute, rel=0.15)
    assert need.weights == path.stat().st_size


def test_models_list_and_doctor_say_where_each_model_runs(mnemo_process, home):
    listed = {m["name"]: m["fit"] for m in mnemo_process("models", "list", "--json").json()["models"]}
    assert listed["smollm2-135m"].startswith(("CPU only (", "on the GPU (", "layers on the GPU"))
    doctor = {m["name"]: m["fit"] for m in mnemo_process("doctor", "--json").json()["models"]}
    assert doctor["smollm2-135m"] == listed["smollm2-135m"]


def test_a_model_too_big_for_this_machine_is_refused_before_loading(mnemo_process, home, monkeypatch):
    from tests.conftest import files_in, write_user_models

    path = sources.resolve(config.load_registry().get("smollm2-135m"))
    # a context so long that its KV cache alone outgrows any machine this runs on
    write_user_models(
        home, f'default = "huge"\n[[models]]\nname = "huge"\nsource = "{path}"\nn_ctx = 1048576\nn_gpu_layers = 0\n'
    )
    result = mnemo_process("ask", "hi")
    assert result.returncode == 2 and "too big for this machine" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and files_in(home) == {"models.toml"}
