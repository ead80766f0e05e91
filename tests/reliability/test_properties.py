"""Property-based tests (hypothesis): odd input never breaks the parser, the memory
commands or the prompt builder."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnemo import prompt
from mnemo.config import load_registry
from mnemo.errors import ConfigError
from mnemo.memory import rules
from tests.unit.test_prompt import WordEngine

texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
wordy = st.text(alphabet=string.ascii_letters + string.digits + " \n\t.,!?'\"-:;[]{}=#", max_size=300)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.one_of(texts, wordy, st.builds(lambda a, b: f"[[models]]\n{a} = {b}\n", wordy, wordy)))
def test_models_toml_parses_or_says_which_file(home, text):
    (home / "models.toml").write_text(text, encoding="utf-8")
    try:
        load_registry()
    except ConfigError as e:
        assert str(home / "models.toml") in str(e) and "\n" not in str(e)


@FAST
@given(
    st.one_of(
        texts,
        wordy,
        st.sampled_from(
            [
                "remember that ",
                "forget ",
                "add ",
                "remove ",
                "my name is ",
                "in 3 replies remind me ",
                "whenever I say ",
                "my favourite colour is ",
                "I have bought all of the items",
            ]
        ).flatmap(lambda p: wordy.map(lambda w: p + w)),
    )
)
def test_memory_commands_never_raise(text):
    for fact in rules.facts(text):
        assert fact.text.strip() and fact.kind
    for intent in rules.parse(text, now=1_800_000_000.0):
        assert type(intent).__name__ in {"Forget", "Remember", "NewTask", "CancelTask", "ListOp", "Fact"}


history = st.lists(st.tuples(st.integers(0, 400), st.booleans()), max_size=40)


@FAST
@given(
    n_ctx=st.integers(300, 8192),
    reply=st.integers(16, 256),
    system=st.integers(0, 150),
    turns=history,
    user=st.integers(0, 20_000),
    block=st.integers(0, 900),
    reserve=st.integers(0, 600),
)
def test_prompt_never_exceeds_the_context_minus_the_reply(n_ctx, reply, system, turns, user, block, reserve):
    engine = WordEngine(n_ctx)
    past = [
        prompt.Turn("user" if i % 2 == 0 else "assistant", "w " * size, tokens=size if known else None)
        for i, (size, known) in enumerate(turns)
    ]
    user_text = "q " * user + "?"
    try:
        built = prompt.build(engine, "s " * system, past, user_text, reply, memory_block="m " * block, reserve=reserve)
    except Exception as e:  # only a system prompt that leaves no room for any of the message may refuse
        assert "no room" in str(e)
        assert (
            engine.count_prompt(
                [
                    {"role": "system", "content": "s " * system},
                    {"role": "user", "content": prompt.CUT.format(n=len(user_text))},
                ]
            )
            >= n_ctx - reply  # the cut marker alone fills the room: not one character of the message fits
        )
        return
    assert built.tokens == engine.count_prompt(built.messages) <= n_ctx - reply
    assert built.messages[-1]["role"] == "user"
    if built.cut == 0:
        assert built.messages[-1]["content"].endswith(user_text)
