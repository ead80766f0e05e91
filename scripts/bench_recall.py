"""Recall latency (embed the query + hybrid search + pack) at a number of stored chunks.

    python scripts/bench_recall.py --chunks 1000,10000 [--queries 30]

Memories are generated deterministically and embedded with the real embedder (so this
also reports ingestion throughput). Prints one JSON object with p50/p95 per size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time

SUBJECTS = [
    "my sister",
    "the bakery",
    "our garden",
    "the train",
    "my laptop",
    "the concert",
    "my boss",
    "the lake",
    "my bike",
    "the museum",
    "grandma",
    "the meeting",
    "my neighbour",
    "the storm",
]
VERBS = [
    "visited",
    "fixed",
    "painted",
    "forgot",
    "loved",
    "booked",
    "cancelled",
    "photographed",
    "cleaned",
    "found",
    "lost",
    "recommended",
]
THINGS = [
    "on Tuesday",
    "last summer",
    "after lunch",
    "for the third time",
    "with a friend",
    "in the rain",
    "before work",
    "during the holidays",
    "at midnight",
    "quite early",
]


def sentence(rng: random.Random, i: int) -> str:
    return f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} something {rng.choice(THINGS)} (note {i})."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", default="1000,10000")
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    os.environ["MNEMO_HOME"] = tempfile.mkdtemp(prefix="mnemo-bench-")
    from mnemo.memory.bank import MemoryBank
    from mnemo.store import Store

    rng = random.Random(1)
    bank = MemoryBank(Store.open())
    bank.start()
    bank.wait_idle(300)
    figures = []
    stored = 0
    for size in sorted(int(x) for x in args.chunks.split(",")):
        rows = [(sentence(rng, stored + i),) for i in range(size - stored)]
        now = time.time()
        with bank.store.transaction():
            bank.store.db.conn.executemany(
                "insert into memories (kind, text, status, created_at, updated_at, meta) "
                f"values ('episode', ?, 'active', {now}, {now}, '{{\"role\": \"user\"}}')",
                rows,
            )
        t = time.perf_counter()
        bank._poke()
        bank.wait_idle(3600)
        ingest_s = time.perf_counter() - t
        stored = size
        timings = []
        for _ in range(args.queries):
            query = f"When did {rng.choice(SUBJECTS)} {rng.choice(VERBS)} something?"
            t = time.perf_counter()
            bank.recall(query, budget_tokens=600)
            timings.append((time.perf_counter() - t) * 1000)
        timings.sort()
        figures.append(
            {
                "chunks": size,
                "recall_ms_p50": round(statistics.median(timings), 2),
                "recall_ms_p95": round(timings[int(len(timings) * 0.95) - 1], 2),
                "embedded_per_s": round(len(rows) / ingest_s, 1),
            }
        )
    bank.close()
    print(json.dumps({"figures": figures}, indent=2))


if __name__ == "__main__":
    main()
