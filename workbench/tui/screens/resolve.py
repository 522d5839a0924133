"""ResolveScreen: walk through the conflicts, pick or enter the consensus value with a reason.

Every coder's value and note are shown side by side, numbered; `1`-`9`
picks that coder's value, `e` enters another one. The resolver then gives a
reason and the value is appended to coding/consensus.csv at once (the
resolver's name and the time go with it); the next conflict follows.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from workbench.tui.history_modal import HISTORY_BINDING, HistoryModal
from workbench.core.codebook import CODING
from workbench.core.coding import coding_of
from workbench.core.conflicts import Conflict
from workbench.core.events import SheetState
from workbench.errors import WorkbenchError
from workbench.review.agreement import (coder_criteria, conflicts_for_variable, list_conflicts,
                                        read_sheets)
from workbench.review.conflicts import study_conflicts
from workbench.review.resolving import resolve_conflict, resolver_warning
from workbench.tui.resolve_modals import (ConfirmModal, ResolveModal, allowed_values,
                                          default_criteria)
from workbench.core.value_labels import labelled, labelled_row
from workbench.tui.widgets.conflict_view import conflict_text, record_text, row_summary, shown

#: Conflict kinds where picking a coder takes that coder's value as it is in their sheet
#: (a row conflict: their whole row, or dropping it when they have none).
FROM_CODER_KINDS = ("row", "row_field", "field", "code")


class ResolveScreen(Screen):
    """The conflicts of one stage (or all), one at a time, resolved into the consensus sheet.

    Each coder's value is shown in full (wrapped, never cut) with their memo,
    evidence quotes and pages, flag and note, then the study's whole record
    (authors, venue, abstract, full-text link); the view scrolls.
    """

    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="resolve.help"),
        Binding("1", "pick(1)", "Take coder's value", key_display="1-9", id="resolve.pick1"),
        *(Binding(str(n), f"pick({n})", f"Take coder {n}'s value", show=False,
                  id=f"resolve.pick{n}") for n in range(2, 10)),
        Binding("e", "enter_value", "Enter value", id="resolve.enter"),
        Binding("right,n", "next", "Next", key_display="→", id="resolve.next"),
        Binding("left,p", "previous", "Prev", key_display="←", id="resolve.previous"),
        Binding("down,j", "scroll(1)", "Scroll", key_display="↓↑", id="resolve.down"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False, id="resolve.up"),
        Binding("pagedown,space", "scroll(10)", "Page down", show=False, id="resolve.pagedown"),
        Binding("pageup", "scroll(-10)", "Page up", show=False, id="resolve.pageup"),
        HISTORY_BINDING,
        Binding("escape", "back", "Back", id="resolve.back"),
    ]
    #: Priority bindings, as on the screening screen: a reason typed in the same burst
    #: as `1`/`2`/`e` (`1` Enter `relevant sample` Enter) reaches the dialog they open.
    BINDINGS = [replace(b, priority=True) for b in BINDINGS]
    DEFAULT_CSS = """
    ResolveScreen #resolve-body { height: 1fr; }
    ResolveScreen #resolve-study { padding: 0 1; height: auto; }
    ResolveScreen #resolve-record { padding: 0 1; height: auto; color: $text-muted; }
    ResolveScreen #resolve-hint { padding: 0 1; color: $text-muted; height: auto; }
    """

    class Loaded(Message):
        """The conflicts are read (posted from the loading worker)."""

        def __init__(self, conflicts: list[Conflict], titles: dict[str, str],
                     criteria: dict[tuple[str, str], dict[str, str]], context: dict) -> None:
            super().__init__()
            self.conflicts, self.titles, self.criteria = conflicts, titles, criteria
            self.context = context

    index: reactive[int] = reactive(0, init=False)

    def __init__(self, review, reviewer: str, stage: str | None = None,
                 variable: str | None = None, studies: tuple[str, ...] | None = None) -> None:
        super().__init__(classes="resolve")
        self.review = review
        self.reviewer = reviewer
        self.stage_id = stage
        self.variable = variable
        self.studies = studies
        self._labels = None   # the codebook naming the ids shown (_codebook)
        self.conflicts: list[Conflict] | None = None
        self.titles: dict[str, str] = {}
        self.criteria: dict[tuple[str, str], dict[str, str]] = {}
        self.context: dict = {}
        self.resolved = 0

    def compose(self) -> ComposeResult:
        yield Static("Reading the sheets...", id="screen-title", classes="screen-title")
        with VerticalScroll(id="resolve-body"):
            yield Static("", id="resolve-study")
            yield Static("", id="resolve-values")
            yield Static("", id="resolve-record")
        yield Static("", id="resolve-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="resolve-load")
    def _load(self) -> None:
        sheets = read_sheets(self.review)
        conflicts = list_conflicts(self.review, self.stage_id, sheets=sheets)
        criteria = coder_criteria(conflicts, sheets)
        if self.variable:
            conflicts = conflicts_for_variable(conflicts, self.variable, self.studies)
        studies = {}
        try:
            studies = {s.id: s for s in self.review.studies()}
        except WorkbenchError:  # no references: the study ids alone are shown
            pass
        links = {}
        try:
            from workbench.review.fulltext import read_links
            links = {sid: str(getattr(link, "file", "") or "") for sid, link in
                     read_links(self.review).items()}
        except (WorkbenchError, OSError, ImportError):  # no full texts linked
            pass
        context = {"sheets": sheets, "studies": studies, "links": links,
                   "states": {n: SheetState(e) for n, e in sheets.reviewers.items()}}
        titles = {sid: s.title for sid, s in studies.items()}
        self.post_message(self.Loaded(conflicts, titles, criteria, context))

    def on_review_changed(self, event) -> None:
        """Files changed on disk: list the conflicts again, staying on the one shown."""
        self._labels = None   # the codebook may be one of them
        current = self.conflict
        self._keep = (current.study_id, current.stage, current.field) if current else None
        self._load()

    def on_resolve_screen_loaded(self, event: Loaded) -> None:
        self.conflicts, self.titles, self.criteria = event.conflicts, event.titles, event.criteria
        self.context = event.context
        keep = getattr(self, "_keep", None)
        self._keep = None
        self.index = next((i for i, c in enumerate(self.conflicts)
                           if (c.study_id, c.stage, c.field) == keep), 0)
        self._show()
        self.refresh_bindings()

    @property
    def conflict(self) -> Conflict | None:
        """The conflict on screen (None while loading or when none is left)."""
        if not self.conflicts:
            return None
        return self.conflicts[min(self.index, len(self.conflicts) - 1)]

    def watch_index(self) -> None:
        self._show()

    def _codings(self, c: Conflict) -> dict:
        """Each coder's current coding of the conflict's study (coding stages only)."""
        codebook = self.review.codebook()
        stage = codebook.stage(c.stage)
        if stage is None or stage.kind != CODING:
            return {}
        states = self.context.get("states", {})
        return {name: coding_of(codebook, states[name], c.stage, c.study_id)
                for name in c.values if name in states}

    def _show(self) -> None:
        where = self.variable or self.stage_id or "all stages"
        title = self.query_one("#screen-title", Static)
        c = self.conflict
        if c is None:
            title.update(f"Resolve · {where} · {self.resolved} resolved")
            self.query_one("#resolve-study", Static).update("No conflicts left to resolve.")
            self.query_one("#resolve-values", Static).update("")
            self.query_one("#resolve-record", Static).update("")
            self.query_one("#resolve-hint", Static).update("Esc: back")
            return
        title.update(f"Resolve · {where} · conflict {self.index + 1} of {len(self.conflicts)}"
                     f" · {self.reviewer}")
        self.query_one("#resolve-study", Static).update(conflict_text(
            c, self._codings(c), self.criteria.get((c.stage, c.study_id)),
            self.titles.get(c.study_id, ""), self._codebook()))
        self.query_one("#resolve-values", Static).update("")
        study = self.context.get("studies", {}).get(c.study_id)
        self.query_one("#resolve-record", Static).update(
            record_text(study, self.context.get("links", {}).get(c.study_id, "")))
        self.query_one("#resolve-body", VerticalScroll).scroll_home(animate=False)
        # One line at 80 columns: the allowed values are listed in the `e` dialog.
        self.query_one("#resolve-hint", Static).update(
            Text(f"1-{len(c.values)} take a coder's value · e enter one · ↓↑ scroll · "
                 "→/← next/prev"))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("pick", "enter_value", "next", "previous"):
            return self.conflict is not None
        return True

    def action_scroll(self, lines: int) -> None:
        self.query_one("#resolve-body", VerticalScroll).scroll_relative(y=lines, animate=False)

    # -- resolving -------------------------------------------------------------------------
    def action_pick(self, number: int) -> None:
        """Take coder `number`'s value (1-based) and ask for the reason."""
        c = self.conflict
        coders = list(c.values)
        if not 1 <= number <= len(coders):
            self.notify(f"Coders are numbered 1 to {len(coders)}.", severity="warning")
            return
        coder = coders[number - 1]
        value = c.values[coder]
        label = labelled(self._codebook(), c.field, value)
        if c.kind == "row":
            label = (f"{coder}'s row: "
                     f"{row_summary(labelled_row(self._codebook(), c.group, c.rows[coder]))}"
                     if coder in c.rows else "drop the row (" + coder + " did not enter it)")
        self._ask(c, value, editable=False,
                  from_coder=coder if c.kind in FROM_CODER_KINDS else None, label=label)

    def action_enter_value(self) -> None:
        self._ask(self.conflict, "", editable=True)

    def _ask(self, c: Conflict, value: str, editable: bool, from_coder: str | None = None,
             label: str = "") -> None:
        """Open the dialog (after a confirmation when the resolver took part in the conflict)."""
        warning = resolver_warning(self.review, self.reviewer, c.stage, c.study_id,
                                   self.context.get("sheets"))

        def go(yes: bool | None = True) -> None:
            if yes:
                self._open_dialog(c, value, editable, from_coder, label)
        if warning:
            self.app.push_screen(ConfirmModal(f"{warning}. Resolve it anyway?"), go)
        else:
            go()

    def _open_dialog(self, c: Conflict, value: str, editable: bool, from_coder: str | None,
                     label: str) -> None:
        codebook = self.review.codebook()
        hint = allowed_values(codebook, c.stage, c.field) if editable else ""
        criteria = (codebook.stage_criteria(c.stage)
                    if (c.stage, c.study_id) in self.criteria else None)
        self.app.push_screen(ResolveModal(
            c, value, editable=editable, hint=hint, criteria=criteria,
            coder_criteria=self.criteria.get((c.stage, c.study_id)), shown_value=label,
            save=lambda value, reason, chosen, c=c: self._save(c, value, reason, chosen,
                                                               None if editable else from_coder)))

    def _codebook(self):
        """The codebook that names the ids shown (read once per screen, again after a change)."""
        if self._labels is None:
            self._labels = self.review.codebook()
        return self._labels

    def _save(self, conflict: Conflict, value: str, reason: str,
              criteria: tuple[str, ...] | None = None,
              from_coder: str | None = None) -> str | None:
        """Append the consensus value at once; return why it was refused (None when saved)."""
        sheets = self.context.get("sheets")
        try:
            written = resolve_conflict(self.review, conflict.study_id, conflict.stage,
                                       conflict.field, value, self.reviewer, reason,
                                       criteria=criteria, sheets=sheets, from_coder=from_coder)
        except (WorkbenchError, OSError) as exc:
            return f"{exc} (the conflict stays open: fix it, or Esc)"
        # the conflict may have left the list meanwhile (a reload, or a second save of it)
        position = self.conflicts.index(conflict) if conflict in self.conflicts else \
            min(self.index, max(len(self.conflicts) - 1, 0))
        if sheets is not None:
            # One resolution can settle others of the study (a row taken whole settles
            # its fields; a merged study's decision settles each reviewer's): list the
            # study's conflicts again, in place.
            sheets.consensus.extend(written)
            still = {(c.field, tuple(c.values)) for c in
                     study_conflicts(self.review, conflict.stage, conflict.study_id, sheets)}
            same = [c for c in self.conflicts if c.study_id == conflict.study_id
                    and c.stage == conflict.stage]
            before = sum(1 for c in self.conflicts[:position] if c in same
                         and (c.field, tuple(c.values)) not in still)
            self.conflicts = [c for c in self.conflicts if c not in same
                              or (c.field, tuple(c.values)) in still]
            self.resolved += len(same) - sum(1 for c in same if (c.field, tuple(c.values)) in still)
            position -= before
        elif conflict in self.conflicts:
            self.conflicts.remove(conflict)
            self.resolved += 1
        # as saved: a choice or yes/no typed in other capitals is stored as the codebook has it
        saved = next((e.value for e in written if e.field == conflict.field), value)
        self.notify(f"Saved {conflict.study_id} {conflict.field} = "
                    f"{shown(labelled(self._codebook(), conflict.field, saved))}")
        self.index = min(position, max(len(self.conflicts) - 1, 0))
        self._show()
        self.refresh_bindings()
        return None

    def action_next(self) -> None:
        if self.conflicts and self.index < len(self.conflicts) - 1:
            self.index += 1

    def action_previous(self) -> None:
        if self.index > 0:
            self.index -= 1

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_history(self) -> None:
        """Show the history of the study in conflict (H); the resolver sees every event."""
        conflict = self.conflict
        if conflict is not None:
            title = self.titles.get(conflict.study_id, "") if self.titles else ""
            self.app.push_screen(HistoryModal(self.review, conflict.study_id, title, None))


__all__ = ["ResolveScreen", "ResolveModal", "ConfirmModal", "allowed_values", "default_criteria"]
