"""Rows of the ``memories`` table and their vectors (float32 blobs, the source of truth)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnemo.errors import NotFound
from mnemo.kinds import MemoryStatus
from mnemo.store import Store, fts_query


@dataclass(frozen=True)
class Record:
    id: int
    kind: str
    text: str
    subject: str | None
    status: str
    pinned: bool
    conversation_id: int | None
    source_message_id: int | None
    superseded_by: int | None
    created_at: float
    updated_at: float
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_COLUMNS = (
    "id, kind, text, subject, status, pinned, conversation_id, source_message_id, superseded_by, "
    "created_at, updated_at, meta"
)


def _record(row: tuple[Any, ...]) -> Record:
    """A row of ``select {_COLUMNS}`` (positional: recall reads a hundred a question)."""
    mid, kind, text, subject, status, pinned, conversation, source, superseded, created, updated, meta = row
    return Record(
        id=mid,
        kind=kind,
        text=text,
        subject=subject,
        status=status,
        pinned=bool(pinned),
        conversation_id=conversation,
        source_message_id=source,
        superseded_by=superseded,
        created_at=created,
        updated_at=updated,
        meta=json.loads(meta) if meta else {},
    )


TOMBSTONE = "text = '', subject = null, meta = null"  # what a forgotten memory keeps: no content


def content_hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()[:32]


class Records:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    def drop_episodes(self, conversation_id: int | None = None, message_ids: list[int] | None = None) -> list[int]:
        """Delete the episodes (and vectors) of a conversation or of messages, inside the
        caller's transaction. Returns their ids."""
        if conversation_id is not None:
            where, params = "conversation_id = ?", [conversation_id]
        else:
            where, params = f"source_message_id in ({','.join('?' * len(message_ids or ()))})", list(message_ids or ())
        ids = [
            r[0]
            for r in self.db.execute(f"select id from memories where kind = 'episode' and {where}", params).fetchall()
        ]
        if ids:
            marks = ",".join("?" * len(ids))
            self.db.execute(f"delete from memory_vectors where memory_id in ({marks})", ids)
            self.db.execute(f"delete from memories where id in ({marks})", ids)
        return ids

    def episode_ids(self, conversation_id: int) -> list[int]:
        with self.store.lock:
            return [
                r[0]
                for r in self.db.execute(
                    "select id from memories where kind = 'episode' and conversation_id = ?", [conversation_id]
                )
            ]

    def subjects(self) -> list[str]:
        """Subjects of the memories not forgotten (what "forget ..." can be about)."""
        with self.store.lock:
            return [
                r[0]
                for r in self.db.execute(
                    "select distinct subject from memories where subject is not null and status != 'forgotten'"
                )
            ]

    def all_ids(self) -> list[int]:
        with self.store.lock:
            return [r[0] for r in self.db.execute("select id from memories")]

    def add_episodes(self, texts: list[str], now: float) -> None:
        """Many user episodes at once, without vectors (the recall benchmark's corpus)."""
        with self.store.transaction():
            self.db.conn.executemany(
                "insert into memories (kind, text, status, created_at, updated_at, meta) "
                "values ('episode', ?, 'active', ?, ?, '{\"role\": \"user\"}')",
                [(t, now, now) for t in texts],
            )

    def find(self, query: str, limit: int = 200) -> list[Record]:
        """Active memories (no episodes) whose words match ``query`` (full text) or that
        contain it: what a search box over memories shows."""
        rows = self.listing()
        query = query.strip().lower()
        if not query:
            return rows
        hits = {mid for mid, _ in self.fts(query, limit, include_episodes=False)}
        return [r for r in rows if r.id in hits or query in r.text.lower()]

    def _rows(self, where: str, params: list[Any], order: str = "id", limit: int | None = None) -> list[Record]:
        sql = f"select {_COLUMNS} from memories where {where} order by {order}"
        if limit:
            sql += f" limit {int(limit)}"
        with self.store.lock:
            return [_record(r) for r in self.db.execute(sql, params).fetchall()]

    def get(self, memory_id: int) -> Record:
        rows = self._rows("id = ?", [memory_id])
        if not rows:
            raise NotFound(f"there is no memory {memory_id}; see `mnemo memory list`")
        return rows[0]

    def many(self, ids: list[int]) -> list[Record]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._rows(f"id in ({marks})", list(ids))

    def add(
        self,
        kind: str,
        text: str,
        *,
        subject: str | None = None,
        pinned: bool = False,
        conversation_id: int | None = None,
        source_message_id: int | None = None,
        meta: dict[str, Any] | None = None,
        created_at: float | None = None,
    ) -> Record:
        """Insert a memory; an active one with the same subject is superseded by it."""
        now = self.store.clock()
        with self.store.transaction():
            mid = self.db.execute(
                "insert into memories (kind, text, subject, status, pinned, conversation_id, "
                "source_message_id, created_at, updated_at, meta) values (?,?,?,?,?,?,?,?,?,?)",
                [
                    kind,
                    text,
                    subject,
                    MemoryStatus.ACTIVE,
                    int(pinned),
                    conversation_id,
                    source_message_id,
                    created_at if created_at is not None else now,
                    now,
                    json.dumps(meta) if meta else None,
                ],
            ).lastrowid
            if subject:
                old = [
                    r["id"]
                    for r in self.db.query(
                        "select id from memories where subject = ? and status = 'active' and id != ?", [subject, mid]
                    )
                ]
                for oid in old:
                    self.db.execute(
                        "update memories set status = 'superseded', superseded_by = ?, updated_at = ? where id = ?",
                        [mid, now, oid],
                    )
                if old:
                    self.db.execute(
                        "update memories set pinned = max(pinned, (select max(pinned) from memories "
                        f"where id in ({','.join('?' * len(old))}))) where id = ?",
                        [*old, mid],
                    )
        assert mid is not None
        return self.get(mid)

    def update(self, memory_id: int, **changes: Any) -> Record:
        allowed = {"text", "pinned", "kind", "subject"}
        if set(changes) - allowed:
            raise ValueError(f"cannot change {set(changes) - allowed}")
        self.get(memory_id)
        changes["updated_at"] = self.store.clock()
        with self.store.transaction():
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.db.execute(f"update memories set {sets} where id = ?", [*changes.values(), memory_id])
            if "text" in changes:
                self.db.execute("delete from memory_vectors where memory_id = ?", [memory_id])
        if "text" in changes:
            self.store.scrub()  # the old text leaves the file too
        return self.get(memory_id)

    def forget(self, ids: list[int]) -> int:
        """Erase memories: each leaves a tombstone without content (its id, kind, source and
        times, status 'forgotten'; text, subject and meta erased), its vector and its
        full-text words are deleted, and the file is scrubbed (secure delete, then a WAL
        checkpoint). Returns how many were not forgotten already."""
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        now = self.store.clock()
        with self.store.transaction():
            n = self.db.execute(
                f"select count(*) from memories where id in ({marks}) and status != 'forgotten'", list(ids)
            ).fetchone()[0]
            self.db.execute(
                f"update memories set status = 'forgotten', {TOMBSTONE}, updated_at = ? "
                f"where id in ({marks}) and (status != 'forgotten' or text != '')",
                [now, *ids],
            )
            self.db.execute(f"delete from memory_vectors where memory_id in ({marks})", list(ids))
        self.store.scrub()
        return n

    def restore(self, records: list[Record]) -> None:
        """Put erased or rewritten memories back as they were (the undo of a forget, from the
        copies the process kept). A subject that has a new value since then keeps it: the
        restored one comes back as an earlier value."""
        now = self.store.clock()
        with self.store.transaction():
            for r in records:
                status, superseded_by = r.status, r.superseded_by
                if r.subject and status == MemoryStatus.ACTIVE:
                    newer = self.db.execute(
                        "select id from memories where subject = ? and status = 'active' and id != ? "
                        "order by id desc limit 1",
                        [r.subject, r.id],
                    ).fetchone()
                    if newer:
                        status, superseded_by = MemoryStatus.SUPERSEDED, newer[0]
                self.db.execute(
                    "update memories set text = ?, subject = ?, status = ?, superseded_by = ?, meta = ?, "
                    "updated_at = ? where id = ?",
                    [r.text, r.subject, status, superseded_by, json.dumps(r.meta) if r.meta else None, now, r.id],
                )
                self.db.execute("delete from memory_vectors where memory_id = ?", [r.id])

    def purge(self, ids: list[int]) -> None:
        """Remove memories for good: text, vectors and full-text rows."""
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        with self.store.transaction():
            self.db.execute(f"delete from memory_vectors where memory_id in ({marks})", list(ids))
            self.db.execute(f"update memories set superseded_by = null where superseded_by in ({marks})", list(ids))
            self.db.execute(f"delete from memories where id in ({marks})", list(ids))
        self.store.scrub()

    def listing(
        self,
        *,
        include_all: bool = False,
        kinds: tuple[str, ...] | None = None,
        episodes: bool = False,
        limit: int | None = None,
    ) -> list[Record]:
        where, params = ["1"], []
        if not include_all:
            where.append("status = 'active'")
        if kinds:
            where.append(f"kind in ({','.join('?' * len(kinds))})")
            params += list(kinds)
        elif not episodes:
            where.append("kind != 'episode'")
        return self._rows(" and ".join(where), params, order="created_at, id", limit=limit)

    def profile(self) -> list[Record]:
        """Pinned memories and standing instructions: the short always-present block."""
        # two indexed lookups; an OR across the two columns would scan every memory
        return self._rows(
            "id in (select id from memories where status = 'active' and pinned = 1 union "
            "select id from memories where kind = 'instruction' and status = 'active')",
            [],
            order="created_at, id",
        )

    def history(self, subject: str) -> list[Record]:
        """Every value a subject ever had, oldest first (forgotten ones excluded)."""
        return self._rows("subject = ? and status != 'forgotten'", [subject], order="created_at, id")

    def near_time(self, moment: float, tolerance: float) -> list[Record]:
        """Active user episodes said within ``tolerance`` seconds of ``moment``."""
        return self._rows(
            "status = 'active' and kind = 'episode' and created_at between ? and ? "
            "and json_extract(meta, '$.role') = 'user'",
            [moment - tolerance, moment + tolerance],
            order="created_at",
        )

    def derived_messages(self, message_ids: list[int] | None, memory_ids: list[int] | None = None) -> set[int]:
        """Of ``message_ids`` (None: all messages), those that carry a memory that is now
        superseded or forgotten (or one of ``memory_ids``): the message that stated it, the
        reply to that message, and replies written with it in the prompt. They are stale."""
        if message_ids is not None and not message_ids:
            return set()
        if memory_ids is None:
            bad = (
                "select id, source_message_id from memories where kind != 'episode' "
                "and status in ('superseded', 'forgotten')"
            )
            params: list[Any] = []
        else:
            bad = f"select id, source_message_id from memories where id in ({','.join('?' * len(memory_ids))})"
            params = list(memory_ids)
        among = "1" if message_ids is None else f"m.id in ({','.join('?' * len(message_ids))})"
        sql = (
            f"with bad as ({bad}) select m.id from messages m where {among} and ("
            "m.id in (select source_message_id from bad) or m.parent_id in (select source_message_id from bad) "
            "or exists (select 1 from json_each(coalesce(m.meta, '{}'), '$.memories') j "
            "where j.value in (select id from bad)))"
        )
        with self.store.lock:
            return {r[0] for r in self.db.execute(sql, params + list(message_ids or ())).fetchall()}

    def episodes_of(self, message_ids: set[int]) -> list[Record]:
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids))
        return self._rows(
            f"kind = 'episode' and status = 'active' and source_message_id in ({marks})", list(message_ids)
        )

    def fts(
        self, query: str, limit: int = 40, include_episodes: bool = True, all_words: bool = False
    ) -> list[tuple[int, float]]:
        """(memory id, bm25 rank) of active memories matching any (or every) word of ``query``."""
        words = fts_query(query).split(" ")
        if not words or words == [""]:
            return []
        q = (" AND " if all_words else " OR ").join(words)
        # FTS5 ranks and limits inside the virtual table (fast); the join then filters. A
        # join around MATCH instead makes SQLite rank every hit first (seconds at 10k).
        sql = (
            "select f.rowid as id, f.rank from (select rowid, rank from memories_fts "
            "where memories_fts match ? order by rank limit ?) f "
            "join memories m on m.id = f.rowid where m.status = 'active' "
            + ("" if include_episodes else "and m.kind != 'episode' ")
            + "order by f.rank limit ?"
        )
        with self.store.lock:
            return [(r["id"], r["rank"]) for r in self.db.query(sql, [q, limit * 4, limit])]

    def in_more_than(self, words: list[str], share: float, least: int) -> set[str]:
        """The ``words`` that more than ``share`` of the active memories hold (when there are at
        least ``least`` of them): the speakers' names, said in every turn, say nothing of which
        turn is meant."""
        with self.store.lock:
            total = self._highest_id()
            return set() if total < least else self._held_by_more_than(words, int(total * share))

    def frequent(self, words: list[str], more_than: int) -> set[str]:
        """The ``words`` that more than ``more_than`` memories hold."""
        with self.store.lock:
            return set() if self._highest_id() <= more_than else self._held_by_more_than(words, more_than)

    def _highest_id(self) -> int:
        # The highest id, not a count (a count reads every row: ms at 100k): an upper bound
        # of how many there are, so a word is called common only when it is.
        return self.db.execute("select coalesce(max(rowid), 0) from memories_fts").fetchone()[0]

    def _held_by_more_than(self, words: list[str], n: int) -> set[str]:
        """Each count stops at the bound, so a word in half of 100k costs little."""
        sql = "select count(*) from (select rowid from memories_fts where memories_fts match ? limit ?)"
        return {w for w in words if self.db.execute(sql, [fts_query(w), n + 1]).fetchone()[0] > n}

    def import_rows(self, rows: list[dict[str, Any]]) -> int:
        """Insert exported memories in one transaction, skipping ones already here."""
        now = self.store.clock()
        added = 0
        with self.store.transaction():
            for row in rows:
                if row.get("status") == MemoryStatus.FORGOTTEN:
                    continue  # an older export's forgotten memory stays forgotten
                created = row.get("created_at", now)
                exists = self.db.execute(
                    "select 1 from memories where kind = ? and text = ? and created_at = ?",
                    [row["kind"], row["text"], created],
                ).fetchone()
                if exists:
                    continue
                self.db.execute(
                    "insert into memories (kind, text, subject, status, pinned, created_at, updated_at, meta) "
                    "values (?,?,?,?,?,?,?,?)",
                    [
                        row["kind"],
                        row["text"],
                        row.get("subject"),
                        row.get("status", MemoryStatus.ACTIVE),
                        int(bool(row.get("pinned"))),
                        created,
                        row.get("updated_at", now),
                        json.dumps(row["meta"]) if row.get("meta") else None,
                    ],
                )
                added += 1
        return added

    # ---------------------------------------------------------------- vectors

    def missing_vectors(self, model: str, limit: int = 256) -> list[Record]:
        return self._rows(
            "status = 'active' and id not in (select memory_id from memory_vectors where model = ?)",
            [model],
            limit=limit,
        )

    def save_vectors(self, model: str, records: list[Record], vectors: np.ndarray) -> None:
        rows = [
            (r.id, model, content_hash(model, r.text), vectors[i].astype(np.float32).tobytes())
            for i, r in enumerate(records)
        ]
        with self.store.transaction():
            live = (
                {
                    r["id"]
                    for r in self.db.query(
                        f"select id from memories where status = 'active' and id in ({','.join('?' * len(rows))})",
                        [r[0] for r in rows],
                    )
                }
                if rows
                else set()
            )
            self.db.conn.executemany(
                "insert or replace into memory_vectors (memory_id, model, content_hash, vector) values (?,?,?,?)",
                [r for r in rows if r[0] in live],
            )

    def load_vectors(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, matrix) of every active memory's vector for ``model``."""
        with self.store.lock:
            rows = self.db.execute(
                "select v.memory_id, v.vector from memory_vectors v join memories m on m.id = v.memory_id "
                "where v.model = ? and m.status = 'active' order by v.memory_id",
                [model],
            ).fetchall()
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        return ids, matrix

    def count(self, include_episodes: bool = True) -> int:
        where = "status = 'active'" + ("" if include_episodes else " and kind != 'episode'")
        with self.store.lock:
            return self.db.execute(f"select count(*) from memories where {where}").fetchone()[0]
