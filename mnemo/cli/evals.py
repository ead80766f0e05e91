"""`mnemo eval …` and `mnemo bench`."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mnemo.cli import app, eval_app
from mnemo.cli.common import JsonOpt, console, emit_json, home, print_table, write_out
from mnemo.errors import BadInput


def _span(text: str) -> int:
    """'8k' -> 8000 tokens."""
    t = text.strip().lower()
    try:
        return int(float(t[:-1]) * 1000) if t.endswith("k") else int(t)
    except ValueError:
        raise BadInput(f"--span must be a number of tokens such as 8k or 1500, not '{text}'") from None


@eval_app.command("ltm")
def eval_ltm(
    ctx: typer.Context,
    span: Annotated[str, typer.Option(help="Tokens of distraction the memories must span: 1k, 8k, 32k, 120k.")] = "8k",
    seed: Annotated[int, typer.Option(help="The same seed gives the same conversation.")] = 1,
    agents: Annotated[
        str, typer.Option(help="Comma-separated: mnemo, plain, full-context.")
    ] = "mnemo,plain,full-context",
    model: Annotated[str | None, typer.Option("--model", "-m", help="A models.toml entry.")] = None,
    types: Annotated[str | None, typer.Option(help="Comma-separated test types (default: all).")] = None,
    examples: Annotated[int, typer.Option(help="Examples per test type.")] = 1,
    out: Annotated[Path, typer.Option(help="Folder for results.json, report.md, chart.png (and resume state).")] = Path(
        "ltm-results"
    ),
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Play it to mnemo's scripted stand-in model: checks the "
            "run and the memory side in seconds; the scores say nothing of a model.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """GoodAI-style long-term-memory benchmark: one long conversation with distraction
    between the needles and the questions, scored without an LLM judge. Resumes when run
    again with the same --out."""
    import importlib.util

    missing = [name for name in ("faker", "matplotlib") if importlib.util.find_spec(name) is None]
    if missing:
        raise BadInput(f"mnemo eval needs {' and '.join(missing)}: pip install 'mnemo[eval]'")
    from mnemo.evals import report, runner
    from mnemo.evals.ltm import TYPES

    span_tokens = _span(span)
    agent_list = [a.strip() for a in agents.split(",") if a.strip()]
    bad = sorted(set(agent_list) - set(runner.AGENTS))
    if bad or not agent_list:
        raise BadInput(f"unknown agent(s) {', '.join(bad) or '(none)'}; use {', '.join(runner.AGENTS)}")
    type_list = [t.strip() for t in types.split(",")] if types else list(TYPES)
    bad = sorted(set(type_list) - set(TYPES))
    if bad:
        raise BadInput(f"unknown test type(s) {', '.join(bad)}; use {', '.join(TYPES)}")
    if examples < 1:
        raise BadInput("--examples must be at least 1")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[tokens]} tokens"),
        console=console(stderr=True),
        transient=True,
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(agent: str, done: int, total: int, tokens: int) -> None:
            if agent not in tasks:
                tasks[agent] = bar.add_task(agent, total=total, tokens=0)
            bar.update(tasks[agent], completed=done, tokens=tokens)

        results = runner.run(
            span_tokens=span_tokens,
            seed=seed,
            agents=agent_list,
            model=model,
            types=type_list,
            per_type=examples,
            out=out,
            progress=progress,
            engine_factory=runner.dry_run_factory() if dry_run else None,
            home=home(ctx),
        )
    text = report.markdown(results)
    write_out(text, out / "report.md")
    report.chart(results, out / "chart.png")
    if as_json:
        emit_json(results)
    else:
        sys.stdout.write(text)


@eval_app.command("recall")
def eval_recall(
    locomo: Annotated[
        Path | None,
        typer.Option(help="Measure on real dialogues: a file in LoCoMo's format (locomo10.json), not generated ones."),
    ] = None,
    conversations: Annotated[
        int | None,
        typer.Option(help="Conversations, each its own home (default: 8 generated; all of a --locomo file)."),
    ] = None,
    sessions: Annotated[int, typer.Option(help="Dated sessions per conversation.")] = 8,
    turns: Annotated[int, typer.Option(help="Turns per session.")] = 24,
    k: Annotated[int, typer.Option(help="Memories recalled per question (recall@k).")] = 10,
    seed: Annotated[int, typer.Option(help="The same seed gives the same conversations.")] = 1,
    out: Annotated[Path, typer.Option(help="Folder for the homes, results.json and report.md.")] = Path(
        "recall-results"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Recall on long multi-session conversations: does it find the turns that answer each
    question (and nothing for unrelated requests), against naive FTS5, dense and fused
    search over the same turns, computed in the same run."""
    from mnemo.evals import locomo as real
    from mnemo.evals import recall

    if min(conversations or 1, sessions, turns, k) < 1 or sessions < 3:
        raise BadInput("--conversations, --turns and --k must be at least 1, --sessions at least 3")
    if locomo is not None:
        real.load(locomo)  # a file that cannot be read is one line, before anything is written
    out.mkdir(parents=True, exist_ok=True)
    con = console(stderr=True)

    def progress(what: str, done: int, total: int) -> None:
        con.print(f"{what}: {done}/{total}")

    if locomo is not None:
        results = real.run(locomo, conversations=conversations, k=k, out=out, progress=progress)
        text = real.table(results["summary"]) + "\n"
    else:
        results = recall.run(
            seed=seed, conversations=conversations or 8, sessions=sessions, turns=turns, k=k, out=out, progress=progress
        )
        text = recall.table(results["summary"]) + "\n"
    (out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    write_out(text, out / "report.md")
    if as_json:
        emit_json(results["summary"])
    else:
        sys.stdout.write(text)


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Fewer runs and smaller sizes (a minute or two).")] = False,
    only: Annotated[
        str | None, typer.Option(help="Comma-separated parts: generation, recall, startup, chat, tui, memory, tools.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure mnemo against its baselines on this machine (in a temporary home)."""
    from mnemo import bench as benchmarks

    parts = [p.strip() for p in only.split(",")] if only else None
    known = set(benchmarks.PARTS)
    if parts and set(parts) - known:
        raise BadInput(f"unknown part(s) {', '.join(sorted(set(parts) - known))}; use {', '.join(sorted(known))}")
    result = benchmarks.run(quick=quick, only=parts, progress=lambda name: print(f"measuring {name}…", file=sys.stderr))
    if as_json:
        emit_json(result)
        return
    lines = [
        (
            f["name"],
            str(f["value"]),
            f["unit"],
            str(f["baseline"] if f["baseline"] is not None else "–"),
            str(f["ratio"] if f["ratio"] is not None else "–"),
            f["target"],
            {True: "yes", False: "NO", None: "–"}[f["ok"]],
        )
        for f in result["figures"]
    ]
    print_table(("figure", "value", "unit", "baseline", "ratio", "target", "ok"), lines)
