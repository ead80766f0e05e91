"""Tools in the chat app: asking before a call runs (the approval dialog, from the turn's
thread worker), the cards of a reply's calls while it is written, and ``/tool``."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from textual.worker import NoActiveWorker, get_current_worker

from mnemo.tools.policy import Answer
from mnemo.tui.conversations import ConversationsMixin
from mnemo.tui.messages import AskApproval, ToolShown
from mnemo.tui.widgets.tool_card import STOPPED, ToolCard

if TYPE_CHECKING:
    from mnemo.tui.screens.approve import ApproveTool
    from mnemo.tui.widgets.chat import MessageView

WAIT = 0.05  # seconds between looks, while the dialog is up, at whether the reply was stopped


class ToolsMixin(ConversationsMixin):
    _reply_view: MessageView | None = None
    _asking: ApproveTool | None = None  # the approval dialog on screen, if any
    _closing = False

    # ------------------------------------------------------------- approval

    def approve(self, call: Any) -> Answer:
        """Called by the turn (in its thread worker) for a call whose rule is "ask": the
        dialog, and its answer once the user gives one. DENY when the app is closing or the
        reply is stopped (Esc, ctrl+c) meanwhile; the dialog then goes away by itself.

        The dialog is pushed by a message to the UI thread rather than ``call_from_thread``:
        posting never blocks, so a worker cannot be left waiting on an app that has stopped."""
        try:
            worker = get_current_worker()
        except NoActiveWorker:
            worker = None
        answered = threading.Event()
        ask = AskApproval(call, answered)
        if self._closing or not self.is_running or not self.post_message(ask):
            return Answer.DENY
        while not answered.wait(WAIT):
            if self._closing or not self.is_running or (worker is not None and worker.is_cancelled):
                ask.withdrawn = True
                self.post_message(AskApproval(call, answered, withdrawn=True))
                return Answer.DENY
        return ask.answer

    def on_ask_approval(self, message: AskApproval) -> None:
        from mnemo.tui.screens.approve import ApproveTool

        if message.withdrawn:  # the reply was stopped: the question is moot
            # (Under another screen the user opened over it, it stays until answered, unheard.)
            stack = self.screen_stack  # empty while the app closes (self.screen would raise)
            if self._asking is not None and self._asking.call is message.call and stack and stack[-1] is self._asking:
                self._asking.dismiss(Answer.DENY)
            return
        if self._closing:
            message.answered.set()
            return

        def answered(answer: Answer | None) -> None:
            self._asking = None
            if not message.withdrawn:
                message.answer = Answer(answer or Answer.DENY)
            message.answered.set()

        self._asking = ApproveTool(message.call)
        self.push_screen(self._asking, answered)
        self.bell()  # mnemo waits on the user: say so, as a reminder does

    def on_unmount(self) -> None:
        self._closing = True  # a turn waiting on the dialog is answered DENY

    # ---------------------------------------------------------------- cards

    async def on_tool_shown(self, message: ToolShown) -> None:
        """A call of the reply on its way began (a card, "running…") or ended (its result)."""
        view = self._reply_view
        if view is None:
            return
        card = next((c for c in view.query(ToolCard) if c.index == message.index), None)
        if card is None:
            card = ToolCard(message.call, message.index, finished=message.finished)
            cards = list(view.query(ToolCard))
            if cards:
                await view.mount(card, after=cards[-1])
            else:
                await view.mount(card, before=view.query_one(".body"))
        else:
            card.show(message.call, message.finished)
        if message.finished and not view.text:
            view.think("thinking…")  # the model reads the result before it writes again
        elif not message.finished:
            view.think(None)

    def settle_cards(self) -> None:
        """A reply stopped or failed: a card still "running…" says it was stopped."""
        from dataclasses import replace

        if self._reply_view is None:
            return
        for card in self._reply_view.query(ToolCard):
            if not card.finished and card.call.decision == "allow":
                card.show(replace(card.call, error=STOPPED), finished=True)

    # ------------------------------------------------- the conversation's tools

    _offer_next: set[str] | None = None  # chosen before the conversation's first message

    @property
    def _offers(self) -> dict[int, set[str] | None]:
        """Conversation id -> the tools it offers (None, or no entry: all), this session."""
        return self.__dict__.setdefault("_tool_offers", {})

    def offer(self) -> set[str] | None:
        """The tools the conversation on screen offers the model (``tools=`` of the turn)."""
        cid = self.assistant.conversation_id if self.assistant is not None else None
        return self._offer_next if cid is None else self._offers.get(cid)

    def keep_offer(self, was: int | None) -> None:
        """After a turn: the choice made before the conversation had an id is now its own."""
        cid = self.assistant.conversation_id if self.assistant is not None else None
        if was is None and cid is not None and self._offer_next is not None:
            self._offers.setdefault(cid, self._offer_next)
        if cid is not None:
            self._offer_next = None

    async def action_tools(self) -> None:
        """/tools: choose which tools this conversation offers the model."""
        from mnemo.tui.screens.tools import ToolsScreen, rows_of

        assistant = self.assistant
        if assistant is None:
            return
        if assistant.settings.servers:
            self.notify("Starting the tool servers…", timeout=2)
        rows, problems = await self.call(lambda: rows_of(assistant.toolbox))
        if not rows:
            self.notify(
                "There are no tools: config.toml has [tools] builtin = false and no [mcp.servers].",
                severity="warning",
                timeout=5,
            )
            return

        def chosen(result: tuple[set[str] | None] | None) -> None:
            if result is None:
                return
            (offer,) = result
            cid = assistant.conversation_id
            if cid is None:
                self._offer_next = offer
            else:
                self._offers[cid] = offer
            said = "every tool" if offer is None else f"{len(offer)} tool{'' if len(offer) == 1 else 's'}"
            self.notify(f"This conversation offers {said}.", timeout=3)

        self.push_screen(ToolsScreen(rows, self.offer(), problems, assistant.spec.tools), chosen)

    # ---------------------------------------------------------------- /tool

    async def action_tool(self, line: str) -> None:
        """/tool NAME {json}: the call runs as asked (the user's own decision), then the model
        answers with its result. A tool that does not exist, or arguments that are not a JSON
        object, are said here, and the line stays in the box to be fixed."""
        name, _, arguments = line.partition(" ")[2].strip().partition(" ")
        arguments = arguments.strip()
        if arguments:
            problem = ""
            try:
                if not isinstance(json.loads(arguments), dict):
                    problem = 'not a JSON object (like {"timezone": "Asia/Tokyo"})'
            except json.JSONDecodeError as e:
                problem = f"not JSON ({e.msg} at column {e.colno})"
            if problem:
                self.notify(f"/tool {name}: the arguments are {problem}.", severity="warning", timeout=5)
                self._keep_in_box(line)
                return
        assistant = self.assistant
        if assistant is None or self._busy():
            return
        if await self.call(lambda: assistant.toolbox.find(name)) is None:
            self.notify(f"/tool: there is no tool called {name} (/tools lists them).", severity="warning", timeout=5)
            self._keep_in_box(line)
            return
        await self.send(line)  # type: ignore[attr-defined]  # TurnsMixin.send

    def _keep_in_box(self, line: str) -> None:
        from mnemo.tui.widgets.prompt import PromptInput

        prompt = self.query_one(PromptInput)
        prompt.text = line
        prompt.move_cursor(prompt.document.end)
