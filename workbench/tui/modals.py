"""Modal dialogs. Each is `XxxModal(ModalScreen[T])` and hands its result back via dismiss()."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from workbench.core.codebook import EXCLUDE, Criterion
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.errors import WorkbenchError
from workbench.review.screening import Filter, parse_filter
from workbench.tui.key_hold import TypedInput

#: Tab and Shift+Tab for dialogs with several inputs. As priority bindings the app moves
#: the focus before it hands the next key to a widget: keys typed right after Tab (a fast
#: typist, tmux send-keys) otherwise queue on the field being left, because Textual
#: forwards each key to the widget focused when the key is read, and a plain Tab binding
#: only runs once that widget has processed the Tab. A text field (`TypedInput`) declines
#: them and moves the focus in its own queue, after an Enter typed before the Tab.
FOCUS_KEYS = [
    Binding("tab", "app.focus_field(True)", "Next field", show=False, priority=True),
    Binding("shift+tab", "app.focus_field(False)", "Previous field", show=False, priority=True),
]


class ErrorModal(ModalScreen[None]):
    """A failure the user must read: a title and every problem, one per line."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close")]

    def __init__(self, title: str, problems: Sequence[str]) -> None:
        super().__init__(classes="modal error-modal")
        self.title_text = title
        self.problems = list(problems)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                for problem in self.problems:
                    yield Static(problem, markup=False, classes="problem")
            yield Button("OK (Enter)", id="ok", variant="error")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)


class ReviewerModal(ModalScreen[str | None]):
    """Ask for the reviewer name (remembered for this review folder on this machine)."""

    BINDINGS = [Binding("escape", "cancel", "Quit")]

    def __init__(self, suggestion: str = "", switching: bool = False) -> None:
        super().__init__(classes="modal")
        self.suggestion = suggestion
        self.switching = switching

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Who is working now?" if self.switching else "Who is screening?",
                        classes="dialog-title")
            yield Static("Your decisions go to coding/<name>.csv.", classes="dialog-help")
            yield Static("A name of letters, digits, _ . - (Enter goes on, Esc "
                         + ("keeps the current one)" if self.switching else "quits)"),
                         classes="dialog-help")
            yield TypedInput(value=self.suggestion, placeholder="your name, e.g. alice", id="name")
            yield Static("", id="reviewer-error", classes="field-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name and self.switching:
            self.dismiss(None)          # nothing typed: the current reviewer stays (said so)
            return
        if not is_valid_reviewer(name) or name == CONSENSUS:
            self.query_one("#reviewer-error", Static).update(
                f"{name!r} cannot be a reviewer name: use letters, digits, _ . -")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteModal(ModalScreen[str | None]):
    """Edit the note of a study; Enter saves, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, note: str = "") -> None:
        super().__init__(classes="modal")
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Note on this study", classes="dialog-title")
            yield TypedInput(value=self.note, placeholder="why, what to check later...", id="note")
            yield Static("Enter saves · Esc cancels", classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class CriteriaModal(ModalScreen[tuple[str, ...] | None]):
    """Pick one or more criteria by number, then Enter. Escape cancels.

    With `pick=False` it only shows the criteria (criteria on demand).
    """

    #: Priority bindings: the app runs them as it reads the keys, so `x 1 Enter` typed in
    #: one burst picks E1 even before the dialog is drawn, and the key after Enter goes
    #: to the screen behind (see ScreeningScreen.BINDINGS).
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True),
                Binding("enter", "done", "Done", priority=True),
                *(Binding(str(n), f"pick({n})", show=False, priority=True) for n in range(1, 10))]

    def __init__(self, criteria: Sequence[Criterion], title: str, pick: bool = True,
                 chosen: Sequence[str] = (), required: bool = False) -> None:
        super().__init__(classes="modal")
        self.criteria = list(criteria)
        self.title_text = title
        self.pick = pick
        self.required = required
        self.chosen: list[str] = [c for c in chosen if any(k.id == c for k in self.criteria)]
        self._drawn = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog criteria-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                for number, criterion in enumerate(self.criteria, start=1):
                    yield Static("", id=f"criterion-{number}", classes="criterion")
                    if criterion.description and not self.pick:
                        yield Static(criterion.description, markup=False,
                                     classes="criterion-description")
            hint = ("1-9 toggle, Enter save, Esc cancel" if self.pick else "Esc/Enter close")
            yield Static(hint, id="criteria-hint", classes="dialog-help")

    def _numbers(self) -> list[str]:
        """The number shown before each criterion: one numbering in every dialog.

        Only exclusion criteria are picked by number (the exclude dialog lists them
        alone, from 1), so the criteria panel numbers them the same way and shows
        the others without a number.
        """
        if self.pick:
            return [f"{n}." for n in range(1, len(self.criteria) + 1)]
        numbers, n = [], 0
        for criterion in self.criteria:
            if criterion.kind == EXCLUDE:
                n += 1
                numbers.append(f"{n}.")
            else:
                numbers.append(" " * len(f"{n + 1}."))
        return numbers

    def on_mount(self) -> None:
        self._drawn = True
        self._refresh()
        self.query_one(".dialog-body").focus()   # arrows scroll a long list

    def _refresh(self) -> None:
        if not self._drawn:
            return  # a number typed before the dialog is drawn: on_mount shows it
        numbers = self._numbers()
        for number, criterion in enumerate(self.criteria, start=1):
            mark = ("[x] " if criterion.id in self.chosen else "[ ] ") if self.pick else ""
            text = f"{numbers[number - 1]} {mark}{criterion.id} ({criterion.kind}): {criterion.label}"
            widget = self.query_one(f"#criterion-{number}", Static)
            widget.update(Text(text))
            widget.set_class(criterion.id in self.chosen, "chosen")

    def action_pick(self, number: int) -> None:
        """Tick or untick criterion `number` (1-based, as shown)."""
        if self.pick and 1 <= number <= len(self.criteria):
            cid = self.criteria[number - 1].id
            if cid in self.chosen:
                self.chosen.remove(cid)
            else:
                self.chosen.append(cid)
            self._refresh()

    def action_done(self) -> None:
        if not self.pick:
            self.dismiss(None)
        elif self.required and not self.chosen:
            self.query_one("#criteria-hint", Static).update(
                "Choose at least one criterion by its number (Esc cancels)")
        else:
            self.dismiss(tuple(self.chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterModal(ModalScreen[Filter | None]):
    """Search and filter: text, decision, years, database. Enter applies; empty clears."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True), *FOCUS_KEYS]

    def __init__(self, current: Filter) -> None:
        super().__init__(classes="modal")
        self.current = current

    def compose(self) -> ComposeResult:
        c = self.current
        years = "" if c.year_from is None and c.year_to is None else \
            (f"{c.year_from}" if c.year_from == c.year_to else f"{c.year_from or ''}-{c.year_to or ''}")
        with Vertical(classes="dialog"):
            yield Label("Filter the studies", classes="dialog-title")
            yield TypedInput(value=c.text, placeholder="words in title/abstract/authors",
                             id="text")
            yield TypedInput(value=c.decision,
                        placeholder="decision: include exclude maybe not_retrieved unscreened",
                        id="decision")
            yield TypedInput(value=years, placeholder="years: 2015-2020", id="years")
            yield TypedInput(value=c.database, placeholder="database, e.g. scopus", id="database")
            yield Static("", id="filter-error", classes="field-error")
            yield Static("Tab next field · Enter applies · Esc cancels · all empty: all",
                         classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        values = {w.id: w.value for w in self.query(Input)}
        try:
            flt = parse_filter(values["text"], values["decision"], values["years"],
                               values["database"])
        except WorkbenchError as exc:
            self.query_one("#filter-error", Static).update(str(exc))
            return
        self.dismiss(flt)

    def action_cancel(self) -> None:
        self.dismiss(None)
