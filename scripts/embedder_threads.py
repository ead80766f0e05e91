"""The numpy embedder on one BLAS thread against numpy's default, idle and beside a busy
process per core (as when the model's process computes), in the same run. Prints JSON:
medians of single-query and 64-text batch encodes, and the ratio default / one thread.

    python scripts/embedder_threads.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import time

from threadpoolctl import ThreadpoolController

from mnemo.memory.embedder import Embedder


def _spin(stop) -> None:  # a core kept busy, as llama.cpp keeps it while it generates
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _times(model, runs: int, threads: int) -> dict[str, float]:
    controller = ThreadpoolController()
    query = ["What did Caroline research about adoption agencies?"]
    batch = [f"Melanie: we painted the sunrise at the lake on day {i}, the kids loved it." for i in range(64)]
    out = {}
    for name, texts in (("query_ms", query), ("batch64_ms", batch)):
        samples = []
        for _ in range(runs):
            with controller.limit(limits=threads, user_api="blas"):
                t = time.perf_counter()
                model.encode(texts)
                samples.append((time.perf_counter() - t) * 1000)
        out[name] = round(statistics.median(samples), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    embedder = Embedder("numpy")  # the BLAS threads are numpy's (onnxruntime sets its own, to one)
    embedder.ready()
    model = embedder._model
    cores = os.cpu_count() or 1
    result: dict[str, object] = {"cpus": cores}
    for load in ("idle", "busy"):
        stop = mp.Event()
        spinners = [mp.Process(target=_spin, args=(stop,)) for _ in range(cores if load == "busy" else 0)]
        for p in spinners:
            p.start()
        try:
            default = _times(model, runs, cores)  # numpy's default: a thread a core
            one = _times(model, runs, 1)
        finally:
            stop.set()
            for p in spinners:
                p.join()
        result[load] = {
            "default_threads": default,
            "one_thread": one,
            "ratio_default_over_one": {k: round(default[k] / one[k], 2) for k in default},
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
