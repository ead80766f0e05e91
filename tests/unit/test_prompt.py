import pytest

from mnemo import prompt
from mnemo.config import ModelSpec
from mnemo.engine.scripted import ScriptedEngine
from mnemo.errors import BadInput


def WordEngine(n_ctx: int) -> ScriptedEngine:
    """mnemo's scripted engine counts one token per word and four per message of template:
    enough to test budgets."""
    return ScriptedEngine(ModelSpec("fake", kind="scripted"), n_ctx=n_ctx)


def turns(n: int, words: int = 10) -> list[prompt.Turn]:
    return [prompt.Turn("user" if i % 2 == 0 else "assistant", " ".join([f"w{i}"] * words)) for i in range(n)]


def test_everything_fits():
    built = prompt.build(WordEngine(4096), "sys", turns(6), "question", 100)
    assert [m["role"] for m in built.messages] == ["system"] + ["user", "assistant"] * 3 + ["user"]
    assert built.window_start == 0 and built.tokens <= built.budget


def test_overflow_drops_oldest_turns_in_large_steps():
    engine = WordEngine(400)
    starts = []
    history: list[prompt.Turn] = []
    for i in range(60):
        built = prompt.build(engine, "sys", history, "question", 100)
        assert built.tokens <= engine.n_ctx - 100
        assert built.messages[1]["role"] == "user" or len(built.messages) == 2
        starts.append(built.window_start)
        history += [prompt.Turn("user", f"q{i} " * 10), prompt.Turn("assistant", f"a{i} " * 10)]
    changes = sum(1 for a, b in zip(starts, starts[1:]) if a != b)
    assert starts[-1] > 0
    assert all(s % prompt.STEP == 0 for s in starts)
    # with 2 messages a turn and a step of 8, the window start moves at most every 4 turns
    assert changes <= len(starts) // (prompt.STEP // 2) + 1


def test_prefix_is_identical_between_window_moves():
    engine = WordEngine(600)
    history = turns(30, words=12)
    first = prompt.build(engine, "sys", history, "next", 100)
    second = prompt.build(engine, "sys", history + turns(2, words=12), "next", 100)
    if first.window_start == second.window_start:
        assert second.messages[: len(first.messages) - 1] == first.messages[:-1]


def test_window_start_rounds_up_to_step():
    assert prompt.window_start([10] * 20, 1000) == 0
    assert prompt.window_start([10] * 20, 170) == 8  # 3 must go: drop 8
    assert prompt.window_start([10] * 20, 0) == 20


def test_a_message_too_long_for_the_context_is_cut_in_the_middle():
    text = " ".join(f"start{i}" for i in range(600)) + " " + " ".join(f"end{i}" for i in range(600))
    built = prompt.build(WordEngine(512), "sys", turns(4), text, 100)
    sent = built.messages[-1]["content"]
    assert built.tokens <= built.budget and built.cut > 0
    assert sent.startswith("start0 start1") and sent.endswith("end598 end599")
    assert f"{built.cut} characters cut here" in sent
    assert len(sent) < len(text)


def test_a_system_prompt_that_leaves_no_room_is_one_clear_error():
    with pytest.raises(BadInput, match="no room") as info:
        prompt.build(WordEngine(256), "word " * 200, [], "hello", 100)
    assert "\n" not in str(info.value)
