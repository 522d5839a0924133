"""HomeScreen: this reviewer's progress at each stage, what waits for a person, keys into each step."""

from __future__ import annotations

from dataclasses import replace

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from workbench.core.codebook import CODING
from workbench.core.wording import conflict_kinds
from workbench.errors import WorkbenchError
from workbench.review.conflicts import conflict_counts
from workbench.review.coding import open_coding_session
from workbench.review.screening import StageProgress, stage_progress, write_remembered_reviewer
from workbench.tui.loading import bulk_loading
from workbench.tui.modals import ReviewerModal
from workbench.tui.widgets.coding_panel import CodingCounts, coding_counts
from workbench.tui.widgets.key_footer import KeyFooter
from workbench.tui.widgets.priority_panel import PriorityPanel
from workbench.tui.widgets.team_panel import TeamPanel

#: Stage labels longer than this are cut with "…" so a row stays one line at 80 columns.
LABEL_WIDTH = 26


def short_label(label: str, kind: str) -> str:
    """Return a stage label without the kind its table already names ("Full-text screening")."""
    words = label.split()
    if len(words) > 1 and words[-1].lower() == kind:
        return " ".join(words[:-1])
    return label


def coding_progress(review, reviewer: str) -> list[tuple[str, CodingCounts]]:
    """Return (label, counts) of this coder at every coding stage of the codebook."""
    out = []
    for stage in review.codebook().stages:
        if stage.kind == CODING:
            session = open_coding_session(review, reviewer, stage.id)
            out.append((stage.label or stage.id, coding_counts(session)))
    return out


def waiting_for_person(review) -> list[tuple[str, str]]:
    """Return (what, how many) that waits for a person; extension point for later steps."""
    items = []
    result = review.dedupe()
    items.append(("Duplicate pairs to check", str(len(result.uncertain))))
    counts = conflict_counts(review)
    kinds = conflict_kinds(counts)
    items.append(("Conflicts to resolve", str(counts["total"]) + (f" ({kinds})" if kinds else "")))
    return items


class HomeScreen(Screen):
    """The start: progress per stage and the keys into each workflow step.

    To add a step: put its screen in `workbench.tui.app.STEPS` and a binding
    `Binding(key, "app.open_step('name')", "Label")` here.
    """

    BINDINGS = [
        Binding("s", "app.open_step('screening')", "Screen", id="home.screening"),
        Binding("f", "screen_full_text", "Full text", id="home.full_text"),
        Binding("c", "app.open_step('coding')", "Code", id="home.coding"),
        Binding("d", "app.open_step('duplicates')", "Duplicates", id="home.duplicates"),
        Binding("a", "app.open_step('agreement')", "Agreement", id="home.agreement"),
        Binding("r", "app.open_step('resolve')", "Resolve", id="home.resolve"),
        Binding("w", "switch_reviewer", "Who", id="home.reviewer"),
        Binding("q", "app.quit", "Quit", id="home.quit"),
        Binding("question_mark", "app.help", "Keys", id="home.help"),
        # The panels run below the fold at 80x24: these scroll the whole screen.
        Binding("down,j", "scroll_by(1)", "Scroll down", show=False, id="home.down"),
        Binding("up,k", "scroll_by(-1)", "Scroll up", show=False, id="home.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="home.pagedown"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="home.pageup"),
        Binding("end", "edge(1)", "End", show=False, id="home.end"),
        Binding("home", "edge(-1)", "Top", show=False, id="home.top"),
    ]
    #: Priority bindings: the app runs each key as it reads it, so the keys typed in the
    #: same burst after `w` (`wcarol` Enter) reach the dialog it opens (the app holds them
    #: until the dialog is drawn, workbench.tui.key_hold) instead of the screen behind.
    BINDINGS = [replace(b, priority=True) for b in BINDINGS]

    class Summary(Message):
        def __init__(self, stages: list[StageProgress], waiting: list[tuple[str, str]],
                     coding: list[tuple[str, CodingCounts]]) -> None:
            super().__init__()
            self.stages, self.waiting, self.coding = stages, waiting, coding

    def __init__(self, review, reviewer: str) -> None:
        super().__init__(classes="home")
        self.review = review
        self.reviewer = reviewer
        self.stages: list[StageProgress] = []
        self.coding: list[tuple[str, CodingCounts]] = []
        self._left = False          # a step screen was opened over this one

    def compose(self) -> ComposeResult:
        codebook = self.review.codebook()
        title = codebook.review.title or self.review.root.name
        yield Static(f"{title} · reviewer {self.reviewer}", classes="screen-title",
                     id="home-title")
        yield Static("Reading references, studies and your sheet...", id="home-progress")
        yield Static("", id="home-coding")
        # What waits for a person comes before the longer panels, so that it stays on a
        # 24-line terminal.
        yield Static("", id="home-waiting")
        yield TeamPanel(self.review, id="home-team")
        yield PriorityPanel(self.review, self.reviewer, id="home-priority")
        yield Static("Press a key below to start a step; w switches reviewer; ↓↑ PgDn End "
                     "scroll; ? lists every key; F2 dark/light; q quits (ctrl+q anywhere).", id="home-help",
                     classes="dialog-help")
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        if self.is_current:         # not when a step screen was pushed straight over us
            self._summarize()
            if self._left:          # back from a step: what was decided there shows
                self._refresh_panels()
            self._left = False

    def on_screen_suspend(self) -> None:
        self._left = True

    def on_review_changed(self, event) -> None:
        """Files changed on disk (another reviewer's sync, a CLI command, this app's own
        decisions as the sheets grow): count again, team and priority panels too."""
        self._summarize()
        self._refresh_panels()

    def _refresh_panels(self) -> None:
        self.query_one(TeamPanel).read()
        self.query_one(PriorityPanel).refresh_figures()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-summary")
    def _summarize(self) -> None:
        try:
            with bulk_loading():
                stages = stage_progress(self.review, self.reviewer)
                waiting = waiting_for_person(self.review)
                coding = coding_progress(self.review, self.reviewer)
        except WorkbenchError as exc:
            self.app.call_from_thread(self.app.fail, exc)
            return
        self.post_message(self.Summary(stages, waiting, coding))

    def on_home_screen_summary(self, event: Summary) -> None:
        self.stages, self.coding = event.stages, event.coding
        table = Table(box=None, header_style="bold", expand=False)
        table.add_column("Screening", no_wrap=True, overflow="ellipsis", max_width=LABEL_WIDTH)
        for column in ("Done", "Included", "Excluded", "Maybe", "Not retr.", "Left"):
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
        for p in event.stages:
            c = p.counts
            table.add_row(short_label(p.label, "screening"), f"{p.done}/{p.total}", str(c.get("include", 0)),
                          str(c.get("exclude", 0)), str(c.get("maybe", 0)),
                          str(c.get("not_retrieved", 0)), str(p.left))
        self.query_one("#home-progress", Static).update(table)
        coding = self.query_one("#home-coding", Static)
        coding.display = bool(event.coding)
        if event.coding:
            table = Table(box=None, header_style="bold", expand=False)
            table.add_column("Coding", no_wrap=True, overflow="ellipsis", max_width=34)
            for column in ("Coded", "Required missing", "Flagged", "Left"):
                table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
            for label, n in event.coding:
                table.add_row(label, f"{n.coded}/{n.total}", str(n.incomplete), str(n.flagged),
                              str(n.left))
            coding.update(table)
        waiting = Text()
        if event.stages and event.stages[0].total == 0:
            # A new review: nothing says where to start otherwise (every count is 0/0).
            waiting.append("No studies yet: import your search exports from a shell, e.g.\n"
                           "  workbench import scopus.csv --database Scopus\n"
                           "(the app sees them within two seconds).\n\n")
        waiting.append("Waiting for a person\n", style="bold")
        for what, count in event.waiting:
            waiting.append(f"  {what}: {count}\n")
        self.query_one("#home-waiting", Static).update(waiting)

    def action_scroll_by(self, lines: int) -> None:
        self.scroll_relative(y=lines, animate=False)

    def action_page(self, direction: int) -> None:
        self.scroll_relative(y=direction * max(1, self.scrollable_content_region.height - 1),
                             animate=False)

    def action_edge(self, direction: int) -> None:
        if direction > 0:
            self.scroll_end(animate=False)
        else:
            self.scroll_home(animate=False)

    def action_screen_full_text(self) -> None:
        later = [s for s in self.review.codebook().screening_stages() if s.source]
        if not later:
            self.notify("The codebook has no full-text screening stage.", severity="warning")
            return
        self.app.open_step("screening", stage=later[0].id)

    def action_switch_reviewer(self) -> None:
        """Ask who is working now; every step opened afterwards uses that name."""
        self.app.push_screen(ReviewerModal(self.reviewer, switching=True), self._reviewer_chosen)

    def _reviewer_chosen(self, name: str | None) -> None:
        if not name or name == self.reviewer:
            self.notify(f"Reviewer stays {self.reviewer}: your decisions still go to "
                        f"coding/{self.reviewer}.csv.")
            return
        try:
            write_remembered_reviewer(self.review.root, name)
        except (WorkbenchError, OSError) as exc:
            self.notify(f"could not remember the reviewer name: {exc}", severity="warning")
        self.reviewer = self.app.reviewer = name
        codebook = self.review.codebook()
        title = codebook.review.title or self.review.root.name
        self.query_one("#home-title", Static).update(f"{title} · reviewer {name}")
        self.notify(f"Reviewer is now {name}: your decisions go to coding/{name}.csv.")
        self.query_one(PriorityPanel).show_reviewer(name)   # never the previous one's figures
        self.query_one(TeamPanel).read()
        self._summarize()
