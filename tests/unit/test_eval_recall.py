"""`mnemo eval recall`'s figures and targets, from rows written by hand."""

from __future__ import annotations

from mnemo.evals.recall import SYSTEMS, summarise


def row(kind: str, hits: dict[str, bool], injected: int = 10) -> dict:
    return {
        "kind": kind,
        "question": "?",
        "any": hits,
        "all": hits,
        "injected": {s: (0 if kind == "unrelated" and s == "mnemo" else injected) for s in SYSTEMS},
    }


def every(hit: bool, **others: bool) -> dict[str, bool]:
    return {"mnemo": hit, **{s: others.get(s, False) for s in SYSTEMS[1:]}}


def test_recall_by_type_the_ratio_and_the_targets():
    rows = [
        row("single", every(True, dense=True)),
        row("single", every(True)),
        row("multi", every(True)),
        row("multi", every(False)),
        row("unrelated", every(False)),
    ]
    s = summarise(rows)
    assert s["systems"]["mnemo"]["recall_any"] == 0.75 and s["systems"]["mnemo"]["by_kind"]["single"] == 1.0
    assert s["best_naive"] == "dense" and s["ratio"] == 3.0
    assert s["systems"]["mnemo"]["unrelated_empty"] == 1.0 and s["systems"]["dense"]["unrelated_mean_injected"] == 10
    assert s["targets"]["every type above the best naive"]


def test_a_tie_below_one_misses_the_type_target_and_a_perfect_tie_does_not():
    tie = [row("update", every(True, dense=True)), row("update", every(False, dense=False))]
    assert not summarise(tie)["targets"]["every type above the best naive"]  # 0.5 against 0.5
    perfect = [row("single", every(True, dense=True)), row("multi", every(True))]
    assert summarise(perfect)["targets"]["every type above the best naive"]  # 1.0 against 1.0: nothing to beat
