"""A reply's tool calls in the Markdown of `conversations show` and `export`."""

from types import SimpleNamespace

from mnemo.export import markdown, tool_call
from mnemo.tools.toolbox import ToolCall

TOKYO = '{"timezone": "Asia/Tokyo", "datetime": "2027-01-15T17:00:00+09:00"}'


def test_an_allowed_call_shows_its_arguments_decision_time_and_result():
    call = ToolCall("get_current_time", "time", {"timezone": "Asia/Tokyo"}, "allow", "you allowed it", TOKYO, ms=41)
    lines = tool_call(call)
    assert lines[0] == '⚙ `get_current_time` (time) `{"timezone": "Asia/Tokyo"}` · allowed (you allowed it) · 41 ms'
    assert f"    {TOKYO}" in lines


def test_a_denied_call_says_why_and_shows_no_result():
    call = ToolCall("write_file", "files", {"path": "/n/todo.txt"}, "deny", "you denied it", "The call did not run")
    lines = tool_call(call)
    assert lines[0] == '⚙ `write_file` (files) `{"path": "/n/todo.txt"}` · denied: you denied it'
    assert not any(ln.startswith("    ") for ln in lines)


def test_a_failed_call_shows_its_error_and_a_cut_one_says_so():
    failed = ToolCall("slow", "probe", {}, "allow", error="slow on 'probe' did not answer within 1 s", ms=1002)
    assert tool_call(failed)[0] == "⚙ `slow` (probe) · allowed, failed after 1002 ms"
    assert "    slow on 'probe' did not answer within 1 s" in tool_call(failed)
    cut = ToolCall("read_file", "mnemo", {"path": "a"}, "allow", result="x", ms=2, cut=True)
    assert tool_call(cut)[0].endswith("· allowed · 2 ms · result cut to fit")


def test_show_cuts_results_to_a_few_lines_and_long_arguments():
    body = "\n".join(f"row {i}" for i in range(20))
    call = ToolCall("list", "files", {"path": "x" * 300}, "allow", result=body, ms=5)
    shown = tool_call(call, result_lines=6)
    assert "    row 5" in shown and "    row 6" not in shown and "    … 14 more lines" in shown
    assert len(shown[0]) < 260 and "…`" in shown[0]
    whole = tool_call(call)
    assert "    row 19" in whole and "x" * 300 in whole[0]


def test_the_calls_come_before_the_reply_they_belong_to():
    conv = SimpleNamespace(id=3, title="Tokyo", model="qwen", created_at=1_800_000_000.0)
    user = SimpleNamespace(
        id=1, role="user", model=None, content="Time in Tokyo?", created_at=1.8e9, finish_reason=None
    )
    reply = SimpleNamespace(
        id=2, role="assistant", model="qwen", content="It is 17:00.", created_at=1.8e9, finish_reason="stop"
    )
    call = ToolCall("get_current_time", "time", {"timezone": "Asia/Tokyo"}, "allow", "", TOKYO, ms=41)
    text = markdown(conv, [user, reply], {2: [call]})
    assert text.index("Time in Tokyo?") < text.index("⚙ `get_current_time`") < text.index("It is 17:00.")
    assert markdown(conv, [user, reply]).count("⚙") == 0
