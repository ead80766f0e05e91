"""Import hygiene: heavy modules load only where they are needed (checked in subprocesses)."""

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("textual", "torch", "llama_cpp", "sentence_transformers")

PROBE = """
import json, sys
sys.argv = {argv!r}
from mnemo.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)
"""


def loaded_after(argv: list[str], home) -> list[str]:
    env = {**os.environ, "MNEMO_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_help_imports_nothing_heavy(home):
    assert loaded_after(["mnemo", "--help"], home) == []
    assert loaded_after(["mnemo", "ask", "--help"], home) == []


@pytest.mark.model
def test_ask_never_imports_textual_nor_llama_cpp(home):
    """The model runs in a process of its own: mnemo's never loads llama.cpp's libraries."""
    loaded = loaded_after(["mnemo", "ask", "hi", "--max-tokens", "4"], home)
    assert "textual" not in loaded and "llama_cpp" not in loaded
    assert (home / "mnemo.db").exists()  # it did answer


def test_core_never_imports_textual():
    code = (
        "import sys, mnemo.assistant, mnemo.store, mnemo.config, mnemo.prompt, mnemo.engine.process, "
        "mnemo.doctor; print('textual' in sys.modules or 'llama_cpp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


def _lint_imports(config: str | None = None) -> subprocess.CompletedProcess:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tool = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(tool), "--no-cache", *([config] if config else [])], cwd=root, capture_output=True, text=True, timeout=300
    )


def test_the_layering_contract_holds():
    """import-linter (pyproject's [tool.importlinter]): the core never imports the UI, and
    the chat app and the CLI reach the core only through the Assistant, and each floor
    imports only the floors below it."""
    out = _lint_imports()
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "3 kept, 0 broken" in out.stdout


def test_the_floors_contract_would_catch_an_arrow_running_up(tmp_path):
    """pyproject's own floors, with the config moved above the engine that reads it: broken."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    floors = next(c for c in project["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    layers = [f for f in floors["layers"] if f != "mnemo.config"]
    layers.insert(layers.index("mnemo.store | mnemo.engine"), "mnemo.config")
    config = tmp_path / "contract.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "mnemo"\n\n[[tool.importlinter.contracts]]\nname = "floors"\n'
        f'type = "layers"\nlayers = {layers!r}\nignore_imports = {floors["ignore_imports"]!r}\n'.replace("'", '"')
    )
    out = _lint_imports(str(config))
    assert out.returncode == 1 and "mnemo.engine is not allowed to import mnemo.config" in out.stdout, out.stdout


def test_the_layering_contract_would_catch_a_reach_past_the_assistant(tmp_path):
    """The same tool, told that the chat app may not import the Assistant (it does), fails."""
    config = tmp_path / "contract.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "mnemo"\n\n'
        '[[tool.importlinter.contracts]]\nname = "no assistant in the tui"\n'
        'type = "forbidden"\nsource_modules = ["mnemo.tui"]\n'
        'forbidden_modules = ["mnemo.assistant"]\nallow_indirect_imports = true\n'
    )
    out = _lint_imports(str(config))
    assert out.returncode == 1 and "mnemo.tui.app -> mnemo.assistant" in out.stdout


def test_the_memory_rules_import_nothing_heavy():
    code = (
        "import sys, mnemo.memory.rules, mnemo.assistant; "
        "print([m for m in ('sqlite_utils', 'numpy', 'pysqlite3') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code.replace(", mnemo.assistant", "")], capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stderr
    # and the Assistant's module leaves the store and memory bank to its constructor, so a
    # model's process starts before they load
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
