"""`mnemo` and `python -m mnemo`: the CLI, with the model's process started first for the
commands that answer (``mnemo.engine.warm``), so that its import of llama-cpp-python runs
while this process imports the CLI."""

from __future__ import annotations

import sys
from typing import Any

ANSWERING = ("ask", "chat")  # the commands that load a model


def _will_answer(argv: list[str]) -> bool:
    """The command is ``ask`` or ``chat`` (not its help), on a local model."""
    return _plan(argv) is not False


def _plan(argv: list[str]) -> Any:
    """False: start nothing ahead; None: a model process, the model not known yet (one named
    on the command line); else the default model's (spec, home), to be sent its load at once."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] not in ANSWERING or _helps(argv):
        return False
    if any(a in ("-m", "--model") or a.startswith("--model=") for a in argv):
        return None  # a model named on the command line: most are local
    from mnemo import config, paths
    from mnemo.errors import MnemoError
    from mnemo.kinds import EngineKind

    try:
        home = paths.Home.resolve()
        spec = config.load_registry(home).get(None)
    except MnemoError:
        return False  # the CLI says what is wrong
    return (spec, home) if spec.kind == EngineKind.GGUF else False


def _helps(argv: list[str]) -> bool:
    """The command line asks for a help screen (``mnemo`` alone shows one too)."""
    return not argv or "--help" in argv or "-h" in argv


def main() -> None:
    argv = sys.argv[1:]
    plan = _plan(argv)
    if plan is not False:
        from mnemo.engine import warm

        if plan is None or any(a in ("-v", "--verbose") for a in argv):
            warm.start()  # the load is sent by the engine (with the log level -v sets)
        else:
            warm.ahead(*plan)
    from mnemo.cli import main as cli

    if plan is False and not _helps(argv):
        cli()  # a command that may leave work to the interpreter's end (a pull's threads): the usual exit
        return
    try:
        cli()
    except SystemExit as done:
        _leave(done.code)
    _leave(0)


def _leave(code: Any) -> None:
    """End an answering command (or a help screen) without the interpreter's teardown, which frees every module
    one by one (0.1 to 0.2 s after the answer, measured on 2 cores): what was said is saved
    and closed by then. The atexit handlers still run (a model process nobody took ends with
    them), and what stdout and stderr buffer is written; every thread left is a daemon."""
    import atexit
    import os

    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":
    main()
