"""Edits and regenerations keep the old versions as branches (the active path is what the
window, the screen and the exports follow), and forgetting erases: the text leaves the
database file, a forget that named less than a memory holds removes only that part, and the
undo is a copy this process keeps. Real SQLite files; mnemo's scripted model."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from mnemo import Assistant
from mnemo.store import Store, migrations
from tests.conftest import Clock


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def assistant(scripted_home, clock):
    a = Assistant.open(clock=clock)
    yield a
    a.close()


def on_disk(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.glob("mnemo.db*") if p.is_file())


def fts_terms(home: Path, prefix: str) -> list[str]:
    from sqlite_utils.utils import sqlite3 as mnemos_sqlite

    with mnemos_sqlite.connect(home / "mnemo.db") as conn:
        conn.execute("create virtual table temp.v using fts5vocab(main, memories_fts, 'row')")
        return [r[0] for r in conn.execute("select term from temp.v where term like ?", [prefix + "%"])]


# ------------------------------------------------------------------ versions


def test_regenerating_keeps_the_old_reply_as_a_version_to_step_back_to(assistant):
    first = assistant.send("What is a quokka?")
    again = assistant.regenerate()
    for _ in again:
        pass
    second = again.reply
    assert second.message_id != first.message_id
    path = assistant.history()
    assert [m.id for m in path] == [path[0].id, second.message_id]  # the new reply is on the path
    assert assistant.versions() == {first.message_id: (1, 2), second.message_id: (2, 2)}
    third = assistant.regenerate()
    list(third)
    assert assistant.versions()[third.reply.message_id] == (3, 3)

    shown = assistant.switch_version(third.reply.message_id, -1)
    assert shown.id == second.message_id
    assert [m.id for m in assistant.history()][-1] == second.message_id
    assert assistant.switch_version(first.message_id, -1).id == first.message_id  # the first stays first
    # the conversation goes on from the version shown; the other versions keep their own
    assistant.switch_version(second.message_id, -1)
    follow = assistant.send("And where do they live?")
    assert assistant._store.message(follow.message_id).parent_id is not None
    assert [m.content for m in assistant.history()][-2] == "And where do they live?"
    assistant.switch_version(first.message_id, 2)  # to the third version: no follow-up there
    assert [m.id for m in assistant.history()][-1] == third.reply.message_id
    assistant.switch_version(third.reply.message_id, -2)
    assert assistant.history()[-1].id == follow.message_id  # its follow-up comes back with it
    exported = json.loads(assistant.export_conversation(fmt="json"))
    assert [m["id"] for m in exported["messages"]] == [m.id for m in assistant.history()]
    assert len(exported["messages"]) == 4


def episode_sources(assistant) -> set[int]:
    return {r.source_message_id for r in assistant.memories(episodes=True, kind="episode")}


def recalled_elsewhere(assistant, query: str) -> str:
    """What another conversation would be given for ``query`` (recall leaves out the window)."""
    here = assistant.conversation_id
    assistant.new_conversation()
    try:
        return " ".join(m.text for m in assistant.recall(query))
    finally:
        assistant.use_conversation(here)


def test_switching_back_to_a_version_brings_its_episodes_back(assistant):
    """An edit drops the old version's episodes; switching back to it remembers them again,
    and the version switched away from leaves memory."""
    first = assistant.send("I saw the wombats of Tasmania.")
    old_user = assistant.history()[0]
    assert {old_user.id, first.message_id} <= episode_sources(assistant)
    edited = assistant.stream("I saw the quolls of Victoria.", edit=old_user.id)
    list(edited)
    new_user = assistant.history()[0]
    on_path = {new_user.id, edited.reply.message_id}
    assert on_path <= episode_sources(assistant)
    assert not {old_user.id, first.message_id} & episode_sources(assistant)
    assert "wombats" not in recalled_elsewhere(assistant, "wombats Tasmania")

    assistant.switch_version(new_user.id, -1)  # back to the first version
    assert [m.id for m in assistant.history()] == [old_user.id, first.message_id]
    sources = episode_sources(assistant)
    assert {old_user.id, first.message_id} <= sources and not on_path & sources
    assert "wombats" in recalled_elsewhere(assistant, "wombats Tasmania")
    assert "quolls" not in recalled_elsewhere(assistant, "quolls Victoria")
    assistant.switch_version(old_user.id, 1)  # and forth: once each, never twice
    assert on_path <= episode_sources(assistant)
    assert sorted(r.source_message_id for r in assistant.memories(episodes=True, kind="episode")) == sorted(on_path)


def test_a_regenerated_reply_switched_back_to_is_remembered_again(assistant):
    first = assistant.send("What do echidnas eat?")
    again = assistant.regenerate()
    list(again)
    assert first.message_id not in episode_sources(assistant)
    assistant.switch_version(again.reply.message_id, -1)
    sources = episode_sources(assistant)
    assert first.message_id in sources and again.reply.message_id not in sources


def test_a_message_answered_again_is_not_recalled_as_a_memory_of_itself(assistant):
    assistant.send("My favourite quokka at the zoo is called Quincy.")
    assistant.new_conversation()
    assistant.send("Which quokka at the zoo is my favourite?")
    assert assistant.wait_idle(60)
    user = assistant.history()[0]
    again = assistant.regenerate()
    list(again)
    sources = {m.source_message_id for m in again.reply.memories}
    assert again.reply.memories and user.id not in sources  # the first chat is recalled, not this one


def test_an_edit_is_a_new_version_with_its_own_time_and_the_title_follows_it(assistant, clock):
    assistant.send("helo, what is a quokka?")
    old = assistant.history()[0]
    conv = assistant.conversation()
    assert conv.title == "helo, what is a quokka?"
    clock.now += 600
    for _ in assistant.stream("hello, what is a quokka?", edit=old.id):
        pass
    path = assistant.history()
    assert [m.content for m in path][0] == "hello, what is a quokka?"
    assert path[0].created_at == clock.now and assistant._store.message(old.id).created_at == old.created_at
    assert assistant._store.message(old.id).content == "helo, what is a quokka?"  # kept, not overwritten
    assert assistant.versions()[old.id] == (1, 2) and assistant.versions()[path[0].id] == (2, 2)
    assert assistant.conversation().title == "hello, what is a quokka?"
    assert "helo" not in assistant.export_conversation()  # Markdown follows the active path

    assistant.rename_conversation(conv.id, "Marsupials")  # a title the user chose stays
    for _ in assistant.stream("hi, what is a quokka?", edit=path[0].id):
        pass
    assert assistant.conversation().title == "Marsupials"
    assert len(assistant._store.all_messages(conv.id)) == 6


def test_an_edit_of_a_later_message_keeps_what_came_before(assistant):
    assistant.send("first question")
    assistant.send("second qestion")
    second = assistant.history()[2]
    for _ in assistant.stream("second question", edit=second.id):
        pass
    assert [m.content for m in assistant.history()] == [
        "first question",
        "Echo: first question",
        "second question",
        "Echo: second question",
    ]
    assert assistant.switch_version(assistant.history()[2].id, -1).id == second.id
    assert [m.content for m in assistant.history()][2:] == ["second qestion", "Echo: second qestion"]


def test_conversations_show_follows_the_active_version(scripted_home, mnemo):
    with Assistant.open() as a:
        a.send("What is a wombat?")
        for _ in a.stream("What is a quokka?", edit=a.history()[0].id):
            pass
        cid = a.conversation_id
    shown = mnemo("conversations", "show", str(cid))
    assert shown.returncode == 0, shown.stderr
    assert "quokka" in shown.stdout and "wombat" not in shown.stdout


# ---------------------------------------------------------------- forgetting


def test_forgetting_erases_the_text_from_the_file_and_undo_puts_it_back(assistant, scripted_home):
    home = scripted_home
    assistant.remember("My bike is named zanzibarqueen.")
    assistant.remember("My cat is called Tom.")
    assert assistant.wait_idle(60)
    assert b"zanzibarqueen" in on_disk(home) and fts_terms(home, "zanzibar")

    reply = assistant.send("forget my bike")
    assert reply.text.startswith("Done, I forgot 1 memory") and len(reply.forgotten) == 1
    # the half of the undo that is on disk: nothing
    assert b"zanzibarqueen" not in on_disk(home) and fts_terms(home, "zanzibar") == []
    db = assistant._store.db
    tomb = db.execute("select text, subject, meta, status from memories where kind = 'fact' and status != 'active'")
    assert tomb.fetchall() == [("", None, None, "forgotten")]  # a tombstone without content
    assert (
        db.execute(
            "select count(*) from memory_vectors v join memories m on m.id = v.memory_id where m.status = 'forgotten'"
        ).fetchone()[0]
        == 0
    )

    # the other half: the copy this process kept puts it back, searchable again
    assert assistant.undo_forget(reply.forgotten[0]) == 1
    assert "The user's bike is called zanzibarqueen." in [r.text for r in assistant.memories()]
    assert fts_terms(home, "zanzibar")
    assert assistant.wait_idle(60)
    assert any("zanzibarqueen" in m.text for m in assistant.search_memories("what is my bike called"))

    assistant.forget("my bike")  # once the copy is dropped, the forget is final
    assert b"zanzibarqueen" not in on_disk(home)


def test_a_forget_that_names_part_of_a_memory_removes_only_that_part(assistant, scripted_home):
    assistant.remember("I am allergic to peanuts and cashews")
    assert assistant.wait_idle(60)
    reply = assistant.send("/forget peanuts")
    assert reply.text == 'Done, I forgot 1 memory about "peanuts". I kept the rest: You are allergic to cashews.'
    assert [r.text for r in assistant.memories()] == ["The user is allergic to cashews."]
    memories = assistant._store.db.execute("select text from memories where kind = 'fact'").fetchall()
    assert memories == [("The user is allergic to cashews.",)]
    assert fts_terms(scripted_home, "peanut") == []
    assert assistant.undo_forget(reply.forgotten[0]) == 1
    assert [r.text for r in assistant.memories()] == ["The user is allergic to peanuts and cashews."]


def test_exports_hold_only_live_memories(scripted_home, mnemo):
    assert mnemo("memory", "add", "My bike is named zanzibarqueen.").returncode == 0
    assert mnemo("memory", "add", "My cat is called Tom.").returncode == 0
    bike = next(m for m in mnemo("memory", "list", "--json").json() if "bike" in m["text"])
    assert mnemo("memory", "forget", str(bike["id"]), "--json").returncode == 0
    out = mnemo("memory", "export")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["The user's cat is called Tom."]
    assert b"zanzibarqueen" not in on_disk(scripted_home)
    # an older export's forgotten row is not brought back by an import
    legacy = scripted_home / "old.jsonl"
    legacy.write_text(json.dumps({"kind": "fact", "text": "The user owns a yacht.", "status": "forgotten"}) + "\n")
    assert mnemo("memory", "import", str(legacy)).returncode == 0
    assert b"yacht" not in on_disk(scripted_home)


def test_memories_forgotten_before_this_version_lose_their_text(home, monkeypatch):
    import mnemo.store as store_module

    every = migrations.MIGRATIONS
    assert every[7][0] == "008_erase_forgotten_text"
    monkeypatch.setattr(store_module, "MIGRATIONS", every[:7])
    old = Store.open(home / "mnemo.db", clock=Clock())
    old.db.execute(
        "insert into memories (kind, text, subject, status, created_at, updated_at) "
        "values ('fact', 'The user hides cash in the piano.', 'cash', 'forgotten', 1, 1)"
    )
    old.db.execute(
        "insert into memories (kind, text, subject, status, created_at, updated_at) "
        "values ('fact', 'The user drinks rooibos.', 'drink', 'active', 1, 1)"
    )
    old.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", every)
    new = Store.open(home / "mnemo.db", clock=Clock())
    assert new.db.execute("select text, subject from memories order by id").fetchall() == [
        ("", None),
        ("The user drinks rooibos.", "drink"),
    ]
    new.scrub()
    new.close()
    with sqlite3.connect(home / "mnemo.db") as conn:
        conn.execute("vacuum")
    assert b"piano" not in (home / "mnemo.db").read_bytes()
    # the copy made before migrating is still the older version's database, less the erased text
    (backup,) = home.glob("mnemo.db.before-008_erase_forgotten_text.bak")
    assert b"piano" not in backup.read_bytes() and b"cash" not in backup.read_bytes()
    from sqlite_utils.utils import sqlite3 as with_fts5  # mnemo's SQLite (FTS5 secure-delete)

    with with_fts5.connect(backup) as conn:
        assert conn.execute("select text from memories order by id").fetchall() == [
            ("",),
            ("The user drinks rooibos.",),
        ]
        assert "008_erase_forgotten_text" not in {r[0] for r in conn.execute("select name from _migrations")}
        assert conn.execute("select count(*) from memories_fts where memories_fts match 'piano'").fetchone() == (0,)


def test_a_model_that_dies_loading_keeps_the_versions_straight(assistant, monkeypatch):
    from mnemo.errors import BackendError

    assistant.send("What is a quokka?")
    user = assistant.history()[0]

    def dead():
        raise BackendError("the model's process died while loading")

    monkeypatch.setattr(assistant, "load_model", dead)
    with pytest.raises(BackendError):
        list(assistant.regenerate())
    path = assistant.history()
    assert [m.id for m in path][0] == user.id and len(path) == 2  # the question is not repeated
    assert path[1].finish_reason == "error" and assistant.versions()[path[1].id] == (2, 2)
    with pytest.raises(BackendError):
        list(assistant.stream("What is a wombat?", edit=user.id))
    assert [m.content for m in assistant.history()] == ["What is a wombat?", ""]
    assert assistant.versions()[user.id] == (1, 2)


@pytest.mark.parametrize(
    "forget", ["forget everything about my brother", "forget Sam", "Forget what I told you about Sam"]
)
def test_a_forget_finds_a_person_by_any_of_their_names_and_erases_it(assistant, scripted_home, clock, forget):
    for said in ["My brother is called Sam.", "Sam is moving to Oslo.", "My sister lives in Rome."]:
        clock.now += 60
        assistant.send(said)
    assistant.new_conversation()
    assert assistant.wait_idle(60)
    assert fts_terms(scripted_home, "oslo")
    reply = assistant.send(forget)
    assert reply.finish_reason == "memory" and reply.text.startswith("Done, I forgot 1 memory and ")
    # not in the memories, their full-text index or their vectors (the conversation keeps its messages)
    assert fts_terms(scripted_home, "oslo") == [] and fts_terms(scripted_home, "sam") == []
    db = assistant._store.db
    assert not db.execute("select count(*) from memories where text like '%Sam%' or text like '%brother%'").fetchone()[
        0
    ]
    assert not db.execute(
        "select count(*) from memory_vectors v join memories m on m.id = v.memory_id where m.status = 'forgotten'"
    ).fetchone()[0]
    left = db.execute("select text from memories where status = 'active' and text like '%Rome%'").fetchall()
    assert ("My sister lives in Rome.",) in left  # the sister is someone else
    assistant.new_conversation()
    recalled = assistant.send("Where is Sam moving to?").memories
    assert not any("Oslo" in m.text or "Sam" in m.text for m in recalled)
