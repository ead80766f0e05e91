"""Errors that reach the user as one sentence and an exit code (the README, "Exit codes")."""

from __future__ import annotations


class MnemoError(Exception):
    """A failure the user can act on; its message is shown as is, on one line."""

    exit_code = 1


class BadInput(MnemoError):
    """Bad usage, configuration or a missing/broken model file: exit code 2."""

    exit_code = 2


class ConfigError(BadInput):
    """An invalid models.toml or config.toml; the message names file, line and key."""


class ModelError(BadInput):
    """A model that cannot be found, loaded or reached; the message says what to do."""


class UnknownModel(ConfigError):
    """A model name models.toml does not know (``name`` is the name asked for)."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


class PullCancelled(MnemoError):
    """The user stopped a download; its partial file is kept, and pulling again resumes it."""


class NotFound(BadInput):
    """A conversation, message or memory id that does not exist."""


class BackendError(MnemoError):
    """A remote model server that cannot be reached or fails mid-reply: exit code 1."""


class StoreError(MnemoError):
    """The database cannot be used (corrupt, newer schema, read-only)."""
