"""How often a fact told in one conversation reaches another: in the injected memories and
in the reply, with memory and without (the same model, phrasings and sampling).

    python scripts/recall_rate.py [--filler 200] [--model NAME]

Prints one JSON object. Runs in a temporary MNEMO_HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

FACTS = [
    (
        "My dog is called Rex.",
        "rex",
        [
            "What is my dog's name?",
            "What's my dog called?",
            "Do you remember my dog's name?",
            "Tell me the name of my dog.",
            "How is my dog named?",
            "Remind me what my dog is called.",
        ],
    ),
    (
        "I live in Prague.",
        "prague",
        [
            "Where do I live?",
            "Which city do I live in?",
            "Where is my home?",
            "Do you know where I live?",
            "In what city is my home?",
            "Remind me where I live.",
        ],
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filler", type=int, default=200)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    os.environ["MNEMO_HOME"] = tempfile.mkdtemp(prefix="mnemo-rate-")
    from mnemo import Assistant

    a = Assistant.open(model=args.model)
    for statement, _, _ in FACTS:
        a.send(statement, max_tokens=24)
    for i in range(args.filler):
        a.observe(f"Trivia question {i}: what is {i} times 3?", f"{i} times 3 is {3 * i}.")
    a.wait_idle(600)
    plain = Assistant.open(model=args.model, memory=False)
    result = {
        "model": a.spec.name,
        "filler_turns": args.filler,
        "questions": 0,
        "injected_with_memory": 0,
        "reply_with_memory": 0,
        "reply_without_memory": 0,
    }
    latencies = []
    for _, answer, questions in FACTS:
        for q in questions:
            a.new_conversation()
            reply = a.send(q, max_tokens=32)
            latencies.append(reply.timings.recall_ms)
            plain.new_conversation()
            bare = plain.send(q, max_tokens=32)
            result["questions"] += 1
            result["injected_with_memory"] += any(answer in m.text.lower() for m in reply.memories)
            result["reply_with_memory"] += answer in reply.text.lower()
            result["reply_without_memory"] += answer in bare.text.lower()
    n = result["questions"]
    for key in ("injected_with_memory", "reply_with_memory", "reply_without_memory"):
        result[f"{key}_rate"] = round(result[key] / n, 3)
    latencies.sort()
    result["recall_ms_median"] = latencies[len(latencies) // 2]
    a.close()
    plain.close()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
