"""The LTM benchmark's scores on hand-made right, partly right and wrong answers."""

import pytest

from mnemo.evals import scoring


def test_json_list_is_found_in_prose_and_fences():
    assert scoring.json_list('Sure! ```json\n[{"item": "milk", "quantity": 2}]\n```') == [
        {"item": "milk", "quantity": 2}
    ]
    assert scoring.json_list('I think [the list] is [\'a\'] or ["Ann", "Bo"]') == ["Ann", "Bo"]
    assert scoring.json_list("no list here") is None


@pytest.mark.parametrize(
    "answer, score",
    [
        ("Your favourite colour is teal.", 1.0),
        ("It used to be red, now it is teal.", 0.0),  # names a replaced value too
        ("Red!", 0.0),
        ("I don't know.", 0.0),
    ],
)
def test_latest_value(answer, score):
    assert scoring.latest_value(answer, "teal", ["red", "blue"]) == score


EXPECTED = {"milk": 2, "apples": 3}


@pytest.mark.parametrize(
    "answer, score",
    [
        ('[{"item": "milk", "quantity": 2}, {"item": "apple", "quantity": 3}]', 1.0),
        ('[{"item": "Milk", "quantity": "2"}, {"item": "apples", "quantity": 1}]', (1 + 0.5 + 1) / 3),
        ('[{"item": "milk", "quantity": 2}]', (0.5 + 0.5 + 1) / 3),
        (
            '[{"item": "milk", "quantity": 2}, {"item": "apples", "quantity": 3}, {"item": "eggs", "quantity": 6}]',
            (1 + 1 + 0) / 3,
        ),
        ("You need milk and apples.", 1 / 3),  # not JSON: only "no extra items" holds
        ('[{"item": "bread", "quantity": 1}]', 0.0),
    ],
)
def test_shopping(answer, score):
    assert scoring.shopping(answer, EXPECTED) == pytest.approx(score)


def test_shopping_an_empty_list_after_a_reset():
    assert scoring.shopping("[]", {}) == 1.0
    assert scoring.shopping('[{"item": "milk", "quantity": 1}]', {}) == 0.0


@pytest.mark.parametrize(
    "answer, score",
    [
        ('["Ann", "Bea", "Cy"]', 1.0),
        ('["Ann", "Bea"]', 2 / 3),
        ('["Ann", "Bea", "Cy", "Dan"]', 3 / 4),
        ("You were called Ann, then Cy.", 2 / 3),
        ('["Zed"]', 0.0),
    ],
)
def test_name_list(answer, score):
    assert scoring.name_list(answer, ["Ann", "Bea", "Cy"]) == pytest.approx(score)


QUOTE = "Fortune favours the bold"


@pytest.mark.parametrize(
    "replies, score",
    [
        (["ok", "sure", f"Done. {QUOTE}.", "fine"], 1.0),
        (["ok", f"{QUOTE}", "sure", "fine"], 0.0),  # too early
        (["ok", "sure", f"{QUOTE}", f"again: {QUOTE}"], 0.0),  # more than once
        (["ok", "sure"], 0.0),  # never got there
    ],
)
def test_prospective(replies, score):
    assert scoring.prospective(replies, 3, QUOTE) == score


def test_trigger_counts_each_time():
    sentence = "Here is a tissue for you"
    assert scoring.trigger([sentence, "bless you", sentence + "!"], sentence) == pytest.approx(2 / 3)
    assert scoring.trigger([], sentence) == 0.0


@pytest.mark.parametrize(
    "answer, score",
    [
        ("Meet at the harbour at midnight and bring the camera.", 1.0),
        ("At the harbour, at noon.", pytest.approx(1 / 3 - 1 / 3)),
        ("The harbour at midnight, with a camera or a map.", pytest.approx(1 - 1 / 3)),
        ("No idea.", 0.0),
    ],
)
def test_spy_keywords(answer, score):
    assert scoring.keywords(answer, ["harbour", "midnight", "camera"], ["noon", "map", "station"]) == score


def test_contains_is_whole_words():
    assert scoring.contains("The value of key K7 is 4412.", "4412") == 1.0
    assert scoring.contains("The value is 44120.", "4412") == 0.0


def test_examples_are_made_from_the_seed():
    from mnemo.evals import ltm

    a = ltm.examples(1, list(ltm.TYPES), 2)
    b = ltm.examples(1, list(ltm.TYPES), 2)
    assert [[t.text for t in e.turns] for e in a] == [[t.text for t in e.turns] for e in b]
    assert [[t.text for t in e.turns] for e in a] != [
        [t.text for t in e.turns] for e in ltm.examples(2, list(ltm.TYPES), 2)
    ]
    assert {e.type for e in a} == set(ltm.TYPES) and len(a) == 18
    for e in a:
        assert any(t.asks for t in e.turns) and e.evidence


def test_an_answer_naming_the_evidence_scores_full_marks():
    from mnemo.evals import ltm

    for e in ltm.examples(3, ["colours", "key_value", "cross_conversation", "jokes", "spy_meeting"], 3):
        answer = "It is " + " and ".join(e.evidence) + "."
        assert e.score([answer]) == 1.0, (e.name, answer)
        assert e.score(["I do not know."]) == 0.0


def test_the_schedule_spreads_distraction_but_never_inside_a_prospective_test():
    from mnemo.evals import ltm, runner

    exs = ltm.examples(1, list(ltm.TYPES), 1)
    events = runner.schedule(exs, 8000, 1)
    assert 7000 <= sum(e.tokens for e in events if e.turn is None) <= 8000
    sent = [e for e in events if e.turn is not None]
    assert len(sent) == sum(len(x.turns) + len(x.reset) for x in exs)
    for i, e in enumerate(events):
        if e.turn is not None and e.turn.consecutive:
            follow = events[i + 1 : i + 1 + e.turn.consecutive]
            assert all(f.turn is not None and f.example == e.example for f in follow)
    for k, x in enumerate(exs):  # each example keeps its own order
        assert [e.turn.text for e in sent if e.example == k] == [t.text for t in x.turns + x.reset]
