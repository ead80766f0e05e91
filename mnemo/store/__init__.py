"""The conversation store: one SQLite file (WAL), opened through sqlite-utils.

Every timestamp comes from the injected clock, never from SQLite. The connection is
shared between threads (the TUI's workers, background memory work) behind one lock;
each public method is one short transaction.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3 as _stdlib_sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.utils import sqlite3

from mnemo import paths
from mnemo.errors import NotFound, StoreError
from mnemo.store.migrations import ERASING, FTS_TABLES, MIGRATIONS, SECURE_FTS

Clock = Callable[[], float]
log = logging.getLogger("mnemo.store")
_DB_ERRORS = (sqlite3.DatabaseError, _stdlib_sqlite3.DatabaseError)


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    model: str | None
    created_at: float
    updated_at: float
    pinned: bool = False
    incognito: bool = False
    message_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: str
    content: str
    created_at: float
    parent_id: int | None = None
    tokens: int | None = None
    model: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_tokens: int | None = None
    completed_at: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SearchHit:
    message: Message
    conversation_title: str
    snippet: str


def _conversation(row: dict[str, Any]) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"] or "",
        model=row["model"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        pinned=bool(row["pinned"]),
        incognito=bool(row["incognito"]),
        message_count=row.get("message_count") or 0,
    )


def _message(row: dict[str, Any]) -> Message:
    meta = json.loads(row["meta"]) if row.get("meta") else {}
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        role=row["role"],
        content=row["content"],
        created_at=row["created_at"],
        parent_id=row["parent_id"],
        tokens=row["tokens"],
        model=row["model"],
        finish_reason=row["finish_reason"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        cached_tokens=row["cached_tokens"],
        completed_at=row["completed_at"],
        meta=meta,
    )


def fts_query(text: str) -> str:
    """Quote every word so that user text is never parsed as FTS5 syntax."""
    words = [w for w in text.replace('"', " ").split() if w.strip()]
    return " ".join(f'"{w}"' for w in words)


def _reason(e: BaseException) -> str:
    """Why a write failed, in words a user can act on."""
    text = str(e.strerror if isinstance(e, OSError) and e.strerror else e)
    if isinstance(e, OSError) and e.errno == errno.EROFS or "readonly" in text or "read-only" in text.lower():
        return "the file system is read-only (check where MNEMO_HOME points and its permissions)"
    if isinstance(e, OSError) and e.errno == errno.ENOSPC or "disk is full" in text:
        return "the disk is full; free some space and try again"
    if isinstance(e, OSError) and e.errno == errno.EACCES:
        return "permission denied (check the owner and permissions of mnemo's data dir)"
    return text


def _erase_in_backup(copy: Path, erasing: list[Callable[[sqlite_utils.Database], None]]) -> None:
    """The erasing migrations done in the copy made before migrating (it keeps its old
    schema and migration list, for an older mnemo), then the file rewritten (VACUUM), so the
    erased text is in neither file. A copy that cannot be scrubbed is deleted, and logged."""
    conn = sqlite3.connect(str(copy), isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        conn.execute("BEGIN")
        for fn in erasing:
            try:
                fn(db)
            except _DB_ERRORS as e:
                if "no such table" not in str(e):  # a copy older than what the migration erases
                    raise
        for table in FTS_TABLES:  # deleted words out of the full-text index too
            if db[table].exists():
                conn.execute(f"insert into {table}({table}) values ('optimize')")
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    except _DB_ERRORS as e:
        conn.close()
        copy.unlink(missing_ok=True)
        log.warning("deleted the backup %s: the text this upgrade erased could not be erased in it (%s)", copy, e)
        return
    conn.close()


class Store:
    def __init__(self, db: sqlite_utils.Database, path: Path, clock: Clock):
        self.db = db
        self.path = path
        self.clock = clock
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | None = None, clock: Clock | None = None) -> Store:
        path = path or paths.Home.resolve().db_path
        try:
            paths.private_dir(path.parent)
            existed = path.exists() and path.stat().st_size > 0
            paths.private_file(path)
        except OSError as e:
            raise StoreError(f"cannot write to {path}: {_reason(e)}") from None
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left in free pages
            db = sqlite_utils.Database(conn, execute_plugins=False)
            store = cls(db, path, clock or time.time)
            store._migrate(backup=existed)
        except StoreError:
            raise
        except _DB_ERRORS as e:
            if _reason(e) != str(e):  # full or read-only, not damaged
                raise StoreError(f"cannot write to database {path}: {_reason(e)}") from None
            raise StoreError(
                f"database {path} cannot be used ({e}); if it is damaged, move it aside and mnemo will start a new one"
            ) from None
        return store

    def _migrate(self, backup: bool) -> None:
        applied = self._applied()
        newer = sorted(applied - {name for name, _ in MIGRATIONS})
        if newer:
            raise StoreError(
                f"database {self.path} was written by a newer mnemo (migration {newer[-1]}); upgrade mnemo to use it"
            )
        if all(name in applied for name, _ in MIGRATIONS):
            return
        copy = None
        if backup and applied:
            copy = self._backup(f"before-{next(n for n, _ in MIGRATIONS if n not in applied)}")
        erasing = [fn for name, fn in MIGRATIONS if name not in applied and name in ERASING]
        # One write transaction for the lot: processes opening a fresh home at once wait for
        # the first one to migrate, then find nothing left to do.
        with self.transaction():
            self.db.execute("create table if not exists _migrations (name text primary key, applied_at float)")
            applied = self._applied()
            for name, fn in MIGRATIONS:
                if name not in applied:
                    fn(self.db)
                    self.db.execute("insert into _migrations (name, applied_at) values (?, ?)", [name, self.clock()])
        if copy is not None and erasing:
            _erase_in_backup(copy, erasing)

    def _applied(self) -> set[str]:
        if not self.db["_migrations"].exists():
            return set()
        return {row[0] for row in self.db.execute("select name from _migrations").fetchall()}

    def _backup(self, label: str) -> Path:
        target = self.path.with_name(f"{self.path.name}.{label}.bak")
        dest = sqlite3.connect(str(paths.private_file(target)))
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        return target

    def migrations(self) -> list[str]:
        return [row["name"] for row in self.db["_migrations"].rows_where(order_by="name")]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            conn = self.db.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                else:
                    conn.execute("COMMIT")
            except sqlite3.OperationalError as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(
                    f"cannot write to database {self.path}: {_reason(e)}; nothing of this step was saved"
                ) from None

    def scrub(self) -> None:
        """After deleting for good: copy the WAL into the database and empty it, so old
        copies of the deleted pages do not linger there either."""
        with self.lock:
            if not SECURE_FTS:  # merge the index so deleted words leave it
                with self.transaction():
                    for table in FTS_TABLES:
                        self.db.execute(f"insert into {table}({table}) values ('optimize')")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())

    # ------------------------------------------------------------ conversations

    def create_conversation(self, title: str = "", model: str | None = None, incognito: bool = False) -> Conversation:
        now = self.clock()
        with self.transaction():
            table = self.db["conversations"].insert(
                {
                    "title": title,
                    "model": model,
                    "created_at": now,
                    "updated_at": now,
                    "pinned": 0,
                    "incognito": int(incognito),
                }
            )
            cid = table.last_pk
        return self.conversation(cid)

    def conversation(self, conversation_id: int) -> Conversation:
        with self.lock:
            rows = list(
                self.db.query(
                    "select c.*, (select count(*) from messages m where m.conversation_id = c.id) "
                    "as message_count from conversations c where c.id = ?",
                    [conversation_id],
                )
            )
        if not rows:
            raise NotFound(f"there is no conversation {conversation_id}; see `mnemo conversations list`")
        return _conversation(rows[0])

    def conversations(self, limit: int | None = None) -> list[Conversation]:
        sql = (
            "select c.*, (select count(*) from messages m where m.conversation_id = c.id) "
            "as message_count from conversations c order by c.pinned desc, c.updated_at desc, c.id desc"
        )
        params: list[Any] = []
        if limit:
            sql += " limit ?"
            params.append(limit)
        with self.lock:
            return [_conversation(r) for r in self.db.query(sql, params)]

    def latest_conversation(self) -> Conversation | None:
        with self.lock:
            row = next(self.db.query("select id from conversations order by updated_at desc, id desc limit 1"), None)
        return self.conversation(row["id"]) if row else None

    def update_conversation(self, conversation_id: int, **changes: Any) -> Conversation:
        allowed = {"title", "model", "pinned", "incognito"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot change {', '.join(sorted(bad))}")
        self.conversation(conversation_id)
        with self.transaction():
            self.db["conversations"].update(conversation_id, changes)
        return self.conversation(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Remove the conversation and its messages for good (the memory bank's
        ``drop_conversation`` removes their episodes in the same transaction)."""
        self.conversation(conversation_id)
        with self.transaction():
            self.delete_conversation_rows(conversation_id)
        self.scrub()

    def delete_conversation_rows(self, conversation_id: int) -> None:
        """The conversation's rows, inside the caller's transaction."""
        self.db.execute("update messages set parent_id = null where conversation_id = ?", [conversation_id])
        self.db.execute("delete from messages where conversation_id = ?", [conversation_id])
        self.db.execute("delete from conversations where id = ?", [conversation_id])

    def delete_messages(self, message_ids: list[int]) -> None:
        """Remove messages for good (the memory bank's ``drop_messages`` removes their
        episodes in the same transaction)."""
        if not message_ids:
            return
        with self.transaction():
            self.delete_message_rows(message_ids)
        self.scrub()

    def delete_message_rows(self, message_ids: list[int]) -> None:
        """These messages' rows, inside the caller's transaction."""
        marks = ",".join("?" * len(message_ids))
        self.db.execute(f"update messages set parent_id = null where parent_id in ({marks})", message_ids)
        self.db.execute(f"delete from messages where id in ({marks})", message_ids)

    # ----------------------------------------------------------------- messages

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        *,
        parent_id: int | None = None,
        tokens: int | None = None,
        model: str | None = None,
        finish_reason: str | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        cached_tokens: int | None = None,
        created_at: float | None = None,
        meta: dict[str, Any] | None = None,
        branch: bool = False,
    ) -> Message:
        """Append a message. With ``branch`` it is a new version of its siblings (the
        messages with the same parent): they stay, off the active path, and this one is on it."""
        now = self.clock()
        row = {
            "conversation_id": conversation_id,
            "parent_id": parent_id,
            "role": role,
            "content": content,
            "tokens": tokens,
            "model": model,
            "finish_reason": finish_reason,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cached_tokens": cached_tokens,
            "created_at": created_at if created_at is not None else now,
            "completed_at": now,
            "meta": json.dumps(meta) if meta else None,
        }
        with self.transaction():
            if branch:
                self.db.execute(
                    "update messages set chosen = 0 where conversation_id = ? and parent_id is ?",
                    [conversation_id, parent_id],
                )
            mid = self.db["messages"].insert(row).last_pk
            self.db["conversations"].update(conversation_id, {"updated_at": now})
        return self.message(mid)

    def update_message(self, message_id: int, **changes: Any) -> None:
        """Change a message in place: a streaming reply is saved as it grows."""
        if "meta" in changes:
            changes["meta"] = json.dumps(changes["meta"]) if changes["meta"] else None
        changes.setdefault("completed_at", self.clock())
        with self.transaction():
            self.db["messages"].update(message_id, changes)

    def message(self, message_id: int) -> Message:
        with self.lock:
            rows = list(self.db["messages"].rows_where("id = ?", [message_id]))
        if not rows:
            raise NotFound(f"there is no message {message_id}")
        return _message(rows[0])

    def messages(self, conversation_id: int) -> list[Message]:
        """The conversation's active path, oldest first: from its first message, at each
        step the chosen version (edits and regenerations keep the others as siblings)."""
        sql = (
            "with recursive path(id) as ("
            "select id from messages where conversation_id = ? and parent_id is null and chosen = 1 "
            "union all select m.id from messages m join path p on m.parent_id = p.id where m.chosen = 1) "
            "select * from messages where id in (select id from path) order by id"
        )
        with self.lock:
            return [_message(r) for r in self.db.query(sql, [conversation_id])]

    def all_messages(self, conversation_id: int) -> list[Message]:
        """Every message of the conversation, every version, oldest first."""
        with self.lock:
            return [
                _message(r)
                for r in self.db["messages"].rows_where("conversation_id = ?", [conversation_id], order_by="id")
            ]

    def siblings(self, message_id: int) -> list[Message]:
        """The versions of a message (itself included), oldest first."""
        m = self.message(message_id)
        with self.lock:
            return [
                _message(r)
                for r in self.db["messages"].rows_where(
                    "conversation_id = ? and parent_id is ?", [m.conversation_id, m.parent_id], order_by="id"
                )
            ]

    def choose(self, message_id: int) -> None:
        """Put this version of a message on the active path (its own later choices with it)."""
        m = self.message(message_id)
        with self.transaction():
            self.db.execute(
                "update messages set chosen = (id = ?) where conversation_id = ? and parent_id is ?",
                [message_id, m.conversation_id, m.parent_id],
            )

    def versions(self, conversation_id: int) -> dict[int, tuple[int, int]]:
        """Message id -> (its place among its versions, how many there are), for the messages
        that have more than one version."""
        sql = (
            "select id, row_number() over w as n, count(*) over (partition by parent_id) as total "
            "from messages where conversation_id = ? window w as (partition by parent_id order by id)"
        )
        with self.lock:
            rows = self.db.execute(f"select id, n, total from ({sql}) where total > 1", [conversation_id]).fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    # --------------------------------------------------------------- tool calls

    def add_tool_call(self, message_id: int, call: Any) -> int:
        """Store one call of a reply (a ``tools.toolbox.ToolCall``), after those it has; its id."""
        conversation_id = self.message(message_id).conversation_id
        with self.transaction():
            seq = self.db.execute("select count(*) from tool_calls where message_id = ?", [message_id]).fetchone()[0]
            row = {
                "message_id": message_id,
                "conversation_id": conversation_id,
                "seq": seq,
                "round": call.round,
                "tool": call.tool,
                "server": call.server,
                "arguments": json.dumps(call.arguments),
                "decision": call.decision,
                "why": call.why,
                "result": call.result,
                "error": call.error,
                "ms": call.ms,
                "cut": int(call.cut),
                "created_at": self.clock(),
            }
            row_id = self.db["tool_calls"].insert(row).last_pk
        return int(row_id)

    def tool_calls(self, message_id: int) -> list[dict[str, Any]]:
        """The calls of a reply, in call order (``arguments`` read back from JSON, ``cut`` a bool)."""
        with self.lock:
            rows = list(self.db["tool_calls"].rows_where("message_id = ?", [message_id], order_by="seq, id"))
        for row in rows:
            row["arguments"] = json.loads(row["arguments"])
            row["cut"] = bool(row["cut"])
        return rows

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        q = fts_query(query)
        if not q:
            return []
        # rank and limit inside FTS5 first: a join around MATCH ranks every hit (slow)
        sql = (
            "select m.*, c.title as conversation_title, f.snippet from ("
            "select rowid, rank, snippet(messages_fts, 0, '[', ']', '…', 12) as snippet "
            "from messages_fts where messages_fts match ? order by rank limit ?) f "
            "join messages m on m.rowid = f.rowid "
            "join conversations c on c.id = m.conversation_id order by f.rank"
        )
        with self.lock:
            rows = list(self.db.query(sql, [q, limit]))
        return [SearchHit(_message(r), r["conversation_title"] or "", r["snippet"]) for r in rows]
