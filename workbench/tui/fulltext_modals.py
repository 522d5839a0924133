"""LinkModal: choose a study's full text: a file `fulltext link DIR` was unsure of, or a path."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class LinkModal(ModalScreen[str | None]):
    """Pick a candidate file (Enter) or type a path (Enter); Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, candidates: list[tuple[str, str]]) -> None:
        super().__init__(classes="modal")
        self.title_text, self.candidates = title, candidates

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Full text of: {self.title_text[:70]}", classes="dialog-title")
            if self.candidates:
                yield Static("Files `workbench fulltext link` was not sure about:",
                             classes="dialog-help")
                yield OptionList(*[Option(f"{Path(f).name}  ({why})", id=str(i))
                                   for i, (f, why) in enumerate(self.candidates)],
                                 id="link-candidates")
            yield Input(placeholder="or a path to a PDF, HTML, TXT or DOCX file", id="link-path")
            yield Static("Enter links · Tab moves · Esc cancels · the file is copied into "
                         "fulltext/, never changed", classes="dialog-help")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.candidates[int(event.option.id)][0])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(str(Path(value).expanduser()) if value else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
