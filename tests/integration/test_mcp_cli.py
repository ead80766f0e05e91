"""`mnemo mcp import` and `mnemo mcp list`, in-process against the test's home."""

import json
import sys
import tomllib

import pytest

CLAUDE = {
    "mcpServers": {
        "time": {"command": "uvx", "args": ["mcp-server-time", "--local-timezone", "Europe/Paris"]},
        "github": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_x", "RETRIES": 3},
            "alwaysAllow": ["list_issues"],
        },
        "remote": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer t"}},
        "legacy": {"type": "sse", "url": "http://localhost:3000/sse"},
        "paused": {"command": "foo", "disabled": True},
    }
}
KEPT = '# my own settings\ntheme = "nord"  # the dark one\n\n[tools]\nrounds = 3\n'


@pytest.fixture
def claude(tmp_path):
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(json.dumps(CLAUDE))
    return path


def _config(home):
    return home / "config.toml"


def test_import_adds_each_server_and_keeps_the_rest_of_the_file(mnemo, home, claude):
    _config(home).write_text(KEPT)
    r = mnemo("mcp", "import", str(claude))
    assert r.returncode == 0, r.stderr
    text = _config(home).read_text()
    assert text.startswith(KEPT)  # comments and order kept
    data = tomllib.loads(text)
    servers = data["mcp"]["servers"]
    assert servers["time"] == {"command": "uvx", "args": ["mcp-server-time", "--local-timezone", "Europe/Paris"]}
    assert servers["github"]["env"] == {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_x", "RETRIES": "3"}
    assert servers["remote"] == {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer t"}}
    assert servers["paused"] == {"command": "foo", "disabled": True}
    assert "legacy" not in servers
    assert "skipped 'legacy': an SSE server" in r.stderr
    assert "'github': left out alwaysAllow" in r.stderr
    assert "added 'time': uvx mcp-server-time --local-timezone Europe/Paris" in r.stderr
    assert data["theme"] == "nord" and data["tools"] == {"rounds": 3}


def test_the_imported_servers_are_settings_mnemo_reads(mnemo, home, claude):
    from mnemo.assistant import load_settings
    from mnemo.paths import Home

    assert mnemo("mcp", "import", str(claude)).returncode == 0
    specs = {s.name: s for s in load_settings(Home.resolve(home)).servers}
    assert set(specs) == {"time", "github", "remote"}  # a disabled one is not started
    assert specs["time"].args == ("mcp-server-time", "--local-timezone", "Europe/Paris")
    assert specs["remote"].headers == {"Authorization": "Bearer t"}


def test_a_name_already_there_is_skipped_and_said(mnemo, home, claude):
    _config(home).write_text('[mcp.servers.time]\ncommand = "mine"\n')
    r = mnemo("mcp", "import", str(claude))
    assert r.returncode == 0
    assert "skipped 'time': config.toml already has a server named 'time'" in r.stderr
    servers = tomllib.loads(_config(home).read_text())["mcp"]["servers"]
    assert servers["time"] == {"command": "mine"} and "github" in servers
    again = mnemo("mcp", "import", str(claude))
    assert again.returncode == 0 and "nothing to add" in again.stderr


def test_a_disabled_server_already_there_counts_as_there(mnemo, home, claude):
    _config(home).write_text('[mcp.servers.paused]\ncommand = "old"\ndisabled = true\n')
    r = mnemo("mcp", "import", str(claude))
    assert "skipped 'paused': config.toml already has" in r.stderr
    assert tomllib.loads(_config(home).read_text())["mcp"]["servers"]["paused"]["command"] == "old"


def test_dry_run_prints_the_tables_and_writes_nothing(mnemo, home, claude):
    _config(home).write_text(KEPT)
    r = mnemo("mcp", "import", str(claude), "--dry-run")
    assert r.returncode == 0
    assert _config(home).read_text() == KEPT
    shown = tomllib.loads(r.stdout)["mcp"]["servers"]
    assert set(shown) == {"time", "github", "remote", "paused"}
    assert "[mcp.servers.time]" in r.stdout and "nothing written" in r.stderr


def test_dry_run_without_a_config_file_creates_none(mnemo, home, claude):
    assert mnemo("mcp", "import", str(claude), "--dry-run").returncode == 0
    assert not _config(home).exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
        ('{"servers": 3}', 'has no "mcpServers" object; the format is {"mcpServers"'),
        ("[1, 2]", 'has no "mcpServers" object'),
        ('{"mcpServers": {"x": {"args": ["a"]}}}', "server 'x' needs command (a program to run) or url"),
        ('{"mcpServers": {"x": {"command": "a", "url": "http://h"}}}', "server 'x' needs command"),
        ('{"mcpServers": {"x": {"command": "a", "args": "one two"}}}', "server 'x' args must be a list of strings"),
        ('{"mcpServers": {"x": {"url": "ftp://h"}}}', "server 'x' url must start with http:// or https://"),
        ('{"mcpServers": {"x": {"command": "a", "env": {"K": null}}}}', "server 'x' env 'K' must be a string"),
        ('{"mcpServers": {"ok": {"command": "a"}, "x": "npx"}}', "server 'x' must be an object"),
    ],
)
def test_a_bad_file_is_one_line_exit_2_and_nothing_written(mnemo, home, tmp_path, content, says):
    _config(home).write_text(KEPT)
    bad = tmp_path / "mcp.json"
    bad.write_text(content)
    r = mnemo("mcp", "import", str(bad))
    assert r.returncode == 2
    assert r.stderr.startswith(f"mnemo: {bad}") and says in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert _config(home).read_text() == KEPT


def test_a_missing_file_or_a_broken_config_is_exit_2(mnemo, home, tmp_path, claude):
    r = mnemo("mcp", "import", str(tmp_path / "nope.json"))
    assert r.returncode == 2 and "does not exist" in r.stderr
    _config(home).write_text("theme = \n")
    broken = mnemo("mcp", "import", str(claude))
    assert broken.returncode == 2 and "invalid TOML" in broken.stderr
    assert _config(home).read_text() == "theme = \n"  # a broken file is reported, never rewritten


def test_vs_code_mcp_json_reads_too(mnemo, home, tmp_path):
    vscode = tmp_path / "mcp.json"
    vscode.write_text(json.dumps({"servers": {"py": {"type": "stdio", "command": sys.executable, "args": ["-V"]}}}))
    assert mnemo("mcp", "import", str(vscode)).returncode == 0
    assert tomllib.loads(_config(home).read_text())["mcp"]["servers"]["py"]["command"] == sys.executable


TIME_SERVER = f"""
[mcp.servers.time]
command = "{sys.executable}"
args = ["-m", "mcp_server_time", "--local-timezone", "UTC"]
trust = true

[mcp.servers.time.tools]
convert_time = "deny"

[mcp.servers.nowhere]
command = "/nonexistent/mcp-server"
"""


def test_list_without_servers_shows_mnemos_own_tools(mnemo, home):
    r = mnemo("mcp", "list", "--json")
    assert r.returncode == 0, r.stderr
    data = r.json()
    [own] = data["servers"]
    assert own["name"] == "mnemo" and own["builtin"] and own["state"] == "built in"
    tools = {t["name"]: t for t in own["tools"]}
    assert {"current_time", "search_memory", "remember", "forget", "read_file"} == set(tools)
    assert tools["current_time"]["rule"] == "allow" and tools["forget"]["rule"] == "ask"
    assert all(t["tokens"] > 0 for t in tools.values())
    assert data["tokens"] == sum(t["tokens"] for t in tools.values()) and data["tools"] == 5
    plain = mnemo("mcp", "list")
    assert "no MCP servers in config.toml" in plain.stderr
    assert plain.stdout.splitlines()[0].split("\t") == ["server", "state", "tool", "rule", "tokens", "notes"]


def test_list_rules_from_config_and_builtin_off(mnemo, home):
    (home / "config.toml").write_text('[tools]\nbuiltin = false\n\n[tools.rules]\ncurrent_time = "deny"\n')
    own = mnemo("mcp", "list", "--json").json()["servers"][0]
    assert own["state"] == "off" and "builtin = false" in own["error"]
    assert {t["name"]: t["rule"] for t in own["tools"]}["current_time"] == "deny"
    assert mnemo("mcp", "list", "--json").json()["tools"] == 0  # nothing of it is offered


@pytest.mark.slow  # starts a real server
def test_list_starts_each_server_and_says_which_failed(mnemo, home):
    (home / "config.toml").write_text(TIME_SERVER)
    r = mnemo("mcp", "list", "--json")
    assert r.returncode == 0, r.stderr
    servers = {s["name"]: s for s in r.json()["servers"]}
    time_server = servers["time"]
    assert time_server["state"] == "running" and time_server["transport"] == "stdio" and time_server["trust"]
    rules = {t["name"]: (t["rule"], t["read_only"]) for t in time_server["tools"]}
    assert rules == {"get_current_time": ("allow", True), "convert_time": ("deny", True)}
    nowhere = servers["nowhere"]
    assert nowhere["state"] == "failed" and "its command was not found" in nowhere["error"]
    assert nowhere["tools"] == []
    plain = mnemo("mcp", "list")
    rows = [line.split("\t") for line in plain.stdout.splitlines()[1:]]
    assert any(r[:4] == ["time", "running", "get_current_time", "allow"] and r[5] == "read-only" for r in rows)
    assert all(t["same_name_as"] is None for t in time_server["tools"])
    assert any(r[0] == "nowhere" and r[1].startswith("failed: MCP server 'nowhere' did not start") for r in rows)
    assert "7 tools, about" in plain.stderr  # five of mnemo's, two of time's


def test_list_no_start_starts_nothing(mnemo, home):
    (home / "config.toml").write_text(TIME_SERVER)
    data = mnemo("mcp", "list", "--json", "--no-start").json()
    servers = {s["name"]: s for s in data["servers"]}
    assert servers["time"]["state"] == servers["nowhere"]["state"] == "not started"
    assert servers["time"]["tools"] == [] and servers["nowhere"]["error"] is None


def test_list_with_a_broken_config_is_exit_2(mnemo, home):
    (home / "config.toml").write_text('[mcp.servers.x]\nargs = ["a"]\n')
    r = mnemo("mcp", "list")
    assert r.returncode == 2 and "server 'x' needs command" in r.stderr
