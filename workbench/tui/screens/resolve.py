"""ResolveScreen: walk through the conflicts, pick or enter the consensus value with a reason.

Every coder's value and note are shown side by side, numbered; `1`-`9`
picks that coder's value, `e` enters another one. The resolver then gives a
reason and the value is appended to coding/consensus.csv at once (the
resolver's name and the time go with it); the next conflict follows.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static

from workbench.core.audit import Conflict
from workbench.core.codebook import CODING
from workbench.core.screening import CRITERIA, DECISION, DECISIONS
from workbench.errors import WorkbenchError
from workbench.review.agreement import conflicts_for_variable, list_conflicts, resolve_conflict
from workbench.tui.modals import ErrorModal


def allowed_values(codebook, stage_id: str, field_name: str) -> str:
    """Return a hint of the values a field takes ("" when free)."""
    stage = codebook.stage(stage_id)
    if stage is None:
        return ""
    if stage.kind != CODING:
        if field_name == DECISION:
            return " | ".join(DECISIONS)
        if field_name == CRITERIA:
            return "; ".join(c.id for c in codebook.stage_criteria(stage_id)) + "  (join with ;)"
        return ""
    if field_name.startswith("code:"):
        dim = codebook.dimension(field_name[5:])
        codes = ", ".join(c.id for c in dim.all_codes()) if dim else ""
        return f"{codes}  (join with ;)" if dim and dim.select != "single" else codes
    if field_name.startswith("field:"):
        fld = codebook.field(field_name[6:])
        if fld is None:
            return ""
        if fld.choice_ids():
            return " | ".join(fld.choice_ids())
        return fld.type
    return ""


def shown(value: str) -> str:
    """A value as displayed ("(none)" for empty)."""
    return value if value.strip() else "(none)"


class ResolveModal(ModalScreen[tuple[str, str] | None]):
    """Ask for the reason (and, when entering a value, the value); hands back (value, reason)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, conflict: Conflict, value: str, editable: bool, hint: str = "") -> None:
        super().__init__(classes="modal")
        self.conflict = conflict
        self.value = value
        self.editable = editable
        self.hint = hint

    def compose(self) -> ComposeResult:
        c = self.conflict
        with Vertical(classes="dialog"):
            yield Label(f"Resolve {c.study_id} · {c.field}", classes="dialog-title")
            if self.editable:
                allowed = f" (allowed: {self.hint})" if self.hint else ""
                yield Static(f"Consensus value{allowed}", classes="dialog-help", markup=False)
                yield Input(value=self.value, placeholder="the consensus value", id="resolve-value")
            else:
                yield Static(Text(f"Consensus value: {shown(self.value)}"), id="resolve-chosen")
            yield Static("Reason (required; saved with your name and the time)",
                         classes="dialog-help")
            yield Input(placeholder="why this value", id="resolve-reason")
            yield Static("", id="resolve-error", classes="field-error")
            yield Static("Enter saves · Esc cancels", classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one("#resolve-value" if self.editable else "#resolve-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "resolve-value":
            self.query_one("#resolve-reason", Input).focus()
            return
        reason = event.value.strip()
        if not reason:
            self.query_one("#resolve-error", Static).update("Give a reason: it goes in the audit trail.")
            return
        value = self.query_one("#resolve-value", Input).value.strip() if self.editable else self.value
        self.dismiss((value, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResolveScreen(Screen):
    """The conflicts of one stage (or all), one at a time, resolved into the consensus sheet."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="resolve.help"),
        Binding("1", "pick(1)", "Take coder's value", key_display="1-9", id="resolve.pick1"),
        *(Binding(str(n), f"pick({n})", f"Take coder {n}'s value", show=False,
                  id=f"resolve.pick{n}") for n in range(2, 10)),
        Binding("e", "enter_value", "Enter value", id="resolve.enter"),
        Binding("right,n", "next", "Next", key_display="→", id="resolve.next"),
        Binding("left,p", "previous", "Prev", key_display="←", id="resolve.previous"),
        Binding("escape", "back", "Back", id="resolve.back"),
    ]
    DEFAULT_CSS = """
    ResolveScreen #resolve-study { padding: 0 1; text-style: bold; }
    ResolveScreen #resolve-values { padding: 1 1; height: auto; }
    ResolveScreen #resolve-hint { padding: 0 1; color: $text-muted; }
    """

    class Loaded(Message):
        """The conflicts are read (posted from the loading worker)."""

        def __init__(self, conflicts: list[Conflict], titles: dict[str, str]) -> None:
            super().__init__()
            self.conflicts, self.titles = conflicts, titles

    index: reactive[int] = reactive(0, init=False)

    def __init__(self, review, reviewer: str, stage: str | None = None,
                 variable: str | None = None, studies: tuple[str, ...] | None = None) -> None:
        super().__init__(classes="resolve")
        self.review = review
        self.reviewer = reviewer
        self.stage_id = stage
        self.variable = variable
        self.studies = studies
        self.conflicts: list[Conflict] | None = None
        self.titles: dict[str, str] = {}
        self.resolved = 0

    def compose(self) -> ComposeResult:
        yield Static("Reading the sheets...", id="screen-title", classes="screen-title")
        yield Static("", id="resolve-study")
        yield Static("", id="resolve-values")
        yield Static("", id="resolve-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="resolve-load")
    def _load(self) -> None:
        conflicts = list_conflicts(self.review, self.stage_id)
        if self.variable:
            conflicts = conflicts_for_variable(conflicts, self.variable, self.studies)
        titles = {}
        try:
            titles = {s.id: s.title for s in self.review.studies()}
        except WorkbenchError:  # no references: the study ids alone are shown
            pass
        self.post_message(self.Loaded(conflicts, titles))

    def on_resolve_screen_loaded(self, event: Loaded) -> None:
        self.conflicts, self.titles = event.conflicts, event.titles
        self.index = 0
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

    def _show(self) -> None:
        where = self.variable or self.stage_id or "all stages"
        title = self.query_one("#screen-title", Static)
        c = self.conflict
        if c is None:
            title.update(f"Resolve · {where} · {self.resolved} resolved")
            self.query_one("#resolve-study", Static).update("No conflicts left to resolve.")
            self.query_one("#resolve-values", Static).update("")
            self.query_one("#resolve-hint", Static).update("Esc: back")
            return
        title.update(f"Resolve · {where} · conflict {self.index + 1} of {len(self.conflicts)}"
                     f" · {self.reviewer}")
        study = Text(f"{c.stage} · {c.study_id} · {c.field}\n")
        study.append(self.titles.get(c.study_id, ""), style="italic")
        self.query_one("#resolve-study", Static).update(study)
        table = Table(box=None, expand=True, header_style="bold")
        table.add_column("#", width=2, no_wrap=True)
        table.add_column("Coder", no_wrap=True)
        table.add_column("Value", ratio=1)
        table.add_column("Note", ratio=2)
        for i, (reviewer, value) in enumerate(c.values.items(), start=1):
            table.add_row(str(i), reviewer, shown(value), c.notes.get(reviewer, ""))
        self.query_one("#resolve-values", Static).update(table)
        hint = allowed_values(self.review.codebook(), c.stage, c.field)
        self.query_one("#resolve-hint", Static).update(
            Text(f"1-{len(c.values)}: take that coder's value · e: enter one"
                 + (f" ({hint})" if hint else "") + " · →/←: next/previous"))

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("pick", "enter_value", "next", "previous"):
            return self.conflict is not None
        return True

    # -- resolving -------------------------------------------------------------------------
    def action_pick(self, number: int) -> None:
        """Take coder `number`'s value (1-based) and ask for the reason."""
        c = self.conflict
        values = list(c.values.values())
        if not 1 <= number <= len(values):
            self.notify(f"Coders are numbered 1 to {len(values)}.", severity="warning")
            return
        value = values[number - 1]
        self.app.push_screen(ResolveModal(c, value, editable=False),
                             lambda result, c=c: self._save(c, result))

    def action_enter_value(self) -> None:
        c = self.conflict
        hint = allowed_values(self.review.codebook(), c.stage, c.field)
        self.app.push_screen(ResolveModal(c, "", editable=True, hint=hint),
                             lambda result, c=c: self._save(c, result))

    def _save(self, conflict: Conflict, result: tuple[str, str] | None) -> None:
        """Append the consensus value at once; on failure stay on the conflict."""
        if result is None:
            return
        value, reason = result
        try:
            resolve_conflict(self.review, conflict.study_id, conflict.stage, conflict.field,
                             value, self.reviewer, reason)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("The consensus was NOT saved",
                                            [str(exc), "The conflict stays on screen."]))
            return
        position = self.conflicts.index(conflict)
        self.conflicts.pop(position)
        self.resolved += 1
        self.notify(f"Saved {conflict.study_id} {conflict.field} = {shown(value)}")
        self.index = min(position, max(len(self.conflicts) - 1, 0))
        self._show()
        self.refresh_bindings()

    def action_next(self) -> None:
        if self.conflicts and self.index < len(self.conflicts) - 1:
            self.index += 1

    def action_previous(self) -> None:
        if self.index > 0:
            self.index -= 1

    def action_back(self) -> None:
        self.app.pop_screen()
