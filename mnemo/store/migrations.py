"""Named, ordered schema migrations, recorded in the ``_migrations`` table.

Append new migrations at the end; never edit or reorder a released one. A database
that records a migration this list does not know was written by a newer mnemo and is
refused without being touched.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database


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


MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [
    ("001_conversations", m001_conversations),
    ("002_messages", m002_messages),
    ("003_messages_fts", m003_messages_fts),
]
