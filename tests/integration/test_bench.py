"""`mnemo bench` prints the documented JSON (the figures themselves are measured, not tested)."""

import pytest


@pytest.mark.model
def test_bench_prints_figures_with_baselines(mnemo_process):
    result = mnemo_process("bench", "--quick", "--only", "startup", "--json")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert set(data) == {"machine", "figures"} and data["machine"]["cpus"] >= 1
    names = [f["name"] for f in data["figures"]]
    assert names == ["ask_no_memory_seconds", "help_seconds", "ask_with_memory_seconds"]
    for f in data["figures"]:
        assert set(f) >= {"name", "value", "unit", "baseline", "ratio", "target", "ok"}
        assert f["value"] > 0 and f["baseline"] > 0 and isinstance(f["ok"], bool)


def test_bench_rejects_unknown_parts(mnemo):  # a usage error: nothing is measured
    result = mnemo("bench", "--only", "warp")
    assert result.returncode == 2 and "unknown part" in result.stderr
    from mnemo.bench import PARTS

    assert "tools" in PARTS and all(p in result.stderr for p in PARTS)  # every part the bench runs is named


@pytest.mark.slow  # mcp-server-time starts
def test_bench_tools_times_a_call_through_the_loop_against_the_direct_call():
    from mnemo import bench

    figures = {f["name"]: f for f in bench.tools(runs=2)}
    direct, through = figures["tool_call_direct_ms"], figures["tool_call_in_turn_ms"]
    assert direct["tool"] == through["tool"] == "get_current_time"  # the real server, installed with mnemo's tests
    assert 0 < direct["value"] and 0 < through["value"] and through["baseline"] == direct["value"]
    assert figures["tool_prompt_tokens_each"]["value"] > 10
    assert figures["tool_prompt_tokens_builtins"]["ok"] is True
