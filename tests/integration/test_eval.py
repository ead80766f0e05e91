"""`mnemo eval ltm` end to end, small (two test types, a short span): a dry run on mnemo's
scripted model (the memory side, the files, resuming), and once on the shipped model."""

import json

import pytest


@pytest.mark.parametrize(
    "dry",
    [
        pytest.param(True, id="dry-run", marks=pytest.mark.slow),
        pytest.param(False, id="model", marks=pytest.mark.model),
    ],
)
def test_eval_ltm_writes_results_report_and_chart_and_resumes(request, tmp_path, dry):
    mnemo = request.getfixturevalue("mnemo" if dry else "mnemo_process")  # the model's own process
    out = tmp_path / "ltm"
    args = (
        "eval",
        "ltm",
        "--span",
        "1500",
        "--types",
        "colours,key_value",
        "--agents",
        "mnemo,plain",
        "--out",
        str(out),
        "--json",
        *(["--dry-run"] if dry else []),
    )
    r = mnemo(*args)
    assert r.returncode == 0, r.stderr[-2000:]
    results = r.json()
    assert results == json.loads((out / "results.json").read_text())
    assert results["config"]["span_tokens"] == 1500 and results["config"]["events"] > 12
    for agent in ("mnemo", "plain"):
        a = results["agents"][agent]
        assert set(a["types"]) == {"colours", "key_value"} and a["max"] == 2
        assert 0 <= a["total"] <= 2 and 0 <= a["context_recall"] <= 1 and a["tokens"] > 0
        for t in a["types"].values():
            assert len(t["examples"]) == 1 and t["examples"][0]["replies"]
    # memory puts the evidence in front of the model; the short window of the plain agent does not
    assert results["agents"]["mnemo"]["context_recall"] > results["agents"]["plain"]["context_recall"]
    assert "| colours |" in (out / "report.md").read_text()
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = mnemo(*args)  # everything is done already: it only rescores
    assert again.returncode == 0 and again.json()["agents"] == results["agents"]


def test_eval_rejects_bad_arguments(mnemo, tmp_path):
    r = mnemo("eval", "ltm", "--agents", "mnemo,robot", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "robot" in r.stderr
    r = mnemo("eval", "ltm", "--span", "lots", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "--span" in r.stderr


@pytest.mark.slow
def test_an_interrupted_run_resumes_without_losing_or_repeating_a_message(home, tmp_path):
    from mnemo.evals import runner
    from mnemo.evals.ltm import examples
    from mnemo.store import Store

    exs = examples(4, ["key_value", "trigger"], 1)
    events = runner.schedule(exs, 400, 4)
    out = tmp_path / "ltm"

    def stop_at_7(agent, done, total, tokens):
        if done == 7:
            raise KeyboardInterrupt

    from mnemo.engine import scripted

    with pytest.raises(KeyboardInterrupt):
        runner.run_agent(
            "mnemo", events, exs, model=None, out=out, seed=4, progress=stop_at_7, engine_factory=scripted.factory()
        )
    assert json.loads((out / "state-mnemo.json").read_text())["done"] == 7
    result = runner.run_agent("mnemo", events, exs, model=None, out=out, seed=4, engine_factory=scripted.factory())
    assert json.loads((out / "state-mnemo.json").read_text())["done"] == len(events)
    assert set(result["types"]) == {"key_value", "trigger"}
    store = Store.open(out / "homes" / "mnemo" / "mnemo.db")
    users = [r[0] for r in store.db.execute("select content from messages where role = 'user' order by id")]
    assert len(users) == len(events)  # every event sent once
    sent = [e.turn.text for e in events if e.turn is not None]
    assert [u for u in users if u in sent] == sent


@pytest.mark.slow
def test_eval_recall_small_slice_against_naive_baselines(mnemo, tmp_path):
    """The recall benchmark on a slice (CI runs it; the README has the full run): real SQLite,
    the real embedder, baselines from the same run, every figure computed and reported."""
    out = tmp_path / "recall"
    r = mnemo(
        "eval",
        "recall",
        "--conversations",
        "2",
        "--sessions",
        "4",
        "--turns",
        "12",
        "--seed",
        "5",
        "--out",
        str(out),
        "--json",
    )
    assert r.returncode == 0, r.stderr[-2000:]
    summary = r.json()
    assert summary == json.loads((out / "results.json").read_text())["summary"]
    assert set(summary["systems"]) == {"mnemo", "fts", "dense", "fusion"} and summary["questions"] >= 20
    mnemo_, naive = summary["systems"]["mnemo"], [summary["systems"][s] for s in ("fts", "dense", "fusion")]
    for figures in summary["systems"].values():
        assert 0 <= figures["recall_any"] <= 1 and figures["recall_all"] <= figures["recall_any"]
        assert set(figures["by_kind"]) == {"single", "multi", "temporal", "preference", "update"}
    assert all(f["unrelated_mean_injected"] >= 5 for f in naive)  # naive search always returns something
    assert mnemo_["unrelated_empty"] >= 0.8  # mnemo's gate: unrelated requests get nothing
    assert mnemo_["recall_any"] >= max(f["recall_any"] for f in naive) - 0.1
    assert "| mnemo |" in (out / "report.md").read_text()
    bad = mnemo("eval", "recall", "--sessions", "1", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "--sessions" in bad.stderr


@pytest.mark.slow
def test_a_quote_mnemo_appends_itself_counts_as_delivered_at_the_reply_that_needs_it(tmp_path):
    """Context recall of the prospective test: only the n-th reply needs the quote, and
    mnemo's task puts it there itself (the model never has to see it)."""
    from mnemo.engine import scripted
    from mnemo.evals import runner
    from mnemo.evals.ltm import examples

    exs = examples(3, ["prospective"], 1)
    events = runner.schedule(exs, 600, 3)
    result = runner.run_agent("mnemo", events, exs, model=None, out=tmp_path, seed=3, engine_factory=scripted.factory())
    example = result["types"]["prospective"]["examples"][0]
    quote = exs[0].evidence[0]
    assert [quote in r for r in example["replies"]].count(True) == 1
    assert example["score"] == 1.0 and example["context_recall"] == 1.0
