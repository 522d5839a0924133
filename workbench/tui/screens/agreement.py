"""AgreementScreen: per stage, which variables (decision, criteria, codes, fields) disagree most.

A bar per variable shows the share of units coded by two or more coders on
which they disagree, most disagreeing first, with its kappa or alpha; the
panel below gives every statistic of the highlighted variable. Enter (or
`c`) opens the ResolveScreen on that variable's conflicts.
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from workbench.core.agreement.measures import DEFAULT_RESAMPLES, StatResult
from workbench.core.agreement.audit import Conflict
from workbench.core.wording import plural
from workbench.errors import WorkbenchError
from workbench.review.agreement import (Disagreement, StageAgreement, agreement_report,
                                        conflicts_for_variable, disagreements, list_conflicts)
from workbench.tui.screens.resolve import ResolveScreen

BAR = 12
_SHORT = {"percent_agreement": "% agree", "cohen_kappa": "kappa", "fleiss_kappa": "Fleiss κ",
          "krippendorff_alpha": "alpha", "gwet_ac1": "AC1", "pabak": "PABAK",
          "weighted_kappa_linear": "kappa lin.", "weighted_kappa_quadratic": "kappa quad.",
          "fleiss_kappa_linear": "Fleiss lin.", "fleiss_kappa_quadratic": "Fleiss quad."}
#: Statistics listed per category rather than in the main line of the detail.
_PER_CATEGORY = ("prevalence", "specific_agreement")


def bar(share: float, width: int = BAR) -> str:
    """Return a text bar of `share` (0-1) in `width` cells plus the percentage."""
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled) + f" {share * 100:3.0f}%"


def headline(stats: list[StatResult]) -> StatResult | None:
    """The statistic a paper reports first: kappa for two+ coders' categories, else alpha."""
    by_name = {r.name: r for r in stats}
    for name in ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha"):
        if name in by_name:
            return by_name[name]
    return None


def short_name(result: StatResult) -> str:
    """'kappa', 'AC1 q=3' (the number of categories AC1 and PABAK assume)."""
    name = _SHORT.get(result.name, result.name)
    return f"{name} q={result.q}" if result.q is not None else name


def per_category(stats: list[StatResult]) -> str:
    """'agreement per category: include 0.957, exclude 0.400' (specific agreement)."""
    parts = [f"{r.category} {r.value:.3f}" if r.defined else f"{r.category} -"
             for r in stats if r.name == "specific_agreement"]
    return "agreement per category: " + ", ".join(parts) if parts else ""


def describe(result: StatResult | None) -> str:
    """'kappa 0.400 fair', or 'kappa undefined'."""
    if result is None:
        return ""
    name = short_name(result)
    if not result.defined:
        return f"{name} undefined"
    return f"{name} {result.value:.3f} {result.label}".rstrip()


def units_used(result: StatResult | None, coded: int) -> str:
    """'units 5 of 27' when the statistic left units out, else 'units 27'."""
    used = result.n_units if result is not None else coded
    return f"units {used}" if used == coded else f"units {used} of {coded}"


def table_name(variable: str, label: str, width: int | None = None) -> str:
    """A variable as the table names it: "code:x (Its label)", cut at `width` with an
    ellipsis (the detail panel below the table shows it whole)."""
    name = variable if label in ("", variable.split(":")[-1]) else f"{variable} ({label})"
    if width is not None and len(name) > width:
        name = name[:width - 1].rstrip() + "…"
    return name


class AgreementScreen(Screen):
    """Agreement per stage and variable, with a bar view and a jump to the conflicts."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="agreement.help"),
        Binding("right_square_bracket,tab", "next_stage", "Next stage", key_display="]",
                id="agreement.next_stage"),
        Binding("left_square_bracket,shift+tab", "previous_stage", "Prev stage",
                key_display="[", id="agreement.previous_stage"),
        Binding("c", "conflicts", "Conflicts", id="agreement.conflicts"),
        Binding("escape", "back", "Back", id="agreement.back"),
    ]
    DEFAULT_CSS = """
    AgreementScreen #agreement-table { height: 1fr; }
    AgreementScreen #agreement-detail { height: auto; max-height: 12; padding: 0 1; }
    AgreementScreen #agreement-methods { height: auto; max-height: 6; padding: 0 1; }
    """

    class Computed(Message):
        """The statistics are ready (posted from the worker)."""

        def __init__(self, reports: list[StageAgreement], conflicts: list[Conflict]) -> None:
            super().__init__()
            self.reports, self.conflicts = reports, conflicts

    stage_index: reactive[int] = reactive(0, init=False)

    def __init__(self, review, reviewer: str, stage: str | None = None,
                 n_resamples: int = DEFAULT_RESAMPLES) -> None:
        super().__init__(classes="agreement")
        self.review = review
        self.reviewer = reviewer
        self.start_stage = stage
        self.n_resamples = n_resamples
        self.reports: list[StageAgreement] | None = None
        self.conflicts: list[Conflict] = []
        self.rows: list[Disagreement] = []
        self.cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static("Computing agreement (Esc cancels)...", id="screen-title",
                     classes="screen-title")
        table = DataTable(id="agreement-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Variable", "Disagree", "Units", "Statistic", "Open")
        yield table
        yield Static("", id="agreement-detail")
        yield Static("", id="agreement-methods")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._compute()

    def on_screen_resume(self) -> None:
        if self.reports is not None:
            self.conflicts = list_conflicts(self.review)
            self._show()

    @work(thread=True, exclusive=True, exit_on_error=False, group="agreement")
    def _compute(self) -> None:
        try:
            reports = agreement_report(self.review, n_resamples=self.n_resamples,
                                       cancel=self.cancel)
        except WorkbenchError:
            if self.cancel.is_set():  # Esc while computing: nothing to report
                return
            raise
        self.post_message(self.Computed(reports, list_conflicts(self.review)))

    def on_agreement_screen_computed(self, event: Computed) -> None:
        self.reports, self.conflicts = event.reports, event.conflicts
        ids = [r.stage.id for r in self.reports]
        start = ids.index(self.start_stage) if self.start_stage in ids else next(
            (i for i, r in enumerate(self.reports) if r.results), 0)
        self.stage_index = start
        self._show()
        self.query_one("#agreement-table", DataTable).focus()
        self.refresh_bindings()

    # -- display ---------------------------------------------------------------------------
    @property
    def report(self) -> StageAgreement | None:
        """The stage on screen."""
        if not self.reports:
            return None
        return self.reports[self.stage_index % len(self.reports)]

    @property
    def variable(self) -> Disagreement | None:
        """The highlighted variable."""
        if not self.rows:
            return None
        row = self.query_one("#agreement-table", DataTable).cursor_row
        return self.rows[min(max(row, 0), len(self.rows) - 1)]

    def watch_stage_index(self) -> None:
        self._show()

    def _open(self, d: Disagreement) -> int:
        """How many open conflicts lie behind a variable's disagreements."""
        at = [c for c in self.conflicts if c.stage == self.report.stage.id]
        return len(conflicts_for_variable(at, d.variable, d.studies))

    def _show(self) -> None:
        report = self.report
        if report is None:
            return
        stats = {v.name: s for v, s in report.results}
        self.rows = disagreements(report)
        n = len(self.reports)
        coders = ", ".join(report.reviewers) or "no coders yet"
        self.query_one("#screen-title", Static).update(
            f"Agreement · {report.stage.label or report.stage.id} ({self.stage_index % n + 1}/{n})"
            f" · {coders}")
        table = self.query_one("#agreement-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        # Below 100 columns a shorter bar and name keep the whole statistic ("kappa 0.812
        # almost perfect") and the Open column on screen at 80x24.
        narrow = 0 < self.app.size.width < 100
        name_width, bar_width = (20, 4) if narrow else (28, BAR)
        for d in self.rows:
            table.add_row(Text(table_name(d.variable, d.label, name_width)),
                          bar(d.share, bar_width),
                          f"{d.disagree}/{d.units}",
                          describe(headline(stats[d.variable])), str(self._open(d)),
                          key=d.variable)
        if self.rows:
            table.move_cursor(row=min(max(cursor, 0), len(self.rows) - 1))
        methods = Text()
        sentence = report.methods()
        if sentence:
            methods.append("Methods: ", style="bold")
            methods.append(sentence)
        if report.unmatched:
            methods.append(f"\n{plural(len(report.unmatched), 'group row')} entered by some coders of "
                           "their study only (agreement --format json lists them)", style="dim")
        self.query_one("#agreement-methods", Static).update(methods)
        self._detail()

    def _detail(self) -> None:
        detail = self.query_one("#agreement-detail", Static)
        report, d = self.report, self.variable
        if d is None:
            detail.update("No decisions by two or more coders at this stage yet. "
                          "[ ] switch stage · Esc back")
            return
        stats = dict((v.name, s) for v, s in report.results)[d.variable]
        text = Text(f"{table_name(d.variable, d.label)}: ", style="bold")
        parts = []
        for r in stats:
            if r.name in _PER_CATEGORY:
                continue
            name = short_name(r)
            if not r.defined:
                parts.append(f"{name} undefined ({r.reason})")
                continue
            ci = f" [{r.ci_low:.3f}, {r.ci_high:.3f}]" if r.ci_low is not None else ""
            parts.append(f"{name} {r.value:.3f}{ci}{' ' + r.label if r.label else ''}")
        text.append("; ".join(parts))
        text.append(f"\n{units_used(headline(stats), d.units)}, coders {len(report.reviewers)},"
                    f" 95% CI from {report.n_resamples} resamples, seed {report.seed}"
                    " · Enter/c: its conflicts", style="dim")
        if per_category(stats):
            text.append(f"\n{per_category(stats)}")
        for note in dict.fromkeys(r.note for r in stats if r.note and r.name not in _PER_CATEGORY):
            text.append(f"\nnote: {note}", style="italic")
        detail.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_conflicts()

    # -- keys ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("next_stage", "previous_stage", "conflicts"):
            return self.reports is not None
        return True

    def action_next_stage(self) -> None:
        self.stage_index = (self.stage_index + 1) % len(self.reports)

    def action_previous_stage(self) -> None:
        self.stage_index = (self.stage_index - 1) % len(self.reports)

    def action_conflicts(self) -> None:
        """Open the ResolveScreen on the highlighted variable's conflicts."""
        d = self.variable
        if d is None:
            return
        if not self._open(d):
            self.notify(f"No open conflicts on {d.variable}.")
            return
        self.app.push_screen(ResolveScreen(self.review, self.reviewer, stage=self.report.stage.id,
                                           variable=d.variable, studies=d.studies))

    def action_back(self) -> None:
        self.cancel.set()
        self.app.pop_screen()
