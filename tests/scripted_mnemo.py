"""The real `mnemo` command whose scripted stand-in model writes tool calls: the test's
script (the raw replies, in order, as JSON in MNEMO_TEST_SCRIPT) in the call syntax of
MNEMO_TEST_FAMILY. Run as `python -m tests.scripted_mnemo ARGS...` (a real process, on a
real terminal where the test gives it one)."""

from __future__ import annotations

import json
import os


def install(family: str, script: list[str]) -> list:
    """Make every scripted engine opened from now on write ``script`` in ``family``'s syntax;
    the engines made are in the list returned."""
    from mnemo import engine
    from mnemo.engine.scripted import ScriptedEngine
    from mnemo.kinds import EngineKind

    made: list = []

    def opener(spec, home):
        made.append(ScriptedEngine(spec, family=family, script=list(script)))
        return made[-1]

    engine._OPENERS[EngineKind.SCRIPTED] = opener
    return made


if __name__ == "__main__":
    install(os.environ.get("MNEMO_TEST_FAMILY", "hermes"), json.loads(os.environ.get("MNEMO_TEST_SCRIPT", "[]")))
    from mnemo.cli import main

    main()
