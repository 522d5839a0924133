"""BulkModal: one decision for every study the filter shows, previewed and confirmed.

The screen hands down the studies (the preview list) and a `plan` callable
(review.bulk.plan_bulk bound to its session and filter); the dialog never
saves. It dismisses with the confirmed BulkPlan, or None.

Keys, all priority bindings so a burst (`b x 2 Enter y`) lands as typed:
i/x/m/r choose the decision, 1-9 tick exclusion criteria, Enter shows what
will be saved, y saves, Esc goes back a step (or cancels).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from workbench.core.codebook import Criterion
from workbench.errors import WorkbenchError

#: At most this many studies are listed (the count is always whole).
LISTED = 200
_DECISION_KEYS = {"i": "include", "x": "exclude", "m": "maybe", "r": "not_retrieved"}


class BulkModal(ModalScreen):
    """Choose a decision for the studies listed, see exactly what will be saved, confirm."""

    BINDINGS = [Binding("escape", "back", "Back", priority=True),
                Binding("enter", "preview", "Preview", priority=True),
                Binding("y", "save", "Save", priority=True),
                *(Binding(k, f"choose('{d}')", show=False, priority=True)
                  for k, d in _DECISION_KEYS.items()),
                *(Binding(str(n), f"pick({n})", show=False, priority=True)
                  for n in range(1, 10))]

    def __init__(self, title: str, studies: Sequence, kept: int, offered: Sequence[str],
                 reasons: Sequence[Criterion], plan: Callable) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.studies = list(studies)
        self.kept = kept
        self.offered = [d for d in _DECISION_KEYS.values() if d in offered]
        self.reasons = list(reasons)
        self.plan_for = plan
        self.decision = ""
        self.chosen: list[str] = []
        self.planned = None          # the BulkPlan shown for confirmation
        self._drawn = False          # keys typed before the dialog is drawn act; mount shows them
        self._message = ""

    def compose(self) -> ComposeResult:
        n = len(self.studies)
        with Vertical(classes="dialog bulk-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            count = f"{n} stud{'y' if n == 1 else 'ies'} with no decision yet"
            if self.kept:
                count += f" ({self.kept} already decided: kept as they are)"
            yield Static(count, id="bulk-count")
            with VerticalScroll(classes="dialog-body", id="bulk-list"):
                lines = Text(no_wrap=True, overflow="ellipsis")
                for study in self.studies[:LISTED]:
                    lines.append(f"{study.year or '----'}  ", style="bold")
                    lines.append(f"{study.title or study.id}\n")
                if n > LISTED:
                    lines.append(f"... and {n - LISTED} more", style="dim")
                yield Static(lines, id="bulk-studies")
            yield Static("", id="bulk-decision")
            yield Static("", id="bulk-error", classes="field-error")
            yield Static("", id="bulk-hint", classes="dialog-help")

    def on_mount(self) -> None:
        self._drawn = True
        self._refresh()
        self._error(self._message)
        self.query_one("#bulk-list").focus()   # arrows scroll a long list

    def _refresh(self) -> None:
        if not self._drawn:
            return
        keys = " · ".join(f"{k} {d.replace('_', ' ')}" for k, d in _DECISION_KEYS.items()
                          if d in self.offered)
        text = Text()
        if not self.decision:
            text.append(f"Decision: {keys}")
        else:
            text.append("Decision: ")
            text.append(self.decision.replace("_", " "), style="bold")
            if self.decision == "exclude" and self.reasons:
                for number, criterion in enumerate(self.reasons, start=1):
                    mark = "[x]" if criterion.id in self.chosen else "[ ]"
                    text.append(f"\n{number}. {mark} {criterion.id}: {criterion.label}",
                                style="bold" if criterion.id in self.chosen else "")
        self.query_one("#bulk-decision", Static).update(text)
        if self.planned is not None:
            hint = (f"Save: {self.planned.describe()}. y saves (u undoes all of it) · "
                    "Esc back")
        elif self.decision:
            hint = ("1-9 tick criteria · " if self.decision == "exclude" and self.reasons
                    else "") + "Enter shows what will be saved · Esc back"
        else:
            hint = "Choose a decision · Esc cancels"
        self.query_one("#bulk-hint", Static).update(hint)

    def _error(self, message: str) -> None:
        self._message = message
        if self._drawn:
            self.query_one("#bulk-error", Static).update(message)

    def action_choose(self, decision: str) -> None:
        if self.planned is not None or decision not in self.offered:
            return
        if decision != self.decision:
            self.chosen = []
        self.decision = decision
        self._error("")
        self._refresh()

    def action_pick(self, number: int) -> None:
        if self.planned is not None or self.decision != "exclude":
            return
        if 1 <= number <= len(self.reasons):
            cid = self.reasons[number - 1].id
            self.chosen.remove(cid) if cid in self.chosen else self.chosen.append(cid)
            self._error("")
            self._refresh()

    def action_preview(self) -> None:
        if self.planned is not None:
            return
        if not self.decision:
            self._error("Choose a decision first (" + ", ".join(self.offered) + ").")
            return
        try:
            plan = self.plan_for(self.decision, tuple(self.chosen))
        except WorkbenchError as exc:
            self._error(str(exc))
            return
        if not plan.studies:
            self._error(f"Nothing to save: {plan.describe()}.")
            return
        self.planned = plan
        self._refresh()

    def action_save(self) -> None:
        if self.planned is not None:
            self.dismiss(self.planned)

    def action_back(self) -> None:
        if self.planned is not None:
            self.planned = None
            self._refresh()
        else:
            self.dismiss(None)
