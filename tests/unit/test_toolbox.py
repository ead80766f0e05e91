"""The Toolbox: what is offered, which rule holds, "Always allow" in config.toml, a server
that will not start, a built-in's deadline; and the grammar schema of a call."""

from __future__ import annotations

import time

import jsonschema
import pytest

from mnemo.config import ServerSpec, ToolSettings, load_settings
from mnemo.paths import Home
from mnemo.tools.builtin import BUILTINS
from mnemo.tools.calls import call_schema
from mnemo.tools.loop import cut, forced
from mnemo.tools.mcp import ToolError, ToolInfo
from mnemo.tools.policy import Rule
from mnemo.tools.toolbox import Toolbox

MISSING = ServerSpec("ghost", command="/nonexistent/mcp-ghost")


def test_a_server_that_will_not_start_is_left_out_with_one_line_why(tmp_path):
    box = Toolbox(ToolSettings(), (MISSING,), log=tmp_path / "mcp.log")
    try:
        names = [t.name for t in box.offered()]
        assert names == list(BUILTINS)
        (problem,) = box.problems
        assert "ghost" in problem and "\n" not in problem
        assert [t.name for t in box.offered({"current_time"})] == ["current_time"]
        assert box.find("nothing_by_that_name") is None
    finally:
        box.close()


def test_rules_config_then_trusted_read_only_then_ask(tmp_path):
    spec = ServerSpec("git", command="x", trust=True, tools={"git_commit": "deny"})
    box = Toolbox(ToolSettings(rules={"current_time": "deny"}), (spec, ServerSpec("web", command="y")))
    status = ToolInfo("git", "git_status", "", {}, True)
    commit = ToolInfo("git", "git_commit", "", {}, False)
    add = ToolInfo("git", "git_add", "", {}, False)
    fetch = ToolInfo("web", "fetch", "", {}, True)
    assert box.rule(BUILTINS["current_time"].info) is Rule.DENY
    assert box.rule(BUILTINS["search_memory"].info) is Rule.ALLOW  # mnemo's own read-only tool
    assert box.rule(BUILTINS["forget"].info) is Rule.ASK
    assert box.rule(status) is Rule.ALLOW and box.rule(commit) is Rule.DENY and box.rule(add) is Rule.ASK
    assert box.rule(fetch) is Rule.ASK  # read-only, but the server is not trusted


def test_always_writes_the_rule_where_it_belongs_and_keeps_the_file(home):
    config = Home.resolve(home).user_config_file
    config.write_text('# mine\ntheme = "nord"\n\n[mcp.servers.git]\ncommand = "uvx"  # keep\n')
    settings = load_settings(Home.resolve(home))
    box = Toolbox(settings.tools, settings.servers, config_file=config)
    box.always(ToolInfo("git", "git_add", "", {}, False))
    box.always(BUILTINS["forget"].info)
    assert box.rule(BUILTINS["forget"].info) is Rule.ALLOW
    text = config.read_text()
    assert text.startswith('# mine\ntheme = "nord"') and 'command = "uvx"  # keep' in text
    again = load_settings(Home.resolve(home))
    assert again.tools.rules == {"forget": "allow"}
    assert again.servers[0].tools == {"git_add": "allow"}


def test_a_builtin_past_the_deadline_is_a_tool_error():
    class Slow:
        def now(self):
            time.sleep(3)
            return 0.0

    box = Toolbox(ToolSettings(timeout=0.2))
    with pytest.raises(ToolError, match="did not answer within"):
        box.run(BUILTINS["current_time"].info, {}, Slow())


def test_slash_tool_parsing():
    assert forced("/tool current_time") == ("current_time", {})
    assert forced('/tool get_current_time {"timezone": "Asia/Tokyo"}') == (
        "get_current_time",
        {"timezone": "Asia/Tokyo"},
    )
    assert forced("what is /tool?") is None and forced("/toolbox") is None


def test_cut_keeps_within_the_budget_and_says_so():
    text, was_cut = cut("one two three four five six", 3, lambda t: len(t.split()))
    assert was_cut and text.startswith("one two three") and "cut to 3 of its 6 tokens" in text
    assert cut("short", 3, lambda t: 1) == ("short", False)


@pytest.mark.parametrize("family", ["hermes", "llama3", "phi4", "granite", "mistral"])
def test_the_call_schema_admits_offered_calls_only(family):
    tools = [BUILTINS["search_memory"].info, BUILTINS["current_time"].info]
    schema = call_schema(family, tools)
    key = "parameters" if family == "llama3" else "arguments"
    good = {"name": "search_memory", key: {"query": "cat", "limit": 3}}
    wrap = (lambda x: [x]) if family in ("phi4", "granite", "mistral") else (lambda x: x)
    jsonschema.validate(wrap(good), schema)
    for bad in (
        {"name": "launch", key: {}},
        {"name": "search_memory", key: {"limit": 3}},
        {"name": "search_memory", key: {"query": "x", "limit": 99}},
        {"name": "current_time", key: {"extra": 1}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrap(bad), schema)


def test_two_tools_of_one_name_offer_the_first_and_say_how_to_call_the_other(tmp_path, monkeypatch):
    fs = ServerSpec("fs", command="x")
    box = Toolbox(ToolSettings(), (fs,), log=tmp_path / "mcp.log")
    theirs = [ToolInfo("fs", "read_file", "Read a file.", {}, True), ToolInfo("fs", "list_directory", "", {}, True)]
    monkeypatch.setattr(box.servers, "tools", lambda name: theirs)
    offered = box.offered()
    assert [t.name for t in offered].count("read_file") == 1
    assert next(t for t in offered if t.name == "read_file").server == "mnemo"  # as find() says
    assert box.find("read_file").server == "mnemo" and box.find("fs.read_file").server == "fs"
    (problem,) = box.problems
    assert "'fs'" in problem and "/tool fs.read_file" in problem
    assert box.find("mnemo.current_time") is BUILTINS["current_time"].info
    assert [t.name for t in box.offered({"fs"})] == ["read_file", "list_directory"]  # only the server's
