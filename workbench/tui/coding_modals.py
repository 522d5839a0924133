"""Dialogs of the coding screen. Each is `XxxModal(ModalScreen[T])` and hands back via dismiss().

Values are checked as they are typed with `workbench.core.coding.validate_value`
(the same check the sheet applies before saving): a dialog with a refused
value shows why and cannot be submitted, so nothing invalid reaches the sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from workbench.tui.key_hold import TypedInput

from workbench.core.codebook import Choice, Field, Group
from workbench.core.coding import FALSE, TRUE, validate_value
from workbench.core.events import DecisionRefused
from workbench.tui.modals import FOCUS_KEYS
from workbench.tui.wording import plural


def _check(fld: Field, text: str, label: str = "") -> str | None:
    """Return why `text` is refused for `fld` (None when it is fine)."""
    try:
        validate_value(fld, text, label)
    except DecisionRefused as exc:
        return str(exc).replace("; nothing was saved", "")
    return None


def field_hint(fld: Field) -> str:
    """Return a one-line description of what a field accepts."""
    kind = {"integer": "a whole number", "number": "a number", "date": "YYYY, YYYY-MM or YYYY-MM-DD",
            "boolean": "yes or no", "text": "text", "long_text": "text"}.get(fld.type, fld.type)
    if fld.type == "multi_choice":
        kind = "any of " + "; ".join(c.id for c in fld.choices) + " (';' between)"
    elif fld.type == "choice":
        kind = "one of " + ", ".join(c.id for c in fld.choices)
    bounds = []
    if fld.minimum is not None:
        bounds.append(f"min {fld.minimum:g}")
    if fld.maximum is not None:
        bounds.append(f"max {fld.maximum:g}")
    unit = f" in {fld.unit}" if fld.unit else ""
    extra = f" ({', '.join(bounds)})" if bounds else ""
    return f"{kind}{unit}{extra}; empty = NA"


class ValueModal(ModalScreen[str | None]):
    """Type a value for a text, number, integer or date field; checked on every keystroke."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, fld: Field, value: str = "") -> None:
        super().__init__(classes="modal")
        self.fld = fld
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.fld.label or self.fld.id, classes="dialog-title")
            if self.fld.description:
                yield Static(self.fld.description, classes="dialog-help")
            yield Static(field_hint(self.fld), classes="dialog-help")
            yield TypedInput(value=self.value, id="value")
            yield Static("", id="value-error", classes="field-error")
            yield Static("Enter saves · Esc cancels", classes="dialog-help")

    def on_input_changed(self, event: Input.Changed) -> None:
        problem = _check(self.fld, event.value, self.fld.label)
        self.query_one("#value-error", Static).update(problem or "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        problem = _check(self.fld, event.value, self.fld.label)
        if problem:
            self.query_one("#value-error", Static).update(problem + " (fix it or Esc)")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceModal(ModalScreen[str | None]):
    """Pick a choice (or several) by number; 0 clears (NA); Enter saves; Esc cancels.

    Hands back the stored form: choice ids ";"-joined, "true"/"false", or "" for NA.
    """

    #: Priority bindings: the app runs them as it reads the keys, so `2 Enter` typed in a
    #: burst with the key that opened the dialog picks and saves in order, and the keys
    #: after Enter reach the coding screen again (see tui/key_hold.py).
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True),
                Binding("enter", "done", "Save", priority=True),
                *(Binding(str(n), f"pick({n})", show=False, priority=True) for n in range(10)),
                # a yes/no field: y and n as well as 1 and 2 (a typed y was ignored and the
                # Enter after it saved NA)
                Binding("y", "yes_no(1)", show=False, priority=True),
                Binding("n", "yes_no(2)", show=False, priority=True)]

    def __init__(self, fld: Field, value: str = "") -> None:
        super().__init__(classes="modal")
        self.fld = fld
        self.multi = fld.type == "multi_choice"
        self.choices: list[Choice] = (list(fld.choices) if fld.type != "boolean"
                                      else [Choice(TRUE, "yes"), Choice(FALSE, "no")])
        self.chosen: list[str] = [v for v in value.split(";") if v]
        self._drawn = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            how = "toggle any" if self.multi else "pick one"
            yield Label(f"{self.fld.label or self.fld.id}: {how}", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                for number, _ in enumerate(self.choices, start=1):
                    yield Static("", id=f"choice-{number}", classes="criterion")
            keys = "1/y yes, 2/n no" if self.fld.type == "boolean" else "1-9 choose"
            yield Static(f"{keys}, 0 clears (NA), Enter saves, Esc cancels",
                         classes="dialog-help")

    def on_mount(self) -> None:
        self._drawn = True
        self._refresh()

    def _refresh(self) -> None:
        if not self._drawn:
            return   # a number typed before the dialog is drawn: on_mount shows it
        for number, choice in enumerate(self.choices, start=1):
            on = choice.id in self.chosen
            mark = ("[x]" if on else "[ ]") if self.multi else ("(•)" if on else "( )")
            widget = self.query_one(f"#choice-{number}", Static)
            widget.update(f"{number}. {mark} {choice.label or choice.id}")
            widget.set_class(on, "chosen")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "yes_no":
            return self.fld.type == "boolean"
        return True

    def action_yes_no(self, number: int) -> None:
        """y picks yes, n picks no (a yes/no field only)."""
        self.chosen = [self.choices[number - 1].id]
        self._refresh()

    def action_pick(self, number: int) -> None:
        """Choose choice `number` (1-based, as shown); 0 clears (NA)."""
        if number == 0:
            self.chosen = []
        elif number <= len(self.choices):
            cid = self.choices[number - 1].id
            if cid in self.chosen:
                self.chosen.remove(cid)
            elif self.multi:
                self.chosen.append(cid)
            else:
                self.chosen = [cid]
        self._refresh()

    def action_done(self) -> None:
        order = [c.id for c in self.choices]
        self.dismiss(";".join(sorted(self.chosen, key=order.index)))

    def action_cancel(self) -> None:
        self.dismiss(None)


def value_modal(fld: Field, value: str = "") -> ModalScreen[str | None]:
    """Return the dialog that edits a field of this type."""
    if fld.type in ("choice", "multi_choice", "boolean"):
        return ChoiceModal(fld, value)
    return ValueModal(fld, value)


class RowModal(ModalScreen[dict[str, str] | None]):
    """Add or edit one row of a repeatable group: one input per field, each checked as typed.

    Each field's problem shows right under it while typing; the body scrolls so
    the focused field (and its problem) stays visible at 80x24. Tab moves
    between fields; Enter saves when every value fits; Esc cancels.
    """

    DEFAULT_CSS = """
    RowModal Input.-textual-compact { background: $boost; border-left: wide $primary-muted !important; }
    RowModal Input.-textual-compact:focus { border-left: wide $accent !important; }
    RowModal Input:focus { background: $primary-muted; }
    RowModal .row-label { margin-top: 1; }
    RowModal .row-label.first { margin-top: 0; }
    RowModal .row-field-error { display: none; }
    RowModal .row-field-error.shown { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True), *FOCUS_KEYS]

    def __init__(self, group: Group, values: Mapping[str, str] | None = None,
                 title: str = "") -> None:
        super().__init__(classes="modal")
        self.group = group
        self.values = dict(values or {})
        self.title_text = title or f"New {group.label or group.id} row"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body", id="row-body"):
                for number, fld in enumerate(self.group.fields):
                    required = " (required)" if fld.required else ""
                    choices = f": {field_hint(fld)}" if fld.choices else ""  # too long to fit
                    yield Static(f"{fld.label or fld.id}{required}{choices}",
                                 classes="dialog-help row-label" + (" first" if not number else ""))
                    # A marked, one-row field whose placeholder says what it takes.
                    yield TypedInput(value=self.values.get(fld.id, ""), id=f"row-{fld.id}",
                                placeholder=field_hint(fld), compact=True)
                    yield Static("", id=f"err-{fld.id}", classes="field-error row-field-error")
            yield Static("", id="row-error", classes="field-error")
            yield Static(f"{plural(len(self.group.fields), 'field')} · Tab next · Enter saves · "
                         "Esc cancels",
                         classes="dialog-help")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def _problem(self, fld: Field, text: str, submitting: bool = False) -> str | None:
        problem = _check(fld, text, fld.label)
        if problem is None and submitting and fld.required and not text.strip():
            problem = f"field {fld.label!r}: required"
        return problem

    def _show_problem(self, fld: Field, problem: str | None) -> None:
        error = self.query_one(f"#err-{fld.id}", Static)
        error.update(problem or "")
        error.set_class(bool(problem), "shown")
        if problem:
            self.call_after_refresh(error.scroll_visible, animate=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        fld = self.group.field((event.input.id or "")[4:])
        if fld is not None:
            self._show_problem(fld, self._problem(fld, event.value))
        if not any(e.has_class("shown") for e in self.query(".row-field-error")):
            self.query_one("#row-error", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        problems = []
        for fld in self.group.fields:
            problem = self._problem(fld, self.query_one(f"#row-{fld.id}", Input).value, True)
            self._show_problem(fld, problem)
            if problem:
                problems.append((fld, problem))
        if problems:
            summary = (problems[0][1] if len(problems) == 1 else
                       f"{plural(len(problems), 'field')} to fix: "
                       + ", ".join(f.label or f.id for f, _ in problems))
            self.query_one("#row-error", Static).update(summary + " (fix or Esc)")
            self.query_one(f"#row-{problems[0][0].id}", Input).focus()
            return
        self.dismiss({f.id: self.query_one(f"#row-{f.id}", Input).value
                      for f in self.group.fields})

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextModal(ModalScreen[str | None]):
    """Edit one line of text (a memo, a flag reason); Enter saves, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, title: str, value: str = "", placeholder: str = "",
                 help_text: str = "") -> None:
        super().__init__(classes="modal")
        self.title_text, self.value = title, value
        self.placeholder, self.help_text = placeholder, help_text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.help_text:
                yield Static(self.help_text, classes="dialog-help")
            yield TypedInput(value=self.value, placeholder=self.placeholder, id="text")
            yield Static("Enter saves · Esc cancels", classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EvidenceModal(ModalScreen[tuple[str, str] | None]):
    """The evidence for a code: a quote and its page. Both empty clears it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True), *FOCUS_KEYS]

    def __init__(self, code_label: str, quote: str = "", page: str = "", note: str = "") -> None:
        super().__init__(classes="modal")
        self.code_label, self.quote, self.page, self.note = code_label, quote, page, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Evidence for {self.code_label}", classes="dialog-title")
            if self.note:
                yield Static(self.note, id="evidence-note", classes="dialog-help", markup=False)
            yield TypedInput(value=self.quote, placeholder="quote from the source", id="quote")
            yield TypedInput(value=self.page, placeholder="page, e.g. 12 or 12-13", id="page")
            yield Static("Tab next field · Enter saves · Esc cancels · both empty clears",
                         classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss((self.query_one("#quote", Input).value,
                      self.query_one("#page", Input).value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class InfoModal(ModalScreen[None]):
    """Read-only text: a code's description and examples. Esc or Enter closes."""

    BINDINGS = [Binding("escape,enter,d", "close", "Close")]

    def __init__(self, title: str, lines: Sequence[str]) -> None:
        super().__init__(classes="modal")
        self.title_text, self.lines = title, list(lines)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                for line in self.lines:
                    yield Static(line, markup=False)
            yield Static("Esc closes", classes="dialog-help")

    def action_close(self) -> None:
        self.dismiss(None)
