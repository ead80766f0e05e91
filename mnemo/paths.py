"""Where mnemo keeps its files. ``MNEMO_HOME=DIR`` puts everything under DIR."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "mnemo"


@dataclass(frozen=True)
class Home:
    """Where one mnemo keeps its files. Resolved once (by the CLI, or ``Assistant.open``)
    and passed down: nothing below reads the environment again."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    explicit: Path | None = None  # MNEMO_HOME (or the home given), when there is one

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> Home:
        """``home`` if given, else ``MNEMO_HOME``, else the platform's config and data dirs."""
        value = home if home is not None else os.environ.get("MNEMO_HOME")
        if value:
            root = Path(value).expanduser()
            return cls(root, root, root / "cache", root)
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir(APP)),
            Path(platformdirs.user_data_dir(APP)),
            Path(platformdirs.user_cache_dir(APP)),
        )

    @property
    def models_dir(self) -> Path:
        """Downloaded and assembled model files."""
        return self.data_dir / "models"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "mnemo.db"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def user_models_file(self) -> Path:
        return self.config_dir / "models.toml"

    @property
    def user_config_file(self) -> Path:
        return self.config_dir / "config.toml"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) so that mnemo's own folder is readable by the user only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist; tighten it if it does."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path
