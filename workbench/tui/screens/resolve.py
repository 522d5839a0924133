"""ResolveScreen: walk through the conflicts, pick or enter the consensus value with a reason.

Every coder's value and note are shown side by side, numbered; `1`-`9`
picks that coder's value, `e` enters another one. The resolver then gives a
reason and the value is appended to coding/consensus.csv at once (the
resolver's name and the time go with it); the next conflict follows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static

from workbench.core.audit import Conflict
from workbench.core.codebook import CODING, Criterion
from workbench.core.screening import CRITERIA, DECISION, DECISIONS, split_ids
from workbench.errors import WorkbenchError
from workbench.review.agreement import (coder_criteria, conflicts_for_variable, list_conflicts,
                                        read_sheets)
from workbench.review.resolving import resolve_conflict
from workbench.tui.modals import FOCUS_KEYS


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


def default_criteria(decision: str, values: dict[str, str], criteria: dict[str, str]) -> str:
    """Return the criteria a decision records by default: those of the coders who chose it."""
    chosen: list[str] = []
    for name, value in values.items():
        if value == decision:
            chosen += split_ids(criteria.get(name, ""))
    return "; ".join(dict.fromkeys(chosen))


class ResolveModal(ModalScreen[bool | None]):
    """Ask for the reason (and the value when entering one; the criteria for a decision).

    `save(value, reason, criteria)` records the consensus and returns None, or
    the reason it was refused: the dialog then stays open with the problem under
    the fields and nothing typed is lost. Dismisses True once saved.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel"), *FOCUS_KEYS,
                Binding("enter", "enter", "Next field / save", show=False, priority=True)]
    DEFAULT_CSS = """
    ResolveModal Input { background: $boost; margin-bottom: 1; }
    ResolveModal Input:focus { background: $accent-muted; outline-left: thick $accent;
                               text-style: bold; }
    """

    class Submit(Message):
        """Enter in the reason field, routed through that field so the keys before it count."""

    def __init__(self, conflict: Conflict, value: str, editable: bool, hint: str = "",
                 save: Callable[[str, str, tuple[str, ...] | None], str | None] | None = None,
                 criteria: Sequence[Criterion] | None = None,
                 coder_criteria: dict[str, str] | None = None) -> None:
        super().__init__(classes="modal")
        self.conflict = conflict
        self.value = value
        self.editable = editable
        self.hint = hint
        self.save = save
        self.criteria = list(criteria) if criteria is not None else None
        self.coder_criteria = coder_criteria or {}
        self._criteria_typed = False

    def compose(self) -> ComposeResult:
        c = self.conflict
        with Vertical(classes="dialog"):
            yield Label(f"Resolve {c.study_id} · {c.field}", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                if self.editable:
                    allowed = f" (allowed: {self.hint})" if self.hint else ""
                    yield Static(f"Consensus value{allowed}", classes="dialog-help", markup=False)
                    yield Input(value=self.value, placeholder="the consensus value",
                                id="resolve-value", compact=True)
                    yield Static("", id="resolve-value-error", classes="field-error")
                else:
                    yield Static(Text(f"Consensus value: {shown(self.value)}"),
                                 id="resolve-chosen")
                if self.criteria is not None:
                    known = " · ".join(f"{k.id} {k.label}" for k in self.criteria)
                    yield Static(Text(f"Criteria to record (ids, ';' between): {known}"),
                                 classes="dialog-help")
                    yield Input(value=self._default_criteria(self.value), id="resolve-criteria",
                                placeholder="e.g. E2", compact=True)
                    yield Static("", id="resolve-criteria-error", classes="field-error")
                yield Static("Reason (required; saved with your name and the time)",
                             classes="dialog-help")
                yield Input(placeholder="why this value", id="resolve-reason", compact=True)
            yield Static("", id="resolve-error", classes="field-error")
            yield Static("Tab/Enter next field · Enter in the reason saves · Esc cancels",
                         classes="dialog-help")

    def on_mount(self) -> None:
        self.query(Input).first().focus()  # the value, else the criteria, else the reason

    def _default_criteria(self, decision: str) -> str:
        return default_criteria(decision.strip(), self.conflict.values, self.coder_criteria)

    def _value_problem(self, value: str) -> str | None:
        if self.criteria is None or value.strip() in DECISIONS:
            return None
        return f"unknown decision {value.strip()!r}: use {' | '.join(DECISIONS)}"

    def _criteria_problem(self, text: str) -> str | None:
        known = {k.id for k in self.criteria or ()}
        unknown = [c for c in split_ids(text.replace(",", ";")) if c not in known]
        if unknown:
            return (f"unknown criteri{'on' if len(unknown) == 1 else 'a'} "
                    f"{', '.join(unknown)}: use {', '.join(sorted(known))}")
        return None

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "resolve-value":
            problem = self._value_problem(event.value) if event.value.strip() else None
            self.query_one("#resolve-value-error", Static).update(problem or "")
            if self.criteria is not None and not self._criteria_typed:
                box = self.query_one("#resolve-criteria", Input)
                with box.prevent(Input.Changed):
                    box.value = self._default_criteria(event.value)
        elif event.input.id == "resolve-criteria":
            self._criteria_typed = event.input.has_focus
            problem = self._criteria_problem(event.value)
            self.query_one("#resolve-criteria-error", Static).update(problem or "")

    def action_enter(self) -> None:
        """Enter moves on at once (so the next keys go to the next field) or submits.

        Enter is a priority binding so the focus moves before any key typed after
        it is handed to a field. Submitting must instead wait for the keys typed
        before Enter: the message goes through the reason field's queue, behind them.
        """
        focused = self.focused
        if isinstance(focused, Input) and focused.id != "resolve-reason":
            self.focus_next()
            return
        self.query_one("#resolve-reason", Input).post_message(self.Submit())

    def on_resolve_modal_submit(self, event: Submit) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        error = self.query_one("#resolve-error", Static)
        reason = self.query_one("#resolve-reason", Input).value.strip()
        value = (self.query_one("#resolve-value", Input).value.strip() if self.editable
                 else self.value)
        criteria = None
        if self.criteria is not None:
            text = self.query_one("#resolve-criteria", Input).value
            criteria = tuple(split_ids(text.replace(",", ";")))
        if not reason:
            error.update("Give a reason: it goes in the audit trail.")
            self.query_one("#resolve-reason", Input).focus()
            return
        problem = self.save(value, reason, criteria) if self.save else None
        if problem:
            error.update(problem)
            return
        self.dismiss(True)

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

        def __init__(self, conflicts: list[Conflict], titles: dict[str, str],
                     criteria: dict[tuple[str, str], dict[str, str]]) -> None:
            super().__init__()
            self.conflicts, self.titles, self.criteria = conflicts, titles, criteria

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
        self.criteria: dict[tuple[str, str], dict[str, str]] = {}
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
        sheets = read_sheets(self.review)
        conflicts = list_conflicts(self.review, self.stage_id, sheets=sheets)
        criteria = coder_criteria(conflicts, sheets)
        if self.variable:
            conflicts = conflicts_for_variable(conflicts, self.variable, self.studies)
        titles = {}
        try:
            titles = {s.id: s.title for s in self.review.studies()}
        except WorkbenchError:  # no references: the study ids alone are shown
            pass
        self.post_message(self.Loaded(conflicts, titles, criteria))

    def on_resolve_screen_loaded(self, event: Loaded) -> None:
        self.conflicts, self.titles, self.criteria = event.conflicts, event.titles, event.criteria
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
        criteria = self.criteria.get((c.stage, c.study_id))
        if criteria is not None:
            table.add_column("Criteria", ratio=1)
        table.add_column("Note", ratio=2)
        for i, (reviewer, value) in enumerate(c.values.items(), start=1):
            extra = [criteria.get(reviewer, "") or "-"] if criteria is not None else []
            table.add_row(str(i), reviewer, shown(value), *extra, c.notes.get(reviewer, ""))
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
        self._ask(c, values[number - 1], editable=False)

    def action_enter_value(self) -> None:
        self._ask(self.conflict, "", editable=True)

    def _ask(self, c: Conflict, value: str, editable: bool) -> None:
        """Open the dialog for a conflict; it saves through _save and stays open on refusal."""
        codebook = self.review.codebook()
        hint = allowed_values(codebook, c.stage, c.field) if editable else ""
        criteria = (codebook.stage_criteria(c.stage)
                    if (c.stage, c.study_id) in self.criteria else None)
        self.app.push_screen(ResolveModal(
            c, value, editable=editable, hint=hint, criteria=criteria,
            coder_criteria=self.criteria.get((c.stage, c.study_id)),
            save=lambda value, reason, chosen, c=c: self._save(c, value, reason, chosen)))

    def _save(self, conflict: Conflict, value: str, reason: str,
              criteria: tuple[str, ...] | None = None) -> str | None:
        """Append the consensus value at once; return why it was refused (None when saved)."""
        try:
            resolve_conflict(self.review, conflict.study_id, conflict.stage, conflict.field,
                             value, self.reviewer, reason, criteria=criteria)
        except (WorkbenchError, OSError) as exc:
            return f"{exc} (the conflict stays open: fix it, or Esc)"
        position = self.conflicts.index(conflict)
        self.conflicts.pop(position)
        self.resolved += 1
        self.notify(f"Saved {conflict.study_id} {conflict.field} = {shown(value)}")
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
