"""The resolve screen's dialogs: the consensus value with a reason, and a yes/no question."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from workbench.core.codebook import CODING, EXCLUDE, Criterion
from workbench.core.coding import did_you_mean
from workbench.core.conflicts import Conflict
from workbench.core.screening import CRITERIA, DECISION, DECISIONS, split_ids
from workbench.tui.key_hold import KeyHold, TypedInput
from workbench.tui.modals import FOCUS_KEYS
from workbench.tui.widgets.conflict_view import shown


def named(item: str, label: str) -> str:
    """An id with its label, as the resolve screen shows values: "Journal article (article)"."""
    return f"{label} ({item})" if label and label != item else item


def allowed_values(codebook, stage_id: str, field_name: str) -> str:
    """Return a hint of the values a field takes ("" when free): each choice and code
    named "Label (id)"; the id is what to type."""
    stage = codebook.stage(stage_id)
    if stage is None:
        return ""
    if stage.kind != CODING:
        if field_name == DECISION:
            return " | ".join(stage.offered_decisions())
        if field_name == CRITERIA:
            return "; ".join(c.id for c in codebook.stage_criteria(stage_id)) + "  (join with ;)"
        return ""
    if field_name.startswith("code:"):
        dim = codebook.dimension(field_name[5:])
        codes = ", ".join(named(c.id, c.label) for c in dim.all_codes()) if dim else ""
        return f"{codes}  (join with ;)" if dim and dim.select != "single" else codes
    fld = None
    if field_name.startswith("field:"):
        fld = codebook.field(field_name[6:])
    elif field_name.startswith("row:"):
        from workbench.core.consensus import parse_row_field
        parsed = parse_row_field(codebook, field_name)
        if parsed is None:
            return ""
        if not parsed[2]:
            return "keep | drop"
        fld = codebook.group(parsed[0]).field(parsed[2])
    if fld is None:
        return ""
    if fld.choice_ids():
        return " | ".join(named(c.id, c.label) for c in fld.choices) + (
            "  (join with ;)" if fld.type == "multi_choice" else "")
    return fld.type


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
                 coder_criteria: dict[str, str] | None = None, shown_value: str = "") -> None:
        super().__init__(classes="modal")
        self.conflict = conflict
        self.shown_value = shown_value
        self.value = value
        self.editable = editable
        self.hint = hint
        self.save = save
        self.criteria = list(criteria) if criteria is not None else None
        self.coder_criteria = coder_criteria or {}
        self._criteria_typed = False
        self._answered = False

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
                    yield Static(Text(f"Consensus value: {self.shown_value or shown(self.value)}"),
                                 id="resolve-chosen")
                if self.criteria is not None:
                    known = " · ".join(f"{k.id} {k.label}" for k in self.criteria)
                    yield Static(Text(f"Criteria to record (ids, ';' between): {known}"),
                                 classes="dialog-help")
                    default = self._default_criteria(self.value)
                    yield Input(value=default if not self.editable else "",
                                id="resolve-criteria", compact=True,
                                placeholder=default or self._example())
                    yield Static("", id="resolve-criteria-error", classes="field-error")
                yield Static("Reason (required; saved with your name and the time)",
                             classes="dialog-help")
                yield TypedInput(placeholder="why this value", id="resolve-reason", compact=True)
            yield Static("", id="resolve-error", classes="field-error")
            yield Static("Tab/Enter next field · Enter in the reason saves · Esc cancels",
                         classes="dialog-help")

    def on_mount(self) -> None:
        # A typed value: its box first. A coder's value picked (1-9): the reason, as a person
        # types it right after choosing; the criteria (prefilled) are one Shift+Tab back.
        if self.editable:
            self.query(Input).first().focus()
        else:
            self.query_one("#resolve-reason", Input).focus()

    def _example(self) -> str:
        """The criteria box's placeholder: a criterion this stage offers (an exclusion first)."""
        offered = sorted(self.criteria or (), key=lambda k: k.kind != EXCLUDE)
        return f"e.g. {offered[0].id}" if offered else ""

    def _default_criteria(self, decision: str) -> str:
        return default_criteria(decision.strip(), self.conflict.values, self.coder_criteria)

    def _value_problem(self, value: str) -> str | None:
        if self.criteria is None or value.strip() in DECISIONS:
            return None
        return (f"unknown decision {value.strip()!r}{did_you_mean(value.strip(), list(DECISIONS))}"
                f": use {' | '.join(DECISIONS)}")

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
            if self.criteria is not None:
                # Only the hint follows the value: keys typed fast into the criteria box
                # may be read before the value's last change arrives, and must not be
                # overwritten. An empty box means these criteria (see _submit).
                box = self.query_one("#resolve-criteria", Input)
                box.placeholder = self._default_criteria(event.value) or self._example()
        elif event.input.id == "resolve-criteria":
            self._criteria_typed = event.input.has_focus
            problem = self._criteria_problem(event.value)
            self.query_one("#resolve-criteria-error", Static).update(problem or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter in the reason field is the field's own (TypedInput: after every key typed
        before it, and the keys typed after it go to the screen behind once saved)."""
        if action == "enter" and isinstance(self.focused, TypedInput) \
                and isinstance(self.app, KeyHold):
            return False
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "resolve-reason":
            event.stop()
            self._submit()

    def action_enter(self) -> None:
        """Enter moves on at once (so the next keys go to the next field) or submits.

        Enter is a priority binding so the focus moves before any key typed after
        it is handed to a field. Submitting must instead wait for the keys typed
        before Enter: the message goes through the reason field's queue, behind them.
        """
        if self._answered or not self.is_mounted:   # closed, or its fields not built yet
            return
        focused = self.focused
        if isinstance(focused, Input) and focused.id != "resolve-reason":
            self.focus_next()
            return
        self.query_one("#resolve-reason", Input).post_message(self.Submit())

    def on_resolve_modal_submit(self, event: Submit) -> None:
        event.stop()
        self._submit()

    def _submit(self) -> None:
        if self._answered:              # a second Enter reached the dialog as it closed
            return
        error = self.query_one("#resolve-error", Static)
        reason = self.query_one("#resolve-reason", Input).value.strip()
        value = (self.query_one("#resolve-value", Input).value.strip() if self.editable
                 else self.value)
        criteria = None
        if self.criteria is not None:
            text = self.query_one("#resolve-criteria", Input).value
            if not text.strip() and not self._criteria_typed:   # the hint's criteria
                text = self._default_criteria(value)
            criteria = tuple(split_ids(text.replace(",", ";")))
        if not reason:
            error.update("Give a reason: it goes in the audit trail.")
            self.query_one("#resolve-reason", Input).focus()
            return
        problem = self.save(value, reason, criteria) if self.save else None
        if problem:
            error.update(problem)
            return
        self._answered = True
        self.dismiss(True)

    def action_cancel(self) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(None)


class ConfirmModal(ModalScreen[bool]):
    """Ask a yes/no question (y or Enter: yes; n or Esc: no)."""

    BINDINGS = [Binding("y,enter", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__(classes="modal")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Confirm", classes="dialog-title")
            yield Static(Text(self.question), id="confirm-question")
            yield Static("y / Enter: yes · n / Esc: no", classes="dialog-help")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
