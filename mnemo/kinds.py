"""mnemo's vocabularies, each written once: how a reply ended, what a memory is and where it
stands, where a model is. A floor of its own (stdlib only) so every other floor, the UI
included, can name them. They are ``StrEnum``s: SQLite stores the plain string, and a string
read back compares equal to its member.
"""

from enum import StrEnum


class Finish(StrEnum):
    """How a reply ended: its ``finish_reason``, saved with the message."""

    STOP = "stop"  # the model ended its reply
    LENGTH = "length"  # cut at the reply's max tokens
    STOPPED = "stopped"  # the user stopped it
    ERROR = "error"  # the model failed; the error went on up
    INTERRUPTED = "interrupted"  # on disk while generating, and mnemo ended before the reply did
    MEMORY = "memory"  # mnemo answered a memory command itself
    TASK = "task"  # mnemo said a task was set or was due
    OBSERVED = "observed"  # a reply recorded with ``observe``, not generated here


MODEL_ENDINGS = frozenset({Finish.STOP, Finish.LENGTH})  # a whole reply the model wrote
COMMAND_REPLIES = frozenset({Finish.MEMORY, Finish.TASK})  # replies mnemo gave without the model


class MemoryKind(StrEnum):
    EPISODE = "episode"  # a message, as said
    FACT = "fact"
    PREFERENCE = "preference"
    INSTRUCTION = "instruction"  # a standing instruction, in every prompt
    LIST = "list"  # a named list and its items


STATED = (MemoryKind.FACT, MemoryKind.PREFERENCE, MemoryKind.INSTRUCTION)  # what a user may state by hand


class MemoryStatus(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"  # an earlier value of the same subject, kept as history
    FORGOTTEN = "forgotten"


class EngineKind(StrEnum):
    """A models.toml entry's ``kind``: which engine runs it (``engine.open_engine``)."""

    GGUF = "gguf"  # a local GGUF file, run by llama.cpp in a process of its own
    OPENAI = "openai"  # an OpenAI-compatible server at ``base_url``
    SCRIPTED = "scripted"  # mnemo's deterministic stand-in model, for tests and dry runs


class ModelState(StrEnum):
    """Where the conversation's model is (``Assistant.model_status``; the chat app adds
    STARTING and FAILED for its own start-up)."""

    NONE = "none"  # not started yet
    STARTING = "starting"
    LOADING = "loading"
    READY = "ready"
    STOPPED = "stopped"  # its process died, or it could not load: the next turn starts it again
    FAILED = "failed"
