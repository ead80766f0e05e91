"""The helpers the readers share (mnemo/memory/rules/text.py)."""

from __future__ import annotations

from mnemo.memory import rules


def test_third_person():
    assert rules.third_person("I prefer my tea without sugar") == "The user prefers the user's tea without sugar."
    assert rules.third_person("I watch films and I fly kites") == "The user watches films and the user flies kites."
    assert rules.third_person("I don't eat meat") == "The user doesn't eat meat."
    assert rules.third_person("I'm allergic to nuts") == "The user is allergic to nuts."
