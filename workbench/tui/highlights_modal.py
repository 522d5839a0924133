"""HighlightsModal: edit the codebook's highlight terms, see the diff, then save (e).

The screen hands down the current terms and a `plan(include, exclude)`
callable (review.highlights.plan_highlights); the dialog never writes. Enter
shows the diff of codebook.yaml, `y` hands the planned edit back, Esc goes
back to editing (or cancels).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from workbench.errors import WorkbenchError
from workbench.tui.key_hold import TypedInput
from workbench.tui.modals import FOCUS_KEYS


class HighlightsModal(ModalScreen):
    """Two lists of terms (commas between), the diff of codebook.yaml, then y to save."""

    DEFAULT_CSS = """
    HighlightsModal #highlights-diff { height: auto; max-height: 12; }
    HighlightsModal .terms-label { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "back", "Back", priority=True),
                Binding("y", "save", "Save", priority=True), *FOCUS_KEYS]

    def __init__(self, include: Sequence[str], exclude: Sequence[str], plan: Callable) -> None:
        super().__init__(classes="modal")
        self.include, self.exclude = list(include), list(exclude)
        self.plan = plan
        self.planned = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Highlight terms (codebook.yaml)", classes="dialog-title")
            yield Static("Include terms (green), commas between; * ends a word stem:",
                         classes="dialog-help")
            yield TypedInput(", ".join(self.include), id="include-terms", compact=True,
                             select_on_focus=False)
            yield Static("Exclude terms (red):", classes="dialog-help terms-label")
            yield TypedInput(", ".join(self.exclude), id="exclude-terms", compact=True,
                             select_on_focus=False)
            with VerticalScroll(id="highlights-diff"):
                yield Static("", id="highlights-diff-text")
            yield Static("", id="highlights-error", classes="field-error")
            yield Static("Tab next list · Enter shows the change · Esc cancels",
                         id="highlights-hint", classes="dialog-help")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "save":
            return self.planned is not None   # otherwise y is a letter of a term
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from workbench.review.highlights import split_terms
        include = split_terms(self.query_one("#include-terms", Input).value)
        exclude = split_terms(self.query_one("#exclude-terms", Input).value)
        error = self.query_one("#highlights-error", Static)
        try:
            edit = self.plan(include, exclude)
        except WorkbenchError as exc:
            error.update(str(exc))
            return
        error.update("")
        if not edit.diff:
            error.update("Nothing changes.")
            return
        self.planned = edit
        diff = Text(no_wrap=True, overflow="ellipsis")
        for line in edit.diff.splitlines()[2:]:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else \
                "dim"
            diff.append(line + "\n", style=style)
        self.query_one("#highlights-diff-text", Static).update(diff)
        self.query_one("#highlights-hint", Static).update(
            "y saves codebook.yaml and redraws the highlights · Esc back to editing")
        self.query_one("#highlights-diff").focus()

    def action_save(self) -> None:
        if self.planned is not None:
            self.dismiss(self.planned)

    def action_back(self) -> None:
        if self.planned is None:
            self.dismiss(None)
            return
        self.planned = None
        self.query_one("#highlights-diff-text", Static).update("")
        self.query_one("#highlights-hint", Static).update(
            "Tab next list · Enter shows the change · Esc cancels")
        self.query_one("#include-terms", Input).focus()
