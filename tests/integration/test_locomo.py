"""`mnemo eval recall --locomo`: a LoCoMo-format file the test writes itself (the real one is
evaluation data, never copied into a fixture), recorded and searched for real (SQLite, the
embedder, the scripted model)."""

import json

from mnemo.evals import locomo

SESSIONS = [
    (
        "11:01 am on 17 December, 2022",
        [
            ("Maria", "Hey John! Long time no see! What's up?"),
            ("John", "Hi Maria! Busy with work. How about you?"),
            ("Maria", "Oh nice. Anyway, I finally booked a pottery course at the community centre yesterday."),
            ("John", "That sounds fun, good luck with it!"),
        ],
    ),
    (
        "2:30 pm on 8 May, 2023",
        [
            ("John", "Hey Maria, guess what, I adopted a greyhound called Biscuit last weekend."),
            ("Maria", "No way! Send me a picture.", "a photo of a grey dog lying on a sofa"),
            ("John", "Here he is. He sleeps all day."),
        ],
    ),
]


def _file(tmp_path):
    conversation = {"speaker_a": "Maria", "speaker_b": "John"}
    for s, (when, turns) in enumerate(SESSIONS, start=1):
        conversation[f"session_{s}_date_time"] = when
        conversation[f"session_{s}"] = [
            {"speaker": t[0], "dia_id": f"D{s}:{i}", "text": t[1], **({"blip_caption": t[2]} if len(t) > 2 else {})}
            for i, t in enumerate(turns, start=1)
        ]
    qa = [
        {"question": "What course did Maria book?", "answer": "pottery", "evidence": ["D1:03"], "category": 4},
        {"question": "What is the name of John's dog?", "answer": "Biscuit", "evidence": ["D2:1 D2:2"], "category": 1},
        {"question": "When did John adopt his dog?", "answer": "early May 2023", "evidence": ["D2:1"], "category": 2},
        {"question": "What did Maria eat?", "answer": "n/a", "evidence": [], "category": 5},  # adversarial: left out
        {"question": "Who is Maria's boss?", "answer": "?", "evidence": ["D9:9"], "category": 4},  # no such turn
    ]
    path = tmp_path / "locomo.json"
    path.write_text(json.dumps([{"sample_id": "conv-x", "conversation": conversation, "qa": qa}]))
    return path


def test_load_reads_the_format_with_its_quirks(tmp_path):
    (dialogue,) = locomo.load(_file(tmp_path))
    assert [len(s.turns) for s in dialogue.sessions] == [4, 3]
    assert dialogue.sessions[0].at < dialogue.sessions[1].at
    assert dialogue.sessions[1].turns[1].text == (
        "Maria: No way! Send me a picture. [shares a photo: a photo of a grey dog lying on a sofa]"
    )
    # "D1:03" is turn (1, 3); two ids in one string are two; category 5 and unknown turns are out
    assert [(q.category, sorted(q.evidence)) for q in dialogue.questions] == [
        ("single-hop", [(1, 3)]),
        ("multi-hop", [(2, 1), (2, 2)]),
        ("temporal", [(2, 1)]),
    ]


def test_budget_takes_the_top_that_fits():
    cost = {"a": 5, "b": 10, "c": 1}
    assert locomo._within(["a", "b", "c"], cost, 15) == ["a", "b"]
    assert locomo._within(["a", "b", "c"], cost, 14) == ["a"]  # never past the first that does not fit
    assert locomo._within(["a", "b"], cost, 0) == []


def test_eval_recall_locomo_records_asks_and_scores(tmp_path, mnemo):
    out = tmp_path / "out"
    done = mnemo("eval", "recall", "--locomo", str(_file(tmp_path)), "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rows = json.loads((out / "results.json").read_text())["questions"]
    assert summary["questions"] == len(rows) == 3 and summary["conversations"] == 1
    assert set(summary["systems"]) == set(locomo.SYSTEMS)
    assert summary["best_naive"].endswith("@budget")
    for row in rows:
        # the naive systems at the budget never hold more tokens than mnemo's recall returned
        assert row["injected"]["fts@budget"] <= row["injected"]["fts@k"] <= 7
        if row["budget_tokens"] == 0:
            assert row["injected"]["fusion@budget"] == 0
    # seven turns and k = 10: dense search at k holds every turn, so it answers everything
    assert summary["systems"]["dense@k"]["recall_all"] == 1.0
    # the rare word of the question finds its turn through mnemo's own recall too
    course = next(r for r in rows if "course" in r["question"])
    assert course["any"]["mnemo"], course
    assert "| mnemo |" in (out / "report.md").read_text()


def test_a_file_not_in_the_format_is_one_line_and_writes_nothing(tmp_path, mnemo):
    for text in ["not json", '{"conversation": 1}', '[{"qa": []}]']:
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        done = mnemo("eval", "recall", "--locomo", str(bad), "--out", str(tmp_path / "never"))
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert str(bad) in done.stderr and not (tmp_path / "never").exists()
