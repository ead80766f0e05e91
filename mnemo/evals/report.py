"""The LTM benchmark's Markdown report and chart, from results.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def markdown(results: dict[str, Any]) -> str:
    c = results["config"]
    agents = list(results["agents"])
    types = sorted({t for a in results["agents"].values() for t in a["types"]})
    lines = [
        f"# LTM benchmark: span {c['span_tokens']} tokens, seed {c['seed']}, model {c['model'] or 'default'}",
        "",
        "Score per test type (0–1; total out of the number of types), and in brackets the share of the",
        "needed evidence that was in the model's prompt when it answered (context recall).",
        "",
        "| test | " + " | ".join(agents) + " |",
        "|---|" + "---|" * len(agents),
    ]
    for t in types:
        cells = []
        for a in agents:
            entry = results["agents"][a]["types"].get(t)
            cells.append(f"{entry['score']:.2f} ({entry['context_recall']:.2f})" if entry else "–")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    totals = [f"**{r['total']:.2f} / {r['max']}** ({r['context_recall']:.2f})" for r in results["agents"].values()]
    lines.append("| total | " + " | ".join(totals) + " |")
    lines += ["", "| agent | tokens processed | seconds | tokens/s |", "|---|---|---|---|"]
    for a, r in results["agents"].items():
        lines.append(f"| {a} | {r['tokens']} | {r['seconds']} | {r['tokens_per_s']} |")
    return "\n".join(lines) + "\n"


def chart(results: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    agents = list(results["agents"])
    types = sorted({t for a in results["agents"].values() for t in a["types"]})
    width = 0.8 / max(len(agents), 1)
    fig, ax = plt.subplots(figsize=(max(6, len(types) * 1.1), 4))
    for k, a in enumerate(agents):
        scores = [results["agents"][a]["types"].get(t, {}).get("score", 0) for t in types]
        ax.bar(
            [i + k * width for i in range(len(types))],
            scores,
            width,
            label=f"{a} ({results['agents'][a]['total']:.2f})",
        )
    ax.set_xticks([i + width * (len(agents) - 1) / 2 for i in range(len(types))], types, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title(f"LTM benchmark, span {results['config']['span_tokens']} tokens")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
