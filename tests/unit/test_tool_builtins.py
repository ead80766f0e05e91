"""mnemo's own tools, on a reach of the test's own and real files."""

import os
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from mnemo.tools.builtin import BUILTINS, FILE_CHARS
from mnemo.tools.mcp import ToolError


class FakeReach:
    def __init__(self, folders=()):
        self._folders = [Path(f) for f in folders]
        self.kept: list[str] = []

    def now(self):
        return datetime(2026, 12, 1, 7, 45).timestamp()

    def search(self, query, limit):
        rows = [{"kind": "fact", "id": 3, "when": "2026-11-02", "text": f"The user likes {query}."}]
        return rows[:limit] if "nothing" not in query else []

    def remember(self, text):
        self.kept.append(text)
        return f"Kept: {text}"

    def forget(self, query):
        return f"Forgot 1 memory about {query}."

    def folders(self):
        return self._folders


def run(name, reach, **args):
    tool = BUILTINS[name]
    jsonschema.validate(args, tool.info.schema)  # the arguments a grammar would let through
    return tool.run(reach, args)


def test_few_tools_with_short_descriptions_and_valid_schemas():
    assert set(BUILTINS) == {"current_time", "search_memory", "remember", "forget", "read_file"}
    for tool in BUILTINS.values():
        jsonschema.Draft202012Validator.check_schema(tool.info.schema)
        assert len(tool.info.description) <= 90 and tool.info.tokens < 120
    assert {n for n, t in BUILTINS.items() if t.info.read_only} == {"current_time", "search_memory", "read_file"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"query": ""}, BUILTINS["search_memory"].info.schema)


def test_time_search_remember_forget():
    reach = FakeReach()
    assert run("current_time", reach).startswith("Tuesday 01 December 2026, 07:45")
    assert run("search_memory", reach, query="tea") == "[fact 3, 2026-11-02] The user likes tea."
    assert run("search_memory", reach, query="nothing here") == "Nothing found."
    assert run("remember", reach, text="The user's cat is Tom.") == "Kept: The user's cat is Tom." and reach.kept
    assert run("forget", reach, query="cats").startswith("Forgot 1 memory")


def test_read_file_only_inside_the_folders_the_user_opened(tmp_path):
    inside = tmp_path / "notes"
    inside.mkdir()
    (inside / "todo.txt").write_text("buy stamps\n")
    (tmp_path / "secret.txt").write_text("password")
    os.symlink(tmp_path / "secret.txt", inside / "link.txt")
    (inside / "big.txt").write_text("x" * (FILE_CHARS + 10))
    (inside / "blob.bin").write_bytes(b"\0\1\2")
    reach = FakeReach([inside])
    assert run("read_file", reach, path=str(inside / "todo.txt")) == "buy stamps\n"
    assert run("read_file", reach, path="todo.txt") == "buy stamps\n"  # relative to the first folder
    assert run("read_file", reach, path="big.txt").endswith(f"[cut at {FILE_CHARS} characters]")
    for path, why in [
        (str(tmp_path / "secret.txt"), "outside the folders"),
        ("../secret.txt", "outside the folders"),
        ("link.txt", "outside the folders"),  # a link is followed before the check
        ("missing.txt", "is not a file"),
        ("blob.bin", "not a text file"),
    ]:
        with pytest.raises(ToolError, match=why):
            run("read_file", reach, path=path)
    with pytest.raises(ToolError, match="no folder is open"):
        run("read_file", FakeReach(), path="todo.txt")
