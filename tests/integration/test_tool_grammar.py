"""Grammar-forced tool calls with the real SmolLM2-135M (the shipped model): once a call
starts, its body is written under a grammar from the offered tools' schemas, so the name is
one that was offered and the arguments validate, in each family's syntax; and a forced
``/tool`` call is answered by the 135M model with the result."""

from __future__ import annotations

import jsonschema
import pytest

from mnemo import Assistant, config
from mnemo.engine import open_engine
from mnemo.tools.builtin import BUILTINS
from mnemo.tools.calls import Call, CallReader, call_schema
from mnemo.tools.loop import tool_specs
from mnemo.tools.mcp import ToolInfo

pytestmark = pytest.mark.model

TIME = ToolInfo(
    "time",
    "get_current_time",
    "Get the current time in a timezone.",
    {
        "type": "object",
        "properties": {"timezone": {"type": "string", "description": "IANA timezone, e.g. Asia/Tokyo"}},
        "required": ["timezone"],
    },
    True,
)
CONVERT = ToolInfo(
    "units",
    "convert",
    "Convert an amount between units.",
    {
        "type": "object",
        "properties": {
            "amount": {"type": "number"},
            "unit": {"type": "string", "enum": ["km", "mi"]},
            "round": {"type": "integer", "minimum": 0, "maximum": 6},
        },
        "required": ["amount", "unit"],
    },
    True,
)
TOOLS = [TIME, CONVERT, BUILTINS["search_memory"].info]
MARKERS = {"hermes": "<tool_call>\n", "llama3": "", "phi4": "<|tool_call|>"}  # object, "parameters", a list


@pytest.fixture(scope="module")
def engine():
    e = open_engine(config.load_registry().get("smollm2-135m"))
    e.wait_ready()
    yield e
    e.close()


@pytest.mark.parametrize("family", list(MARKERS))
def test_a_grammar_forced_call_names_an_offered_tool_with_arguments_that_validate(engine, family):
    messages = [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "What time is it in Tokyo? And how far is 10 km in miles?"},
    ]
    prefix = "I will call a tool. " + MARKERS[family]
    body = engine.complete_after(messages, prefix, call_schema(family, TOOLS), tool_specs(TOOLS), max_tokens=96)
    reader = CallReader(family)
    reader.feed(MARKERS[family] or "")
    _, calls = reader.rewrite(body)
    assert len(calls) == 1 and isinstance(calls[0], Call), body
    call = calls[0]
    offered = {t.name: t for t in TOOLS}
    assert call.name in offered, body
    jsonschema.validate(call.arguments, offered[call.name].schema)
    assert set(call.arguments) <= set(offered[call.name].schema["properties"])  # nothing invented


def test_the_135m_model_answers_a_forced_slash_tool_with_its_result(home):
    with Assistant.open() as a:
        stream = a.stream("/tool current_time", max_tokens=48)
        list(stream)
        reply = stream.reply
        (call,) = reply.tool_calls
        assert call.decision == "allow" and call.why == "you asked for it (/tool)" and call.result
        assert reply.text.strip() and reply.finish_reason in ("stop", "length")
        assert "<tool_call>" not in reply.text
        assert a.tool_calls(reply.message_id) == [call]
