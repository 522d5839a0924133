"""The Textual app: routing between screens, global keys, error display. No domain logic.

Adding a workflow step (coding, duplicates, resolve, agreement) is one entry
in STEPS below (its name and its screen's module and class), plus one binding
on the home screen (`Binding("c", "app.open_step('coding')", "Code")`). A step
screen is built as `ScreenClass(review, reviewer, **options)`; its module is
imported when the step is first opened, so the home screen's first frame does
not wait for every step's imports.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from workbench.errors import WorkbenchError
from workbench.review import Review
from workbench.review.screening import read_remembered_reviewer, write_remembered_reviewer
from workbench.tui.key_hold import KeyHold
from workbench.tui.keymap import read_keymap
from workbench.tui.live import DiskWatcher
from workbench.tui.modals import ErrorModal, ReviewerModal
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.home import HomeScreen

#: Workflow steps a key on the home screen can open: name -> (module, screen class name).
STEPS: dict[str, tuple[str, str]] = {
    "screening": ("workbench.tui.screens.screening", "ScreeningScreen"),
    "coding": ("workbench.tui.screens.coding", "CodingScreen"),
    "duplicates": ("workbench.tui.screens.duplicates", "DuplicatesScreen"),
    "agreement": ("workbench.tui.screens.agreement", "AgreementScreen"),
    "resolve": ("workbench.tui.screens.resolve", "ResolveScreen"),
}


def step_screen(name: str) -> type | None:
    """Return the screen class of a step of STEPS (importing its module), or None."""
    where = STEPS.get(name)
    if where is None:
        return None
    module, cls = where
    return getattr(importlib.import_module(module), cls)


class WorkbenchApp(KeyHold, App[int]):
    """The workbench: a home screen and one screen per workflow step."""

    TITLE = "workbench"
    CSS_PATH = "workbench.tcss"
    #: Offer the name last used in this review folder, and remember the new one (a
    #: terminal on one person's machine). `workbench serve` turns it off: there each
    #: browser connection is a different person, who types their own name.
    REMEMBER_REVIEWER = True
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("question_mark", "help", "Keys", show=False, id="app.help"),
        Binding("f2", "toggle_theme", "Theme", show=False, id="app.theme"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
    ]

    def __init__(self, review_dir: Path, reviewer: str | None = None,
                 start: str | None = None, options: dict | None = None) -> None:
        super().__init__()
        self.review_dir = Path(review_dir)
        self.review: Review | None = None
        self.reviewer = reviewer
        self.start = start
        self.start_options = options or {}
        self.fatal_message: str | None = None

    def on_mount(self) -> None:
        try:
            self.review = Review.open(self.review_dir)
            self.review.codebook()
            self.set_keymap(read_keymap(self.review.root))
        except WorkbenchError as exc:
            self.fail(exc)
            return
        if self.reviewer:
            self._start()
        else:
            last = read_remembered_reviewer(self.review.root) if self.REMEMBER_REVIEWER else None
            self.push_screen(ReviewerModal(last or ""), self._reviewer_chosen)

    def _reviewer_chosen(self, name: str | None) -> None:
        if not name:
            self.exit(0)
            return
        try:
            if self.REMEMBER_REVIEWER:
                write_remembered_reviewer(self.review.root, name)
        except (WorkbenchError, OSError) as exc:
            self.notify(f"could not remember the reviewer name: {exc}", severity="warning")
        self.reviewer = name
        self._start()

    def _start(self) -> None:
        DiskWatcher(self).start()
        self.push_screen(HomeScreen(self.review, self.reviewer))
        if self.start:
            self.open_step(self.start, **self.start_options)

    # -- routing ---------------------------------------------------------------------------
    def open_step(self, name: str, **options) -> None:
        """Open a workflow step's screen by its name in STEPS."""
        screen_class = step_screen(name)
        if screen_class is None:
            self.notify(f"{name}: not available yet", severity="warning")
            return
        self.push_screen(screen_class(self.review, self.reviewer, **options))

    def action_open_step(self, name: str) -> None:
        self.open_step(name)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    # -- errors ----------------------------------------------------------------------------
    def fail(self, exc: BaseException | str) -> None:
        """End the app on a fatal start-up error with the text the CLI prints."""
        self.fatal_message = f"error: {exc}"
        self.exit(1, return_code=1, message=Text(self.fatal_message))

    def show_error(self, title: str, problems: list[str] | str) -> None:
        """Show an error the user must read in an ErrorModal."""
        if isinstance(problems, str):
            problems = [problems]
        self.push_screen(ErrorModal(title, problems))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and not getattr(event.worker, "_handled", False):
            error = event.worker.error
            if isinstance(error, WorkbenchError):
                self.show_error("Something went wrong", str(error))
            else:
                self.show_error("Unexpected error (a bug)", f"{type(error).__name__}: {error}")


def make_app(review_dir: Path | str, reviewer: str | None = None, start: str | None = None,
             **options) -> WorkbenchApp:
    """Build the app (for `workbench`, `workbench screen` and every test).

    Args:
        review_dir: the review folder.
        reviewer: the reviewer name; None asks for it (remembered per review folder).
        start: a step of STEPS to open at once (e.g. "screening").
        options: keyword arguments for that step's screen (e.g. stage="full_text").
    """
    return WorkbenchApp(Path(review_dir), reviewer=reviewer, start=start, options=options)


def run_app(review_dir: Path | str, reviewer: str | None = None, start: str | None = None,
            **options) -> int:
    """Run the app in the terminal and return its exit code."""
    if reviewer is None:
        reviewer = read_remembered_reviewer(Path(review_dir))
    app = make_app(review_dir, reviewer=reviewer, start=start, **options)
    app.run()
    code = app.return_code
    return 1 if code is None and app.fatal_message else (code or 0)
