"""The chat app driven by Pilot: real Assistant, store and memory; a scripted engine."""

from __future__ import annotations

import re
import stat

import pytest

from mnemo.tui.app import MnemoApp
from mnemo.tui.messages import Delta, ReplyFinished
from mnemo.tui.screens.dialogs import AskText, Confirm, ErrorScreen, HelpScreen
from mnemo.tui.screens.memories import MemoriesScreen
from mnemo.tui.screens.memory_panel import MemoryPanel
from mnemo.tui.screens.models import ModelPicker
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.sidebar import ConversationItem
from tests.tui.drive import SIZE, idle, on_conversation, ready, say, settled, status, until, views


async def test_first_frame_before_the_assistant_and_typing_meanwhile(scripted, home):
    import threading

    from mnemo.assistant import Assistant

    gate = threading.Event()

    def slow_opener():
        gate.wait(10)
        return Assistant.open(load_model=False, engine_factory=scripted)

    app = MnemoApp(slow_opener)
    async with app.run_test(size=SIZE) as pilot:
        assert app.query_one("#welcome")
        assert "starting" in status(app)
        await pilot.press("h", "i")
        assert app.query_one(PromptInput).text == "hi"
        gate.set()
        await ready(pilot, app)
        assert "smollm2-135m" in status(app) and "CPU" in status(app)


@pytest.mark.slow  # a load test
async def test_a_fast_model_reaches_the_screen_in_batches(make_app, scripted):
    scripted.rate, scripted.words = 2000.0, 400
    seen: list[object] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "go")
        deltas = [m for m in seen if isinstance(m, Delta)]
        assert sum(d.tokens for d in deltas) == 402
        assert len(deltas) < 402 / 4  # batched, about one per frame
        assert views(app)[-1].text == "".join(d.text for d in deltas)


async def test_send_streams_the_reply_as_markdown(make_app):
    seen: list[object] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "hello there friend")
        user, reply = views(app)
        assert (user.role, user.text) == ("user", "hello there friend")
        assert reply.text == "Echo: hello there friend"
        assert reply.finish_reason == "stop" and reply.message_id is not None
        deltas = [m for m in seen if isinstance(m, Delta)]
        assert "".join(d.text for d in deltas) == reply.text
        assert sum(d.tokens for d in deltas) == 4
        assert sum(isinstance(m, ReplyFinished) for m in seen) == 1
        assert app.query_one(PromptInput).text == ""
        assert "tok/s" in status(app) and "ctx " in status(app)
        stored = app.assistant.history()
        assert [m.content for m in stored] == ["hello there friend", "Echo: hello there friend"]


async def test_escape_stops_and_keeps_the_partial_reply(make_app, scripted):
    scripted.rate = 50.0
    scripted.words = 300
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        prompt = app.query_one(PromptInput)
        prompt.text = "tell me everything"
        await pilot.press("enter")
        await until(pilot, lambda: app.generating)
        await pilot.pause(0.3)
        await pilot.press("escape")
        await idle(pilot, app)
        reply = views(app)[-1]
        assert reply.finish_reason == "stopped" and "stopped" in str(reply.query_one(".meta").render())
        saved = app.assistant.history()[-1]
        assert saved.finish_reason == "stopped"
        assert saved.content.startswith("Echo: tell me everything") and len(saved.content.split()) < 300
        assert reply.text == saved.content


async def test_newline_key_and_remapped_send_key(make_app):
    from mnemo.config import Settings

    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("a", "ctrl+j", "b")
        assert app.query_one(PromptInput).text == "a\nb"
        await pilot.press("enter")
        await idle(pilot, app)
        assert views(app)[0].text == "a\nb"

    remapped = make_app(memory=False, settings=Settings(send_key="ctrl+s", newline_key="enter"))
    async with remapped.run_test(size=SIZE) as pilot:
        await ready(pilot, remapped)
        await pilot.press("x", "enter", "y")
        assert remapped.query_one(PromptInput).text == "x\ny" and not views(remapped)
        await pilot.press("ctrl+s")
        await idle(pilot, remapped)
        assert views(remapped)[0].text == "x\ny"


async def test_edit_last_and_regenerate(make_app, scripted):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "first question")
        await say(pilot, app, "second qestion")
        before = [m.content for m in app.assistant.history()]
        await pilot.press("up")  # in the empty box: the last message comes back, nothing is deleted
        await pilot.pause(0.1)
        assert app.query_one(PromptInput).text == "second qestion"
        assert [m.content for m in app.assistant.history()] == before and len(views(app)) == 4
        await pilot.press("escape")  # changed my mind: all as it was
        await pilot.pause(0.1)
        assert app.query_one(PromptInput).text == "" and [m.content for m in app.assistant.history()] == before
        await pilot.press("up")
        await pilot.press("X")  # the cursor is at the end
        assert app.query_one(PromptInput).text == "second qestionX"
        app.query_one(PromptInput).text = "second question"
        await pilot.press("enter")  # now the edit replaces the old exchange
        await idle(pilot, app)
        assert [v.text for v in views(app)] == [
            "first question",
            "Echo: first question",
            "second question",
            "Echo: second question",
        ]
        calls = scripted.calls
        await pilot.press("ctrl+r")
        await pilot.pause(0.1)
        await idle(pilot, app)
        assert [v.text for v in views(app)] == [
            "first question",
            "Echo: first question",
            "second question",
            "Echo: second question",
        ]
        assert scripted.calls == calls + 1  # answered again, not copied
        assert [m.content for m in app.assistant.history()] == [v.text for v in views(app)]


async def test_the_sidebar_keeps_the_rows_that_read_the_same_and_their_counts_follow(make_app):
    from textual.widgets import Label

    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "the first message")
        (item,) = app.query(ConversationItem)
        await say(pilot, app, "the second message")
        assert list(app.query(ConversationItem)) == [item]  # read again after the reply, not mounted again
        assert item.conversation.message_count == 4  # what the delete dialog says
        app.assistant.rename_conversation(item.conversation.id, "Renamed by hand")
        app.refresh_sidebar()
        await settled(pilot, app)
        (renamed,) = app.query(ConversationItem)
        assert renamed is not item and str(renamed.query_one(Label).render()) == "Renamed by hand"


async def test_sidebar_new_switch_rename_pin_delete_search(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "about giraffes")
        first = app.assistant.conversation_id
        await pilot.press("ctrl+n")
        await pilot.pause(0.1)
        assert not views(app) and app.query_one("#welcome")
        await say(pilot, app, "about quasars")
        second = app.assistant.conversation_id
        assert second != first
        items = list(app.query(ConversationItem))
        assert [i.conversation.title for i in items] == ["about quasars", "about giraffes"]

        await on_conversation(pilot, app, first, "enter")
        assert app.assistant.conversation_id == first
        assert [v.text for v in views(app)] == ["about giraffes", "Echo: about giraffes"]

        await on_conversation(pilot, app, first, "r")
        assert isinstance(app.screen, AskText)
        app.screen.query_one("Input").value = "Giraffe facts"
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert app.assistant.conversation(first).title == "Giraffe facts"

        await on_conversation(pilot, app, first, "p")
        assert app.assistant.conversation(first).pinned
        assert list(app.query(ConversationItem))[0].conversation.id == first  # pinned first

        await pilot.click("#conversation-search")
        await pilot.press(*"quasar")
        await pilot.pause(0.2)
        await settled(pilot, app)
        assert [i.conversation.id for i in app.query(ConversationItem)] == [second]
        app.query_one("#conversation-search").value = ""
        await pilot.pause(0.2)
        await settled(pilot, app)

        await on_conversation(pilot, app, second, "d")
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause(0.2)
        await settled(pilot, app)
        assert [c.id for c in app.assistant.conversations()] == [first]


async def test_model_picker_switches_and_the_conversation_goes_on(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "hello")
        conversation = app.assistant.conversation_id
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        picker = app.screen.query_one("OptionList")
        picker.highlighted = [o.id for o in picker.options].index("gemma3-270m")
        await pilot.press("enter")
        await ready(pilot, app)
        assert "gemma3-270m" in status(app)
        await say(pilot, app, "still there?")
        assert app.assistant.conversation_id == conversation
        assert views(app)[-1].model == "gemma3-270m"
        assert app.assistant.history()[-1].model == "gemma3-270m"


async def test_memories_used_by_a_reply_and_the_toast_with_undo(make_app):
    notices: list[str] = []
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.notify_original = app.notify
        await ready(pilot, app)
        await say(pilot, app, "My dog is called Rex.")
        notices = [n.message for n in app._notifications]
        assert any("Remembered: The user's dog is called Rex." in n for n in notices)
        assert app.assistant.wait_idle(120)
        await pilot.press("ctrl+n")
        await say(pilot, app, "What is my dog's name?")
        reply = views(app)[-1]
        assert any("Rex" in m.text for m in reply.memories)
        assert "memor" in str(reply.query_one(".memories-hint").render())
        reply.focus()
        await pilot.press("m")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MemoryPanel)
        table = app.screen.query_one("DataTable")
        assert any("Rex" in str(table.get_row_at(i)[-1]) for i in range(table.row_count))
        await pilot.press("escape")

        await say(pilot, app, "remember that my cat is called Tom")
        tom = [r for r in app.assistant.memories() if "Tom" in r.text]
        assert tom
        await pilot.press("ctrl+g")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert not [r for r in app.assistant.memories() if "Tom" in r.text]


async def test_memories_screen_add_edit_pin_forget(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("f2")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert isinstance(app.screen, MemoriesScreen)
        await pilot.press("a")
        await pilot.pause(0.1)
        await settled(pilot, app)
        app.screen.query_one("Input").value = "My sister is called Anna"
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settled(pilot, app)
        screen = app.screen
        assert isinstance(screen, MemoriesScreen)
        assert [r.text for r in screen.rows] == ["The user's sister is called Anna."]
        screen.query_one("DataTable").focus()
        await pilot.press("e")
        await pilot.pause(0.1)
        await settled(pilot, app)
        app.screen.query_one("Input").value = "The user's sister is called Anne."
        await pilot.press("enter")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert [r.text for r in screen.rows] == ["The user's sister is called Anne."]
        await pilot.press("p")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert screen.rows[0].pinned and "Anne" in app.assistant.system_prompt()
        screen.query_one("#memory-search").value = "nothing like this"
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert screen.rows == []
        screen.query_one("#memory-search").value = "sister"
        await pilot.pause(0.1)
        await settled(pilot, app)
        screen.query_one("DataTable").focus()
        await pilot.press("f")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert screen.rows == [] and app.assistant.memories() == []


async def test_slash_commands(make_app, home):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "/help")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await say(pilot, app, "/remember I prefer green tea")
        assert [r.text for r in app.assistant.memories()] == ["The user prefers green tea."]
        assert views(app)[-1].finish_reason == "memory"
        await say(pilot, app, "/forget green tea")
        assert app.assistant.memories() == []
        await say(pilot, app, "hello")
        await say(pilot, app, "/export")
        exported = home / "exports" / f"conversation-{app.assistant.conversation_id}.md"
        assert "**You**" in exported.read_text() and stat.S_IMODE(exported.stat().st_mode) == 0o600
        await say(pilot, app, "/memories")
        assert isinstance(app.screen, MemoriesScreen)
        await pilot.press("escape")
        await say(pilot, app, "/model")
        await until(pilot, lambda: isinstance(app.screen, ModelPicker))
        await pilot.press("escape")
        await say(pilot, app, "/clear")
        await pilot.press("y")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert app.assistant.conversations() == [] and not views(app)
        await say(pilot, app, "/incognito")
        assert "INCOGNITO" in status(app)
        await say(pilot, app, "My dog is called Rex.")
        assert app.assistant.memories() == []
        await say(pilot, app, "/new")
        assert "INCOGNITO" not in status(app) and not views(app)


async def test_copy_reply_and_code_block(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "```python print(1) ```")
        reply = views(app)[-1]
        reply.text = "Here:\n```python\nprint(1)\n```\n"
        reply.focus()
        await pilot.press("c")
        assert app.clipboard == reply.text
        await pilot.press("y")
        assert app.clipboard == "print(1)\n"
        reply.text = "Run:\n```sh\nls -t | head"  # never closed, shown as code all the same
        await pilot.press("y")
        assert app.clipboard == "ls -t | head"


async def test_escape_sequences_never_reach_the_terminal(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "red \x1b[31mALERT\x1b]52;c;AAAA\x07 done")
        stored = app.assistant.history()[0].content
        assert "\x1b[31m" in stored  # kept intact in the store
        for view in views(app):
            rendered = view.body.source if hasattr(view.body, "source") else view.body._markdown
            assert "\x1b" not in rendered and "\x07" not in rendered


@pytest.mark.slow  # a load test
async def test_a_long_chat_keeps_only_recent_messages_on_screen(make_app, monkeypatch):
    import mnemo.tui.conversations as conversations
    from mnemo.tui.widgets.chat import Earlier

    monkeypatch.setattr(conversations, "SHOWN", 6)
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        for i in range(5):
            await say(pilot, app, f"message {i}")
        shown = views(app)
        assert len(shown) == 6 and shown[0].text == "message 2" and shown[-1].text == "Echo: message 4"
        assert app.query_one(Earlier).hidden == 4 and "4 earlier messages" in str(app.query_one(Earlier).render())
        assert len(app.assistant.history()) == 10  # all of it is stored
        await app.show_conversation(app.assistant.conversation_id)  # reopened: the same window
        assert [v.text for v in views(app)] == [v.text for v in shown]
        assert app.query_one(Earlier).hidden == 4


@pytest.mark.slow  # a load test
async def test_a_megabyte_paste_is_shown_cut_and_sent_cut_with_a_notice(make_app):
    from mnemo.tui.widgets.chat import DISPLAY_CHARS

    paste = "".join(f"row {i}: \x1b[2J value {i * 7}\n" for i in range(50_000))
    assert len(paste) > 1_000_000
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, paste)
        user, reply = views(app)
        shown = user.shown_text
        assert len(shown) < DISPLAY_CHARS + 200 and "more characters not shown" in shown
        assert "\x1b" not in shown
        assert app.assistant.history()[0].content == paste  # stored whole
        assert reply.finish_reason == "stop"
        notes = [n.message for n in app._notifications]
        assert any("cut to fit" in n for n in notes)


@pytest.mark.parametrize(
    "models_toml, expected",
    [
        ('[[models]]\nname = "x"\nsource = "x.gguf"\nn_ctx = "big"\n', ["models.toml", "line 4", "n_ctx"]),
        ('default = "gone"\n[[models]]\nname = "gone"\nsource = "/nowhere/gone.gguf"\n', ["/nowhere/gone.gguf"]),
    ],
)
async def test_broken_config_or_missing_model_shows_a_readable_screen(scripted, home, models_toml, expected):
    (home / "models.toml").write_text(models_toml)
    app = MnemoApp()
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if isinstance(app.screen, ErrorScreen):
                break
            await pilot.pause(0.02)
        await pilot.pause(0.05)
        assert isinstance(app.screen, ErrorScreen)
        text = str(app.screen.query_one("#error-text").render())
        assert all(fragment in text for fragment in expected)
        await pilot.press("q")


async def test_theme_is_remembered(make_app, home):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        app.theme = "nord"
        await pilot.pause(0.05)
    assert 'theme = "nord"' in (home / "config.toml").read_text()
    again = make_app(memory=False)
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot, again)
        assert again.theme == "nord"


async def test_command_palette_has_mnemo_commands(make_app):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {
            "New conversation",
            "Switch model",
            "Memories",
            "Export conversation",
            "Incognito conversation",
            "Theme",
            "Help",
        } <= titles


@pytest.mark.model
async def test_real_model_end_to_end(home):
    app = MnemoApp()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "What is the capital of France?")
        reply = views(app)[-1]
        assert reply.role == "assistant" and reply.text.strip() and reply.finish_reason in ("stop", "length")
        assert app.assistant.history()[-1].content == reply.text


async def test_bindings_are_remapped_from_config(make_app, home):
    from mnemo import config

    (home / "config.toml").write_text('[keys]\nmemories = "f3"\n')
    app = make_app(settings=config.load_settings())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("f2")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, MemoriesScreen)
        await pilot.press("f3")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MemoriesScreen)


async def test_the_help_shows_the_keys_config_toml_remapped(make_app, home):
    """config.toml's [keys], read by the app as `mnemo chat` reads it: the help lists the
    keys as they now are, and the old ones are gone from it."""
    from textual.widgets import Markdown

    (home / "config.toml").write_text('[keys]\nhelp = "f9"\nmemories = "f3"\nnew = "ctrl+t"\n')
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("f1")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f9")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = app.screen.query_one(Markdown).source.split("| command |")[0]  # the table of keys
        rows = {what: key for key, what in re.findall(r"^\| (.+?) \| (.+?) \|$", keys, re.M)}
        assert rows["this help"] == "f9"
        assert rows["your memories: search, add, edit, pin, forget"] == "f3"
        assert rows["new conversation"] == "ctrl+t"
        assert rows["quit"] == "ctrl+q"  # a key not remapped stays
        assert not {"f1", "f2", "ctrl+n"} & set(re.split(r"[ /,()]+", " ".join(rows.values())))
        await pilot.press("f9")  # the help key closes the help too
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_a_model_that_fails_to_load_leaves_the_current_one(make_app, scripted, home):
    from mnemo.errors import ModelError

    def load(spec):
        if spec.name == "gemma3-270m":
            raise ModelError("cannot load model file gemma.gguf: it is corrupt; re-download it")
        return scripted(spec)

    app = make_app(memory=False, engine_factory=load)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        app.load_model("gemma3-270m")
        await pilot.pause(0.3)
        assert any("corrupt" in n.message for n in app._notifications)
        assert app.model_state == "ready" and app.assistant.spec.name == "smollm2-135m"
        await say(pilot, app, "still working?")
        assert views(app)[-1].text == "Echo: still working?"


@pytest.mark.model
async def test_the_app_stays_open_when_the_model_process_crashes(make_app, home, monkeypatch, tmp_path):
    """The real model in its own process, made to segfault after two tokens: the failure is
    shown in the conversation and the next message starts a fresh model process."""
    from textual.widgets import Label

    from mnemo.engine import open_engine
    from mnemo.engine.child import CRASH_ENV, CRASH_ONCE_ENV

    monkeypatch.setenv(CRASH_ENV, "token:2:segv")
    monkeypatch.setenv(CRASH_ONCE_ENV, str(tmp_path / "crashed"))
    app = make_app(memory=False, engine_factory=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        crashed = app.assistant.load_model().pid
        await say(pilot, app, "Write a long story about a storm.")
        failed = views(app)[-1]
        assert failed.finish_reason == "error"
        failure = failed.query_one(".failure", Label)
        assert "crashed (SIGSEGV) while generating with 'smollm2-135m'" in str(failure.render())
        assert app.model_state == "stopped" and "(stopped)" in status(app)
        await say(pilot, app, "Say hello.")
        assert views(app)[-1].finish_reason in ("stop", "length") and views(app)[-1].text
        assert app.model_state == "ready" and app.assistant.load_model().pid != crashed
        assert app.is_running


@pytest.mark.model
async def test_the_app_answers_when_llama_cpps_kernels_crash_on_this_machine(make_app, home, monkeypatch):
    """The real model, whose first batched decode dies while the extra buffer types are on
    (the AMX crash's shape): the app gets ready by itself and says why once."""
    from mnemo.engine import open_engine
    from mnemo.engine.child import CRASH_ENV

    monkeypatch.setenv(CRASH_ENV, "batch:segv")
    app = make_app(memory=False, engine_factory=open_engine)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "Say hello.")
        assert views(app)[-1].finish_reason in ("stop", "length") and views(app)[-1].text
        told = [n.message for n in app._notifications if "running without them" in n.message]
        assert len(told) == 1 and "(repack = false)" in told[0]
        await say(pilot, app, "Say hello again.")
        assert views(app)[-1].finish_reason in ("stop", "length")
        assert len([n for n in app._notifications if "running without them" in n.message]) <= 1


@pytest.fixture
def hub(monkeypatch, tmp_path):
    """A local server speaking the Hub's API, serving the catalog's smollm2-1.7b as the first
    3 MB of the shipped GGUF (the scripted engine never reads it)."""
    from mnemo import config
    from mnemo.engine import sources
    from tests.hub_server import Hub, Repo

    data = sources.resolve(config.load_registry().get("smollm2-135m")).read_bytes()[: 3 << 20]
    with Hub() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HOME", str(tmp_path / "user"))
        for name in ("HF_TOKEN", "HF_HUB_CACHE", "OLLAMA_MODELS", "HF_HUB_OFFLINE"):
            monkeypatch.delenv(name, raising=False)
        server.repos["HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF"] = Repo({"smollm2-1.7b-instruct-q4_k_m.gguf": data})
        yield server


async def pick(pilot, app: MnemoApp, option: str) -> None:
    await pilot.press("ctrl+o")
    await until(pilot, lambda: isinstance(app.screen, ModelPicker))
    picker = app.screen.query_one("OptionList")
    picker.highlighted = [o.id for o in picker.options].index(option)
    await pilot.press("enter")


async def test_the_picker_pulls_a_catalog_model_and_switches_to_it(make_app, hub, tmp_path):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pick(pilot, app, "pull:smollm2-1.7b")
        await until(pilot, lambda: app.model_name == "smollm2-1.7b" and app.model_state == "ready")
        assert "smollm2-1.7b" in [s.name for s in app.assistant.models()] and app.pulling is None
        snapshot = tmp_path / "hf" / "hub" / "models--HuggingFaceTB--SmolLM2-1.7B-Instruct-GGUF" / "snapshots"
        assert [p.name for p in snapshot.glob("*/*.gguf")] == ["smollm2-1.7b-instruct-q4_k_m.gguf"]
        await say(pilot, app, "hello")
        assert views(app)[-1].model == "smollm2-1.7b"


async def test_a_pull_goes_on_while_chatting_and_esc_stops_it_keeping_the_partial_file(make_app, hub, tmp_path):
    hub.slow = 0.05  # about 1.3 MB/s: a few seconds for the file
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pick(pilot, app, "pull:smollm2-1.7b")
        await until(pilot, lambda: app.pulling is not None and "%" in app.pulling)
        assert "↓ smollm2-1.7b" in status(app)
        await say(pilot, app, "still chatting")  # the conversation goes on meanwhile
        assert views(app)[-1].text == "Echo: still chatting"
        await pilot.press("escape")
        await until(pilot, lambda: app.pulling is None)
        assert any("pull it again to resume" in n.message for n in app._notifications)
        parts = list((tmp_path / "hf" / "hub").glob("models--*/blobs/*.part"))
        assert len(parts) == 1 and 0 < parts[0].stat().st_size < 3 << 20
        assert "smollm2-1.7b" not in [s.name for s in app.assistant.models()]
        assert app.model_name == "smollm2-135m"
