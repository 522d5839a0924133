"""StoppingModal: say what the stopping test will do and let the reviewer go ahead or cancel."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class StoppingModal(ModalScreen[bool]):
    """A question about the stopping sample: `key` (or Enter) goes ahead, Escape cancels."""

    BINDINGS = [Binding("enter", "answer(True)", "Yes"),
                Binding("escape,n", "answer(False)", "Cancel"),
                Binding("d", "key('d')", "Draw", show=False),
                Binding("w", "key('w')", "Withdraw", show=False),
                Binding("c", "key('c')", "Close screening", show=False)]

    def __init__(self, title: str, text: str, action: str, key: str) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.text = text
        self.action_text = action
        self.key = key

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Text(self.text), id="stopping-question")
            yield Static(f"{self.key} / Enter: {self.action_text} · Esc: cancel, nothing changes",
                         classes="dialog-help")

    def action_key(self, key: str) -> None:
        if key == self.key:
            self.dismiss(True)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
