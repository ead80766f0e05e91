"""The Python API: what a turn stores and returns, with mnemo's scripted model (the answer's
content is not the point); the Gemma entry on the real llama.cpp."""

import pytest

from mnemo import Assistant, Reply
from mnemo.errors import BadInput


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        self.now += 1.0
        return self.now


@pytest.fixture
def assistant(scripted_home):
    a = Assistant.open(clock=Clock())
    yield a
    a.close()


def test_send_answers_and_persists_the_turn(assistant):
    reply = assistant.send("What is the capital of France?", max_tokens=32)
    assert reply.text.strip()
    assert reply.model == "echo" and reply.memories == []
    assert reply.usage.prompt_tokens > 10 and reply.usage.completion_tokens > 0
    assert reply.timings.first_token_ms is not None and reply.timings.total_ms >= reply.timings.first_token_ms
    messages = assistant.history()
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].id == reply.message_id and messages[1].content == reply.text
    assert messages[1].parent_id == messages[0].id
    assert messages[0].tokens > 0 and messages[1].finish_reason in ("stop", "length")
    assert messages[1].created_at > messages[0].created_at  # the injected clock


def test_stream_yields_several_deltas_then_holds_the_reply_and_its_typed_events(assistant):
    from mnemo.assistant import Finished, TextDelta

    stream = assistant.stream("Count from one to ten in words.", max_tokens=40)
    with pytest.raises(RuntimeError, match="not finished"):
        _ = stream.reply
    deltas = list(stream)
    assert len(deltas) >= 3 and all(isinstance(d, str) for d in deltas)
    assert isinstance(stream.reply, Reply) and "".join(deltas) == stream.reply.text
    events = list(assistant.stream("Say hi.", max_tokens=8).events())
    assert isinstance(events[-1], Finished) and all(isinstance(e, TextDelta) for e in events[:-1])
    assert "".join(e.text for e in events[:-1]) == events[-1].reply.text


@pytest.fixture
def real_assistant(home):
    a = Assistant.open(clock=Clock())
    yield a
    a.close()


@pytest.mark.model
def test_a_continued_conversation_sends_the_earlier_turns(real_assistant):
    assistant = real_assistant
    first = assistant.send("My name is Zorblax and I collect teapots.", max_tokens=24)
    second = assistant.send("What do I collect?", max_tokens=24)
    assert second.conversation_id == first.conversation_id
    sent = assistant.last_prompt.messages
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[1]["content"] == "My name is Zorblax and I collect teapots."
    assert sent[2]["content"] == first.text
    assert second.usage.prompt_tokens > first.usage.prompt_tokens
    # the KV cache of the first turn is reused: the shared prefix is not evaluated again
    assert second.usage.cached_tokens >= first.usage.prompt_tokens - 1


def test_new_conversation_starts_empty(assistant):
    a = assistant.send("Hello there", max_tokens=8)
    new_id = assistant.new_conversation()
    b = assistant.send("Hi again", max_tokens=8)
    assert b.conversation_id == new_id != a.conversation_id
    assert [m["role"] for m in assistant.last_prompt.messages] == ["system", "user"]


def test_closing_the_stream_keeps_the_partial_reply_marked_stopped(assistant):
    stream = assistant.stream("Write a long story about a lighthouse keeper.", max_tokens=200)
    deltas = iter(stream)
    got = [next(deltas) for _ in range(5)]
    stream.close()
    saved = assistant.history()[-1]
    assert saved.role == "assistant" and saved.finish_reason == "stopped"
    assert saved.content == "".join(got)


def test_observe_records_without_generating(assistant):
    u, a = assistant.observe("I planted tomatoes today.", "Nice, enjoy the harvest!")
    assert (u.role, a.role, a.parent_id, a.finish_reason) == ("user", "assistant", u.id, "observed")
    assert assistant.search_messages("tomatoes")[0].message.id == u.id


def test_empty_message_is_bad_input(assistant):
    with pytest.raises(BadInput, match="empty"):
        assistant.send("   ")
    assert assistant.history() == []


@pytest.mark.model
def test_gemma_entry_runs(home):
    a = Assistant.open(model="gemma3-270m")
    reply = a.send("Say hello.", max_tokens=8)
    assert reply.model == "gemma3-270m" and reply.usage.completion_tokens > 0
    assert a.load_model().template_source == "models.toml"
    assert (
        a.load_model().render([{"role": "user", "content": "hi"}]).startswith("<bos><start_of_turn>user\nhi")
    )  # in its process
    a.close()


def test_progress_events_come_before_the_first_token_only_when_asked(assistant):
    from mnemo.assistant import Finished, Progress, TextDelta

    events = list(assistant.stream("What is the capital of France?", max_tokens=8).events(progress=True))
    first_text = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    before = events[:first_text]
    assert before and all(isinstance(e, Progress) for e in before)
    reading = [e for e in before if e.stage == "reading"]
    assert len(reading) == 1 and reading[0].total > 5
    assert not any(isinstance(e, Progress) for e in events[first_text:])
    assert isinstance(events[-1], Finished)
    plain = list(assistant.stream("Say hi.", max_tokens=8).events())
    assert not any(isinstance(e, Progress) for e in plain)  # consumers of text never see them


def test_memory_commands_in_incognito_say_memory_is_off(assistant):
    assistant.new_conversation(incognito=True)
    for text in ("/remember I like green tea", "remember that my cat is Tom", "remind me in 2 hours to eat"):
        reply = assistant.send(text)
        assert reply.finish_reason == "memory" and reply.text.startswith("Memory is off in this conversation")
        assert assistant.last_prompt is None or "green tea" not in str(assistant.last_prompt.messages)
    assert assistant.memories() == []
    reply = assistant.send("my name is Ada")  # not a command: the model answers, nothing is learnt
    assert reply.finish_reason != "memory" and assistant.memories() == []
    for text in ("What's on my shopping list?", "what's on my list? as JSON please"):  # memory's to answer
        reply = assistant.send(text)
        assert reply.finish_reason == "memory" and reply.text.startswith("Memory is off in this conversation")
    assert assistant.send("What's on my reading list?").finish_reason != "memory"  # no list mnemo keeps
    assistant.new_conversation()
    assert assistant.send("/remember I like green tea").remembered  # outside incognito as before


def test_due_reminders_fire_once_on_time(scripted_home, monkeypatch):
    import time

    from tests.conftest import Clock as HandClock

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clock = HandClock()
    with Assistant.open(clock=clock) as a:
        reply = a.send("remind me in 1 minute to stretch")
        assert reply.text == "OK, I will remind you to stretch at 8:01."
        assert a.due_reminders() == []
        clock.now += 61
        assert a.due_reminders() == ["Reminder: stretch"]
        assert a.due_reminders() == []
        assert "Reminder" not in a.send("hello").text  # fired once, not again with the next message


def test_a_reply_that_goes_on_into_the_memory_block_s_tag_ends_before_it(home):
    """A small model, its notes in the prompt, wrote one of them back and then the block's
    opening tag (`mnemo eval ltm`, SmolLM2-135M): the reply ends where a tag would begin."""
    from mnemo.engine import scripted

    (home / "models.toml").write_text('default = "echo"\n[[models]]\nname = "echo"\nkind = "scripted"\n')
    make = scripted.factory(script=[])
    with Assistant.open(engine_factory=make) as a:
        a.send("My favourite colour is purple.")
        script = make.made[-1].script
        script.append("Your favourite colour is purple. (2 minutes ago)\n<memory>\nWhat you remember from")
        reply = a.send("What is my favourite colour?")
        assert reply.memories and reply.text == "Your favourite colour is purple. (2 minutes ago)"
        script.append("Sure: <memory>kept</memory> is an XML element.")  # no notes in the prompt: plain text
        reply = a.send("Write an XML element named memory.")
        assert not reply.memories and reply.text == "Sure: <memory>kept</memory> is an XML element."
