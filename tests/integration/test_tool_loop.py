"""The turn's tool loop with mnemo's scripted model writing each family's raw call text:
parsing while streaming, approval (allow, ask, deny, always), storage, the rounds cap,
cut results, stopping mid-call, and /tool. The built-in tools and a small MCP server of
the test's own are the real tools."""

from __future__ import annotations

import sys

import pytest

from mnemo import Assistant
from mnemo.config import load_settings
from mnemo.engine import scripted
from mnemo.engine.scripted import call_text
from mnemo.errors import BadInput
from mnemo.paths import Home
from mnemo.tools.calls import FAMILIES
from mnemo.tools.policy import Answer
from mnemo.turn import Finished, TextDelta, ToolFinished, ToolStarted

TOOLS_MODELS = 'default = "echo"\n[[models]]\nname = "echo"\nkind = "scripted"\ntools = true\n'
PLAIN_MODELS = 'default = "echo"\n[[models]]\nname = "echo"\nkind = "scripted"\n'


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        self.now += 1.0
        return self.now


def _open(home, script=(), family="hermes", models=TOOLS_MODELS, config="", **options):
    (home / "models.toml").write_text(models)
    if config:
        (home / "config.toml").write_text(config)
    make = scripted.factory(family=family, script=list(script), **options)
    return Assistant.open(clock=Clock(), engine_factory=make), make


def _events(stream):
    return list(stream.events())


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_s_call_is_read_run_stored_and_answered(home, family):
    a, make = _open(home, [call_text(family, "current_time", {})], family=family)
    try:
        stream = a.stream("What time is it?")
        events = _events(stream)
        reply = stream.reply
        kinds = [type(e).__name__ for e in events if not isinstance(e, TextDelta)]
        assert kinds == ["ToolStarted", "ToolFinished", "Finished"]
        (call,) = reply.tool_calls
        assert (call.tool, call.server, call.decision, call.round) == ("current_time", "mnemo", "allow", 1)
        assert "2027" in call.result  # the injected clock's year, from the real built-in
        assert "<tool_call>" not in reply.text and "TOOL_CALLS" not in reply.text and '"name"' not in reply.text
        assert reply.text.startswith("Echo:") and "2027" in reply.text  # the second generation read the result
        assert a.history()[-1].content == reply.text
        assert a.tool_calls(reply.message_id) == reply.tool_calls
        assert reply.to_dict()["tool_calls"] == [call.to_dict()]
        given, tools = make.made[-1].seen[-1]
        assert tools and {t["function"]["name"] for t in tools} >= {"current_time", "search_memory"}
        assert given[-1]["role"] == "tool" and given[-1]["content"] == call.result
        assert given[-2]["tool_calls"][0]["function"]["name"] == "current_time"
    finally:
        a.close()


def test_a_model_without_tools_is_offered_none_and_its_call_text_stays_text(home):
    a, make = _open(home, [call_text("hermes", "current_time", {})], models=PLAIN_MODELS)
    try:
        reply = a.send("What time is it?")
        assert reply.tool_calls == [] and "<tool_call>" in reply.text
        assert make.made[-1].seen[-1][1] is None
    finally:
        a.close()


def _remember_call(text="The user's cat is called Miso."):
    return call_text("hermes", "remember", {"text": text})


def test_ask_hands_the_approver_the_pending_call_and_allow_once_runs_it(home):
    a, _ = _open(home, [_remember_call()])
    asked = []

    def approve(call):
        asked.append(call)
        return Answer.ONCE

    try:
        reply = a.send("Hello there", approve=approve)
        (pending,) = asked
        assert (pending.tool, pending.decision, pending.why) == ("remember", "deny", "")
        assert pending.arguments == {"text": "The user's cat is called Miso."}
        (call,) = reply.tool_calls
        assert call.decision == "allow" and call.why == "you allowed it" and call.result.startswith("Remembered")
        assert any("Miso" in m.text for m in a.memories())
    finally:
        a.close()


def test_a_denial_changes_nothing_and_the_model_reads_the_denial(home):
    a, make = _open(home, [_remember_call()])
    try:
        before = [m.text for m in a.memories()]
        reply = a.send("Hello there", approve=lambda call: Answer.DENY)
        (call,) = reply.tool_calls
        assert call.decision == "deny" and call.why == "you denied it" and call.error is None
        assert "did not run" in call.result
        assert [m.text for m in a.memories()] == before  # nothing was remembered
        given = make.made[-1].seen[-1][0]
        assert given[-1]["role"] == "tool" and "did not run: you denied it" in given[-1]["content"]
        assert "did not run" in reply.text  # the scripted model echoes what it read
        assert a.tool_calls(reply.message_id)[0].decision == "deny"
    finally:
        a.close()


def test_nobody_to_ask_means_deny_saying_so_unless_the_run_allows_the_tool(home):
    a, _ = _open(home, [_remember_call(), "No.", _remember_call("The user's dog is called Rex.")])
    try:
        denied = a.send("Hello there").tool_calls[0]
        assert denied.decision == "deny" and "--allow-tool" in denied.why
        allowed = a.send("Hello again", allowed=["remember"]).tool_calls[0]
        assert allowed.decision == "allow" and "--allow-tool" in allowed.why
        texts = " ".join(m.text for m in a.memories())
        assert "Rex" in texts and "Miso" not in texts
    finally:
        a.close()


def test_always_allow_writes_config_toml_and_holds_for_the_session(home):
    (home / "config.toml").write_text('theme = "textual-light"  # kept\n')
    a, _ = _open(home, [_remember_call(), "Done.", _remember_call("The user's dog is called Rex.")])
    try:
        first = a.send("Hello there", approve=lambda call: Answer.ALWAYS).tool_calls[0]
        assert first.decision == "allow" and "always" in first.why
        second = a.send("Hello again").tool_calls[0]  # nobody to ask now: the rule holds
        assert second.decision == "allow"
        text = (home / "config.toml").read_text()
        assert 'theme = "textual-light"  # kept' in text
        assert load_settings(Home.resolve(home)).tools.rules == {"remember": "allow"}
    finally:
        a.close()


def test_config_rules_deny_and_allow(home):
    config = '[tools.rules]\nremember = "deny"\ncurrent_time = "allow"\n'
    a, _ = _open(home, [_remember_call()], config=config)
    try:
        call = a.send("Hello there", approve=lambda call: pytest.fail("a denied tool is never asked")).tool_calls[0]
        assert call.decision == "deny" and call.why == "denied in config.toml"
    finally:
        a.close()


def test_calls_that_cannot_be_run_are_refused_and_the_model_is_told(home):
    script = [
        "<tool_call>{not json</tool_call>",
        call_text("hermes", "launch_rockets", {}),
        call_text("hermes", "search_memory", {"limit": 3}),  # "query" is required
    ]
    a, make = _open(home, script)
    try:
        reply = a.send("Do things", approve=lambda call: pytest.fail("nothing here is asked"))
        bad, unknown, misfit = reply.tool_calls
        assert bad.tool == "?" and "could not be read" in bad.error
        assert unknown.tool == "launch_rockets" and "no tool named launch_rockets" in unknown.error
        assert misfit.tool == "search_memory" and "'query' is a required property" in misfit.error
        assert all(c.decision == "deny" and c.result is None for c in reply.tool_calls)
        assert [c.round for c in reply.tool_calls] == [1, 2, 3]
        assert "Error:" in make.made[-1].seen[-1][0][-1]["content"]
    finally:
        a.close()


def test_the_rounds_cap_stops_the_loop_with_a_notice(home):
    script = [call_text("hermes", "current_time", {})] * 4
    a, make = _open(home, script, config="[tools]\nrounds = 2\n")
    try:
        reply = a.send("Keep asking the time")
        assert [c.round for c in reply.tool_calls] == [1, 2]
        assert any("rounds = 2" in n for n in reply.notices)
        assert len(make.made[-1].seen) == 3  # two rounds of calls, then the generation whose calls did not run
        assert "<tool_call>" not in reply.text
    finally:
        a.close()


def test_a_long_result_is_cut_to_result_tokens_with_a_note(home):
    a, make = _open(home, [call_text("hermes", "current_time", {})], config="[tools]\nresult_tokens = 3\n")
    try:
        (call,) = a.send("What time is it?").tool_calls
        assert call.cut is True
        assert "[result cut to 3 of its" in call.result
        assert len(call.result.split("\n")[0].split()) <= 3
        assert make.made[-1].seen[-1][0][-1]["content"] == call.result
    finally:
        a.close()


def test_stopping_at_a_call_keeps_the_call_and_the_partial_reply(home):
    a, _ = _open(home, ["Let me note that. " + _remember_call()])
    try:
        before = len(a.memories())
        stream = a.stream("Hello there", approve=lambda call: Answer.ONCE)
        for event in stream.events():
            if isinstance(event, ToolStarted):
                stream.close()
                break
        last = a.history()[-1]
        assert last.finish_reason == "stopped" and last.content == "Let me note that. "
        (call,) = a.tool_calls(last.id)
        assert call.decision == "allow" and call.error == "stopped before it ran" and call.result is None
        assert len(a.memories()) == before  # it never ran
    finally:
        a.close()


def test_stopping_while_the_model_writes_a_call_saves_the_text_and_no_call(home):
    a, _ = _open(home, ["Sure. " + _remember_call()[:30]], rate=200)
    try:
        stream = a.stream("Hello there")
        for event in stream.events():
            if isinstance(event, TextDelta):  # "Sure" is shown; the call is still being written
                stream.close()
                break
        last = a.history()[-1]
        assert last.finish_reason == "stopped" and "tool_call" not in last.content
        assert a.tool_calls(last.id) == []
    finally:
        a.close()


def test_slash_tool_forces_a_call_even_for_a_model_without_tools(home):
    a, make = _open(home, models=PLAIN_MODELS)
    try:
        stream = a.stream("/tool current_time")
        events = _events(stream)
        reply = stream.reply
        assert [type(e) for e in events if not isinstance(e, TextDelta)] == [ToolStarted, ToolFinished, Finished]
        (call,) = reply.tool_calls
        assert call.decision == "allow" and call.why == "you asked for it (/tool)" and "2027" in call.result
        assert "2027" in reply.text  # the model answered with the result
        assert make.made[-1].seen[-1][1] is None  # and was offered no tools
        assert a.history()[-2].content == "/tool current_time"
        search = a.send('/tool search_memory {"query": "cat"}').tool_calls[0]
        assert search.arguments == {"query": "cat"} and search.decision == "allow"
    finally:
        a.close()


def test_a_slash_tool_message_is_the_tools_to_do_not_read_by_the_memory_rules(home):
    a, _ = _open(home, models=PLAIN_MODELS)
    try:
        reply = a.send('/tool remember {"text": "I like green tea"}')
        assert [c.decision for c in reply.tool_calls] == ["allow"]
        memories = [m.text for m in a.memories()]
        assert len(memories) == 1 and "green tea" in memories[0] and '"' not in memories[0]  # once, by the tool
        assert reply.remembered == []  # the rules wrote nothing
    finally:
        a.close()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("/tool launch_rockets", "there is no tool named launch_rockets"),
        ("/tool search_memory {query: cat}", "not JSON"),
        ("/tool search_memory []", "must be a JSON object"),
        ("/tool search_memory {}", "'query' is a required property"),
        ("/tool", "needs a tool's name"),
    ],
)
def test_a_bad_slash_tool_is_one_clear_error_and_nothing_is_saved(home, text, said):
    a, _ = _open(home, models=PLAIN_MODELS)
    try:
        with pytest.raises(BadInput, match=said):
            a.send(text)
        assert a.history() == []
    finally:
        a.close()


def test_regenerate_makes_a_new_reply_with_its_own_calls(home):
    time_call = call_text("hermes", "current_time", {})
    a, _ = _open(home, [time_call, "It is morning.", time_call])
    try:
        first = a.send("What time is it?")
        stream = a.regenerate()
        list(stream)
        second = stream.reply
        assert second.message_id != first.message_id
        assert len(a.tool_calls(first.message_id)) == 1 and len(a.tool_calls(second.message_id)) == 1
        assert a.tool_calls(second.message_id)[0].id != a.tool_calls(first.message_id)[0].id
    finally:
        a.close()


def test_deleting_the_conversation_erases_its_calls(home):
    a, _ = _open(home, [call_text("hermes", "current_time", {})])
    try:
        reply = a.send("What time is it?")
        assert a.tool_calls(reply.message_id)
        a.delete_conversation(reply.conversation_id)
        assert a.tool_calls(reply.message_id) == []
    finally:
        a.close()


def test_tools_none_offers_nothing_and_a_choice_offers_only_it(home):
    a, make = _open(home)
    try:
        a.send("hello", tools=[])
        assert make.made[-1].seen[-1][1] is None
        a.send("hello again", tools=["current_time"])
        assert [t["function"]["name"] for t in make.made[-1].seen[-1][1]] == ["current_time"]
    finally:
        a.close()


PROBE = """
import time
from mcp.server.mcpserver import MCPServer

app = MCPServer("probe")

@app.tool()
def slow(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"

app.run()
"""


@pytest.mark.slow
def test_a_server_that_never_answers_times_out_and_the_turn_goes_on(home, tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    config = (
        f"[mcp.servers.probe]\ncommand = {str(sys.executable)!r}\nargs = [{str(script)!r}]\ntimeout = 1\n"
        '[mcp.servers.probe.tools]\nslow = "allow"\n'
    ).replace("'", '"')
    a, make = _open(home, [call_text("hermes", "slow", {"seconds": 60})], config=config)
    try:
        reply = a.send("Sleep for a minute")
        (call,) = reply.tool_calls
        assert call.decision == "allow" and call.result is None
        assert "did not answer within 1 s" in call.error
        assert reply.finish_reason == "stop" and "did not answer" in reply.text  # the model was told
        assert reply.timings.total_ms < 20_000
    finally:
        a.close()


def test_a_local_model_s_call_body_is_written_under_the_grammar_once_the_marker_is_read(home):
    body = '{"name": "search_memory", "arguments": {"query": "cat"}}'
    a, make = _open(home, ['Looking. <tool_call>\n{"name": "launch_rock'], grammar_body=body)
    try:
        reply = a.send("Hello there")
        (call,) = reply.tool_calls
        assert (call.tool, call.arguments, call.decision) == ("search_memory", {"query": "cat"}, "allow")
        ((prefix, schema),) = make.made[-1].after
        assert prefix == "Looking. <tool_call>"  # what the model wrote up to the marker, not its own body
        names = {o["properties"]["name"]["const"] for o in schema["anyOf"]}
        assert names == {t.name for t in a.toolbox.offered()}
        assert reply.text.startswith("Looking.") and "launch" not in reply.text
    finally:
        a.close()


def test_without_memory_the_memory_tools_are_not_offered_nor_run(home):
    (home / "models.toml").write_text(TOOLS_MODELS)
    make = scripted.factory(family="hermes", script=[])
    a = Assistant.open(clock=Clock(), engine_factory=make, memory=False)
    try:
        a.send("hello")
        offered = {t["function"]["name"] for t in make.made[-1].seen[-1][1]}
        assert "current_time" in offered and not offered & {"search_memory", "remember", "forget"}
        call = a.send('/tool remember {"text": "The user likes tea."}').tool_calls[0]
        assert call.result is None and "memory is off" in call.error
        assert a.memories() == []
    finally:
        a.close()


def test_incognito_reads_no_memory_through_tools(home):
    a, make = _open(home)
    try:
        a.remember("The user likes tea.")
        a.new_conversation(incognito=True)
        a.send("hello")
        offered = {t["function"]["name"] for t in make.made[-1].seen[-1][1]}
        assert "current_time" in offered and not offered & {"search_memory", "remember", "forget"}  # as recall
        call = a.send('/tool search_memory {"query": "tea"}').tool_calls[0]
        assert call.result is None and "memory is off" in call.error and "likes tea" not in a.history()[-1].content
    finally:
        a.close()


def test_cancel_while_a_builtin_runs_abandons_it_and_saves_the_reply_as_stopped(home, monkeypatch):
    import threading
    import time

    from mnemo.tools import builtin

    started = threading.Event()

    def slow_time(reach, args):
        started.set()
        time.sleep(5)
        return "too late"

    info = builtin.BUILTINS["current_time"].info
    monkeypatch.setitem(builtin.BUILTINS, "current_time", builtin.Builtin(info, slow_time))
    a, _ = _open(home, ["One moment. " + call_text("hermes", "current_time", {})])
    try:
        stream = a.stream("What time is it?")
        threading.Thread(target=lambda: started.wait(10) and stream.stop(), daemon=True).start()
        t0 = time.monotonic()
        events = _events(stream)
        assert time.monotonic() - t0 < 4  # not the tool's five seconds
        reply = stream.reply
        assert isinstance(events[-1], Finished) and reply.finish_reason == "stopped"
        (call,) = reply.tool_calls
        assert call.decision == "allow" and call.error == "stopped while it ran" and call.result is None
        assert a.history()[-1].content == "One moment. " and a.tool_calls(reply.message_id) == [call]
    finally:
        a.close()


def test_a_server_that_will_not_start_is_one_notice_and_the_turn_goes_on(home):
    config = '[mcp.servers.ghost]\ncommand = "/nonexistent/mcp-ghost"\n'
    a, make = _open(home, [call_text("hermes", "current_time", {})], config=config)
    try:
        reply = a.send("What time is it?")
        (notice,) = [n for n in reply.notices if "ghost" in n]
        assert "did not start" in notice and "\n" not in notice
        assert reply.tool_calls[0].tool == "current_time" and reply.tool_calls[0].result
        assert "ghost" not in " ".join(a.send("And now?").notices)  # said once
    finally:
        a.close()
