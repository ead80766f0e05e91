"""mnemo's footer draws its keys again only when they change (widgets/footer.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from mnemo.tui.widgets.footer import Footer


class Keyed(Static, can_focus=True):
    BINDINGS = [("x", "noop", "Extra")]

    def action_noop(self) -> None:
        pass


class Two(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Input(id="a")
        yield Input(id="b")
        yield Keyed("k", id="c")
        yield Footer()


def keys(app: App) -> list[str]:
    return [k.description for k in app.query(FooterKey)]


async def shown(pilot, app: App, expected: list[str]) -> None:
    for _ in range(100):
        if keys(app) == expected:
            return
        await pilot.pause(0.01)
    assert keys(app) == expected


async def test_a_focus_move_that_changes_no_key_keeps_the_footer_and_one_that_does_redraws_it():
    app = Two()
    async with app.run_test() as pilot:
        app.query_one("#a").focus()
        await shown(pilot, app, ["Quit", "palette"])
        before = list(app.query(FooterKey))
        app.query_one("#b").focus()  # the same keys
        for _ in range(5):
            await pilot.pause()
        assert list(app.query(FooterKey)) == before  # the very same widgets: not recomposed
        app.query_one("#c").focus()  # a key more
        await shown(pilot, app, ["Extra", "Quit", "palette"])
        app.query_one("#a").focus()  # and back
        await shown(pilot, app, ["Quit", "palette"])
