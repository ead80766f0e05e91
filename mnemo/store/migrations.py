"""Named, ordered schema migrations, recorded in the ``_migrations`` table.

Append new migrations at the end; never edit or reorder a released one. A database
that records a migration this list does not know was written by a newer mnemo and is
refused without being touched.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.utils import sqlite3

FTS_TABLES = ("messages_fts", "memories_fts")


def _run(db: Database, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's transaction."""
    for statement in script.split(";"):
        lines = [ln.split("--")[0] for ln in statement.splitlines()]
        if "".join(lines).strip():
            db.execute("\n".join(lines))


def m001_conversations(db: Database) -> None:
    db["conversations"].create(
        {
            "id": int,
            "title": str,
            "model": str,
            "created_at": float,
            "updated_at": float,
            "pinned": int,
            "incognito": int,
        },
        pk="id",
        not_null={"created_at", "updated_at"},
        defaults={"title": "", "pinned": 0, "incognito": 0},
    )
    db["conversations"].create_index(["updated_at"])


def m002_messages(db: Database) -> None:
    db["messages"].create(
        {
            "id": int,
            "conversation_id": int,
            "parent_id": int,
            "role": str,
            "content": str,
            "tokens": int,
            "model": str,
            "finish_reason": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "cached_tokens": int,
            "created_at": float,
            "completed_at": float,
            "meta": str,  # JSON: timings and whatever a later feature records
        },
        pk="id",
        not_null={"conversation_id", "role", "content", "created_at"},
        defaults={"content": ""},
        foreign_keys=[("conversation_id", "conversations", "id"), ("parent_id", "messages", "id")],
    )
    db["messages"].create_index(["conversation_id", "id"])
    db["messages"].create_index(["parent_id"])


def m003_messages_fts(db: Database) -> None:
    db["messages"].enable_fts(["content"], create_triggers=True, tokenize="porter")


def m004_memories(db: Database) -> None:
    """Long-term memory: episodes (message chunks), facts, preferences, instructions, lists.

    A memory is never updated in place: a new value about the same ``subject`` supersedes
    the old one (status 'superseded', ``superseded_by``), and forgetting tombstones it
    (status 'forgotten') and deletes its vector. (Since then a tombstone keeps no content:
    its text, subject and meta are erased, see ``Records.forget``.)
    """
    _run(
        db,
        """
        create table memories (
            id integer primary key,
            kind text not null,
            text text not null,
            subject text,
            status text not null default 'active',
            pinned integer not null default 0,
            conversation_id integer,
            source_message_id integer,
            superseded_by integer,
            created_at real not null,
            updated_at real not null,
            meta text
        );
        create index memories_status_kind on memories(status, kind);
        create index memories_subject on memories(subject, status);
        create index memories_source on memories(source_message_id);
        create index memories_conversation on memories(conversation_id);
        create table memory_vectors (
            memory_id integer primary key references memories(id) on delete cascade,
            model text not null,
            content_hash text not null,
            vector blob not null
        );
        """,
    )
    db["memories"].enable_fts(["text"], create_triggers=True, tokenize="porter")


def m005_tasks(db: Database) -> None:
    """Prospective memory: things to do later, fired by the assistant, not the model."""
    _run(
        db,
        """
        create table tasks (
            id integer primary key,
            kind text not null,            -- 'after_replies', 'on_message', 'at_time'
            action text not null,          -- 'append', 'say', 'remind'
            text text not null,            -- what to append / say / remind
            trigger text,                  -- on_message: the phrase
            conversation_id integer,       -- after_replies: counted in this conversation
            due_reply integer,             -- after_replies: fire on this reply number
            due_at real,                   -- at_time: fire on the first reply at or after
            repeat integer not null default 0,
            status text not null default 'pending',  -- 'pending', 'done', 'cancelled'
            fired integer not null default 0,
            source_message_id integer,
            created_at real not null,
            updated_at real not null
        );
        create index tasks_status on tasks(status);
        """,
    )


SECURE_FTS = sqlite3.sqlite_version_info >= (3, 44, 0)  # FTS5 'secure-delete' exists


def m006_privacy_and_pins(db: Database) -> None:
    """Deleted text leaves the full-text indexes at once (FTS5 secure-delete: without it the
    words stay in the index until a merge; older SQLite gets an 'optimize' after each
    deletion instead, see Store.scrub), and pinned memories are found by index."""
    if SECURE_FTS:
        for table in FTS_TABLES:
            db.execute(f"insert into {table}({table}, rank) values ('secure-delete', 1)")
    db.execute("create index memories_pinned on memories(status) where pinned = 1")


def m007_message_branches(db: Database) -> None:
    """Edits and regenerations keep the old versions: a message's siblings (same parent) are
    its other versions, and ``chosen`` marks the one on the conversation's active path (the
    path the window, the screen and the exports follow). Every message stays chosen until a
    sibling is written or picked."""
    db.execute("alter table messages add column chosen integer not null default 1")


def m008_erase_forgotten_text(db: Database) -> None:
    """Memories forgotten before forgetting erased: their text, subject and meta leave the
    file (secure delete; FTS5 secure-delete takes their words out of the index)."""
    db.execute("update memories set text = '', subject = null, meta = null where status = 'forgotten'")


def m009_tool_calls(db: Database) -> None:
    """The tool calls of each reply (ARCHITECTURE.md, Tools): what was called, what was
    decided and why, what came back. They go with their reply and their conversation."""
    _run(
        db,
        """
        create table tool_calls (
            id integer primary key,
            message_id integer not null references messages(id) on delete cascade,
            conversation_id integer not null references conversations(id) on delete cascade,
            seq integer not null,              -- its place among the reply's calls, from 0
            round integer not null default 1,  -- which generate -> call round of the turn
            tool text not null,
            server text not null,
            arguments text not null,           -- JSON
            decision text not null,            -- 'allow', 'deny'
            why text not null default '',
            result text,
            error text,
            ms integer not null default 0,
            cut integer not null default 0,
            created_at real not null
        );
        create index tool_calls_message on tool_calls(message_id, seq);
        create index tool_calls_conversation on tool_calls(conversation_id);
        """,
    )


# Migrations that erase text the user asked to be gone: done again in the copy made before
# migrating (Store._migrate), so the backup does not keep what the upgrade erased.
ERASING = ("008_erase_forgotten_text",)

MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [
    ("001_conversations", m001_conversations),
    ("002_messages", m002_messages),
    ("003_messages_fts", m003_messages_fts),
    ("004_memories", m004_memories),
    ("005_tasks", m005_tasks),
    ("006_privacy_and_pins", m006_privacy_and_pins),
    ("007_message_branches", m007_message_branches),
    ("008_erase_forgotten_text", m008_erase_forgotten_text),
    ("009_tool_calls", m009_tool_calls),
]
