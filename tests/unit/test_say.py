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
