"""`mnemo` and `python -m mnemo`: the CLI, with the model's process started first for the
commands that answer (``mnemo.engine.warm``), so that its import of llama-cpp-python runs
while this process imports the CLI."""

from __future__ import annotations

import sys

ANSWERING = ("ask", "chat")  # the commands that load a model


def _will_answer(argv: list[str]) -> bool:
    """The command is ``ask`` or ``chat`` (not its help), on a local model."""
    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] not in ANSWERING or "--help" in argv or "-h" in argv:
        return False
    if any(a in ("-m", "--model") or a.startswith("--model=") for a in argv):
        return True  # a model named on the command line: most are local
    from mnemo import config, paths
    from mnemo.errors import MnemoError
    from mnemo.kinds import EngineKind

    try:
        return config.load_registry(paths.Home.resolve()).get(None).kind == EngineKind.GGUF
    except MnemoError:
        return False  # the CLI says what is wrong


def main() -> None:
    if _will_answer(sys.argv[1:]):
        from mnemo.engine import warm

        warm.start()
    from mnemo.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
