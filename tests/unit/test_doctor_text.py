"""`mnemo doctor` on a terminal: long lines wrap at words, under their text."""

from __future__ import annotations

import shutil

from mnemo.cli.doctor import _fit


def test_long_lines_wrap_at_words_under_their_text(monkeypatch):
    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: __import__("os").terminal_size((40, 24)))
    line = "ok smollm2-135m loads in its own process in 0.47 s, on the CPU; first token in 362 ms"
    out = _fit(f"{line}\n\n   threads: 2 CPU threads, from the physical cores of this machine")
    rows = out.split("\n")
    assert all(len(r) <= 40 for r in rows)
    assert rows[0].startswith("ok smollm2-135m") and all(r.startswith("   ") for r in rows[1:3] if r)
    assert " ".join(w for r in rows for w in r.split()) == " ".join(
        (line + " threads: 2 CPU threads, from the physical cores of this machine").split()
    )
    assert "" in rows  # blank lines stay
