"""What a model's process falls back to when llama.cpp crashes, and what is remembered (pure)."""

from __future__ import annotations

import json
import os
import stat

from mnemo.engine import probe
from mnemo.engine.probe import AMX, GPU, REPACK, Crash, Setup


def test_a_first_start_probes_with_llama_cpps_defaults_and_a_verdict_skips_the_probe():
    assert probe.start(None, None) == Setup(repack=True, gpu=True, probe=True)
    remembered = {"repack": False, "gpu": True, "why": [AMX]}
    assert probe.start(None, remembered) == Setup(repack=False, gpu=True, probe=False, why=(AMX,))
    assert probe.start(True, remembered).repack is True  # models.toml wins
    assert probe.start(False, None).repack is False


def test_a_crash_on_the_cpu_turns_the_repacked_kernels_off_and_names_amx_when_the_cpu_has_it():
    plain = probe.fallback(Setup(), Crash("probe", 0, amx=False), "m", None)
    assert plain == Setup(repack=False, gpu=True, probe=True, why=(REPACK,))
    amx = probe.fallback(Setup(), Crash("probe", 0, amx=True), "m", None)
    assert amx is not None and amx.why == (AMX,) and "AMX" in AMX
    assert probe.fallback(amx, Crash("probe", 0, amx=True), "m", None) is None  # nothing left to try


def test_a_crash_with_layers_on_the_gpu_turns_offloading_off_first_unless_the_cpu_has_amx():
    first = probe.fallback(Setup(), Crash("load", 28), "qwen", None)
    assert first is not None and (first.gpu, first.repack) == (False, True)
    assert first.why == (GPU.format(model="qwen"),) and "'qwen'" in first.why[0]
    second = probe.fallback(first, Crash("probe", 0), "qwen", None)  # on the CPU now, still crashing
    assert second is not None and (second.gpu, second.repack) == (False, False)
    with_amx = probe.fallback(Setup(), Crash("load", 28, amx=True), "qwen", None)
    assert with_amx is not None and (with_amx.gpu, with_amx.repack) == (True, False)
    then = probe.fallback(with_amx, Crash("probe", 28, amx=True), "qwen", None)
    assert then is not None and (then.gpu, then.repack) == (False, False)


def test_a_setting_forced_in_models_toml_is_never_changed_and_a_crash_before_loading_has_no_cure():
    assert probe.fallback(Setup(), Crash("probe", 0), "m", True) is None
    assert probe.fallback(Setup(repack=False), Crash("probe", 0), "m", False) is None
    assert probe.fallback(Setup(), Crash(None), "m", None) is None  # died importing llama.cpp (SIGILL)


def test_verdicts_live_in_a_private_file_and_a_damaged_one_is_read_as_none(tmp_path):
    path = tmp_path / "home" / probe.FILE
    verdicts = probe.Verdicts(path)
    assert verdicts.get("k") is None
    verdicts.put("k", Setup(repack=False, why=(AMX,)), model="smollm2-135m")
    assert probe.Verdicts(path).get("k") == {"repack": False, "gpu": True, "why": [AMX], "model": "smollm2-135m"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["verdicts"]["k"]["repack"] is False
    path.write_text("{not json")
    assert probe.Verdicts(path).get("k") is None
    probe.Verdicts(path).put("k", Setup())
    assert probe.Verdicts(path).get("k")["repack"] is True
    assert not [p for p in path.parent.iterdir() if p.name != probe.FILE]  # no temporary file left


def test_a_setting_forced_in_models_toml_is_not_kept_as_what_the_machine_needs(tmp_path):
    verdicts = probe.Verdicts(tmp_path / probe.FILE)
    verdicts.put("forced", Setup(repack=False))  # repack = false in models.toml, nothing crashed
    verdicts.put("found", Setup(repack=False, why=(REPACK,)))
    assert probe.Verdicts(tmp_path / probe.FILE).get("forced")["repack"] is True
    assert probe.Verdicts(tmp_path / probe.FILE).get("found")["repack"] is False


def test_a_verdict_the_file_cannot_take_still_holds_for_this_process(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    verdicts = probe.Verdicts(tmp_path / "not-a-folder" / probe.FILE)
    verdicts.put("k", Setup(repack=False, why=(AMX,)))
    assert verdicts.get("k")["repack"] is False
    assert probe.Verdicts(tmp_path / "not-a-folder" / probe.FILE).get("k") is None


def test_without_a_file_verdicts_hold_for_this_process():
    here = probe.verdicts(None)
    assert probe.verdicts(None) is here
    here.put("only-here", Setup(gpu=False))
    assert probe.verdicts(None).get("only-here")["gpu"] is False


def test_the_key_changes_with_the_model_file(tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 16)
    first = probe.key(model)
    assert probe.key(model) == first
    model.write_bytes(b"GGUF" + b"\0" * 32)
    os.utime(model, ns=(1, 1))
    assert probe.key(model) != first
