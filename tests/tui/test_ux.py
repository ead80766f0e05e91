"""The chat app as a new user meets it: every screen readable at 80x24, focus where it is
expected, numbers that are true, and the small things (unknown commands, titles, search,
unclosed code, base models). Real Assistant, store and memory; a scripted engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mnemo.tui.app import MnemoApp
from mnemo.tui.commands import slash_help
from mnemo.tui.keys import help_keys
from mnemo.tui.screens.dialogs import AskText, Confirm, ErrorScreen, HelpScreen
from mnemo.tui.screens.memories import MemoriesScreen
from mnemo.tui.screens.models import ModelPicker
from mnemo.tui.widgets.chat import ChatView, code_blocks
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.sidebar import ConversationItem
from tests.tui.drive import on_conversation, ready, say, settled, status, until, views

SMALL = (80, 24)
BIG = (120, 40)
README = Path(__file__).resolve().parents[2] / "README.md"


def inside(widget, size) -> bool:
    region = widget.region
    return region.width > 0 and region.x >= 0 and region.right <= size[0] and region.bottom <= size[1]


def highlighted(app) -> int:
    return app.query_one("#conversations").highlighted_child.conversation.id


@pytest.mark.parametrize("size", [SMALL, BIG])
async def test_help_fits_and_scrolls_to_its_last_line(make_app, size):
    app = make_app(memory=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot, app)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.1)
        box = app.screen.query_one("#help")
        assert inside(box, size)
        for _ in range(10):
            await pilot.press("pagedown")
        await pilot.pause(0.1)
        assert box.scroll_y == box.max_scroll_y  # the end is reachable with the keyboard
        if size == SMALL:
            assert box.max_scroll_y > 0  # it did have to scroll
        text = app.screen.query_one("Markdown").source
        assert "ctrl+q" in text and "/incognito" in text
        await pilot.press("escape")
        await pilot.pause(0.05)
        assert not isinstance(app.screen, HelpScreen)


def test_help_names_every_binding_and_the_readme_table_matches_it(home):
    keys = {k for k, _ in help_keys(MnemoApp(), "enter", "ctrl+j")}
    shown = " ".join(keys)
    for binding in MnemoApp.BINDINGS:
        for key in binding.key.split(","):
            assert key.replace("escape", "esc") in shown, f"{key} is not in the help"
    table = README.read_text().split("## Chat", 1)[1].split("Slash commands", 1)[0]
    readme_keys = {m.group(1).strip() for m in re.finditer(r"^\| (.+?) \| .+ \|$", table, re.M)} - {"key", "---"}
    assert readme_keys == keys
    commands = README.read_text().split("Slash commands:", 1)[1].split("An unknown", 1)[0]
    assert {c.split()[0] for c, _ in slash_help()} == {
        w.strip("`,.").split()[0] for w in re.findall(r"`[^`]+`", commands)
    }


def test_the_command_table_feeds_the_slash_parser_and_the_help():
    from mnemo.tui.commands import COMMANDS, slash_command

    for command in COMMANDS:
        assert callable(getattr(MnemoApp, f"action_{command.action}", None)), command
        if command.name:
            assert slash_command(f"  {command.name} some text") is command
            assert (command.usage, command.help) in slash_help()
    assert slash_command("/fooo bar") == "/fooo"  # a typo, named as typed
    assert slash_command("//etc/hosts is where") is None and slash_command("/etc/hosts") is None
    assert slash_command("hello /new") is None


async def test_the_palette_runs_the_table_s_commands(make_app):
    from mnemo.tui.commands import palette

    app = make_app(memory=False)
    async with app.run_test(size=BIG) as pilot:
        await ready(pilot, app)
        found = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {c.title for c in palette()} <= set(found)
        assert found["Export conversation"].help == "Save this conversation as Markdown (/export)"
        await found["Help"].callback()
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


@pytest.mark.parametrize("size", [SMALL, BIG])
async def test_a_broken_models_toml_is_shown_whole_and_exits_2(scripted, home, size):
    (home / "models.toml").write_text('[[models]]\nname = "x"\nsource = "x.gguf"\nn_ctx = @big\n')
    app = MnemoApp()
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ErrorScreen))
        await pilot.pause(0.1)
        error = app.screen.query_one("#error-text")
        assert inside(error, size)
        lines = [line.text for line in error.render_lines(error.region.reset_offset)]
        shown = " ".join(" ".join(line.split()) for line in lines)
        expected = " ".join(app.screen.error.split())
        assert expected.replace(" ", "") in shown.replace(" ", "")  # every word of it, wrapped
        assert "q quit" in str(app.screen.query_one("#error-keys").render())
        await pilot.press("q")
    assert app.return_code == 2


async def test_focus_after_the_picker_and_page_keys_and_tab_from_the_box(make_app, scripted):
    scripted.words = 60
    app = make_app(memory=False)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot, app)
        for n in range(3):
            await say(pilot, app, f"question {n}")
        prompt = app.query_one(PromptInput)
        for dismiss in ("escape", "enter"):
            await pilot.press("ctrl+o")
            await until(pilot, lambda: isinstance(app.screen, ModelPicker))
            await pilot.press(dismiss)
            await until(pilot, lambda: not isinstance(app.screen, ModelPicker))
            await pilot.pause(0.05)
            assert app.focused is prompt

        chat = app.query_one(ChatView)
        prompt.text = "half typed"
        bottom = chat.scroll_y
        assert bottom > 0
        await pilot.press("pageup")
        await pilot.pause(0.1)
        assert chat.scroll_y < bottom and app.focused is prompt and prompt.text == "half typed"
        await pilot.press("pagedown")
        await pilot.pause(0.1)
        assert chat.scroll_y > bottom - chat.size.height + 1

        messages = views(app)
        await pilot.press("tab")
        assert app.focused is messages[-1]  # the newest first
        await pilot.press("tab")
        assert app.focused is messages[-2]
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is prompt


async def test_selection_survives_rename_pin_and_delete(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=BIG) as pilot:
        await ready(pilot, app)
        ids = []
        for topic in ("alpha", "beta", "gamma", "delta"):
            await pilot.press("ctrl+n")
            await say(pilot, app, f"about {topic}")
            ids.append(app.assistant.conversation_id)
        # listed newest first: delta, gamma, beta, alpha
        await on_conversation(pilot, app, ids[1], "p")  # pin "beta": it moves to the top, still highlighted
        assert highlighted(app) == ids[1] and app.query_one(ConversationItem).conversation.id == ids[1]
        await on_conversation(pilot, app, ids[0], "r")
        app.screen.query_one("Input").value = "Alpha, renamed"
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert highlighted(app) == ids[0]
        await pilot.press("d")  # on the renamed one, not on the first row
        assert isinstance(app.screen, Confirm) and "Alpha, renamed" in app.screen.question
        await pilot.press("y")
        await pilot.pause(0.2)
        await settled(pilot, app)
        rows = [i.conversation.id for i in app.query(ConversationItem)]
        assert ids[0] not in rows and highlighted(app) == rows[-1]  # the row where it was


async def test_memories_pinned_first_and_the_cursor_stays_on_a_pinned_row(make_app):
    app = make_app(memory=True)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot, app)
        for text in ("My name is Ada", "My dog is called Rex", "I live in Prague"):
            app.assistant.remember(text)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, MemoriesScreen))
        await settled(pilot, app)
        screen = app.screen
        table = screen.query_one("DataTable")
        assert inside(screen.query_one("#memory-count"), SMALL)
        pins = [r.pinned for r in screen.rows]
        assert pins == sorted(pins, reverse=True) and not pins[-1]
        table.move_cursor(row=len(pins) - 1)
        target = screen.rows[-1].id
        await pilot.press("p")
        await pilot.pause(0.1)
        await settled(pilot, app)
        pins = [r.pinned for r in screen.rows]
        assert pins == sorted(pins, reverse=True)  # pinned first
        assert screen.rows[table.cursor_row].id == target and screen.rows[table.cursor_row].pinned
        assert table.cursor_row < len(pins) - 1  # it moved up with its row
        await pilot.press("p")  # so p again unpins the same one
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert not app.assistant.memory(target).pinned


async def test_status_speed_is_the_models_and_context_is_the_conversation_on_screen(make_app):
    app = make_app(memory=True)
    async with app.run_test(size=BIG) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "tell me something")
        assert app.speed and "tok/s" in status(app) and "– tok/s" not in status(app)
        first, used = app.assistant.conversation_id, app.context_used
        assert used > 0 and f"ctx {used}/" in status(app)
        await say(pilot, app, "remember that my cat is called Tom")  # mnemo's own answer
        assert views(app)[-1].finish_reason == "memory"
        assert app.speed is None and "– tok/s" in status(app)
        await pilot.press("ctrl+n")
        await pilot.pause(0.1)
        assert "ctx 0/" in status(app)
        await on_conversation(pilot, app, first, "enter")
        last = [m for m in app.assistant.history() if m.finish_reason == "stop"][-1]  # the model's
        assert f"ctx {last.prompt_tokens + last.completion_tokens}/" in status(app)


async def test_status_and_footer_fit_at_80_columns(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "hello")
        app.pulling = "qwen2.5-1.5b 35%"
        await pilot.pause(0.1)
        line = status(app)
        assert len(line) <= 78 and line.startswith(app.model_name) and "35%" in line
        assert not re.search(r"│ \S{0,2}$", line)  # no part cut in two
        footer = " ".join(str(w.render()) for w in app.screen.query("FooterKey") if w.region.right <= 80)
        assert "Help" in footer and "Quit" in footer


async def test_unknown_command_hint_double_slash_and_titles(make_app, scripted):
    app = make_app(memory=True)
    async with app.run_test(size=BIG) as pilot:
        await ready(pilot, app)
        calls = scripted.calls
        prompt = app.query_one(PromptInput)
        prompt.text = "/fooo bar"
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert scripted.calls == calls and prompt.text == "/fooo bar"  # not sent, not lost
        assert any("Unknown command /fooo" in n.message for n in app._notifications)
        await say(pilot, app, "/remember my cat is called Tom")
        assert app.assistant.conversation().title == ""  # not titled by a command
        await say(pilot, app, "//etc/hosts is where names live?")
        assert app.assistant.history()[-2].content == "/etc/hosts is where names live?"
        assert app.assistant.conversation().title == "/etc/hosts is where names live?"


def test_copy_code_finds_what_markdown_shows_as_code():
    assert code_blocks("Here:\n```python\nprint(1)\n```\nand\n~~~\nls -t\n~~~") == ["print(1)\n", "ls -t\n"]
    assert code_blocks("Try:\n```bash\nls -lt\nhead -3") == ["ls -lt\nhead -3"]  # never closed
    assert code_blocks("inline ```not a block``` here") == []


async def test_search_shows_snippets_and_escape_leaves_it(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=BIG) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "my favourite mountain is the Matterhorn")
        await pilot.press("ctrl+n")
        await say(pilot, app, "something else entirely")
        await pilot.press("ctrl+f")
        await pilot.press(*"matterhorn")
        await pilot.pause(0.3)
        await settled(pilot, app)
        items = list(app.query(ConversationItem))
        assert len(items) == 1
        snippet = str(items[0].query_one(".snippet").render())
        assert "Matterhorn" in snippet
        await pilot.press("escape")
        await pilot.pause(0.2)
        await settled(pilot, app)
        assert app.query_one("#conversation-search").value == ""
        assert len(list(app.query(ConversationItem))) == 2 and app.focused is app.query_one(PromptInput)


async def test_a_base_model_is_offered_with_a_warning_and_says_so_once(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=BIG) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        options = app.screen.query_one("OptionList")
        gemma = options.get_option("gemma3-270m")
        assert "base model" in str(gemma.prompt)
        assert "base model" not in str(options.get_option("smollm2-135m").prompt)
        options.highlighted = [o.id for o in options.options].index("gemma3-270m")
        await pilot.press("enter")
        await ready(pilot, app)
        await say(pilot, app, "hello")
        await say(pilot, app, "again")
        notes = [n.message for n in app._notifications if "base model" in n.message]
        assert len(notes) == 1


async def test_rename_dialog_fits_at_80_columns(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "hello")
        await on_conversation(pilot, app, app.assistant.conversation_id, "r")
        assert isinstance(app.screen, AskText)
        assert inside(app.screen.query_one(".box"), SMALL)
