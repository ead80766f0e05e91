"""Tools: what the assistant can reach besides its memory (ARCHITECTURE.md, Tools).

``calls`` reads tool calls in a local model's streamed text, per model family.
"""
