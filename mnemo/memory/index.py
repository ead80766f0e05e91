"""Vector search over the memories' embeddings: a float32 matrix kept in memory.

Up to ``EXACT_UP_TO`` vectors every search is exact: numpy brute force over unit vectors,
0.3 ms at 10k, faster than sqlite-vec 0.1.9's scan and needing no SQLite extension. Beyond
that a scan of 150 MB (100k vectors) is bound by memory bandwidth (14 to 23 ms here), so
each vector also keeps its signs as 48 bytes: the ``CANDIDATES`` nearest by Hamming
distance (0.6 ms at 100k) are scored exactly and the best of them returned
(``scripts/index_quality.py`` measures what that finds of the exact answer on real
dialogues). SQLite (``memory_vectors``) stays the source of truth; the matrix is rebuilt
from it on start and kept in step as vectors are added or removed.

Storage grows by half when full, so adding a vector copies nothing; a search never holds
the lock while it scans (it reads the rows the index had when it began).
"""

from __future__ import annotations

import threading

import numpy as np

EXACT_UP_TO = 20_000
CANDIDATES = 2_000  # the Hamming scan's shortlist, scored exactly
SHORTLIST = 40  # and at least this many times the k asked for


def signs(vectors: np.ndarray) -> np.ndarray:
    """One bit per dimension (set where the value is positive), as 64-bit words: one column
    a vector, so the scan reads each word of every vector in one pass."""
    bits = np.packbits(vectors > 0, axis=1)
    pad = (-bits.shape[1]) % 8
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    return np.ascontiguousarray(bits.view(np.uint64).T)


class VectorIndex:
    def __init__(self, dim: int):
        self.dim = dim
        self._words = (dim + 63) // 64
        self._n = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, dim), dtype=np.float32)
        self._codes = np.zeros((self._words, 0), dtype=np.uint64)
        self._row: dict[int, int] = {}  # memory id -> its row
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return self._n + sum(len(i) for i, _ in self._pending)

    def reset(self, ids: np.ndarray, matrix: np.ndarray) -> None:
        with self._lock:
            self._pending.clear()
            self._n = 0
            self._ids = np.zeros(0, dtype=np.int64)
            self._matrix = np.zeros((0, self.dim), dtype=np.float32)
            self._codes = np.zeros((self._words, 0), dtype=np.uint64)
            self._row = {}
            if len(ids):
                self._pending.append((np.asarray(ids, dtype=np.int64), matrix.reshape(len(ids), self.dim)))

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        """Queue vectors; they are merged into the matrix by the next search (amortised)."""
        if not ids:
            return
        with self._lock:
            self._pending.append((np.asarray(ids, dtype=np.int64), vectors.astype(np.float32)))

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._lock:
            self._merge()
            self._keep(~np.isin(self._ids[: self._n], np.asarray(ids, dtype=np.int64)))

    def _keep(self, keep: np.ndarray) -> None:
        """Keep the rows where ``keep`` is true, in new arrays (a search may still be reading
        the old ones)."""
        n = self._n
        self._ids, self._matrix = self._ids[:n][keep], self._matrix[:n][keep]
        self._codes = np.ascontiguousarray(self._codes[:, :n][:, keep])
        self._n = len(self._ids)
        self._row = {i: row for row, i in enumerate(self._ids.tolist())}

    def _merge(self) -> None:
        if not self._pending:
            return
        ids = np.concatenate([i for i, _ in self._pending])
        matrix = np.concatenate([v for _, v in self._pending]).astype(np.float32, copy=False)
        self._pending.clear()
        # a re-embedded memory keeps only its newest vector
        _, last = np.unique(ids[::-1], return_index=True)
        if len(last) < len(ids):
            keep = np.sort(len(ids) - 1 - last)
            ids, matrix = ids[keep], matrix[keep]
        if any(i in self._row for i in ids.tolist()):
            self._keep(~np.isin(self._ids[: self._n], ids))
        n, m = self._n, len(ids)
        if n + m > len(self._ids):  # grow by half: appends copy nothing most of the time
            cap = max(n + m, int(len(self._ids) * 1.5), 1024)
            self._ids = np.concatenate([self._ids[:n], np.zeros(cap - n, dtype=np.int64)])
            self._matrix = np.concatenate([self._matrix[:n], np.zeros((cap - n, self.dim), dtype=np.float32)])
            self._codes = np.concatenate(
                [self._codes[:, :n], np.zeros((self._words, cap - n), dtype=np.uint64)], axis=1
            )
        self._ids[n : n + m], self._matrix[n : n + m] = ids, matrix
        self._codes[:, n : n + m] = signs(matrix)
        self._row.update(zip(ids.tolist(), range(n, n + m)))
        self._n = n + m

    def _rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with self._lock:
            self._merge()
            n = self._n
            return self._ids[:n], self._matrix[:n], self._codes[:, :n]

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The ``k`` most similar (id, cosine similarity), best first."""
        return self._search(query, k, exact=False)

    def exact(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """As ``search``, by a full scan at any size (to measure the shortlist against)."""
        return self._search(query, k, exact=True)

    def _search(self, query: np.ndarray, k: int, exact: bool) -> list[tuple[int, float]]:
        ids, matrix, codes = self._rows()
        if not len(ids):
            return []
        q = query.astype(np.float32).reshape(-1)
        k = min(k, len(ids))
        pool = max(CANDIDATES, SHORTLIST * k)
        if not exact and len(ids) > EXACT_UP_TO and len(ids) > pool:
            qcode = signs(q[None, :])[:, 0]
            distance = np.bitwise_count(codes[0] ^ qcode[0]).astype(np.uint16)  # up to dim
            for word in range(1, len(qcode)):
                distance += np.bitwise_count(codes[word] ^ qcode[word])
            # every vector as near as the pool-th nearest: a count by distance, not a sort
            within = np.searchsorted(np.cumsum(np.bincount(distance, minlength=self.dim + 1)), pool)
            rows = np.flatnonzero(distance <= within)
            sims = matrix[rows] @ q
        else:
            rows, sims = np.arange(len(ids)), matrix @ q
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(ids[rows[i]]), float(sims[i])) for i in top]

    def similarity(self, query: np.ndarray, ids: list[int]) -> dict[int, float]:
        sub_ids, sub = self._subset(ids)
        sims = sub @ query.astype(np.float32).reshape(-1)
        return {int(i): float(s) for i, s in zip(sub_ids, sims)}

    def vectors(self, ids: list[int]) -> dict[int, np.ndarray]:
        """The vectors of ``ids`` that the index holds."""
        sub_ids, sub = self._subset(ids)
        return {int(i): v for i, v in zip(sub_ids, sub)}

    def _subset(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            self._merge()
            rows = np.fromiter((r for r in map(self._row.get, ids) if r is not None), dtype=np.int64)
            return self._ids[rows], self._matrix[rows]
