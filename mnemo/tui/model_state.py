"""The model's state on screen: loading it in a worker, switching it from the picker, and
pulling a catalog model while the conversation goes on (Esc stops the pull)."""

from __future__ import annotations

import time

from textual import work
from textual.worker import get_current_worker

from mnemo.kinds import ModelState
from mnemo.tui.messages import ModelChoices, ModelFailed, ModelLoaded, PullDone, PullFailed, PullProgress
from mnemo.tui.state import ChatState
from mnemo.tui.widgets.prompt import PromptInput


class ModelsMixin(ChatState):
    @work(thread=True, exclusive=True, group="model")
    def load_model(self, name: str | None = None) -> None:
        assert self.assistant is not None
        try:
            engine = self.assistant.use_model(name) if name else self.assistant.load_model()
            self.post_message(ModelLoaded(engine.spec.name))
        except Exception as e:
            self.post_message(ModelFailed(str(e)))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        self.model_name = message.name
        self.model_state = ModelState.READY
        self.read_status()

    def on_model_failed(self, message: ModelFailed) -> None:
        self.model_name = self.assistant.spec.name if self.assistant else self.model_name
        self.model_state = (
            ModelState.READY
            if self.assistant and self.assistant.model_status() == ModelState.READY
            else ModelState.FAILED
        )
        self.notify(message.error, title="The model could not be loaded", severity="error", timeout=10)

    def _switch_to(self, name: str) -> None:
        self.model_name = name
        self.model_state = ModelState.LOADING
        self.load_model(name)

    # ----------------------------------------------------------------- picker

    def action_pick_model(self, line: str = "") -> None:
        """ctrl+o and /model: the picker; "/model NAME" switches to NAME at once (an unknown
        name changes nothing and says so)."""
        assistant = self.assistant
        if assistant is None:
            return
        name = line.partition(" ")[2].strip()
        if not name:
            self.read_model_choices()
            return
        names = [spec.name for spec in assistant.models()]
        if name not in names:
            some = ", ".join(names[:4]) + ("…" if len(names) > 4 else "")
            self.notify(
                f"There is no model called “{name}”: /model alone lists them ({some}).",
                severity="warning",
                timeout=6,
            )
        elif name == assistant.spec.name:
            self.notify(f"Already using {name}.", timeout=3)
        elif not self._busy():
            self.notify(f"Switching to {name}; the conversation goes on.", title="Model", timeout=3)
            self._switch_to(name)

    @work(thread=True, exclusive=True, group="choices")
    def read_model_choices(self) -> None:
        """Where each model runs here comes from GGUF headers and nvidia-smi: off the UI thread."""
        assert self.assistant is not None
        try:
            self.post_message(ModelChoices(self.assistant.model_choices()))
        except Exception as e:
            self.post_message(ModelFailed(str(e)))

    def on_model_choices(self, message: ModelChoices) -> None:
        from mnemo.tui.screens.models import ModelPicker

        assistant = self.assistant
        if assistant is None:
            return

        def picked(name: str | None) -> None:
            self.query_one(PromptInput).focus()
            if name and name.startswith("pull:"):
                if self.pulling:
                    self.notify(f"Already pulling {self.pulling}; Esc stops it.", severity="warning", timeout=4)
                else:
                    self.pull_model(name.removeprefix("pull:"))
            elif name and name != assistant.spec.name:
                self._switch_to(name)

        self.push_screen(ModelPicker(message.choices, assistant.spec.name), picked)

    # ------------------------------------------------------------------- pull

    @work(thread=True, exclusive=True, group="pull")
    def pull_model(self, name: str) -> None:
        """Download a catalog model while the conversation goes on; Esc cancels it (the
        partial file stays, and pulling it again resumes)."""
        from mnemo.errors import PullCancelled

        assert self.assistant is not None
        worker = get_current_worker()
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.perf_counter()
            if now - last >= 0.2 or (total and done >= total):
                last = now
                self.post_message(PullProgress(name, done, total))

        self.post_message(PullProgress(name, 0, None))
        try:
            self.post_message(PullDone(self.assistant.pull_model(name, progress, lambda: worker.is_cancelled)))
        except PullCancelled:
            self.post_message(PullFailed(name, "stopped; pull it again to resume where it stopped", cancelled=True))
        except Exception as e:
            self.post_message(PullFailed(name, str(e)))

    def on_pull_progress(self, message: PullProgress) -> None:
        share = f" {message.done * 100 // message.total}%" if message.total else ""
        self.pulling = f"{message.name}{share}"

    def on_pull_done(self, message: PullDone) -> None:
        self.pulling = None
        self.notify(f"Pulled {message.name}; switching to it.", title="Model", timeout=5)
        self._switch_to(message.name)

    def on_pull_failed(self, message: PullFailed) -> None:
        self.pulling = None
        self.notify(
            message.error,
            title=f"Pull of {message.name} " + ("stopped" if message.cancelled else "failed"),
            severity="warning" if message.cancelled else "error",
            timeout=8,
        )
