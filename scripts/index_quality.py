"""What the vector index's shortlist finds of an exact scan, on real dialogue embeddings, and
how long each takes, in the same run. Prints JSON.

    python scripts/index_quality.py --locomo FILE [--size 100000] [--queries 400] [--candidates 2000 5000]

The turns and questions of a LoCoMo-format file are embedded (a few minutes); the index is
filled to ``--size`` with blends of two real turns (so the extra vectors lie where real ones
do), and each question is searched by the index and by a full scan.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from mnemo.evals.locomo import load
from mnemo.memory import index as index_module
from mnemo.memory.embedder import Embedder
from mnemo.memory.index import VectorIndex


def _embedded(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return np.concatenate([embedder.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locomo", required=True)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--candidates", type=int, nargs="*", default=[index_module.CANDIDATES])
    args = parser.parse_args()
    dialogues = load(Path(args.locomo))
    turns = [t.text for d in dialogues for s in d.sessions for t in s.turns]
    questions = [q.text for d in dialogues for q in d.questions][: args.queries]
    embedder = Embedder()
    embedder.ready()
    real, asked = _embedded(embedder, turns), _embedded(embedder, questions)
    rng = np.random.default_rng(0)
    extra = max(0, args.size - len(real))
    a, b = rng.integers(0, len(real), extra), rng.integers(0, len(real), extra)
    share = rng.uniform(0.3, 0.7, extra)[:, None]
    blends = share * real[a] + (1 - share) * real[b] + 0.05 * rng.normal(size=(extra, real.shape[1]))
    matrix = np.concatenate([real, blends / np.linalg.norm(blends, axis=1, keepdims=True)]).astype(np.float32)
    index = VectorIndex(matrix.shape[1])
    index.reset(np.arange(len(matrix)), matrix)
    index.search(asked[0], 10)
    result: dict[str, object] = {"vectors": len(matrix), "real_turns": len(real), "queries": len(asked)}
    for pool in args.candidates:
        index_module.CANDIDATES = pool
        for k in (10, 50):
            found, fast, full = [], [], []
            for q in asked:
                t = time.perf_counter()
                exact = {i for i, _ in index.exact(q, k)}
                full.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                got = {i for i, _ in index.search(q, k)}
                fast.append((time.perf_counter() - t) * 1000)
                found.append(len(exact & got) / k)
            result[f"candidates {pool}, k {k}"] = {
                "found_of_exact": round(statistics.mean(found), 4),
                "worst": round(min(found), 2),
                "index_ms_p50": round(statistics.median(fast), 2),
                "full_scan_ms_p50": round(statistics.median(full), 2),
            }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
