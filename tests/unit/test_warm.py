"""Which commands start the model's process ahead (mnemo.__main__, mnemo.engine.warm)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "argv, starts",
    [
        (["ask", "hello"], True),
        (["--verbose", "chat"], True),
        (["ask", "-m", "anything", "hi"], True),
        (["ask", "--help"], False),
        (["chat", "-h"], False),
        (["models", "list"], False),
        ([], False),
    ],
)
def test_only_the_answering_commands_start_the_model_process_ahead(home, argv, starts):
    from mnemo.__main__ import _will_answer

    assert _will_answer(argv) is starts


def test_a_scripted_or_broken_default_starts_nothing_ahead(home):
    from mnemo import config
    from mnemo.__main__ import _will_answer

    (home / "models.toml").write_text('default = "s"\n[[models]]\nname = "s"\nkind = "scripted"\n')
    assert config.load_registry().get(None).kind == "scripted"  # a good file, just not a local model
    assert _will_answer(["ask", "hello"]) is False
    (home / "models.toml").write_text("default = [\n")
    assert _will_answer(["ask", "hello"]) is False
