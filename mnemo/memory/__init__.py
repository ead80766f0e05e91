"""Long-term memory: episodes, facts, lists, forgetting and tasks, in the same SQLite file.

``bank.MemoryBank`` is what the Assistant talks to; ``records`` holds every SQL statement
on the memory tables; ``rules`` (pure regular expressions) reads what a message asks of
memory. Importing this package loads nothing heavy. No UI imports here.
"""

from mnemo.kinds import MemoryKind

KINDS = tuple(MemoryKind)  # every kind of memory (kinds.MemoryKind)
