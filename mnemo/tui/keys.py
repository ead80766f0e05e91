"""The keys the help screen lists, read from the live bindings: a key remapped in
config.toml's ``[keys]`` (Textual's keymap, by binding id) shows as the key it now is."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import BindingsMap

from mnemo.tui.widgets.chat import MessageView
from mnemo.tui.widgets.sidebar import ConversationList

# (keys, what they do); {name} is the key of the binding with that id (or action), {send}
# and {newline} the message box's keys. Keys the message box reads itself are spelt out.
HELP = [
    ("{send} / {newline}", "send / new line (`send_key`, `newline_key` in config.toml)"),
    ("{stop}", "stop the reply (what was written stays); leave search or an edit; back to the box"),
    ("{interrupt}", "stop the reply too; with none, press it twice to quit"),
    ("up (empty box)", "edit your last message: enter sends the new version (the old one stays), esc keeps it"),
    ("{regenerate}", "answer your last message again (the old reply stays as a version)"),
    ("{version_previous} / {version_next} (on a message with ‹n/m›)", "step through its versions"),
    ("pageup / pagedown", "scroll the conversation while typing"),
    ("tab, shift+tab", "step through the messages, newest first (other letters type in the box)"),
    (
        "{copy_reply} / {copy_code} / {reply_memories} / {reply_tools} (on a message)",
        "copy it / copy its code block / the memories its reply was given / open its tool calls",
    ),
    ("{new}", "new conversation"),
    ("{model}", "switch model (the conversation goes on); catalog models are pulled"),
    ("{memories}", "your memories: search, add, edit, pin, forget"),
    ("{undo_memory}", "undo what was just remembered or forgotten"),
    ("{sidebar} / {search}", "show or hide the sidebar (hidden below 100 columns) / search all conversations"),
    ("{conversations}", "the conversation list: up/down, enter opens one, esc back to the box"),
    (
        "{conversation_rename} / {conversation_pin} / {conversation_delete} (sidebar)",
        "rename / pin / delete a conversation (asks first)",
    ),
    ("{command_palette}", "command palette: mnemo's commands and the themes"),
    ("{help}", "this help"),
    ("{quit}", "quit"),
]

WIDGETS = (MessageView, ConversationList)  # widgets with keys of their own that the help names


def live_keys(app: App[Any]) -> dict[str, str]:
    """Binding id (or action, for a binding without one) -> the first key it answers to now,
    with the app's keymap applied as Textual applies it to each node's bindings."""
    keymap = app._keymap  # what set_keymap was given, normalised (Textual has no getter)
    by_id: dict[str, str] = {}
    by_action: dict[str, str] = {}
    for bindings in (app._bindings.copy(), *(BindingsMap(w.BINDINGS) for w in WIDGETS)):
        if keymap:
            bindings.apply_keymap(keymap)
        for key, bound in bindings.key_to_bindings.items():
            for binding in bound:
                names = by_id if binding.id else by_action
                names.setdefault(binding.id or binding.action, key.replace("escape", "esc"))
    return {**by_action, **by_id}


class _Keys(dict[str, str]):
    def __missing__(self, name: str) -> str:
        return "–"  # a binding the keymap left without a key


def help_keys(app: App[Any], send: str, newline: str) -> list[tuple[str, str]]:
    keys = _Keys({**live_keys(app), "send": send, "newline": newline})
    return [(k.format_map(keys), what) for k, what in HELP]
