"""Every phrase class the rules declare has a phrasing in these tests, and every phrasing
names declared classes."""

from __future__ import annotations

import pytest

from mnemo.memory.rules.phrases import CLASSES, Phrases
from tests.unit.rules import (
    test_facts,
    test_forget,
    test_lists,
    test_material,
    test_names,
    test_precedence,
    test_question,
    test_remember,
    test_tasks,
)

MODULES = (
    test_facts,
    test_forget,
    test_lists,
    test_material,
    test_names,
    test_precedence,
    test_question,
    test_remember,
    test_tasks,
)


def _tables():
    for module in MODULES:
        for name, table in vars(module).items():
            if name.isupper() and isinstance(table, list):
                yield f"{module.__name__}.{name}", table


def _labels(row) -> list[str]:
    assert isinstance(row, tuple) and isinstance(row[0], str) and isinstance(row[1], str), row
    return row[0].split("+")


def test_every_phrasing_names_declared_classes():
    assert len(list(_tables())) >= 20
    for where, table in _tables():
        for row in table:
            unknown = [label for label in _labels(row) if label not in CLASSES]
            assert not unknown, f"{where}: {row[1]!r} names {unknown}, not a declared phrase class"


def test_every_declared_class_has_a_phrasing():
    labelled = {label for _, table in _tables() for row in table for label in _labels(row)}
    assert len(CLASSES) > 80
    assert sorted(set(CLASSES) - labelled) == [], "phrase classes without a phrasing in tests/unit/rules"


def test_a_class_is_declared_once():
    with pytest.raises(ValueError, match="already declared"):
        Phrases("twice", ("name-call-me", r"call\ me"))


def test_a_table_is_one_alternative_a_line_each_tagged_with_its_class():
    said = Phrases("example", ("example-hello", r"hello\ there"), ("example-hi", r"hi"))
    try:
        assert said.source.splitlines()[1:3] == ["    hello\\ there  # example-hello", "  |    hi  # example-hi"]
        assert said.compile().fullmatch("hello there") and not said.compile().fullmatch("hellothere")
    finally:
        for name in said.classes:
            del CLASSES[name]
