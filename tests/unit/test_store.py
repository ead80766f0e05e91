import stat

import pytest

from mnemo.errors import NotFound, StoreError
from mnemo.store import Store, fts_query, migrations


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_migrations_from_empty_and_rerun(home):
    clock = FakeClock()
    store = Store.open(clock=clock)
    names = [n for n, _ in migrations.MIGRATIONS]
    assert store.migrations() == names
    applied = {r["name"]: r["applied_at"] for r in store.db["_migrations"].rows}
    store.close()
    clock.now += 100
    again = Store.open(clock=clock)
    assert {r["name"]: r["applied_at"] for r in again.db["_migrations"].rows} == applied
    assert not list(home.glob("*.bak"))  # nothing to migrate, no backup


def test_wal_busy_timeout_and_private_files(home):
    store = Store.open()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "mnemo.db").stat().st_mode) == 0o600


def test_older_database_is_backed_up_then_migrated_once(home, monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:2])
    import mnemo.store as store_module

    monkeypatch.setattr(store_module, "MIGRATIONS", migrations.MIGRATIONS)
    old = Store.open()
    conv = old.create_conversation("old times")
    old.add_message(conv.id, "user", "kept across the upgrade")
    old.close()
    monkeypatch.undo()
    monkeypatch.setenv("MNEMO_HOME", str(home))
    new = Store.open()
    assert new.migrations() == [n for n, _ in migrations.MIGRATIONS]
    backups = list(home.glob("mnemo.db.before-003_messages_fts.bak"))
    assert len(backups) == 1
    assert [h.message.content for h in new.search("upgrade")] == ["kept across the upgrade"]


def test_database_from_a_newer_mnemo_is_refused_untouched(home):
    store = Store.open()
    store.db["_migrations"].insert({"name": "999_future", "applied_at": 1.0})
    store.close()
    before = (home / "mnemo.db").read_bytes()
    with pytest.raises(StoreError, match="newer mnemo"):
        Store.open()
    assert (home / "mnemo.db").read_bytes() == before


def test_corrupt_database_is_reported_not_replaced(home):
    db = home / "mnemo.db"
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot be used"):
        Store.open()
    assert db.read_bytes() == b"this is not sqlite" * 100


def test_conversations_and_messages_use_the_injected_clock(home):
    clock = FakeClock(1000.0)
    store = Store.open(clock=clock)
    conv = store.create_conversation("first", "smollm2-135m")
    clock.now = 2000.0
    u = store.add_message(conv.id, "user", "hello", tokens=2)
    clock.now = 3000.0
    a = store.add_message(conv.id, "assistant", "hi!", parent_id=u.id, finish_reason="stop")
    assert (conv.created_at, u.created_at, a.created_at) == (1000.0, 2000.0, 3000.0)
    assert a.parent_id == u.id and a.finish_reason == "stop"
    assert store.conversation(conv.id).updated_at == 3000.0
    assert store.conversation(conv.id).message_count == 2
    assert [m.content for m in store.messages(conv.id)] == ["hello", "hi!"]


def test_listing_order_pinned_then_newest(home):
    clock = FakeClock(1.0)
    store = Store.open(clock=clock)
    a = store.create_conversation("a")
    clock.now = 2.0
    store.create_conversation("b")
    clock.now = 3.0
    c = store.create_conversation("c")
    store.update_conversation(a.id, pinned=1)
    assert [x.title for x in store.conversations()] == ["a", "c", "b"]
    assert store.latest_conversation().id == c.id


def test_fts_search_stems_and_ranks(home):
    store = Store.open()
    conv = store.create_conversation("pets")
    store.add_message(conv.id, "user", "My dog loves running in the park")
    store.add_message(conv.id, "assistant", "Dogs need exercise")
    store.add_message(conv.id, "user", "What should I cook tonight?")
    hits = store.search("run")
    assert [h.message.content for h in hits] == ["My dog loves running in the park"]
    assert "[running]" in hits[0].snippet
    assert {h.message.content for h in store.search("dog")} == {
        "My dog loves running in the park",
        "Dogs need exercise",
    }


def test_fts_query_never_raises_on_odd_text(home):
    store = Store.open()
    conv = store.create_conversation("x")
    store.add_message(conv.id, "user", 'he said "NEAR(" AND OR * - ^ what?')
    for query in ['"', "AND", "NEAR(", "*", "what?", "  ", "-x", "col:val"]:
        store.search(query)  # must not raise
    assert fts_query('a "b" c') == '"a" "b" "c"'
    assert store.search("   ") == []


def test_delete_removes_messages_and_fts_rows(home):
    store = Store.open()
    conv = store.create_conversation("secret")
    m = store.add_message(conv.id, "user", "my password is hunter2")
    store.add_message(conv.id, "assistant", "noted", parent_id=m.id)
    keep = store.create_conversation("other")
    store.add_message(keep.id, "user", "hunter2 appears here too")
    store.delete_conversation(conv.id)
    with pytest.raises(NotFound):
        store.conversation(conv.id)
    assert store.db["messages"].count == 1
    assert store.db.execute("select count(*) from messages_fts").fetchone()[0] == 1
    assert [h.conversation_title for h in store.search("hunter2")] == ["other"]


@pytest.mark.parametrize("secure_fts", [True, False])
def test_deleted_words_leave_the_full_text_index(home, monkeypatch, secure_fts):
    """With FTS5 secure-delete (SQLite >= 3.44) or, before it, an index merge."""
    import mnemo.store

    monkeypatch.setattr(migrations, "SECURE_FTS", secure_fts and migrations.SECURE_FTS)
    monkeypatch.setattr(mnemo.store, "SECURE_FTS", secure_fts and migrations.SECURE_FTS)
    store = Store.open()
    conv = store.create_conversation()
    store.add_message(conv.id, "user", "the vault code is quaggamire")
    store.add_message(store.create_conversation().id, "user", "unrelated words")

    def on_disk() -> bytes:  # the index keeps the stem "quaggamir"; the table the whole word
        return b"".join(p.read_bytes() for p in home.glob("mnemo.db*"))

    assert b"quaggamir" in on_disk()
    store.delete_conversation(conv.id)
    assert b"quaggamir" not in on_disk() and b"unrelated" in on_disk()


def test_transaction_rolls_back(home):
    store = Store.open()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.db["conversations"].insert({"title": "x", "created_at": 1, "updated_at": 1})
            raise RuntimeError
    assert store.db["conversations"].count == 0


def test_unknown_ids(home):
    store = Store.open()
    with pytest.raises(NotFound, match="no conversation 42"):
        store.conversation(42)
    with pytest.raises(NotFound):
        store.delete_conversation(42)
