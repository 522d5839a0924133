"""PriorityPanel: on the home screen, this reviewer's prioritised-screening figures per stage.

Relevant found so far, the run of consecutive irrelevant decisions (a hint,
labelled as one) and the stopping test's estimate. It reads the figures in a
thread worker when mounted and again when the reviewer's sheet has changed
(checked every 2 s while the home screen is on top), when the home screen
comes back on top, and for the new name when the reviewer switches (`w`).
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.message import Message
from textual.widgets import Static

from workbench.errors import WorkbenchError
from workbench.review.prioritise import PriorityFigures, reviewer_figures
from workbench.tui.loading import bulk_loading


def figures_text(figures: list[PriorityFigures]) -> Text:
    """Return the panel's text for a reviewer's figures ("" when nothing is screened)."""
    text = Text()
    shown = [f for f in figures if f.decided]
    if not shown:
        return text
    text.append("Prioritised screening (your decisions only)\n", style="bold")
    for f in shown:
        order = "prioritised" if f.order.startswith("prioritised") else "import order"
        text.append(f"  {f.label}: {f.relevant} relevant in {f.decided} screened ({order}); "
                    f"{f.irrelevant_run} irrelevant in a row\n")
        if f.estimate.sample_size:
            text.append(f"    Stopping test: {f.estimate.describe()}\n",
                        style="bold green" if f.estimate.can_stop else "")
        else:
            text.append("    Stopping test: not started (s on the screening screen, in "
                        "prioritised order)\n", style="dim")
        if f.hint:
            text.append(f"    {f.hint}\n", style="italic")
    return text


class PriorityPanel(Static):
    """This reviewer's relevant found, irrelevant run and stopping estimate per stage."""

    class Figures(Message):
        def __init__(self, figures: list[PriorityFigures], reviewer: str = "") -> None:
            super().__init__()
            self.figures = figures
            self.reviewer = reviewer

    def __init__(self, review, reviewer: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.review = review
        self.reviewer = reviewer
        self.figures: list[PriorityFigures] = []

    def on_mount(self) -> None:
        self.display = False
        self._seen = self._stamp()
        self._read()
        self.set_interval(2.0, self._check)

    def show_reviewer(self, reviewer: str) -> None:
        """Show another reviewer's figures (after `w`): the old ones go at once."""
        self.reviewer = reviewer
        self.figures = []
        self.display = False
        self.update("")
        self.refresh_figures()

    def refresh_figures(self) -> None:
        """Read the figures again (the home screen is back on top, or files changed)."""
        self._seen = self._stamp()
        self._read()

    def _stamp(self) -> tuple:
        """The sheet's size and time: the figures change only when the sheet does."""
        try:
            stat = (self.review.coding / f"{self.reviewer}.csv").stat()
        except OSError:
            return ()
        return stat.st_size, stat.st_mtime_ns

    def _check(self) -> None:
        if self.screen.is_current and (stamp := self._stamp()) != self._seen:
            self._seen = stamp
            self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="priority-panel")
    def _read(self) -> None:
        reviewer = self.reviewer
        try:
            with bulk_loading():
                figures = reviewer_figures(self.review, reviewer)
        except WorkbenchError:
            return          # the home screen reports sheet and codebook problems itself
        self.post_message(self.Figures(figures, reviewer))

    def on_priority_panel_figures(self, event: Figures) -> None:
        event.stop()
        if event.reviewer and event.reviewer != self.reviewer:
            return          # read for the reviewer before a switch (`w`): not shown
        self.figures = event.figures
        text = figures_text(event.figures)
        self.display = bool(text.plain)
        self.update(text)
