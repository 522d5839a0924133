"""DuplicateMarkModal: pick the study the one on screen may duplicate (d on the screening screen).

The screen hands down a `suggest(words) -> studies` callable
(review.duplicate_marks.similar_studies bound to the study on screen); the
dialog lists what it returns as the reviewer types, Up/Down choose, Enter
sends the chosen one back (the screen saves the pair), Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from workbench.tui.key_hold import TypedInput


class DuplicateMarkModal(ModalScreen):
    """Choose a study by title suggestions or typed words; Enter sends it back, Esc cancels."""

    DEFAULT_CSS = """
    DuplicateMarkModal #duplicate-list { text-wrap: nowrap; text-overflow: ellipsis;
                                         margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True),
                Binding("down", "move(1)", "Next", show=False, priority=True),
                Binding("up", "move(-1)", "Previous", show=False, priority=True)]

    def __init__(self, title: str, suggest: Callable[[str], Sequence]) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.suggest = suggest
        self.studies: list = list(suggest(""))
        self.words = ""     # the words `studies` were found for
        self.chosen = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Possible duplicate of:", classes="dialog-title")
            yield Static(Text(self.title_text, style="bold"), classes="dialog-help")
            yield TypedInput(placeholder="words of its title or authors, a DOI or a study id",
                             id="duplicate-words", compact=True)
            yield Static("", id="duplicate-list")
            yield Static("↑↓ choose · Enter sends the pair to the duplicates queue · Esc cancels",
                         classes="dialog-help")

    def on_mount(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.studies:
            text.append("No study matches these words.", style="dim")
        for n, study in enumerate(self.studies):
            line = Text(f"{'>' if n == self.chosen else ' '} {study.year or '----'}  "
                        f"{study.title or study.id}\n")
            if n == self.chosen:
                line.stylize("reverse")
            text.append_text(line)
        self.query_one("#duplicate-list", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value == self.words:
            return
        self.studies = list(self.suggest(event.value))
        self.words = event.value
        self.chosen = 0
        self._refresh()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value != self.words:  # Enter typed right after the words: the list of
            self.studies = list(self.suggest(event.value))  # those words, not the last shown
            self.words = event.value
            self.chosen = 0
            self._refresh()
        if not self.studies:
            return
        self.dismiss(self.studies[self.chosen])

    def action_move(self, step: int) -> None:
        if self.studies:
            self.chosen = (self.chosen + step) % len(self.studies)
            self._refresh()

    def action_cancel(self) -> None:
        self.dismiss(None)
