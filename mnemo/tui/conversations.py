"""The conversation on screen and the sidebar's list of them: open, new, rename, pin,
delete, search, export, clear, and moving the focus between the box, the messages and the
sidebar. What the database holds is read in workers; handlers put it on screen."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.widgets import Input
from textual.worker import get_current_worker

from mnemo.tui.messages import ConversationsRead, ReadFailed
from mnemo.tui.state import ChatState
from mnemo.tui.widgets.chat import ChatView, Earlier, MessageView, Welcome
from mnemo.tui.widgets.prompt import PromptInput
from mnemo.tui.widgets.sidebar import Sidebar
from mnemo.tui.widgets.tool_card import mount_cards

if TYPE_CHECKING:
    from pathlib import Path

    from mnemo.assistant import Assistant

SHOWN = 80  # messages kept on screen; /export writes the whole conversation
SIDEBAR_COLUMNS = 100  # a narrower terminal hides the sidebar until ctrl+b or ctrl+f
LEFT_INCOGNITO = "This conversation reads and writes memory again (/incognito starts another one)."


class ConversationsMixin(ChatState):
    _sidebar_chosen = False  # ctrl+b decides; until then it shows when there is room

    _sidebar_for_list = False  # ctrl+l showed a hidden sidebar: leaving the list hides it again

    def _welcome(self, incognito: bool = False) -> str:
        about = (
            "Incognito: this conversation neither reads nor writes memory."
            if incognito
            else "Ask anything. mnemo runs the model on this machine and remembers what you tell it."
        )
        return f"{about}\n{self.settings.send_key} sends · {self.settings.newline_key} new line · /help"

    # ---------------------------------------------------------------- sidebar

    def refresh_sidebar(self, keep: int | None = None) -> None:
        """Read the conversation list anew (filtered by the search box) in a worker;
        ``keep``: the conversation the highlight stays on (one just renamed, pinned or deleted)."""
        if self.assistant is None:
            return
        for sidebar in self.query(Sidebar):  # none while the app is closing
            self.read_conversations(self.assistant, sidebar.query_text, self.assistant.conversation_id, keep)

    @work(thread=True, exclusive=True, group="conversations")
    def read_conversations(self, assistant: Assistant, query: str, current: int | None, keep: int | None) -> None:
        worker = get_current_worker()
        try:
            if query:
                found = assistant.search_conversations(query)
                note = f"{len(found)} match{'es' if len(found) != 1 else ''} · esc leaves the search"
                read = ConversationsRead([c for c, _ in found], current, note, {c.id: s for c, s in found}, keep)
            else:
                read = ConversationsRead(assistant.conversations(), current, keep=keep)
        except Exception as e:
            if not worker.is_cancelled:
                self.post_message(ReadFailed("conversations", str(e)))
            return
        if not worker.is_cancelled:  # a newer read (the search box changed again) replaces it
            self.post_message(read)

    async def on_conversations_read(self, message: ConversationsRead) -> None:
        for sidebar in self.query(Sidebar):
            await sidebar.show(message.conversations, message.current, message.note, message.snippets, message.keep)

    def on_read_failed(self, message: ReadFailed) -> None:
        self.notify(message.error, title=f"Could not read the {message.what}", severity="error", timeout=8)

    @on(Input.Changed, "#conversation-search")
    def on_search_changed(self) -> None:
        self.refresh_sidebar()

    @on(Sidebar.SearchLeft)
    def on_search_left(self) -> None:
        self.refresh_sidebar()
        self.query_one(PromptInput).focus()

    @on(Sidebar.Action)
    async def on_sidebar_action(self, event: Sidebar.Action) -> None:
        assistant, conversation = self.assistant, event.conversation
        if assistant is None:
            return
        if event.action == "open":
            if self._busy():
                return
            was = await self.call(partial(_incognito, assistant))
            await self.call(partial(assistant.use_conversation, conversation.id))
            await self.show_conversation(conversation.id, conversation.incognito)
            self.back_to_the_box()
            if was and not conversation.incognito:
                self.notify(LEFT_INCOGNITO, title="Incognito is over", timeout=6)
        elif event.action == "pin":
            await self.call(partial(assistant.pin_conversation, conversation.id, not conversation.pinned))
            self.refresh_sidebar(keep=conversation.id)
        elif event.action == "rename":
            from mnemo.tui.screens.dialogs import AskText

            async def renamed(title: str | None) -> None:
                if title:
                    await self.call(partial(assistant.rename_conversation, conversation.id, title))
                    self.refresh_sidebar(keep=conversation.id)

            self.push_screen(AskText("Rename conversation", value=conversation.title), renamed)
        elif event.action == "delete":
            from mnemo.tui.screens.dialogs import Confirm

            async def deleted(yes: bool | None) -> None:
                if yes:
                    await self.call(partial(assistant.delete_conversation, conversation.id))
                    if assistant.conversation_id is None:
                        await self.show_conversation(None)
                    self.refresh_sidebar(keep=conversation.id)
                    self.notify(f"Deleted “{conversation.title}”.", timeout=3)

            self.push_screen(
                Confirm(f"Delete “{conversation.title}” and its {conversation.message_count} messages?"), deleted
            )

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        sidebar.display = not sidebar.display
        self._sidebar_chosen = True

    def on_resize(self, event: events.Resize) -> None:
        """Below SIDEBAR_COLUMNS the conversation gets the width (ctrl+b shows the sidebar)."""
        if not self._sidebar_chosen:
            for sidebar in self.query(Sidebar):
                sidebar.display = event.size.width >= SIDEBAR_COLUMNS

    def action_conversations(self) -> None:
        """ctrl+l: the conversation list, shown and focused (Esc goes back to the box)."""
        sidebar = self.query_one(Sidebar)
        self._sidebar_for_list = not sidebar.display
        sidebar.display = True
        self.query_one("#conversations").focus()

    def back_to_the_box(self) -> None:
        """Focus the message box; a sidebar ctrl+l showed on a narrow screen goes again."""
        if self._sidebar_for_list:
            self._sidebar_for_list = False
            self.query_one(Sidebar).display = False
        self.query_one(PromptInput).focus()

    def action_search(self) -> None:
        self.query_one(Sidebar).display = True
        self.query_one("#conversation-search", Input).focus()

    # ------------------------------------------------------ the conversation

    async def show_conversation(self, conversation_id: int | None, incognito: bool = False) -> None:
        """The conversation (the Assistant's current one) on screen: its last SHOWN messages,
        read with the memories each reply was given in a worker."""
        messages: list[Any] = []
        memories: dict[int, list[Any]] = {}
        versions: dict[int, tuple[int, int]] = {}
        calls: dict[int, list[Any]] = {}
        if conversation_id and self.assistant is not None:
            messages, memories, versions, calls = await self.call(partial(_read_history, self.assistant))
        chat = self.query_one(ChatView)
        await chat.remove_children()
        if not messages:
            await chat.mount(Welcome(self._welcome(incognito), id="welcome"))
        hidden = max(0, len(messages) - SHOWN)
        if hidden:
            earlier = Earlier()
            earlier.show(hidden)
            await chat.mount(earlier)
        views = [
            MessageView(
                m.role,
                m.content,
                model=m.model,
                created_at=m.created_at,
                finish_reason=m.finish_reason,
                memories=memories.get(m.id, []),
                message_id=m.id,
                version=versions.get(m.id),
            )
            for m in messages[hidden:]
        ]
        await chat.mount_all(views)
        for view in views:  # each reply's tool calls, as cards above its text
            if view.message_id in calls:
                await mount_cards(view, calls[view.message_id])
        chat.scroll_end(animate=False)
        chat.anchor()
        self.context_used = _context(messages)
        self.read_status()

    async def _keep_recent(self, chat: ChatView) -> None:
        """At most SHOWN messages stay mounted: a long chat does not grow the app's memory
        (or slow its layout) with every turn."""
        views = list(chat.query(MessageView))
        extra = len(views) - SHOWN
        if extra <= 0:
            return
        await chat.remove_children(views[:extra])
        notes = list(chat.query(Earlier))
        earlier = notes[0] if notes else Earlier()
        earlier.show(earlier.hidden + extra)
        if not notes:
            await chat.mount(earlier, before=0)

    async def action_new_conversation(self, incognito: bool = False) -> None:
        assistant = self.assistant
        if assistant is None or self.generating:
            return
        self._editing = None
        was = await self.call(partial(_incognito, assistant))
        assistant.start_over()
        if incognito:
            await self.call(partial(assistant.new_conversation, incognito=True))
        await self.show_conversation(None, incognito)
        self.refresh_sidebar()
        self.query_one(PromptInput).focus()
        if was and not incognito:
            self.notify(LEFT_INCOGNITO, title="Incognito is over", timeout=6)

    async def action_incognito(self) -> None:
        await self.action_new_conversation(incognito=True)
        self.notify("Incognito: this conversation neither reads nor writes memory.", timeout=4)

    async def action_export(self) -> Path | None:
        assistant = self.assistant
        if assistant is None or assistant.conversation_id is None:
            self.notify("Nothing to export yet.", severity="warning", timeout=3)
            return None
        target = await self.call(assistant.save_export)
        self.notify(f"Saved {target}", title="Exported", timeout=6)
        return target

    def action_clear(self) -> None:
        from mnemo.tui.screens.dialogs import Confirm

        assistant = self.assistant
        if assistant is None or assistant.conversation_id is None or self._busy():
            return
        conversation_id = assistant.conversation_id

        def clear() -> bool:
            """Deleted; an incognito conversation is followed by another one (it stays incognito)."""
            incognito = _incognito(assistant)
            assistant.delete_conversation(conversation_id)
            if incognito:
                assistant.new_conversation(incognito=True)
            return incognito

        async def cleared(yes: bool | None) -> None:
            if yes:
                incognito = await self.call(clear)
                await self.show_conversation(None, incognito)
                self.refresh_sidebar()
                if incognito:
                    self.notify("Cleared. Still incognito: memory stays off.", timeout=4)

        self.push_screen(Confirm("Delete every message of this conversation?", yes="Clear"), cleared)

    # ------------------------------------------------------------------ focus

    @on(PromptInput.Scroll)
    def on_prompt_scroll(self, event: PromptInput.Scroll) -> None:
        chat = self.query_one(ChatView)
        chat.scroll_page_up() if event.pages < 0 else chat.scroll_page_down()

    @on(PromptInput.ToMessages)
    def on_prompt_to_messages(self) -> None:
        newest = self.query_one(ChatView).newest()
        if newest is not None:
            newest.focus()
            newest.scroll_visible(animate=False)
        else:
            self.screen.focus_next()

    @on(ChatView.LeftMessages)
    def on_left_messages(self, event: ChatView.LeftMessages) -> None:
        sidebar = self.query_one(Sidebar)
        if event.older and sidebar.display:
            self.query_one("#conversation-search").focus()
        else:
            self.query_one(PromptInput).focus()

    @on(ChatView.TypedOn)
    def on_typed_on(self, event: ChatView.TypedOn) -> None:
        prompt = self.query_one(PromptInput)
        prompt.focus()
        prompt.insert(event.character)

    @on(MessageView.ShowMemories)
    def on_show_memories(self, event: MessageView.ShowMemories) -> None:
        from mnemo.tui.screens.memory_panel import MemoryPanel

        self.push_screen(MemoryPanel(event.memories, now=self.now()))


def _incognito(assistant: Assistant) -> bool:
    """The current conversation is incognito."""
    cid = assistant.conversation_id
    return cid is not None and assistant.conversation(cid).incognito


def _read_history(
    assistant: Assistant,
) -> tuple[list[Any], dict[int, list[Any]], dict[int, tuple[int, int]], dict[int, list[Any]]]:
    """The current conversation's messages (its active path), the memories each shown reply
    was given, which version each edited or regenerated message is, and each shown reply's
    tool calls."""
    messages = assistant.history()
    shown = [m for m in messages[max(0, len(messages) - SHOWN) :] if m.role == "assistant"]
    memories = {m.id: assistant.memories_of(m) for m in shown}
    calls = {m.id: found for m in shown if (found := assistant.tool_calls(m.id))}
    return messages, memories, assistant.versions(), calls


def _context(messages: list[Any]) -> int:
    """The context the conversation's last reply took (prompt and reply), 0 for none."""
    last = next((m for m in reversed(messages) if m.role == "assistant" and m.prompt_tokens), None)
    return (last.prompt_tokens or 0) + (last.completion_tokens or 0) if last else 0
