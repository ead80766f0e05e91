"""mnemo: a local-first terminal assistant that remembers.

``from mnemo import Assistant`` is the Python API (ARCHITECTURE.md, "The door"); it is imported
lazily so that ``import mnemo`` stays cheap.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Assistant", "Reply", "__version__"]

# Library code logs; only the CLI decides whether anything reaches the terminal.
logging.getLogger("mnemo").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from mnemo.assistant import Assistant, Reply


def __getattr__(name: str) -> Any:
    if name in ("Assistant", "Reply"):
        from mnemo import assistant

        return getattr(assistant, name)
    raise AttributeError(name)
