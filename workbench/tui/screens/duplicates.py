"""DuplicatesScreen: uncertain record pairs side by side; same / different / skip from the keyboard."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from workbench.core.dedupe.duplicates import MARKED
from workbench.errors import WorkbenchError

#: The fields shown side by side, with their labels.
PAIR_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"), ("authors", "Authors"), ("year", "Year"), ("venue", "Venue"),
    ("volume", "Volume"), ("issue", "Issue"), ("pages", "Pages"), ("doi", "DOI"),
    ("pmid", "PMID"), ("pub_type", "Type"), ("language", "Language"),
    ("database", "Database"), ("file", "File"), ("abstract", "Abstract"),
)
ABSTRACT_CHARS = 400


def field_text(record, name: str) -> str:
    """Return a record field as display text."""
    value = getattr(record, name)
    if isinstance(value, tuple):
        return "; ".join(value)
    if value is None:
        return ""
    text = str(value)
    return text[:ABSTRACT_CHARS] + "…" if name == "abstract" and len(text) > ABSTRACT_CHARS else text


def queue_order(pairs: list) -> list:
    """Return the pairs a reviewer marked as possible duplicates while screening first, then
    the most likely duplicates (score, then record ids for a stable order)."""
    return sorted(pairs, key=lambda p: (not p.reasons[:1] or not p.reasons[0].startswith(MARKED),
                                        -p.score, p.record_a, p.record_b))


def pair_table(left, right) -> Table:
    """Return a two-column table of two records, the fields that differ highlighted."""
    table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("", style="bold", no_wrap=True, width=9)
    table.add_column(left.id, ratio=1)
    table.add_column(right.id, ratio=1)
    for name, label in PAIR_FIELDS:
        a, b = field_text(left, name), field_text(right, name)
        if not a and not b:
            continue
        differs = a.strip().casefold() != b.strip().casefold()
        style = "reverse" if differs and name not in ("database", "file") else ""
        table.add_row(label, Text(a or "—", style=style if a else "dim"),
                      Text(b or "—", style=style if b else "dim"))
    return table


class DuplicatesScreen(Screen):
    """Walk the pairs duplicate detection was unsure of, most likely duplicates first;
    every answer is saved at once."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="duplicates.help"),
        Binding("s", "same", "Same study", id="duplicates.same"),
        Binding("d", "different", "Different", id="duplicates.different"),
        Binding("k,space", "skip", "Skip", id="duplicates.skip"),
        Binding("left,h", "previous", "Prev", key_display="←", id="duplicates.previous"),
        Binding("escape", "back", "Home", id="duplicates.back"),
    ]

    class Loaded(Message):
        """The pairs and records are ready (posted from the loading worker)."""

        def __init__(self, pairs: list, records: dict) -> None:
            super().__init__()
            self.pairs, self.records = pairs, records

    index: reactive[int] = reactive(0, init=False)

    def __init__(self, review, reviewer: str) -> None:
        super().__init__(classes="duplicates")
        self.review = review
        self.reviewer = reviewer
        self.pairs: list = []
        self.records: dict = {}
        self.answers: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("Duplicate pairs · loading...", id="pair-title", classes="screen-title")
        with VerticalScroll(id="pair-scroll"):
            yield Static("Finding duplicates...", id="pair-body")
        yield Static("", id="pair-status", classes="dialog-help")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="duplicates-load")
    def _load(self) -> None:
        try:
            pairs = queue_order(self.review.pending_pairs())
            records = self.review.record_by_id()
        except WorkbenchError as exc:
            self.app.call_from_thread(self.app.show_error, "Could not find duplicates", str(exc))
            return
        self.post_message(self.Loaded(pairs, records))

    def on_duplicates_screen_loaded(self, event: Loaded) -> None:
        self.pairs, self.records = event.pairs, event.records
        self.index = 0
        self._show()

    def watch_index(self) -> None:
        self._show()

    def _show(self) -> None:
        title = self.query_one("#pair-title", Static)
        body = self.query_one("#pair-body", Static)
        status = self.query_one("#pair-status", Static)
        answered = len(self.answers)
        if not self.pairs or self.index >= len(self.pairs):
            title.update(f"Duplicate pairs · {answered} answered this session")
            body.update("No pair waits for a person. Escape goes home." if not self.pairs else
                        "You have seen every pair. ← goes back; Escape goes home.")
            status.update("")
            self.refresh_bindings()
            return
        pair = self.pairs[self.index]
        left, right = self.records[pair.record_a], self.records[pair.record_b]
        title.update(f"Duplicate pairs · {self.index + 1} of {len(self.pairs)}, most likely first · "
                     f"match score {pair.score:.2f}")
        body.update(pair_table(left, right))
        answer = self.answers.get(self.index)
        reasons = "; ".join(pair.reasons)
        status.update((f"Your answer: {answer}. " if answer else "")
                      + (f"Why unsure: {reasons}" if reasons else ""))
        self.query_one("#pair-scroll").scroll_home(animate=False)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("same", "different", "skip"):
            return self.index < len(self.pairs)
        if action == "previous":
            return self.index > 0
        return True

    def _answer(self, verdict: str) -> None:
        pair = self.pairs[self.index]
        try:
            self.review.decide_pair(self.reviewer, pair.record_a, pair.record_b, verdict)
        except WorkbenchError as exc:
            self.app.show_error("Your answer was not saved", str(exc))
            return
        self.answers[self.index] = verdict
        self.index += 1

    def action_same(self) -> None:
        self._answer("same")

    def action_different(self) -> None:
        self._answer("different")

    def action_skip(self) -> None:
        self.index += 1

    def action_previous(self) -> None:
        self.index = max(0, self.index - 1)

    def action_back(self) -> None:
        self.app.pop_screen()
