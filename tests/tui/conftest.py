"""The chat app's tests run mnemo's scripted engine where they are about the UI; the rest of
mnemo is real (config, SQLite store, memory, the Assistant)."""

from __future__ import annotations

import os
import time

import pytest
import textual.constants
import textual.screen

from mnemo.engine.scripted import ScriptedEngine

# The behaviour tests draw to a screen nobody watches: 10 redraws a second, not 60. Measured
# on the chat app's tests (-n 2, user CPU seconds, same machine, same hour): 88.8 at 30 a
# second, 80.7 at 10; at 4 (an earlier round) the layout lagged the keys under load (the
# help's last line not reached by pagedown, a scroll position read before it moved: flaky
# about one run in four). At 10 they passed five runs (three of the whole fast suite, one
# on six workers). A user's TEXTUAL_FPS wins.
FPS = 10


class Script:
    """The engine factory of the chat app's tests: every model is mnemo's scripted engine
    (``mnemo.engine.scripted``), made with the options set here before the app starts."""

    def __init__(self):
        self.rate = 500.0  # tokens a second
        self.words = 0  # a longer reply: this many extra words
        self.made: list[ScriptedEngine] = []

    def __call__(self, spec) -> ScriptedEngine:
        engine = ScriptedEngine(spec, rate=self.rate, words=self.words)
        self.made.append(engine)
        return engine

    @property
    def calls(self) -> int:
        return sum(e.calls for e in self.made)


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0  # 2027-01-15 08:00 UTC

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True, scope="session")
def _css_parsed_once_a_worker():
    """Each app parses the same CSS again (Textual keeps its parse cache per stylesheet, and a
    theme set at start re-parses into a new one): a tenth of these tests' CPU. Here the rules
    parsed from the same CSS with the same variables are kept for the whole worker, as one
    stylesheet keeps them for itself; what an app draws is the same."""
    from textual.css.stylesheet import Stylesheet

    parse = Stylesheet._parse_rules
    parsed: dict[tuple, list] = {}

    def cached(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
        if key not in parsed:
            parsed[key] = parse(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    Stylesheet._parse_rules = cached  # type: ignore[method-assign]
    yield
    Stylesheet._parse_rules = parse  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _drop_textual_style_cache():
    """Textual caches ``StylesCache.get_inner_outer`` per instance (an ``lru_cache`` on a
    method), which keeps up to 1024 finished apps' widget caches alive in this worker: the
    heap grows by tens of thousands of objects a test and every full garbage collection
    after it gets slower. Emptied after each test; each app still fills it as it runs."""
    yield
    from textual._styles_cache import StylesCache

    cached = getattr(StylesCache, "get_inner_outer", None)
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def _drawn_for_the_tests(request, monkeypatch):
    """The behaviour tests run the app as with ``TEXTUAL_ANIMATIONS=none`` (an animated scroll
    or transition ends at once instead of redrawing the screen for its frames: a quarter of
    these tests' CPU) and redraw ``FPS`` times a second. The snapshots keep Textual's defaults:
    they are the looks, drawn as a user sees them (at 4 a second, under load, a footer
    recomposed for a screen just pushed was sometimes not yet drawn when the picture was taken)."""
    if request.node.path.name == "test_snapshots.py":
        return
    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")
    if "TEXTUAL_FPS" not in os.environ and hasattr(textual.screen, "UPDATE_PERIOD"):
        monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 1 / FPS)


@pytest.fixture
def scripted(monkeypatch, home):
    """A scripted-engine factory; ``make_app`` gives it to the Assistant."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return Script()


@pytest.fixture
def make_app(scripted, home):
    from mnemo.assistant import Assistant
    from mnemo.tui.app import MnemoApp

    def make(memory: bool = True, clock=None, engine_factory=None, **kwargs):
        clock = clock or Clock()
        factory = engine_factory or scripted
        return MnemoApp(lambda: Assistant.open(memory=memory, clock=clock, engine_factory=factory), **kwargs)

    return make
