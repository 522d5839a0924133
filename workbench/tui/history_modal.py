"""The history panel: every event of the current study, as `workbench log STUDY` shows it.

Opened with H on the screening, coding and resolve screens. The entries come
from `workbench.review.history.study_history`, which keeps a reviewer blind:
at a stage they have not finished, only their own events are shown.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from workbench.core.history import Entry
from workbench.review.history import study_history

#: The key that opens the panel on every screen that has it.
HISTORY_BINDING = Binding("H", "history", "History", show=False, id="history.open")


def entry_text(entry: Entry) -> Text:
    """One line of the panel: time, who, what changed, why."""
    text = Text()
    text.append(entry.time[:16].replace("T", " "), style="dim")
    text.append(f"  {entry.reviewer:<8} ", style="bold")
    text.append(f"{entry.action:<7} ", style="italic")
    where = f"{entry.stage} " if entry.stage else ""
    text.append(f"{where}{entry.field}: ")
    text.append(entry.change(), style="bold")
    if entry.note:
        label = "reason" if entry.source == "consensus" else "note"
        text.append(f"  ({label}: {entry.note})", style="dim")
    return text


class HistoryModal(ModalScreen[None]):
    """The history of one study, oldest first; Escape closes."""

    BINDINGS = [Binding("escape,H,q", "close", "Close"),
                Binding("down,j", "scroll(1)", "Down", show=False),
                Binding("up,k", "scroll(-1)", "Up", show=False)]

    def __init__(self, review, study_id: str, title: str, viewer: str | None) -> None:
        super().__init__(classes="modal history-modal")
        self.review, self.study_id, self.study_title, self.viewer = (review, study_id, title,
                                                                      viewer)
        self.entries: list[Entry] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"History of {self.study_id}", classes="dialog-title")
            yield Static(self.study_title, markup=False, classes="dialog-help")
            with VerticalScroll(classes="dialog-body", id="history-body"):
                yield Static("Loading…", id="history-lines")
            yield Static("", id="history-blind", classes="dialog-help")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def load(self) -> None:
        entries = study_history(self.review, self.study_id, self.viewer)
        everything = len(study_history(self.review, self.study_id)) if self.viewer else len(entries)
        self.app.call_from_thread(self.show, entries, everything - len(entries))

    def show(self, entries: list[Entry], hidden: int) -> None:
        """Put the entries on screen (called on the app's thread)."""
        self.entries = entries
        lines = Text("\n").join(entry_text(e) for e in entries) if entries else \
            Text("No events yet for this study.")
        self.query_one("#history-lines", Static).update(lines)
        note = (f"{hidden} event{'s' if hidden != 1 else ''} of other reviewers hidden until "
                "you finish the stage (blind coding)" if hidden else "Esc closes")
        self.query_one("#history-blind", Static).update(note)

    def action_scroll(self, step: int) -> None:
        self.query_one("#history-body", VerticalScroll).scroll_relative(y=step)

    def action_close(self) -> None:
        self.dismiss(None)
