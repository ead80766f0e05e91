"""Prompt layout and token budget.

Layout: ``[system + profile] [conversation window] [recalled memories + new user message]``.
Recalled memories ride in the final user message, so everything before it is
byte-identical from turn to turn (the profile changes only when a pinned fact does). The window keeps the
newest turns that fit in ``n_ctx`` minus the reply budget. When it overflows, the oldest
turns are dropped in large steps (``STEP`` messages at a time) rather than one turn per
reply, so the start of the prompt stays byte-identical for many turns and llama.cpp
reuses its KV cache instead of re-reading the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

from mnemo.engine import Engine, Message
from mnemo.errors import BadInput

CUT = "\n\n[… {n} characters cut here to fit the model's context …]\n\n"
STEP = 8  # messages dropped at once when the window overflows (an even number: whole turns)
PER_MESSAGE = 8  # template tokens around each message, used only for the first estimate


@dataclass(frozen=True)
class Turn:
    role: str
    content: str
    tokens: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Prompt:
    messages: list[Message]
    window_start: int  # index of the first history turn kept
    tokens: int  # the whole rendered prompt
    budget: int  # tokens the prompt may use: n_ctx minus the reply budget
    cut: int = 0  # characters cut from the middle of the user's message to make it fit


def window_start(token_counts: list[int], budget: int, step: int = STEP) -> int:
    """Smallest start index whose turns fit ``budget``, rounded up to a multiple of ``step``."""
    total = sum(token_counts)
    start = 0
    while total > budget and start < len(token_counts):
        total -= token_counts[start]
        start += 1
    if start:
        start = min(len(token_counts), -(-start // step) * step)
    return start


def user_content(user: str, memory_block: str = "") -> str:
    return f"{memory_block}\n\n{user}" if memory_block else user


def build(
    engine: Engine,
    system: str,
    history: list[Turn],
    user: str,
    reply_tokens: int,
    *,
    memory_block: str = "",
    reserve: int = 0,
) -> Prompt:
    """The messages for one reply. ``reserve`` tokens are kept free for the memory block, so
    the window does not move with the block's size."""
    budget = engine.n_ctx - reply_tokens
    head = [{"role": "system", "content": system}] if system else []
    user, cut, fixed = fit_message(engine, head, user, budget, reply_tokens)
    missing = iter(engine.count_many([t.content for t in history if t.tokens is None]))  # one trip
    counts = [(t.tokens if t.tokens is not None else next(missing)) + PER_MESSAGE for t in history]
    start = window_start(counts, max(0, budget - fixed - reserve))
    tail = [{"role": "user", "content": user_content(user, memory_block)}]
    while True:
        start = _first_user(history, start)
        window = [{"role": t.role, "content": t.content} for t in history[start:]]
        messages = head + window + tail
        tokens = engine.count_prompt(messages)
        if tokens <= budget:
            return Prompt(messages, start, tokens, budget, cut)
        if start >= len(history):  # only the memory block can still give way
            messages = head + [{"role": "user", "content": user}]
            return Prompt(messages, start, engine.count_prompt(messages), budget, cut)
        start += STEP


def fit_message(engine: Engine, head: list[Message], user: str, budget: int, reply_tokens: int) -> tuple[str, int, int]:
    """The user's message, or, when it alone overflows the budget, its start and end with a
    marker between them; how many characters were cut; the tokens of ``head`` and it.
    The stored message stays whole."""

    def size(text: str) -> int:
        return engine.count_prompt(head + [{"role": "user", "content": text}])

    tokens = size(user)
    if tokens <= budget:
        return user, 0, tokens
    room = budget - size(CUT.format(n=len(user)))
    if room <= 0:
        raise BadInput(
            f"the system prompt leaves no room for a message: model '{engine.spec.name}' has room "
            f"for {budget} tokens (n_ctx {engine.n_ctx} minus {reply_tokens} for the reply); "
            "shorten the system prompt or use a model with a larger n_ctx"
        )
    keep = int(len(user) * room / max(engine.count_tokens(user), 1))
    while keep > 0:
        start = keep * 2 // 3  # the start of a paste says more than its end
        text = user[:start] + CUT.format(n=len(user) - keep) + user[len(user) - (keep - start) :]
        tokens = size(text)
        if tokens <= budget:
            return text, len(user) - keep, tokens
        keep = int(keep * 0.9)
    text = CUT.format(n=len(user)).strip()
    return text, len(user), size(text)


def _first_user(history: list[Turn], start: int) -> int:
    """Chat templates want the window to open on a user turn."""
    while start < len(history) and history[start].role != "user":
        start += 1
    return start
