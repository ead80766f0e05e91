"""Tool calls read from each family's raw text, however the stream cuts it."""

import pytest

from mnemo.tools.calls import FAMILIES, BadCall, Call, CallReader, family_of

TIME = {"timezone": "Asia/Tokyo"}


def read(family: str, text: str, cuts: list[int] | None = None) -> tuple[str, list]:
    """Feed ``text`` in pieces cut at ``cuts`` (default: one character a piece)."""
    reader = CallReader(family)
    bounds = [0, *(cuts if cuts is not None else range(1, len(text))), len(text)]
    shown, calls = [], []
    for a, b in zip(bounds, bounds[1:]):
        s, c = reader.feed(text[a:b])
        shown.append(s)
        calls += c
    s, c = reader.finish()
    return "".join(shown) + s, calls + c


def every_cut(family: str, text: str):
    """The same result whether the text comes whole, a character at a time, or cut anywhere in two."""
    whole = read(family, text, [])
    assert read(family, text) == whole
    for at in range(1, len(text)):
        assert read(family, text, [at]) == whole, at
    return whole


CALLS = [
    (
        "hermes",
        'Let me check.\n<tool_call>\n{"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}\n</tool_call>',
    ),
    ("llama3", '{"name": "get_time", "parameters": {"timezone": "Asia/Tokyo"}}'),
    ("llama3", '<|python_tag|>{"name": "get_time", "parameters": {"timezone": "Asia/Tokyo"}}'),
    ("phi4", '<|tool_call|>[{"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}]<|/tool_call|>'),
    ("granite", '<|tool_call|>[{"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}]'),
    ("mistral", '[TOOL_CALLS][{"name": "get_time", "arguments": {"timezone": "Asia/Tokyo"}}]'),
    ("mistral", '[TOOL_CALLS]get_time[ARGS]{"timezone": "Asia/Tokyo"}'),
]


@pytest.mark.parametrize("family,text", CALLS)
def test_each_family_s_call_is_read_at_any_cut(family, text):
    shown, calls = every_cut(family, text)
    assert [(c.name, c.arguments) for c in calls] == [("get_time", TIME)]
    assert "get_time" not in shown and "{" not in shown  # the call is not shown as text
    assert shown.strip() in ("", "Let me check.")


def test_several_calls_in_one_reply():
    text = (
        '<tool_call>{"name": "a", "arguments": {}}</tool_call>\n'
        '<tool_call>{"name": "b", "arguments": {"x": 1}}</tool_call> done'
    )
    shown, calls = every_cut("hermes", text)
    assert [(c.name, c.arguments) for c in calls] == [("a", {}), ("b", {"x": 1})]
    assert shown.split() == ["done"]
    _, listed = every_cut("phi4", '<|tool_call|>[{"name": "a", "arguments": {}}, {"name": "b"}]<|/tool_call|>')
    assert [c.name for c in listed] == ["a", "b"] and listed[1].arguments == {}


def test_arguments_written_as_a_json_string_are_read():
    _, calls = every_cut("hermes", '<tool_call>{"name": "a", "arguments": "{\\"q\\": \\"x\\"}"}</tool_call>')
    assert calls == [Call("a", {"q": "x"}, calls[0].raw)]


@pytest.mark.parametrize(
    "family,text,why",
    [
        ("hermes", '<tool_call>{"name": "get_time", "arguments": {"timezone": </tool_call>', "not JSON"),
        ("hermes", '<tool_call>{"arguments": {}}</tool_call>', "needs a name"),
        ("hermes", '<tool_call>{"name": "a", "arguments": [1]}</tool_call>', "not an object"),
        ("hermes", '<tool_call>{"name": "a", "arguments": {"unclosed": 1}', "not JSON"),  # cut off at the end
        ("mistral", "[TOOL_CALLS]get_time[ARGS]{oops}", "not JSON"),
        ("phi4", "<|tool_call|>[]<|/tool_call|>", "no call"),
    ],
)
def test_a_malformed_call_is_a_bad_call_never_run(family, text, why):
    shown, calls = every_cut(family, text)
    assert len(calls) == 1 and isinstance(calls[0], BadCall) and why in calls[0].why
    assert shown.strip() == ""


def test_plain_text_stays_text_with_marker_look_alikes():
    for family in FAMILIES:
        for text in ["The time is 10:42.", "Use <tool> tags like <b>this</b>", "a [TOOL] and <|other|> token", "<"]:
            assert every_cut(family, text) == (text, []), (family, text)


def test_a_json_answer_is_not_a_call():
    text = '{"city": "Tokyo", "population": 14000000}'
    assert every_cut("llama3", text) == (text, [])
    assert every_cut("hermes", text) == (text, [])
    # and a reply that only later holds a brace is text from its first word
    assert every_cut("llama3", 'Sure: {"a": 1}') == ('Sure: {"a": 1}', [])


def test_a_call_inside_thinking_is_thinking():
    text = '<think>I could call <tool_call>{"name": "a", "arguments": {}}</tool_call> maybe</think>It is noon.'
    shown, calls = every_cut("hermes", text)
    assert calls == [] and shown == text
    after = '<think>hmm</think><tool_call>{"name": "a", "arguments": {}}</tool_call>'
    shown, calls = every_cut("hermes", after)
    assert [c.name for c in calls] == ["a"] and shown == "<think>hmm</think>"
    # llama3's bare JSON after thinking is a call only when nothing but thinking came first
    shown, calls = every_cut("llama3", '<think>x</think>{"name": "a", "parameters": {}}')
    assert [c.name for c in calls] == [] and shown.endswith('{"name": "a", "parameters": {}}')


def test_the_family_is_read_from_the_chat_template():
    assert family_of("{% for tool in tools %}<tool_call>{{ tool }}</tool_call>{% endfor %}") == "hermes"
    assert family_of("{{- '<|python_tag|>' + tool_call.name }}") == "llama3"
    assert family_of("<|tool_call|>{{ x }}<|/tool_call|>") == "phi4"
    assert family_of("<|start_of_role|>assistant<|end_of_role|><|tool_call|>") == "granite"
    assert family_of("[AVAILABLE_TOOLS]{{ tools }}[/AVAILABLE_TOOLS][TOOL_CALLS]") == "mistral"
    assert family_of("{{ messages }}") is None and family_of(None) is None
