"""Versions in the chat app (ctrl+r and Up-edit keep the old ones, ‹n/m› and left/right step
through them) and forgetting with ctrl+g to undo it; Pilot, a real Assistant and store."""

from __future__ import annotations

from tests.tui.drive import SIZE, idle, ready, say, settled, until, views


def header(view) -> str:
    return str(view.query_one(".meta").render())


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_regenerate_twice_then_step_through_the_three_replies(make_app, scripted):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "What is a quokka?")
        first = views(app)[-1].message_id
        assert "‹" not in header(views(app)[-1])
        for _ in range(2):
            await pilot.press("ctrl+r")
            await pilot.pause(0.1)
            await idle(pilot, app)
        assert scripted.calls == 3
        assert len(views(app)) == 2  # the question once, the reply shown once
        reply = views(app)[-1]
        assert "‹3/3›" in header(reply) and reply.message_id != first
        reply.focus()
        await pilot.press("left")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert "‹2/3›" in header(views(app)[-1]) and app.focused is views(app)[-1]
        await pilot.press("left")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert views(app)[-1].message_id == first and "‹1/3›" in header(views(app)[-1])
        await pilot.press("left")  # the first one stays
        await pilot.pause(0.1)
        assert any("no other version" in n for n in notices(app))
        assert app.assistant.history()[-1].id == first  # the conversation goes on from the one shown
        await say(pilot, app, "And where do they live?")
        assert [m.id for m in app.assistant.history()][1] == first


async def test_up_edit_keeps_the_old_message_as_a_version_and_the_title_follows(make_app, scripted):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await say(pilot, app, "helo there")
        await pilot.press("up")
        await pilot.pause(0.1)
        app.query_one("#prompt").text = "hello there"
        scripted.rate = 4.0  # a slow reply: the screen while it is written
        for engine in scripted.made:
            engine.rate = 4.0
        await pilot.press("enter")
        await until(pilot, lambda: app.generating)  # a loaded machine takes a while to start the reply
        assert "helo there" not in [v.text for v in views(app)]
        await idle(pilot, app)
        assert [v.text for v in views(app)] == ["hello there", "Echo: hello there"]
        assert "‹2/2›" in header(views(app)[0])
        assert app.assistant.conversation().title == "hello there"
        views(app)[0].focus()
        await pilot.press("left")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert [v.text for v in views(app)] == ["helo there", "Echo: helo there"]
        assert "‹1/2›" in header(views(app)[0])
        await pilot.press("right")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert [v.text for v in views(app)] == ["hello there", "Echo: hello there"]


async def test_palette_commands_step_the_newest_message_with_versions(make_app, scripted):
    app = make_app(memory=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await app.action_previous_version()
        await pilot.pause(0.1)
        assert any("No message here has another version" in n for n in notices(app))
        await say(pilot, app, "What is a quokka?")
        await pilot.press("ctrl+r")
        await pilot.pause(0.1)
        await idle(pilot, app)
        await app.action_previous_version()
        await settled(pilot, app)
        assert "‹1/2›" in header(views(app)[-1])
        await app.action_next_version()
        await settled(pilot, app)
        assert "‹2/2›" in header(views(app)[-1])


async def test_forget_then_ctrl_g_puts_it_back_and_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+g")  # nothing done yet: it says so
        await pilot.pause(0.1)
        assert any("Nothing to undo" in n for n in notices(app))
        await say(pilot, app, "remember that I am allergic to peanuts and cashews")
        assert app.assistant.wait_idle(120)
        await say(pilot, app, "/forget peanuts")
        assert views(app)[-1].text.endswith("I kept the rest: You are allergic to cashews.")
        assert any("ctrl+g to undo" in n and "peanuts" in n for n in notices(app))
        assert [r.text for r in app.assistant.memories()] == ["The user is allergic to cashews."]
        await pilot.press("ctrl+g")
        await pilot.pause(0.1)
        await settled(pilot, app)
        assert any("Undone: 1 memory back as it was." in n for n in notices(app))
        assert [r.text for r in app.assistant.memories()] == ["The user is allergic to peanuts and cashews."]
        await pilot.press("ctrl+g")  # once only
        await pilot.pause(0.1)
        assert "Nothing to undo" in notices(app)[-1]
        assert [r.text for r in app.assistant.memories()] == ["The user is allergic to peanuts and cashews."]
