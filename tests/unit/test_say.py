"""mnemo's fixed sentences about time: a reminder's time as people say it."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from mnemo.memory import say


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


def ts(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").timestamp()


NOW = "2026-12-01 07:44"  # a Tuesday


@pytest.mark.parametrize(
    ("due", "said"),
    [
        ("2026-12-01 07:45", "at 7:45"),
        ("2026-12-01 21:05", "at 21:05"),
        ("2026-12-02 09:00", "tomorrow at 9:00"),
        ("2026-12-04 09:00", "on Friday at 9:00"),
        ("2026-12-07 18:30", "on Monday at 18:30"),
        ("2026-12-08 09:00", "on 8 December at 9:00"),
        ("2027-01-15 08:00", "on 15 January 2027 at 8:00"),
    ],
)
def test_a_reminder_time_reads_as_people_say_it(due, said):
    assert say.at_time(ts(due), ts(NOW)) == said


def test_the_confirmation_of_a_timed_reminder_has_no_iso_timestamp():
    from mnemo.memory.rules import NewTask
    from mnemo.memory.tasks import Task

    task = Task(
        1, "at_time", "remind", "call mum", None, None, None, ts("2026-12-02 09:00"), False, "pending", 0, ts(NOW)
    )
    text = say.task_set(task, NewTask("at_time", "remind", "call mum", due_at=task.due_at))
    assert text == "OK, I will remind you to call mum tomorrow at 9:00."
    assert say.cancelled([task]) == "Cancelled: remind you to call mum tomorrow at 9:00."


ITEMS = {"eggs": 3, "milk": 1}


@pytest.mark.parametrize(
    "kind, keys, said",
    [
        ("plain", (), "Your shopping list: 3 eggs, 1 milk."),
        ("json", ("item", "quantity"), '[{"item": "eggs", "quantity": 3}, {"item": "milk", "quantity": 1}]'),
        ("json", (), '[{"item": "eggs", "quantity": 3}, {"item": "milk", "quantity": 1}]'),
        ("json", ("product", "qty"), '[{"product": "eggs", "qty": 3}, {"product": "milk", "qty": 1}]'),
        ("json", ("qty", "what"), '[{"qty": 3, "what": "eggs"}, {"qty": 1, "what": "milk"}]'),
        ("json", ("name",), '[{"name": "eggs"}, {"name": "milk"}]'),
        ("json", ("foo", "bar"), '[{"foo": "eggs", "bar": 3}, {"foo": "milk", "bar": 1}]'),
        ("table", (), "| item | quantity |\n|---|---|\n| eggs | 3 |\n| milk | 1 |"),
        ("markdown", (), "- 3 eggs\n- 1 milk"),
        ("numbered", (), "1. 3 eggs\n2. 1 milk"),
        ("lines", (), "3 eggs\n1 milk"),
        ("comma-separated", (), "3 eggs, 1 milk"),
    ],
)
def test_a_list_in_the_form_asked_for(kind, keys, said):
    assert say.list_answer("shopping list", ITEMS, kind, keys) == said


def test_an_empty_list_in_any_form():
    assert say.list_answer("shopping list", {}) == "Your shopping list is empty."
    assert say.list_answer("shopping list", {}, "json", ("item", "quantity")) == "[]"


T0 = 1_800_000_000.0
NAMES = [("Ada", T0), ("Bea", T0 + 86400), ("Cy", T0 + 2 * 86400)]


@pytest.mark.parametrize(
    "kind, keys, earlier, said",
    [
        ("plain", (), False, "You have given me 3 names, in this order: Ada, Bea and Cy (Cy is the current one)."),
        ("plain", (), True, "Before Cy, your name was Ada, then Bea."),
        ("json", (), False, '["Ada", "Bea", "Cy"]'),
        (
            "json",
            ("name", "order"),
            False,
            '[{"name": "Ada", "order": 1}, {"name": "Bea", "order": 2}, {"name": "Cy", "order": 3}]',
        ),
        (
            "json",
            ("value", "current"),
            True,
            '[{"value": "Ada", "current": false}, {"value": "Bea", "current": false}]',
        ),
        ("numbered", (), False, "1. Ada\n2. Bea\n3. Cy (the current one)"),
        ("comma-separated", (), False, "Ada, Bea, Cy (the current one)"),
    ],
)
def test_a_history_in_the_form_asked_for(kind, keys, earlier, said):
    assert say.history_answer("name", NAMES, kind, keys, earlier) == said


def test_a_history_with_dates_and_none_given():
    from datetime import datetime

    day = datetime.fromtimestamp(T0).date().isoformat()
    assert say.history_answer("name", NAMES[:1], "json", ("name", "date")) == f'[{{"name": "Ada", "date": "{day}"}}]'
    assert say.history_answer("name", []) == "You have not told me your name."
    assert say.history_answer("name", NAMES[:1]) == "You have given me one name: Ada."
    assert say.history_answer("name", NAMES[:1], earlier=True) == "You have only given me one name: Ada."
