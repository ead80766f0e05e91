"""Where mnemo keeps its files. ``MNEMO_HOME=DIR`` puts everything under DIR."""

from __future__ import annotations

import os
from pathlib import Path

APP = "mnemo"


def home() -> Path | None:
    value = os.environ.get("MNEMO_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    if (h := home()) is not None:
        return h
    import platformdirs

    return Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    if (h := home()) is not None:
        return h
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    if (h := home()) is not None:
        return h / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))


def models_dir() -> Path:
    """Downloaded and assembled model files."""
    return data_dir() / "models"


def db_path() -> Path:
    return data_dir() / "mnemo.db"


def user_models_file() -> Path:
    return config_dir() / "models.toml"


def user_config_file() -> Path:
    return config_dir() / "config.toml"


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
