"""The chat app's commands, each once: its slash name, argument, one line of help, the app
action it runs and its title in the command palette. The slash parser, the palette and the
help screen all read this table; a new command is one entry here and its ``action_`` method
on the app."""

from __future__ import annotations

import re
from dataclasses import dataclass

COMMAND = re.compile(r"/[A-Za-z][\w-]*$")  # the first word of "/foo bar"; "/etc/hosts" is text


@dataclass(frozen=True)
class Command:
    name: str | None  # "/new"; None: a palette command with no slash form
    help: str  # one line, lower case: the help screen's (the palette's, capitalised)
    action: str  # the app's action_<action>; given the whole line when ``arg`` is set
    arg: str = ""  # the argument it takes ("TEXT"; "[NAME]": it may be left out); "" for none
    title: str = ""  # its title in the command palette; "" keeps it out of the palette
    about: str = ""  # the palette's line, when it says more than ``help``
    ready: bool = True  # it needs the Assistant (the model need not be loaded)

    @property
    def needs_arg(self) -> bool:
        return bool(self.arg) and not self.arg.startswith("[")

    @property
    def usage(self) -> str:
        return f"{self.name} {self.arg}".strip() if self.name else ""

    @property
    def palette_help(self) -> str:
        text = self.about or self.help[:1].upper() + self.help[1:]
        return f"{text} ({self.name})" if self.name else text


COMMANDS: tuple[Command, ...] = (
    Command("/new", "start a new conversation", "new_conversation", title="New conversation"),
    Command(
        "/model",
        "switch to model NAME; without it, pick one",
        "pick_model",
        arg="[NAME]",
        title="Switch model",
        about="Pick another model from models.toml",
    ),
    Command("/remember", "remember something now", "say", arg="TEXT"),
    Command("/forget", "forget what TEXT is about", "say", arg="TEXT"),
    Command(
        "/tool",
        "run tool NAME now with these JSON arguments; the reply uses its result",
        "tool",
        arg="NAME [JSON]",
    ),
    Command(
        "/tools",
        "choose which tools this conversation offers the model",
        "tools",
        title="Choose tools",
        about="Choose which tools (mnemo's own, MCP servers') this conversation offers",
    ),
    Command("/memories", "see, search, add, edit, pin and forget memories", "memories", title="Memories"),
    Command(
        "/incognito", "a conversation that neither reads nor writes memory", "incognito", title="Incognito conversation"
    ),
    Command(
        "/export",
        "save the conversation as Markdown",
        "export",
        title="Export conversation",
        about="Save this conversation as Markdown",
    ),
    Command("/clear", "delete the messages of this conversation", "clear"),
    Command("/help", "this help", "help", ready=False, title="Help", about="Keys and slash commands"),
    Command(
        None,
        "edit the last message; Enter sends the new version (the old one stays), Esc keeps it",
        "edit_last",
        title="Edit last message",
    ),
    Command(None, "answer the last message again (the old reply stays as a version)", "regenerate", title="Regenerate"),
    Command(
        None,
        "show the previous version of an edited or regenerated message",
        "previous_version",
        title="Previous version",
    ),
    Command(None, "show the next version of an edited or regenerated message", "next_version", title="Next version"),
)

SLASH = {c.name: c for c in COMMANDS if c.name}


def slash_command(text: str) -> Command | str | None:
    """What the message box's ``text`` is: a command; the unknown command it names (a typo
    is not sent to the model); or None for a message ("//x" and "/etc/hosts" are text)."""
    word = text.strip().split(maxsplit=1)[0]
    if word in SLASH:
        return SLASH[word]
    return word if COMMAND.match(word) else None


def palette() -> list[Command]:
    return [c for c in COMMANDS if c.title]


def slash_help() -> list[tuple[str, str]]:
    """(usage, what it does) of every slash command, for the help screen."""
    return [(c.usage, c.help) for c in COMMANDS if c.name]
